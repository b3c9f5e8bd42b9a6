// The connection classes that matter on one entry point: every SNI, ALPN protocol and CIDR the rules, HTTPS
// hosts and allow lists name cut the connections into classes that every router treats alike (HostSNIRegexp
// aside). One representative connection per class is enough to compare two layouts exactly.
import { ipRegions, type IpRegion } from './ip';
import { allowLists } from './ip-allowlist';
import type { Conn, Dispatch } from './dispatch';
import type { RulePred, TcpRouter } from '../../model/model';

export interface Keys {
  /** Exact SNIs and `*.x` wildcards named by TLS routers and HTTPS hosts. */
  sniExact: string[];
  sniWildcards: string[];
  alpn: string[];
  cidrs: string[];
  /** Some TLS router uses HostSNIRegexp (SNI classes cannot be enumerated). */
  sniRegexp: boolean;
  regions: IpRegion[];
}

function leaves(p: RulePred, out: RulePred[] = []): RulePred[] {
  if (p.t === 'and' || p.t === 'or') for (const x of p.items) leaves(x, out);
  else if (p.t === 'not') out.push(p.item);
  else out.push(p);
  return out;
}

export function collectKeys(d: Dispatch): Keys {
  const exact = new Set<string>();
  const wild = new Set<string>();
  const alpn = new Set<string>();
  const cidrs = new Set<string>();
  let sniRegexp = false;
  const addHost = (h: string) => {
    if (h === '*' || h === '') return;
    (h.startsWith('*.') ? wild : exact).add(h);
  };
  const scan = (r: TcpRouter, tls: boolean) => {
    for (const l of leaves(r.pred)) {
      if (l.t === 'clientIP') cidrs.add(l.cidr);
      else if (!tls) continue;
      else if (l.t === 'hostSNI') addHost(l.host);
      else if (l.t === 'alpn') alpn.add(l.protocol);
      else if (l.t === 'hostSNIRegexp') sniRegexp = true;
    }
    for (const list of allowLists(r.middlewares)) for (const c of list) cidrs.add(c);
  };
  for (const r of d.plainRouters) scan(r, false);
  for (const r of d.tlsRouters) scan(r, true);
  for (const h of d.httpsDomains) addHost(h);
  const cidrList = [...cidrs].sort();
  return {
    sniExact: [...exact].sort(),
    sniWildcards: [...wild].sort(),
    alpn: [...alpn].sort(),
    cidrs: cidrList,
    sniRegexp,
    regions: ipRegions(cidrList),
  };
}

/** A name in no other class: one label under the wildcard's suffix (and, with `deep`, two labels). */
export function wildcardRep(wildcard: string, deep = false): string {
  return `${deep ? 'xds-deep.' : ''}xds-rep${wildcard.slice(1)}`;
}

export const OTHER_SNI = 'xds-unmatched.invalid';
const OTHER_ALPN = 'xds-unlisted';

export function sniReps(k: Keys): string[] {
  return ['', OTHER_SNI, ...k.sniExact, ...k.sniWildcards.flatMap((w) => [wildcardRep(w), wildcardRep(w, true)])];
}

/** No ALPN, an unlisted one, each listed one alone, and each ordered pair (Envoy honours the client's order). */
export function alpnReps(k: Keys): string[][] {
  const out: string[][] = [[], [OTHER_ALPN]];
  const list = k.alpn.slice(0, 6);
  for (const p of k.alpn) out.push([p], [OTHER_ALPN, p]);
  for (const p of list) for (const q of list) if (p !== q) out.push([p, q]);
  return out;
}

export function ipReps(k: Keys): string[] {
  return k.regions.flatMap((r) => r.reps);
}

/** Every representative connection: plain ones by client address, TLS ones by SNI × ALPN × address. */
export function representatives(k: Keys, withTls: boolean): Conn[] {
  const ips = ipReps(k);
  const out: Conn[] = ips.map((ip) => ({ tls: false, sni: '', alpn: [], ip }));
  if (!withTls) return out;
  for (const sni of sniReps(k)) for (const alpn of alpnReps(k)) for (const ip of ips) out.push({ tls: true, sni, alpn, ip });
  return out;
}
