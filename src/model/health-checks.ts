// Health checks of a load balancer (traefik-semantics.md §5.1 ServerHealthCheck and passiveHealthCheck):
// the provider's defaults (kubernetes_http.go buildServersLB), then what Traefik's health checker does at run
// time with them (pkg/healthcheck: non-positive durations replaced, status 200–399, redirects followed, the
// request URL built from the server's). Where the seed tables and the code disagree, the code wins: interval
// 30s (the table says 100ms), timeout 5s.
import { formatDuration, parseTraefikDuration } from '../config/duration';
import { ServiceError } from './services';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { PassiveServerHealthCheck, ServerHealthCheck } from './crds/types';
import type { ActiveHealthCheck, PassiveHealthCheck, Scheme } from './model';

/** dynamic.DefaultHealthCheckInterval / DefaultHealthCheckTimeout. */
export const HEALTH_CHECK_DEFAULTS = { intervalMs: 30_000, timeoutMs: 5_000 };
/** PassiveServerHealthCheck.SetDefaults. */
export const PASSIVE_HEALTH_CHECK_DEFAULTS = { failureWindowMs: 10_000, maxFailedAttempts: 1 };

/** Methods Envoy's HTTP health checker can send (core.v3.RequestMethod, CONNECT excluded). */
const ENVOY_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH']);

export interface HealthCheckReport {
  diags: Diagnostics;
  subject: DiagnosticSubject;
  /** Field path of the healthCheck / passiveHealthCheck block. */
  field: string;
}

/** The upstream being checked: an ExternalName server `scheme://host:port` and what its cluster speaks. */
export interface CheckedUpstream {
  scheme: Scheme;
  host: string;
  port: number;
  /** The cluster speaks HTTP/2 (h2c, or https with HTTP/2 allowed): Envoy runs gRPC checks only on such clusters. */
  clusterHttp2: boolean;
  /** The transport has disableHTTP2 (its round tripper cannot speak h2c). */
  disableHTTP2: boolean;
}

function providerDuration(v: string | number | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseTraefikDuration(v);
  // The provider returns the parse error: the service is not built, so its routers fail.
  if (typeof ms !== 'number') throw new ServiceError(`healthCheck: ${ms.error}`, field);
  return ms;
}

/**
 * The active health check of an ExternalName upstream. Returns the check, or `failAll` when Traefik's checks can
 * never succeed (then every server is down and Traefik answers 503), or neither when Envoy cannot run it.
 * Throws ServiceError for what the provider refuses (unparsable durations).
 */
export function resolveHealthCheck(hc: ServerHealthCheck, up: CheckedUpstream, r: HealthCheckReport): { check?: ActiveHealthCheck; failAll?: string } {
  const f = (k: string) => `${r.field}.${k}`;
  const interval0 = providerDuration(hc.interval, 'healthCheck.interval') ?? HEALTH_CHECK_DEFAULTS.intervalMs;
  const unhealthy0 = providerDuration(hc.unhealthyInterval, 'healthCheck.unhealthyInterval');
  const timeout0 = providerDuration(hc.timeout, 'healthCheck.timeout') ?? HEALTH_CHECK_DEFAULTS.timeoutMs;

  // Run time (NewServiceHealthChecker): non-positive values are replaced by the defaults.
  let intervalMs = interval0;
  if (intervalMs <= 0) {
    r.diags.error(r.subject, f('interval'), `interval ${formatDuration(intervalMs)} is not positive: Traefik uses the default ${formatDuration(HEALTH_CHECK_DEFAULTS.intervalMs)}`);
    intervalMs = HEALTH_CHECK_DEFAULTS.intervalMs;
  }
  let unhealthyIntervalMs = unhealthy0 ?? interval0;
  if (unhealthyIntervalMs <= 0) {
    if (unhealthy0 !== undefined) {
      r.diags.error(r.subject, f('unhealthyInterval'), `unhealthyInterval ${formatDuration(unhealthyIntervalMs)} is not positive: Traefik uses the default ${formatDuration(HEALTH_CHECK_DEFAULTS.intervalMs)}`);
    }
    // DefaultHealthCheckInterval, not the interval: what Traefik does.
    unhealthyIntervalMs = HEALTH_CHECK_DEFAULTS.intervalMs;
  }
  let timeoutMs = timeout0;
  if (timeoutMs <= 0) {
    r.diags.error(r.subject, f('timeout'), `timeout ${formatDuration(timeoutMs)} is not positive: Traefik uses the default ${formatDuration(HEALTH_CHECK_DEFAULTS.timeoutMs)}`);
    timeoutMs = HEALTH_CHECK_DEFAULTS.timeoutMs;
  }

  let mode: 'http' | 'grpc' = 'http';
  if (hc.mode === 'grpc') mode = 'grpc';
  else if (hc.mode && hc.mode !== 'http') r.diags.warn(r.subject, f('mode'), `unknown mode ${JSON.stringify(hc.mode)}: Traefik runs an HTTP check, and so does Envoy`);

  const port = hc.port && hc.port > 0 ? hc.port : undefined;
  const hostPort = `${up.host.includes(':') ? `[${up.host}]` : up.host}:${port ?? up.port}`;
  const base = { intervalMs, unhealthyIntervalMs, timeoutMs, ...(port !== undefined ? { port } : {}) };

  if (mode === 'grpc') {
    const scheme = hc.scheme ?? '';
    if (scheme !== '' && scheme !== 'http' && scheme !== 'h2c') {
      return { failAll: `the gRPC health check with scheme ${JSON.stringify(scheme)} dials without transport credentials ("no transport security set"): every check fails, every server is down and Traefik answers 503` };
    }
    if (!up.clusterHttp2) {
      r.diags.warn(r.subject, f('mode'),
        `not translated: Envoy runs gRPC health checks only on HTTP/2 clusters, and this ${up.scheme} service speaks HTTP/1.1 (use scheme h2c for a gRPC server); no active health check is made`);
      return {};
    }
    for (const k of ['path', 'method', 'hostname', 'headers', 'status'] as const) {
      if (hc[k] !== undefined) r.diags.info(r.subject, f(k), `ignored in gRPC mode, as in Traefik`);
    }
    // Go's grpc dialer uses insecure credentials: the check is plaintext HTTP/2 even towards an https server.
    return { check: { mode, tls: false, http2: true, path: '/', method: 'GET', host: hostPort, headers: [], expectedStatuses: [], authority: hostPort, ...base } };
  }

  // HTTP mode: the request URL is the server URL with the check's path, scheme and port.
  const scheme = hc.scheme || up.scheme;
  let tls: boolean;
  let http2 = false;
  if (scheme === 'http') tls = false;
  else if (scheme === 'https') tls = true;
  else if (scheme === 'h2c') {
    if (up.disableHTTP2) {
      return { failAll: 'the health check uses scheme h2c through a transport with disableHTTP2, which cannot speak it ("unsupported protocol scheme"): every check fails, every server is down and Traefik answers 503' };
    }
    tls = false;
    http2 = true;
  } else {
    return { failAll: `the health check scheme ${JSON.stringify(scheme)} is not http, https or h2c ("unsupported protocol scheme"): every check fails, every server is down and Traefik answers 503` };
  }
  const rawPath = hc.path ?? '';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(rawPath) || rawPath.startsWith('//')) {
    return { failAll: `health check path must be a relative URL, got ${JSON.stringify(rawPath)}: every check fails, every server is down and Traefik answers 503` };
  }
  const path = rawPath === '' ? '/' : rawPath.startsWith('/') ? rawPath : `/${rawPath}`;

  let method = 'GET';
  if (hc.method) {
    const m = hc.method.toUpperCase();
    if (!ENVOY_METHODS.has(m)) {
      r.diags.warn(r.subject, f('method'), `approximated: Envoy's health checker cannot send ${hc.method} (${[...ENVOY_METHODS].join(', ')}); GET is sent`);
    } else {
      method = m;
      if (m !== hc.method) r.diags.info(r.subject, f('method'), `approximated: Go sends ${JSON.stringify(hc.method)} as written, Envoy sends ${m}`);
    }
  }

  const headers: [string, string][] = [];
  for (const k of Object.keys(hc.headers ?? {}).sort()) {
    const v = hc.headers![k]!;
    if (k.toLowerCase() === 'host') {
      r.diags.info(r.subject, f(`headers.${k}`), 'ignored, as by Go\'s HTTP client (the Host header comes from hostname, else the server address): use hostname');
      continue;
    }
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) {
      r.diags.warn(r.subject, f('headers'), `header name ${JSON.stringify(k)} is not a valid HTTP header name: left out`);
      continue;
    }
    headers.push([k.toLowerCase(), v]);
  }

  let expectedStatuses: [number, number][] = [[200, 400]];
  if (hc.status !== undefined && hc.status !== 0) {
    const s = hc.status;
    if (s < 100 || s > 599) {
      return { failAll: `status ${s} is not an HTTP status code a server can answer: every check fails, every server is down and Traefik answers 503` };
    }
    expectedStatuses = [[s, s + 1]];
    if (hc.followRedirects !== false && !(s >= 300 && s < 400)) {
      // Go follows the redirect and compares the final status; Envoy judges the first answer.
      expectedStatuses = s < 300 ? [[s, s + 1], [300, 400]] : [[300, 400], [s, s + 1]];
      r.diags.info(r.subject, f('status'),
        'approximated: Go follows redirects (followRedirects defaults to true) and compares the final status; Envoy does not follow them and also accepts a 3xx answer');
    }
  }

  return {
    check: {
      mode, tls, http2, path, method,
      host: hc.hostname || hostPort,
      headers,
      expectedStatuses,
      ...base,
    },
  };
}

/** passiveHealthCheck: defaults failureWindow 10s, maxFailedAttempts 1. Throws ServiceError for an unparsable failureWindow. */
export function resolvePassiveHealthCheck(p: PassiveServerHealthCheck, r: HealthCheckReport): PassiveHealthCheck | undefined {
  const f = (k: string) => `${r.field}.${k}`;
  let failureWindowMs = PASSIVE_HEALTH_CHECK_DEFAULTS.failureWindowMs;
  if (p.failureWindow !== undefined) {
    const ms = parseTraefikDuration(p.failureWindow);
    if (typeof ms !== 'number') throw new ServiceError(`passiveHealthCheck: ${ms.error}`, 'passiveHealthCheck.failureWindow');
    failureWindowMs = ms;
  }
  let maxFailedAttempts = p.maxFailedAttempts ?? PASSIVE_HEALTH_CHECK_DEFAULTS.maxFailedAttempts;
  if (maxFailedAttempts < 1) {
    r.diags.info(r.subject, f('maxFailedAttempts'), `${maxFailedAttempts} behaves as 1 in Traefik (the first failure marks the server down)`);
    maxFailedAttempts = 1;
  }
  if (failureWindowMs <= 0) {
    r.diags.warn(r.subject, f('failureWindow'),
      `failureWindow ${formatDuration(failureWindowMs)}: a server Traefik marks down comes back at once, so the passive health check has no effect; no outlier detection is configured`);
    return undefined;
  }
  if (maxFailedAttempts > 1) {
    r.diags.warn(r.subject, f('maxFailedAttempts'),
      `approximated: Envoy takes a server out after ${maxFailedAttempts} consecutive failures, however far apart; Traefik counts only the failures of the last ${formatDuration(failureWindowMs)}`);
  }
  return { maxFailedAttempts, failureWindowMs };
}
