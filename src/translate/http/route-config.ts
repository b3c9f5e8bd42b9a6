// HTTP routers of one entry point (plain or TLS) → one RouteConfiguration.
// Envoy picks a virtual host first and then the first matching route in it, whereas Traefik orders every
// router of the entry point by priority. So each router conjunct is copied into every virtual host whose
// hosts it can match, and each virtual host's routes are sorted by Traefik's order (traefik-to-envoy.md §2.2).
import { buildRouteMatch, UnsupportedMatch } from './route-match';
import { routeAction, routerPlan } from './router-memo';
import { statefulSessionFilter, type ServiceNote } from './sticky';
import { hostPatternMatches } from './matchers/host';
import { toMatcherVirtualHost, type Predicate } from './generic-matcher';
import { cloneJson } from '../clone';
import { enablingConfig, httpFiltersOf, mergeFilterOrder, type FilterInstance, type RouterPlan } from './middleware-chain';
import type { MiddlewareTranslateContext } from './middlewares/types';
import type { EntryPointAddress } from '../options';
import type { HttpFilter, RedirectAction, Route, RouteConfiguration, VirtualHost } from '../../envoy/types';
import type { HttpRouter, RuleLiteral } from '../../model/model';
import type { Diagnostics } from '../../model/diagnostics';

interface Placed {
  router: HttpRouter;
  conjunct: number;
  /** Exact host or wildcard pattern this conjunct is bound to; undefined = any host. */
  host?: string;
  /** Host literals the placement cannot express (negations, HostRegexp, extra wildcards). */
  residual: RuleLiteral[];
  negatedHosts: string[];
  others: RuleLiteral[];
}

/** Splits a conjunct's host literals from the rest and decides which virtual hosts it belongs to. */
function place(router: HttpRouter, k: number, literals: RuleLiteral[]): Placed | undefined {
  const positive: string[] = [];
  const negatedHosts: string[] = [];
  const residual: RuleLiteral[] = [];
  const others: RuleLiteral[] = [];
  for (const l of literals) {
    if (l.leaf.t === 'host') {
      if (l.negated) {
        if (l.leaf.host === '*') return undefined; // !Host(`*`) never matches
        negatedHosts.push(l.leaf.host);
        residual.push(l);
      } else if (l.leaf.host !== '*') positive.push(l.leaf.host);
    } else if (l.leaf.t === 'hostRegexp') residual.push(l);
    else others.push(l);
  }
  const exact = [...new Set(positive.filter((h) => !h.startsWith('*.')))];
  const wild = [...new Set(positive.filter((h) => h.startsWith('*.')))];
  if (exact.length > 1) return undefined; // two different hosts can never both match
  let host: string | undefined;
  if (exact.length === 1) {
    host = exact[0];
    if (!wild.every((w) => hostPatternMatches(w, host!))) return undefined;
  } else if (wild.length >= 1) {
    host = wild[0];
    // Further wildcards stay as guards.
    for (const w of wild.slice(1)) residual.push({ leaf: { t: 'host', host: w }, negated: false });
  }
  return { router, conjunct: k, host, residual, negatedHosts, others };
}

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

function vhostOrder(a: string, b: string): number {
  const rank = (d: string) => (d === '*' ? 2 : d.startsWith('*.') ? 1 : 0);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
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
 * Applies a router's middleware plan to one of its Envoy routes: first the routes of its conditional answers
 * (each with the filters of the middlewares before it), then the route itself; a redirect yields two routes
 * (GET and others). `names` are the filter instances of `plan.filterUses`, index for index.
 */
function applyPlan(route: Route, plan: RouterPlan, instances: ReadonlyMap<string, FilterInstance>, names: string[]): Route[] {
  const routeLevel = (upTo: number) => names.slice(0, upTo).filter((_, i) => plan.filterUses[i].target === undefined);
  const enabled = enablingConfig(instances, routeLevel(names.length));
  const out: Route[] = [];
  for (const ic of plan.intercepts) {
    const en = enablingConfig(instances, routeLevel(ic.filterCount));
    ic.when.forEach((when, a) => {
      const base: Route = { name: `${route.name}/${ic.label}${ic.when.length > 1 ? `.${a}` : ''}`, match: { ...route.match } };
      const headers = [...(route.match?.headers ?? []), ...when];
      if (headers.length) base.match = { ...base.match, headers };
      if (Object.keys(en).length) base.typed_per_filter_config = en;
      if (ic.responseHeadersToAdd.length) base.response_headers_to_add = ic.responseHeadersToAdd;
      if (ic.responseHeadersToRemove.length) base.response_headers_to_remove = ic.responseHeadersToRemove;
      if (ic.direct) {
        out.push({ ...base, direct_response: { status: ic.direct.status, ...(ic.direct.body !== undefined ? { body: { inline_string: ic.direct.body } } : {}) } });
      } else if (ic.redirect) {
        out.push(...redirectRoutes(base, base.name!, ic.redirect.action, ic.redirect.permanent));
      }
    });
  }
  if (Object.keys(enabled).length) route.typed_per_filter_config = { ...route.typed_per_filter_config, ...enabled };
  if (plan.requestHeadersToAdd.length) route.request_headers_to_add = plan.requestHeadersToAdd;
  if (plan.requestHeadersToRemove.length) route.request_headers_to_remove = plan.requestHeadersToRemove;
  if (plan.responseHeadersToAdd.length) route.response_headers_to_add = plan.responseHeadersToAdd;
  if (plan.responseHeadersToRemove.length) route.response_headers_to_remove = plan.responseHeadersToRemove;
  if (plan.redirect) {
    const { redirect, permanent } = plan.redirect;
    const base = { ...route };
    delete base.route;
    delete base.direct_response;
    return [...out, ...redirectRoutes(base, route.name!, redirect, permanent)];
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
        const en = enablingConfig(instances, names.filter((_, i) => plan.filterUses[i].target === ti));
        if (Object.keys(en).length) cw.typed_per_filter_config = { ...cw.typed_per_filter_config, ...en };
        if (tp.requestHeadersToAdd.length) cw.request_headers_to_add = tp.requestHeadersToAdd;
        if (tp.requestHeadersToRemove.length) cw.request_headers_to_remove = tp.requestHeadersToRemove;
        if (tp.responseHeadersToAdd.length) cw.response_headers_to_add = tp.responseHeadersToAdd;
        if (tp.responseHeadersToRemove.length) cw.response_headers_to_remove = tp.responseHeadersToRemove;
        if (tp.hostRewrite) cw.host_rewrite_literal = tp.hostRewrite;
      });
    }
  }
  out.push(route);
  return out;
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

export function buildHttpRouting(name: string, routers: HttpRouter[], diags: Diagnostics, tls = false, entryPoint?: EntryPointAddress): HttpRouting {
  // Middlewares first: a router whose middlewares cannot be translated is left out entirely.
  const plans = new Map<string, RouterPlan>();
  const ctx: MiddlewareTranslateContext = { tls, ...(entryPoint ? { entryPoint: { name: entryPoint.name, forwardedHeaders: entryPoint.forwardedHeaders } } : {}) };
  for (const router of [...routers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const plan = routerPlan(router, ctx, diags);
    if (plan) plans.set(router.name, plan);
  }
  routers = routers.filter((r) => plans.has(r.name));
  const { instances, enabled, byName } = mergeFilterOrder([...plans.entries()].map(([key, plan]) => ({ key, plan })));
  const placed: Placed[] = [];
  for (const router of routers) {
    const mine: Placed[] = [];
    router.conjuncts.forEach((lits, k) => {
      const p = place(router, k, lits);
      if (p) mine.push(p);
    });
    placed.push(...mine);
  }

  // Virtual hosts: every exact host and wildcard named by some conjunct, plus "*" for host-less conjuncts.
  const hosts = new Set<string>();
  let anyHostless = false;
  for (const p of placed) {
    if (p.host) hosts.add(p.host);
    else anyHostless = true;
  }
  if (anyHostless) hosts.add('*');

  const refused = new Set<string>();
  const approximations = new Map<HttpRouter, Set<string>>();
  const serviceNotes = new Map<HttpRouter, ServiceNote[]>();
  /** Routers whose routes use server-level stickiness (the stateful-session filter). */
  const stateful = new Set<string>();
  const routesByHost = new Map<string, { p: Placed; route: Route; extra: Predicate[] }[]>();
  const candidates = candidatesByHost(placed);
  for (const vh of [...hosts].sort(vhostOrder)) {
    const list: { p: Placed; route: Route; extra: Predicate[] }[] = [];
    for (const p of candidates(vh)) {
      if (refused.has(p.router.name)) continue;
      if (!fits(p, vh)) continue;
      // In an exact vhost a wildcard's depth is already right; in a wildcard vhost it needs the guard.
      const guards = [...p.residual];
      if (p.host && p.host.startsWith('*.') && vh === p.host) guards.push({ leaf: { t: 'host', host: p.host }, negated: false });
      if (vh !== '*' && !vh.startsWith('*.')) {
        // Negated hosts other than this exact vhost cannot match here anyway: drop those guards.
        for (let i = guards.length - 1; i >= 0; i--) {
          const g = guards[i];
          if (g.negated && g.leaf.t === 'host' && !hostPatternMatches(g.leaf.host, vh)) guards.splice(i, 1);
        }
      }
      try {
        const m = buildRouteMatch(p.others, guards);
        const a = routeAction(p.router);
        const set = approximations.get(p.router) ?? new Set<string>();
        for (const x of [...m.approximations, ...a.approximations]) set.add(x);
        approximations.set(p.router, set);
        if (!serviceNotes.has(p.router)) serviceNotes.set(p.router, a.notes);
        if (a.statefulSession) stateful.add(p.router.name);
        const ir = p.router.ingressRoute;
        const routeName = `${ir.namespace}/${ir.name}/r${ir.routeIndex}${p.router.conjuncts.length > 1 ? `/c${p.conjunct}` : ''}`;
        const plan = plans.get(p.router.name)!;
        // WRR-level sticky cookies: their routes come first (none when a redirect answers before any service).
        const variants = plan.redirect ? [] : a.variants;
        for (const v of [...variants, { suffix: '', headers: [], action: a.action }]) {
          const match = cloneJson(m.match);
          if (v.headers.length) match.headers = [...(match.headers ?? []), ...cloneJson(v.headers)];
          const route: Route = { name: `${routeName}${v.suffix}`, match, ...cloneJson(v.action) };
          for (const r of applyPlan(route, plan, byName, enabled.get(p.router.name) ?? [])) list.push({ p, route: r, extra: m.extra });
        }
      } catch (e) {
        if (!(e instanceof UnsupportedMatch)) throw e;
        refused.add(p.router.name);
        diags.error(p.router.provenance.subject, `${p.router.provenance.field}.match`, `${e.message}; route ${ir(p)} is left out`);
      }
    }
    routesByHost.set(vh, list);
  }

  const virtualHosts: VirtualHost[] = [];
  for (const [vh, list] of routesByHost) {
    // A stable sort keeps the two routes of a redirect (GET first) together and in order.
    const kept = list.filter((x) => !refused.has(x.p.router.name)).sort((a, b) => compareTraefikOrder(a.p, b.p));
    if (kept.length === 0) continue;
    const extraRoutes = extraRoutesOf([...new Set(kept.map((x) => x.p.router.name))].sort().map((n) => plans.get(n)!), instances, byName);
    const vhost: VirtualHost = { name: vh, domains: domainsOf(vh), routes: [...extraRoutes, ...kept.map((x) => x.route)] };
    if (kept.some((x) => x.extra.length)) {
      virtualHosts.push(toMatcherVirtualHost(vhost, [...extraRoutes.map((route) => ({ route, extra: [] })), ...kept]));
      for (const r of new Set(kept.filter((x) => x.extra.length).map((x) => x.p.router))) {
        diags.info(r.provenance.subject, `${r.provenance.field}.match`,
          `ClientIP or a negated Query needs Envoy's generic matcher: virtual host "${vh}" is expressed as a matcher list (proxyless gRPC clients do not support it)`);
      }
    } else virtualHosts.push(vhost);
  }
  for (const [router, list] of serviceNotes) {
    if (refused.has(router.name)) continue;
    for (const n of list) diags.warn(n.subject, n.field, n.message);
  }
  for (const [router, set] of approximations) {
    if (refused.has(router.name)) continue;
    for (const msg of [...set].sort()) diags.warn(router.provenance.subject, `${router.provenance.field}.match`, `approximated: ${msg}`);
  }
  const used = new Set([...enabled.entries()].filter(([k]) => !refused.has(k)).flatMap(([, v]) => v));
  return {
    routeConfiguration: { name, virtual_hosts: virtualHosts, ignore_port_in_host_matching: true },
    // The stateful-session filter (server-level stickiness) comes last: Traefik pins the server after every middleware.
    httpFilters: [
      ...httpFiltersOf(instances.filter((i) => used.has(i.name))),
      ...([...stateful].some((n) => !refused.has(n)) ? [statefulSessionFilter()] : []),
    ],
  };
}

function ir(p: Placed): number {
  return p.router.ingressRoute.routeIndex;
}

/**
 * The conjuncts that may fit a virtual host, in their original order (fits() still decides): host-less ones,
 * those bound to that host, and wildcard ones for exact hosts. Testing every conjunct against every virtual
 * host was quadratic in the number of hosts (10,000 routes took seconds).
 */
function candidatesByHost(placed: Placed[]): (vh: string) => Placed[] {
  const hostless: number[] = [];
  const wildcards: number[] = [];
  const byHost = new Map<string, number[]>();
  placed.forEach((p, i) => {
    if (!p.host) return void hostless.push(i);
    if (p.host.startsWith('*.')) wildcards.push(i);
    const list = byHost.get(p.host);
    if (list) list.push(i);
    else byHost.set(p.host, [i]);
  });
  return (vh) => {
    const exactVh = vh !== '*' && !vh.startsWith('*.');
    const idx = [...hostless, ...(byHost.get(vh) ?? []), ...(exactVh ? wildcards : [])];
    return idx.sort((a, b) => a - b).map((i) => placed[i]);
  };
}

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
