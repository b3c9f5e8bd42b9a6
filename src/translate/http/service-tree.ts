// A route's services as Traefik balances them (traefik-semantics.md §11.1) → the branches Envoy picks among:
// nested weighted levels are flattened into one weighted_clusters list whose weights keep the exact ratios
// (the product of the shares along each path, scaled to integers), for one state of the sticky cookies
// (which WRR levels a valid cookie pins to which child). Mirrors are collected with the share of the
// requests that reach their mirroring service.
import type { MirrorChild, MirroringNode, RouterAction, ServiceNode, StickyCookie, WeightedChild, WeightedNode, WeightedTarget } from '../../model/model';
import type { Cluster, RouteConfiguration } from '../../envoy/types';
import { stickyCookieValue } from '../../model/sticky-cookies';

/**
 * The upstream of a level without any child of weight > 0 (Traefik answers 503 "no available server" when it
 * is picked): a cluster without endpoints, so that Envoy answers 503 on that branch only.
 */
export const NO_AVAILABLE_SERVER_CLUSTER = 'traefik-xds/no-available-server';

/** A non-negative rational number (exact weights: no floating-point drift in nested shares). */
export interface Ratio {
  n: bigint;
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

export function ratio(n: bigint | number, d: bigint | number = 1n): Ratio {
  const N = BigInt(n);
  const D = BigInt(d);
  const g = gcd(N, D) || 1n;
  return { n: N / g, d: D / g };
}

export function mul(a: Ratio, b: Ratio): Ratio {
  return ratio(a.n * b.n, a.d * b.d);
}

export function add(a: Ratio, b: Ratio): Ratio {
  return ratio(a.n * b.d + b.n * a.d, a.d * b.d);
}

export const ONE: Ratio = { n: 1n, d: 1n };

/** A Set-Cookie Traefik writes when a sticky WRR level picks a child without a valid cookie. */
export interface CookieToSet {
  cookie: StickyCookie;
  /** 16 hex digits of sha256(child service name). */
  value: string;
}

/** One leaf of the flattened tree: an upstream reached with `share` of the requests. */
export interface Branch {
  /** The Kubernetes target, or a target on NO_AVAILABLE_SERVER_CLUSTER for an empty weighted level. */
  target: Omit<WeightedTarget, 'weight'>;
  share: Ratio;
  /** Cookies the sticky levels on the way write (outermost first). */
  setCookies: CookieToSet[];
  /** The empty weighted level this branch stands for, if any. */
  unavailable?: WeightedNode;
}

/** A mirror reached with `share` of the route's requests (the mirroring service's share × percent). */
export interface MirrorShare {
  mirroring: MirroringNode;
  mirror: MirrorChild;
  share: Ratio;
  /** The share of the route's requests that reach the mirroring service. */
  reach: Ratio;
}

export interface Distribution {
  branches: Branch[];
  mirrors: MirrorShare[];
  /** Mirroring services reached, with their share (for the approximations that depend on it). */
  mirrorings: { node: MirroringNode; reach: Ratio }[];
  /** highestRandomWeight levels reached. */
  hrw: WeightedNode[];
}

/** Which child a valid cookie pins each sticky level to (levels absent: no valid cookie). */
export type Pins = Map<WeightedNode, WeightedChild>;

/**
 * The split of the requests of one cookie state. `unsticky` levels are balanced without their cookie
 * (stickiness the translation could not keep). The root is the route's own list of services.
 */
export function distribute(root: ServiceNode, pins: Pins, unsticky: Set<WeightedNode>): Distribution {
  const dist: Distribution = { branches: [], mirrors: [], mirrorings: [], hrw: [] };
  const walk = (node: ServiceNode, share: Ratio, cookies: CookieToSet[]): void => {
    if (node.type === 'upstream') {
      dist.branches.push({ target: node.target, share, setCookies: cookies });
      return;
    }
    if (node.type === 'mirroring') {
      walk(node.main, share, cookies);
      const at = dist.mirrorings.find((m) => m.node === node);
      if (at) at.reach = add(at.reach, share);
      else dist.mirrorings.push({ node, reach: share });
      for (const m of node.mirrors) {
        if (m.percent <= 0) continue;
        const prev = dist.mirrors.find((x) => x.mirroring === node && x.mirror === m);
        const s = mul(share, ratio(m.percent, 100));
        if (prev) {
          prev.share = add(prev.share, s);
          prev.reach = add(prev.reach, share);
        } else dist.mirrors.push({ mirroring: node, mirror: m, share: s, reach: share });
      }
      return;
    }
    if (node.kind === 'highestRandomWeight' && !dist.hrw.includes(node)) dist.hrw.push(node);
    if (node.children.length === 0) {
      dist.branches.push({ target: { cluster: NO_AVAILABLE_SERVER_CLUSTER, passHostHeader: true }, share, setCookies: cookies, unavailable: node });
      return;
    }
    const pinned = pins.get(node);
    if (pinned) {
      // A valid cookie: Traefik serves the pinned child and writes no cookie.
      walk(pinned.node, share, cookies);
      return;
    }
    const total = node.children.reduce((s, c) => s + BigInt(c.weight), 0n);
    const sticky = node.sticky && !unsticky.has(node) ? node.sticky : undefined;
    for (const c of node.children) {
      walk(c.node, mul(share, ratio(c.weight, total)), sticky ? [...cookies, { cookie: sticky, value: stickyCookieValue(c.name) }] : cookies);
    }
  };
  walk(root, ONE, []);
  return dist;
}

/** The identity of a branch for merging: same upstream, same cookies to write. */
function branchKey(b: Branch): string {
  return JSON.stringify([b.target, b.setCookies.map((c) => [c.cookie.name, c.value, c.cookie.provenance.subject.namespace, c.cookie.provenance.subject.name])]);
}

/** Branches that lead to the same upstream with the same cookies merged (shares added), in first-seen order. */
export function mergeBranches(branches: Branch[]): Branch[] {
  const out: Branch[] = [];
  const byKey = new Map<string, Branch>();
  for (const b of branches) {
    const k = branchKey(b);
    const prev = byKey.get(k);
    if (prev) prev.share = add(prev.share, b.share);
    else {
      const copy = { ...b };
      byKey.set(k, copy);
      out.push(copy);
    }
  }
  return out;
}

const UINT32_MAX = 4294967295n;

/**
 * Integer weights with exactly the ratios of `shares` (scaled by the least common multiple of the
 * denominators, then divided by their greatest common divisor). When the sum would exceed Envoy's limit
 * (2^32 − 1) the weights are rounded to a total of 10^9 (largest remainders, each at least 1): `rounded`.
 */
export function integerWeights(shares: Ratio[]): { weights: number[]; rounded: boolean } {
  let l = 1n;
  for (const s of shares) l = (l / gcd(l, s.d)) * s.d;
  let w = shares.map((s) => (s.n * l) / s.d);
  const g = w.reduce((a, b) => gcd(a, b), 0n) || 1n;
  w = w.map((x) => x / g);
  const sum = w.reduce((a, b) => a + b, 0n);
  if (sum <= UINT32_MAX) return { weights: w.map(Number), rounded: false };
  const total = 1_000_000_000n;
  const exact = w.map((x) => x * total);
  const floor = exact.map((x) => (x / sum > 0n ? x / sum : 1n));
  let left = total - floor.reduce((a, b) => a + b, 0n);
  const order = exact.map((x, i) => ({ i, r: x % sum })).sort((a, b) => (a.r > b.r ? -1 : a.r < b.r ? 1 : a.i - b.i));
  for (const { i } of order) {
    if (left <= 0n) break;
    floor[i] += 1n;
    left -= 1n;
  }
  return { weights: floor.map(Number), rounded: true };
}

/** Whether a route can reach a weighted level without children (then it needs NO_AVAILABLE_SERVER_CLUSTER). */
export function hasEmptyWeightedLevel(action: RouterAction): boolean {
  if (action.type !== 'forward') return false;
  const seen = new Set<ServiceNode>();
  const walk = (n: ServiceNode): boolean => {
    if (seen.has(n)) return false;
    seen.add(n);
    if (n.type === 'upstream') return false;
    if (n.type === 'mirroring') return walk(n.main);
    return n.children.length === 0 || n.children.some((c) => walk(c.node));
  };
  return action.targets.some((t) => t.service !== undefined && walk(t.service));
}

/** The cluster of NO_AVAILABLE_SERVER_CLUSTER: no endpoint, so Envoy answers 503 (no healthy upstream). */
export function noAvailableServerCluster(): Cluster {
  return { name: NO_AVAILABLE_SERVER_CLUSTER, type: 'STATIC', connect_timeout: '1s', load_assignment: { cluster_name: NO_AVAILABLE_SERVER_CLUSTER } };
}

/** Whether some route of these route configurations forwards to `cluster` (or mirrors to it). */
export function routesUse(routes: RouteConfiguration[], cluster: string): boolean {
  for (const rc of routes) {
    for (const vh of rc.virtual_hosts ?? []) {
      // A generic-matcher virtual host holds its routes inside the matcher tree.
      if (vh.matcher && JSON.stringify(vh.matcher).includes(JSON.stringify(cluster))) return true;
      for (const r of vh.routes ?? []) {
        const a = r.route;
        if (!a) continue;
        if (a.cluster === cluster || a.weighted_clusters?.clusters?.some((c) => c.name === cluster)) return true;
        if (a.request_mirror_policies?.some((m) => m.cluster === cluster)) return true;
      }
    }
  }
  return false;
}
