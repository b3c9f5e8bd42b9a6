// Sticky cookies as Traefik configures them (traefik-semantics.md §11.2): the cookie name (sanitized, or
// generated from the service name), the attributes with their defaults, and the value Traefik writes for a
// handler. Shared by server-level stickiness (a Kubernetes Service reference) and WRR-level stickiness
// (`weighted.sticky`).
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { normalize } from './naming';
import type { Cookie, LoadBalancerSpec } from './crds/types';
import type { Provenance, StickyCookie, UpstreamCluster, WeightedTarget } from './model';

/** The provider Traefik qualifies every CRD service name with. */
export const CRD_PROVIDER_SUFFIX = '@kubernetescrd';

/** The provider Traefik qualifies every Ingress service name with (`default-api-80@kubernetes`). */
export const INGRESS_PROVIDER_SUFFIX = '@kubernetes';

/** Traefik's sanitizeName (pkg/server/cookie): every rune outside the RFC 2616 token characters becomes `_`. */
export function sanitizeCookieName(name: string): string {
  return [...name].map((c) => (/^[A-Za-z0-9!#$%&'*+\-.^`|~]$/.test(c) ? c : '_')).join('');
}

/** Traefik's GenerateName: `_` + the first 5 hex digits of sha1("_TRAEFIK_BACKEND_" + qualified service name). */
export function defaultCookieName(qualifiedServiceName: string): string {
  return `_${createHash('sha1').update(`_TRAEFIK_BACKEND_${qualifiedServiceName}`, 'utf8').digest('hex').slice(0, 5)}`;
}

/** The value Traefik writes to pin a handler (server URL or child service name): 16 hex of its sha256. */
export function stickyCookieValue(handlerName: string): string {
  return createHash('sha256').update(handlerName, 'utf8').digest('hex').slice(0, 16);
}

/** Go's isCookieDomainName / validCookieDomain (net/http): an invalid domain is dropped from the cookie. */
export function validCookieDomain(v: string): boolean {
  if (isIP(v) === 4) return true;
  let s = v;
  if (s.length === 0 || s.length > 255) return false;
  if (s.startsWith('.')) s = s.slice(1);
  let last = '.';
  let letter = false;
  let part = 0;
  for (const c of s) {
    if (/[A-Za-z]/.test(c)) {
      letter = true;
      part++;
    } else if (/[0-9]/.test(c)) part++;
    else if (c === '-') {
      if (last === '.') return false;
      part++;
    } else if (c === '.') {
      if (last === '.' || last === '-' || part > 63 || part === 0) return false;
      part = 0;
    } else return false;
    last = c;
  }
  return last !== '-' && part <= 63 && letter;
}

/**
 * The cookie of a `sticky.cookie` block. `qualifiedServiceName` is the Traefik service the balancer belongs
 * to (`default-wrr1@kubernetescrd`, `default-whoami-80@kubernetescrd`): it names the cookie when `name` is empty.
 */
export function stickyCookieOf(cookie: Cookie, qualifiedServiceName: string, provenance: Provenance): StickyCookie {
  const sameSite = (cookie.sameSite ?? '').toLowerCase();
  let domain: string | undefined;
  let droppedDomain: string | undefined;
  if (cookie.domain) {
    if (validCookieDomain(cookie.domain)) domain = cookie.domain.replace(/^\./, '');
    else droppedDomain = cookie.domain;
  }
  const out: StickyCookie = {
    name: cookie.name ? sanitizeCookieName(cookie.name) : defaultCookieName(qualifiedServiceName),
    secure: cookie.secure ?? false,
    httpOnly: cookie.httpOnly ?? false,
    sameSite: sameSite === 'none' || sameSite === 'lax' || sameSite === 'strict' ? sameSite : undefined,
    maxAge: cookie.maxAge ?? 0,
    // Go drops control characters and ';' from a cookie path.
    path: (cookie.path ?? '/').replace(/[\x00-\x1f\x7f-\uffff;]/g, ''),
    provenance,
  };
  if (domain !== undefined) out.domain = domain;
  if (droppedDomain !== undefined) out.droppedDomain = droppedDomain;
  return out;
}

/** What makes two cookies behave differently (the cluster identity of server-level stickiness). */
export function stickyCookieKey(c: StickyCookie): string {
  return JSON.stringify([c.name, c.secure, c.httpOnly, c.sameSite ?? '', c.maxAge, c.path, c.domain ?? '']);
}

/**
 * Server-level stickiness of a Kubernetes Service reference (`sticky.cookie`): the target moves to the sticky
 * variant of its cluster (same servers, plus the cookie, which changes how Envoy treats fenced endpoints).
 * `lbName` is Traefik's name of the servers load balancer: the router's name for a route with a single
 * service, else `Normalize(namespace-service-port)` (the default); qualified with `providerSuffix`, it names the
 * cookie when `name` is empty.
 */
export function withServerSticky<T extends Omit<WeightedTarget, 'weight'>>(
  clusters: Map<string, UpstreamCluster>,
  target: T,
  ref: LoadBalancerSpec,
  parentNamespace: string,
  provenance: Provenance,
  lbName?: string,
  providerSuffix: string = CRD_PROVIDER_SUFFIX,
): T {
  const cookie = ref.sticky?.cookie;
  if (!cookie || target.service || (ref.kind ?? 'Service') !== 'Service') return target;
  const base = clusters.get(target.cluster);
  if (!base) return target;
  const service = lbName ?? normalize(`${ref.namespace || parentNamespace}-${ref.name}-${ref.port ?? ''}`);
  const sticky = stickyCookieOf(cookie, `${service}${providerSuffix}`, { ...provenance, field: `${provenance.field}.sticky.cookie` });
  const name = `${base.name}~sticky-${createHash('sha256').update(stickyCookieKey(sticky)).digest('hex').slice(0, 8)}`;
  const existing = clusters.get(name);
  if (existing) existing.provenance.push(provenance);
  else clusters.set(name, { ...base, name, provenance: [provenance], sticky });
  // The target keeps its own copy: the same settings, and where this reference configures them (diagnostics).
  return { ...target, cluster: name, sticky };
}
