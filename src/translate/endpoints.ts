// EDS: the ClusterLoadAssignment of each EDS cluster.
import type { ClusterLoadAssignment } from '../envoy/types';
import type { Model, UpstreamCluster } from '../model/model';

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

/** Clusters some route rewrites the Host header to (passHostHeader: false): their endpoints carry hostnames. */
export function hostRewriteClusters(model: Model): Set<string> {
  const out = new Set<string>();
  for (const r of model.httpRouters) {
    if (r.action.type === 'forward') for (const t of r.action.targets) if (!t.passHostHeader) out.add(t.cluster);
  }
  return out;
}

/** The ClusterLoadAssignments of the named EDS clusters (the EndpointSlice fast path). */
export function loadAssignmentsFor(model: Model, names: string[]): ClusterLoadAssignment[] {
  const rewrite = hostRewriteClusters(model);
  const out: ClusterLoadAssignment[] = [];
  for (const n of [...names].sort()) {
    const c = model.clusters.get(n);
    if (c && c.discovery === 'eds') out.push(buildLoadAssignment(c, rewrite.has(n)));
  }
  return out;
}
