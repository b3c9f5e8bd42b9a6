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
}
