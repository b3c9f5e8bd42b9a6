// Kubernetes Service → TCP/UDP upstream (traefik-semantics.md §6, "TCP/UDP differ"): Traefik's
// loadTCPServers/loadUDPServers order (ExternalName allowance, port, nodePortLB, ExternalName, nativeLB,
// EndpointSlices with ready == true only, no fencing), and for TCP the transport settings (TLS to the
// servers, PROXY protocol, ServersTransportTCP) that make an Envoy cluster distinct.
import { createHash } from 'node:crypto';
import { ObjectIndex } from './object-index';
import { findServicePort, ServiceError } from './services';
import { ProviderRefError, resolveTransportRef, TransportError, type ResolvedTransport, type TransportContext } from './tcp-transports';
import type { ServiceObj, ServicePortSpec, ServiceTCP, ServiceUDP } from './crds/types';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { Endpoint, Provenance, TcpUpstream, TcpUpstreamTls } from './model';

/**
 * A service problem. `runtime` ones are found by Traefik when it builds the service (the whole router then
 * fails, even inside a weighted round robin); the others by the provider (that service alone is skipped).
 */
export class TcpServiceError extends ServiceError {
  constructor(message: string, field: string | undefined, readonly runtime = false) {
    super(message, field);
  }
}

function bracket(addr: string): string {
  return addr.includes(':') ? `[${addr}]` : addr;
}

function endpointOf(address: string, port: number): Endpoint {
  return { address, port, fenced: false, hostname: `${bracket(address)}:${port}` };
}

type EndpointSource = 'endpoints' | 'nativeLB' | 'nodePortLB' | 'externalName';

interface Servers {
  source: EndpointSource;
  discovery: 'eds' | 'dns';
  endpoints: Endpoint[];
  dnsHost?: string;
  dnsPort?: number;
}

/** loadTCPServers / loadUDPServers (identical for both protocols, the `tls` flag aside). */
function loadServers(ctx: TransportContext, namespace: string, ref: ServiceTCP | ServiceUDP): { servers: Servers; port: ServicePortSpec; svc: ServiceObj } {
  const { index, opts } = ctx;
  if (!index.watches(namespace)) throw new TcpServiceError(`namespace "${namespace}" is not within watched namespaces`, 'namespace');
  const svc = index.services.get(ObjectIndex.key(namespace, ref.name));
  if (!svc) throw new TcpServiceError(`kubernetes service not found: ${namespace}/${ref.name}`, 'name');
  const id = `${namespace}/${ref.name}`;
  if (svc.spec.type === 'ExternalName' && !opts.provider.allowExternalNameServices) {
    throw new TcpServiceError(`externalName services not allowed: ${id} (set allowExternalNameServices to allow it)`, 'name');
  }
  let port: ServicePortSpec;
  try {
    port = findServicePort(svc, ref.port);
  } catch (e) {
    if (e instanceof ServiceError) throw new TcpServiceError(e.message, e.field);
    throw e;
  }
  if (svc.spec.type === 'NodePort' && ref.nodePortLB) {
    if (opts.provider.disableClusterScopeResources) throw new TcpServiceError('nodes lookup is disabled (disableClusterScopeResources)', 'nodePortLB');
    const nodes = ObjectIndex.sorted(index.nodes);
    if (nodes.length === 0) throw new TcpServiceError(`nodes not found for NodePort service ${id}`, 'nodePortLB');
    if (!port.nodePort) throw new TcpServiceError(`service port ${port.port} of ${id} has no nodePort`, 'nodePortLB');
    const eps: Endpoint[] = [];
    for (const node of nodes) {
      for (const a of node.spec.status?.addresses ?? []) if (a.type === 'InternalIP' && a.address) eps.push(endpointOf(a.address, port.nodePort));
    }
    if (eps.length === 0) throw new TcpServiceError(`no servers were generated for service ${id} (no Node InternalIP address)`, 'nodePortLB');
    return { servers: { source: 'nodePortLB', discovery: 'eds', endpoints: eps }, port, svc };
  }
  if (svc.spec.type === 'ExternalName') {
    if (!svc.spec.externalName) throw new TcpServiceError(`ExternalName service ${id} has no spec.externalName`, 'name');
    return { servers: { source: 'externalName', discovery: 'dns', endpoints: [], dnsHost: svc.spec.externalName, dnsPort: port.port }, port, svc };
  }
  const nativeLB = ref.nativeLB ?? opts.provider.nativeLBByDefault;
  if (nativeLB) {
    const ip = svc.spec.clusterIP;
    if (ip === 'None') throw new TcpServiceError(`getting native Kubernetes Service address: no clusterIP on headless service: ${id}`, 'nativeLB');
    if (!ip) throw new TcpServiceError(`getting native Kubernetes Service address: no clusterIP found for service: ${id}`, 'nativeLB');
    return { servers: { source: 'nativeLB', discovery: 'eds', endpoints: [endpointOf(ip, port.port)] }, port, svc };
  }
  const endpoints = readyEndpoints(index, svc, port);
  if (endpoints.length === 0 && !opts.provider.allowEmptyServices) {
    throw new TcpServiceError(`no servers found for ${id} (no ready endpoint; set allowEmptyServices to accept it, connections are then closed)`, undefined);
  }
  return { servers: { source: 'endpoints', discovery: 'eds', endpoints }, port, svc };
}

/**
 * TCP/UDP endpoints: EndpointSlice ports are matched by name (a slice port without a name never matches,
 * `name: ""` matches an unnamed Service port), endpoints kept only when `conditions.ready` is true (unset is
 * not ready), addresses de-duplicated across slices. Without any slice, the Endpoints object's ready addresses.
 */
function readyEndpoints(index: ObjectIndex, svc: ServiceObj, port: ServicePortSpec): Endpoint[] {
  const slices = index.slicesByService.get(ObjectIndex.key(svc.namespace, svc.name));
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  const add = (addr: string, p: number) => {
    if (seen.has(addr)) return;
    seen.add(addr);
    out.push(endpointOf(addr, p));
  };
  if (slices && slices.length > 0) {
    for (const slice of slices) {
      const sp = (slice.spec.ports ?? []).find((p) => p.name !== undefined && p.name === (port.name ?? ''));
      if (!sp || !sp.port) continue;
      for (const ep of slice.spec.endpoints ?? []) {
        if (ep.conditions?.ready !== true) continue;
        for (const addr of ep.addresses ?? []) add(addr, sp.port);
      }
    }
    return out;
  }
  const eps = index.endpoints.get(ObjectIndex.key(svc.namespace, svc.name));
  for (const subset of eps?.spec.subsets ?? []) {
    const p = (subset.ports ?? []).find((x) => (x.name ?? '') === (port.name ?? ''));
    if (!p) continue;
    for (const a of subset.addresses ?? []) add(a.ip, p.port);
  }
  return out;
}

export interface UpstreamRequest {
  protocol: 'tcp' | 'udp';
  /** The referencing object's namespace (IngressRouteTCP/UDP). */
  parentNs: string;
  ref: ServiceTCP | ServiceUDP;
  /** Field path of the reference, for diagnostics. */
  field: string;
  subject: DiagnosticSubject;
  provenance: Provenance;
  /** Traefik's name for this load balancer. */
  traefikName: string;
}

export interface UpstreamBuildContext extends TransportContext {
  tcpClusters: Map<string, TcpUpstream>;
  diags: Diagnostics;
}

/**
 * createLoadBalancerServerTCP / createLoadBalancerServerUDP plus what Traefik's dialer manager checks when it
 * builds the service. Throws TcpServiceError.
 */
export function resolveTcpUpstream(ctx: UpstreamBuildContext, req: UpstreamRequest): TcpUpstream {
  const { ref, parentNs, protocol } = req;
  const namespace = ref.namespace || parentNs;
  if (namespace !== parentNs && !ctx.opts.provider.allowCrossNamespace) {
    throw new TcpServiceError(`${protocol} service ${namespace}/${ref.name} is not in the parent resource namespace ${parentNs} (allowCrossNamespace is false)`, 'namespace');
  }
  const { servers, port } = loadServers(ctx, namespace, ref);
  let settings: Record<string, unknown> = { source: servers.source };
  let transport: ResolvedTransport | undefined;
  let tls: TcpUpstreamTls | undefined;
  let proxyProtocol: 1 | 2 | undefined;
  let failAll: string | undefined;
  if (protocol === 'tcp') {
    const t = ref as ServiceTCP;
    try {
      transport = resolveTransportRef(ctx, parentNs, t.serversTransport);
    } catch (e) {
      if (e instanceof ProviderRefError) throw new TcpServiceError(e.message, 'serversTransport');
      if (e instanceof TransportError) throw new TcpServiceError(e.message, 'serversTransport', true);
      throw e;
    }
    // Deprecated service-level settings apply only without a serversTransport (and are then ignored).
    let pp: number | undefined;
    if (transport.named) {
      pp = transport.proxyProtocol;
      if (t.proxyProtocol) ctx.diags.warn(req.subject, `${req.field}.proxyProtocol`, 'ignored, as in Traefik: the serversTransport\'s proxyProtocol applies');
      if (t.terminationDelay !== undefined) ctx.diags.warn(req.subject, `${req.field}.terminationDelay`, 'ignored, as in Traefik: the serversTransport\'s terminationDelay applies');
    } else if (t.proxyProtocol) {
      pp = t.proxyProtocol.version ?? 2;
    }
    if (pp !== undefined) {
      if (pp !== 1 && pp !== 2) throw new TcpServiceError(`unknown proxyProtocol version: ${pp} (set version 1 or 2 on the serversTransport)`, 'serversTransport', true);
      proxyProtocol = pp;
    }
    const st = transport.tls;
    if (st?.spiffe && (st.insecureSkipVerify || st.rootCAs.length || st.emptyPool || st.serverName || st.clientCertificates.length || st.peerCertURI)) {
      throw new TcpServiceError(`serversTransport ${transport.transport.name}: TLS and SPIFFE configuration cannot be defined at the same time`, 'serversTransport', true);
    }
    if (t.tls) {
      if (st?.spiffe) {
        failAll = 'the serversTransport uses SPIFFE, which traefik-xds cannot provide to Envoy (no workload API): connections are closed';
      } else if (!st || (!st.serverName && !st.insecureSkipVerify)) {
        failAll = `tls is true but the serversTransport ${transport.transport.name} sets neither tls.serverName nor tls.insecureSkipVerify: ` +
          'Traefik fails every TLS handshake to these servers (Go: "either ServerName or InsecureSkipVerify must be specified"); connections are closed';
      } else if (st.emptyPool && !st.insecureSkipVerify) {
        failAll = 'none of the CA certificates of the serversTransport could be read: Go verifies against an empty pool and every handshake fails; connections are closed';
      } else {
        tls = {
          serverName: st.serverName,
          insecureSkipVerify: st.insecureSkipVerify,
          rootCAs: st.rootCAs,
          clientCertificates: st.clientCertificates,
          peerCertURI: st.peerCertURI,
        };
      }
    }
    if (transport.transport.dialTimeoutMs < 0) {
      failAll = `dialTimeout ${transport.transport.dialTimeoutMs} ms is negative: Go's dialer gives up at once and every connection fails; connections are closed`;
    }
    if (failAll) ctx.diags.error(req.subject, t.tls ? `${req.field}.tls` : req.field, failAll);
    settings = { ...settings, transport: transport.transport, tls, proxyProtocol, failAll };
  }
  // Services with the default settings share `<proto>/<ns>/<svc>/<port>`; any other setting gets a hash suffix.
  const base = `${protocol}/${namespace}/${ref.name}/${port.port}`;
  // (An ExternalName Service has one source only; endpoints and nativeLB/nodePortLB of one Service differ.)
  const isDefault = (servers.source === 'endpoints' || servers.source === 'externalName') &&
    (protocol === 'udp' || (transport?.transport.name === 'default@internal' && !tls && !proxyProtocol && !failAll));
  const name = isDefault ? base : `${base}~${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 8)}`;
  const existing = ctx.tcpClusters.get(name);
  if (existing) {
    existing.provenance.push(req.provenance);
    if (!existing.traefikNames.includes(req.traefikName)) existing.traefikNames.push(req.traefikName);
    return existing;
  }
  const up: TcpUpstream = {
    name,
    protocol,
    traefikNames: [req.traefikName],
    provenance: [req.provenance],
    service: { namespace, name: ref.name, port: port.port },
    discovery: servers.discovery,
    endpoints: servers.endpoints,
  };
  if (servers.dnsHost !== undefined) {
    up.dnsHost = servers.dnsHost;
    up.dnsPort = servers.dnsPort;
  }
  if (transport) up.transport = transport.transport;
  if (tls) up.tls = tls;
  if (proxyProtocol) up.proxyProtocol = proxyProtocol;
  if (failAll) up.failAll = failAll;
  ctx.tcpClusters.set(name, up);
  return up;
}
