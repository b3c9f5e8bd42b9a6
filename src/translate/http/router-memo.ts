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

/**
 * What is kept for one settled router: one entry per router (a WeakMap entry each is not free, nor for the
 * collector), with plain objects rather than Maps for its few keys (a Map per router costs more than the lookups).
 */
interface RouterMemo {
  /** By translation context key (a router is translated in one context or two). */
  plans?: Record<string, { plan: RouterPlan | undefined; diagnostics: Diagnostic[] }>;
  action?: ActionResult;
  /** perRouter's values by name. */
  derived?: Record<string, unknown>;
}

const memos = new WeakMap<HttpRouter, RouterMemo>();
/** A context's key, computed once per route configuration rather than once per router. */
const contextKeys = new WeakMap<MiddlewareTranslateContext, string>();

/** The router's memo entry; undefined for a router the model did not settle (translated every time). */
function memoOf(router: HttpRouter): RouterMemo | undefined {
  let memo = memos.get(router);
  if (memo) return memo; // a settled router stays settled
  if (!isSettledRouter(router)) return undefined;
  memos.set(router, (memo = {}));
  return memo;
}

/** A value computed from the router alone (`what` names it), kept for a settled router; its users only read it. */
export function perRouter<T>(router: HttpRouter, what: string, compute: (router: HttpRouter) => T): T {
  const memo = memoOf(router);
  if (!memo) return compute(router);
  const values = (memo.derived ??= {});
  if (!Object.hasOwn(values, what)) values[what] = compute(router);
  return values[what] as T;
}

/** planRouter, reused for a settled router in the same context (the plan is only read by its users). */
export function routerPlan(router: HttpRouter, ctx: MiddlewareTranslateContext, diags: Diagnostics): RouterPlan | undefined {
  const memo = memoOf(router);
  if (!memo) return planRouter(router, ctx, diags);
  const byContext = (memo.plans ??= {});
  let key = contextKeys.get(ctx);
  if (key === undefined) contextKeys.set(ctx, (key = JSON.stringify(ctx)));
  let hit = Object.hasOwn(byContext, key) ? byContext[key] : undefined;
  if (!hit) {
    const d = new Diagnostics();
    hit = { plan: planRouter(router, ctx, d), diagnostics: d.items };
    byContext[key] = hit;
  }
  diags.merge(hit.diagnostics);
  return hit.plan;
}

/** buildRouteAction, reused for a settled router (its action and headers are copied by their users). */
export function routeAction(router: HttpRouter): ActionResult {
  const memo = memoOf(router);
  if (!memo) return buildRouteAction(router);
  return (memo.action ??= buildRouteAction(router));
}
