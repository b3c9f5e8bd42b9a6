// What an Envoy route does once matched: forward to one cluster or a weighted split, or answer 503.
import type { Route } from '../../envoy/types';
import type { HttpRouter } from '../../model/model';

export interface ActionResult {
  action: Pick<Route, 'route' | 'direct_response'>;
  approximations: string[];
}

export function buildRouteAction(router: HttpRouter): ActionResult {
  const approximations: string[] = [];
  if (router.action.type === 'unavailable') {
    // Every weight is zero: Traefik's balancer has no child and answers 503.
    return { action: { direct_response: { status: 503 } }, approximations };
  }
  const targets = router.action.targets;
  const route: NonNullable<Route['route']> = {};
  if (targets.length === 1) route.cluster = targets[0].cluster;
  else route.weighted_clusters = { clusters: targets.map((t) => ({ name: t.cluster, weight: t.weight })) };
  // Envoy's default 15 s upstream timeout does not exist in Traefik (responseHeaderTimeout 0 = none).
  route.timeout = '0s';
  const rewrite = targets.filter((t) => !t.passHostHeader).length;
  if (rewrite === targets.length) {
    // passHostHeader: false → Traefik sends the server URL's host:port; the endpoints carry it as hostname.
    route.auto_host_rewrite = true;
  } else if (rewrite > 0) {
    approximations.push('passHostHeader differs between the services of this route; Envoy forwards the client Host header to all of them');
  }
  return { action: { route }, approximations };
}
