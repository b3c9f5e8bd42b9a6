// Retry: `attempts` counts every try (Envoy's num_retries = attempts - 1); network errors are retried
// only when nothing reached the backend, as Traefik does.
import { parseTraefikDuration } from '../../../config/duration';
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';
import type { RetryPolicy } from '../../../envoy/types';

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** "500", "500-504", "500,502" → codes (bounded). */
export function expandStatusRanges(list: string[]): number[] | { error: string } {
  const out = new Set<number>();
  for (const item of list) {
    for (const part of item.split(',')) {
      const m = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
      if (!m) return { error: `"${part}" is not a status code or range` };
      const a = Number(m[1]);
      const b = m[2] ? Number(m[2]) : a;
      if (a > b || a < 100 || b > 599) return { error: `"${part}" is not a valid status range` };
      for (let c = a; c <= b; c++) out.add(c);
    }
  }
  return [...out].sort((x, y) => x - y);
}

export const translateRetry: MiddlewareTranslator = (mw) => {
  const c = mw.config;
  const issues: MiddlewareIssue[] = [];
  const attempts = c.attempts ?? 0;
  if (!(attempts > 0)) return { issues: [{ severity: 'error', field: fieldOf(mw, 'attempts'), message: 'attempts must be greater than 0' }] };
  const on: string[] = c.disableRetryOnNetworkError ? [] : ['connect-failure', 'reset-before-request', 'refused-stream'];
  const policy: RetryPolicy = { num_retries: attempts - 1 };
  if (c.status?.length) {
    const codes = expandStatusRanges(c.status);
    if (!Array.isArray(codes)) return { issues: [{ severity: 'error', field: fieldOf(mw, 'status'), message: codes.error }] };
    on.push('retriable-status-codes');
    policy.retriable_status_codes = codes;
    if (!c.retryNonIdempotentMethod) {
      issues.push({ severity: 'warning', field: fieldOf(mw, 'retryNonIdempotentMethod'), message: 'approximated: Envoy cannot limit status-code retries to idempotent methods separately from network-error retries; POST, PATCH and LOCK requests are retried on these statuses too' });
    }
  }
  if (on.length === 0) issues.push({ severity: 'warning', field: fieldOf(mw, 'disableRetryOnNetworkError'), message: 'nothing is retried: network errors are disabled and no status is given' });
  policy.retry_on = on.join(',') || 'retriable-status-codes';
  if (c.initialInterval !== undefined) {
    const ms = parseTraefikDuration(c.initialInterval);
    if (typeof ms !== 'number') return { issues: [{ severity: 'error', field: fieldOf(mw, 'initialInterval'), message: ms.error }] };
    if (ms > 0) {
      policy.retry_back_off = { base_interval: seconds(ms), max_interval: seconds(2 * ms) };
      issues.push({ severity: 'warning', field: fieldOf(mw, 'initialInterval'), message: 'approximated: Envoy backs off with full jitter up to twice the initial interval; Traefik grows the interval exponentially with ±50% jitter' });
    }
  }
  let timeoutMs: number | undefined;
  if (c.timeout !== undefined) {
    const ms = parseTraefikDuration(c.timeout);
    if (typeof ms !== 'number') return { issues: [{ severity: 'error', field: fieldOf(mw, 'timeout'), message: ms.error }] };
    if (ms > 0) {
      timeoutMs = ms;
      issues.push({ severity: 'warning', field: fieldOf(mw, 'timeout'), message: 'approximated: Envoy ends the whole request at the timeout; Traefik only stops retrying and lets the current try finish' });
    }
  }
  if (c.maxRequestBodyBytes !== undefined) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'maxRequestBodyBytes'), message: 'approximated: Envoy buffers request bodies for retries up to its per-connection buffer limit' });
  }
  issues.push({ severity: 'info', field: fieldOf(mw, 'attempts'), message: 'Envoy retries the upstream request; Traefik also re-runs the middlewares after Retry in the chain' });
  return { route: { retryPolicy: policy, timeoutMs }, issues };
};
