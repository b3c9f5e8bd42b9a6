// Kubernetes Service → upstream cluster (traefik-semantics.md §6): port resolution, scheme detection and
// the server list (ExternalName, nativeLB, nodePortLB, EndpointSlices, Endpoints), with Traefik's errors.
import { createHash } from 'node:crypto';
import { formatDuration, parseTraefikDuration } from '../config/duration';
import { Diagnostics, type DiagnosticSubject } from './diagnostics';
import { normalize } from './naming';
import { ObjectIndex } from './object-index';
import { defaultTransport, resolveTransportRef, transportSettings, upstreamTls, type HttpTransport, type TransportSettings } from './servers-transport';
import { resolveHealthCheck, resolvePassiveHealthCheck } from './health-checks';
import type { EndpointSliceObj, LoadBalancerSpec, ServiceObj, ServicePortSpec } from './crds/types';
import type { ActiveHealthCheck, Endpoint, Provenance, Scheme, UpstreamCluster, UpstreamTls } from './model';
import type { ModelOptions } from './options';

export class ServiceError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

/**
 * Traefik §6.1 getServicePort. `warn` receives Traefik's warning when an ExternalName Service declares ports
 * and the route's port is none of them (the route's port is used).
 */
export function findServicePort(svc: ServiceObj, port: number | string | undefined, warn?: (message: string) => void): ServicePortSpec {
  if (port === undefined || port === 0 || port === '') throw new ServiceError(`ingressRoute service port not defined: ${portHint(svc)}`, 'port');
  let hasValidPort = false;
  for (const p of svc.spec.ports ?? []) {
    if (typeof port === 'number' ? p.port === port : p.name === port) return p;
    if (p.port) hasValidPort = true;
  }
  if (svc.spec.type === 'ExternalName' && typeof port === 'number') {
    if (hasValidPort) {
      warn?.(`the port ${port} from IngressRoute doesn't match with ports defined in the ExternalName service ${svc.namespace}/${svc.name} ` +
        `(${(svc.spec.ports ?? []).filter((p) => p.port).map((p) => p.port).join(', ')}): port ${port} is used, as in Traefik`);
    }
    return { port };
  }
  throw new ServiceError(`service port not found: ${svc.namespace}/${svc.name} has no port ${typeof port === 'number' ? port : `named "${port}"`}`, 'port');
}

/** What to write in `port`: Traefik never takes it from the Service, even an ExternalName one with a single port. */
function portHint(svc: ServiceObj): string {
  const ports = (svc.spec.ports ?? []).filter((p) => p.port);
  const id = `${svc.namespace}/${svc.name}`;
  if (svc.spec.type === 'ExternalName') {
    return ports.length
      ? `add port: ${ports[0]!.port} to this service reference (Traefik takes the port of an ExternalName service from the route, never from the Service ${id})`
      : `add the port of ${svc.spec.externalName ?? 'the external host'} (for example port: 443) to this service reference: ExternalName service ${id} declares none, and Traefik needs it on the route`;
  }
  if (!ports.length) return `add port to this service reference (Service ${id} declares no port)`;
  const p = ports[0]!;
  return `add port: ${p.port}${p.name ? ` (or port: ${p.name})` : ''} to this service reference (a port of Service ${id}: ${ports.map((x) => x.name ? `${x.port} (${x.name})` : `${x.port}`).join(', ')})`;
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

/**
 * Servers by slice list (slicesByService's arrays: new ones whenever a Service's slices change, never changed
 * after indexing) and Service port name: a Service is referenced by several routes, and its servers depend on
 * nothing else. The arrays are shared by the clusters that use them, which never change them.
 */
const sliceEndpoints = new WeakMap<EndpointSliceObj[], Map<string, Endpoint[]>>();

/** EndpointSlices of the Service; undefined when the Service has none at all (then Endpoints are read). */
function endpointsFromSlices(index: ObjectIndex, svc: ServiceObj, port: ServicePortSpec): Endpoint[] | undefined {
  const slices = index.slicesByService.get(ObjectIndex.key(svc.namespace, svc.name));
  if (!slices || slices.length === 0) return undefined;
  const portName = port.name ?? '';
  let byPort = sliceEndpoints.get(slices);
  if (!byPort) sliceEndpoints.set(slices, (byPort = new Map()));
  let out = byPort.get(portName);
  if (!out) byPort.set(portName, (out = readSlices(slices, portName)));
  return out;
}

function readSlices(slices: EndpointSliceObj[], portName: string): Endpoint[] {
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const slice of slices) {
    // The slice port is matched by the Service port's name; an unnamed Service port matches only unnamed slice ports.
    const sp = (slice.spec.ports ?? []).find((p) => (p.name ?? '') === portName && p.port);
    if (!sp || !sp.port) continue;
    for (const ep of slice.spec.endpoints ?? []) {
      const c = ep.conditions ?? {};
      if (c.serving === false) continue;
      // serving nil/true: ready, or terminating-but-serving (Traefik fences the latter). `ready` is not read:
      // Traefik fences on terminating alone (ready: false with serving unset is a normal server there).
      const fenced = c.terminating === true;
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

/** Where resolveUpstream reports what it accepts with a difference (warnings, approximations). */
export interface UpstreamReport {
  diags: Diagnostics;
  subject: DiagnosticSubject;
  /** Field path of the service reference, e.g. `spec.routes[0].services[1]`. */
  field: string;
}

/** §11.6 load-balancing strategy of the servers; `RoundRobin` is the deprecated name of wrr. */
export function lbStrategy(strategy: string | undefined): UpstreamCluster['strategy'] {
  if (strategy === undefined || strategy === '' || strategy === 'wrr' || strategy === 'RoundRobin') return 'wrr';
  if (strategy === 'p2c' || strategy === 'hrw' || strategy === 'leasttime') return strategy;
  throw new ServiceError(`load-balancer strategy ${strategy} is not supported`, 'strategy');
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
  report?: UpstreamReport,
): UpstreamCluster {
  if (!index.watches(namespace)) throw new ServiceError(`namespace "${namespace}" is not within watched namespaces`, 'namespace');
  const svc = index.services.get(ObjectIndex.key(namespace, ref.name));
  if (!svc) throw new ServiceError(`kubernetes service not found: ${namespace}/${ref.name}`, 'name');
  const r: UpstreamReport = report ?? { diags: new Diagnostics(), subject: provenance.subject, field: provenance.field ?? '' };
  const port = findServicePort(svc, ref.port, (msg) => r.diags.warn(r.subject, `${r.field}.port`, msg));
  const scheme = serviceScheme(ref.scheme, port);
  const servers = loadServers(index, svc, port, ref, opts);
  const strategy = lbStrategy(ref.strategy);
  if (strategy === 'hrw') {
    r.diags.warn(r.subject, `${r.field}.strategy`,
      'approximated: Envoy keeps each client IP on one server with Maglev hashing (a source-IP hash policy on the route) where Traefik uses rendezvous hashing: the same stickiness, but a client may land on another server than with Traefik');
  } else if (strategy === 'leasttime') {
    r.diags.warn(r.subject, `${r.field}.strategy`,
      'approximated: Envoy cannot rank servers by response time; it picks the server with the fewest active requests (least_request, full scan)');
  }
  checkFlushInterval(ref, r);

  // The transport (ServersTransport or default@internal), then the health checks, which depend on it.
  const tctx = { index, opts, diags: r.diags };
  const transport = resolveTransportRef(tctx, namespace, ref.serversTransport);
  const ts = transportSettings(transport, scheme, servers.dnsHost);
  let failAll = ts.failAll;
  let healthCheck: ActiveHealthCheck | undefined;
  if (ref.healthCheck && servers.dnsHost !== undefined && servers.dnsPort !== undefined) {
    const hc = resolveHealthCheck(ref.healthCheck, {
      scheme, host: servers.dnsHost, port: servers.dnsPort,
      clusterHttp2: scheme === 'h2c' || (scheme === 'https' && ts.allowHttp2),
      disableHTTP2: !ts.allowHttp2,
    }, { ...r, field: `${r.field}.healthCheck` });
    failAll ??= hc.failAll;
    healthCheck = hc.check;
    if (healthCheck?.tls && scheme !== 'https') {
      healthCheck.tlsContext = upstreamTls(transport, servers.dnsHost);
      if (healthCheck.tlsContext.verify === 'fail') {
        failAll ??= `the health check dials TLS and none of the CA certificates of serversTransport ${transport.name} could be read: every check fails, every server is down and Traefik answers 503`;
      }
    }
  }
  const passiveHealthCheck = ref.passiveHealthCheck
    ? resolvePassiveHealthCheck(ref.passiveHealthCheck, { ...r, field: `${r.field}.passiveHealthCheck` })
    : undefined;
  if (failAll) {
    const envoy = /answers 503$/.test(failAll) ? ' (so does Envoy: the cluster gets no endpoint)' : '; Envoy answers 503 (the cluster gets no endpoint)';
    r.diags.error(r.subject, r.field, `${failAll}${envoy}`);
  }

  // Cluster identity: the name plus a hash of the settings that differ from a plain reference's.
  const defaultScheme = serviceScheme(undefined, port);
  const dflt = defaultTransport(tctx);
  // Without health checks (the common case), the identity is a function of the transport: cached.
  const suffix = healthCheck || passiveHealthCheck || failAll !== ts.failAll
    ? nameSuffix(scheme, strategy, servers.discovery, defaultScheme,
      upstreamIdentity({ scheme, ...ts, healthCheck, passiveHealthCheck, failAll }), identityOf(dflt, scheme, servers.dnsHost))
    : plainNameSuffix(transport, ts, dflt, scheme, strategy, servers.discovery, defaultScheme, servers.dnsHost);
  const name = `${namespace}/${ref.name}/${port.port}${suffix}`;
  const existing = clusters.get(name);
  if (existing) {
    existing.provenance.push(provenance);
    return existing;
  }
  const { failAll: _ignored, ...transportFields } = ts;
  void _ignored;
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
    ...transportFields,
    strategy,
    ...(healthCheck ? { healthCheck } : {}),
    ...(passiveHealthCheck ? { passiveHealthCheck } : {}),
    ...(failAll ? { failAll } : {}),
  };
  clusters.set(name, cluster);
  return cluster;
}

/**
 * The name suffix of a cluster: empty for a plain reference, else `~` and a hash of its settings (scheme, strategy
 * and discovery always take part in the hash; the others only when they differ from default@internal's for the
 * same scheme and server host: what the scheme implies, TLS or not, is in the scheme).
 */
function nameSuffix(
  scheme: Scheme, strategy: UpstreamCluster['strategy'], discovery: UpstreamCluster['discovery'], defaultScheme: Scheme,
  mine: Record<string, unknown>, dflt: Record<string, unknown>,
): string {
  const differing = Object.entries(mine).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(dflt[k]));
  const settings = JSON.stringify({ scheme, strategy, discovery, ...Object.fromEntries(differing) });
  return settings === JSON.stringify({ scheme: defaultScheme, strategy: 'wrr', discovery })
    ? ''
    : `~${createHash('sha256').update(settings).digest('hex').slice(0, 8)}`;
}

function identityOf(t: HttpTransport, scheme: Scheme, host: string | undefined): Record<string, unknown> {
  return upstreamIdentity({ scheme, ...transportSettings(t, scheme, host) });
}

/**
 * Name suffixes of clusters without health checks, by transport (transports are resolved once per build, and
 * never change) and then by what else the suffix depends on: every reference to a Service port asks again, and
 * the identity costs JSON and a hash.
 */
const plainSuffixes = new WeakMap<HttpTransport, Map<string, { dflt: HttpTransport; suffix: string }>>();

function plainNameSuffix(
  transport: HttpTransport, ts: TransportSettings, dflt: HttpTransport, scheme: Scheme, strategy: UpstreamCluster['strategy'],
  discovery: UpstreamCluster['discovery'], defaultScheme: Scheme, host: string | undefined,
): string {
  let byKey = plainSuffixes.get(transport);
  if (!byKey) plainSuffixes.set(transport, (byKey = new Map()));
  // The host last: the other parts are keywords.
  const key = `${scheme} ${defaultScheme} ${strategy} ${discovery} ${host === undefined ? '-' : `=${host}`}`;
  const hit = byKey.get(key);
  if (hit && hit.dflt === dflt) return hit.suffix;
  const suffix = nameSuffix(scheme, strategy, discovery, defaultScheme, upstreamIdentity({ scheme, ...ts }), identityOf(dflt, scheme, host));
  byKey.set(key, { dflt, suffix });
  return suffix;
}

/** The transport and health settings that shape an upstream's Envoy cluster (secrets by SDS name, never by content). */
function upstreamIdentity(u: {
  scheme: Scheme; tls?: UpstreamTls; allowHttp2: boolean;
  connectTimeoutMs: number; idleTimeoutMs: number; responseHeaderTimeoutMs: number;
  http2Keepalive?: unknown; singleRequestConnections: boolean;
  healthCheck?: ActiveHealthCheck; passiveHealthCheck?: unknown; failAll?: string;
}): Record<string, unknown> {
  const tlsId = (t: UpstreamTls | undefined) => t && { ...t, ca: t.ca?.name, clientCertificate: t.clientCertificate?.name };
  return {
    connect: u.connectTimeoutMs, idle: u.idleTimeoutMs, responseHeader: u.responseHeaderTimeoutMs,
    keepalive: u.http2Keepalive, single: u.singleRequestConnections,
    // HTTP/2 over TLS is negotiated for https only.
    h2: u.scheme === 'https' ? u.allowHttp2 : undefined,
    tls: tlsId(u.tls),
    hc: u.healthCheck && { ...u.healthCheck, tlsContext: tlsId(u.healthCheck.tlsContext) },
    passive: u.passiveHealthCheck,
    failAll: u.failAll !== undefined ? true : undefined,
  };
}

/** responseForwarding.flushInterval: Traefik refuses an unparsable one (the service is not built). */
function checkFlushInterval(ref: LoadBalancerSpec, r: UpstreamReport): void {
  const v = ref.responseForwarding?.flushInterval;
  if (v === undefined || v === '') return;
  const ms = parseTraefikDuration(v);
  if (typeof ms !== 'number') throw new ServiceError(`unable to parse flushInterval: ${ms.error}`, 'responseForwarding.flushInterval');
  if (ms < 0) return; // flush after every write: what Envoy does
  const bare = /^[+-]?[0-9]+$/.test(v) ? ` (a bare number is seconds: ${JSON.stringify(v)} is ${formatDuration(ms)}, not ${v} ms)` : '';
  r.diags.warn(r.subject, `${r.field}.responseForwarding.flushInterval`,
    `approximated: Envoy forwards response data as soon as it arrives (as flushInterval: -1), where Traefik flushes every ${formatDuration(ms)}${bare}`);
}
