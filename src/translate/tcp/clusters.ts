// TCP and UDP upstream clusters: EDS (or LOGICAL_DNS for ExternalName), the ServersTransportTCP dial settings
// (connect timeout, TCP keep-alive), TLS to the servers (UpstreamTlsContext) and the PROXY protocol header
// (upstream_proxy_protocol transport socket wrapping raw_buffer or TLS).
import { ADS } from '../type-urls';
import { SYSTEM_CA_BUNDLE } from '../clusters';
import { typed, type Cluster, type ClusterLoadAssignment, type TransportSocket } from '../../envoy/types';
import { isIP } from 'node:net';
import type { Diagnostics } from '../../model/diagnostics';
import type { TcpUpstream, TcpUpstreamTls } from '../../model/model';
import { CLOSED_CLUSTER } from './chains';

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Envoy needs a connect timeout; Go's dialTimeout 0 means none, still bounded by the kernel (Linux: 6 SYN retries ≈ 127 s). */
const NO_DIAL_TIMEOUT = '127s';

export function buildTcpCluster(c: TcpUpstream, diags: Diagnostics): Cluster {
  const cluster: Cluster = { name: c.name };
  if (c.failAll) {
    // Traefik fails every connection to these servers: a cluster with no endpoint does the same.
    cluster.type = 'STATIC';
    cluster.load_assignment = { cluster_name: c.name };
    return cluster;
  }
  if (c.discovery === 'eds') {
    cluster.type = 'EDS';
    cluster.eds_cluster_config = { service_name: c.name, eds_config: ADS };
  } else {
    cluster.type = 'LOGICAL_DNS';
    cluster.dns_lookup_family = 'V4_PREFERRED';
    cluster.load_assignment = {
      cluster_name: c.name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: c.dnsHost!, port_value: c.dnsPort! } } } }] }],
    };
  }
  const t = c.transport;
  if (c.protocol === 'tcp' && t) {
    if (t.dialTimeoutMs > 0) cluster.connect_timeout = seconds(t.dialTimeoutMs);
    else {
      cluster.connect_timeout = NO_DIAL_TIMEOUT;
      for (const p of c.provenance.slice(0, 1)) {
        diags.info(p.subject, p.field, `dialTimeout 0 (no timeout in Traefik, so the kernel's ≈ 127 s) is approximated by a ${NO_DIAL_TIMEOUT} connect timeout: Envoy needs one`);
      }
    }
    // Go's dialer: 0 = keep-alive every 15 s, negative = off; idle time and interval both take the value.
    if (t.dialKeepAliveMs >= 0) {
      const s = t.dialKeepAliveMs === 0 ? 15 : Math.max(1, Math.ceil(t.dialKeepAliveMs / 1000));
      cluster.upstream_connection_options = { tcp_keepalive: { keepalive_time: s, keepalive_interval: s, keepalive_probes: 9 } };
    }
  }
  const socket = transportSocket(c);
  if (socket) cluster.transport_socket = socket;
  return cluster;
}

function upstreamTls(tls: TcpUpstreamTls): TransportSocket {
  const common: Record<string, unknown> = {
    // Go's client goes up to TLS 1.3; Envoy's client stops at 1.2 unless told.
    tls_params: { tls_maximum_protocol_version: 'TLSv1_3' },
  };
  // Envoy's client contexts take one certificate (the first; reported in the model when there are several).
  if (tls.clientCertificates.length) common.tls_certificate_sds_secret_configs = [{ name: tls.clientCertificates[0]!, sds_config: ADS }];
  // insecureSkipVerify skips Go's verification, but a peerCertURI check still verifies the chain (VerifyPeerCertificate).
  if (!tls.insecureSkipVerify || tls.peerCertURI !== undefined) {
    const v: Record<string, unknown> = {
      trusted_ca: tls.rootCAs.length ? { inline_string: tls.rootCAs.join('') } : { filename: SYSTEM_CA_BUNDLE },
    };
    if (tls.peerCertURI !== undefined) {
      v.match_typed_subject_alt_names = [{ san_type: 'URI', matcher: { exact: tls.peerCertURI, ignore_case: true } }];
    } else if (tls.serverName) {
      v.match_typed_subject_alt_names = [{ san_type: isIP(tls.serverName) ? 'IP_ADDRESS' : 'DNS', matcher: { exact: tls.serverName } }];
    }
    common.validation_context = v;
  }
  const ctx: Record<string, unknown> = { common_tls_context: common };
  // Go sends no SNI for an IP address.
  if (tls.serverName && !isIP(tls.serverName)) ctx.sni = tls.serverName;
  return { name: 'envoy.transport_sockets.tls', typed_config: typed('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', ctx as never) };
}

function transportSocket(c: TcpUpstream): TransportSocket | undefined {
  const tls = c.tls ? upstreamTls(c.tls) : undefined;
  if (!c.proxyProtocol) return tls;
  return {
    name: 'envoy.transport_sockets.upstream_proxy_protocol',
    typed_config: typed('envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport', {
      config: { version: c.proxyProtocol === 1 ? 'V1' : 'V2' },
      transport_socket: tls ?? { name: 'envoy.transport_sockets.raw_buffer', typed_config: typed('envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer', {}) },
    }),
  };
}

/** The EDS assignment of a TCP/UDP cluster (endpoints sorted; `weights` per address for merged UDP clusters). */
export function buildTcpLoadAssignment(name: string, endpoints: { address: string; port: number; weight?: number }[]): ClusterLoadAssignment {
  const eps = endpoints.slice().sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  const cla: ClusterLoadAssignment = { cluster_name: name };
  if (eps.length) {
    cla.endpoints = [{
      lb_endpoints: eps.map((e) => ({
        endpoint: { address: { socket_address: { address: e.address, port_value: e.port } } },
        ...(e.weight !== undefined ? { load_balancing_weight: e.weight } : {}),
      })),
    }];
  }
  return cla;
}

/** A cluster without endpoints, for connections (or datagrams) Traefik would close. */
export function closedCluster(name = CLOSED_CLUSTER): Cluster {
  return { name, type: 'STATIC', load_assignment: { cluster_name: name } };
}
