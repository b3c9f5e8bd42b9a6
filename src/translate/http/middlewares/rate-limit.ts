// RateLimit: a local_ratelimit filter instance per Middleware object, its token bucket in the filter-level
// config (so every route that enables the instance shares one bucket), filter_enabled and filter_enforced
// at 100% (both default to 0%, which lets every request through).
//
// Bucket (Traefik: golang.org/x/time/rate, rate = average/period, capacity = max(burst, 1)). Envoy ≥ 1.31
// refills its bucket continuously at tokens_per_fill/fill_interval up to max_tokens, the same model:
// max_tokens = max(burst, 1), tokens_per_fill = average, fill_interval = period, both multiplied by the
// smallest k that brings fill_interval to Envoy's 50 ms minimum.
//
// Sources: Traefik keeps one bucket per source (by default the client IP). The local_ratelimit of the
// bundled Envoy API (≈ 1.32–1.33) has no wildcard descriptor (descriptor values are required; dynamic
// per-value buckets came with Envoy 1.34 together with a `rate_limits` field this API lacks), so a
// per-source limit cannot be expressed: one bucket is shared by every client, reported as a warning.
// Redis (a limit shared between Traefik instances) needs a rate-limit service: refused.
import { parseTraefikDuration } from '../../../config/duration';
import { describeSource, sourceOf } from './source-criterion';
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const LOCAL_RATE_LIMIT = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const MIN_FILL_NS = 50_000_000n;
const MAX_UINT32 = 4294967295;

/** A Duration in Envoy's JSON form from nanoseconds ("1s", "0.050s"). */
export function durationFromNs(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  if (frac === 0n) return `${s}s`;
  return `${s}.${frac.toString().padStart(9, '0').replace(/0+$/, '')}s`;
}

export function statPrefixOf(namespace: string, name: string): string {
  return `traefik_mw_${namespace}_${name}`.replace(/[^A-Za-z0-9_]/g, '_');
}

const PERCENT_100 = { default_value: { numerator: 100, denominator: 'HUNDRED' } };

export const translateRateLimit: MiddlewareTranslator = (mw) => {
  const c = mw.config ?? {};
  const issues: MiddlewareIssue[] = [];
  if (c.redis) {
    return { issues: [{ severity: 'error', field: fieldOf(mw, 'redis'), message: 'a rate limit shared through Redis needs a global rate-limit service (Envoy\'s ratelimit filter and an RLS), which traefik-xds does not provide; the route is left out rather than served without the limit' }] };
  }
  const source = sourceOf(c.sourceCriterion, { t: 'ip' });
  if ('error' in source) return { issues: [{ severity: 'error', field: fieldOf(mw, 'sourceCriterion'), message: `${source.error} (Traefik refuses this middleware)` }] };

  let periodNs = 1_000_000_000n;
  if (c.period !== undefined && c.period !== null) {
    const ms = parseTraefikDuration(c.period);
    if (typeof ms !== 'number') return { issues: [{ severity: 'error', field: fieldOf(mw, 'period'), message: ms.error }] };
    if (ms < 0) return { issues: [{ severity: 'error', field: fieldOf(mw, 'period'), message: `negative value not valid for period: ${c.period}` }] };
    if (ms > 0) periodNs = BigInt(Math.round(ms * 1e6));
    if (periodNs === 0n) periodNs = 1n; // a sub-nanosecond period: Go would truncate it to 0 and use 1s; keep it tiny
  }
  const average = Number(c.average ?? 0);
  if (!(average > 0)) {
    return { issues: [{ severity: 'info', field: fieldOf(mw, 'average'), message: 'average is 0: Traefik applies no limit, and no rate-limit filter is emitted' }] };
  }
  const burst = Math.max(Number(c.burst ?? 1), 1);

  // Envoy's fill timer must be at least 50 ms: scale the interval and the tokens per fill together.
  const k = periodNs >= MIN_FILL_NS ? 1n : (MIN_FILL_NS + periodNs - 1n) / periodNs;
  const fillNs = periodNs * k;
  let tokensPerFill = average * Number(k);
  let maxTokens = burst;
  if (tokensPerFill > MAX_UINT32) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'average'), message: `approximated: ${tokensPerFill} tokens per fill exceed Envoy's 32-bit limit; capped at ${MAX_UINT32}` });
    tokensPerFill = MAX_UINT32;
  }
  if (maxTokens > MAX_UINT32) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'burst'), message: `approximated: a burst of ${maxTokens} exceeds Envoy's 32-bit limit; capped at ${MAX_UINT32}` });
    maxTokens = MAX_UINT32;
  }

  issues.push({
    severity: 'warning',
    field: fieldOf(mw, 'sourceCriterion'),
    message: `approximated: Traefik keeps one bucket ${describeSource(source)} and per router; the Envoy API this version emits cannot key a local rate limit by source, so ONE bucket of ${average} requests per ${durationFromNs(periodNs)} (burst ${burst}) is shared by every client and every route using this middleware — a much stricter limit under load from several clients`,
  });
  issues.push({
    severity: 'warning',
    field: fieldOf(mw, 'average'),
    message: 'approximated: Envoy answers 429 as soon as the bucket is empty; Traefik first delays a request that would be allowed soon (up to 1/(2·rate), at most 500 ms) and adds Retry-After and X-Retry-In to its 429',
  });
  return {
    filter: {
      kind: 'local_ratelimit',
      typedConfig: {
        '@type': LOCAL_RATE_LIMIT,
        stat_prefix: statPrefixOf(mw.namespace, mw.name),
        token_bucket: { max_tokens: maxTokens, tokens_per_fill: tokensPerFill, fill_interval: durationFromNs(fillNs) },
        filter_enabled: PERCENT_100,
        filter_enforced: PERCENT_100,
      },
    },
    issues,
  };
};
