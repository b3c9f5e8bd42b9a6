// MiddlewareTCP inFlightConn (traefik-semantics.md §5.5) → envoy.filters.network.connection_limit.
// Traefik counts the open connections of each client IP and closes a new one when that IP already has
// `amount`; Envoy's connection_limit counts every connection of the filter chain together (all clients):
// approximate, and reported. `amount` 0 (or less) refuses every connection in Traefik; connection_limit
// needs max_connections ≥ 1, so such a router gets the "closed" chain instead (exact).
import { typed, type NetworkFilter } from '../../envoy/types';
import type { TcpMiddleware } from '../../model/model';

type InFlight = Extract<TcpMiddleware, { type: 'inFlightConn' }>;

export function inFlightClosesAll(m: InFlight): boolean {
  return m.amount <= 0;
}

export function connectionLimitFilter(m: InFlight, statPrefix: string): NetworkFilter {
  return {
    name: 'envoy.filters.network.connection_limit',
    typed_config: typed('envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit', {
      stat_prefix: statPrefix,
      max_connections: m.amount,
    }),
  };
}
