// Headers: custom request/response headers (Set semantics; "" removes) and the security headers Traefik's
// secure middleware writes, as route-level header operations. CORS and host checks come with their own
// translation; until then a middleware that uses them is refused rather than half applied.
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator, type RouteContribution } from './types';
import type { HeaderValueOption } from '../../../envoy/types';

/** Envoy treats `%` in header values as a formatter; Traefik's values are literal. */
export function literalHeaderValue(v: string): string {
  return v.replace(/%/g, '%%');
}

function set(key: string, value: string): HeaderValueOption {
  return { header: { key, value: literalHeaderValue(value) }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' };
}

const CORS_FIELDS = ['accessControlAllowCredentials', 'accessControlAllowHeaders', 'accessControlAllowMethods', 'accessControlAllowOriginList',
  'accessControlAllowOriginListRegex', 'accessControlExposeHeaders', 'accessControlMaxAge', 'addVaryHeader'];
const NOT_YET = ['allowedHosts', 'hostsProxyHeaders', 'sslRedirect', 'sslTemporaryRedirect', 'sslHost', 'sslForceHost', 'sslProxyHeaders'];

export const translateHeaders: MiddlewareTranslator = (mw, ctx) => {
  const c = mw.config as Record<string, any>;
  const issues: MiddlewareIssue[] = [];
  for (const f of [...CORS_FIELDS, ...NOT_YET]) {
    const v = c[f];
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
    issues.push({ severity: 'error', field: fieldOf(mw, f), message: `${f} is not translated by this version of traefik-xds; the route is left out rather than served without it` });
  }
  if (issues.length) return { issues };
  const route: RouteContribution = {};
  const reqAdd: HeaderValueOption[] = [];
  const reqRemove: string[] = [];
  const respAdd: HeaderValueOption[] = [];
  const respRemove: string[] = [];
  for (const [k, v] of Object.entries((c.customRequestHeaders ?? {}) as Record<string, string>).sort()) {
    if (k.toLowerCase() === 'host') {
      if (v === '') issues.push({ severity: 'warning', field: fieldOf(mw, `customRequestHeaders.${k}`), message: 'an empty Host cannot be sent; ignored' });
      else route.hostRewrite = v;
    } else if (v === '') reqRemove.push(k.toLowerCase());
    else reqAdd.push(set(k, v));
  }
  for (const [k, v] of Object.entries((c.customResponseHeaders ?? {}) as Record<string, string>).sort()) {
    if (v === '') respRemove.push(k.toLowerCase());
    else respAdd.push(set(k, v));
  }
  // Security headers (Traefik's secure middleware, unrolled/secure), only when their field is set.
  if (c.stsSeconds > 0 && (ctx.tls || c.forceSTSHeader)) {
    let sts = `max-age=${c.stsSeconds}`;
    if (c.stsIncludeSubdomains) sts += '; includeSubDomains';
    if (c.stsPreload) sts += '; preload';
    respAdd.push(set('Strict-Transport-Security', sts));
  }
  if (c.customFrameOptionsValue) respAdd.push(set('X-Frame-Options', c.customFrameOptionsValue));
  else if (c.frameDeny) respAdd.push(set('X-Frame-Options', 'DENY'));
  if (c.contentTypeNosniff) respAdd.push(set('X-Content-Type-Options', 'nosniff'));
  if (c.customBrowserXSSValue) respAdd.push(set('X-XSS-Protection', c.customBrowserXSSValue));
  else if (c.browserXssFilter) respAdd.push(set('X-XSS-Protection', '1; mode=block'));
  if (c.contentSecurityPolicy) respAdd.push(set('Content-Security-Policy', c.contentSecurityPolicy));
  if (c.contentSecurityPolicyReportOnly) respAdd.push(set('Content-Security-Policy-Report-Only', c.contentSecurityPolicyReportOnly));
  if (c.publicKey) respAdd.push(set('Public-Key-Pins', c.publicKey));
  if (c.referrerPolicy) respAdd.push(set('Referrer-Policy', c.referrerPolicy));
  if (c.featurePolicy) respAdd.push(set('Feature-Policy', c.featurePolicy));
  if (c.permissionsPolicy) respAdd.push(set('Permissions-Policy', c.permissionsPolicy));
  if (c.isDevelopment) issues.push({ severity: 'info', field: fieldOf(mw, 'isDevelopment'), message: 'only relaxes allowedHosts and the SSL checks, which are not translated' });
  if (reqAdd.length) route.requestHeadersToAdd = reqAdd;
  if (reqRemove.length) route.requestHeadersToRemove = reqRemove;
  if (respAdd.length) route.responseHeadersToAdd = respAdd;
  if (respRemove.length) route.responseHeadersToRemove = respRemove;
  if (reqAdd.length || reqRemove.length || route.hostRewrite) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'customRequestHeaders'), message: 'request headers are set by the Envoy route, after the HTTP filters: a later middleware translated to a filter (auth, rate limit) does not see them' });
  }
  return { route, issues };
};
