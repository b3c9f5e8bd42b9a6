// MiddlewareTCP references of a TCP route (traefik-semantics.md §4.2, §5.5): resolution as Traefik's provider
// does it, then what Traefik's TCP middleware builder checks when it builds the router.
import { normalize } from './naming';
import { normalizeClientIP } from './rules';
import { ObjectIndex } from './object-index';
import { ReferenceError, resolveReference, unavailableProvider } from './references';
import type { ObjectReference } from './crds/types';
import type { Provenance, TcpMiddleware } from './model';
import type { ModelOptions } from './options';

/**
 * - `skip`: the provider refuses the reference: the route is not emitted (Traefik logs it).
 * - `broken`: Traefik cannot build the middleware: the router is in error and not served.
 * - `untranslatable`: Traefik would use something traefik-xds cannot see or express: the router keeps its
 *   place but its connections are closed (fail closed).
 */
export type MiddlewareOutcome =
  | { ok: TcpMiddleware[] }
  | { problem: 'skip' | 'broken' | 'untranslatable'; message: string; field: string };

export function resolveTcpMiddlewares(
  index: ObjectIndex,
  opts: ModelOptions,
  namespace: string,
  refs: ObjectReference[] | undefined,
  field: string,
  provenance: Omit<Provenance, 'field'>,
): MiddlewareOutcome {
  const out: TcpMiddleware[] = [];
  const list = refs ?? [];
  // Provider pass first: any refused reference drops the route, whatever comes next.
  const resolved: ({ namespace: string; name: string } | { provider: string; name: string })[] = [];
  for (let j = 0; j < list.length; j++) {
    const ref = list[j]!;
    const f = `${field}[${j}]`;
    try {
      const r = resolveReference(namespace, ref.namespace, ref.name, opts.provider.allowCrossNamespace);
      resolved.push(r.type === 'local' ? { namespace: r.namespace, name: r.name } : { provider: r.provider, name: r.name });
    } catch (e) {
      if (e instanceof ReferenceError) return { problem: 'skip', message: `invalid reference to middleware ${ref.name}: ${e.message}`, field: f };
      throw e;
    }
  }
  for (let j = 0; j < resolved.length; j++) {
    const r = resolved[j]!;
    const f = `${field}[${j}]`;
    if ('provider' in r) return { problem: 'untranslatable', message: unavailableProvider(r), field: f };
    const id = normalize(`${r.namespace}-${r.name}`);
    const mw = index.middlewareTCPs.get(ObjectIndex.key(r.namespace, r.name));
    if (!mw) return { problem: 'broken', message: `middleware "${id}@kubernetescrd" does not exist (no MiddlewareTCP ${r.namespace}/${r.name})`, field: f };
    const prov: Provenance = { ...provenance, field: f };
    const spec = mw.spec;
    // Traefik's builder lets the last set type win (ipAllowList over ipWhiteList over inFlightConn); the schema
    // already refuses objects with several types.
    const allow = spec.ipAllowList ?? spec.ipWhiteList;
    if (allow) {
      const ranges = allow.sourceRange ?? [];
      if (ranges.length === 0) return { problem: 'broken', message: `middleware "${id}": sourceRange is empty, IPAllowLister not created`, field: f };
      const cidrs: string[] = [];
      for (const v of ranges) {
        const c = normalizeClientIP(v);
        if (!c) return { problem: 'broken', message: `middleware "${id}": cannot parse CIDRs [${ranges.join(' ')}]: invalid IP or CIDR "${v}"`, field: f };
        if (!cidrs.includes(c)) cidrs.push(c);
      }
      out.push({ type: 'ipAllowList', name: id, cidrs, provenance: prov });
    } else if (spec.inFlightConn) {
      out.push({ type: 'inFlightConn', name: id, amount: spec.inFlightConn.amount ?? 0, provenance: prov });
    } else {
      return { problem: 'broken', message: `invalid middleware "${id}" configuration: invalid middleware type or middleware does not exist`, field: f };
    }
  }
  return { ok: out };
}
