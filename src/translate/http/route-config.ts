// HTTP routers of one entry point (plain or TLS) → one RouteConfiguration.
// Envoy picks a virtual host first and then the first matching route in it, whereas Traefik orders every
// router of the entry point by priority. So each router conjunct is copied into every virtual host whose
// hosts it can match, and each virtual host's routes are sorted by Traefik's order (traefik-to-envoy.md §2.2).
import { buildRouteMatch, UnsupportedMatch } from './route-match';
import { buildRouteAction } from './route-action';
import { hostPatternMatches } from './matchers/host';
import type { Route, RouteConfiguration, VirtualHost } from '../../envoy/types';
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

export function buildRouteConfiguration(name: string, routers: HttpRouter[], diags: Diagnostics): RouteConfiguration {
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
  const routesByHost = new Map<string, { p: Placed; route: Route }[]>();
  for (const vh of [...hosts].sort(vhostOrder)) {
    const list: { p: Placed; route: Route }[] = [];
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
          ...a.action,
        };
        list.push({ p, route });
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
    const routes = list.filter((x) => !refused.has(x.p.router.name)).sort((a, b) => compareTraefikOrder(a.p, b.p)).map((x) => x.route);
    if (routes.length === 0) continue;
    virtualHosts.push({ name: vh, domains: domainsOf(vh), routes });
  }
  for (const [router, set] of approximations) {
    if (refused.has(router.name)) continue;
    for (const msg of [...set].sort()) diags.warn(router.provenance.subject, `${router.provenance.field}.match`, `approximated: ${msg}`);
  }
  return { name, virtual_hosts: virtualHosts, ignore_port_in_host_matching: true };
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
