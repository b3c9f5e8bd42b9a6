// The Headers middleware's CORS fields and host checks (Traefik's pkg/middlewares/headers header.go and
// unrolled/secure), used by headers.ts.
//   - CORS: Envoy's cors filter, one instance per Middleware, its CorsPolicy given per route. Preflights
//     (OPTIONS + Origin + Access-Control-Request-Method) are answered at the middleware's place in the chain,
//     also for an origin that is not allowed (then without Access-Control-Allow-Origin), as Traefik does.
//   - allowedHosts / hostsProxyHeaders: routes placed before the router's that answer 500 "Bad Host" when the
//     host (the first non-empty proxy header, else Host) is not in the list, compared case-insensitively.
import { checkRe2 } from '../../../model/rules';
import { quoteMeta, unanchored } from '../../regex';
import { X_HEADERS } from './forwarded-headers';
import { fieldOf, type DirectResponseContribution, type FilterContribution, type MiddlewareIssue, type MiddlewareTranslateContext } from './types';
import type { HeaderMatcher } from '../../../envoy/types';
import type { ResolvedMiddleware } from '../../../model/middlewares';
import type { HeadersMiddleware } from '../../../model/crds/types';

const CORS_FILTER = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
const CORS_POLICY = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

type CorsFields = Pick<HeadersMiddleware,
  'accessControlAllowCredentials' | 'accessControlAllowHeaders' | 'accessControlAllowMethods' | 'accessControlAllowOriginList' |
  'accessControlAllowOriginListRegex' | 'accessControlExposeHeaders' | 'accessControlMaxAge' | 'addVaryHeader'>;

/** Traefik's HasCorsHeadersDefined. */
export function hasCors(c: CorsFields): boolean {
  return !!(c.accessControlAllowCredentials || c.accessControlAllowHeaders?.length || c.accessControlAllowMethods?.length
    || c.accessControlAllowOriginList?.length || c.accessControlAllowOriginListRegex?.length || c.accessControlExposeHeaders?.length
    || c.accessControlMaxAge !== undefined || c.addVaryHeader);
}

/** The cors filter instance of a Headers middleware, or an error issue. */
export function corsFilter(mw: ResolvedMiddleware, c: CorsFields, issues: MiddlewareIssue[]): FilterContribution | undefined {
  const creds = c.accessControlAllowCredentials === true;
  const origins = c.accessControlAllowOriginList ?? [];
  const regexes = c.accessControlAllowOriginListRegex ?? [];
  const allowOrigin: Record<string, unknown>[] = [];
  // Traefik: exact (case-sensitive) origins, "*" for any, then unanchored Go regexes.
  for (const o of origins) allowOrigin.push({ exact: o });
  for (const [i, re] of regexes.entries()) {
    const err = checkRe2(re);
    if (err) {
      issues.push({ severity: 'error', field: fieldOf(mw, `accessControlAllowOriginListRegex[${i}]`), message: `RE2 rejects the regex: ${err}` });
      return undefined;
    }
    allowOrigin.push({ safe_regex: { regex: unanchored(re) } });
  }
  const policy: Record<string, unknown> = { '@type': CORS_POLICY };
  if (allowOrigin.length) policy.allow_origin_string_match = allowOrigin;
  const methods = c.accessControlAllowMethods ?? [];
  const headers = c.accessControlAllowHeaders ?? [];
  const expose = c.accessControlExposeHeaders ?? [];
  // Envoy answers "*" by echoing the request's method/headers, which Traefik does only with credentials.
  if (methods.length) policy.allow_methods = methods.includes('*') && creds ? '*' : methods.join(',');
  if (headers.length) policy.allow_headers = headers.includes('*') && creds ? '*' : headers.join(',');
  // With credentials a "*" expose list is not sent at all by Traefik.
  if (expose.length && !(expose.includes('*') && creds)) policy.expose_headers = expose.join(',');
  if (c.accessControlMaxAge !== undefined) policy.max_age = String(c.accessControlMaxAge);
  if (creds) policy.allow_credentials = true;
  // Traefik answers every preflight itself, also for an origin it does not allow.
  policy.forward_not_matching_preflights = false;

  const differences: string[] = [];
  if (origins.includes('*') && !creds) differences.push('for "*" Envoy answers with the request\'s Origin in Access-Control-Allow-Origin (Traefik: "*")');
  if ((methods.length === 1 && methods[0] === '*' && !creds) || (headers.length === 1 && headers[0] === '*' && !creds)) {
    // Envoy echoes for an exact "*" list; Traefik writes "*" (browsers read both as "what was asked").
    differences.push('an allow list of just "*" is answered with the requested method/headers (Traefik: "*")');
  }
  const exposed = expose.length > 0 && !(expose.includes('*') && creds);
  if (exposed) differences.push('preflight answers carry no Access-Control-Expose-Headers');
  const always = [creds ? 'Access-Control-Allow-Credentials' : '', exposed ? 'Access-Control-Expose-Headers' : ''].filter(Boolean);
  if (always.length) differences.push(`${always.join(' and ')} ${always.length > 1 ? 'are' : 'is'} added only to answers to an allowed Origin (Traefik: to every answer)`);
  if (origins.includes('*') && !creds) differences.push('requests without Origin get no Access-Control-Allow-Origin (Traefik: "*")');
  if (differences.length) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'accessControlAllowOriginList'), message: `approximated (browsers allow the same requests): ${differences.join('; ')}` });
  }
  return {
    kind: 'cors',
    typedConfig: { '@type': CORS_FILTER },
    perRoute: { '@type': FILTER_CONFIG, config: policy },
  };
}

/** Header matchers over one request header. */
const nonEmpty = (name: string): HeaderMatcher => ({ name, string_match: { safe_regex: { regex: '.+' } } });
const emptyOrAbsent = (name: string): HeaderMatcher => ({ name, string_match: { safe_regex: { regex: '.+' } }, invert_match: true, treat_missing_header_as_empty: true });

/**
 * unrolled/secure's host check: host = the first non-empty header of hostsProxyHeaders, else Host (with its
 * port); rejected with 500 "Bad Host" unless it equals one of allowedHosts, ignoring case. As match
 * alternatives: "proxy header i is the first non-empty one and is not allowed", or "none is set and Host is
 * not allowed".
 */
export function hostCheck(
  mw: ResolvedMiddleware,
  allowedHosts: string[],
  proxyHeaders: string[],
  issues: MiddlewareIssue[],
  ctx: MiddlewareTranslateContext,
): DirectResponseContribution | undefined {
  if (allowedHosts.length === 0) {
    if (proxyHeaders.length) issues.push({ severity: 'info', field: fieldOf(mw, 'hostsProxyHeaders'), message: 'only used with allowedHosts, which is empty: no effect, as in Traefik' });
    return undefined;
  }
  // Traefik's entry point has already rewritten the X-Forwarded-* headers: from a peer it does not trust it
  // deletes them and sets X-Forwarded-Host to Host (and X-Forwarded-Proto/Port/Server, X-Real-Ip to its own
  // values). Envoy passes the client's: they must not decide the check.
  const fh = ctx.entryPoint?.forwardedHeaders;
  const trust = fh?.insecure ? 'all' : fh?.trustedIPs.length ? 'some' : 'none';
  const own = ['x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-server', 'x-real-ip'];
  const lower = [...new Set(proxyHeaders.map((h) => h.toLowerCase()))];
  const managed = lower.filter((h) => X_HEADERS.includes(h));
  if (managed.length && trust === 'some') {
    issues.push({ severity: 'error', field: fieldOf(mw, 'hostsProxyHeaders'), message: `${managed.join(', ')}: Traefik's entry point keeps them only from the peers in forwardedHeaders.trustedIPs and sets its own otherwise, which a route cannot tell apart` });
    return undefined;
  }
  if (trust === 'none' && lower.some((h) => own.includes(h))) {
    issues.push({ severity: 'error', field: fieldOf(mw, 'hostsProxyHeaders'), message: `${lower.filter((h) => own.includes(h)).join(', ')}: set by Traefik's entry point to its own values before the check, which Envoy cannot reproduce` });
    return undefined;
  }
  let names = lower;
  if (trust === 'none') {
    // Deleted by the entry point, so never the first non-empty one; X-Forwarded-Host there is Host itself.
    const xfh = names.indexOf('x-forwarded-host');
    names = (xfh >= 0 ? names.slice(0, xfh) : names).filter((h) => !X_HEADERS.includes(h));
    if (managed.length) {
      issues.push({ severity: 'info', field: fieldOf(mw, 'hostsProxyHeaders'), message: `${managed.join(', ')}: the entry point does not trust forwarded headers, so Traefik checks its own values (X-Forwarded-Host is the Host header), as here` });
    }
  }
  const allowed = `(?i)(?:${[...new Set(allowedHosts)].map(quoteMeta).join('|')})`;
  const err = checkRe2(allowed);
  if (err) {
    issues.push({ severity: 'error', field: fieldOf(mw, 'allowedHosts'), message: `the host list cannot be matched by Envoy: ${err}` });
    return undefined;
  }
  const notAllowed = (name: string): HeaderMatcher => ({ name, string_match: { safe_regex: { regex: allowed } }, invert_match: true, treat_missing_header_as_empty: true });
  const when: HeaderMatcher[][] = names.map((h, i) => [...names.slice(0, i).map(emptyOrAbsent), nonEmpty(h), notAllowed(h)]);
  when.push([...names.map(emptyOrAbsent), notAllowed(':authority')]);
  if (names.length) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'hostsProxyHeaders'), message: 'a header sent several times is compared with its comma-joined values by Envoy (Traefik: the first one)' });
  }
  return { when, status: 500, body: 'Bad Host\n' };
}
