// A router's middlewares → what its Envoy routes need: the filter instances to enable (in the router's
// order), the route-level fields merged (one composed path rewrite), and a redirect when a middleware
// answers instead of forwarding. Also the HCM filter order that respects every router's order, with a
// second instance of a filter when two routers order the same middlewares differently.
import { MIDDLEWARE_TRANSLATORS } from './middlewares';
import { composePathOps, type RegexRewrite } from './path-rewrite';
import type { FilterContribution, MiddlewareTranslateContext, PathOp, RedirectContribution } from './middlewares/types';
import type { HeaderValueOption, HttpFilter, RetryPolicy } from '../../envoy/types';
import type { Diagnostics } from '../../model/diagnostics';
import type { HttpRouter } from '../../model/model';
import type { ResolvedMiddleware } from '../../model/middlewares';

export interface FilterUse {
  mw: ResolvedMiddleware;
  filter: FilterContribution;
}

export interface RouterPlan {
  /** Filter-level middlewares in the router's order (before a redirect, if any). */
  filterUses: FilterUse[];
  requestHeadersToAdd: HeaderValueOption[];
  requestHeadersToRemove: string[];
  responseHeadersToAdd: HeaderValueOption[];
  responseHeadersToRemove: string[];
  regexRewrite?: RegexRewrite;
  hostRewrite?: string;
  retryPolicy?: RetryPolicy;
  timeoutMs?: number;
  redirect?: RedirectContribution;
}

const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

function mwLabel(mw: ResolvedMiddleware): string {
  return `${mw.id}${mw.via.length ? ` (via chain ${mw.via.join(' → ')})` : ''}`;
}

/**
 * Translates the router's middlewares. Returns undefined when one of them cannot be served faithfully
 * enough: the router is then left out (an error on the router and on the middleware says why).
 */
export function planRouter(router: HttpRouter, ctx: MiddlewareTranslateContext, diags: Diagnostics): RouterPlan | undefined {
  const plan: RouterPlan = { filterUses: [], requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [] };
  const pathOps: PathOp[] = [];
  let refused = false;
  const field = `${router.provenance.field}.middlewares`;
  for (const mw of router.middlewares ?? []) {
    if (plan.redirect) break; // Traefik answers at the redirect: later middlewares never run
    const out = MIDDLEWARE_TRANSLATORS[mw.type as keyof typeof MIDDLEWARE_TRANSLATORS](mw, ctx);
    for (const issue of out.issues) {
      diags.report(issue.severity, mw.subject, issue.field, issue.message);
      if (issue.severity === 'error' && !issue.keepsRoute) {
        refused = true;
        diags.error(router.provenance.subject, field, `middleware ${mwLabel(mw)} cannot be translated (${issue.message}); route ${router.ingressRoute.routeIndex} is left out`);
      }
    }
    if (refused) continue;
    if (out.filter) plan.filterUses.push({ mw, filter: out.filter });
    const r = out.route;
    if (!r) continue;
    if (r.requestHeadersToAdd) plan.requestHeadersToAdd.push(...r.requestHeadersToAdd);
    if (r.requestHeadersToRemove) plan.requestHeadersToRemove.push(...r.requestHeadersToRemove);
    if (r.responseHeadersToAdd) plan.responseHeadersToAdd.push(...r.responseHeadersToAdd);
    if (r.responseHeadersToRemove) plan.responseHeadersToRemove.push(...r.responseHeadersToRemove);
    if (r.path) pathOps.push(r.path);
    if (r.hostRewrite) plan.hostRewrite = r.hostRewrite;
    if (r.retryPolicy) {
      if (plan.retryPolicy) diags.warn(router.provenance.subject, field, `approximated: several Retry middlewares on one route; the last one (${mw.id}) is used`);
      plan.retryPolicy = r.retryPolicy;
      plan.timeoutMs = r.timeoutMs;
    }
    if (r.redirect) plan.redirect = r.redirect;
  }
  if (refused) return undefined;
  const rewrite = composePathOps(pathOps);
  if (rewrite && 'error' in rewrite) {
    diags.error(router.provenance.subject, field, `${rewrite.error}; route ${router.ingressRoute.routeIndex} is left out`);
    return undefined;
  }
  plan.regexRewrite = rewrite;
  return plan;
}

/** One HCM filter instance: a Middleware object (several instances when routers order them differently). */
export interface FilterInstance {
  name: string;
  mwId: string;
  filter: FilterContribution;
}

/**
 * Merges every router's filter order into one HCM filter list: each router's filters appear in its order.
 * Greedy: reuse an instance placed after the previous one, else insert a new instance right after it.
 * Returns the order and, per router, the instance names it enables.
 */
export function mergeFilterOrder(plans: { key: string; plan: RouterPlan }[]): { instances: FilterInstance[]; enabled: Map<string, string[]> } {
  const instances: FilterInstance[] = [];
  const counts = new Map<string, number>();
  const enabled = new Map<string, string[]>();
  for (const { key, plan } of plans) {
    let prev = -1;
    const names: string[] = [];
    for (const use of plan.filterUses) {
      let at = instances.findIndex((inst, i) => i > prev && inst.mwId === use.mw.id);
      if (at < 0) {
        const n = (counts.get(use.mw.id) ?? 0) + 1;
        counts.set(use.mw.id, n);
        const base = `traefik.mw.${use.mw.namespace}.${use.mw.name}.${use.filter.kind}`;
        at = prev + 1;
        instances.splice(at, 0, { name: n === 1 ? base : `${base}#${n}`, mwId: use.mw.id, filter: use.filter });
      }
      names.push(instances[at].name);
      prev = at;
    }
    enabled.set(key, names);
  }
  return { instances, enabled };
}

/** The HCM's filters: every instance disabled by default (enabled per route), then the router. */
export function httpFiltersOf(instances: FilterInstance[]): HttpFilter[] {
  return instances.map((i) => ({ name: i.name, typed_config: i.filter.typedConfig, disabled: true }) as HttpFilter);
}

/** typed_per_filter_config entries that switch a route's filter instances on. */
export function enablingConfig(instances: FilterInstance[], names: string[]): Record<string, { '@type': string; [k: string]: unknown }> {
  const out: Record<string, { '@type': string; [k: string]: unknown }> = {};
  for (const name of names) {
    const inst = instances.find((i) => i.name === name)!;
    // A FilterConfig with an empty `config` turns the filter-level config on for this route.
    out[name] = inst.filter.perRoute ?? { '@type': FILTER_CONFIG, config: {} };
  }
  return out;
}
