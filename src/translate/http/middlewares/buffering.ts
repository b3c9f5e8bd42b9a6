// Buffering (vulcand/oxy buffer): Traefik reads the whole request body before forwarding it (413 above
// maxRequestBodyBytes), buffers the whole response (500 above maxResponseBodyBytes) and may replay the
// request while retryExpression holds.
// - maxRequestBodyBytes > 0 → Envoy's buffer filter (max_request_bytes; 413 when exceeded): exact, except
//   that Envoy keeps the body in memory where Traefik spills to disk above memRequestBodyBytes.
// - maxRequestBodyBytes 0 (no maximum): Envoy's buffer filter needs a maximum, so the body is streamed.
// - maxResponseBodyBytes / memResponseBodyBytes: no response-size limit in the Envoy API: not enforced.
// - retryExpression → the route's retry policy, when it has the usual shape
//   `<IsNetworkError() | ResponseCode() … joined by ||> && Attempts() < n [&& RequestMethod() == "…"]`.
import { BUFFER_RETRY_DIALECT, formatOxy, parseOxyExpression, type CmpOp, type OxyPredicate } from './oxy-expression';
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';
import { quoteMeta } from '../../regex';
import type { HeaderMatcher, RetryPolicy } from '../../../envoy/types';

const BUFFER = 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer';
const MAX_UINT32 = 4294967295;
/** oxy's DefaultMaxRetryAttempts: the predicate is not consulted after the 10th attempt. */
const OXY_MAX_RETRIES = 10;

function compare(a: number, op: CmpOp, b: number): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

interface RetryShape {
  policy?: RetryPolicy;
  /** Why the expression has no Envoy retry policy (then nothing is retried). */
  unsupported?: string;
  notes: string[];
}

/** The statuses and network errors the condition part retries on. */
function conditionOf(p: OxyPredicate, codes: Set<number>, on: Set<string>): string | undefined {
  if (p.t === 'call' && p.fn === 'IsNetworkError') {
    // oxy: the last response was 502 or 504 (Traefik's proxy answers those on connection errors and timeouts).
    codes.add(502);
    codes.add(504);
    on.add('connect-failure');
    on.add('reset');
    return undefined;
  }
  if (p.t === 'cmp' && p.fn === 'ResponseCode') {
    for (let code = 100; code < 600; code++) if (compare(code, p.op, p.value as number)) codes.add(code);
    return undefined;
  }
  if (p.t === 'or') {
    for (const a of p.args) {
      const err = conditionOf(a, codes, on);
      if (err) return err;
    }
    return undefined;
  }
  return `${formatOxy(p)} is not a condition on the response`;
}

export function retryPolicyOf(expr: OxyPredicate): RetryShape {
  const notes: string[] = [];
  const terms = expr.t === 'and' ? expr.args : [expr];
  let maxRetries: number | undefined;
  const methodIs = new Set<string>();
  const methodIsNot = new Set<string>();
  const conditions: OxyPredicate[] = [];
  for (const t of terms) {
    if (t.t === 'cmp' && t.fn === 'Attempts') {
      const n = t.value as number;
      // The predicate runs after attempt a (1, 2, …) and retries while it holds.
      let retries: number;
      if (t.op === '<') retries = n - 1;
      else if (t.op === '<=') retries = n;
      else return { unsupported: `${formatOxy(t)} does not bound the number of attempts from above`, notes };
      maxRetries = Math.min(maxRetries ?? Infinity, Math.max(retries, 0));
    } else if (t.t === 'cmp' && t.fn === 'RequestMethod') {
      (t.op === '==' ? methodIs : methodIsNot).add(String(t.value));
    } else conditions.push(t);
  }
  if (conditions.length === 0) return { unsupported: 'it has no condition on the response (IsNetworkError() or ResponseCode())', notes };
  if (conditions.length > 1) return { unsupported: `several response conditions joined by && (${conditions.map(formatOxy).join(', ')})`, notes };
  const codes = new Set<number>();
  const on = new Set<string>();
  const err = conditionOf(conditions[0], codes, on);
  if (err) return { unsupported: err, notes };
  // The method terms are joined by &&; Envoy retries when any retriable_request_headers matcher matches, so
  // they become one matcher.
  let method: HeaderMatcher | undefined;
  if (methodIs.size > 1 || [...methodIs].some((m) => methodIsNot.has(m))) return { notes: [...notes, 'the RequestMethod() conditions never hold together'] };
  if (methodIs.size === 1) method = { name: ':method', string_match: { exact: [...methodIs][0] } };
  else if (methodIsNot.size) {
    method = { name: ':method', string_match: { safe_regex: { regex: [...methodIsNot].sort().map(quoteMeta).join('|') } }, invert_match: true };
  }
  if (maxRetries === undefined) {
    maxRetries = OXY_MAX_RETRIES;
    notes.push(`no Attempts() bound: oxy stops after ${OXY_MAX_RETRIES} retries, and so does the policy`);
  }
  if (maxRetries > OXY_MAX_RETRIES) maxRetries = OXY_MAX_RETRIES;
  if (maxRetries === 0) return { notes: [...notes, 'the Attempts() bound allows no retry'] };
  if (codes.size === 0 && on.size === 0) return { notes: [...notes, 'the condition never holds for a response'] };
  const policy: RetryPolicy = { num_retries: maxRetries };
  // Traefik's proxy answers 502 (504 on timeouts) when the service cannot be reached, so a condition on those
  // statuses also retries network errors.
  if (codes.has(502) || codes.has(504)) {
    on.add('connect-failure');
    on.add('reset');
  }
  // Every 5xx: Envoy's "5xx" (which includes connect failures and resets).
  let all5xx = true;
  for (let code = 500; code < 600; code++) if (!codes.has(code)) all5xx = false;
  if (all5xx) {
    for (let code = 500; code < 600; code++) codes.delete(code);
    on.delete('connect-failure');
    on.delete('reset');
    on.add('5xx');
  }
  const tokens = [...on];
  if (codes.size) {
    tokens.push('retriable-status-codes');
    policy.retriable_status_codes = [...codes].sort((a, b) => a - b);
  }
  policy.retry_on = tokens.join(',');
  if (method) policy.retriable_request_headers = [method];
  return { policy, notes };
}

function bytes(v: unknown): number {
  return Number(v ?? 0);
}

export const translateBuffering: MiddlewareTranslator = (mw) => {
  const c = mw.config ?? {};
  const issues: MiddlewareIssue[] = [];
  for (const f of ['maxRequestBodyBytes', 'memRequestBodyBytes', 'maxResponseBodyBytes', 'memResponseBodyBytes']) {
    if (bytes(c[f]) < 0) issues.push({ severity: 'error', field: fieldOf(mw, f), message: `${f} must be >= 0 (Traefik refuses this middleware)` });
  }
  let retry: RetryShape | undefined;
  if (c.retryExpression) {
    const expr = parseOxyExpression(c.retryExpression, BUFFER_RETRY_DIALECT);
    if ('error' in expr) issues.push({ severity: 'error', field: fieldOf(mw, 'retryExpression'), message: `invalid retry expression (Traefik refuses this middleware): ${expr.error}` });
    else retry = retryPolicyOf(expr);
  }
  if (issues.length) return { issues };

  const maxReq = bytes(c.maxRequestBodyBytes);
  let filter;
  if (maxReq > 0) {
    let max = maxReq;
    if (max > MAX_UINT32) {
      issues.push({ severity: 'warning', field: fieldOf(mw, 'maxRequestBodyBytes'), message: `approximated: Envoy's buffer limit is 32-bit; ${maxReq} is capped at ${MAX_UINT32}` });
      max = MAX_UINT32;
    }
    filter = { kind: 'buffer', typedConfig: { '@type': BUFFER, max_request_bytes: max } };
    issues.push({ severity: 'info', field: fieldOf(mw, 'maxRequestBodyBytes'), message: 'Envoy\'s buffer filter reads the whole request body before forwarding it and answers 413 above the maximum, as Traefik; it keeps the body in memory (memRequestBodyBytes, Traefik\'s threshold for spilling to disk, has no Envoy equivalent)' });
  } else {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'maxRequestBodyBytes'), message: 'approximated: with no maximum (0), Traefik buffers the whole request body (on disk when large) before forwarding it; Envoy\'s buffer filter needs a maximum, so the body is streamed to the service as it arrives' });
  }
  if (bytes(c.maxResponseBodyBytes) > 0) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'maxResponseBodyBytes'), message: `approximated: not enforced — Envoy has no response-size limit; Traefik answers 500 when a response exceeds ${c.maxResponseBodyBytes} bytes` });
  }
  issues.push({ severity: 'info', field: fieldOf(mw), message: 'responses are streamed by Envoy; Traefik buffers each whole response before sending it (memResponseBodyBytes in memory, the rest on disk)' });

  let policy: RetryPolicy | undefined;
  if (retry) {
    if (retry.unsupported) {
      issues.push({ severity: 'warning', field: fieldOf(mw, 'retryExpression'), message: `approximated: requests are not retried — ${retry.unsupported}, which an Envoy retry policy cannot express` });
    } else if (!retry.policy) {
      issues.push({ severity: 'info', field: fieldOf(mw, 'retryExpression'), message: `no retry policy: ${retry.notes.join('; ')}` });
    } else {
      policy = retry.policy;
      issues.push({
        severity: 'warning',
        field: fieldOf(mw, 'retryExpression'),
        message: `approximated as an Envoy retry policy (${policy.num_retries} retries on ${policy.retry_on}${policy.retriable_status_codes ? ` ${policy.retriable_status_codes.length <= 6 ? policy.retriable_status_codes.join('/') : `(${policy.retriable_status_codes.length} status codes)`}` : ''}): Envoy retries only the upstream request, after a short jittered back-off, with a body it buffered up to its buffer limit; Traefik replays the rest of the middleware chain at once${retry.notes.length ? `; ${retry.notes.join('; ')}` : ''}`,
      });
    }
  }
  return { ...(filter ? { filter } : {}), ...(policy ? { route: { retryPolicy: policy } } : {}), issues };
};
