// The filter chains a TCP entry point's dispatch leads to: a TCP router (TLS termination or passthrough,
// inFlightConn, tcp_proxy), and "closed" (connections accepted and closed at once, as Traefik closes them).
import { typed, type FilterChain, type NetworkFilter, type TransportSocket } from '../../envoy/types';
import { connectionLimitFilter, inFlightClosesAll } from './inflight-conn';
import { downstreamTlsContext } from '../tls/downstream-context';
import { DEFAULT_OPTIONS, type TlsOptionsModel } from '../../model/tls-options';
import type { Model, TcpRouter, TcpTarget } from '../../model/model';

/** A cluster with no endpoint: tcp_proxy closes the connection at once ("no healthy upstream"). */
export const CLOSED_CLUSTER = 'tcp/closed';

export function tcpProxyFilter(statPrefix: string, targets: TcpTarget[]): NetworkFilter {
  // The same cluster twice (two references with the same settings) becomes one branch with both weights.
  const merged = new Map<string, number>();
  for (const t of targets) merged.set(t.cluster, (merged.get(t.cluster) ?? 0) + t.weight);
  const list = [...merged].filter(([, w]) => w > 0);
  const config = typed('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', {
    stat_prefix: statPrefix,
    // Traefik keeps idle TCP connections open; Envoy's tcp_proxy closes them after 1 hour by default.
    idle_timeout: '0s',
  });
  if (list.length === 1) config.cluster = list[0]![0];
  else config.weighted_clusters = { clusters: list.map(([name, weight]) => ({ name, weight })) };
  return { name: 'envoy.filters.network.tcp_proxy', typed_config: config };
}

/** TLS termination with the router's TLS options (the HTTPS translation's DownstreamTlsContext) and the default store. */
export function downstreamTls(option: TlsOptionsModel, certificateNames: string[]): TransportSocket {
  return { name: 'envoy.transport_sockets.tls', typed_config: downstreamTlsContext(option, certificateNames) };
}

/** Deny-all network RBAC (ALLOW with no policy) in front of a tcp_proxy to a cluster without endpoints. */
export function closedChain(name: string): FilterChain {
  return {
    name,
    filters: [
      {
        name: 'envoy.filters.network.rbac',
        typed_config: typed('envoy.extensions.filters.network.rbac.v3.RBAC', { stat_prefix: 'closed', rules: { action: 'ALLOW' } }),
      },
      tcpProxyFilter('closed', [{ cluster: CLOSED_CLUSTER, weight: 1 }]),
    ],
  };
}

/** A TCP router's chain: TLS termination unless passthrough, its inFlightConn limits, then tcp_proxy. */
export function routerChain(name: string, r: TcpRouter, certificateNames: string[], model: Model): FilterChain {
  if (r.action.type !== 'forward') return closedChain(name);
  const filters: NetworkFilter[] = [];
  r.middlewares.forEach((m, i) => {
    if (m.type === 'inFlightConn' && !inFlightClosesAll(m)) filters.push(connectionLimitFilter(m, `${r.name}_${m.name}_${i}`));
  });
  filters.push(tcpProxyFilter(r.name, r.action.targets));
  const chain: FilterChain = { name, filters };
  if (r.tls && !r.tls.passthrough) chain.transport_socket = downstreamTls(model.tls.options.get(r.tls.options) ?? DEFAULT_OPTIONS, certificateNames);
  return chain;
}
