// Upstream clusters: EDS for Kubernetes endpoints, LOGICAL_DNS for ExternalName services, with the protocol
// (http, https, h2c), the ServersTransport's timeouts, HTTP/2 and TLS settings (upstream-tls.ts), the
// load-balancing strategy, and the health checks (health-check.ts, outlier-detection.ts).
import { ADS, T } from './type-urls';
import { buildUpstreamTlsSocket, SYSTEM_CA_BUNDLE } from './upstream-tls';
import { buildHealthCheck } from './health-check';
import { buildOutlierDetection } from './outlier-detection';
import type { Diagnostics } from '../model/diagnostics';
import type { Cluster } from '../envoy/types';
import type { UpstreamCluster } from '../model/model';

export { SYSTEM_CA_BUNDLE };

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

export function buildCluster(c: UpstreamCluster, diags?: Diagnostics): Cluster {
  const cluster: Cluster = { name: c.name, connect_timeout: seconds(c.connectTimeoutMs) };
  if (c.failAll && c.discovery === 'dns') {
    // Traefik fails every request (reported by the model): no endpoint, Envoy answers 503.
    cluster.type = 'STATIC';
    cluster.load_assignment = { cluster_name: c.name };
  } else if (c.discovery === 'eds') {
    cluster.type = 'EDS';
    cluster.eds_cluster_config = { service_name: c.name, eds_config: ADS };
  } else {
    // Go dials the ExternalName per connection: LOGICAL_DNS is the closest Envoy behaviour.
    cluster.type = 'LOGICAL_DNS';
    cluster.dns_lookup_family = 'V4_PREFERRED';
    const endpoint: Record<string, unknown> = { address: { socket_address: { address: c.dnsHost!, port_value: c.dnsPort! } } };
    // healthCheck.port: the check goes to another port of the same host.
    if (c.healthCheck?.port !== undefined) endpoint.health_check_config = { port_value: c.healthCheck.port };
    cluster.load_assignment = { cluster_name: c.name, endpoints: [{ lb_endpoints: [{ endpoint: endpoint as never }] }] };
  }
  switch (c.strategy) {
    case 'p2c':
      // Power of two choices by in-flight requests: exact.
      cluster.lb_policy = 'LEAST_REQUEST';
      cluster.least_request_lb_config = { choice_count: 2 };
      break;
    case 'hrw':
      // Rendezvous hashing of the client IP: consistent hashing on the source IP (the routes set the hash policy).
      cluster.lb_policy = 'MAGLEV';
      break;
    case 'leasttime':
      // Lowest response time: Envoy cannot see it; the fewest active requests over every server is the closest.
      cluster.load_balancing_policy = {
        policies: [{
          typed_extension_config: {
            name: 'envoy.load_balancing_policies.least_request',
            typed_config: { '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest', selection_method: 'FULL_SCAN' } as never,
          },
        }],
      };
      break;
    default:
      break;
  }
  if (c.healthCheck || c.passiveHealthCheck) {
    // Traefik answers 503 when every server is down; Envoy's panic mode would send traffic to them all.
    cluster.common_lb_config = { healthy_panic_threshold: { value: 0 } };
  }
  if (c.sticky) {
    // Server-level stickiness (http/sticky.ts): a stateful-session cookie may select a fenced (DRAINING)
    // endpoint, which Envoy never balances to; no panic mode either, which would balance to them when many
    // servers are terminating (Traefik answers 503 once every server is fenced).
    cluster.common_lb_config = {
      ...cluster.common_lb_config,
      healthy_panic_threshold: { value: 0 },
      override_host_status: { statuses: ['UNKNOWN', 'HEALTHY', 'DRAINING'] },
    };
  }

  const common: Record<string, unknown> = { idle_timeout: seconds(c.idleTimeoutMs) };
  // maxIdleConnsPerHost < 0: Go opens a connection per request.
  if (c.singleRequestConnections) common.max_requests_per_connection = 1;
  const protocol: { '@type': string; [k: string]: unknown } = { '@type': T.httpProtocolOptions, common_http_protocol_options: common };
  const http2: Record<string, unknown> = {};
  if (c.http2Keepalive) {
    http2.connection_keepalive = {
      interval: seconds(c.http2Keepalive.intervalMs),
      timeout: seconds(c.http2Keepalive.timeoutMs),
      interval_jitter: { value: 0 },
    };
  }
  if (c.scheme === 'h2c') protocol.explicit_http_config = { http2_protocol_options: http2 };
  else if (c.scheme === 'https' && c.allowHttp2) protocol.auto_config = { http_protocol_options: {}, http2_protocol_options: http2 };
  else protocol.explicit_http_config = { http_protocol_options: {} };
  cluster.typed_extension_protocol_options = { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': protocol };
  if (c.tls) {
    cluster.transport_socket = buildUpstreamTlsSocket(c.tls, { alpn: c.allowHttp2 ? ['h2', 'http/1.1'] : ['http/1.1'], diags, cluster: c });
  }
  Object.assign(cluster, buildHealthCheck(c));
  const outlier = buildOutlierDetection(c);
  if (outlier) cluster.outlier_detection = outlier;
  return cluster;
}
