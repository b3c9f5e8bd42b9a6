// The typed static configuration (docs/static-config.md). Traefik's key names where Traefik has the
// concept; our own keys (providers.manifests, xds, admin, fleets, logLevel) for the control plane.
// Every duration is in milliseconds; every default is filled in, so consumers never re-apply defaults.

export type Protocol = 'tcp' | 'udp';

/** A parsed `host:port[/proto]`. `host` is '' for `:port` (all interfaces); IPv6 hosts are kept without brackets. */
export interface ListenAddress {
  host: string;
  port: number;
  protocol: Protocol;
}

// ---------------------------------------------------------------- entry points (Traefik's)

export interface TLSDomain {
  main: string;
  sans: string[];
}

/** `entryPoints.<name>.http.tls`: default TLS for every router on the entry point. Present = enabled. */
export interface EntryPointTLS {
  /** TLSOption name ('' = the default TLSOption). */
  options: string;
  /** Kept for completeness; traefik-xds has no certificate resolvers (ACME). */
  certResolver: string;
  domains: TLSDomain[];
}

/** `entryPoints.<name>.http.redirections.entryPoint`. */
export interface RedirectEntryPoint {
  /** Target entry point name, or `:port` as Traefik allows. */
  to: string;
  /** The port redirected to: the target entry point's port, or the `:port` given. */
  port: number;
  scheme: string;
  permanent: boolean;
  /** Priority of the generated router. Traefik's default is MaxInt64-1; we use MAX_SAFE_INTEGER-1 (same order). */
  priority: number;
}

export interface EntryPointHTTP {
  tls?: EntryPointTLS;
  redirections?: { entryPoint: RedirectEntryPoint };
  /** Middleware references added in front of every router's own (`name@provider` or plain `name`). */
  middlewares: string[];
}

export interface TrustedIPsConfig {
  /** IPs or CIDRs. */
  trustedIPs: string[];
  insecure: boolean;
}

export interface RespondingTimeouts {
  readTimeout: number;
  writeTimeout: number;
  idleTimeout: number;
}

export interface EntryPoint {
  name: string;
  address: ListenAddress;
  /** The address as written (`:443`, `[::]:8443`, `:53/udp`). */
  addressText: string;
  asDefault: boolean;
  http: EntryPointHTTP;
  forwardedHeaders: TrustedIPsConfig;
  /** Present = PROXY protocol accepted on this entry point. */
  proxyProtocol?: TrustedIPsConfig;
  transport: { respondingTimeouts: RespondingTimeouts };
  udp: { timeout: number };
}

// ---------------------------------------------------------------- default transports (Traefik's)

export interface SpiffeConfig {
  ids: string[];
  trustDomain: string;
}

/** `serversTransport`: default@internal for HTTP services. */
export interface ServersTransportConfig {
  insecureSkipVerify: boolean;
  /** Files or PEM contents. */
  rootCAs: string[];
  maxIdleConnsPerHost: number;
  forwardingTimeouts: {
    dialTimeout: number;
    responseHeaderTimeout: number;
    idleConnTimeout: number;
  };
  spiffe?: SpiffeConfig;
}

/** `tcpServersTransport`: default@internal for TCP services. */
export interface TCPServersTransportConfig {
  dialTimeout: number;
  /** Negative: keep-alive probes disabled. */
  dialKeepAlive: number;
  /** Negative: never close the read side. */
  terminationDelay: number;
  /** Present = TLS to the servers. */
  tls?: {
    insecureSkipVerify: boolean;
    rootCAs: string[];
    spiffe?: SpiffeConfig;
  };
}

export type RuleSyntax = 'v3' | 'v2';

export interface CoreConfig {
  defaultRuleSyntax: RuleSyntax;
}

// ---------------------------------------------------------------- providers

/** The kubernetesCRD options that filter objects and govern references; shared with `providers.manifests`. */
export interface KubernetesFilterOptions {
  /** Empty: all namespaces. */
  namespaces: string[];
  labelSelector: string;
  ingressClass: string;
  allowCrossNamespace: boolean;
  allowExternalNameServices: boolean;
  allowEmptyServices: boolean;
  nativeLBByDefault: boolean;
  disableClusterScopeResources: boolean;
  /** Undefined: unrestricted. A list (even empty): only these namespaces may use `name@provider` references. */
  crossProviderNamespaces?: string[];
}

export interface KubernetesCRDProvider extends KubernetesFilterOptions {
  endpoint: string;
  /** Token value or a path to a file holding it. */
  token: string;
  certAuthFilePath: string;
  throttleDuration: number;
}

/** `providers.kubernetesIngress.ingressEndpoint`: what to write in Ingress `status.loadBalancer`. */
export interface IngressEndpointConfig {
  ip: string;
  hostname: string;
  /** `namespace/name` of the Service whose address is published. */
  publishedService: string;
}

/** `providers.kubernetesIngress` (Traefik's options, traefik-ingress.md §1.2, plus our legacyAnnotations). */
export interface KubernetesIngressProvider {
  endpoint: string;
  token: string;
  certAuthFilePath: string;
  /** Empty: all namespaces. */
  namespaces: string[];
  labelSelector: string;
  ingressClass: string;
  throttleDuration: number;
  allowEmptyServices: boolean;
  allowExternalNameServices: boolean;
  /** Undefined: unrestricted. A list (even empty): only these namespaces may use cross-provider references. */
  crossProviderNamespaces?: string[];
  disableIngressClassLookup: boolean;
  disableClusterScopeResources: boolean;
  nativeLBByDefault: boolean;
  strictPrefixMatching: boolean;
  /** Present = status.loadBalancer updates (Kubernetes source only). */
  ingressEndpoint?: IngressEndpointConfig;
  /** Ours: `v1.7` reads the Traefik 1.x annotations (traefik-ingress.md §3). */
  legacyAnnotations: 'none' | 'v1.7';
  /**
   * Ours (traefik-ingress.md §7): `auto` gives class-less Ingresses read from files the one default IngressClass
   * of Traefik's controller, as the API server's admission plugin would have; `none` leaves them class-less.
   */
  defaultIngressClass: 'auto' | 'none';
  /** 1.7 options, accepted with legacyAnnotations v1.7 only. */
  disablePassHostHeaders: boolean;
  enablePassTLSCert: boolean;
}

/**
 * Our own source: Kubernetes manifests on disk. The filter options fall back to the values set in
 * `providers.kubernetesCRD` (when present there), then to the defaults.
 */
export interface ManifestsProvider extends KubernetesFilterOptions {
  /** Absolute (a relative path is resolved against the config file's folder). */
  directory?: string;
  /** Absolute; one file. */
  filename?: string;
  watch: boolean;
}

export interface ProvidersConfig {
  /** Present = the Kubernetes API source is on. */
  kubernetesCRD?: KubernetesCRDProvider;
  /** Present = the Ingress provider is on (Kubernetes Ingress objects, docs/static-config.md). */
  kubernetesIngress?: KubernetesIngressProvider;
  /** Present = the manifests source is on. */
  manifests?: ManifestsProvider;
}

// ---------------------------------------------------------------- our own keys

export interface XdsTLSConfig {
  certFile: string;
  keyFile: string;
  /** Set: clients must present a certificate signed by this CA (mTLS). */
  clientCAFile?: string;
}

export interface XdsConfig {
  address: ListenAddress;
  addressText: string;
  /** Present = the xDS server uses TLS. */
  tls?: XdsTLSConfig;
  insecure: boolean;
  maxMessageBytes: number;
}

export interface AdminConfig {
  address: ListenAddress;
  addressText: string;
}

/** `auto`: chosen per node from its user agent (gRPC libraries get `grpc`, others `envoy`). */
export type FleetProfile = 'envoy' | 'grpc' | 'auto';

export interface FleetMatch {
  /** Glob on the node's cluster; undefined = any. */
  nodeCluster?: string;
  /** Glob on the node's id; undefined = any. */
  nodeId?: string;
  /** Exact values that the node's metadata must hold (strings compared as strings). */
  metadata: Record<string, string>;
}

export interface Fleet {
  name: string;
  match: FleetMatch;
  /** Resolved: never empty unless the config has no entry point at all. */
  entryPoints: string[];
  profile: FleetProfile;
  /** With xds.tls.clientCAFile: glob the node's certificate SAN must match. */
  clientCertificate?: { san: string };
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface StaticConfig {
  /** In file order, then entry points added by overrides. */
  entryPoints: Record<string, EntryPoint>;
  serversTransport: ServersTransportConfig;
  tcpServersTransport: TCPServersTransportConfig;
  core: CoreConfig;
  providers: ProvidersConfig;
  xds: XdsConfig;
  admin: AdminConfig;
  /** First match wins. */
  fleets: Fleet[];
  logLevel: LogLevel;
  /** Absolute path of the file this came from, if any. */
  configFile?: string;
}
