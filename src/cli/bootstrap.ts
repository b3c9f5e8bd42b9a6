// `traefik-xds bootstrap`: an Envoy bootstrap (envoy.config.bootstrap.v3.Bootstrap) that takes all its
// configuration from a traefik-xds server over ADS (state of the world, or delta with --delta).
import * as net from 'node:net';
import { canonicalize, type JsonObject } from '../envoy/json';
import { formatDocument } from './output';
import { EXIT_OK, UsageError } from './common';
import { envoyXdsTransportSocket, type EnvoyXdsTlsOptions } from '../xds/tls';

export const BOOTSTRAP_TYPE = 'envoy.config.bootstrap.v3.Bootstrap';
export const XDS_CLUSTER = 'xds_cluster';
export const DEFAULT_ADMIN_PORT = 9901;

/**
 * Envoy compiles every RE2 regex and refuses a resource whose regex "program size" exceeds the runtime
 * value re2.max_program_size.error_level, 100 by default. Translated Traefik rules are wrapped for
 * Go's unanchored matching (`(?s:.*)(?:…)(?s:.*)`) and case folding (`(?i)`), which lands many ordinary
 * HostRegexp/PathRegexp rules above 100: Envoy would NACK the whole route configuration. 1000 still
 * bounds the cost (RE2 matches in linear time either way).
 */
export const RE2_MAX_PROGRAM_SIZE = 1000;

export interface ServerAddress {
  host: string;
  port: number;
}

/** HOST:PORT, with an IPv6 host in brackets ([::1]:18000). Throws UsageError. */
export function parseServerAddress(s: string, flag = '--server'): ServerAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:[\]]+):(\d+)$/.exec(s);
  if (!m) throw new UsageError(`${flag} ${JSON.stringify(s)}: expected HOST:PORT (IPv6 as [ADDR]:PORT)`);
  const [, host, portText] = m;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${flag} ${JSON.stringify(s)}: port must be 1 to 65535`);
  if (s.startsWith('[') && net.isIP(host) !== 6) throw new UsageError(`${flag} ${JSON.stringify(s)}: ${host} is not an IPv6 address`);
  return { host, port };
}

export interface BootstrapOptions {
  server: string;
  nodeId: string;
  nodeCluster: string;
  /** Incremental xDS over ADS (DELTA_GRPC) instead of state of the world (GRPC). */
  delta?: boolean;
  adminPort?: number;
  /** Where Envoy's admin interface listens (default 127.0.0.1: the admin API can change and stop Envoy). */
  adminAddress?: string;
  /** TLS to the server (xds.tls): the CA to verify it, and the node's client certificate for mTLS. */
  tls?: EnvoyXdsTlsOptions;
}

/** The bootstrap in Envoy's canonical JSON form. Throws UsageError on a bad argument. */
export function buildBootstrap(o: BootstrapOptions): JsonObject {
  const server = parseServerAddress(o.server);
  if (!o.nodeId) throw new UsageError('--node-id must not be empty');
  if (!o.nodeCluster) throw new UsageError('--node-cluster must not be empty');
  const adminPort = o.adminPort ?? DEFAULT_ADMIN_PORT;
  if (!Number.isInteger(adminPort) || adminPort < 1 || adminPort > 65535) throw new UsageError(`--admin-port ${adminPort}: must be 1 to 65535`);
  const adminAddress = o.adminAddress ?? '127.0.0.1';
  if (!net.isIP(adminAddress)) throw new UsageError(`--admin-address ${JSON.stringify(adminAddress)}: must be an IP address`);
  const ip = net.isIP(server.host) !== 0;
  const xdsCluster: JsonObject = {
    name: XDS_CLUSTER,
    // An IP needs no resolution; a name is resolved (and re-resolved) like a Kubernetes Service name.
    type: ip ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: '5s',
    ...(ip ? {} : { dns_lookup_family: 'V4_PREFERRED' }),
    load_assignment: {
      cluster_name: XDS_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: server.host, port_value: server.port } } } }] }],
    },
    // gRPC needs HTTP/2.
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    // Notice a control plane that vanished without closing the connection.
    upstream_connection_options: { tcp_keepalive: {} },
    // TLS (and mTLS with a client certificate) to the control plane: see `traefik-xds certs`.
    ...(o.tls ? { transport_socket: bootstrapTransportSocket(o.tls, server.host) } : {}),
  };
  const bootstrap = {
    node: { id: o.nodeId, cluster: o.nodeCluster },
    static_resources: { clusters: [xdsCluster] },
    dynamic_resources: {
      ads_config: {
        api_type: o.delta ? 'DELTA_GRPC' : 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
        set_node_on_first_message_only: true,
      },
      lds_config: { ads: {}, resource_api_version: 'V3' },
      cds_config: { ads: {}, resource_api_version: 'V3' },
    },
    admin: { address: { socket_address: { address: adminAddress, port_value: adminPort } } },
    layered_runtime: {
      layers: [
        {
          name: 'static',
          static_layer: {
            're2.max_program_size.error_level': RE2_MAX_PROGRAM_SIZE,
            're2.max_program_size.warn_level': RE2_MAX_PROGRAM_SIZE,
          },
        },
        // Lets `curl -X POST localhost:9901/runtime_modify?...` override the static layer while debugging.
        { name: 'admin', admin_layer: {} },
      ],
    },
  };
  return canonicalize(BOOTSTRAP_TYPE, bootstrap);
}

function bootstrapTransportSocket(t: EnvoyXdsTlsOptions, host: string): JsonObject {
  if (!t.caFile) throw new UsageError('--tls-ca is required for TLS to the server (with --tls-cert and --tls-key for mTLS)');
  if (!!t.certFile !== !!t.keyFile) throw new UsageError('--tls-cert and --tls-key must be given together');
  // The server certificate must name what Envoy dials (a name: SNI and DNS SAN; an IP: IP SAN) unless --tls-server-name says otherwise.
  return envoyXdsTransportSocket({ ...t, serverName: t.serverName || host }) as JsonObject;
}

export interface BootstrapArgs extends BootstrapOptions {
  output: 'yaml' | 'json';
  /** commander's --ads/--no-ads: false means per-type config sources, which translated resources cannot use. */
  ads?: boolean;
}

export function runBootstrap(args: BootstrapArgs, out: NodeJS.WritableStream): number {
  if (args.ads === false) {
    throw new UsageError(
      '--no-ads is not supported: the translated listeners and clusters fetch their route configurations, endpoints and secrets ' +
        'with `config_source: {ads: {}}`, so Envoy needs an ADS stream to the server anyway (use --ads or --delta)',
    );
  }
  const doc = buildBootstrap(args);
  if (args.output === 'json') {
    out.write(formatDocument(doc, 'json'));
    return EXIT_OK;
  }
  out.write(bootstrapHeader(args) + formatDocument(doc, 'yaml'));
  return EXIT_OK;
}

/** The YAML comment on top: how it was made, and why the runtime layer is there. */
export function bootstrapHeader(o: BootstrapOptions): string {
  const cmd = ['traefik-xds bootstrap', `--server ${o.server}`, `--node-id ${o.nodeId}`, `--node-cluster ${o.nodeCluster}`];
  if (o.delta) cmd.push('--delta');
  if (o.adminPort !== undefined && o.adminPort !== DEFAULT_ADMIN_PORT) cmd.push(`--admin-port ${o.adminPort}`);
  if (o.adminAddress !== undefined && o.adminAddress !== '127.0.0.1') cmd.push(`--admin-address ${o.adminAddress}`);
  if (o.tls) {
    cmd.push(`--tls-ca ${o.tls.caFile}`);
    if (o.tls.certFile) cmd.push(`--tls-cert ${o.tls.certFile} --tls-key ${o.tls.keyFile}`);
    if (o.tls.serverName) cmd.push(`--tls-server-name ${o.tls.serverName}`);
  }
  return [
    `# Envoy bootstrap: every listener, route, cluster, endpoint and secret comes from traefik-xds over ${o.delta ? 'delta ' : ''}ADS.`,
    `# Made by: ${cmd.join(' ')}`,
    `# layered_runtime raises re2.max_program_size.error_level from Envoy's default of 100 to ${RE2_MAX_PROGRAM_SIZE}: translated`,
    '# Traefik regexes (HostRegexp, PathRegexp, path templates) are wrapped for Go\'s unanchored, case-folded matching',
    '# and often compile above 100, and Envoy would reject the whole route configuration (a NACK).',
    '',
  ].join('\n');
}
