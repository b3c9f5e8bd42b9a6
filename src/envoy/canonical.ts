// Canonical output of a whole resource set: what the CLI prints and golden files hold.

import { canonicalize } from './json';
import { EnvoyResources, RESOURCE_TYPE_NAMES, ResourceKind, resourceName } from './resources';

/**
 * Every resource in canonical Envoy JSON (snake_case, defaults dropped, field-number key order),
 * each collection sorted by resource name. A resource that does not decode is kept as given: it is
 * reported by validation, and printing it unchanged is the most useful thing for debugging.
 */
export function canonicalResources(r: EnvoyResources): EnvoyResources {
  const one = <T extends object>(kind: ResourceKind, list: T[]): T[] =>
    list
      .map((res) => {
        try {
          return canonicalize(RESOURCE_TYPE_NAMES[kind], res) as T;
        } catch {
          return res;
        }
      })
      .sort((a, b) => compare(resourceName(kind, a), resourceName(kind, b)));
  return {
    listeners: one('listeners', r.listeners),
    routes: one('routes', r.routes),
    clusters: one('clusters', r.clusters),
    endpoints: one('endpoints', r.endpoints),
    secrets: one('secrets', r.secrets),
  };
}

/** Plain code-unit order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
