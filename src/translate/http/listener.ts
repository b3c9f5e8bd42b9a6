// An HTTP entry point → one Listener: a plain filter chain and, when TLS routers exist, a TLS chain, told
// apart by the TLS inspector as Traefik does by peeking at the ClientHello.
import { ADS, T } from '../type-urls';
import type { FilterChain, HttpFilter, Listener } from '../../envoy/types';
import type { EntryPointAddress } from '../options';

export function httpConnectionManager(statPrefix: string, routeConfigName: string, middlewareFilters: HttpFilter[] = []) {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': T.hcm,
      stat_prefix: statPrefix,
      rds: { route_config_name: routeConfigName, config_source: ADS },
      http_filters: [
        // Middleware instances (disabled by default, enabled per route), in an order that respects every route's.
        ...middlewareFilters,
        // suppress_envoy_headers: Traefik adds no x-envoy-* headers.
        { name: 'envoy.filters.http.router', typed_config: { '@type': T.router, suppress_envoy_headers: true } },
      ],
      // The client address is the peer (Traefik appends it to X-Forwarded-For the same way).
      use_remote_address: true,
      // Traefik does not touch the backend's Server header.
      server_header_transformation: 'PASS_THROUGH',
      // Traefik v3 sanitizes paths (dot segments, duplicate slashes) before routing.
      normalize_path: true,
      merge_slashes: true,
    },
  };
}

export function socketAddress(ep: EntryPointAddress) {
  const address = ep.host === '' ? '0.0.0.0' : ep.host;
  const sa: Record<string, unknown> = { address, port_value: ep.port };
  if (ep.protocol === 'udp') sa.protocol = 'UDP';
  // "[::]:80" listens on IPv4 too, as Go's listener does.
  if (address === '::') sa.ipv4_compat = true;
  return { socket_address: sa };
}

export function buildHttpListener(ep: EntryPointAddress, tlsChains: FilterChain[], middlewareFilters: HttpFilter[] = []): Listener {
  const plain: FilterChain = { name: 'http', filters: [httpConnectionManager(ep.name, `${ep.name}/http`, middlewareFilters)] as FilterChain['filters'] };
  const listener: Listener = { name: ep.name, address: socketAddress(ep) as Listener['address'] };
  if (tlsChains.length === 0) {
    listener.filter_chains = [plain];
    return listener;
  }
  plain.filter_chain_match = { transport_protocol: 'raw_buffer' };
  listener.listener_filters = [{ name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': T.tlsInspector } }];
  listener.filter_chains = [plain, ...tlsChains];
  return listener;
}
