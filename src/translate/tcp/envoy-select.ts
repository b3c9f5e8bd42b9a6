// Envoy's filter-chain selection by FilterChainMatch (listener_components.proto; filter_chain_manager_impl):
// criteria in a fixed order — server_names, transport_protocol, application_protocols, source_prefix_ranges —
// each keeping only the most specific chains, with no backtracking. Used to check a layout against Traefik's
// dispatch, and to find the overlaps Envoy rejects ("multiple filter chains with the same matching rules").
import { cidrContains, parseAddress, parseCidr } from './ip';
import type { FilterChainMatch } from '../../envoy/types';
import type { Conn } from './dispatch';

export interface SimChain {
  name: string;
  match?: FilterChainMatch;
}

function rangesOf(m: FilterChainMatch | undefined): string[] {
  return (m?.source_prefix_ranges ?? []).map((r) => `${r.address_prefix}/${r.prefix_len ?? 0}`);
}

/**
 * The chain Envoy picks for a connection; undefined when none (the connection is closed). `inspector`: the
 * listener has a TLS inspector (otherwise the transport protocol is never detected).
 */
export function envoySelect(chains: SimChain[], c: Conn, inspector: boolean): SimChain | undefined {
  let cand = chains;
  // server_names: exact, then the longest wildcard suffix (any depth), then chains without server_names.
  const names = (x: SimChain) => x.match?.server_names ?? [];
  const sni = c.tls ? c.sni : '';
  let bySni: SimChain[] = [];
  if (sni !== '') {
    bySni = cand.filter((x) => names(x).includes(sni));
    const labels = sni.split('.');
    for (let i = 1; bySni.length === 0 && i < labels.length; i++) {
      const w = `*.${labels.slice(i).join('.')}`;
      bySni = cand.filter((x) => names(x).includes(w));
    }
  }
  cand = bySni.length ? bySni : cand.filter((x) => names(x).length === 0);
  // transport_protocol
  const tp = inspector ? (c.tls ? 'tls' : 'raw_buffer') : '';
  const byTp = cand.filter((x) => (x.match?.transport_protocol ?? '') === tp && tp !== '');
  cand = byTp.length ? byTp : cand.filter((x) => !x.match?.transport_protocol);
  // application_protocols: the first offered protocol some chain lists
  const alpn = c.tls ? c.alpn : [];
  let byAlpn: SimChain[] = [];
  for (const p of alpn) {
    byAlpn = cand.filter((x) => (x.match?.application_protocols ?? []).includes(p));
    if (byAlpn.length) break;
  }
  cand = byAlpn.length ? byAlpn : cand.filter((x) => (x.match?.application_protocols ?? []).length === 0);
  // source_prefix_ranges: longest matching prefix
  const ip = parseAddress(c.ip);
  let best = -1;
  let bySrc: SimChain[] = [];
  for (const x of cand) {
    for (const r of rangesOf(x.match)) {
      const cidr = parseCidr(r);
      if (!cidr || !ip || !cidrContains(cidr, ip)) continue;
      if (cidr.len > best) {
        best = cidr.len;
        bySrc = [x];
      } else if (cidr.len === best && !bySrc.includes(x)) bySrc.push(x);
    }
  }
  cand = best >= 0 ? bySrc : cand.filter((x) => rangesOf(x.match).length === 0);
  return cand.length === 1 ? cand[0] : undefined;
}

/** Pairs of chains whose matches overlap exactly on some criteria combination: Envoy rejects the listener. */
export function overlappingChains(chains: SimChain[]): [SimChain, SimChain][] {
  const cells = new Map<string, SimChain>();
  const out: [SimChain, SimChain][] = [];
  for (const x of chains) {
    const m = x.match ?? {};
    const sn = m.server_names?.length ? m.server_names : [''];
    const ap = m.application_protocols?.length ? m.application_protocols : [''];
    const sr = rangesOf(m).length ? rangesOf(m).map((r) => {
      const c = parseCidr(r);
      return c ? `${c.v6}|${c.net}|${c.len}` : r;
    }) : [''];
    const seen = new Set<SimChain>();
    for (const a of sn) for (const b of ap) for (const s of sr) {
      const key = JSON.stringify([a, m.transport_protocol ?? '', b, s]);
      const prev = cells.get(key);
      if (prev && prev !== x && !seen.has(prev)) {
        seen.add(prev);
        out.push([prev, x]);
      } else if (!prev) cells.set(key, x);
    }
  }
  return out;
}
