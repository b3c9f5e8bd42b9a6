// Typed shapes of the Kubernetes objects traefik-xds reads: the ten Traefik CRD kinds (both API groups,
// union of the Traefik v2.11 and v3.7 fields) and the core objects used to resolve backends and secrets.
// Field names are exactly the CRD's JSON names. Every field is optional unless the CRD marks it required,
// because the validator only guarantees what the schema guarantees; defaults are applied by the translator.
import type { RawObject } from '../../sources/types';
import type { IngressClassObj, IngressObj } from './ingress';
export type { IngressClassObj, IngressObj } from './ingress';

/** Kubernetes IntOrString: a number or a string (port name, duration like `10s`, percentage...). */
export type IntOrString = number | string;

/** A Traefik duration as written: bare integer = seconds, else a Go duration string (`1m30s`). */
export type Duration = IntOrString;

// ---------------------------------------------------------------------------------------------------------
// Shared pieces

export interface MiddlewareRef {
  name: string;
  namespace?: string;
}

/** Generic `{name, namespace}` reference (TCP middlewares, TLS option/store refs, parentRefs). */
export interface ObjectReference {
  name: string;
  namespace?: string;
}

export interface Domain {
  main?: string;
  sans?: string[];
}

export interface Cookie {
  name?: string;
  secure?: boolean;
  httpOnly?: boolean;
  /** `none` | `lax` | `strict`, any case (CRD enum lists both spellings). */
  sameSite?: string;
  maxAge?: number;
  path?: string;
  domain?: string;
}

export interface Sticky {
  cookie?: Cookie;
}

export interface ResponseForwarding {
  /** Duration string; a bare number is seconds. */
  flushInterval?: string;
}

export interface ServerHealthCheck {
  scheme?: string;
  mode?: string;
  path?: string;
  method?: string;
  status?: number;
  port?: number;
  interval?: Duration;
  unhealthyInterval?: Duration;
  timeout?: Duration;
  hostname?: string;
  followRedirects?: boolean;
  headers?: Record<string, string>;
}

export interface PassiveServerHealthCheck {
  failureWindow?: Duration;
  maxFailedAttempts?: number;
}

export type LoadBalancerStrategy = 'wrr' | 'p2c' | 'hrw' | 'leasttime' | 'RoundRobin';

/** The Service block shared by IngressRoute routes, TraefikService children, mirroring, failover, errors. */
export interface LoadBalancerSpec {
  name: string;
  kind?: 'Service' | 'TraefikService';
  namespace?: string;
  middlewares?: MiddlewareRef[];
  sticky?: Sticky;
  port?: IntOrString;
  scheme?: string;
  strategy?: LoadBalancerStrategy;
  passHostHeader?: boolean;
  responseForwarding?: ResponseForwarding;
  serversTransport?: string;
  weight?: number;
  nativeLB?: boolean;
  nodePortLB?: boolean;
  healthCheck?: ServerHealthCheck;
  passiveHealthCheck?: PassiveServerHealthCheck;
}

/** IngressRoute `routes[].services[]` / TraefikService `weighted.services[]` entries (same shape). */
export type ServiceRef = LoadBalancerSpec;

// ---------------------------------------------------------------------------------------------------------
// IngressRoute

export interface RouterObservability {
  accessLogs?: boolean;
  metrics?: boolean;
  tracing?: boolean;
  traceVerbosity?: 'minimal' | 'detailed';
}

export interface RouteSpec {
  match: string;
  kind?: 'Rule';
  priority?: number;
  /** Deprecated in v3 (`v2` | `v3`). */
  syntax?: string;
  services?: LoadBalancerSpec[];
  middlewares?: MiddlewareRef[];
  observability?: RouterObservability;
}

export interface TLSOptionRef {
  name: string;
  namespace?: string;
}

export interface TLSStoreRef {
  name: string;
  namespace?: string;
}

export interface IngressRouteTLS {
  secretName?: string;
  options?: TLSOptionRef;
  store?: TLSStoreRef;
  certResolver?: string;
  domains?: Domain[];
}

export interface IngressRouteSpec {
  ingressClassName?: string;
  entryPoints?: string[];
  routes: RouteSpec[];
  tls?: IngressRouteTLS;
  parentRefs?: ObjectReference[];
}

// ---------------------------------------------------------------------------------------------------------
// IngressRouteTCP

export interface ProxyProtocol {
  version?: number;
}

export interface ServiceTCP {
  name: string;
  namespace?: string;
  port: IntOrString;
  weight?: number;
  /** Deprecated: use ServersTransportTCP.terminationDelay. Milliseconds. */
  terminationDelay?: number;
  /** Deprecated: use ServersTransportTCP.proxyProtocol. */
  proxyProtocol?: ProxyProtocol;
  serversTransport?: string;
  tls?: boolean;
  nativeLB?: boolean;
  nodePortLB?: boolean;
}

export interface RouteTCP {
  match: string;
  priority?: number;
  /** Deprecated in v3 (`v2` | `v3`). */
  syntax?: string;
  services?: ServiceTCP[];
  middlewares?: ObjectReference[];
}

export interface TLSTCP {
  secretName?: string;
  passthrough?: boolean;
  options?: ObjectReference;
  store?: ObjectReference;
  certResolver?: string;
  domains?: Domain[];
}

export interface IngressRouteTCPSpec {
  ingressClassName?: string;
  entryPoints?: string[];
  routes: RouteTCP[];
  tls?: TLSTCP;
}

// ---------------------------------------------------------------------------------------------------------
// IngressRouteUDP

export interface ServiceUDP {
  name: string;
  namespace?: string;
  port: IntOrString;
  weight?: number;
  nativeLB?: boolean;
  nodePortLB?: boolean;
}

export interface RouteUDP {
  services?: ServiceUDP[];
}

export interface IngressRouteUDPSpec {
  ingressClassName?: string;
  entryPoints?: string[];
  routes: RouteUDP[];
}

// ---------------------------------------------------------------------------------------------------------
// Middleware (HTTP)

export interface IPStrategy {
  depth?: number;
  excludedIPs?: string[];
  ipv6Subnet?: number;
}

export interface SourceCriterion {
  ipStrategy?: IPStrategy;
  requestHeaderName?: string;
  requestHost?: boolean;
}

export interface AddPrefixMiddleware { prefix?: string }
export interface StripPrefixMiddleware {
  prefixes?: string[];
  /** Deprecated. */
  forceSlash?: boolean;
}
export interface StripPrefixRegexMiddleware { regex?: string[] }
export interface ReplacePathMiddleware { path?: string }
export interface ReplacePathRegexMiddleware { regex?: string; replacement?: string }
export interface ChainMiddleware { middlewares?: MiddlewareRef[] }

export interface IPWhiteListMiddleware {
  sourceRange?: string[];
  ipStrategy?: IPStrategy;
}
export interface IPAllowListMiddleware extends IPWhiteListMiddleware {
  rejectStatusCode?: number;
}

export interface HeadersMiddleware {
  customRequestHeaders?: Record<string, string>;
  customResponseHeaders?: Record<string, string>;
  accessControlAllowCredentials?: boolean;
  accessControlAllowHeaders?: string[];
  accessControlAllowMethods?: string[];
  accessControlAllowOriginList?: string[];
  accessControlAllowOriginListRegex?: string[];
  accessControlExposeHeaders?: string[];
  accessControlMaxAge?: number;
  addVaryHeader?: boolean;
  allowedHosts?: string[];
  hostsProxyHeaders?: string[];
  sslProxyHeaders?: Record<string, string>;
  stsSeconds?: number;
  stsIncludeSubdomains?: boolean;
  stsPreload?: boolean;
  forceSTSHeader?: boolean;
  frameDeny?: boolean;
  customFrameOptionsValue?: string;
  contentTypeNosniff?: boolean;
  browserXssFilter?: boolean;
  customBrowserXSSValue?: string;
  contentSecurityPolicy?: string;
  contentSecurityPolicyReportOnly?: string;
  publicKey?: string;
  referrerPolicy?: string;
  permissionsPolicy?: string;
  isDevelopment?: boolean;
  /** Deprecated: permissionsPolicy. */
  featurePolicy?: string;
  /** Deprecated (removed in v3): entrypoint redirection or redirectScheme. */
  sslRedirect?: boolean;
  sslTemporaryRedirect?: boolean;
  /** Deprecated (removed in v3): redirectRegex. */
  sslHost?: string;
  sslForceHost?: boolean;
}

export interface EncodedCharactersMiddleware {
  allowEncodedSlash?: boolean;
  allowEncodedBackSlash?: boolean;
  allowEncodedNullCharacter?: boolean;
  allowEncodedSemicolon?: boolean;
  allowEncodedPercent?: boolean;
  allowEncodedQuestionMark?: boolean;
  allowEncodedHash?: boolean;
}

export interface ErrorsMiddleware {
  status?: string[];
  statusRewrites?: Record<string, number>;
  service?: LoadBalancerSpec;
  query?: string;
  errorRequestHeaders?: string[];
}

/** TLS client settings whose CA/cert come from Secrets (forwardAuth, redis). */
export interface ClientTLS {
  caSecret?: string;
  certSecret?: string;
  insecureSkipVerify?: boolean;
}
export interface ClientTLSWithCAOptional extends ClientTLS {
  /** Deprecated. */
  caOptional?: boolean;
}

export interface RedisConfig {
  endpoints?: string[];
  tls?: ClientTLS;
  secret?: string;
  db?: number;
  poolSize?: number;
  minIdleConns?: number;
  maxActiveConns?: number;
  readTimeout?: Duration;
  writeTimeout?: Duration;
  dialTimeout?: Duration;
}

export interface RateLimitMiddleware {
  average?: number;
  period?: Duration;
  burst?: number;
  sourceCriterion?: SourceCriterion;
  redis?: RedisConfig;
}

export interface RedirectRegexMiddleware { regex?: string; replacement?: string; permanent?: boolean }
export interface RedirectSchemeMiddleware { scheme?: string; port?: string; permanent?: boolean }

export interface BasicAuthMiddleware {
  secret?: string;
  realm?: string;
  removeHeader?: boolean;
  headerField?: string;
}
export type DigestAuthMiddleware = BasicAuthMiddleware;

export interface ForwardAuthMiddleware {
  address?: string;
  /** Deprecated in v3.7 (use entrypoint forwardedHeaders.trustedIPs). */
  trustForwardHeader?: boolean;
  authResponseHeaders?: string[];
  authResponseHeadersRegex?: string;
  authRequestHeaders?: string[];
  tls?: ClientTLSWithCAOptional;
  maxResponseBodySize?: number;
  addAuthCookiesToResponse?: string[];
  headerField?: string;
  forwardBody?: boolean;
  maxBodySize?: number;
  preserveLocationHeader?: boolean;
  preserveRequestMethod?: boolean;
  authSigninURL?: string;
}

export interface InFlightReqMiddleware {
  amount?: number;
  sourceCriterion?: SourceCriterion;
}

export interface BufferingMiddleware {
  maxRequestBodyBytes?: number;
  memRequestBodyBytes?: number;
  maxResponseBodyBytes?: number;
  memResponseBodyBytes?: number;
  retryExpression?: string;
}

export interface CircuitBreakerMiddleware {
  expression?: string;
  checkPeriod?: Duration;
  fallbackDuration?: Duration;
  recoveryDuration?: Duration;
  responseCode?: number;
}

export interface CompressMiddleware {
  excludedContentTypes?: string[];
  includedContentTypes?: string[];
  minResponseBodyBytes?: number;
  encodings?: string[];
  defaultEncoding?: string;
}

export interface TLSClientCertificateSubjectDNInfo {
  country?: boolean;
  province?: boolean;
  locality?: boolean;
  organization?: boolean;
  organizationalUnit?: boolean;
  commonName?: boolean;
  serialNumber?: boolean;
  domainComponent?: boolean;
}
export interface TLSClientCertificateIssuerDNInfo {
  country?: boolean;
  province?: boolean;
  locality?: boolean;
  organization?: boolean;
  commonName?: boolean;
  serialNumber?: boolean;
  domainComponent?: boolean;
}
export interface PassTLSClientCertMiddleware {
  pem?: boolean;
  info?: {
    notAfter?: boolean;
    notBefore?: boolean;
    sans?: boolean;
    serialNumber?: boolean;
    subject?: TLSClientCertificateSubjectDNInfo;
    issuer?: TLSClientCertificateIssuerDNInfo;
  };
}

export interface RetryMiddleware {
  attempts?: number;
  initialInterval?: Duration;
  timeout?: Duration;
  maxRequestBodyBytes?: number;
  status?: string[];
  disableRetryOnNetworkError?: boolean;
  retryNonIdempotentMethod?: boolean;
}

export interface ContentTypeMiddleware {
  /** Deprecated. */
  autoDetect?: boolean;
}

export interface GrpcWebMiddleware { allowOrigins?: string[] }

/** Exactly one field is expected to be set (Traefik fails "multi-types middleware" at runtime). */
export interface MiddlewareSpec {
  addPrefix?: AddPrefixMiddleware;
  stripPrefix?: StripPrefixMiddleware;
  stripPrefixRegex?: StripPrefixRegexMiddleware;
  replacePath?: ReplacePathMiddleware;
  replacePathRegex?: ReplacePathRegexMiddleware;
  chain?: ChainMiddleware;
  /** Deprecated: ipAllowList. */
  ipWhiteList?: IPWhiteListMiddleware;
  ipAllowList?: IPAllowListMiddleware;
  headers?: HeadersMiddleware;
  encodedCharacters?: EncodedCharactersMiddleware;
  errors?: ErrorsMiddleware;
  rateLimit?: RateLimitMiddleware;
  redirectRegex?: RedirectRegexMiddleware;
  redirectScheme?: RedirectSchemeMiddleware;
  basicAuth?: BasicAuthMiddleware;
  digestAuth?: DigestAuthMiddleware;
  forwardAuth?: ForwardAuthMiddleware;
  inFlightReq?: InFlightReqMiddleware;
  buffering?: BufferingMiddleware;
  circuitBreaker?: CircuitBreakerMiddleware;
  compress?: CompressMiddleware;
  passTLSClientCert?: PassTLSClientCertMiddleware;
  retry?: RetryMiddleware;
  contentType?: ContentTypeMiddleware;
  grpcWeb?: GrpcWebMiddleware;
  /** Plugin name → arbitrary JSON config. */
  plugin?: Record<string, unknown>;
}

export type MiddlewareType = keyof MiddlewareSpec;

// ---------------------------------------------------------------------------------------------------------
// MiddlewareTCP

export interface MiddlewareTCPSpec {
  inFlightConn?: { amount?: number };
  /** Deprecated: ipAllowList. */
  ipWhiteList?: { sourceRange?: string[] };
  ipAllowList?: { sourceRange?: string[] };
}

// ---------------------------------------------------------------------------------------------------------
// TraefikService

export interface WeightedRoundRobin {
  services?: LoadBalancerSpec[];
  sticky?: Sticky;
}

export interface MirrorService extends LoadBalancerSpec {
  percent?: number;
}

/** The main service is inline (LoadBalancerSpec fields at this level). */
export interface Mirroring extends LoadBalancerSpec {
  mirrorBody?: boolean;
  maxBodySize?: number;
  mirrors?: MirrorService[];
}

export interface HighestRandomWeight {
  services?: LoadBalancerSpec[];
}

export interface Failover {
  service: LoadBalancerSpec;
  fallback: LoadBalancerSpec;
  errors: { status?: string[]; maxRequestBodyBytes?: number };
}

/** One of; if several are set the first in this order wins (Traefik does the same, silently). */
export interface TraefikServiceSpec {
  weighted?: WeightedRoundRobin;
  mirroring?: Mirroring;
  highestRandomWeight?: HighestRandomWeight;
  failover?: Failover;
}

// ---------------------------------------------------------------------------------------------------------
// ServersTransport / ServersTransportTCP

export interface RootCA {
  secret?: string;
  configMap?: string;
}

export interface PeerCertSAN {
  /** `DNSName` | `URI`. */
  type?: string;
  value?: string;
}

export interface Spiffe {
  ids?: string[];
  trustDomain?: string;
}

export interface ForwardingTimeouts {
  dialTimeout?: Duration;
  responseHeaderTimeout?: Duration;
  idleConnTimeout?: Duration;
  readIdleTimeout?: Duration;
  pingTimeout?: Duration;
}

export interface ServersTransportSpec {
  serverName?: string;
  insecureSkipVerify?: boolean;
  rootCAs?: RootCA[];
  /** Deprecated: rootCAs. */
  rootCAsSecrets?: string[];
  certificatesSecrets?: string[];
  cipherSuites?: string[];
  minVersion?: string;
  maxVersion?: string;
  maxIdleConnsPerHost?: number;
  forwardingTimeouts?: ForwardingTimeouts;
  disableHTTP2?: boolean;
  /** Deprecated: peerCertSANs. */
  peerCertURI?: string;
  peerCertSANs?: PeerCertSAN[];
  spiffe?: Spiffe;
}

export interface TLSClientConfig {
  serverName?: string;
  insecureSkipVerify?: boolean;
  rootCAs?: RootCA[];
  /** Deprecated: rootCAs. */
  rootCAsSecrets?: string[];
  certificatesSecrets?: string[];
  /** Deprecated: peerCertSANs. */
  peerCertURI?: string;
  peerCertSANs?: PeerCertSAN[];
  spiffe?: Spiffe;
}

export interface ServersTransportTCPSpec {
  dialTimeout?: Duration;
  dialKeepAlive?: Duration;
  proxyProtocol?: ProxyProtocol;
  terminationDelay?: Duration;
  tls?: TLSClientConfig;
}

// ---------------------------------------------------------------------------------------------------------
// TLSOption / TLSStore

export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

export interface TLSOptionSpec {
  minVersion?: string;
  maxVersion?: string;
  cipherSuites?: string[];
  curvePreferences?: string[];
  clientAuth?: { secretNames?: string[]; clientAuthType?: ClientAuthType };
  sniStrict?: boolean;
  alpnProtocols?: string[];
  disableSessionTickets?: boolean;
  /** Deprecated and ignored. */
  preferServerCipherSuites?: boolean;
}

export interface TLSStoreCertificate {
  secretName: string;
}

export interface TLSStoreSpec {
  defaultCertificate?: TLSStoreCertificate;
  defaultGeneratedCert?: { resolver?: string; domain?: Domain };
  certificates?: TLSStoreCertificate[];
}

// ---------------------------------------------------------------------------------------------------------
// Core objects (only the fields we read)

export interface ServicePortSpec {
  name?: string;
  port: number;
  targetPort?: IntOrString;
  nodePort?: number;
  protocol?: string;
}

export interface ServiceSpecCore {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  ports?: ServicePortSpec[];
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface EndpointSliceEndpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  zone?: string;
}

export interface EndpointSlicePort {
  name?: string;
  port?: number;
  protocol?: string;
}

/** EndpointSlice has no `spec`: these are its top-level fields. The owning Service is label `kubernetes.io/service-name`. */
export interface EndpointSliceSpec {
  addressType: string;
  endpoints?: EndpointSliceEndpoint[];
  ports?: EndpointSlicePort[];
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Endpoints has no `spec`: `subsets` is top-level. */
export interface EndpointsSpec {
  subsets?: EndpointSubset[];
}

/** Secret has no `spec`: these are its top-level fields. `data` values are base64. */
export interface SecretSpec {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface ConfigMapSpec {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface NodeAddress {
  type: string;
  address: string;
}

/** Node: only `status.addresses` is read. */
export interface NodeSpec {
  status?: { addresses?: NodeAddress[] };
}

// ---------------------------------------------------------------------------------------------------------
// Typed object wrapper

export type ApiGroup = 'traefik.io' | 'traefik.containo.us' | 'core' | 'discovery.k8s.io' | 'networking.k8s.io';

export interface TypedObject<K extends string = string, Spec = unknown> {
  group: ApiGroup;
  /** API version (`v1alpha1`, `v1`); always set by parseObject, optional for hand-built fixtures. */
  version?: string;
  kind: K;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `spec` for Traefik kinds and Service; for kinds without a spec the top-level fields listed in their *Spec type. */
  spec: Spec;
  raw: RawObject;
}

export type IngressRouteObj = TypedObject<'IngressRoute', IngressRouteSpec>;
export type IngressRouteTCPObj = TypedObject<'IngressRouteTCP', IngressRouteTCPSpec>;
export type IngressRouteUDPObj = TypedObject<'IngressRouteUDP', IngressRouteUDPSpec>;
export type MiddlewareObj = TypedObject<'Middleware', MiddlewareSpec>;
export type MiddlewareTCPObj = TypedObject<'MiddlewareTCP', MiddlewareTCPSpec>;
export type TraefikServiceObj = TypedObject<'TraefikService', TraefikServiceSpec>;
export type ServersTransportObj = TypedObject<'ServersTransport', ServersTransportSpec>;
export type ServersTransportTCPObj = TypedObject<'ServersTransportTCP', ServersTransportTCPSpec>;
export type TLSOptionObj = TypedObject<'TLSOption', TLSOptionSpec>;
export type TLSStoreObj = TypedObject<'TLSStore', TLSStoreSpec>;
export type ServiceObj = TypedObject<'Service', ServiceSpecCore>;
export type EndpointSliceObj = TypedObject<'EndpointSlice', EndpointSliceSpec>;
export type EndpointsObj = TypedObject<'Endpoints', EndpointsSpec>;
export type SecretObj = TypedObject<'Secret', SecretSpec>;
export type ConfigMapObj = TypedObject<'ConfigMap', ConfigMapSpec>;
export type NodeObj = TypedObject<'Node', NodeSpec>;

export type TraefikObject =
  | IngressRouteObj
  | IngressRouteTCPObj
  | IngressRouteUDPObj
  | MiddlewareObj
  | MiddlewareTCPObj
  | TraefikServiceObj
  | ServersTransportObj
  | ServersTransportTCPObj
  | TLSOptionObj
  | TLSStoreObj;

export type CoreObject = ServiceObj | EndpointSliceObj | EndpointsObj | SecretObj | ConfigMapObj | NodeObj | IngressObj | IngressClassObj;

/** Discriminated on `kind`. */
export type AnyTypedObject = TraefikObject | CoreObject;

export type TraefikKind = TraefikObject['kind'];
export type CoreKind = CoreObject['kind'];
