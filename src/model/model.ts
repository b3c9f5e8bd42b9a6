// The resolved model: what the translator consumes. Every reference is resolved, every default applied,
// every object valid. Built whole from the sources on each change (like Contour's DAG).
import type { DiagnosticSubject } from './diagnostics';
import type { ResolvedMiddleware } from './middlewares';
import type { TlsModel } from './tls-options';
import type { IngressStatusTarget } from './ingress-status';
import type { Leaf, Literal, Pred } from './rules/types';

/** Where a model element came from, for diagnostics and for mapping Envoy NACKs back to CRDs. */
export interface Provenance {
  kind: string;
  namespace: string;
  name: string;
  /** Field path inside the object, e.g. `spec.routes[1]`. */
  field?: string;
  subject: DiagnosticSubject;
}

export type Scheme = 'http' | 'https' | 'h2c';

export interface Endpoint {
  address: string;
  port: number;
  /** Terminating-but-serving endpoints: Traefik "fences" them (only reachable through a sticky cookie). */
  fenced: boolean;
  /** Host header Traefik sends when passHostHeader is false: the server URL's host:port. */
  hostname?: string;
}

/** One upstream: a Kubernetes Service port with the settings that make its Envoy cluster distinct. */
export interface UpstreamCluster {
  /** Envoy cluster name, unique and stable. */
  name: string;
  /** Traefik's name for the same load balancer (`default-whoami-80`). */
  traefikName: string;
  provenance: Provenance[];
  service: { namespace: string; name: string; port: number | string };
  discovery: 'eds' | 'dns';
  /** Where the endpoints come from: the EndpointSlice fast path recomputes only `endpoints` ones. */
  origin: 'endpoints' | 'clusterIP' | 'nodePort' | 'externalName' | 'address';
  scheme: Scheme;
  /** For EDS: the endpoints (ClusterLoadAssignment). For DNS (ExternalName): a single host:port. */
  endpoints: Endpoint[];
  dnsHost?: string;
  dnsPort?: number;
  /** The ServersTransport in use (Traefik's name) and the object to report its approximations on. */
  transport: { name: string; subject: DiagnosticSubject };
  /** Upstream connect timeout in ms (forwardingTimeouts.dialTimeout; 30 s). Already made Envoy-valid (> 0). */
  connectTimeoutMs: number;
  /** Idle connection timeout in ms (idleConnTimeout, 90 s); 0 = none. */
  idleTimeoutMs: number;
  /** responseHeaderTimeout in ms; 0 = none (Traefik's default). Carried to the routes (RouteAction.timeout). */
  responseHeaderTimeoutMs: number;
  /** HTTP/2 pings (readIdleTimeout > 0): ping after `intervalMs`, close without an answer after `timeoutMs`. */
  http2Keepalive?: { intervalMs: number; timeoutMs: number };
  /** maxIdleConnsPerHost < 0: Go never reuses a connection. */
  singleRequestConnections: boolean;
  /** Allow HTTP/2 over TLS via ALPN (https); false = disableHTTP2. */
  allowHttp2: boolean;
  /** TLS towards the servers: set for `https` upstreams only. */
  tls?: UpstreamTls;
  strategy: 'wrr' | 'p2c' | 'hrw' | 'leasttime';
  /** Active health check (ExternalName services only). */
  healthCheck?: ActiveHealthCheck;
  /** passiveHealthCheck. */
  passiveHealthCheck?: PassiveHealthCheck;
  /**
   * Set when Traefik fails every request to this service (the reason, reported as an error): the cluster gets
   * no endpoint and Envoy answers 503.
   */
  failAll?: string;
  /**
   * Server-level stickiness (`sticky.cookie` of the reference, part of the cluster's identity): fenced
   * endpoints stay reachable through the cookie only.
   */
  sticky?: StickyCookie;
}

/** A PEM bundle served to Envoy as an SDS validation context. */
export interface CaBundle {
  /** SDS name, e.g. `ServersTransport/default/mytransport/root-cas`. */
  name: string;
  pem: string;
}

/** The TLS client of an https upstream, as Go's tls.Config would behave (traefik-semantics.md §12.1). */
export interface UpstreamTls {
  /** SNI: serverName, else the host of the server URL when it is a name (ExternalName); IPs send none. */
  sni?: string;
  /**
   * Chain verification: `system` = the system bundle, `bundle` = the transport's CAs (SDS), `none` =
   * insecureSkipVerify, `spiffe` = the SPIFFE bundle from the SPIRE agent (SDS), `fail` = Go verifies
   * against an empty pool (every CA given was unreadable): every handshake fails.
   */
  verify: 'system' | 'bundle' | 'none' | 'spiffe' | 'fail';
  ca?: CaBundle;
  /** SANs the server certificate must carry (any one of them): Go's hostname check, peerCertURI, peerCertSANs, SPIFFE IDs. */
  sans: { type: 'DNS' | 'URI' | 'IP_ADDRESS'; value: string; prefix?: boolean; ignoreCase?: boolean }[];
  /** Client certificate (certificatesSecrets; Envoy sends one). */
  clientCertificate?: TlsCertificate;
  /** SPIFFE: the SVID comes from the SPIRE agent over SDS. */
  spiffe?: boolean;
  /** Go names, as kept by the provider (unknown names already dropped). */
  cipherSuites?: string[];
  /** `VersionTLS10`..`VersionTLS13`, as kept by the provider. */
  minVersion?: string;
  maxVersion?: string;
}

/** healthCheck (traefik-semantics.md §5.1 ServerHealthCheck), defaults applied. */
export interface ActiveHealthCheck {
  mode: 'http' | 'grpc';
  /** What the check connects with: plaintext or TLS (hc scheme, else the server URL's). */
  tls: boolean;
  /** HTTP/2 for the check itself: gRPC mode, or the h2c scheme. */
  http2: boolean;
  /** http mode: path ("/" for ""), method (Envoy enum name), Host header, extra headers. */
  path: string;
  method: string;
  host: string;
  headers: [string, string][];
  /** Half-open ranges [start, end) of accepted statuses. */
  expectedStatuses: [number, number][];
  /** gRPC mode: the :authority (host:port). */
  authority?: string;
  /** Another port than the server's. */
  port?: number;
  /** A TLS check on a plaintext cluster: the TLS client the check uses (the cluster's own otherwise). */
  tlsContext?: UpstreamTls;
  intervalMs: number;
  unhealthyIntervalMs: number;
  timeoutMs: number;
}

/** passiveHealthCheck: maxFailedAttempts consecutive failures (5xx or no answer) → server out for failureWindow. */
export interface PassiveHealthCheck {
  maxFailedAttempts: number;
  failureWindowMs: number;
}

export interface WeightedTarget {
  cluster: string;
  weight: number;
  passHostHeader: boolean;
  /** The cluster's responseHeaderTimeout in ms (0 = none): Envoy has it per route, not per cluster. */
  responseHeaderTimeoutMs?: number;
  /** The cluster balances by client IP (strategy hrw): the route must hash on the source IP. */
  hashOnClientIp?: boolean;
  /** Server-level stickiness (`sticky.cookie` on the Kubernetes Service reference): the cluster's cookie. */
  sticky?: StickyCookie;
  /**
   * Service-level middlewares (`services[].middlewares`), run after the router's. Only on targets of a
   * weighted route: with a single service they are appended to the router's `middlewares`.
   */
  middlewares?: ResolvedMiddleware[];
  /**
   * A TraefikService reference (traefik-semantics.md §11): its resolved tree of weighted, mirroring and sticky
   * levels, which the translator flattens. `cluster` is then empty and `passHostHeader` meaningless.
   */
  service?: ServiceNode;
}

/** What a router does with a request once it matched. */
export type RouterAction =
  /** The route's services (Traefik's route-level WRR when several); `actionUpstreams` lists every cluster used. */
  | { type: 'forward'; targets: WeightedTarget[] }
  /** Every weight is zero: Traefik answers 503 "no available server". */
  | { type: 'unavailable' };

// ------------------------------------------------------------------------------------------------------
// TraefikService trees and sticky cookies (traefik-semantics.md §5.6, §11; model/traefik-services.ts)

/** A sticky cookie as Traefik writes it (pkg/server/service/loadbalancer/sticky.go), defaults applied. */
export interface StickyCookie {
  /** The configured name sanitized, or Traefik's default `_` + 5 hex of sha1("_TRAEFIK_BACKEND_" + service). */
  name: string;
  secure: boolean;
  httpOnly: boolean;
  /** Lower-case; undefined = Go's default mode (no SameSite attribute). */
  sameSite?: 'none' | 'lax' | 'strict';
  /** Seconds: 0 = session cookie, negative = expires at once (`Max-Age=0`). */
  maxAge: number;
  /** `/` by default; empty = no Path attribute. */
  path: string;
  /** Without its leading dot; undefined when unset or invalid (Go drops an invalid domain). */
  domain?: string;
  /** A configured domain Go refuses (the cookie is then sent without a Domain attribute). */
  droppedDomain?: string;
  /** Where the cookie is configured (`…sticky.cookie`). */
  provenance: Provenance;
}

/** A resolved service level: what the translator flattens into weighted clusters, cookie routes and mirrors. */
export type ServiceNode = UpstreamNode | WeightedNode | MirroringNode;

/** A Kubernetes Service reference: one upstream cluster. */
export interface UpstreamNode {
  type: 'upstream';
  /** The reference as a route target (its weight is the parent's business). */
  target: Omit<WeightedTarget, 'weight'>;
}

export interface WeightedChild {
  /** > 0: Traefik never adds a child of weight ≤ 0 (not even for a sticky cookie). */
  weight: number;
  /** Traefik's name of the child service (`default-whoami-80`, `default-wrr2`): the WRR cookie value hashes it. */
  name: string;
  node: ServiceNode;
}

export interface WeightedNode {
  type: 'weighted';
  /** Traefik's service name (`default-wrr1`), or the router name for a route's own list of services. */
  name: string;
  /** `route`: the WRR Traefik builds for a route with several services (never sticky). */
  kind: 'weighted' | 'highestRandomWeight' | 'route';
  /** Empty: Traefik answers 503 "no available server" whenever this level is picked. */
  children: WeightedChild[];
  /** `weighted.sticky.cookie`: pins the child service. */
  sticky?: StickyCookie;
  provenance: Provenance;
}

export interface MirrorChild {
  /** 0..100: Traefik mirrors request n when count*100 < n*percent. */
  percent: number;
  name: string;
  node: ServiceNode;
  /** `spec.mirroring.mirrors[i]`. */
  field: string;
}

export interface MirroringNode {
  type: 'mirroring';
  name: string;
  main: ServiceNode;
  mirrors: MirrorChild[];
  /** Default true. */
  mirrorBody: boolean;
  /** Bytes; -1 (default) = unlimited. */
  maxBodySize: number;
  provenance: Provenance;
}

/** Every upstream an action uses: its Kubernetes targets and the upstreams of its TraefikService trees, mirrors included. */
export function actionUpstreams(action: RouterAction): Omit<WeightedTarget, 'weight'>[] {
  if (action.type !== 'forward') return [];
  const out: Omit<WeightedTarget, 'weight'>[] = [];
  // Asked for every router of every build: the set of visited nodes only when there is a tree to walk.
  let seen: Set<ServiceNode> | undefined;
  for (const t of action.targets) {
    if (t.service) walkUpstreams(t.service, out, (seen ??= new Set()));
    else out.push(t);
  }
  return out;
}

function walkUpstreams(n: ServiceNode, out: Omit<WeightedTarget, 'weight'>[], seen: Set<ServiceNode>): void {
  if (seen.has(n)) return;
  seen.add(n);
  if (n.type === 'upstream') out.push(n.target);
  else if (n.type === 'weighted') for (const c of n.children) walkUpstreams(c.node, out, seen);
  else {
    walkUpstreams(n.main, out, seen);
    for (const m of n.mirrors) walkUpstreams(m.node, out, seen);
  }
}

/** One literal of a DNF conjunct, and a leaf of the rule language (rules/types.ts), as the translator sees them. */
export type RuleLiteral = Literal;
export type RuleLeaf = Leaf;

export interface HttpRouterTLS {
  /** Resolved TLS option name (Traefik's id: `default` or `ns-name`). */
  options: string;
  certResolver?: string;
}

export interface HttpRouter {
  /** Traefik's router name (`default-myroute-6b204d94623b3df4370c`). */
  name: string;
  provenance: Provenance;
  /** IngressRoute namespace/name and route index: the base of Envoy route names. */
  ingressRoute: { namespace: string; name: string; routeIndex: number };
  entryPoints: string[];
  rule: string;
  /** Disjunctive normal form of the rule: the router matches when any conjunct matches. */
  conjuncts: RuleLiteral[][];
  /** Explicit priority, or len(rule). A bigint because Traefik allows up to MaxInt64-1000. */
  priority: bigint;
  tls?: HttpRouterTLS;
  /** Host names the router binds TLS options to (its Host matchers; HostRegexp does not count). */
  tlsHosts: string[];
  /** Resolved middlewares in Traefik's run order (Chains expanded). */
  middlewares: ResolvedMiddleware[];
  /**
   * Entry-point middlewares (static `entryPoints.<ep>.http.middlewares`) by entry point, run before
   * `middlewares` there; `{error}` when they cannot be resolved (the router is then not served there).
   */
  entryPointMiddlewares?: Record<string, ResolvedMiddleware[] | { error: string }>;
  action: RouterAction;
}

export interface TlsCertificate {
  /** SDS secret name: `namespace/secretName`. */
  name: string;
  certPem: string;
  keyPem: string;
  /** DNS SANs (and CN when there are none), lower-cased: what SNI selection looks at. */
  sans: string[];
  provenance: Provenance[];
}

export interface Model {
  httpRouters: HttpRouter[];
  clusters: Map<string, UpstreamCluster>;
  /** Certificates of the default TLS store, keyed by SDS name. */
  certificates: Map<string, TlsCertificate>;
  /** TLS options (by Traefik id), client CA bundles, and the default store's default certificate. */
  tls: TlsModel;
  // --- TCP and UDP (IngressRouteTCP, MiddlewareTCP, ServersTransportTCP, IngressRouteUDP) ---
  tcpRouters: TcpRouter[];
  udpRouters: UdpRouter[];
  /** Upstream clusters of TCP and UDP services, keyed by Envoy cluster name (`tcp/...`, `udp/...`). */
  tcpClusters: Map<string, TcpUpstream>;
  /** Client certificates of ServersTransportTCP `tls.certificatesSecrets`, keyed by SDS name. */
  clientCertificates: Map<string, TlsCertificate>;
  /**
   * Ingress `status.loadBalancer` wanted by `providers.kubernetesIngress.ingressEndpoint` (ingress-status.ts);
   * absent when that is not configured. Not translated: the Kubernetes source writes it.
   */
  ingressStatus?: IngressStatusTarget[];
}

// ------------------------------------------------------------------------------------------------------
// TCP and UDP (traefik-semantics.md §5.2, §5.3, §5.5, §5.8, §7.2, §7.3, §9.4, §12.2)

/** The canonical predicate of a rule (rules/types.ts `Pred`): leaves, `and`, `or`, `not` on leaves only. */
export type RulePred = Pred;

/** A MiddlewareTCP as one router uses it (each router has its own instance, as in Traefik). */
export type TcpMiddleware =
  /** ipAllowList / ipWhiteList: CIDRs normalised (a bare IP is a /32 or /128). */
  | { type: 'ipAllowList'; name: string; cidrs: string[]; provenance: Provenance }
  /** inFlightConn: at most `amount` simultaneous connections (Traefik: per client IP). */
  | { type: 'inFlightConn'; name: string; amount: number; provenance: Provenance };

export interface TcpTarget {
  /** Envoy cluster name (a key of Model.tcpClusters). */
  cluster: string;
  weight: number;
}

/** What a TCP router does with a connection once it matched. */
export type TcpAction =
  | { type: 'forward'; targets: TcpTarget[] }
  /** Connections are accepted and closed: Traefik fails them the same way (reason says why). */
  | { type: 'close'; reason: string };

export interface TcpRouter {
  /** Traefik's TCP router name: makeID(ns, ingName-hash), not normalized. */
  name: string;
  provenance: Provenance;
  entryPoints: string[];
  rule: string;
  /** The rule as a predicate over SNI, ALPN and client IP. */
  pred: RulePred;
  /** Exactly ``HostSNI(`*`)`` (Traefik's "catch-all" flag, which changes the dispatch order with HTTPS routers). */
  catchAll: boolean;
  /** Explicit priority, or len(rule) (-1 for ``HostSNI(`*`)``). */
  priority: bigint;
  /** Present = a TLS router (terminating, or passthrough). Absent = plain TCP. */
  tls?: { passthrough: boolean; options: string };
  /** Middlewares in the router's order. */
  middlewares: TcpMiddleware[];
  action: TcpAction;
}

export interface TcpTransport {
  /** Traefik's transport name: `default@internal` or Normalize(ns-name). */
  name: string;
  /** dialTimeout in ms; 0 = none. */
  dialTimeoutMs: number;
  /** dialKeepAlive in ms; 0 = Go's default (15 s), negative = off. */
  dialKeepAliveMs: number;
}

export interface TcpUpstreamTls {
  serverName?: string;
  insecureSkipVerify: boolean;
  /** PEM bundles; empty = the system roots. */
  rootCAs: string[];
  /** SDS names of client certificates (Model.clientCertificates). */
  clientCertificates: string[];
  /** SAN (URI) the server certificate must carry (peerCertURI). */
  peerCertURI?: string;
}

/** One upstream of a TCP or UDP service: the Envoy cluster of a Kubernetes Service port and its settings. */
export interface TcpUpstream {
  name: string;
  protocol: 'tcp' | 'udp';
  /** Traefik's service name(s) for it, e.g. `default-route-1a2b…` or `default-route-1a2b…-whoami-8080`. */
  traefikNames: string[];
  provenance: Provenance[];
  service: { namespace: string; name: string; port: number };
  discovery: 'eds' | 'dns';
  endpoints: Endpoint[];
  dnsHost?: string;
  dnsPort?: number;
  /** TCP only. */
  transport?: TcpTransport;
  /** TCP only: dial the servers with TLS. */
  tls?: TcpUpstreamTls;
  /** TCP only: PROXY protocol header sent to the servers. */
  proxyProtocol?: 1 | 2;
  /** Set when Traefik fails every connection to this service (the reason): the cluster gets no endpoint. */
  failAll?: string;
}

export interface UdpTarget {
  cluster: string;
  weight: number;
  provenance: Provenance;
}

export interface UdpRouter {
  /** Traefik's UDP router name: makeID(ns, ingName-routeIndex). */
  name: string;
  provenance: Provenance;
  entryPoints: string[];
  /** One target: a load balancer of servers. Several: Traefik's weighted round robin of services. */
  targets: UdpTarget[];
  /** Several services (a WRR), even if only one of them could be built. */
  weighted: boolean;
}
