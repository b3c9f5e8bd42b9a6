// Headers: custom request/response headers (Set semantics; "" removes) and the security headers Traefik's
// secure middleware writes, as route-level header operations; CORS through Envoy's cors filter and the
// allowedHosts check through routes answering 500 (cors.ts). The deprecated sslRedirect, sslTemporaryRedirect,
// sslHost, sslForceHost and featurePolicy are ignored by Traefik v3 (it no longer passes them to the secure
// middleware), and so here.
import { corsFilter, hasCors, hostCheck } from './cors';
import { fieldOf, type FilterContribution, type MiddlewareIssue, type MiddlewareTranslator, type RouteContribution } from './types';
import type { HeaderValueOption } from '../../../envoy/types';

/** Envoy treats `%` in header values as a formatter; Traefik's values are literal. */
export function literalHeaderValue(v: string): string {
  return v.replace(/%/g, '%%');
}

function set(key: string, value: string): HeaderValueOption {
  return { header: { key, value: literalHeaderValue(value) }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' };
}

export const translateHeaders: MiddlewareTranslator = (mw, ctx) => {
  const c = mw.config as Record<string, any>;
  const issues: MiddlewareIssue[] = [];
  const route: RouteContribution = {};
  let filter: FilterContribution | undefined;
  if (hasCors(c)) {
    filter = corsFilter(mw, c, issues);
    if (!filter) return { issues };
  }
  // allowedHosts (unless isDevelopment): checked where the middleware stands in the chain, before forwarding,
  // after its own CORS part and request headers (Traefik's Headers runs them before the secure check).
  if (!c.isDevelopment) {
    const check = hostCheck(mw, c.allowedHosts ?? [], c.hostsProxyHeaders ?? [], issues, ctx);
    if (issues.some((i) => i.severity === 'error')) return { issues };
    if (check) {
      const checked = ['host', ...(c.hostsProxyHeaders ?? []).map((h: string) => h.toLowerCase())];
      const set = Object.keys(c.customRequestHeaders ?? {}).filter((k) => checked.includes(k.toLowerCase()));
      if (set.length) {
        return { issues: [...issues, { severity: 'error', field: fieldOf(mw, 'customRequestHeaders'), message: `${set.join(', ')} is set before the allowedHosts check, which Envoy's routes make on the original request` }] };
      }
      route.directResponse = check;
    }
  } else if (c.allowedHosts?.length) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'allowedHosts'), message: 'not checked, as in Traefik: isDevelopment is true' });
  }
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
  // STS and Public-Key-Pins: on HTTPS requests (or forced), never in development mode.
  if (c.stsSeconds > 0 && (ctx.tls || c.forceSTSHeader) && !c.isDevelopment) {
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
  if (c.publicKey && ctx.tls && !c.isDevelopment) respAdd.push(set('Public-Key-Pins', c.publicKey));
  if (c.referrerPolicy) respAdd.push(set('Referrer-Policy', c.referrerPolicy));
  if (c.featurePolicy) issues.push({ severity: 'info', field: fieldOf(mw, 'featurePolicy'), message: 'ignored, as in Traefik v3 (no Feature-Policy header is written); use permissionsPolicy' });
  if (c.permissionsPolicy) respAdd.push(set('Permissions-Policy', c.permissionsPolicy));
  // sslProxyHeaders only tell unrolled/secure that a plain request came over HTTPS (for STS and Public-Key-Pins).
  if (c.sslProxyHeaders && Object.keys(c.sslProxyHeaders).length) {
    const affected = !ctx.tls && !c.isDevelopment && ((c.stsSeconds > 0 && !c.forceSTSHeader) || c.publicKey);
    issues.push(affected
      ? { severity: 'warning', field: fieldOf(mw, 'sslProxyHeaders'), message: 'approximated: on plain HTTP, requests carrying these headers do not get the Strict-Transport-Security / Public-Key-Pins headers Traefik adds to them' }
      : { severity: 'info', field: fieldOf(mw, 'sslProxyHeaders'), message: 'no effect here: it only marks plain requests as HTTPS for Strict-Transport-Security and Public-Key-Pins' });
  }
  // sslRedirect, sslTemporaryRedirect, sslHost, sslForceHost: ignored by Traefik v3 (the schema says so).
  if (c.addVaryHeader) {
    // Traefik appends Origin to the service's Vary (unless it is exactly "Origin").
    respAdd.push({ header: { key: 'Vary', value: 'Origin' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' });
  }
  if (route.directResponse) {
    // The "Bad Host" answer gets the custom response headers (Traefik's Header wraps the secure check), not the
    // security headers (the secure middleware adds them to the service's answer only).
    const custom = Object.entries((c.customResponseHeaders ?? {}) as Record<string, string>).sort();
    route.directResponse.responseHeadersToAdd = custom.filter(([, v]) => v !== '').map(([k, v]) => set(k, v));
    route.directResponse.responseHeadersToRemove = custom.filter(([, v]) => v === '').map(([k]) => k.toLowerCase());
    route.directResponse.afterOwnFilters = true;
    if (filter) {
      issues.push({ severity: 'warning', field: fieldOf(mw, 'allowedHosts'), message: 'approximated: a CORS preflight to a host that is not allowed gets the 500 as well (Envoy\'s cors filter does not act on a direct answer; Traefik answers the preflight first)' });
    }
  }
  if (reqAdd.length) route.requestHeadersToAdd = reqAdd;
  if (reqRemove.length) route.requestHeadersToRemove = reqRemove;
  if (respAdd.length) route.responseHeadersToAdd = respAdd;
  if (respRemove.length) route.responseHeadersToRemove = respRemove;
  if (reqAdd.length || reqRemove.length || route.hostRewrite) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'customRequestHeaders'), message: 'request headers are set by the Envoy route, after the HTTP filters: a later middleware translated to a filter (auth, rate limit) does not see them' });
  }
  return { ...(filter ? { filter } : {}), route, issues };
};
