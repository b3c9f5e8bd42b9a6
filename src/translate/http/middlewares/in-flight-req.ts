// InFlightReq: Traefik caps the requests in flight per source (by default per Host) and answers 429 above
// the cap (vulcand/oxy connlimit). Envoy has no per-source concurrency limiter: the closest constructs are a
// cluster's circuit_breakers.max_requests (per cluster, every source and every route of the cluster
// together, 503) and adaptive_concurrency (a latency-driven algorithm with no fixed amount). Neither keeps
// the promise of the middleware, and serving the route without any cap would silently remove it, so a
// positive amount is refused.
// amount 0 is exact: connlimit rejects every request (no source ever has fewer than 0 requests in flight),
// which a fault filter aborting every request with 429 reproduces.
import { describeSource, sourceOf } from './source-criterion';
import { fieldOf, type MiddlewareTranslator } from './types';

const FAULT = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

/**
 * A fault filter config that answers every request it sees with `status` (headers: only those requests).
 * Its runtime keys are its own (`runtimePrefix`), so a fault-injection runtime set for other purposes
 * (fault.http.abort.abort_percent, fault.http.max_active_faults…) cannot turn the check off.
 */
export function abortAll(status: number, runtimePrefix: string, headers?: unknown[]): { '@type': string; [k: string]: unknown } {
  return {
    '@type': FAULT,
    abort: { http_status: status, percentage: { numerator: 100, denominator: 'HUNDRED' } },
    ...(headers ? { headers } : {}),
    max_active_faults_runtime: `${runtimePrefix}.max_active_faults`,
    abort_percent_runtime: `${runtimePrefix}.abort_percent`,
    abort_http_status_runtime: `${runtimePrefix}.abort_http_status`,
  };
}

export const translateInFlightReq: MiddlewareTranslator = (mw) => {
  const c = mw.config ?? {};
  const source = sourceOf(c.sourceCriterion, { t: 'host' });
  if ('error' in source) return { issues: [{ severity: 'error', field: fieldOf(mw, 'sourceCriterion'), message: `${source.error} (Traefik refuses this middleware)` }] };
  const amount = Number(c.amount ?? 0);
  if (amount <= 0) {
    return {
      filter: { kind: 'fault', typedConfig: abortAll(429, `traefik_xds.${mw.namespace}.${mw.name}.fault`) },
      issues: [{ severity: 'info', field: fieldOf(mw, 'amount'), message: 'amount is 0: Traefik rejects every request with 429, and so does the emitted fault filter' }],
    };
  }
  return {
    issues: [{
      severity: 'error',
      field: fieldOf(mw, 'amount'),
      message: `Envoy cannot cap concurrent requests ${describeSource(source)} (its only request caps are per cluster, shared by every client and route, or adaptive); the route is left out rather than served without the cap of ${amount}`,
    }],
  };
};
