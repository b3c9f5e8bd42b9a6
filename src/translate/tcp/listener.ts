// One TCP entry point that carries TCP routers → one Listener whose filter chains combine the HTTP
// translation's chains (plain `http`, TLS `https/*`) with the TCP routers' chains, in Traefik's dispatch
// order whatever the priorities (traefik-semantics.md §9.6, traefik-to-envoy.md §8.1).
//
// Two layouts, both derived from dispatch.ts:
// - classic FilterChainMatch chains (server_names, transport_protocol, application_protocols,
//   source_prefix_ranges), used when Envoy's "most specific match" reproduces Traefik for every class of
//   connection (checked on one representative connection per class, and for overlaps Envoy rejects);
// - otherwise Listener.filter_chain_matcher, Traefik's order spelled out (first match wins).
import { T } from '../type-urls';
import { closedChain, routerChain } from './chains';
import { compareRouters, evalPred, httpsDomainsOf, outcomeKey, traefikDispatch, type Conn, type Dispatch, type Outcome } from './dispatch';
import { envoySelect, overlappingChains, type SimChain } from './envoy-select';
import { matchItems, type MatchItem } from './layout-match';
import { matcherEntries } from './layout-matcher';
import { collectKeys, OTHER_SNI, representatives } from './regions';
import { rulePredicate } from './predicate';
import { typed, type FilterChain, type FilterChainMatch, type Listener } from '../../envoy/types';
import type { Diagnostics } from '../../model/diagnostics';
import type { Model, TcpRouter } from '../../model/model';
import type { EntryPointAddress } from '../options';

export interface TcpEntryPointResult {
  listener: Listener;
  /** TCP routers whose chains forward (their clusters are needed). */
  routers: TcpRouter[];
  /** Some chain terminates TLS with the default store's certificates. */
  usesCertificates: boolean;
  /** Some chain is the "closed" chain. */
  usesClosed: boolean;
  /** TLS options of the terminating chains. */
  tlsOptions: string[];
}

const STRUCTURAL_MATCH_KEYS = new Set(['server_names', 'transport_protocol']);

function describeSni(sni: string): string {
  if (sni === '') return 'no SNI';
  if (sni === OTHER_SNI) return 'an SNI no rule names';
  const deep = /^xds-deep\.xds-rep(\..*)$/.exec(sni);
  if (deep) return `an SNI two labels under *${deep[1]} (e.g. a.b${deep[1]})`;
  const one = /^xds-rep(\..*)$/.exec(sni);
  if (one) return `an SNI one label under *${one[1]} (e.g. a${one[1]})`;
  return `SNI ${sni}`;
}

function describe(c: Conn): string {
  if (!c.tls) return `a non-TLS connection from ${c.ip}`;
  const parts = [describeSni(c.sni)];
  if (c.alpn.length) parts.push(`ALPN ${c.alpn.join(',')}`);
  return `a TLS connection (${parts.join(', ')}) from ${c.ip}`;
}

function describeOutcome(o: Outcome): string {
  switch (o.k) {
    case 'http':
      return 'the HTTP routers';
    case 'https':
      return `the HTTPS routers (${o.chain})`;
    case 'tcp':
      return `TCP router ${o.router}`;
    default:
      return 'closed';
  }
}

export function buildTcpEntryPoint(
  ep: EntryPointAddress,
  http: Listener,
  model: Model,
  certNames: string[],
  diags: Diagnostics,
): TcpEntryPointResult | undefined {
  const routers = model.tcpRouters.filter((r) => r.entryPoints.includes(ep.name));
  if (routers.length === 0) return undefined;
  const chains = http.filter_chains ?? [];
  const plain = chains.find((c) => c.filter_chain_match?.transport_protocol !== 'tls');
  const https = chains.filter((c) => c !== plain);
  const unexpected = chains.find((c) => Object.keys(c.filter_chain_match ?? {}).some((k) => !STRUCTURAL_MATCH_KEYS.has(k)));
  if (!plain || unexpected || http.filter_chain_matcher) {
    for (const r of routers) {
      diags.error(r.provenance.subject, r.provenance.field,
        `entry point ${ep.name}: the HTTP listener layout is not one traefik-xds can combine with TCP routers; TCP router ${r.name} is not served there`);
    }
    return undefined;
  }
  const httpsSim: SimChain[] = https.map((c) => ({ name: c.name ?? '', match: c.filter_chain_match }));
  const httpsChainFor = (sni: string) => (httpsSim.length ? envoySelect(httpsSim, { tls: true, sni, alpn: [], ip: '192.0.2.1' }, true)?.name : undefined);
  const httpsRouters = model.httpRouters.filter((r) => r.tls && r.entryPoints.includes(ep.name));
  const { domains, catchAll } = httpsSim.length ? httpsDomainsOf(httpsRouters) : { domains: [], catchAll: false };

  const d: Dispatch = {
    entryPoint: ep.name,
    plainRouters: routers.filter((r) => !r.tls).sort(compareRouters),
    tlsRouters: routers.filter((r) => r.tls).sort(compareRouters),
    httpsDomains: domains,
    httpsCatchAll: catchAll,
    httpsChainFor,
  };
  const inspector = d.tlsRouters.length > 0 || https.length > 0;
  const keys = collectKeys(d);
  const reps = representatives(keys, inspector);
  const expected = reps.map((c) => traefikDispatch(d, c));
  reportShadowing(d, reps, expected, diags);

  // The content of each outcome's chain.
  const byName = new Map(routers.map((r) => [r.name, r]));
  const content = (o: Outcome, name: string): FilterChain => {
    switch (o.k) {
      case 'http':
        return { ...strip(plain), name };
      case 'https':
        return { ...strip(https.find((c) => c.name === o.chain)!), name };
      case 'tcp':
        return routerChain(name, byName.get(o.router)!, certNames, model);
      default:
        return closedChain(name);
    }
  };
  const baseName = (o: Outcome) => (o.k === 'http' ? plain.name ?? 'http' : o.k === 'https' ? o.chain : o.k === 'tcp' ? `tcp/${o.router}` : 'closed');

  let layout: { chains: FilterChain[]; matcher?: Listener['filter_chain_matcher']; outcomes: Outcome[] } | undefined;
  let why: string | undefined;
  if (keys.sniRegexp) why = 'a TLS router uses HostSNIRegexp, which server_names cannot express';
  else {
    const items = matchItems(d, keys, inspector);
    const check = checkClassic(items, reps, expected.map((e) => e.outcome), inspector, d);
    if (check.ok) {
      const counts = new Map<string, number>();
      const built = items.map((it) => {
        const k = outcomeKey(it.outcome);
        const n = (counts.get(k) ?? 0) + 1;
        counts.set(k, n);
        const chain = content(it.outcome, n === 1 ? baseName(it.outcome) : `${baseName(it.outcome)}#${n}`);
        const match = matchOf(it);
        return Object.keys(match).length ? { ...chain, filter_chain_match: match } : chain;
      });
      layout = { chains: built, outcomes: items.map((i) => i.outcome) };
    } else why = check.why;
  }
  if (!layout) {
    const entries = matcherEntries(d);
    const outcomes: Outcome[] = [];
    for (const e of entries) if (!outcomes.some((o) => outcomeKey(o) === outcomeKey(e.outcome))) outcomes.push(e.outcome);
    const matcher = {
      matcher_list: {
        matchers: entries.map((e) => ({
          predicate: e.predicate as Exclude<typeof e.predicate, boolean>,
          on_match: { action: { name: baseName(e.outcome), typed_config: typed('google.protobuf.StringValue', baseName(e.outcome)) } },
        })),
      },
    };
    layout = { chains: outcomes.map((o) => content(o, baseName(o))), matcher, outcomes };
    diags.info({ kind: 'StaticConfig' }, `entryPoints.${ep.name}`,
      `the TCP routing of this entry point uses Envoy's filter_chain_matcher (Traefik's dispatch order, first match wins) because ${why}`);
  }

  const listener: Listener = { ...http };
  delete listener.filter_chain_matcher;
  listener.filter_chains = layout.chains;
  if (layout.matcher) listener.filter_chain_matcher = layout.matcher;
  if (inspector) {
    const filters = [...(http.listener_filters ?? [])];
    if (!filters.some((f) => f.name === 'envoy.filters.listener.tls_inspector')) {
      filters.push({ name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': T.tlsInspector } });
    }
    listener.listener_filters = filters;
    // Traefik waits readTimeout for the ClientHello, then closes the connection (Envoy's default is 15 s).
    listener.listener_filters_timeout = `${(ep.readTimeoutMs ?? 60_000) / 1000}s`;
  } else {
    delete listener.listener_filters;
  }
  const used = new Set(layout.outcomes.filter((o) => o.k === 'tcp').map((o) => (o as { router: string }).router));
  return {
    listener,
    routers: routers.filter((r) => used.has(r.name) && r.action.type === 'forward'),
    usesCertificates: layout.outcomes.some((o) => o.k === 'tcp' && byName.get(o.router)!.tls?.passthrough === false),
    usesClosed: layout.outcomes.some((o) => o.k === 'close'),
    tlsOptions: [...new Set(routers.filter((r) => used.has(r.name) && r.tls && !r.tls.passthrough).map((r) => r.tls!.options))],
  };
}

function strip(c: FilterChain): FilterChain {
  const copy = { ...c };
  delete copy.filter_chain_match;
  return copy;
}

export function matchOf(it: MatchItem): FilterChainMatch {
  const m: FilterChainMatch = {};
  if (it.serverNames.length) m.server_names = [...it.serverNames];
  if (it.transport) m.transport_protocol = it.transport;
  if (it.alpn.length) m.application_protocols = [...it.alpn];
  if (it.ranges.length) {
    m.source_prefix_ranges = it.ranges.map((r) => {
      const [address_prefix, len] = r.split('/');
      return { address_prefix, prefix_len: Number(len) };
    });
  }
  return m;
}

/** Whether the classic layout gives every representative connection Traefik's outcome. */
export function checkClassic(items: MatchItem[], reps: Conn[], expected: Outcome[], inspector: boolean, d: Dispatch): { ok: true } | { ok: false; why: string } {
  const sim: (SimChain & { outcome: Outcome })[] = items.map((it, i) => ({ name: `#${i}`, match: matchOf(it), outcome: it.outcome }));
  const overlaps = overlappingChains(sim);
  if (overlaps.length) return { ok: false, why: 'the classic filter chains would overlap (Envoy rejects duplicate matches)' };
  // connection_limit counts per filter chain: a limited router must have exactly one.
  for (const r of [...d.plainRouters, ...d.tlsRouters]) {
    if (!r.middlewares.some((m) => m.type === 'inFlightConn')) continue;
    if (items.filter((it) => it.outcome.k === 'tcp' && it.outcome.router === r.name).length > 1) {
      return { ok: false, why: `TCP router ${r.name} has an inFlightConn limit and would need several classic filter chains (each with its own count)` };
    }
  }
  for (let i = 0; i < reps.length; i++) {
    const got = envoySelect(sim, reps[i]!, inspector) as (SimChain & { outcome: Outcome }) | undefined;
    const want = expected[i]!;
    const gotOutcome: Outcome = got ? got.outcome : { k: 'close' };
    if (outcomeKey(gotOutcome) !== outcomeKey(want)) {
      return {
        ok: false,
        why: `server_names/source_prefix_ranges matching ("most specific wins") would send ${describe(reps[i]!)} to ${describeOutcome(gotOutcome)}, ` +
          `where Traefik's order gives it to ${describeOutcome(want)}`,
      };
    }
  }
  return { ok: true };
}

/** Routers that never get a connection, and equal-priority routers whose order Traefik leaves unspecified. */
function reportShadowing(d: Dispatch, reps: Conn[], results: ReturnType<typeof traefikDispatch>[], diags: Diagnostics): void {
  const won = new Set<string>();
  const matched = new Map<string, Set<string>>();
  const ties = new Map<string, { winner: TcpRouter; example: Conn }>();
  reps.forEach((c, i) => {
    const res = results[i]!;
    if (res.winner) won.add(res.winner.name);
    const pool = c.tls ? d.tlsRouters : d.plainRouters;
    const view: Conn = c.tls ? c : { tls: false, sni: '', alpn: [], ip: c.ip };
    for (const r of pool) {
      if (!evalPred(r.pred, view) || res.winner === r) continue;
      const by = res.winner ? `TCP router ${res.winner.name}` : res.outcome.k === 'https' ? 'the HTTPS routers, which Traefik serves before TCP TLS routers' : describeOutcome(res.outcome);
      if (!matched.has(r.name)) matched.set(r.name, new Set());
      matched.get(r.name)!.add(by);
      if (res.winner && res.winner.priority === r.priority && !ties.has(r.name)) ties.set(r.name, { winner: res.winner, example: c });
    }
  });
  for (const r of [...d.plainRouters, ...d.tlsRouters]) {
    const f = r.provenance.field ? `${r.provenance.field}.match` : undefined;
    if (!r.tls && rulePredicate(r.pred, true, r.name) === false) {
      diags.warn(r.provenance.subject, f, `TCP router ${r.name} has no tls, and without TLS there is no SNI or ALPN to match: it never matches a connection`);
      continue;
    }
    const beaten = matched.get(r.name);
    const tie = ties.get(r.name);
    if (tie) {
      diags.warn(r.provenance.subject, f,
        `on entry point ${d.entryPoint}, TCP routers ${tie.winner.name} and ${r.name} have the same priority (${r.priority}) and both match ${describe(tie.example)}: ` +
        `Traefik's order between them is unspecified; traefik-xds gives such connections to ${tie.winner.name} (router name order)` +
        `${beaten && !won.has(r.name) ? `, so ${r.name} never gets a connection` : ''}`);
    } else if (beaten && !won.has(r.name)) {
      diags.warn(r.provenance.subject, f,
        `on entry point ${d.entryPoint}, TCP router ${r.name} never gets a connection: every connection it matches goes first to ${[...beaten].sort().slice(0, 3).join(', ')}`);
    }
  }
}
