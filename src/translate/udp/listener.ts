// A UDP entry point → a UDP Listener with the UDP proxy listener filter (traefik-semantics.md §7.3,
// traefik-to-envoy.md §9). Traefik serves one UDP router per entry point: routers sorted by qualified
// name, descending, the first that builds wins ("more than one udp router" warning). Sessions idle for the
// entry point's udp.timeout (3 s by default) end; Envoy's UDP proxy default is 1 minute.
import { socketAddress } from '../http/listener';
import { typed, type Listener } from '../../envoy/types';
import { mergeWeighted, type MergedEndpoint } from './weights';
import type { Diagnostics } from '../../model/diagnostics';
import type { Model, UdpRouter } from '../../model/model';
import type { EntryPointAddress } from '../options';

/** UDP cluster with no endpoint: datagrams are dropped, as Traefik closes sessions it cannot route. */
export const UDP_CLOSED_CLUSTER = 'udp/closed';

export interface UdpEntryPointResult {
  listener: Listener;
  /** Model clusters used as they are. */
  clusters: string[];
  /** A merged weighted cluster to emit (EDS, weighted endpoints). */
  merged?: { name: string; endpoints: MergedEndpoint[] };
  usesClosed: boolean;
}

const qualified = (r: UdpRouter) => `${r.name}@kubernetescrd`;

export function buildUdpEntryPoint(ep: EntryPointAddress, model: Model, diags: Diagnostics): UdpEntryPointResult | undefined {
  const candidates = model.udpRouters
    .filter((r) => r.entryPoints.includes(ep.name))
    .sort((a, b) => (qualified(a) > qualified(b) ? -1 : qualified(a) < qualified(b) ? 1 : 0));
  const winner = candidates[0];
  if (!winner) return undefined;
  for (const r of candidates.slice(1)) {
    diags.warn(r.provenance.subject, r.provenance.field,
      `entry point ${ep.name} has more than one UDP router: Traefik uses only one, the last by qualified name (${winner.name}); UDP router ${r.name} is not served there`);
  }
  const result: UdpEntryPointResult = { listener: {} as Listener, clusters: [], usesClosed: false };
  let cluster: string;
  const live = winner.targets.filter((t) => t.weight > 0);
  if (!winner.weighted) {
    cluster = winner.targets[0]!.cluster;
  } else if (live.length === 0) {
    cluster = UDP_CLOSED_CLUSTER;
    diags.warn(winner.provenance.subject, `${winner.provenance.field}.services`,
      `every service of UDP router ${winner.name} has weight 0: Traefik drops every session ("all servers have 0 weight"); so does Envoy`);
  } else if (live.length === 1) {
    cluster = live[0]!.cluster;
  } else {
    const members = live.map((t) => ({ upstream: model.tcpClusters.get(t.cluster)!, weight: t.weight, target: t }));
    const dns = members.find((m) => m.upstream.discovery === 'dns');
    if (dns) {
      cluster = UDP_CLOSED_CLUSTER;
      diags.error(winner.provenance.subject, dns.target.provenance.field,
        `UDP router ${winner.name}: Envoy's UDP proxy has no weighted clusters, and the ExternalName service ${dns.upstream.service.namespace}/${dns.upstream.service.name} cannot be merged into one weighted cluster with the others: ` +
        'the router is refused (datagrams on this entry point are dropped) rather than served with other shares');
    } else {
      cluster = `udp/${winner.name}`;
      const { endpoints, rounded } = mergeWeighted(members);
      result.merged = { name: cluster, endpoints };
      diags.warn(winner.provenance.subject, `${winner.provenance.field}.services`,
        `approximated: Envoy's UDP proxy has no weighted clusters; the services' servers are merged into cluster ${cluster} with endpoint weights ` +
        `giving each service its share of sessions (${members.map((m) => `${m.upstream.service.name}:${m.upstream.service.port} ${m.weight}`).join(', ')})` +
        `${rounded ? ', rounded to fit Envoy\'s 32-bit weights' : ''}. Unlike Traefik, a service without ready servers gets no share, and each service keeps no load balancer of its own`);
    }
  }
  if (cluster === UDP_CLOSED_CLUSTER) result.usesClosed = true;
  else if (!result.merged) result.clusters.push(cluster);
  result.listener = {
    name: ep.name,
    address: socketAddress(ep) as Listener['address'],
    listener_filters: [
      {
        name: 'envoy.filters.udp_listener.udp_proxy',
        typed_config: typed('envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig', {
          stat_prefix: ep.name,
          matcher: {
            on_no_match: { action: { name: 'route', typed_config: typed('envoy.extensions.filters.udp.udp_proxy.v3.Route', { cluster }) } },
          },
          idle_timeout: `${(ep.udpTimeoutMs ?? 3_000) / 1000}s`,
        }),
      },
    ],
  };
  return result;
}
