// EDS: the ClusterLoadAssignment of each EDS cluster.
import type { ClusterLoadAssignment } from '../envoy/types';
import type { UpstreamCluster } from '../model/model';

/**
 * Fenced (terminating) endpoints are left out: Traefik reaches them only through a sticky cookie, and
 * stickiness is not translated yet. `withHostname`: some route rewrites Host to the server (passHostHeader false).
 */
export function buildLoadAssignment(c: UpstreamCluster, withHostname: boolean): ClusterLoadAssignment {
  const eps = c.endpoints
    .filter((e) => !e.fenced)
    .slice()
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  const cla: ClusterLoadAssignment = { cluster_name: c.name };
  if (eps.length) {
    cla.endpoints = [{
      lb_endpoints: eps.map((e) => ({
        endpoint: {
          address: { socket_address: { address: e.address, port_value: e.port } },
          ...(withHostname && e.hostname ? { hostname: e.hostname } : {}),
        },
      })),
    }];
  }
  return cla;
}
