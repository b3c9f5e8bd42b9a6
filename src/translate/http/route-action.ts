// What an Envoy route does once matched: forward to one cluster or a weighted split, or answer 503; with
// TraefikServices (traefik-semantics.md §11) the nested levels flattened into one split per sticky-cookie
// state (cookie routes first), mirror policies, and server-level stickiness per route or per branch.
import { integerWeights, mergeBranches, distribute, NO_AVAILABLE_SERVER_CLUSTER, type Distribution } from './service-tree';
import { mirrorPolicies } from './mirroring';
import {
  STICKY_FILTER, cookieNotes, serverStickyNotes, setCookieOption, stateMatchers, statefulSessionEnabled, statefulSessionPerRoute,
  stickyLevels, stickyStates, type ServiceNote,
} from './sticky';
import type { HeaderMatcher, Route } from '../../envoy/types';
import type { HttpRouter, ServiceNode, StickyCookie, WeightedTarget } from '../../model/model';

export type RouteActionFields = Pick<Route, 'route' | 'direct_response' | 'typed_per_filter_config'>;

/** A route placed just before the main one, for requests that carry sticky cookies (WRR-level stickiness). */
export interface RouteVariant {
  /** Appended to the route name. */
  suffix: string;
  /** The cookies the request must carry. */
  headers: HeaderMatcher[];
  action: RouteActionFields;
}

export interface ActionResult {
  action: RouteActionFields;
  /** Cookie routes, most specific first, to place before the route itself. */
  variants: RouteVariant[];
  approximations: string[];
  /** Approximations about the services (on the object that configures them). */
  notes: ServiceNote[];
  /** The route uses the server-level stickiness filter (STICKY_FILTER). */
  statefulSession: boolean;
}

/** The route action of Kubernetes targets (weights as given). */
function forwardTo(targets: WeightedTarget[], approximations: string[]): NonNullable<Route['route']> {
  const route: NonNullable<Route['route']> = {};
  if (targets.length === 1) route.cluster = targets[0].cluster;
  else route.weighted_clusters = { clusters: targets.map((t) => ({ name: t.cluster, weight: t.weight })) };
  // Envoy's default 15 s upstream timeout does not exist in Traefik (responseHeaderTimeout 0 = none).
  // responseHeaderTimeout belongs to the cluster in Traefik, to the route in Envoy: the longest of the targets'.
  route.timeout = routeTimeout(targets, approximations);
  // strategy hrw: the cluster balances by client IP, which Envoy hashes from the route's hash policy.
  if (targets.some((t) => t.hashOnClientIp)) route.hash_policy = [{ connection_properties: { source_ip: true } }];
  let rewrite = 0;
  for (const t of targets) if (!t.passHostHeader) rewrite++;
  if (rewrite === targets.length) {
    // passHostHeader: false → Traefik sends the server URL's host:port; the endpoints carry it as hostname.
    route.auto_host_rewrite = true;
  } else if (rewrite > 0) {
    approximations.push('passHostHeader differs between the services of this route; Envoy forwards the client Host header to all of them');
  }
  return route;
}

export function buildRouteAction(router: HttpRouter): ActionResult {
  const approximations: string[] = [];
  const notes: ServiceNote[] = [];
  if (router.action.type === 'unavailable') {
    // Every weight is zero: Traefik's balancer has no child and answers 503.
    return { action: { direct_response: { status: 503 } }, variants: [], approximations, notes, statefulSession: false };
  }
  const targets = router.action.targets;
  if (!targets.some((t) => t.service)) {
    const route = forwardTo(targets, approximations);
    const action: RouteActionFields = { route };
    const statefulSession = applyServerStickiness(action, targets.map((t) => t.sticky), notes);
    return { action, variants: [], approximations, notes, statefulSession };
  }

  // TraefikServices: the route's services are the root level (a WRR without stickiness when several).
  const root: ServiceNode = targets.length === 1 && targets[0].service
    ? targets[0].service
    : {
      type: 'weighted',
      kind: 'route',
      name: router.name,
      children: targets.map((t) => ({ weight: t.weight, name: '', node: t.service ?? { type: 'upstream', target: withoutWeight(t) } })),
      provenance: router.provenance,
    };
  const { states, unsticky } = stickyStates(root);
  for (const n of unsticky) {
    notes.push({ subject: n.sticky!.provenance.subject, field: n.sticky!.provenance.field,
      message: `approximated: the sticky cookie of weighted service ${n.name} is not used in this route: with the route's other sticky levels it would need more cookie routes than traefik-xds emits (one Envoy route per combination of cookies); the service is balanced without stickiness` });
  }
  for (const l of stickyLevels(root)) if (!unsticky.has(l.node)) notes.push(...cookieNotes(l.node.sticky!));
  let statefulSession = false;
  const variants: RouteVariant[] = [];
  let main: RouteActionFields = {};
  states.forEach((pins, i) => {
    const last = i === states.length - 1;
    const dist = distribute(root, pins, unsticky);
    const built = actionOf(dist, approximations, notes, last);
    statefulSession ||= built.statefulSession;
    if (last) main = built.action;
    else variants.push({ suffix: `/sticky${i + 1}`, headers: stateMatchers(root, pins), action: built.action });
  });
  return { action: main, variants, approximations, notes, statefulSession };
}

function withoutWeight(t: WeightedTarget): Omit<WeightedTarget, 'weight'> {
  const { weight: _, ...rest } = t;
  return rest;
}

/** The action of one cookie state: the flattened split, the cookies each branch writes, the mirrors. */
function actionOf(dist: Distribution, approximations: string[], notes: ServiceNote[], withNotes: boolean): { action: RouteActionFields; statefulSession: boolean } {
  const branches = mergeBranches(dist.branches);
  const mirrors = mirrorPolicies(dist.mirrors, dist.mirrorings);
  if (withNotes) {
    notes.push(...mirrors.notes);
    for (const n of dist.hrw) {
      notes.push({ subject: n.provenance.subject, field: n.provenance.field,
        message: 'approximated: highestRandomWeight picks a child by hashing the client IP in Traefik; Envoy picks one at random in the same proportions (the bundled Envoy API cannot hash to choose among clusters), so a client is not kept on one child' });
    }
  }
  if (branches.every((b) => b.unavailable) && mirrors.policies.length === 0) {
    // Every level reached is empty: Traefik answers 503 "no available server".
    return { action: { direct_response: { status: 503 } }, statefulSession: false };
  }
  const real = branches.find((b) => !b.unavailable);
  for (const b of branches) if (b.unavailable && real) b.target = { ...b.target, passHostHeader: real.target.passHostHeader };
  const { weights, rounded } = integerWeights(branches.map((b) => b.share));
  if (rounded) approximations.push('the nested weights multiply to more than Envoy\'s limit (2^32 − 1 in total): they are rounded to a total of 10^9');
  const targets: WeightedTarget[] = branches.map((b, i) => ({ ...b.target, weight: weights[i] }));
  const route = forwardTo(targets, approximations);
  // Cookies to write are per branch: a single branch that writes one still needs a weighted_clusters entry.
  if (route.cluster !== undefined && branches[0].setCookies.length) {
    route.weighted_clusters = { clusters: [{ name: route.cluster, weight: 1 }] };
    delete route.cluster;
  }
  branches.forEach((b, i) => {
    if (!b.setCookies.length) return;
    const cw = route.weighted_clusters!.clusters![i];
    cw.response_headers_to_add = b.setCookies.map((c) => setCookieOption(c.cookie, c.value));
  });
  if (mirrors.policies.length) route.request_mirror_policies = mirrors.policies;
  const action: RouteActionFields = { route };
  const statefulSession = applyServerStickiness(action, branches.map((b) => b.target.sticky), withNotes ? notes : []);
  return { action, statefulSession };
}

/**
 * Server-level stickiness of the targets (index-aligned with the route's cluster / weighted clusters):
 * the stateful-session config on the route (one cluster) or on each sticky branch (then the route only
 * enables the filter). Returns whether the filter is used.
 */
function applyServerStickiness(action: RouteActionFields, cookies: (StickyCookie | undefined)[], notes: ServiceNote[]): boolean {
  const route = action.route!;
  if (cookies.some((c) => c)) {
    const seen = new Set<StickyCookie>();
    for (const c of cookies) {
      if (!c || seen.has(c)) continue;
      seen.add(c);
      notes.push(...serverStickyNotes(c), ...cookieNotes(c));
    }
  }
  if (route.cluster !== undefined) {
    const cfg = cookies[0] && statefulSessionPerRoute(cookies[0]);
    if (!cfg) return false;
    action.typed_per_filter_config = { ...action.typed_per_filter_config, [STICKY_FILTER]: cfg };
    return true;
  }
  let used = false;
  route.weighted_clusters?.clusters?.forEach((cw, i) => {
    const cfg = cookies[i] && statefulSessionPerRoute(cookies[i]!);
    if (!cfg) return;
    cw.typed_per_filter_config = { ...cw.typed_per_filter_config, [STICKY_FILTER]: cfg };
    used = true;
  });
  if (used) action.typed_per_filter_config = { ...action.typed_per_filter_config, [STICKY_FILTER]: statefulSessionEnabled() };
  return used;
}

export { NO_AVAILABLE_SERVER_CLUSTER };

/**
 * The ServersTransports' responseHeaderTimeout (approximated by the route timeout, which also bounds the body).
 * Envoy has one per route: with several services the longest applies, none if one of them has none (0).
 */
function routeTimeout(targets: { responseHeaderTimeoutMs?: number }[], approximations: string[]): string {
  if (targets.length === 1) return `${(targets[0].responseHeaderTimeoutMs ?? 0) / 1000}s`; // the common case, without the lists below
  const values = targets.map((t) => t.responseHeaderTimeoutMs ?? 0);
  if (values.every((v) => v === 0)) return '0s';
  const max = values.includes(0) ? 0 : Math.max(...values);
  if (new Set(values).size > 1) {
    approximations.push(`the services of this route have different responseHeaderTimeouts (serversTransport); Envoy applies ${max === 0 ? 'none' : `${max / 1000}s`} to all of them`);
  }
  return `${max / 1000}s`;
}
