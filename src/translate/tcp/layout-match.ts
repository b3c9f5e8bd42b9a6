// Layout 1: classic FilterChainMatch chains, built from Traefik's dispatch class by class, in the order Envoy
// narrows them: SNI (exact names, `*.x` wildcards, none), then transport protocol, then ALPN, then the client
// address (longest prefix). At each level the layout is complete (every class gets the chains it needs), so
// Envoy's "most specific wins, no backtracking" cannot send a connection to a less specific chain. A class
// that behaves like the one Envoy would fall back to gets no chain of its own.
import { outcomeKey, traefikDispatch, type Conn, type Dispatch, type Outcome } from './dispatch';
import { OTHER_SNI, wildcardRep, type Keys } from './regions';
import type { IpRegion } from './ip';

/** Chains of one (SNI, transport, ALPN) class: one per outcome, by client address. */
export interface IpLeaf {
  outcome: Outcome;
  /** Source CIDRs; empty = any address (the class's default). */
  ranges: string[];
}

export interface MatchItem {
  serverNames: string[];
  transport?: 'tls' | 'raw_buffer';
  alpn: string[];
  ranges: string[];
  outcome: Outcome;
}

function ipLevel(regions: IpRegion[], f: (ip: string) => Outcome): IpLeaf[] {
  const outside = regions.find((r) => !r.cidr)!;
  const outsideOutcome = outside.reps.length ? f(outside.reps[0]!) : undefined;
  const effective = new Map<string, Outcome | undefined>();
  const emitted: { cidr: string; outcome: Outcome }[] = [];
  // Regions are sorted from the largest CIDR, so parents come first.
  for (const r of regions) {
    if (!r.cidr) continue;
    const inherited = r.parent ? effective.get(r.parent.text) : outsideOutcome;
    const own = r.reps.length ? f(r.reps[0]!) : inherited;
    effective.set(r.cidr.text, own);
    if (own && (!inherited || outcomeKey(own) !== outcomeKey(inherited))) emitted.push({ cidr: r.cidr.text, outcome: own });
  }
  const leaves: IpLeaf[] = [];
  if (outsideOutcome) leaves.push({ outcome: outsideOutcome, ranges: [] });
  const byOutcome = new Map<string, IpLeaf>();
  for (const e of emitted) {
    const k = outcomeKey(e.outcome);
    let leaf = byOutcome.get(k);
    if (!leaf) {
      leaf = { outcome: e.outcome, ranges: [] };
      byOutcome.set(k, leaf);
      leaves.push(leaf);
    }
    leaf.ranges.push(e.cidr);
  }
  return leaves;
}

const sig = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'outcome' ? outcomeKey(v as Outcome) : v));

interface AlpnGroup {
  protocols: string[];
  leaves: IpLeaf[];
}

function alpnLevel(k: Keys, f: (alpn: string[], ip: string) => Outcome): AlpnGroup[] {
  const none = ipLevel(k.regions, (ip) => f([], ip));
  const groups: AlpnGroup[] = [{ protocols: [], leaves: none }];
  const bySig = new Map<string, AlpnGroup>();
  for (const p of k.alpn) {
    const leaves = ipLevel(k.regions, (ip) => f([p], ip));
    const s = sig(leaves);
    if (s === sig(none)) continue;
    let g = bySig.get(s);
    if (!g) {
      g = { protocols: [], leaves };
      bySig.set(s, g);
      groups.push(g);
    }
    g.protocols.push(p);
  }
  return groups;
}

/** The longest wildcard of `kept` that Envoy would use for names under `name` (a host or a `*.x` wildcard). */
function envoyFallback(name: string, kept: string[]): string | undefined {
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.');
  for (let i = 1; i < labels.length; i++) {
    const w = `*.${labels.slice(i).join('.')}`;
    if (w !== name && kept.includes(w)) return w;
  }
  return undefined;
}

/** The classic layout's chain items for an entry point. */
export function matchItems(d: Dispatch, k: Keys, inspector: boolean): MatchItem[] {
  const items: MatchItem[] = [];
  const raw = ipLevel(k.regions, (ip) => traefikDispatch(d, { tls: false, sni: '', alpn: [], ip }).outcome);
  for (const leaf of raw) items.push({ serverNames: [], transport: inspector ? 'raw_buffer' : undefined, alpn: [], ranges: leaf.ranges, outcome: leaf.outcome });
  if (!inspector) return items;

  const tlsTree = (sni: string) => alpnLevel(k, (alpn, ip) => traefikDispatch(d, { tls: true, sni, alpn, ip } as Conn).outcome);
  const noneTree = tlsTree(OTHER_SNI);
  const trees = new Map<string | undefined, AlpnGroup[]>([[undefined, noneTree]]);
  const kept: string[] = [];
  // General names first, so that each name is compared with what Envoy would otherwise use for it.
  const wild = [...k.sniWildcards].sort((a, b) => a.split('.').length - b.split('.').length || (a < b ? -1 : 1));
  for (const w of [...wild, ...k.sniExact]) {
    const tree = tlsTree(w.startsWith('*.') ? wildcardRep(w) : w);
    const fb = envoyFallback(w, kept);
    if (sig(tree) === sig(trees.get(fb))) continue;
    kept.push(w);
    trees.set(w, tree);
  }
  const tlsItems: MatchItem[] = [];
  for (const [name, groups] of trees) {
    for (const g of groups) {
      for (const leaf of g.leaves) {
        const item: MatchItem = { serverNames: name ? [name] : [], transport: 'tls', alpn: g.protocols, ranges: leaf.ranges, outcome: leaf.outcome };
        // Names whose chains are the same share them (server_names lists).
        const twin = name && tlsItems.find((x) => x.serverNames.length > 0 && sig([x.alpn, x.ranges, x.outcome]) === sig([item.alpn, item.ranges, item.outcome]));
        if (twin) twin.serverNames.push(name);
        else tlsItems.push(item);
      }
    }
  }
  return [...items, ...tlsItems];
}
