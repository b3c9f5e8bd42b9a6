// Active health checks (traefik-to-envoy.md §6): `Cluster.health_checks` for ExternalName upstreams, with
// Traefik's defaults made explicit where Envoy's differ (200–399 accepted, thresholds 1/1, no slower interval
// without traffic), and the check's own transport when it differs from the cluster's (plaintext vs TLS).
import { buildUpstreamTlsSocket } from './upstream-tls';
import type { Cluster, HealthCheck } from '../envoy/types';
import type { UpstreamCluster } from '../model/model';

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Endpoint metadata never carries this key: only the health check selects the socket it names. */
const MATCH = { 'traefik-xds.health-check': 'true' };

/** The health check of a cluster, and the transport socket it needs when it is not the cluster's. */
export function buildHealthCheck(c: UpstreamCluster): Pick<Cluster, 'health_checks' | 'transport_socket_matches'> {
  const hc = c.healthCheck;
  if (!hc) return {};
  const check: Record<string, unknown> = {
    timeout: seconds(hc.timeoutMs),
    interval: seconds(hc.intervalMs),
    // Traefik flips a server on one result, and probes at `interval` whether or not traffic flows.
    unhealthy_threshold: 1,
    healthy_threshold: 1,
    no_traffic_interval: seconds(hc.intervalMs),
    unhealthy_interval: seconds(hc.unhealthyIntervalMs),
  };
  if (hc.mode === 'grpc') {
    check.grpc_health_check = { authority: hc.authority };
  } else {
    const http: Record<string, unknown> = {
      // Envoy sends the cluster name as Host when none is set; Go sends the server address (or `hostname`).
      host: hc.host,
      path: hc.path,
      expected_statuses: hc.expectedStatuses.map(([start, end]) => ({ start, end })),
      codec_client_type: hc.http2 ? 'HTTP2' : 'HTTP1',
    };
    if (hc.method !== 'GET') http.method = hc.method;
    if (hc.headers.length) {
      http.request_headers_to_add = hc.headers.map(([key, value]) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }));
    }
    check.http_health_check = http;
  }
  const clusterTls = c.scheme === 'https';
  const out: Pick<Cluster, 'health_checks' | 'transport_socket_matches'> = {};
  if (hc.tls) {
    // A TLS check offers the protocol its codec speaks (the cluster's ALPN could pick h2 for an HTTP/1.1 check).
    check.tls_options = { alpn_protocols: hc.http2 ? ['h2'] : ['http/1.1'] };
  }
  if (hc.tls !== clusterTls) {
    check.transport_socket_match_criteria = MATCH;
    const socket = hc.tls
      ? buildUpstreamTlsSocket(hc.tlsContext!, { alpn: hc.http2 ? ['h2'] : ['http/1.1'] })
      : { name: 'envoy.transport_sockets.raw_buffer', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } };
    out.transport_socket_matches = [{ name: 'health-check', match: MATCH, transport_socket: socket as never }];
  }
  out.health_checks = [check as HealthCheck];
  return out;
}
