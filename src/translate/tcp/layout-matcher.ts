// Layout 2: Listener.filter_chain_matcher, an ordered list (first match wins) that spells out Traefik's
// dispatch order literally: plain TCP routers by priority, then HTTP; HTTPS routers with a host, TLS routers
// by priority up to the first catch-all, the HTTPS catch-all, the TCP catch-all, the HTTPS handler. Exact for
// every rule (negations, HostSNIRegexp, one-label wildcards, ALPN lists, priorities that contradict Envoy's
// "most specific" order). Used when the classic layout cannot reproduce Traefik.
import { allowLists } from './ip-allowlist';
import { inFlightClosesAll } from './inflight-conn';
import { and, or, rulePredicate, sniMatches, sourceIn, transportIs, type Pred } from './predicate';
import { OTHER_SNI, wildcardRep } from './regions';
import type { Dispatch, Outcome } from './dispatch';
import type { TcpRouter } from '../../model/model';

export interface MatcherEntry {
  predicate: Pred;
  outcome: Outcome;
}

export function alwaysCloses(r: TcpRouter): boolean {
  return r.action.type === 'close' || r.middlewares.some((m) => m.type === 'inFlightConn' && inFlightClosesAll(m));
}

function routerEntries(r: TcpRouter, transport: 'tls' | 'raw_buffer'): MatcherEntry[] {
  const base = and([transportIs(transport), rulePredicate(r.pred, transport === 'raw_buffer', r.name)]);
  if (base === false) return [];
  if (alwaysCloses(r)) return [{ predicate: base, outcome: { k: 'close' } }];
  const lists = allowLists(r.middlewares);
  const served: MatcherEntry = { predicate: and([base, ...lists.map((l, i) => sourceIn(l, `${r.name}_allow${i}`))]), outcome: { k: 'tcp', router: r.name } };
  return lists.length ? [served, { predicate: base, outcome: { k: 'close' } }] : [served];
}

export function matcherEntries(d: Dispatch): MatcherEntry[] {
  const out: MatcherEntry[] = [];
  for (const r of d.plainRouters) out.push(...routerEntries(r, 'raw_buffer'));
  out.push({ predicate: transportIs('raw_buffer'), outcome: { k: 'http' } });

  // HTTPS routers with a host, grouped by the HTTPS chain that serves the host.
  const byChain = new Map<string, string[]>();
  for (const h of d.httpsDomains) {
    const chain = d.httpsChainFor(h.startsWith('*.') ? wildcardRep(h) : h);
    if (!chain) continue;
    byChain.set(chain, [...(byChain.get(chain) ?? []), h]);
  }
  for (const [chain, hosts] of byChain) {
    out.push({ predicate: and([transportIs('tls'), or(hosts.map(sniMatches))]), outcome: { k: 'https', chain } });
  }
  const httpsFallback = d.httpsChainFor(OTHER_SNI);
  let catchAll: TcpRouter | undefined;
  for (const r of d.tlsRouters) {
    // `!HostSNI(*)` carries the catch-all flag too, but never matches: the next router may.
    if (r.catchAll && rulePredicate(r.pred, false, r.name) !== false) {
      catchAll = r;
      break;
    }
    out.push(...routerEntries(r, 'tls'));
  }
  if (d.httpsCatchAll && httpsFallback) out.push({ predicate: transportIs('tls'), outcome: { k: 'https', chain: httpsFallback } });
  else if (catchAll) out.push(...routerEntries(catchAll, 'tls'));
  else if (httpsFallback) out.push({ predicate: transportIs('tls'), outcome: { k: 'https', chain: httpsFallback } });
  return out.filter((e) => e.predicate !== false);
}
