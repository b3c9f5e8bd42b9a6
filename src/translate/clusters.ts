// Upstream clusters: EDS for Kubernetes endpoints, LOGICAL_DNS for ExternalName services, with the
// protocol (http, https, h2c) and the default@internal transport's timeouts and TLS verification.
import { ADS, T } from './type-urls';
import type { Cluster } from '../envoy/types';
import type { UpstreamCluster } from '../model/model';

/** Where Debian/Alpine/UBI images keep the system CA bundle: Envoy has no "system roots" switch. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

export function buildCluster(c: UpstreamCluster): Cluster {
  const cluster: Cluster = { name: c.name, connect_timeout: seconds(c.connectTimeoutMs) };
  if (c.discovery === 'eds') {
    cluster.type = 'EDS';
    cluster.eds_cluster_config = { service_name: c.name, eds_config: ADS };
  } else {
    // Go dials the ExternalName per connection: LOGICAL_DNS is the closest Envoy behaviour.
    cluster.type = 'LOGICAL_DNS';
    cluster.dns_lookup_family = 'V4_PREFERRED';
    cluster.load_assignment = {
      cluster_name: c.name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: c.dnsHost!, port_value: c.dnsPort! } } } }] }],
    };
  }
  if (c.strategy === 'p2c') {
    cluster.lb_policy = 'LEAST_REQUEST';
    cluster.least_request_lb_config = { choice_count: 2 };
  }
  const protocol: { '@type': string; [k: string]: unknown } = {
    '@type': T.httpProtocolOptions,
    common_http_protocol_options: { idle_timeout: seconds(c.idleTimeoutMs) },
  };
  if (c.scheme === 'h2c') protocol.explicit_http_config = { http2_protocol_options: {} };
  else if (c.scheme === 'https' && c.allowHttp2) protocol.auto_config = { http_protocol_options: {}, http2_protocol_options: {} };
  else protocol.explicit_http_config = { http_protocol_options: {} };
  cluster.typed_extension_protocol_options = { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': protocol };
  if (c.scheme === 'https') cluster.transport_socket = upstreamTls(c);
  return cluster;
}

function upstreamTls(c: UpstreamCluster): NonNullable<Cluster['transport_socket']> {
  const common: Record<string, unknown> = {
    // Go's client goes up to TLS 1.3; Envoy's client stops at 1.2 unless told.
    tls_params: { tls_maximum_protocol_version: 'TLSv1_3' },
    alpn_protocols: c.allowHttp2 ? ['h2', 'http/1.1'] : ['http/1.1'],
  };
  const ctx: Record<string, unknown> = { '@type': T.upstreamTls, common_tls_context: common };
  if (c.verifyTls) {
    const validation: Record<string, unknown> = c.rootCAs.length
      ? { trusted_ca: { inline_string: c.rootCAs.join('\n') } }
      : { trusted_ca: { filename: SYSTEM_CA_BUNDLE } };
    if (c.discovery === 'dns' && c.dnsHost) {
      // Go verifies the certificate against the URL host, which is the ExternalName.
      validation.match_typed_subject_alt_names = [{ san_type: 'DNS', matcher: { exact: c.dnsHost } }];
    }
    common.validation_context = validation;
  }
  if (c.discovery === 'dns' && c.dnsHost) ctx.sni = c.dnsHost;
  return { name: 'envoy.transport_sockets.tls', typed_config: ctx as any };
}
