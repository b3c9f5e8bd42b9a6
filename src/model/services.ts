// Kubernetes Service → upstream cluster (traefik-semantics.md §6): port resolution, scheme detection and
// the server list (ExternalName, nativeLB, nodePortLB, EndpointSlices, Endpoints), with Traefik's errors.
import { createHash } from 'node:crypto';
import { normalize } from './naming';
import { ObjectIndex } from './object-index';
import type { LoadBalancerSpec, ServiceObj, ServicePortSpec } from './crds/types';
import type { Endpoint, Provenance, Scheme, UpstreamCluster } from './model';
import type { ModelOptions } from './options';

export class ServiceError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

/** Traefik §6.1 getServicePort. */
export function findServicePort(svc: ServiceObj, port: number | string | undefined): ServicePortSpec {
  if (port === undefined || port === 0 || port === '') throw new ServiceError('ingressRoute service port not defined', 'port');
  for (const p of svc.spec.ports ?? []) {
    if (typeof port === 'number' ? p.port === port : p.name === port) return p;
  }
  if (svc.spec.type === 'ExternalName' && typeof port === 'number') return { port };
  throw new ServiceError(`service port not found: ${svc.namespace}/${svc.name} has no port ${typeof port === 'number' ? port : `named "${port}"`}`, 'port');
}

/** Traefik §6.2 parseServiceProtocol. */
export function serviceScheme(explicit: string | undefined, port: ServicePortSpec): Scheme {
  if (explicit) {
    if (explicit === 'http' || explicit === 'https' || explicit === 'h2c') return explicit;
    throw new ServiceError(`invalid scheme "${explicit}": must be http, https or h2c`, 'scheme');
  }
  if (port.port === 443 || (port.name ?? '').startsWith('https')) return 'https';
  return 'http';
}

function bracket(addr: string): string {
  return addr.includes(':') ? `[${addr}]` : addr;
}

function endpointOf(address: string, port: number, fenced: boolean): Endpoint {
  return { address, port, fenced, hostname: `${bracket(address)}:${port}` };
}

/** Traefik §6.3 loadServers for HTTP: the ordered, de-duplicated server list. */
export function loadServers(
  index: ObjectIndex,
  svc: ServiceObj,
  port: ServicePortSpec,
  ref: LoadBalancerSpec,
  opts: ModelOptions,
): { discovery: 'eds' | 'dns'; origin: UpstreamCluster['origin']; endpoints: Endpoint[]; dnsHost?: string; dnsPort?: number } {
  const id = `${svc.namespace}/${svc.name}`;
  if (ref.healthCheck && svc.spec.type !== 'ExternalName') {
    throw new ServiceError(`healthCheck is only allowed on ExternalName services, and ${id} is of type ${svc.spec.type ?? 'ClusterIP'}`, 'healthCheck');
  }
  if (svc.spec.type === 'ExternalName') {
    if (!opts.provider.allowExternalNameServices) {
      throw new ServiceError(`${id} is an ExternalName service, which is not allowed (set allowExternalNameServices to allow it)`);
    }
    if (!svc.spec.externalName) throw new ServiceError(`ExternalName service ${id} has no spec.externalName`);
    return { discovery: 'dns', origin: 'externalName', endpoints: [], dnsHost: svc.spec.externalName, dnsPort: port.port };
  }
  const nativeLB = ref.nativeLB ?? opts.provider.nativeLBByDefault;
  if (nativeLB) {
    const ip = svc.spec.clusterIP;
    if (!ip || ip === 'None') throw new ServiceError(`nativeLB needs a ClusterIP, and ${id} is ${ip === 'None' ? 'headless' : 'without one'}`, 'nativeLB');
    return { discovery: 'eds', origin: 'clusterIP', endpoints: [endpointOf(ip, port.port, false)] };
  }
  if (ref.nodePortLB && svc.spec.type === 'NodePort') {
    if (opts.provider.disableClusterScopeResources) throw new ServiceError('nodePortLB needs Node objects, and nodes lookup is disabled (disableClusterScopeResources)', 'nodePortLB');
    if (!port.nodePort) throw new ServiceError(`service port ${port.port} of ${id} has no nodePort`, 'nodePortLB');
    const eps: Endpoint[] = [];
    for (const node of ObjectIndex.sorted(index.nodes)) {
      for (const a of node.spec.status?.addresses ?? []) {
        if (a.type === 'InternalIP' && a.address) eps.push(endpointOf(a.address, port.nodePort, false));
      }
    }
    if (eps.length === 0) throw new ServiceError(`nodePortLB: no Node with an InternalIP address was found for ${id}`, 'nodePortLB');
    return { discovery: 'eds', origin: 'nodePort', endpoints: eps };
  }
  const endpoints = serviceEndpoints(index, svc, port);
  if (endpoints.length === 0 && !opts.provider.allowEmptyServices) {
    throw new ServiceError(`no servers found for ${id} (no ready endpoint; set allowEmptyServices to serve 503 instead)`);
  }
  return { discovery: 'eds', origin: 'endpoints', endpoints };
}

/** The HTTP servers of a Service port from its EndpointSlices, or its Endpoints object when it has no slice. */
export function serviceEndpoints(index: ObjectIndex, svc: ServiceObj, port: ServicePortSpec): Endpoint[] {
  return endpointsFromSlices(index, svc, port) ?? endpointsFromEndpoints(index, svc, port);
}

/** EndpointSlices of the Service; undefined when the Service has none at all (then Endpoints are read). */
function endpointsFromSlices(index: ObjectIndex, svc: ServiceObj, port: ServicePortSpec): Endpoint[] | undefined {
  const slices = index.slicesByService.get(ObjectIndex.key(svc.namespace, svc.name));
  if (!slices || slices.length === 0) return undefined;
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const slice of slices) {
    // The slice port is matched by the Service port's name; an unnamed Service port matches only unnamed slice ports.
    const sp = (slice.spec.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '') && p.port);
    if (!sp || !sp.port) continue;
    for (const ep of slice.spec.endpoints ?? []) {
      const c = ep.conditions ?? {};
      if (c.serving === false) continue;
      // serving nil/true: ready, or terminating-but-serving (Traefik fences the latter).
      const fenced = c.terminating === true || c.ready === false;
      for (const addr of ep.addresses ?? []) {
        if (seen.has(addr)) continue;
        seen.add(addr);
        out.push(endpointOf(addr, sp.port, fenced));
      }
    }
  }
  return out;
}

function endpointsFromEndpoints(index: ObjectIndex, svc: ServiceObj, port: ServicePortSpec): Endpoint[] {
  const eps = index.endpoints.get(ObjectIndex.key(svc.namespace, svc.name));
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  for (const subset of eps?.spec.subsets ?? []) {
    const p = (subset.ports ?? []).find((x) => (x.name ?? '') === (port.name ?? ''));
    if (!p) continue;
    for (const a of subset.addresses ?? []) {
      if (seen.has(a.ip)) continue;
      seen.add(a.ip);
      out.push(endpointOf(a.ip, p.port, false));
    }
  }
  return out;
}

/**
 * Builds (or reuses) the upstream cluster of a Kubernetes Service reference. Throws ServiceError with the
 * message Traefik would log. `namespace` is the already-defaulted namespace of the Service.
 */
export function resolveUpstream(
  index: ObjectIndex,
  ref: LoadBalancerSpec,
  namespace: string,
  opts: ModelOptions,
  provenance: Provenance,
  clusters: Map<string, UpstreamCluster>,
): UpstreamCluster {
  if (!index.watches(namespace)) throw new ServiceError(`namespace "${namespace}" is not within watched namespaces`, 'namespace');
  const svc = index.services.get(ObjectIndex.key(namespace, ref.name));
  if (!svc) throw new ServiceError(`kubernetes service not found: ${namespace}/${ref.name}`, 'name');
  const port = findServicePort(svc, ref.port);
  const scheme = serviceScheme(ref.scheme, port);
  const servers = loadServers(index, svc, port, ref, opts);
  const strategy = ref.strategy === 'p2c' ? 'p2c' : 'wrr';
  const t = opts.defaultTransport;
  const settings = { scheme, strategy, discovery: servers.discovery };
  const defaults = { scheme: serviceScheme(undefined, port), strategy: 'wrr', discovery: servers.discovery };
  const base = `${namespace}/${ref.name}/${port.port}`;
  const name = JSON.stringify(settings) === JSON.stringify(defaults)
    ? base
    : `${base}~${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 8)}`;
  const existing = clusters.get(name);
  if (existing) {
    existing.provenance.push(provenance);
    return existing;
  }
  const cluster: UpstreamCluster = {
    name,
    traefikName: normalize(`${namespace}-${ref.name}-${ref.port}`),
    provenance: [provenance],
    service: { namespace, name: ref.name, port: port.port },
    discovery: servers.discovery,
    origin: servers.origin,
    scheme,
    endpoints: servers.endpoints,
    dnsHost: servers.dnsHost,
    dnsPort: servers.dnsPort,
    connectTimeoutMs: t.dialTimeoutMs,
    idleTimeoutMs: t.idleConnTimeoutMs,
    verifyTls: !t.insecureSkipVerify,
    rootCAs: t.rootCAs,
    allowHttp2: true,
    strategy,
  };
  clusters.set(name, cluster);
  return cluster;
}
