// The resolved model: what the translator consumes. Every reference is resolved, every default applied,
// every object valid. Built whole from the sources on each change (like Contour's DAG).
import type { DiagnosticSubject } from './diagnostics';
import type { ResolvedMiddleware } from './middlewares';

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
  /** Upstream connect timeout in ms (ServersTransport dialTimeout; default@internal 30s). */
  connectTimeoutMs: number;
  /** Idle connection timeout in ms (idleConnTimeout, 90s default). */
  idleTimeoutMs: number;
  /** Verify the upstream certificate (https); false = insecureSkipVerify. */
  verifyTls: boolean;
  /** Extra CA bundles (PEM) for https upstreams; empty with verifyTls = system roots. */
  rootCAs: string[];
  /** Allow HTTP/2 over TLS via ALPN (https); false = disableHTTP2. */
  allowHttp2: boolean;
  strategy: 'wrr' | 'p2c';
}

export interface WeightedTarget {
  cluster: string;
  weight: number;
  passHostHeader: boolean;
}

/** What a router does with a request once it matched. */
export type RouterAction =
  | { type: 'forward'; targets: WeightedTarget[] }
  /** Every weight is zero: Traefik answers 503 "no available server". */
  | { type: 'unavailable' };

/** One literal of a DNF conjunct (from the rule language). */
export interface RuleLiteral {
  leaf: RuleLeaf;
  negated: boolean;
}

export type RuleLeaf =
  | { t: 'host'; host: string }
  | { t: 'hostRegexp'; re: string }
  | { t: 'path'; path: string }
  | { t: 'pathPrefix'; prefix: string }
  | { t: 'pathRegexp'; re: string }
  | { t: 'method'; method: string }
  | { t: 'header'; name: string; value: string }
  | { t: 'headerRegexp'; name: string; re: string }
  | { t: 'query'; name: string; value: string }
  | { t: 'queryRegexp'; name: string; re: string }
  | { t: 'clientIP'; cidr: string }
  | { t: 'hostSNI'; host: string }
  | { t: 'hostSNIRegexp'; re: string }
  | { t: 'alpn'; protocol: string };

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
  /** Resolved middlewares in Traefik's run order (Chains expanded). */
  middlewares: ResolvedMiddleware[];
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
  // --- TCP and UDP (IngressRouteTCP, MiddlewareTCP, ServersTransportTCP, IngressRouteUDP) ---
  tcpRouters: TcpRouter[];
  udpRouters: UdpRouter[];
  /** Upstream clusters of TCP and UDP services, keyed by Envoy cluster name (`tcp/...`, `udp/...`). */
  tcpClusters: Map<string, TcpUpstream>;
  /** Client certificates of ServersTransportTCP `tls.certificatesSecrets`, keyed by SDS name. */
  clientCertificates: Map<string, TlsCertificate>;
}

// ------------------------------------------------------------------------------------------------------
// TCP and UDP (traefik-semantics.md §5.2, §5.3, §5.5, §5.8, §7.2, §7.3, §9.4, §12.2)

/** The canonical predicate of a rule (rules/types.ts `Pred`): leaves, `and`, `or`, `not` on leaves only. */
export type RulePred =
  | { t: 'and'; items: RulePred[] }
  | { t: 'or'; items: RulePred[] }
  | { t: 'not'; item: RuleLeaf }
  | RuleLeaf;

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
