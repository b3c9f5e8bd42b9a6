// HTTP routers of one entry point (plain or TLS) → one RouteConfiguration.
// Envoy picks a virtual host first and then the first matching route in it, whereas Traefik orders every
// router of the entry point by priority. So each router conjunct is copied into every virtual host whose
// hosts it can match, and each virtual host's routes are sorted by Traefik's order (traefik-to-envoy.md §2.2).
import { buildRouteMatch, UnsupportedMatch } from './route-match';
import { buildRouteAction } from './route-action';
import { hostPatternMatches } from './matchers/host';
import { toMatcherVirtualHost, type Predicate } from './generic-matcher';
import { enablingConfig, httpFiltersOf, mergeFilterOrder, planRouter, type RouterPlan } from './middleware-chain';
import type { HttpFilter, Route, RouteConfiguration, VirtualHost } from '../../envoy/types';
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

/** Traefik order: priority descending; ties broken by router name (Traefik leaves ties unspecified), then conjunct. */
function compareTraefikOrder(a: Placed, b: Placed): number {
  if (a.router.priority !== b.router.priority) return a.router.priority > b.router.priority ? -1 : 1;
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

/** Applies a router's middleware plan to one of its Envoy routes; a redirect yields two routes (GET and others). */
function applyPlan(route: Route, plan: RouterPlan, enabled: Record<string, { '@type': string }>): Route[] {
  if (Object.keys(enabled).length) route.typed_per_filter_config = enabled;
  if (plan.requestHeadersToAdd.length) route.request_headers_to_add = plan.requestHeadersToAdd;
  if (plan.requestHeadersToRemove.length) route.request_headers_to_remove = plan.requestHeadersToRemove;
  if (plan.responseHeadersToAdd.length) route.response_headers_to_add = plan.responseHeadersToAdd;
  if (plan.responseHeadersToRemove.length) route.response_headers_to_remove = plan.responseHeadersToRemove;
  if (plan.redirect) {
    const { redirect, permanent } = plan.redirect;
    const base = { ...route };
    delete base.route;
    delete base.direct_response;
    const get: Route = {
      ...base,
      name: `${route.name}/get`,
      match: { ...route.match, headers: [...(route.match?.headers ?? []), { name: ':method', string_match: { exact: 'GET' } }] },
      redirect: { ...redirect, response_code: permanent ? 'MOVED_PERMANENTLY' : 'FOUND' },
    };
    const other: Route = { ...base, redirect: { ...redirect, response_code: permanent ? 'PERMANENT_REDIRECT' : 'TEMPORARY_REDIRECT' } };
    return [get, other];
  }
  if (route.route) {
    if (plan.regexRewrite) route.route.regex_rewrite = plan.regexRewrite;
    // passHostHeader: false wins over a Host set by a Headers middleware, as in Traefik.
    if (plan.hostRewrite && !route.route.auto_host_rewrite) route.route.host_rewrite_literal = plan.hostRewrite;
    if (plan.retryPolicy) route.route.retry_policy = plan.retryPolicy;
    if (plan.timeoutMs) route.route.timeout = `${plan.timeoutMs / 1000}s`;
  }
  return [route];
}

export function buildHttpRouting(name: string, routers: HttpRouter[], diags: Diagnostics, tls = false): HttpRouting {
  // Middlewares first: a router whose middlewares cannot be translated is left out entirely.
  const plans = new Map<string, RouterPlan>();
  for (const router of [...routers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const plan = planRouter(router, { tls }, diags);
    if (plan) plans.set(router.name, plan);
  }
  routers = routers.filter((r) => plans.has(r.name));
  const { instances, enabled } = mergeFilterOrder([...plans.entries()].map(([key, plan]) => ({ key, plan })));
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
  const routesByHost = new Map<string, { p: Placed; route: Route; extra: Predicate[] }[]>();
  for (const vh of [...hosts].sort(vhostOrder)) {
    const list: { p: Placed; route: Route; extra: Predicate[] }[] = [];
    for (const p of placed) {
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
        const a = buildRouteAction(p.router);
        const set = approximations.get(p.router) ?? new Set<string>();
        for (const x of [...m.approximations, ...a.approximations]) set.add(x);
        approximations.set(p.router, set);
        const ir = p.router.ingressRoute;
        const route: Route = {
          name: `${ir.namespace}/${ir.name}/r${ir.routeIndex}${p.router.conjuncts.length > 1 ? `/c${p.conjunct}` : ''}`,
          match: m.match,
          ...structuredClone(a.action),
        };
        for (const r of applyPlan(route, plans.get(p.router.name)!, enablingConfig(instances, enabled.get(p.router.name) ?? []))) list.push({ p, route: r, extra: m.extra });
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
    const vhost: VirtualHost = { name: vh, domains: domainsOf(vh), routes: kept.map((x) => x.route) };
    if (kept.some((x) => x.extra.length)) {
      virtualHosts.push(toMatcherVirtualHost(vhost, kept));
      for (const r of new Set(kept.filter((x) => x.extra.length).map((x) => x.p.router))) {
        diags.info(r.provenance.subject, `${r.provenance.field}.match`,
          `ClientIP or a negated Query needs Envoy's generic matcher: virtual host "${vh}" is expressed as a matcher list (proxyless gRPC clients do not support it)`);
      }
    } else virtualHosts.push(vhost);
  }
  for (const [router, set] of approximations) {
    if (refused.has(router.name)) continue;
    for (const msg of [...set].sort()) diags.warn(router.provenance.subject, `${router.provenance.field}.match`, `approximated: ${msg}`);
  }
  const used = new Set([...enabled.entries()].filter(([k]) => !refused.has(k)).flatMap(([, v]) => v));
  return {
    routeConfiguration: { name, virtual_hosts: virtualHosts, ignore_port_in_host_matching: true },
    httpFilters: httpFiltersOf(instances.filter((i) => used.has(i.name))),
  };
}

function ir(p: Placed): number {
  return p.router.ingressRoute.routeIndex;
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
