// The clusters a router sends requests to, and those whose Host header it rewrites: what translate() emits and
// what the EndpointSlice fast path (endpoints.ts) must build the same load assignments for, from one function.
import { actionUpstreams, type HttpRouter } from '../model/model';
import { routerMiddlewareClusters } from '../model/middlewares';
import { hasEmptyWeightedLevel, NO_AVAILABLE_SERVER_CLUSTER } from './http/service-tree';
import { perRouter } from './http/router-memo';

export interface RouterClusters {
  /** Its services' clusters, TraefikService trees and mirrors included (and the 503 cluster of empty weighted levels), then its middlewares'. */
  used: string[];
  /** Where it rewrites the Host header (passHostHeader: false, or a middleware's own call): their endpoints carry hostnames. */
  hostRewrite: string[];
}

/** The router's clusters, kept with a settled router (router-memo.ts). */
export function clustersOfRouter(r: HttpRouter): RouterClusters {
  return perRouter(r, 'clusters', routerClusters);
}

/** Both lists from one walk of the router's services and middlewares. */
function routerClusters(r: HttpRouter): RouterClusters {
  const targets = r.action.type === 'forward' ? r.action.targets : [];
  // Without a TraefikService the upstreams are the targets themselves: actionUpstreams' walk (and its Set) is for trees.
  const tree = targets.some((t) => t.service !== undefined);
  const upstreams = tree ? actionUpstreams(r.action) : targets;
  const middlewares = routerMiddlewareClusters(r);
  const used = upstreams.map((t) => t.cluster);
  if (tree && hasEmptyWeightedLevel(r.action)) used.push(NO_AVAILABLE_SERVER_CLUSTER);
  // Clusters the middlewares call: ForwardAuth's auth server, Errors' error-page service.
  for (const c of middlewares) used.push(c.cluster);
  let hostRewrite = NO_CLUSTERS; // most routers have none: no list each
  for (const t of upstreams) if (!t.passHostHeader) hostRewrite = [...hostRewrite, t.cluster];
  for (const c of middlewares) if (c.hostRewrite) hostRewrite = [...hostRewrite, c.cluster];
  return { used, hostRewrite };
}

const NO_CLUSTERS: string[] = [];
