// The `status.loadBalancer.ingress` each processed Ingress should carry when `providers.kubernetesIngress.
// ingressEndpoint` is set (traefik-ingress.md §1.10). Desired state only: the Kubernetes source writes it
// (sources/ingress-status.ts). Traefik computes it for every processed Ingress before any other check, so an
// Ingress that yields no router gets it too; a problem is a warning on the Ingress and leaves routing alone.
import { ObjectIndex, subjectOf } from './object-index';
import { processedIngresses } from './ingress-class';
import type { Diagnostics } from './diagnostics';
import type { KubernetesIngressProvider } from '../config/types';
import type { ServiceObj } from './crds/types';

/** One `status.loadBalancer.ingress[]` entry (networking.k8s.io/v1 IngressLoadBalancerIngress). */
export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: { port: number; protocol: string; error?: string }[];
}

/** The status one Ingress should have. */
export interface IngressStatusTarget {
  namespace: string;
  name: string;
  /** The Ingress's uid when it has one (objects from the API): the writer checks it is still that object. */
  uid?: string;
  ingress: LoadBalancerIngress[];
}

const FIELD = 'status.loadBalancer';

/** What `ingressEndpoint` resolves to: the same for every Ingress of a build. */
type Outcome = { ingress: LoadBalancerIngress[] } | { skip: string } | { problem: string };

/**
 * The desired status of every processed Ingress; undefined when `ingressEndpoint` is not configured. An
 * Ingress whose status cannot be computed is left out, with a warning (or, when Traefik merely skips the
 * update, nothing).
 */
export function buildIngressStatus(index: ObjectIndex, io: KubernetesIngressProvider | undefined, diags: Diagnostics): IngressStatusTarget[] | undefined {
  const ep = io?.ingressEndpoint;
  if (!io || !ep) return undefined;
  const outcome = resolveEndpoint(index, io);
  const out: IngressStatusTarget[] = [];
  for (const ing of processedIngresses(io, index)) {
    if ('problem' in outcome) {
      diags.warn(subjectOf(ing), FIELD, `status not updated: ${outcome.problem} (providers.kubernetesIngress.ingressEndpoint); routing is not affected`);
      continue;
    }
    if ('skip' in outcome) continue; // said once below
    const uid = typeof ing.raw.metadata.uid === 'string' && ing.raw.metadata.uid ? ing.raw.metadata.uid : undefined;
    out.push({ namespace: ing.namespace, name: ing.name, ...(uid ? { uid } : {}), ingress: outcome.ingress });
  }
  if ('skip' in outcome) diags.info({ kind: 'StaticConfig' }, 'providers.kubernetesIngress.ingressEndpoint.publishedService', `Ingress status not updated: ${outcome.skip}, as in Traefik`);
  return out;
}

/** §1.10: `ip`/`hostname`, or the published Service by type. */
function resolveEndpoint(index: ObjectIndex, io: KubernetesIngressProvider): Outcome {
  const ep = io.ingressEndpoint!;
  if (!ep.publishedService) {
    if (!ep.ip && !ep.hostname) return { problem: 'publishedService or ip or hostname must be defined' };
    return { ingress: [{ ...(ep.ip ? { ip: ep.ip } : {}), ...(ep.hostname ? { hostname: ep.hostname } : {}) }] };
  }
  const parts = ep.publishedService.split('/');
  if (parts.length !== 2) {
    return { problem: `invalid publishedService format (expected 'namespace/service' format): ${ep.publishedService}` };
  }
  const [namespace, name] = parts;
  if (io.namespaces.length ? !io.namespaces.includes(namespace) : !index.watches(namespace)) {
    return { problem: `publishedService ${ep.publishedService}: namespace "${namespace}" is not within watched namespaces` };
  }
  const svc = index.services.get(ObjectIndex.key(namespace, name));
  if (!svc) return { problem: `missing service: ${ep.publishedService}` };
  return fromService(index, io, svc, ep.publishedService);
}

function fromService(index: ObjectIndex, io: KubernetesIngressProvider, svc: ServiceObj, id: string): Outcome {
  const spec = svc.spec as ServiceObj['spec'] & { externalIPs?: unknown };
  const type = spec.type || 'ClusterIP';
  const ports = (pick: (p: { port: number; nodePort?: number }) => number | undefined) =>
    (spec.ports ?? []).map((p) => ({ port: pick(p), protocol: p.protocol || 'TCP' }))
      .filter((p): p is { port: number; protocol: string } => typeof p.port === 'number' && p.port > 0);
  switch (type) {
    case 'LoadBalancer': {
      const status = (svc.raw.body.status as { loadBalancer?: { ingress?: unknown } } | undefined)?.loadBalancer?.ingress;
      if (!Array.isArray(status) || status.length === 0) return { skip: `service ${id} has no load balancer status yet` };
      return { ingress: status.map(copyLoadBalancerIngress) };
    }
    case 'ClusterIP': {
      const ips = Array.isArray(spec.externalIPs) ? spec.externalIPs.filter((x): x is string => typeof x === 'string' && x !== '') : [];
      const p = ports((x) => x.port);
      return { ingress: ips.map((ip) => ({ ip, ...(p.length ? { ports: p } : {}) })) };
    }
    case 'NodePort': {
      if (io.disableClusterScopeResources) {
        return { problem: `publishedService ${id} is a NodePort Service, which needs Node objects, and nodes lookup is disabled (disableClusterScopeResources)` };
      }
      const p = ports((x) => x.nodePort);
      const out: LoadBalancerIngress[] = [];
      for (const node of ObjectIndex.sorted(index.nodes)) {
        for (const a of node.spec.status?.addresses ?? []) {
          if (a.type === 'ExternalIP' && a.address) out.push({ ip: a.address, ...(p.length ? { ports: p } : {}) });
        }
      }
      return { ingress: out };
    }
    case 'ExternalName':
      return { ingress: spec.externalName ? [{ hostname: spec.externalName }] : [] };
    default:
      return { problem: `publishedService ${id}: unsupported service type "${type}"` };
  }
}

/** A Service's LoadBalancerIngress as an Ingress one: ip, hostname and ports (ipMode has no Ingress equivalent). */
function copyLoadBalancerIngress(x: unknown): LoadBalancerIngress {
  const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
  const out: LoadBalancerIngress = {};
  if (typeof o.ip === 'string' && o.ip) out.ip = o.ip;
  if (typeof o.hostname === 'string' && o.hostname) out.hostname = o.hostname;
  if (Array.isArray(o.ports)) {
    out.ports = o.ports.filter((p) => p && typeof p === 'object' && typeof (p as { port?: unknown }).port === 'number').map((p) => {
      const q = p as { port: number; protocol?: unknown; error?: unknown };
      return { port: q.port, protocol: typeof q.protocol === 'string' && q.protocol ? q.protocol : 'TCP', ...(typeof q.error === 'string' && q.error ? { error: q.error } : {}) };
    });
  }
  return out;
}

/** `hostname|ip` of each entry, as a sorted set: the comparison Traefik makes before writing (ports not compared). */
export function statusAddressKey(list: readonly LoadBalancerIngress[] | undefined): string {
  return [...new Set((list ?? []).map((x) => `${x.hostname ?? ''}|${x.ip ?? ''}`))].sort().join(',');
}
