// Weighted UDP services. Envoy's UDP proxy routes to one cluster (udp_proxy Route has no weighted clusters),
// whereas Traefik picks a service per session by weighted round robin, then a server of it. The merged cluster
// below puts every server of every service in one EDS assignment with load_balancing_weight so that each
// service gets its share of sessions: server j of service i weighs w_i × L / n_i (L = lcm of the n_i), exact
// in expectation; rounded when the exact weights would overflow Envoy's 32-bit sum.
import type { TcpUpstream } from '../../model/model';

export interface WeightedMember {
  upstream: TcpUpstream;
  weight: number;
}

export interface MergedEndpoint {
  address: string;
  port: number;
  weight: number;
}

const MAX_SUM = 0xffffffff;

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function mergeWeighted(members: WeightedMember[]): { endpoints: MergedEndpoint[]; rounded: boolean } {
  const live = members.filter((m) => m.weight > 0 && m.upstream.endpoints.length > 0);
  let lcm = 1n;
  for (const m of live) {
    const n = BigInt(m.upstream.endpoints.length);
    lcm = (lcm * n) / gcd(lcm, n);
  }
  const total = live.reduce((s, m) => s + BigInt(m.weight), 0n) * lcm;
  const rounded = total > BigInt(MAX_SUM);
  const sumW = live.reduce((s, m) => s + m.weight, 0);
  const byAddr = new Map<string, MergedEndpoint>();
  for (const m of live) {
    const n = m.upstream.endpoints.length;
    const w = rounded
      ? Math.max(1, Math.round((m.weight / sumW) * 1_000_000 / n))
      : Number((BigInt(m.weight) * lcm) / BigInt(n));
    for (const e of m.upstream.endpoints) {
      const k = `${e.address}|${e.port}`;
      const prev = byAddr.get(k);
      // A server in two services gets both shares.
      if (prev) prev.weight += w;
      else byAddr.set(k, { address: e.address, port: e.port, weight: w });
    }
  }
  return { endpoints: [...byAddr.values()], rounded };
}
