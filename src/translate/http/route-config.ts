// HTTP routers of one entry point (plain or TLS) → one RouteConfiguration.
// Envoy picks a virtual host first and then the first matching route in it, whereas Traefik orders every
// router of the entry point by priority. So each router conjunct is copied into every virtual host whose
// hosts it can match, and each virtual host's routes are sorted by Traefik's order (traefik-to-envoy.md §2.2).
import { buildRouteMatch, UnsupportedMatch, type MatchResult } from './route-match';
import { routeAction, routerPlan } from './router-memo';
import { statefulSessionFilter } from './sticky';
import type { ActionResult, RouteVariant } from './route-action';
import { hostPatternMatches } from './matchers/host';
import { toMatcherVirtualHost, type Predicate } from './generic-matcher';
import { cloneJson } from '../clone';
import { enablingConfig, httpFiltersOf, mergeFilterOrder, type FilterInstance, type RouterPlan } from './middleware-chain';
import type { MiddlewareTranslateContext } from './middlewares/types';
import type { EntryPointAddress } from '../options';
import type { HttpFilter, RedirectAction, Route, RouteConfiguration, VirtualHost } from '../../envoy/types';
import type { HttpRouter, RuleLiteral } from '../../model/model';
import type { Diagnostics } from '../../model/diagnostics';

/** A router of this route configuration, with what is computed once per build rather than per virtual host. */
interface RouterState {
  router: HttpRouter;
  plan: RouterPlan;
  /** Its filter instance names (mergeFilterOrder's), index for index with `plan.filterUses`. */
  names: string[];
  /** Computed at its first route (a router none of whose conjuncts is placed needs none of these). */
  action?: ActionResult;
  /** The action's cookie variants (none when a redirect answers first), then the route itself. */
  forwards?: RouteVariant[];
  enabling?: Enabling;
  /** It has a route: its service notes and approximations are reported. */
  routed?: boolean;
  /** Its approximations (match and action), when it has some. */
  approximations?: Set<string>;
}

/** The typed_per_filter_config that enables a router's filters (undefined: none), per place its plan puts them. */
interface Enabling {
  /** On the route itself. */
  route?: FilterConfigs;
  /** On each intercept's routes (the filters before it). */
  intercepts: (FilterConfigs | undefined)[];
  /** On each weighted target's ClusterWeight (its service-level middlewares). */
  targets: (FilterConfigs | undefined)[];
}

type FilterConfigs = ReturnType<typeof enablingConfig>;

function nonEmpty(c: FilterConfigs): FilterConfigs | undefined {
  return Object.keys(c).length ? c : undefined;
}

interface Placed {
  router: HttpRouter;
  state: RouterState;
  conjunct: number;
  /** Its position among the route configuration's placements (candidatesByHost keeps that order). */
  order: number;
  /** Exact host or wildcard pattern this conjunct is bound to; undefined = any host. */
  host?: string;
  /** Host literals the placement cannot express (negations, HostRegexp, extra wildcards). */
  residual: RuleLiteral[];
  negatedHosts: string[];
  others: RuleLiteral[];
  /** Name of its routes: `namespace/name/rN`, with `/cK` when the rule has several conjuncts. */
  routeName: string;
}

const NO_LITERALS: RuleLiteral[] = [];

/** Splits a conjunct's host literals from the rest and decides which virtual hosts it belongs to. */
function place(state: RouterState, k: number, literals: RuleLiteral[], order: number): Placed | undefined {
  // Lists are made when first needed (most conjuncts have one Host and no negation): one placement per conjunct.
  let negatedHosts: string[] | undefined;
  let residual: RuleLiteral[] | undefined;
  const others: RuleLiteral[] = [];
  // The distinct exact host and wildcards, in their first order.
  let exact: string | undefined;
  let wild: string[] | undefined;
  for (const l of literals) {
    if (l.leaf.t === 'host') {
      const h = l.leaf.host;
      if (l.negated) {
        if (h === '*') return undefined; // !Host(`*`) never matches
        (negatedHosts ??= []).push(h);
        (residual ??= []).push(l);
      } else if (h === '*') continue;
      else if (h.startsWith('*.')) {
        if (!wild?.includes(h)) (wild ??= []).push(h);
      } else if (exact === undefined) exact = h;
      else if (exact !== h) return undefined; // two different hosts can never both match
    } else if (l.leaf.t === 'hostRegexp') (residual ??= []).push(l);
    else others.push(l);
  }
  let host: string | undefined;
  if (exact !== undefined) {
    host = exact;
    for (const w of wild ?? []) if (!hostPatternMatches(w, exact)) return undefined;
  } else if (wild) {
    host = wild[0];
    // Further wildcards stay as guards.
    for (let i = 1; i < wild.length; i++) (residual ??= []).push({ leaf: { t: 'host', host: wild[i] }, negated: false });
  }
  const { router } = state;
  const ir = router.ingressRoute;
  const routeName = `${ir.namespace}/${ir.name}/r${ir.routeIndex}${router.conjuncts.length > 1 ? `/c${k}` : ''}`;
  return {
    router, state, conjunct: k, order, host, residual: residual ?? NO_LITERALS, negatedHosts: negatedHosts ?? NO_HOSTS, others, routeName,
  };
}

const NO_HOSTS: string[] = [];

/**
 * Traefik v3.7's default `providers.precedence` at equal priority (pkg/muxer/http/mux.go): kubernetescrd
 * (IngressRoute) routers before kubernetes (Ingress) ones.
 */
function providerRank(r: HttpRouter): number {
  return r.provenance.kind === 'Ingress' ? 1 : 0;
}

/** Host specificity of a placement: an exact host, then a `*.` wildcard, then any host (Kubernetes' precedence). */
function hostRank(p: Placed): number {
  return p.host === undefined ? 2 : p.host.startsWith('*.') ? 1 : 0;
}

/**
 * Traefik order: priority descending, then provider precedence as Traefik; Traefik leaves the remaining ties
 * unspecified (unstable sort), so they are broken deterministically (traefik-ingress.md §6.3): the more
 * specific host first (`Host("b.a.com")` before the equally long `Host("*.a.com")`), then router name, then conjunct.
 */
function compareTraefikOrder(a: Placed, b: Placed): number {
  if (a.router.priority !== b.router.priority) return a.router.priority > b.router.priority ? -1 : 1;
  const provider = providerRank(a.router) - providerRank(b.router);
  if (provider !== 0) return provider;
  const host = hostRank(a) - hostRank(b);
  if (host !== 0) return host;
  if (a.router.name !== b.router.name) return a.router.name < b.router.name ? -1 : 1;
  return a.conjunct - b.conjunct;
}

/** Virtual host order: exact hosts, then wildcards, then "*", each by name. */
function sortedVirtualHosts(hosts: Iterable<string>): string[] {
  // Grouped by rank, then the default sort (UTF-16 order, as `<`): no comparator call per comparison.
  const exact: string[] = [];
  const wild: string[] = [];
  let any = false;
  for (const h of hosts) {
    if (h === '*') any = true;
    else if (h.startsWith('*.')) wild.push(h);
    else exact.push(h);
  }
  const out = exact.sort();
  for (const w of wild.sort()) out.push(w);
  if (any) out.push('*');
  return out;
}

export function buildRouteConfiguration(name: string, routers: HttpRouter[], diags: Diagnostics, tls = false): RouteConfiguration {
  return buildHttpRouting(name, routers, diags, tls).routeConfiguration;
}

export interface HttpRouting {
  routeConfiguration: RouteConfiguration;
  /** The middleware filter instances of the HCM that uses this route configuration (router filter not included). */
  httpFilters: HttpFilter[];
}

/** Two redirect routes: GET (302/301) first, then every other method (307/308), as Traefik answers. */
function redirectRoutes(base: Route, name: string, redirect: Omit<RedirectAction, 'response_code'>, permanent: boolean): Route[] {
  const get: Route = {
    ...base,
    name: `${name}/get`,
    match: { ...base.match, headers: [...(base.match?.headers ?? []), { name: ':method', string_match: { exact: 'GET' } }] },
    redirect: { ...redirect, response_code: permanent ? 'MOVED_PERMANENTLY' : 'FOUND' },
  };
  const other: Route = { ...base, name, redirect: { ...redirect, response_code: permanent ? 'PERMANENT_REDIRECT' : 'TEMPORARY_REDIRECT' } };
  return [get, other];
}

/**
 * Where a router's plan enables its filter instances: computed once per router and build, and the same objects
 * put on each of its routes (nothing downstream changes a route's typed_per_filter_config in place).
 */
function enablingOf(plan: RouterPlan, names: string[], byName: ReadonlyMap<string, FilterInstance>): Enabling {
  const routeLevel = plan.targets ? names.filter((_, i) => plan.filterUses[i].target === undefined) : names;
  return {
    route: routeLevel.length ? enablingConfig(byName, routeLevel) : undefined,
    // Few routers have intercepts or service-level middlewares: no lists (nor closures) for the others.
    intercepts: plan.intercepts.length ? interceptEnabling(plan, names, routeLevel, byName) : NONE,
    targets: plan.targets ? plan.targets.map((_, ti) => nonEmpty(enablingConfig(byName, names.filter((_, i) => plan.filterUses[i].target === ti)))) : NONE,
  };
}

const NONE: never[] = [];

/** Per intercept, the route-level filters of the middlewares before it. */
function interceptEnabling(plan: RouterPlan, names: string[], routeLevel: string[], byName: ReadonlyMap<string, FilterInstance>): (FilterConfigs | undefined)[] {
  // How many route-level names the first i uses hold.
  const before: number[] = [0];
  names.forEach((_, i) => before.push(before[i] + (plan.filterUses[i].target === undefined ? 1 : 0)));
  return plan.intercepts.map((ic) => nonEmpty(enablingConfig(byName, routeLevel.slice(0, before[Math.min(ic.filterCount, names.length)]))));
}

/**
 * Applies a router's middleware plan to one of its Envoy routes: first the routes of its conditional answers
 * (each with the filters of the middlewares before it), then the route itself; a redirect yields two routes
 * (GET and others). `enabling`: enablingOf the plan.
 */
function applyPlan(route: Route, plan: RouterPlan, enabling: Enabling, out: Route[]): void {
  plan.intercepts.forEach((ic, k) => {
    const en = enabling.intercepts[k];
    ic.when.forEach((when, a) => {
      const base: Route = { name: `${route.name}/${ic.label}${ic.when.length > 1 ? `.${a}` : ''}`, match: { ...route.match } };
      const headers = [...(route.match?.headers ?? []), ...when];
      if (headers.length) base.match = { ...base.match, headers };
      if (en) base.typed_per_filter_config = en;
      if (ic.responseHeadersToAdd.length) base.response_headers_to_add = ic.responseHeadersToAdd;
      if (ic.responseHeadersToRemove.length) base.response_headers_to_remove = ic.responseHeadersToRemove;
      if (ic.direct) {
        out.push({ ...base, direct_response: { status: ic.direct.status, ...(ic.direct.body !== undefined ? { body: { inline_string: ic.direct.body } } : {}) } });
      } else if (ic.redirect) {
        out.push(...redirectRoutes(base, base.name!, ic.redirect.action, ic.redirect.permanent));
      }
    });
  });
  const enabled = enabling.route;
  if (enabled) route.typed_per_filter_config = route.typed_per_filter_config ? { ...route.typed_per_filter_config, ...enabled } : enabled;
  if (plan.requestHeadersToAdd.length) route.request_headers_to_add = plan.requestHeadersToAdd;
  if (plan.requestHeadersToRemove.length) route.request_headers_to_remove = plan.requestHeadersToRemove;
  if (plan.responseHeadersToAdd.length) route.response_headers_to_add = plan.responseHeadersToAdd;
  if (plan.responseHeadersToRemove.length) route.response_headers_to_remove = plan.responseHeadersToRemove;
  if (plan.redirect) {
    const { redirect, permanent } = plan.redirect;
    const { route: _forward, direct_response: _direct, ...base } = route;
    out.push(...redirectRoutes(base, route.name!, redirect, permanent));
    return;
  }
  if (route.route) {
    if (plan.regexRewrite) route.route.regex_rewrite = plan.regexRewrite;
    // passHostHeader: false wins over a Host set by a Headers middleware, as in Traefik.
    if (plan.hostRewrite && !route.route.auto_host_rewrite) route.route.host_rewrite_literal = plan.hostRewrite;
    if (plan.retryPolicy) route.route.retry_policy = plan.retryPolicy;
    if (plan.timeoutMs) route.route.timeout = `${plan.timeoutMs / 1000}s`;
    // Service-level middlewares of weighted targets: on their ClusterWeight.
    const clusters = route.route.weighted_clusters?.clusters;
    if (plan.targets && clusters) {
      plan.targets.forEach((tp, ti) => {
        const cw = clusters[ti];
        if (!cw) return;
        const en = enabling.targets[ti];
        if (en) cw.typed_per_filter_config = { ...cw.typed_per_filter_config, ...en };
        if (tp.requestHeadersToAdd.length) cw.request_headers_to_add = tp.requestHeadersToAdd;
        if (tp.requestHeadersToRemove.length) cw.request_headers_to_remove = tp.requestHeadersToRemove;
        if (tp.responseHeadersToAdd.length) cw.response_headers_to_add = tp.responseHeadersToAdd;
        if (tp.responseHeadersToRemove.length) cw.response_headers_to_remove = tp.responseHeadersToRemove;
        if (tp.hostRewrite) cw.host_rewrite_literal = tp.hostRewrite;
      });
    }
  }
  out.push(route);
}

/** The routes middlewares need before a virtual host's own (the Errors middleware's error-page routes). */
function extraRoutesOf(plans: RouterPlan[], instances: FilterInstance[], byName: ReadonlyMap<string, FilterInstance>): Route[] {
  const seen = new Set<string>();
  const out: Route[] = [];
  for (const plan of plans) {
    for (const x of plan.extraRoutes) {
      if (seen.has(x.name)) continue;
      seen.add(x.name);
      const route: Route = { name: x.name, match: x.match, route: { cluster: x.cluster, timeout: '0s', ...(x.autoHostRewrite ? { auto_host_rewrite: true } : {}) } };
      if (x.requestHeadersToRemove?.length) route.request_headers_to_remove = x.requestHeadersToRemove;
      const names = (x.enableFilterKinds ?? []).map((k) => instances.find((i) => i.mwId === x.mwId && i.filter.kind === k)?.name).filter((n): n is string => !!n);
      const en = enablingConfig(byName, names);
      if (Object.keys(en).length) route.typed_per_filter_config = en;
      out.push(route);
    }
  }
  return out;
}

/** A route of a virtual host, with the placement it came from (for Traefik's order) and its generic-matcher conditions. */
interface VhostRoute {
  p: Placed;
  route: Route;
  extra: Predicate[];
}

/** What building one route configuration shares between its virtual hosts. */
interface Routing {
  diags: Diagnostics;
  byName: ReadonlyMap<string, FilterInstance>;
  /** Routers left out (a conjunct Envoy cannot match), by name: none of their routes is kept. */
  refused: Set<string>;
  /** Routers with a route, in the order of their first one (their diagnostics are reported in that order). */
  routed: RouterState[];
  /** Routers whose routes use server-level stickiness (the stateful-session filter). */
  stateful: Set<string>;
}

/**
 * Routers by name. A module function: a comparator made per call is a closure whose optimised code only its
 * closures hold, so a full collection between builds dropped it and each build sorted with unoptimised code.
 */
function compareRouterNames(a: HttpRouter, b: HttpRouter): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function buildHttpRouting(name: string, routers: HttpRouter[], diags: Diagnostics, tls = false, entryPoint?: EntryPointAddress): HttpRouting {
  // Middlewares first: a router whose middlewares cannot be translated is left out entirely.
  const plans = new Map<string, RouterPlan>();
  const ctx: MiddlewareTranslateContext = { tls, ...(entryPoint ? { entryPoint: { name: entryPoint.name, forwardedHeaders: entryPoint.forwardedHeaders } } : {}) };
  const byRouterName = [...routers].sort(compareRouterNames);
  // Indexed loops in this function: it runs once per route configuration, mostly unoptimised, where each
  // step of a for-of allocates an iterator result (thousands per build). No callbacks made here either: the
  // optimised code of a closure made per call dies with it at the next full collection (compareRouterNames).
  let anyExtraRoutes = false;
  for (let i = 0; i < byRouterName.length; i++) {
    const plan = routerPlan(byRouterName[i], ctx, diags);
    if (!plan) continue;
    plans.set(byRouterName[i].name, plan);
    if (plan.extraRoutes.length) anyExtraRoutes = true;
  }
  const planned: HttpRouter[] = [];
  for (let i = 0; i < routers.length; i++) if (plans.has(routers[i].name)) planned.push(routers[i]);
  routers = planned;
  const keyed: { key: string; plan: RouterPlan }[] = [];
  for (const [key, plan] of plans) keyed.push({ key, plan });
  const { instances, enabled, byName } = mergeFilterOrder(keyed);
  const placed: Placed[] = [];
  for (let i = 0; i < routers.length; i++) {
    const router = routers[i];
    const state: RouterState = { router, plan: plans.get(router.name)!, names: enabled.get(router.name) ?? [] };
    for (let k = 0; k < router.conjuncts.length; k++) {
      const p = place(state, k, router.conjuncts[k], placed.length);
      if (p) placed.push(p);
    }
  }

  // Virtual hosts: every exact host and wildcard named by some conjunct, plus "*" for host-less conjuncts.
  const hosts = new Set<string>();
  let anyHostless = false;
  for (let i = 0; i < placed.length; i++) {
    const host = placed[i].host;
    if (host) hosts.add(host);
    else anyHostless = true;
  }
  if (anyHostless) hosts.add('*');

  const routing: Routing = { diags, byName, refused: new Set(), routed: [], stateful: new Set() };
  // Every virtual host's routes first: a router refused in one virtual host loses its routes in the others too.
  const vhosts = sortedVirtualHosts(hosts);
  const candidates = candidatesByHost(placed);
  const lists: VhostRoute[][] = [];
  for (let i = 0; i < vhosts.length; i++) lists.push(routesOfHost(routing, vhosts[i], candidates(vhosts[i])));

  const { refused } = routing;
  const extra: ExtraRoutes = anyExtraRoutes
    ? (routerNames) => extraRoutesOf([...new Set(routerNames)].sort().map((n) => plans.get(n)!), instances, byName)
    : undefined;
  const virtualHosts: VirtualHost[] = [];
  for (let i = 0; i < vhosts.length; i++) {
    const vhost = virtualHostOf(routing, vhosts[i], lists[i], extra);
    if (vhost) virtualHosts.push(vhost);
  }
  const { routed } = routing;
  for (let i = 0; i < routed.length; i++) {
    if (refused.has(routed[i].router.name)) continue;
    for (const n of routed[i].action!.notes) diags.warn(n.subject, n.field, n.message);
  }
  for (let i = 0; i < routed.length; i++) {
    const { router, approximations } = routed[i];
    if (refused.has(router.name) || !approximations) continue;
    for (const msg of [...approximations].sort()) diags.warn(router.provenance.subject, `${router.provenance.field}.match`, `approximated: ${msg}`);
  }
  const used = new Set<string>();
  for (const [key, names] of enabled) {
    if (!refused.has(key)) for (const n of names) used.add(n);
  }
  return {
    routeConfiguration: { name, virtual_hosts: virtualHosts, ignore_port_in_host_matching: true },
    // The stateful-session filter (server-level stickiness) comes last: Traefik pins the server after every middleware.
    httpFilters: [
      ...httpFiltersOf(instances.filter((i) => used.has(i.name))),
      ...([...routing.stateful].some((n) => !refused.has(n)) ? [statefulSessionFilter()] : []),
    ],
  };
}

/** The routes of the conjuncts that fit virtual host vh, in placement order (Traefik's order is applied later). */
function routesOfHost(routing: Routing, vh: string, candidates: Placed[]): VhostRoute[] {
  const list: VhostRoute[] = [];
  for (const p of candidates) {
    if (routing.refused.has(p.router.name)) continue;
    if (!fits(p, vh)) continue;
    try {
      addRoutes(routing, p, buildRouteMatch(p.others, guardsFor(p, vh)), list);
    } catch (e) {
      if (!(e instanceof UnsupportedMatch)) throw e;
      routing.refused.add(p.router.name);
      routing.diags.error(p.router.provenance.subject, `${p.router.provenance.field}.match`, `${e.message}; route ${p.router.ingressRoute.routeIndex} is left out`);
    }
  }
  return list;
}

/** The routes of one placed conjunct with its match: the cookie variants, then the route, each as its plan makes it. */
function addRoutes(routing: Routing, p: Placed, m: MatchResult, list: VhostRoute[]): void {
  const s = p.state;
  const a = (s.action ??= routeAction(p.router));
  if (!s.routed) {
    s.routed = true;
    routing.routed.push(s);
  }
  if (m.approximations.length || a.approximations.length) {
    const set = (s.approximations ??= new Set());
    for (const x of m.approximations) set.add(x);
    for (const x of a.approximations) set.add(x);
  }
  if (a.statefulSession) routing.stateful.add(p.router.name);
  // WRR-level sticky cookies: their routes come first (none when a redirect answers before any service).
  const forwards = (s.forwards ??= [...(s.plan.redirect ? [] : a.variants), { suffix: '', headers: [], action: a.action }]);
  const enabling = (s.enabling ??= enablingOf(s.plan, s.names, routing.byName));
  const routes: Route[] = [];
  for (const v of forwards) {
    const match = cloneJson(m.match);
    if (v.headers.length) match.headers = [...(match.headers ?? []), ...cloneJson(v.headers)];
    // The action is copied: applyPlan sets fields in it, and a settled router's action is kept across builds.
    applyPlan({ name: `${p.routeName}${v.suffix}`, match, ...cloneJson(v.action) }, s.plan, enabling, routes);
  }
  for (const route of routes) list.push({ p, route, extra: m.extra });
}

/** The extra routes of a virtual host, from the names of the routers it serves (undefined when no router has any). */
type ExtraRoutes = ((routerNames: string[]) => Route[]) | undefined;

/** Virtual host vh with its routes in Traefik's order (undefined when none is left). */
function virtualHostOf(routing: Routing, vh: string, list: VhostRoute[], extra: ExtraRoutes): VirtualHost | undefined {
  const { refused } = routing;
  const kept = refused.size ? list.filter((x) => !refused.has(x.p.router.name)) : list;
  if (kept.length === 0) return undefined;
  // A stable sort keeps the two routes of a redirect (GET first) together and in order. Most lists are in
  // order already (one router per host): a sort allocates even then.
  if (!inOrder(kept)) kept.sort((a, b) => compareTraefikOrder(a.p, b.p));
  const extraRoutes = extra ? extra(kept.map((x) => x.p.router.name)) : [];
  const routes = [...extraRoutes];
  let needsMatcher = false;
  for (const x of kept) {
    routes.push(x.route);
    if (x.extra.length) needsMatcher = true;
  }
  const vhost: VirtualHost = { name: vh, domains: domainsOf(vh), routes };
  if (!needsMatcher) return vhost;
  for (const r of new Set(kept.filter((x) => x.extra.length).map((x) => x.p.router))) {
    routing.diags.info(r.provenance.subject, `${r.provenance.field}.match`,
      `ClientIP or a negated Query needs Envoy's generic matcher: virtual host "${vh}" is expressed as a matcher list (proxyless gRPC clients do not support it)`);
  }
  return toMatcherVirtualHost(vhost, [...extraRoutes.map((route) => ({ route, extra: [] })), ...kept]);
}

function inOrder(list: VhostRoute[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareTraefikOrder(list[i - 1].p, list[i].p) > 0) return false;
  return true;
}

/** The host literals a conjunct's routes in virtual host vh must still test (its residual, adjusted to vh). */
function guardsFor(p: Placed, vh: string): RuleLiteral[] {
  // In an exact vhost a wildcard's depth is already right; in a wildcard vhost it needs the guard.
  const wildcardGuard = p.host !== undefined && p.host.startsWith('*.') && vh === p.host;
  if (p.residual.length === 0 && !wildcardGuard) return NO_LITERALS;
  const guards = [...p.residual];
  if (wildcardGuard) guards.push({ leaf: { t: 'host', host: p.host! }, negated: false });
  if (vh !== '*' && !vh.startsWith('*.')) {
    // Negated hosts other than this exact vhost cannot match here anyway: drop those guards.
    for (let i = guards.length - 1; i >= 0; i--) {
      const g = guards[i];
      if (g.negated && g.leaf.t === 'host' && !hostPatternMatches(g.leaf.host, vh)) guards.splice(i, 1);
    }
  }
  return guards;
}

/**
 * The conjuncts that may fit a virtual host, in their original order (fits() still decides): host-less ones,
 * those bound to that host, and wildcard ones for exact hosts. Testing every conjunct against every virtual
 * host was quadratic in the number of hosts (10,000 routes took seconds).
 */
function candidatesByHost(placed: Placed[]): (vh: string) => Placed[] {
  const hostless: Placed[] = [];
  const wildcards: Placed[] = [];
  const byHost = new Map<string, Placed[]>();
  for (const p of placed) {
    if (!p.host) {
      hostless.push(p);
      continue;
    }
    if (p.host.startsWith('*.')) wildcards.push(p);
    const list = byHost.get(p.host);
    if (list) list.push(p);
    else byHost.set(p.host, [p]);
  }
  return (vh) => {
    const own = byHost.get(vh) ?? NO_PLACEMENTS;
    const wild = vh !== '*' && !vh.startsWith('*.') ? wildcards : NO_PLACEMENTS;
    // Each list is in placement order already: only a mix needs sorting.
    if (hostless.length === 0 && wild.length === 0) return own;
    return [...hostless, ...own, ...wild].sort((a, b) => a.order - b.order);
  };
}

const NO_PLACEMENTS: Placed[] = [];

/** Can conjunct p match requests that Envoy sends to virtual host vh? */
function fits(p: Placed, vh: string): boolean {
  if (!p.host) {
    // Host-less: everywhere, except exact vhosts it excludes with !Host.
    if (vh !== '*' && !vh.startsWith('*.') && p.negatedHosts.some((n) => hostPatternMatches(n, vh))) return false;
    return true;
  }
  if (p.host === vh) return true;
  // A wildcard conjunct also belongs in the exact vhosts it covers (else the exact vhost would hide it).
  if (p.host.startsWith('*.') && vh !== '*' && !vh.startsWith('*.')) {
    return hostPatternMatches(p.host, vh) && !p.negatedHosts.some((n) => hostPatternMatches(n, vh));
  }
  return false;
}

/** Traefik ignores a trailing dot in the Host header; Envoy needs it as a domain of its own. */
function domainsOf(vh: string): string[] {
  return vh === '*' ? ['*'] : [vh, `${vh}.`];
}
