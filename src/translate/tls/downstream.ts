// TLS termination for HTTPS routers: a filter chain per TLS option with the default store's certificates over SDS.
import { ADS, T } from '../type-urls';
import { httpConnectionManager } from '../http/listener';
import type { FilterChain, HttpFilter } from '../../envoy/types';

/**
 * Traefik's default TLS options: TLS 1.2 minimum, ALPN h2 and http/1.1. Every certificate of the default store
 * is offered; Envoy selects among them by SNI like Traefik does, and falls back to the first one.
 */
export function buildTlsFilterChain(entryPoint: string, option: string, certificateNames: string[], middlewareFilters: HttpFilter[] = []): FilterChain {
  return {
    name: `https/${option}`,
    filter_chain_match: { transport_protocol: 'tls' },
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': T.downstreamTls,
        common_tls_context: {
          tls_params: { tls_minimum_protocol_version: 'TLSv1_2' },
          alpn_protocols: ['h2', 'http/1.1'],
          tls_certificate_sds_secret_configs: certificateNames.map((name) => ({ name, sds_config: ADS })),
        },
      },
    },
    filters: [httpConnectionManager(`${entryPoint}_https`, `${entryPoint}/https/${option}`, middlewareFilters)],
  } as FilterChain;
}
