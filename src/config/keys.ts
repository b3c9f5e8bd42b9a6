// The key tables of the static configuration: which keys each section reads, which Traefik keys are
// ignored (with the reason given in the warning), and which are refused.
// `true`: a key we read. `{ ignored }`: Traefik's key that an xDS control plane has no use for (warning).
// `{ error }`: Traefik's key that we refuse with a pointer to what to use instead.

export type KeySpec = Record<string, true | { ignored: string } | { error: string }>;

export const ROOT_KEYS: KeySpec = {
  entryPoints: true,
  serversTransport: true,
  tcpServersTransport: true,
  core: true,
  providers: true,
  xds: true,
  admin: true,
  fleets: true,
  logLevel: true,
  global: { ignored: "Traefik's version check and usage statistics" },
  api: { ignored: "Traefik's API and dashboard; traefik-xds serves its own on admin.address" },
  ping: { ignored: "Traefik's health check; traefik-xds serves /healthz and /readyz on admin.address" },
  metrics: { ignored: "Traefik's proxy metrics; traefik-xds exposes its own on admin.address, Envoy exposes the data plane's" },
  tracing: { ignored: 'tracing of the proxy is configured in Envoy' },
  accessLog: { ignored: 'access logs of the proxy are configured in Envoy' },
  log: { ignored: "Traefik's own log settings; use logLevel" },
  certificatesResolvers: { ignored: 'no ACME in traefik-xds; certificates come from Kubernetes Secrets' },
  experimental: { ignored: "Traefik's experimental features (plugins, ...) do not apply to Envoy" },
  hub: { ignored: 'Traefik Hub is not supported' },
  pilot: { ignored: 'Traefik Pilot is not supported' },
  hostResolver: { ignored: 'CNAME flattening is not supported' },
  spiffe: { ignored: "Traefik's SPIFFE workload API client; Envoy gets its certificates through SDS" },
  ocsp: { ignored: 'OCSP stapling is configured in Envoy' },
};

export const ENTRY_POINT_KEYS: KeySpec = {
  address: true,
  asDefault: true,
  http: true,
  forwardedHeaders: true,
  proxyProtocol: true,
  transport: true,
  udp: true,
  allowACMEByPass: { ignored: 'no ACME in traefik-xds' },
  reusePort: { ignored: 'Envoy sets SO_REUSEPORT on its listeners itself' },
  http2: { ignored: 'HTTP/2 settings of the entry point are not translated' },
  http3: { ignored: 'HTTP/3 (QUIC) listeners are not translated' },
  observability: { ignored: 'per-entry-point access logs, metrics and tracing are configured in Envoy' },
};

export const EP_HTTP_KEYS: KeySpec = {
  tls: true,
  redirections: true,
  middlewares: true,
  encodedCharacters: { ignored: "Envoy's path normalization differs; not translated" },
  encodeQuerySemicolons: { ignored: 'not translated' },
  sanitizePath: { ignored: "Envoy's path normalization differs; not translated" },
  maxHeaderBytes: { ignored: 'not translated (Envoy default: 60 KiB of request headers)' },
  underscoreHeadersStrategy: { ignored: 'not translated' },
};

export const EP_TLS_KEYS: KeySpec = { options: true, certResolver: true, domains: true };
export const TLS_DOMAIN_KEYS: KeySpec = { main: true, sans: true };
export const EP_REDIRECTIONS_KEYS: KeySpec = { entryPoint: true };
export const EP_REDIRECT_KEYS: KeySpec = { to: true, scheme: true, permanent: true, priority: true };
export const FORWARDED_HEADERS_KEYS: KeySpec = {
  trustedIPs: true,
  insecure: true,
  connection: { ignored: 'not translated' },
  notAppendXForwardedFor: { ignored: 'not translated' },
  addXForwardedSchemeHeaders: { ignored: 'not translated' },
};
export const PROXY_PROTOCOL_KEYS: KeySpec = { trustedIPs: true, insecure: true };
export const EP_TRANSPORT_KEYS: KeySpec = {
  respondingTimeouts: true,
  lifeCycle: { ignored: "graceful shutdown is Envoy's drain (--drain-time-s)" },
  keepAliveMaxTime: { ignored: 'not translated' },
  keepAliveMaxRequests: { ignored: 'not translated' },
};
export const RESPONDING_TIMEOUTS_KEYS: KeySpec = { readTimeout: true, writeTimeout: true, idleTimeout: true };
export const EP_UDP_KEYS: KeySpec = { timeout: true };

export const SERVERS_TRANSPORT_KEYS: KeySpec = {
  insecureSkipVerify: true,
  rootCAs: true,
  maxIdleConnsPerHost: true,
  forwardingTimeouts: true,
  spiffe: true,
};
export const FORWARDING_TIMEOUTS_KEYS: KeySpec = { dialTimeout: true, responseHeaderTimeout: true, idleConnTimeout: true };
export const SPIFFE_KEYS: KeySpec = { ids: true, trustDomain: true };
export const TCP_SERVERS_TRANSPORT_KEYS: KeySpec = { dialTimeout: true, dialKeepAlive: true, terminationDelay: true, tls: true };
export const TCP_TLS_KEYS: KeySpec = { insecureSkipVerify: true, rootCAs: true, spiffe: true };
export const CORE_KEYS: KeySpec = { defaultRuleSyntax: true };

const otherProvider = (what: string) => ({ ignored: `${what} is not a source of traefik-xds (it reads Kubernetes objects only)` });
export const PROVIDERS_KEYS: KeySpec = {
  kubernetesCRD: true,
  kubernetesIngress: true,
  manifests: true,
  file: {
    error:
      "Traefik's file provider (dynamic configuration in Traefik's own format) is not supported; " +
      'put Kubernetes manifests (IngressRoute, Middleware, ...) on disk and use providers.manifests {directory or filename}',
  },
  providersThrottleDuration: { ignored: 'traefik-xds debounces changes itself (100 ms quiet, 1 s at most)' },
  precedence: { ignored: "traefik-xds applies Traefik's default precedence (kubernetescrd routers before kubernetes ones at equal priority)" },
  docker: otherProvider('the Docker provider'),
  swarm: otherProvider('the Swarm provider'),
  kubernetesIngressNGINX: otherProvider('the Ingress NGINX provider'),
  kubernetesGateway: otherProvider('the Gateway API provider'),
  knative: otherProvider('the Knative provider'),
  rest: otherProvider('the REST provider'),
  consulCatalog: otherProvider('the Consul Catalog provider'),
  nomad: otherProvider('the Nomad provider'),
  ecs: otherProvider('the ECS provider'),
  consul: otherProvider('the Consul KV provider'),
  etcd: otherProvider('the etcd provider'),
  zooKeeper: otherProvider('the ZooKeeper provider'),
  redis: otherProvider('the Redis provider'),
  http: otherProvider('the HTTP provider'),
  plugin: otherProvider('a plugin provider'),
  marathon: otherProvider('the Marathon provider'),
  rancher: otherProvider('the Rancher provider'),
};

export const FILTER_KEYS = [
  'namespaces',
  'labelSelector',
  'ingressClass',
  'allowCrossNamespace',
  'allowExternalNameServices',
  'allowEmptyServices',
  'nativeLBByDefault',
  'disableClusterScopeResources',
  'crossProviderNamespaces',
] as const;
export const KUBERNETES_CRD_KEYS: KeySpec = {
  endpoint: true,
  token: true,
  certAuthFilePath: true,
  throttleDuration: true,
  ...Object.fromEntries(FILTER_KEYS.map((k) => [k, true])),
};
export const MANIFESTS_KEYS: KeySpec = {
  directory: true,
  filename: true,
  watch: true,
  ...Object.fromEntries(FILTER_KEYS.map((k) => [k, true])),
};
export const KUBERNETES_INGRESS_KEYS: KeySpec = {
  endpoint: true,
  token: true,
  certAuthFilePath: true,
  namespaces: true,
  labelSelector: true,
  ingressClass: true,
  throttleDuration: true,
  allowEmptyServices: true,
  allowExternalNameServices: true,
  crossProviderNamespaces: true,
  disableIngressClassLookup: true,
  disableClusterScopeResources: true,
  nativeLBByDefault: true,
  strictPrefixMatching: true,
  ingressEndpoint: true,
  legacyAnnotations: true,
  defaultIngressClass: true,
  disablePassHostHeaders: true,
  enablePassTLSCert: true,
  reportNodeInternalIPs: { ignored: 'Traefik master only (unreleased in v3.7); status is written from ingressEndpoint' },
  filename: { error: "Traefik 1.7's custom template (filename) cannot be emulated by traefik-xds" },
};
export const INGRESS_ENDPOINT_KEYS: KeySpec = { ip: true, hostname: true, publishedService: true };
export const XDS_KEYS: KeySpec = { address: true, tls: true, insecure: true, maxMessageBytes: true };
export const XDS_TLS_KEYS: KeySpec = { certFile: true, keyFile: true, clientCAFile: true };
export const ADMIN_KEYS: KeySpec = { address: true };
export const FLEET_KEYS: KeySpec = { name: true, match: true, entryPoints: true, profile: true, clientCertificate: true };
export const FLEET_MATCH_KEYS: KeySpec = { nodeCluster: true, nodeId: true, metadata: true };
export const CLIENT_CERT_KEYS: KeySpec = { san: true };
