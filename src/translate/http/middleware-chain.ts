// A router's middlewares → what its Envoy routes need: the filter instances to enable (in the router's
// order), the route-level fields merged (one composed path rewrite), and a redirect when a middleware
// answers instead of forwarding. Also the HCM filter order that respects every router's order, with a
// second instance of a filter when two routers order the same middlewares differently.
import { MIDDLEWARE_TRANSLATORS } from './middlewares';
import { headerMatcher } from './matchers/header';
import { composePathOps, type RegexRewrite } from './path-rewrite';
import type { ExtraRouteContribution, FilterContribution, MiddlewareTranslateContext, PathOp, RedirectContribution } from './middlewares/types';
import type { HeaderMatcher, HeaderValueOption, HttpFilter, RedirectAction, RetryPolicy } from '../../envoy/types';
import type { Diagnostics } from '../../model/diagnostics';
import type { HttpRouter } from '../../model/model';
import type { ResolvedMiddleware } from '../../model/middlewares';

export interface FilterUse {
  mw: ResolvedMiddleware;
  filter: FilterContribution;
  /**
   * Index of the weighted target (in `router.action.targets`) whose service-level middleware this is: the
   * filter is then enabled on that ClusterWeight, not on the route. Such uses come after the router's.
   */
  target?: number;
}

/**
 * A conditional answer of a middleware in the chain (a RedirectRegex that matched, a Host that allowedHosts
 * rejects): Envoy routes placed before the forwarding route, with the filters of the earlier middlewares only.
 */
export interface Intercept {
  /** Route name suffix. */
  label: string;
  /** Alternatives (OR) of extra match conditions (AND). */
  when: HeaderMatcher[][];
  redirect?: { action: Omit<RedirectAction, 'response_code'>; permanent: boolean };
  direct?: { status: number; body?: string };
  /** How many of `filterUses` come before it. */
  filterCount: number;
  /** Response headers of the earlier middlewares (they wrap the answer in Traefik). */
  responseHeadersToAdd: HeaderValueOption[];
  responseHeadersToRemove: string[];
}

/** Header operations of a weighted target's service-level middlewares (set on its ClusterWeight). */
export interface TargetPlan {
  requestHeadersToAdd: HeaderValueOption[];
  requestHeadersToRemove: string[];
  responseHeadersToAdd: HeaderValueOption[];
  responseHeadersToRemove: string[];
  hostRewrite?: string;
}

export interface ExtraRoutePlan extends ExtraRouteContribution {
  mwId: string;
}

export interface RouterPlan {
  /** Filter-level middlewares in the router's order (before a redirect, if any), then the targets' ones. */
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
  /** Conditional answers, in chain order. */
  intercepts: Intercept[];
  /** By weighted target index, when the targets have service-level middlewares. */
  targets?: TargetPlan[];
  /** Routes to put first in every virtual host of this router. */
  extraRoutes: ExtraRoutePlan[];
}

const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

function mwLabel(mw: ResolvedMiddleware): string {
  return `${mw.id}${mw.via.length ? ` (via chain ${mw.via.join(' → ')})` : ''}`;
}

/** What planRouter's steps share: where to report, and whether the router is refused yet. */
interface Planning {
  router: HttpRouter;
  ctx: MiddlewareTranslateContext;
  diags: Diagnostics;
  /** `….middlewares` of the router. */
  field: string;
  refused: boolean;
}

/** Leaves the router out: an error on it says why. */
function refuse(s: Planning, message: string, at = s.field): void {
  s.refused = true;
  s.diags.error(s.router.provenance.subject, at, `${message}; route ${s.router.ingressRoute.routeIndex} is left out`);
}

/** One middleware's translation, its issues reported (an error that does not keep the route refuses it). */
function translateMiddleware(s: Planning, mw: ResolvedMiddleware): MiddlewareTranslation {
  const out = MIDDLEWARE_TRANSLATORS[mw.type as keyof typeof MIDDLEWARE_TRANSLATORS](mw, s.ctx);
  for (const issue of out.issues) {
    s.diags.report(issue.severity, mw.subject, issue.field, issue.message);
    if (issue.severity === 'error' && !issue.keepsRoute) {
      refuse(s, `middleware ${mwLabel(mw)} cannot be translated (${issue.message})`);
    }
  }
  return out;
}

type MiddlewareTranslation = ReturnType<(typeof MIDDLEWARE_TRANSLATORS)[keyof typeof MIDDLEWARE_TRANSLATORS]>;

/** The filters a middleware contributes, in order. */
function ownFilters(out: MiddlewareTranslation): FilterContribution[] {
  const own: FilterContribution[] = out.filter ? [out.filter] : [];
  if (out.filters) for (const f of out.filters) own.push(f);
  return own;
}

/** What an intercept placed at this point of the chain keeps of the plan so far (and of the answering middleware). */
function interceptSnapshot(plan: RouterPlan, answering: FilterContribution[] = [], add: HeaderValueOption[] = [], remove: string[] = []):
  Pick<Intercept, 'filterCount' | 'responseHeadersToAdd' | 'responseHeadersToRemove'> {
  return {
    filterCount: plan.filterUses.length + answering.length,
    responseHeadersToAdd: [...plan.responseHeadersToAdd, ...add],
    responseHeadersToRemove: [...plan.responseHeadersToRemove, ...remove],
  };
}

/**
 * Translates the router's middlewares (the entry point's first, then the router's, then a single service's;
 * weighted targets' service-level middlewares last). Returns undefined when one of them cannot be served
 * faithfully enough: the router is then left out (an error on the router and on the middleware says why).
 */
export function planRouter(router: HttpRouter, ctx: MiddlewareTranslateContext, diags: Diagnostics): RouterPlan | undefined {
  const plan: RouterPlan = {
    filterUses: [], requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [],
    intercepts: [], extraRoutes: [],
  };
  const pathOps: PathOp[] = [];
  const field = `${router.provenance.field}.middlewares`;
  const routeIndex = router.ingressRoute.routeIndex;
  const s: Planning = { router, ctx, diags, field, refused: false };

  let chain = router.middlewares ?? [];
  const ep = ctx.entryPoint ? router.entryPointMiddlewares?.[ctx.entryPoint.name] : undefined;
  if (ep && 'error' in ep) {
    diags.error(router.provenance.subject, field, `the middlewares of entry point ${ctx.entryPoint!.name} cannot be resolved (${ep.error}); route ${routeIndex} is not served on that entry point`);
    return undefined;
  }
  if (ep) chain = [...ep, ...chain];

  for (let index = 0; index < chain.length; index++) {
    if (plan.redirect) break; // Traefik answers at the redirect: later middlewares never run
    const mw = chain[index];
    const out = translateMiddleware(s, mw);
    if (s.refused) continue; // the later middlewares are still translated, for their own diagnostics
    const r = out.route;
    // A model-side guard on a redirect (1.7 ssl-proxy-headers): one inverted header match per pair, ANDed.
    if (r?.redirect && mw.data.unlessRequestHeaders?.length) {
      r.redirect = { ...r.redirect, when: [...(r.redirect.when ?? []), ...mw.data.unlessRequestHeaders.map((h) => headerMatcher(h.name, h.value, true))] };
    }
    // A conditional answer is decided on the request as the earlier middlewares left it; Envoy matches the
    // original request, so an earlier path or Host rewrite would make it look at the wrong URL.
    const conditional = (r?.redirect && r.redirect.when) || r?.directResponse;
    if (conditional && (pathOps.length || plan.hostRewrite)) {
      refuse(s, `middleware ${mwLabel(mw)} decides on the request URL, which an earlier middleware rewrites (path or Host): Envoy matches the original request, so it cannot be placed after the rewrite`);
      continue;
    }
    // Likewise for a request header an earlier middleware sets or removes (Envoy sets them after routing).
    if (conditional) {
      const whenNames = new Set([...(r?.redirect?.when ?? []), ...(r?.directResponse?.when.flat() ?? [])].map((h) => (h.name ?? '').toLowerCase()));
      const touched = [...plan.requestHeadersToAdd.map((h) => h.header?.key ?? ''), ...plan.requestHeadersToRemove].map((n) => n.toLowerCase()).filter((n) => whenNames.has(n));
      if (touched.length) {
        refuse(s, `middleware ${mwLabel(mw)} decides on the request header ${touched[0]}, which an earlier middleware sets or removes: Envoy matches the original request, so it cannot be placed after that change`);
        continue;
      }
    }
    const own = ownFilters(out);
    if (r?.directResponse) {
      const d = r.directResponse;
      plan.intercepts.push({
        label: `mw${index}`, when: d.when, direct: { status: d.status, body: d.body },
        ...interceptSnapshot(plan, d.afterOwnFilters ? own : [], d.responseHeadersToAdd, d.responseHeadersToRemove),
      });
    }
    if (r?.redirect?.when) {
      plan.intercepts.push({ label: `mw${index}`, when: [r.redirect.when], redirect: { action: r.redirect.redirect, permanent: r.redirect.permanent }, ...interceptSnapshot(plan) });
    }
    for (const filter of own) plan.filterUses.push({ mw, filter });
    if (!r) continue;
    if (r.requestHeadersToAdd) plan.requestHeadersToAdd.push(...r.requestHeadersToAdd);
    if (r.requestHeadersToRemove) plan.requestHeadersToRemove.push(...r.requestHeadersToRemove);
    if (r.responseHeadersToAdd) plan.responseHeadersToAdd.push(...r.responseHeadersToAdd);
    if (r.responseHeadersToRemove) plan.responseHeadersToRemove.push(...r.responseHeadersToRemove);
    if (r.path) pathOps.push(r.path);
    if (r.hostRewrite) plan.hostRewrite = r.hostRewrite;
    if (r.extraRoutes) plan.extraRoutes.push(...r.extraRoutes.map((x) => ({ ...x, mwId: mw.id })));
    if (r.retryPolicy) {
      if (plan.retryPolicy) diags.warn(router.provenance.subject, field, `approximated: several Retry middlewares on one route; the last one (${mw.id}) is used`);
      plan.retryPolicy = r.retryPolicy;
      plan.timeoutMs = r.timeoutMs;
    }
    if (r.redirect && !r.redirect.when) plan.redirect = r.redirect;
  }
  if (s.refused) return undefined;

  // Service-level middlewares of weighted targets: filters enabled per ClusterWeight, header operations on it.
  const targets = router.action.type === 'forward' ? router.action.targets : [];
  if (!plan.redirect && targets.some((t) => t.middlewares?.length)) {
    plan.targets = targets.map(() => ({ requestHeadersToAdd: [], requestHeadersToRemove: [], responseHeadersToAdd: [], responseHeadersToRemove: [] }));
    targets.forEach((t, ti) => {
      for (const mw of t.middlewares ?? []) {
        const out = translateMiddleware(s, mw);
        if (s.refused) return;
        for (const filter of ownFilters(out)) plan.filterUses.push({ mw, filter, target: ti });
        const r = out.route;
        if (!r) continue;
        const tp = plan.targets![ti];
        if (r.requestHeadersToAdd) tp.requestHeadersToAdd.push(...r.requestHeadersToAdd);
        if (r.requestHeadersToRemove) tp.requestHeadersToRemove.push(...r.requestHeadersToRemove);
        if (r.responseHeadersToAdd) tp.responseHeadersToAdd.push(...r.responseHeadersToAdd);
        if (r.responseHeadersToRemove) tp.responseHeadersToRemove.push(...r.responseHeadersToRemove);
        if (r.hostRewrite) tp.hostRewrite = r.hostRewrite;
        if (r.extraRoutes) plan.extraRoutes.push(...r.extraRoutes.map((x) => ({ ...x, mwId: mw.id })));
        const routeLevel = [r.path && 'a path rewrite', r.redirect && 'a redirect', r.directResponse && 'a direct answer', r.retryPolicy && 'a retry policy']
          .filter(Boolean);
        if (routeLevel.length) {
          refuse(s, `service-level middleware ${mwLabel(mw)} on a weighted service needs ${routeLevel.join(' and ')}, which Envoy sets per route, not per weighted cluster`,
            `${router.provenance.field}.services[${ti}].middlewares`);
        }
      }
    });
    if (s.refused) return undefined;
  }

  const rewrite = composePathOps(pathOps);
  if (rewrite && 'error' in rewrite) {
    diags.error(router.provenance.subject, field, `${rewrite.error}; route ${routeIndex} is left out`);
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
 * Returns the order, per router the instance names it enables, and the instances by name.
 */
export function mergeFilterOrder(plans: { key: string; plan: RouterPlan }[]): {
  instances: FilterInstance[];
  enabled: Map<string, string[]>;
  byName: Map<string, FilterInstance>;
} {
  // The list is kept as linked slots with increasing labels (an order-maintenance list), so "the first
  // instance of this (middleware, kind) after the previous one" looks only at that key's few instances and an
  // insertion does not shift positions: scanning and splicing an array was quadratic in the routers.
  const head: Slot = { label: 0 };
  const byKey = new Map<string, Slot[]>();
  const counts = new Map<string, number>();
  const enabled = new Map<string, string[]>();
  const insertAfter = (at: Slot, inst: FilterInstance): Slot => {
    const next = at.next;
    let label = next ? (at.label + next.label) / 2 : at.label + LABEL_GAP;
    if (label <= at.label || (next && label >= next.label)) {
      relabel(head);
      label = next ? (at.label + next.label) / 2 : at.label + LABEL_GAP;
    }
    const slot: Slot = { label, inst, next };
    at.next = slot;
    return slot;
  };
  for (let p = 0; p < plans.length; p++) { // indexed: runs once per route configuration, mostly unoptimised
    const { key, plan } = plans[p];
    let prev = head;
    // A weighted target's filters only need to follow the router's: each target starts again from there.
    let routerPrev = head;
    let target: number | undefined;
    const names: string[] = [];
    for (const use of plan.filterUses) {
      if (use.target !== target) {
        if (target === undefined) routerPrev = prev;
        prev = routerPrev;
        target = use.target;
      }
      // An instance is one (Middleware object, filter kind): a middleware may contribute several filters.
      const k = `${use.mw.id}/${use.filter.kind}`;
      let found: Slot | undefined;
      for (const slot of byKey.get(k) ?? []) {
        if (slot.label > prev.label && (!found || slot.label < found.label)) found = slot;
      }
      if (!found) {
        const n = (counts.get(k) ?? 0) + 1;
        counts.set(k, n);
        const base = `traefik.mw.${use.mw.namespace}.${use.mw.name}.${use.filter.kind}`;
        found = insertAfter(prev, { name: n === 1 ? base : `${base}#${n}`, mwId: use.mw.id, filter: use.filter });
        const list = byKey.get(k);
        if (list) list.push(found);
        else byKey.set(k, [found]);
      }
      names.push(found.inst!.name);
      prev = found;
    }
    enabled.set(key, names);
  }
  const instances: FilterInstance[] = [];
  const byName = new Map<string, FilterInstance>();
  for (let s = head.next; s; s = s.next) {
    instances.push(s.inst!);
    byName.set(s.inst!.name, s.inst!);
  }
  return { instances, enabled, byName };
}

/** A place in mergeFilterOrder's list: labels increase along `next` (the head has no instance). */
interface Slot {
  label: number;
  inst?: FilterInstance;
  next?: Slot;
}

const LABEL_GAP = 2 ** 20;

/** Spreads the labels again when halving gaps ran out of precision (rare: it takes ~50 insertions at one place). */
function relabel(head: Slot): void {
  let label = 0;
  for (let s: Slot | undefined = head; s; s = s.next) {
    s.label = label;
    label += LABEL_GAP;
  }
}

/** The HCM's filters: every instance disabled by default (enabled per route), then the router. */
export function httpFiltersOf(instances: FilterInstance[]): HttpFilter[] {
  return instances.map((i) => ({ name: i.name, typed_config: i.filter.typedConfig, disabled: true }) as HttpFilter);
}

/** typed_per_filter_config entries that switch a route's filter instances on (`byName`: mergeFilterOrder's). */
export function enablingConfig(byName: ReadonlyMap<string, FilterInstance>, names: string[]): Record<string, { '@type': string; [k: string]: unknown }> {
  const out: Record<string, { '@type': string; [k: string]: unknown }> = {};
  for (const name of names) {
    const inst = byName.get(name)!;
    // A FilterConfig with an empty `config` turns the filter-level config on for this route.
    out[name] = inst.filter.perRoute ?? { '@type': FILTER_CONFIG, config: {} };
  }
  return out;
}
