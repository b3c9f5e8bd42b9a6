// CircuitBreaker (vulcand/oxy cbreaker): Traefik measures the responses of the rest of the chain over a
// rolling 10 s window, checks `expression` every checkPeriod, and once it holds answers every request with
// responseCode for fallbackDuration, then lets traffic back in gradually over recoveryDuration.
//
// Envoy has no tripping breaker on a route; its admission_control filter is the nearest construct: over a
// sliding window it rejects (503) a share of requests that grows as the success rate falls below a
// threshold. A ratio condition maps to it directly:
//   NetworkErrorRatio() > x          → success = every status but 502/504 (oxy's "network errors"), threshold 1 − x
//   ResponseCodeRatio(a, b, c, d) > x → success = every status outside [a, b), threshold 1 − x
//   … < x (ratio below x)            → success = the counted statuses, threshold x
//   && RequestThreshold() > n        → rps_threshold: no rejection below (n+1)/10 requests per second
// `||` between such conditions gives one admission_control instance each (either can reject).
// LatencyAtQuantileMS() (adaptive_concurrency is a different algorithm), `&&` between two ratios, and ==/!= on a
// ratio have no Envoy form: refused, as an invalid expression is (Traefik refuses it).
import { parseTraefikDuration } from '../../../config/duration';
import { CIRCUIT_BREAKER_DIALECT, formatOxy, parseOxyExpression, type OxyPredicate } from './oxy-expression';
import { fieldOf, type FilterContribution, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const ADMISSION_CONTROL = 'type.googleapis.com/envoy.extensions.filters.http.admission_control.v3.AdmissionControl';
/** oxy's rolling counters: 10 buckets of one second. */
const WINDOW_S = 10;

type Range = [number, number]; // [start, end)

/** Status codes in [100, 600) not in `holes` (sorted, disjoint). */
function complement(holes: Range[]): Range[] {
  const out: Range[] = [];
  let at = 100;
  for (const [a, b] of holes) {
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < 600) out.push([at, 600]);
  return out;
}

function clampRange(a: number, b: number): Range[] {
  const s = Math.max(a, 100);
  const e = Math.min(b, 600);
  return s < e ? [[s, e]] : [];
}

interface Clause {
  success: Range[];
  /** Success-rate threshold in [0, 1]. */
  threshold: number;
  /** Minimum requests per second before rejecting. */
  rps?: number;
  notes: string[];
}

function clauseOf(terms: OxyPredicate[]): Clause | { error: string } {
  let ratio: Extract<OxyPredicate, { t: 'cmp' }> | undefined;
  let minCount: number | undefined;
  const notes: string[] = [];
  for (const t of terms) {
    if (t.t !== 'cmp') return { error: `${formatOxy(t)} cannot be expressed` };
    if (t.fn === 'LatencyAtQuantileMS') {
      return { error: `${formatOxy(t)}: Envoy has no latency-quantile breaker (adaptive_concurrency limits concurrency with its own algorithm)` };
    }
    if (t.fn === 'RequestThreshold') {
      if (t.op !== '>' && t.op !== '>=') return { error: `${formatOxy(t)}: only a minimum number of requests (> or >=) has an Envoy form` };
      const n = (t.value as number) + (t.op === '>' ? 1 : 0);
      minCount = Math.max(minCount ?? 0, n);
      continue;
    }
    if (ratio) return { error: `${formatOxy(ratio)} && ${formatOxy(t)}: a condition on two ratios at once cannot be expressed (one success criterion per admission_control filter)` };
    ratio = t;
  }
  if (!ratio) return { error: `${terms.map(formatOxy).join(' && ')}: a breaker on request counts alone (no ratio) cannot be expressed` };
  if (ratio.op === '==' || ratio.op === '!=') return { error: `${formatOxy(ratio)}: only < <= > >= on a ratio have an Envoy form` };
  let failures: Range[];
  if (ratio.fn === 'NetworkErrorRatio') failures = [[502, 503], [504, 505]];
  else {
    const [a, b, c, d] = ratio.args;
    failures = clampRange(a, b);
    if (!(c <= 100 && d >= 600)) {
      notes.push(`Traefik divides by the responses in [${c}, ${d}) only; Envoy's success rate counts every response`);
    }
  }
  const x = ratio.value as number;
  const above = ratio.op === '>' || ratio.op === '>=';
  const success = above ? complement(failures) : failures;
  const threshold = Math.min(Math.max(above ? 1 - x : x, 0), 1);
  if (success.length === 0) return { error: `${formatOxy(ratio)} counts every status code as a failure: the breaker would trip on any traffic` };
  const rps = minCount !== undefined ? Math.ceil(minCount / WINDOW_S) : undefined;
  if (minCount !== undefined && minCount % WINDOW_S !== 0) notes.push(`at least ${minCount} requests in the window becomes at least ${rps} requests per second on average (${rps! * WINDOW_S} per 10 s)`);
  return { success, threshold, rps, notes };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export const translateCircuitBreaker: MiddlewareTranslator = (mw) => {
  const c = mw.config ?? {};
  const issues: MiddlewareIssue[] = [];
  const expr = parseOxyExpression(c.expression ?? '', CIRCUIT_BREAKER_DIALECT);
  if ('error' in expr) return { issues: [{ severity: 'error', field: fieldOf(mw, 'expression'), message: `invalid expression (Traefik refuses this middleware): ${expr.error}` }] };
  for (const f of ['checkPeriod', 'fallbackDuration', 'recoveryDuration']) {
    if (c[f] === undefined || c[f] === null) continue;
    const ms = parseTraefikDuration(c[f]);
    if (typeof ms !== 'number') return { issues: [{ severity: 'error', field: fieldOf(mw, f), message: ms.error }] };
  }
  const clauses: Clause[] = [];
  for (const alt of expr.t === 'or' ? expr.args : [expr]) {
    const terms = alt.t === 'and' ? alt.args : [alt];
    if (terms.some((t) => t.t === 'or')) {
      return { issues: [{ severity: 'error', field: fieldOf(mw, 'expression'), message: `${formatOxy(alt)}: "||" inside "&&" cannot be expressed; the route is left out` }] };
    }
    const clause = clauseOf(terms);
    if ('error' in clause) return { issues: [{ severity: 'error', field: fieldOf(mw, 'expression'), message: `${clause.error}; the route is left out rather than served without its circuit breaker` }] };
    clauses.push(clause);
  }
  const key = `traefik_xds.${mw.namespace}.${mw.name}`;
  const filters: FilterContribution[] = clauses.map((cl, i) => {
    const kind = clauses.length === 1 ? 'admission_control' : `admission_control.${i + 1}`;
    const rk = `${key}.${kind}`;
    return {
      kind,
      typedConfig: {
        '@type': ADMISSION_CONTROL,
        success_criteria: { http_criteria: { http_success_status: cl.success.map(([start, end]) => ({ start, end })) } },
        sampling_window: `${WINDOW_S}s`,
        sr_threshold: { default_value: { value: round(cl.threshold * 100) }, runtime_key: `${rk}.sr_threshold` },
        max_rejection_probability: { default_value: { value: 100 }, runtime_key: `${rk}.max_rejection_probability` },
        ...(cl.rps !== undefined ? { rps_threshold: { default_value: cl.rps, runtime_key: `${rk}.rps_threshold` } } : {}),
      },
    };
  });
  const notes = clauses.flatMap((cl) => cl.notes);
  issues.push({
    severity: 'warning',
    field: fieldOf(mw, 'expression'),
    message: `approximated with Envoy's admission_control filter${clauses.length > 1 ? ` (one per "||" alternative)` : ''}: over a sliding 10 s window it rejects with 503 a share of requests that grows as the success rate falls below the threshold; Traefik trips once "${formatOxy(expr)}" holds and then answers every request for fallbackDuration, recovering over recoveryDuration (neither has an Envoy form, nor has checkPeriod)${notes.length ? `; ${notes.join('; ')}` : ''}`,
  });
  const code = c.responseCode ?? 503;
  if (code !== 503) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'responseCode'), message: `approximated: admission_control always rejects with 503, not ${code}` });
  }
  return { filters, issues };
};
