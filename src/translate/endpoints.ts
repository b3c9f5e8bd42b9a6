// EDS: the ClusterLoadAssignment of each EDS cluster.
import type { ClusterLoadAssignment } from '../envoy/types';
import type { Endpoint, Model, UpstreamCluster } from '../model/model';
import { clustersOfRouter } from './router-clusters';

/**
 * Fenced (terminating but serving) endpoints are reachable in Traefik only through a sticky cookie: without
 * server-level stickiness they are left out; with it they are DRAINING, which Envoy never balances to but a
 * stateful-session cookie may still select (the cluster's override_host_status includes DRAINING).
 * `withHostname`: some route rewrites Host to the server (passHostHeader false).
 */
export function buildLoadAssignment(c: UpstreamCluster, withHostname: boolean): ClusterLoadAssignment {
  const cla: ClusterLoadAssignment = { cluster_name: c.name };
  // Traefik fails every request to this service (model `failAll`, reported there): no endpoint, Envoy answers 503.
  if (c.failAll) return cla;
  const eps = c.endpoints.filter((e) => !e.fenced || c.sticky);
  // Usually in order already (EndpointSlices list them so): a sort would allocate all the same.
  if (!inAddressOrder(eps)) eps.sort(byAddress);
  if (eps.length) {
    const lbEndpoints: LbEndpoint[] = [];
    for (const e of eps) {
      // Optional fields set only when present (their key order is the output's): no spread of a conditional object.
      const endpoint: NonNullable<LbEndpoint['endpoint']> = { address: { socket_address: { address: e.address, port_value: e.port } } };
      if (withHostname && e.hostname) endpoint.hostname = e.hostname;
      const lb: LbEndpoint = { endpoint };
      if (e.fenced) lb.health_status = 'DRAINING';
      lbEndpoints.push(lb);
    }
    cla.endpoints = [{ lb_endpoints: lbEndpoints }];
  }
  return cla;
}

type LbEndpoint = NonNullable<NonNullable<ClusterLoadAssignment['endpoints']>[number]['lb_endpoints']>[number];

function byAddress(a: Endpoint, b: Endpoint): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port;
}

function inAddressOrder(eps: Endpoint[]): boolean {
  for (let i = 1; i < eps.length; i++) if (byAddress(eps[i - 1], eps[i]) > 0) return false;
  return true;
}

/** Clusters some route rewrites the Host header to (passHostHeader: false): their endpoints carry hostnames. */
export function hostRewriteClusters(model: Model): Set<string> {
  // The EndpointSlice fast path keeps the routers of the model it updates: computed once per router list.
  let out = hostRewriteByRouters.get(model.httpRouters);
  if (out) return out;
  out = new Set<string>();
  // The same set translate() computes (router-clusters.ts): the fast path must build the same assignments as a full build.
  for (const r of model.httpRouters) for (const c of clustersOfRouter(r).hostRewrite) out.add(c);
  hostRewriteByRouters.set(model.httpRouters, out);
  return out;
}

const hostRewriteByRouters = new WeakMap<object, Set<string>>();

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
