// Friendly names for the Envoy JSON-form interfaces the translator uses most. Everything else is
// in generated/envoy-types.ts under its full name with dots as underscores
// (`envoy_config_route_v3_RouteAction_HashPolicy`), or via EnvoyTypeMap['<full name>'].

import type * as G from '../../generated/envoy-types';
import { typeUrl } from './proto';

export type { AnyJson, EnvoyTypeMap, JsonValue } from '../../generated/envoy-types';
export type EnvoyTypeName = keyof G.EnvoyTypeMap;

// xDS resources
export type Listener = G.envoy_config_listener_v3_Listener;
export type RouteConfiguration = G.envoy_config_route_v3_RouteConfiguration;
export type Cluster = G.envoy_config_cluster_v3_Cluster;
export type ClusterLoadAssignment = G.envoy_config_endpoint_v3_ClusterLoadAssignment;
export type Secret = G.envoy_extensions_transport_sockets_tls_v3_Secret;

// listener
export type FilterChain = G.envoy_config_listener_v3_FilterChain;
export type FilterChainMatch = G.envoy_config_listener_v3_FilterChainMatch;
export type NetworkFilter = G.envoy_config_listener_v3_Filter;
export type ListenerFilter = G.envoy_config_listener_v3_ListenerFilter;
export type ApiListener = G.envoy_config_listener_v3_ApiListener;

// core
export type Address = G.envoy_config_core_v3_Address;
export type SocketAddress = G.envoy_config_core_v3_SocketAddress;
export type ConfigSource = G.envoy_config_core_v3_ConfigSource;
export type TransportSocket = G.envoy_config_core_v3_TransportSocket;
export type TypedExtensionConfig = G.envoy_config_core_v3_TypedExtensionConfig;
export type HeaderValue = G.envoy_config_core_v3_HeaderValue;
export type HeaderValueOption = G.envoy_config_core_v3_HeaderValueOption;
export type DataSource = G.envoy_config_core_v3_DataSource;
export type Metadata = G.envoy_config_core_v3_Metadata;
export type HealthCheck = G.envoy_config_core_v3_HealthCheck;
export type GrpcService = G.envoy_config_core_v3_GrpcService;
export type HttpUri = G.envoy_config_core_v3_HttpUri;
export type Http1ProtocolOptions = G.envoy_config_core_v3_Http1ProtocolOptions;
export type Http2ProtocolOptions = G.envoy_config_core_v3_Http2ProtocolOptions;
export type CoreHttpProtocolOptions = G.envoy_config_core_v3_HttpProtocolOptions;
export type Node = G.envoy_config_core_v3_Node;

// routes
export type VirtualHost = G.envoy_config_route_v3_VirtualHost;
export type Route = G.envoy_config_route_v3_Route;
export type RouteMatch = G.envoy_config_route_v3_RouteMatch;
export type RouteAction = G.envoy_config_route_v3_RouteAction;
export type WeightedCluster = G.envoy_config_route_v3_WeightedCluster;
export type ClusterWeight = G.envoy_config_route_v3_WeightedCluster_ClusterWeight;
export type RequestMirrorPolicy = G.envoy_config_route_v3_RouteAction_RequestMirrorPolicy;
export type HashPolicy = G.envoy_config_route_v3_RouteAction_HashPolicy;
export type RedirectAction = G.envoy_config_route_v3_RedirectAction;
export type DirectResponseAction = G.envoy_config_route_v3_DirectResponseAction;
export type RetryPolicy = G.envoy_config_route_v3_RetryPolicy;
export type HeaderMatcher = G.envoy_config_route_v3_HeaderMatcher;
export type QueryParameterMatcher = G.envoy_config_route_v3_QueryParameterMatcher;
export type StringMatcher = G.envoy_type_matcher_v3_StringMatcher;
export type RegexMatcher = G.envoy_type_matcher_v3_RegexMatcher;
export type FilterConfig = G.envoy_config_route_v3_FilterConfig;

// endpoints
export type LocalityLbEndpoints = G.envoy_config_endpoint_v3_LocalityLbEndpoints;
export type LbEndpoint = G.envoy_config_endpoint_v3_LbEndpoint;
export type Endpoint = G.envoy_config_endpoint_v3_Endpoint;

// TLS
export type DownstreamTlsContext = G.envoy_extensions_transport_sockets_tls_v3_DownstreamTlsContext;
export type UpstreamTlsContext = G.envoy_extensions_transport_sockets_tls_v3_UpstreamTlsContext;
export type CommonTlsContext = G.envoy_extensions_transport_sockets_tls_v3_CommonTlsContext;
export type TlsParameters = G.envoy_extensions_transport_sockets_tls_v3_TlsParameters;
export type TlsCertificate = G.envoy_extensions_transport_sockets_tls_v3_TlsCertificate;
export type CertificateValidationContext = G.envoy_extensions_transport_sockets_tls_v3_CertificateValidationContext;
export type CombinedCertificateValidationContext = G.envoy_extensions_transport_sockets_tls_v3_CommonTlsContext_CombinedCertificateValidationContext;
export type SdsSecretConfig = G.envoy_extensions_transport_sockets_tls_v3_SdsSecretConfig;
export type SpiffeCertValidatorConfig = G.envoy_extensions_transport_sockets_tls_v3_SPIFFECertValidatorConfig;

// network, listener and UDP filters
export type HttpConnectionManager = G.envoy_extensions_filters_network_http_connection_manager_v3_HttpConnectionManager;
export type HttpFilter = G.envoy_extensions_filters_network_http_connection_manager_v3_HttpFilter;
export type Rds = G.envoy_extensions_filters_network_http_connection_manager_v3_Rds;
export type TcpProxy = G.envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy;
export type TcpProxyWeightedCluster = G.envoy_extensions_filters_network_tcp_proxy_v3_TcpProxy_WeightedCluster;
export type UdpProxyConfig = G.envoy_extensions_filters_udp_udp_proxy_v3_UdpProxyConfig;
export type UdpProxyRoute = G.envoy_extensions_filters_udp_udp_proxy_v3_Route;
export type NetworkRbac = G.envoy_extensions_filters_network_rbac_v3_RBAC;
export type ConnectionLimit = G.envoy_extensions_filters_network_connection_limit_v3_ConnectionLimit;
export type NetworkLocalRateLimit = G.envoy_extensions_filters_network_local_ratelimit_v3_LocalRateLimit;
export type TlsInspector = G.envoy_extensions_filters_listener_tls_inspector_v3_TlsInspector;
export type ListenerProxyProtocol = G.envoy_extensions_filters_listener_proxy_protocol_v3_ProxyProtocol;

// HTTP filters
export type Router = G.envoy_extensions_filters_http_router_v3_Router;
export type HttpLocalRateLimit = G.envoy_extensions_filters_http_local_ratelimit_v3_LocalRateLimit;
export type HttpRbac = G.envoy_extensions_filters_http_rbac_v3_RBAC;
export type HttpRbacPerRoute = G.envoy_extensions_filters_http_rbac_v3_RBACPerRoute;
export type Rbac = G.envoy_config_rbac_v3_RBAC;
export type Cors = G.envoy_extensions_filters_http_cors_v3_Cors;
export type CorsPolicy = G.envoy_extensions_filters_http_cors_v3_CorsPolicy;
export type BasicAuth = G.envoy_extensions_filters_http_basic_auth_v3_BasicAuth;
export type ExtAuthz = G.envoy_extensions_filters_http_ext_authz_v3_ExtAuthz;
export type ExtAuthzPerRoute = G.envoy_extensions_filters_http_ext_authz_v3_ExtAuthzPerRoute;
export type Compressor = G.envoy_extensions_filters_http_compressor_v3_Compressor;
export type Decompressor = G.envoy_extensions_filters_http_decompressor_v3_Decompressor;
export type GzipCompressor = G.envoy_extensions_compression_gzip_compressor_v3_Gzip;
export type BrotliCompressor = G.envoy_extensions_compression_brotli_compressor_v3_Brotli;
export type ZstdCompressor = G.envoy_extensions_compression_zstd_compressor_v3_Zstd;
export type GrpcWeb = G.envoy_extensions_filters_http_grpc_web_v3_GrpcWeb;
export type Lua = G.envoy_extensions_filters_http_lua_v3_Lua;
export type HeaderMutation = G.envoy_extensions_filters_http_header_mutation_v3_HeaderMutation;
export type HeaderMutationPerRoute = G.envoy_extensions_filters_http_header_mutation_v3_HeaderMutationPerRoute;
export type Buffer = G.envoy_extensions_filters_http_buffer_v3_Buffer;
export type StatefulSession = G.envoy_extensions_filters_http_stateful_session_v3_StatefulSession;
export type CookieBasedSessionState = G.envoy_extensions_http_stateful_session_cookie_v3_CookieBasedSessionState;
export type CustomResponse = G.envoy_extensions_filters_http_custom_response_v3_CustomResponse;
export type HttpFault = G.envoy_extensions_filters_http_fault_v3_HTTPFault;
export type TokenBucket = G.envoy_type_v3_TokenBucket;

// clusters and upstreams
export type UpstreamHttpProtocolOptions = G.envoy_extensions_upstreams_http_v3_HttpProtocolOptions;
export type ProxyProtocolUpstreamTransport = G.envoy_extensions_transport_sockets_proxy_protocol_v3_ProxyProtocolUpstreamTransport;
export type AggregateClusterConfig = G.envoy_extensions_clusters_aggregate_v3_ClusterConfig;
export type XffConfig = G.envoy_extensions_http_original_ip_detection_xff_v3_XffConfig;

// matching
export type XdsMatcher = G.xds_type_matcher_v3_Matcher;

// bootstrap, discovery, admin
export type Bootstrap = G.envoy_config_bootstrap_v3_Bootstrap;
export type DiscoveryRequest = G.envoy_service_discovery_v3_DiscoveryRequest;
export type DiscoveryResponse = G.envoy_service_discovery_v3_DiscoveryResponse;
export type DeltaDiscoveryRequest = G.envoy_service_discovery_v3_DeltaDiscoveryRequest;
export type DeltaDiscoveryResponse = G.envoy_service_discovery_v3_DeltaDiscoveryResponse;
export type ConfigDump = G.envoy_admin_v3_ConfigDump;

/** Well-known types whose JSON form is not an object of fields: in an Any they go under "value". */
type SpecialJsonType =
  | 'google.protobuf.Any'
  | 'google.protobuf.Duration'
  | 'google.protobuf.Timestamp'
  | 'google.protobuf.FieldMask'
  | 'google.protobuf.Struct'
  | 'google.protobuf.Value'
  | 'google.protobuf.ListValue'
  | 'google.protobuf.DoubleValue'
  | 'google.protobuf.FloatValue'
  | 'google.protobuf.Int64Value'
  | 'google.protobuf.UInt64Value'
  | 'google.protobuf.Int32Value'
  | 'google.protobuf.UInt32Value'
  | 'google.protobuf.BoolValue'
  | 'google.protobuf.StringValue'
  | 'google.protobuf.BytesValue';

/**
 * A `google.protobuf.Any` holding a `K`, in JSON form. Mapped (not an intersection with the
 * interface) so that it is assignable to AnyJson's index signature.
 */
export type Typed<K extends EnvoyTypeName> = Flatten<{ '@type': string } & (K extends SpecialJsonType ? { value: G.EnvoyTypeMap[K] } : G.EnvoyTypeMap[K])>;
type Flatten<T> = { [P in keyof T]: T[P] };

const SPECIAL_JSON = new Set<string>([
  'google.protobuf.Any', 'google.protobuf.Duration', 'google.protobuf.Timestamp', 'google.protobuf.FieldMask', 'google.protobuf.Struct',
  'google.protobuf.Value', 'google.protobuf.ListValue', 'google.protobuf.DoubleValue', 'google.protobuf.FloatValue',
  'google.protobuf.Int64Value', 'google.protobuf.UInt64Value', 'google.protobuf.Int32Value', 'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue', 'google.protobuf.StringValue', 'google.protobuf.BytesValue',
]);

/**
 * Packs a JSON-form message as an Any, e.g. `typed('envoy.extensions.filters.http.router.v3.Router', {})`
 * or `typed('google.protobuf.StringValue', 'chain-a')`. Name and shape are checked at compile time.
 */
export function typed<K extends EnvoyTypeName>(typeName: K, message: G.EnvoyTypeMap[K]): Typed<K> {
  const body = SPECIAL_JSON.has(typeName) ? { value: message } : (message as object);
  return { '@type': typeUrl(typeName), ...body } as Typed<K>;
}
