// Per-router translation results kept across builds. A router the model's memo settled (model/ingressroute-memo.ts)
// is the same, unchanged object for as long as nothing its IngressRoute reads changes, so its middleware plan
// (per translation context) and its route action are computed once and reused, with the plan's diagnostics
// replayed. Other routers are translated every time. What depends on every router of a route configuration
// (the filter instance names, the virtual hosts and their order) is never kept here.
import { isSettledRouter } from '../../model/ingressroute-memo';
import { Diagnostics, type Diagnostic } from '../../model/diagnostics';
import { planRouter, type RouterPlan } from './middleware-chain';
import { buildRouteAction, type ActionResult } from './route-action';
import type { MiddlewareTranslateContext } from './middlewares/types';
import type { HttpRouter } from '../../model/model';

const plans = new WeakMap<HttpRouter, Map<string, { plan: RouterPlan | undefined; diagnostics: Diagnostic[] }>>();
const actions = new WeakMap<HttpRouter, ActionResult>();
const derived = new WeakMap<HttpRouter, Map<string, unknown>>();
/** A context's key, computed once per route configuration rather than once per router. */
const contextKeys = new WeakMap<MiddlewareTranslateContext, string>();

/** A value computed from the router alone (`what` names it), kept for a settled router; its users only read it. */
export function perRouter<T>(router: HttpRouter, what: string, compute: (router: HttpRouter) => T): T {
  if (!isSettledRouter(router)) return compute(router);
  let values = derived.get(router);
  if (!values) derived.set(router, (values = new Map()));
  if (!values.has(what)) values.set(what, compute(router));
  return values.get(what) as T;
}

/** planRouter, reused for a settled router in the same context (the plan is only read by its users). */
export function routerPlan(router: HttpRouter, ctx: MiddlewareTranslateContext, diags: Diagnostics): RouterPlan | undefined {
  if (!isSettledRouter(router)) return planRouter(router, ctx, diags);
  let byContext = plans.get(router);
  if (!byContext) plans.set(router, (byContext = new Map()));
  let key = contextKeys.get(ctx);
  if (key === undefined) contextKeys.set(ctx, (key = JSON.stringify(ctx)));
  let hit = byContext.get(key);
  if (!hit) {
    const d = new Diagnostics();
    hit = { plan: planRouter(router, ctx, d), diagnostics: d.items };
    byContext.set(key, hit);
  }
  diags.merge(hit.diagnostics);
  return hit.plan;
}

/** buildRouteAction, reused for a settled router (its action and headers are copied by their users). */
export function routeAction(router: HttpRouter): ActionResult {
  if (!isSettledRouter(router)) return buildRouteAction(router);
  let hit = actions.get(router);
  if (!hit) actions.set(router, (hit = buildRouteAction(router)));
  return hit;
}
