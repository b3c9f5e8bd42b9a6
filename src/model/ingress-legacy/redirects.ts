// 1.7 redirects that v3 has no single middleware for (traefik-ingress.md §3.3, §3.5, §6.7):
// - `redirect-entry-point`: a RedirectScheme to the target entry point's scheme and port, on every entry
//   point of the router but the target (1.7 did not redirect requests already there). A router's middlewares
//   apply on all its entry points, so such a router is split in two (splitByRedirectEntryPoint).
// - `ssl-host` / `ssl-force-host` (unrolled/secure): RedirectRegex constructs to https://<ssl-host><uri>.
// - `ssl-redirect` (with or without ssl-host) does not fire on a request that `ssl-proxy-headers` marks as HTTPS:
//   the middleware carries the pairs (data.unlessRequestHeaders), which the translation turns into header guards.
import { quoteMeta } from '../rules';
import type { Annotation, LegacyPath } from './context';
import type { Diagnostics } from '../diagnostics';
import type { ResolvedMiddleware } from '../middlewares';
import type { HttpRouter } from '../model';

const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };

export function redirectEntryPoint(lp: LegacyPath, a: Annotation, permanent: boolean): ResolvedMiddleware {
  const name = a.value.trim();
  const ep = lp.ctx.opts.entryPoints.find((e) => e.name === name && e.protocol === 'tcp');
  if (!ep || ep.port === undefined) return lp.fail(`redirect-entry-point: entry point ${JSON.stringify(name)} does not exist in the static configuration`, a.key);
  const scheme = ep.tls ? 'https' : 'http';
  if (ep.port === DEFAULT_PORT[scheme]) {
    lp.ctx.diags.warn(lp.subject, lp.field(a.key), `approximated: Traefik 1.7 redirected to ${scheme}://<host>:${ep.port}<uri>, writing the default port; Envoy (as Traefik v3) leaves it out of Location`);
  }
  return lp.mw('redirectScheme', { scheme, port: String(ep.port), permanent }, { redirectEntryPoint: ep.name });
}

/**
 * A router with a redirect-entry-point redirect → the router on the target entry point without the redirect
 * (same name), and the router on the other entry points with it (name + `-redirect`).
 */
export function splitByRedirectEntryPoint(r: HttpRouter, diags: Diagnostics): HttpRouter[] {
  const i = r.middlewares.findIndex((m) => m.data.redirectEntryPoint !== undefined);
  if (i < 0) return [r];
  const target = r.middlewares[i]!.data.redirectEntryPoint!;
  if (!r.entryPoints.includes(target)) return [r];
  const plain: HttpRouter = { ...r, entryPoints: [target], middlewares: r.middlewares.filter((_, j) => j !== i) };
  const others = r.entryPoints.filter((e) => e !== target);
  if (others.length === 0) {
    diags.info(r.provenance.subject, r.provenance.field, `redirect-entry-point: the router is only on the target entry point ${target}, where Traefik 1.7 does not redirect: no redirect`);
    return [plain];
  }
  return [plain, { ...r, name: `${r.name}-redirect`, entryPoints: others }];
}

/** A character class escape. */
function classChar(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}

/** An RE2 regex (no '/') of every host text other than `s` (RE2 has no negative lookahead). */
export function otherHostRegex(s: string): string {
  if (s === '') return '[^/]+';
  const c = s[0]!;
  return `(?:[^/${classChar(c)}][^/]*|${quoteMeta(c)}${otherHostRegex(s.slice(1))})?`;
}

/**
 * ssl-redirect/ssl-temporary-redirect with ssl-host: plain-HTTP requests go to https://<ssl-host><uri>.
 * unrolled/secure answers 301 (307 with ssl-temporary-redirect) for every method.
 */
export function sslHostRedirect(lp: LegacyPath, sslHost: Annotation, permanent: boolean, data: ResolvedMiddleware['data'] = {}): ResolvedMiddleware {
  lp.ctx.diags.warn(lp.subject, lp.field(sslHost.key), `approximated: Traefik 1.7 (unrolled/secure) answered ${permanent ? 301 : 307} for every method; this answers ${permanent ? '301 for GET and 308 otherwise' : '302 for GET and 307 otherwise'}, as Traefik v3's redirects`);
  return lp.mw('redirectRegex', { regex: '^http://[^/]*/(.*)', replacement: `https://${sslHost.value}/$1`, permanent }, data);
}

/** ssl-force-host: any request whose Host is not ssl-host goes to https://<ssl-host><uri> (HTTPS requests too). */
export function sslForceHostRedirect(lp: LegacyPath, force: Annotation, sslHost: Annotation, permanent: boolean): ResolvedMiddleware {
  lp.ctx.diags.warn(lp.subject, lp.field(force.key), `approximated: Traefik 1.7 (unrolled/secure) answered ${permanent ? 301 : 307} for every method; this answers ${permanent ? '301 for GET and 308 otherwise' : '302 for GET and 307 otherwise'}, as Traefik v3's redirects${lp.get('proxy-headers') ? '; the host compared is the Host header (1.7 took the first proxy-headers header present)' : ''}`);
  return lp.mw('redirectRegex', { regex: `^https?://${otherHostRegex(sslHost.value)}/(.*)`, replacement: `https://${sslHost.value}/$1`, permanent });
}
