// Traefik's naming algorithms (traefik-semantics.md §3), reproduced so diagnostics and Envoy names match
// what Traefik users see in their dashboard.
import { createHash } from 'node:crypto';

const normalized = new Map<string, string>();

/**
 * Traefik's Normalize: split on every rune that is not a Unicode letter or digit, drop empties, join with '-'.
 * Memoized: every rebuild asks again for every router, service and middleware name (a Unicode regex split each).
 */
export function normalize(s: string): string {
  let out = normalized.get(s);
  if (out === undefined) {
    out = s.split(/[^\p{L}\p{N}]+/u).filter(Boolean).join('-');
    if (normalized.size >= 200_000) normalized.clear();
    normalized.set(s, out);
  }
  return out;
}

/** makeID(ns, name): name alone when ns is empty, else ns-name (not normalized by itself). */
export function makeID(namespace: string, name: string): string {
  return namespace ? `${namespace}-${name}` : name;
}

const routerNames = new Map<string, string>();

/** The HTTP router name: Normalize(ns-ingName-hex(sha256(match))[0:20]). Memoized: every rebuild asks again. */
export function httpRouterName(namespace: string, ingressRouteName: string, match: string): string {
  const key = `${namespace}\0${ingressRouteName}\0${match}`;
  let name = routerNames.get(key);
  if (name === undefined) {
    const h = createHash('sha256').update(match, 'utf8').digest('hex').slice(0, 20);
    name = normalize(makeID(namespace, `${ingressRouteName}-${h}`));
    if (routerNames.size >= 200_000) routerNames.clear();
    routerNames.set(key, name);
  }
  return name;
}

/** The TCP router (and service) name: makeID(ns, ingName-hex(sha256(match))[0:20]), NOT normalized. */
export function tcpRouterName(namespace: string, ingressRouteName: string, match: string): string {
  const h = createHash('sha256').update(match, 'utf8').digest('hex').slice(0, 20);
  return makeID(namespace, `${ingressRouteName}-${h}`);
}
