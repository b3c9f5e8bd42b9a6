// Reference resolution (traefik-semantics.md §4): namespace defaulting, cross-namespace and cross-provider rules.

export type ResolvedRef =
  | { type: 'local'; namespace: string; name: string }
  | { type: 'provider'; provider: string; name: string };

export class ReferenceError extends Error {}

/** Providers whose objects traefik-xds can see: only the CRD provider (and its `@kubernetescrd` spelling). */
const CRD_PROVIDER = 'kubernetescrd';

/**
 * Traefik's resolveReference(parentNs, ns, name) for middlewares, chain members and TLS options.
 * `name@kubernetescrd` resolves locally when cross-namespace references are allowed (its namespace is then
 * taken from the name's `ns-name` form only by Traefik's normalisation, which we cannot invert, so we
 * treat it as the parent's namespace); any other provider is refused: traefik-xds has no such provider.
 */
export function resolveReference(parentNs: string, ns: string | undefined, name: string, allowCrossNamespace: boolean): ResolvedRef {
  const at = name.indexOf('@');
  if (at >= 0) {
    const provider = name.slice(at + 1);
    const bare = name.slice(0, at);
    if (provider === CRD_PROVIDER) {
      if (!allowCrossNamespace) {
        throw new ReferenceError(`"${name}": the @kubernetescrd form is a cross-namespace reference, which is not allowed (allowCrossNamespace is false)`);
      }
      return { type: 'provider', provider, name: bare };
    }
    return { type: 'provider', provider, name: bare };
  }
  const namespace = ns || parentNs;
  if (namespace !== parentNs && !allowCrossNamespace) {
    throw new ReferenceError(`cross-namespace reference to ${namespace}/${name} from namespace ${parentNs} is not allowed (allowCrossNamespace is false)`);
  }
  return { type: 'local', namespace, name };
}

/** The error for a reference to a provider traefik-xds does not have. */
export function unavailableProvider(ref: { provider: string; name: string }): string {
  if (ref.provider === 'internal') return `"${ref.name}@internal" is a Traefik-internal object that has no Envoy counterpart in traefik-xds`;
  if (ref.provider === CRD_PROVIDER) {
    return `"${ref.name}@kubernetescrd" names an object by Traefik's generated id; write the object's name and namespace instead`;
  }
  return `provider "${ref.provider}" is not available in traefik-xds (only Kubernetes CRDs are read)`;
}
