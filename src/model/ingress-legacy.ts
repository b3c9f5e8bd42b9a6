// Traefik 1.7 Ingress annotations (traefik-ingress.md §3), read with providers.kubernetesIngress.legacyAnnotations:
// v1.7. Each is mapped onto the construct the equivalent v3 Middleware or service option produces, so the
// existing translation applies; what the translators do not cover yet is refused with a diagnostic (a path
// is never served without a security-relevant feature it asks for).
import { parse as parseYaml } from 'yaml';
import { canonicalHeaderKey } from './rules/go-strings';
import { quoteMeta } from './rules';
import { secretValue } from './certificates';
import { ObjectIndex, subjectOf } from './object-index';
import { ingressRule } from './ingress-routers';
import { legacyServiceForPath } from './ingress-legacy-service';
import type { HttpBuildContext } from './http-routers';
import type { IngressObj, IngressPath } from './crds/ingress';
import type { MiddlewareType, ResponseForwarding, ServiceObj, Sticky } from './crds/types';
import type { ResolvedMiddleware } from './middlewares';
import type { KubernetesIngressProvider } from '../config/types';
import { legacyAuth } from './ingress-legacy/auth';
import { legacyBackendName, legacyBackendNames, legacyErrorPages } from './ingress-legacy/error-pages';
import { legacyPassClientTlsCert } from './ingress-legacy/pass-client-tls-cert';
import { redirectEntryPoint, sslForceHostRedirect, sslHostRedirect } from './ingress-legacy/redirects';
import { templateString } from './ingress-legacy/template-string';
import { planServiceWeights, type WeightPlan } from './ingress-legacy/service-weights';
import type { LegacyBackendRef, LegacyContext, LegacyPath } from './ingress-legacy/context';

export class LegacyError extends Error {
  /** `field`: where the error lands on the Ingress when the annotation is not the Ingress's (a Service's). */
  constructor(message: string, readonly annotation: string, readonly field?: string) {
    super(message);
  }
}

const INGRESS_KEYS = [
  'app-root', 'error-pages', 'frontend-entry-points', 'pass-client-tls-cert', 'pass-tls-cert', 'preserve-host', 'priority',
  'rate-limit', 'redirect-entry-point', 'redirect-permanent', 'redirect-regex', 'redirect-replacement', 'request-modifier',
  'rewrite-target', 'rule-type', 'service-weights', 'whitelist-source-range', 'whitelist-x-forwarded-for', 'protocol', 'auth-realm',
  'custom-request-headers', 'custom-response-headers', 'allowed-hosts', 'browser-xss-filter', 'content-security-policy',
  'content-type-nosniff', 'custom-browser-xss-value', 'custom-frame-options-value', 'force-hsts', 'frame-deny', 'hsts-max-age',
  'hsts-include-subdomains', 'hsts-preload', 'is-development', 'proxy-headers', 'public-key', 'referrer-policy', 'ssl-redirect',
  'ssl-temporary-redirect', 'ssl-host', 'ssl-force-host', 'ssl-proxy-headers', 'auth-type', 'auth-secret', 'auth-remove-header',
  'auth-header-field', 'auth-url', 'auth-trust-headers', 'auth-response-headers', 'auth-tls-secret', 'auth-tls-insecure',
];
const SERVICE_KEYS = [
  'buffering', 'affinity', 'circuit-breaker-expression', 'responseforwarding-flushinterval', 'load-balancer-method',
  'max-conn-amount', 'max-conn-extractor-func', 'session-cookie-name', 'session-secure', 'session-http-only', 'session-same-site',
];
/** 1.7 compatibility labels (§3.1) → key. */
const COMPAT: Record<string, string> = {
  'traefik.frontend.passHostHeader': 'preserve-host',
  'traefik.frontend.passTLSCert': 'pass-tls-cert',
  'traefik.frontend.entryPoints': 'frontend-entry-points',
  'traefik.frontend.priority': 'priority',
  'traefik.backend.circuitbreaker': 'circuit-breaker-expression',
  'traefik.backend.loadbalancer.method': 'load-balancer-method',
  'traefik.backend.loadbalancer.stickiness': 'affinity',
  'traefik.backend.loadbalancer.stickiness.cookieName': 'session-cookie-name',
  'traefik.frontend.rule.type': 'rule-type',
  'traefik.frontend.redirect.entrypoint': 'redirect-entry-point',
  'traefik.frontend.redirect.regex': 'redirect-regex',
  'traefik.frontend.redirect.replacement': 'redirect-replacement',
};
const ALL_KEYS = new Set([...INGRESS_KEYS, ...SERVICE_KEYS]);

/** The 1.7 annotation keys present on an object (both prefixes, compatibility labels), sorted. */
export function legacyAnnotationKeys(annotations: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(annotations)) {
    if (k in COMPAT || k === 'traefik.backend.loadbalancer.sticky') out.push(k);
    else if (k.startsWith('ingress.kubernetes.io/') && ALL_KEYS.has(k.slice('ingress.kubernetes.io/'.length))) out.push(k);
    else if (k.startsWith('traefik.ingress.kubernetes.io/') && ALL_KEYS.has(k.slice('traefik.ingress.kubernetes.io/'.length))) out.push(k);
  }
  return out.sort();
}

/** §3.1 lookup: `ingress.kubernetes.io/x`, then `traefik.ingress.kubernetes.io/x`, then the compatibility label. */
export function lookup(annotations: Record<string, string>, name: string): { key: string; value: string } | undefined {
  for (const key of [`ingress.kubernetes.io/${name}`, `traefik.ingress.kubernetes.io/${name}`, ...Object.keys(COMPAT).filter((c) => COMPAT[c] === name)]) {
    if (annotations[key] !== undefined) return { key, value: annotations[key]! };
  }
  return undefined;
}

export interface LegacyPathResult {
  /** Replaces the v3 rule (rule-type). */
  rule?: string;
  pathMatcher?: string;
  middlewares: ResolvedMiddleware[];
  entryPoints?: string[];
  priority?: bigint;
  passHostHeader?: boolean;
  scheme?: string;
  /** From the backend Service's 1.7 annotations (ingress-legacy-service.ts); the v3 `service.sticky` wins. */
  sticky?: Sticky;
  responseForwarding?: ResponseForwarding;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** 1.7's lenient bool: an unparsable value falls back to the default (reported). */
export function bool(ctx: HttpBuildContext, ing: IngressObj | ServiceObj, a: { key: string; value: string } | undefined, dflt: boolean): boolean {
  if (!a) return dflt;
  if (TRUE.has(a.value)) return true;
  if (FALSE.has(a.value)) return false;
  ctx.diags.warn(subjectOf(ing), `metadata.annotations[${JSON.stringify(a.key)}]`, `invalid boolean ${JSON.stringify(a.value)}: Traefik 1.7 used the default (${dflt})`);
  return dflt;
}

export function list(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter(Boolean);
}

/** `H:v||H2:v2` → canonical header map (§3.1). */
function headerMap(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of v.split('||')) {
    const i = entry.indexOf(':');
    if (i < 0) continue;
    out[canonicalHeaderKey(entry.slice(0, i).trim())] = entry.slice(i + 1).trim();
  }
  return out;
}

export function sourceCriterion(extractor: string, key: string): Record<string, unknown> {
  if (extractor === 'client.ip') return { ipStrategy: {} };
  if (extractor === 'request.host') return { requestHost: true };
  // oxy refuses `request.header.` with no name ("wrong header").
  if (extractor.startsWith('request.header.') && extractor.length > 'request.header.'.length) return { requestHeaderName: extractor.slice('request.header.'.length) };
  throw new LegacyError(`unknown extractor function ${JSON.stringify(extractor)} (client.ip, request.host or request.header.<Name>)`, key);
}

/** 1.7's getIntValue: an unparsable integer is the default (0). */
function int(v: string | undefined): number {
  return v !== undefined && /^[+-]?[0-9]+$/.test(v.trim()) ? Number(v.trim()) : 0;
}

/** The 1.7 backend name of a path of this Ingress (error-pages refer to backends by it). */
export function backendNameOf(ing: IngressObj, host: string, path: string, serviceName: string): string {
  const eps = lookup(ing.annotations, 'frontend-entry-points');
  return legacyBackendName(host, path, serviceName, eps ? list(eps.value) : [], int(lookup(ing.annotations, 'priority')?.value));
}

/** 1.7 backend names of the processed Ingresses (legacy mode), for error-pages. */
export function legacyBackendsOf(ingresses: IngressObj[]): Map<string, LegacyBackendRef> {
  return legacyBackendNames(ingresses, (ing) => {
    const eps = lookup(ing.annotations, 'frontend-entry-points');
    return { entryPoints: eps ? list(eps.value) : [], priority: int(lookup(ing.annotations, 'priority')?.value) };
  });
}

/** service-weights of an Ingress (throws ServiceWeightsError: the whole Ingress is skipped), or undefined. */
export function legacyServiceWeights(ctx: HttpBuildContext, ing: IngressObj): WeightPlan | undefined {
  const sw = lookup(ing.annotations, 'service-weights');
  return sw ? planServiceWeights(ctx, ing, sw) : undefined;
}

/** The 1.7 features of one path, in the router-level order of §3.9. */
export function legacyForPath(ctx: LegacyContext, ing: IngressObj, host: string, p: IngressPath, field: string): LegacyPathResult {
  const a = ing.annotations;
  const io = ctx.opts.ingress as KubernetesIngressProvider;
  const subject = subjectOf(ing);
  const af = (k: string) => `metadata.annotations[${JSON.stringify(k)}]`;
  const out: LegacyPathResult = { middlewares: [] };
  const path = p.path ?? '';
  let n = 0;
  const mw = (type: MiddlewareType, config: unknown, data: ResolvedMiddleware['data'] = {}): ResolvedMiddleware => {
    const name = `${ing.name}-legacy-${type.toLowerCase()}-${field.replace(/[^0-9]+/g, '-').replace(/^-|-$/g, '')}-${n++}`;
    return { id: `${ing.namespace}/${name}`, namespace: ing.namespace, name, type, config, data, subject, via: [] };
  };

  const lp: LegacyPath = {
    ctx, ing, subject, host, path, io,
    get: (name) => lookup(a, name),
    getOf: (o, name) => lookup(o.annotations, name),
    bool: (v, dflt) => bool(ctx, ing, v, dflt),
    field: af,
    mw,
    fail: (message, key) => {
      throw new LegacyError(message, key);
    },
  };

  // Error pages (first: they see the answers of everything after them).
  const pages = lookup(a, 'error-pages');
  if (pages) out.middlewares.push(...legacyErrorPages(lp, pages, backendNameOf(ing, host, path, p.backend.service?.name ?? '')));
  const passTls = lookup(a, 'pass-tls-cert');
  if (passTls && bool(ctx, ing, passTls, io.enablePassTLSCert)) ctx.diags.warn(subject, af(passTls.key), 'pass-tls-cert (upstream TLS from the entry point) is not translated; ignored');

  const eps = lookup(a, 'frontend-entry-points');
  if (eps) {
    const known = (e: string) => ctx.opts.entryPoints.some((x) => x.name === e && x.protocol === 'tcp');
    out.entryPoints = list(eps.value).filter(known);
    if (out.entryPoints.length === 0) throw new LegacyError(`none of the entry points ${JSON.stringify(eps.value)} exists`, eps.key);
    const unknown = list(eps.value).filter((e) => !known(e));
    if (unknown.length) ctx.diags.warn(subject, af(eps.key), `entry point(s) ${unknown.join(', ')} do not exist: left out, as Traefik 1.7 did ("undefined entrypoint")`);
  }
  const prio = lookup(a, 'priority');
  if (prio) {
    if (/^[0-9]+$/.test(prio.value) && BigInt(prio.value) > 0n) out.priority = BigInt(prio.value);
    else if (prio.value !== '0') ctx.diags.warn(subject, af(prio.key), `invalid priority ${JSON.stringify(prio.value)}: Traefik 1.7 used the default`);
  }
  const preserve = lookup(a, 'preserve-host');
  out.passHostHeader = bool(ctx, ing, preserve, !io.disablePassHostHeaders);
  const proto = lookup(a, 'protocol');
  if (proto) out.scheme = proto.value;

  // IP allow list.
  const wl = lookup(a, 'whitelist-source-range');
  if (wl) {
    const cfg: Record<string, unknown> = { sourceRange: list(wl.value) };
    const xff = lookup(a, 'whitelist-x-forwarded-for');
    if (bool(ctx, ing, xff, false)) {
      cfg.ipStrategy = { depth: 1 };
      ctx.diags.warn(subject, af(xff!.key), 'approximated: Traefik 1.7 allowed a request when any X-Forwarded-For entry (or the peer) was in range; this uses the last X-Forwarded-For entry (ipStrategy depth 1)');
    }
    out.middlewares.push(mw('ipAllowList', cfg));
  }

  // Redirects (before the path modifiers: Location keeps the client's path).
  const permanent = bool(ctx, ing, lookup(a, 'redirect-permanent'), false);
  const appRoot = lookup(a, 'app-root');
  const rr = lookup(a, 'redirect-regex');
  const rp = lookup(a, 'redirect-replacement');
  const rep = lookup(a, 'redirect-entry-point');
  if (appRoot && (path === '/' || path === '')) {
    // Scheme and host as separate groups, so the redirect keeps both (the translation needs "scheme://host/path").
    const hostRe = host ? `${quoteMeta(host)}(?::[0-9]+)?` : '[^/]+';
    out.middlewares.push(mw('redirectRegex', { regex: `^(https?)://(${hostRe})/$`, replacement: `\${1}://\${2}/${appRoot.value.replace(/^\//, '')}`, permanent }));
  } else if (rep && rep.value.trim()) {
    // 1.7: redirect-entry-point wins over redirect-regex.
    out.middlewares.push(redirectEntryPoint(lp, rep, permanent));
    if (rr || rp) ctx.diags.info(subject, af((rr ?? rp)!.key), 'ignored: redirect-entry-point takes precedence over redirect-regex/redirect-replacement, as in Traefik 1.7');
  } else if (rr || rp) {
    if (!rr || !rp) throw new LegacyError('redirect-regex and redirect-replacement must be set together', (rr ?? rp)!.key);
    const regex = templateString(rr.value);
    const replacement = templateString(rp.value);
    if (regex === undefined || replacement === undefined) {
      const bad = regex === undefined ? rr : rp;
      ctx.diags.warn(subject, af(bad.key), 'invalid escape sequence: the value is read as a double-quoted Go/TOML string (a regex \\. is written \\\\.); Traefik 1.7 skipped the redirect, and so does traefik-xds');
    } else {
      if (/\{\{/.test(replacement)) throw new LegacyError('Go templates ({{…}}) in redirect-replacement are not supported', rp.key);
      out.middlewares.push(mw('redirectRegex', { regex, replacement, permanent }));
    }
  }
  const sslRedirect = bool(ctx, ing, lookup(a, 'ssl-redirect'), false);
  const sslTemp = bool(ctx, ing, lookup(a, 'ssl-temporary-redirect'), false);
  const sslHost = lookup(a, 'ssl-host');
  const sslForce = lookup(a, 'ssl-force-host');
  const forceHost = bool(ctx, ing, sslForce, false);
  // unrolled/secure: ssl-redirect redirects (301, or 307 with ssl-temporary-redirect); ssl-temporary-redirect
  // alone only chooses the status of the ssl-redirect and ssl-force-host redirects.
  const sslActive = sslRedirect && !bool(ctx, ing, lookup(a, 'is-development'), false);
  // A request counts as HTTPS when it came over TLS or when one ssl-proxy-headers pair matches (§6.7).
  const sslProxy = lookup(a, 'ssl-proxy-headers');
  const unless = Object.entries(sslProxy ? headerMap(sslProxy.value) : {}).map(([name, value]) => ({ name, value }));
  if (sslActive) {
    const guard = unless.length ? { unlessRequestHeaders: unless } : {};
    if (sslHost?.value) out.middlewares.push(sslHostRedirect(lp, sslHost, !sslTemp, guard));
    else {
      const p = !sslTemp;
      ctx.diags.warn(subject, af(lookup(a, 'ssl-redirect')!.key), `approximated: Traefik 1.7 (unrolled/secure) answered ${p ? 301 : 307} for every method; this answers ${p ? '301 for GET and 308 otherwise' : '302 for GET and 307 otherwise'}, as Traefik v3's redirects`);
      out.middlewares.push(mw('redirectScheme', { scheme: 'https', permanent: p }, guard));
    }
  } else if (sslHost?.value && !forceHost) {
    ctx.diags.info(subject, af(sslHost.key), 'ssl-host is used only with ssl-redirect or ssl-force-host: no effect');
  }
  if (sslTemp && !sslRedirect && !forceHost) {
    ctx.diags.info(subject, af(lookup(a, 'ssl-temporary-redirect')!.key), 'ssl-temporary-redirect only selects 307 for the ssl-redirect and ssl-force-host redirects: no effect alone, as in Traefik 1.7');
  }
  if (forceHost) {
    if (sslHost?.value) out.middlewares.push(sslForceHostRedirect(lp, sslForce!, sslHost, !sslTemp));
    else ctx.diags.info(subject, af(sslForce!.key), 'ssl-force-host without ssl-host compares the Host with itself: no effect, as in Traefik 1.7');
  }

  // Rule type and path modifiers.
  const rt = lookup(a, 'rule-type');
  const modifier = lookup(a, 'request-modifier');
  const rewrite = lookup(a, 'rewrite-target');
  let ruleType = rt?.value ?? 'PathPrefix';
  if (!['Path', 'PathPrefix', 'PathStrip', 'PathPrefixStrip', 'ReplacePath'].includes(ruleType)) {
    throw new LegacyError(`unknown rule-type ${JSON.stringify(ruleType)} (Path, PathPrefix, PathStrip, PathPrefixStrip, ReplacePath)`, rt!.key);
  }
  if (ruleType === 'ReplacePath' && (modifier || rewrite)) {
    throw new LegacyError('rule-type ReplacePath cannot be combined with request-modifier or rewrite-target (Traefik 1.7 skips the path)', rt!.key);
  }
  if (ruleType === 'ReplacePath') {
    out.rule = ingressRule(host, { pathType: 'ImplementationSpecific', backend: {} }, undefined, 'v3', false) || 'PathPrefix("/")';
    if (path) out.middlewares.push(mw('replacePath', { path }));
    ctx.diags.warn(subject, af(rt!.key), 'rule-type ReplacePath is deprecated in Traefik 1.7: the path is matched on the host only and replaced by the Ingress path');
  } else {
    const matcher = ruleType.startsWith('PathPrefix') ? 'PathPrefix' : 'Path';
    if (path && (p.pathType ?? 'ImplementationSpecific') === 'ImplementationSpecific') out.pathMatcher = matcher;
    if (ruleType.endsWith('Strip') && path) out.middlewares.push(mw('stripPrefix', { prefixes: [path] }));
  }
  if (modifier) {
    const i = modifier.value.indexOf(':');
    const type = i < 0 ? '' : modifier.value.slice(0, i).trim();
    const value = i < 0 ? '' : modifier.value.slice(i + 1).split(':')[0]!.trim();
    if (!value) throw new LegacyError(`invalid request-modifier ${JSON.stringify(modifier.value)}`, modifier.key);
    if (type === 'AddPrefix') out.middlewares.push(mw('addPrefix', { prefix: value }));
    else if (type === 'ReplacePath') out.middlewares.push(mw('replacePath', { path: value }));
    else if (type === 'ReplacePathRegex') {
      const sp = value.indexOf(' ');
      if (sp < 0) throw new LegacyError('ReplacePathRegex needs "<regex> <replacement>"', modifier.key);
      out.middlewares.push(mw('replacePathRegex', { regex: value.slice(0, sp), replacement: value.slice(sp + 1).trim() }));
    } else throw new LegacyError(`unknown request-modifier type ${JSON.stringify(type)} (AddPrefix, ReplacePath, ReplacePathRegex)`, modifier.key);
  }
  if (rewrite && path) {
    const regex = path === '/' ? '^(.*)' : `^${quoteMeta(path)}(.*)`;
    if (/[.*+?()[\]{}|^$\\]/.test(path)) ctx.diags.warn(subject, af(rewrite.key), 'the path contains regexp metacharacters: Traefik 1.7 used it unescaped, traefik-xds escapes it (the intent)');
    out.middlewares.push(mw('replacePathRegex', { regex, replacement: `${rewrite.value.replace(/\/$/, '')}$1` }));
  }

  // Headers (custom and security) → one Headers middleware.
  const h: Record<string, unknown> = {};
  const str = (k: string, f: string) => { const v = lookup(a, k); if (v && v.value !== '') h[f] = v.value; };
  const bl = (k: string, f: string) => { const v = lookup(a, k); if (v && bool(ctx, ing, v, false)) h[f] = true; };
  const lst = (k: string, f: string) => { const v = lookup(a, k); if (v && list(v.value).length) h[f] = list(v.value); };
  const map = (k: string, f: string) => { const v = lookup(a, k); if (v && Object.keys(headerMap(v.value)).length) h[f] = headerMap(v.value); };
  map('custom-request-headers', 'customRequestHeaders');
  map('custom-response-headers', 'customResponseHeaders');
  lst('allowed-hosts', 'allowedHosts');
  lst('proxy-headers', 'hostsProxyHeaders');
  bl('browser-xss-filter', 'browserXssFilter');
  str('custom-browser-xss-value', 'customBrowserXSSValue');
  str('content-security-policy', 'contentSecurityPolicy');
  bl('content-type-nosniff', 'contentTypeNosniff');
  str('custom-frame-options-value', 'customFrameOptionsValue');
  bl('frame-deny', 'frameDeny');
  bl('force-hsts', 'forceSTSHeader');
  bl('hsts-include-subdomains', 'stsIncludeSubdomains');
  bl('hsts-preload', 'stsPreload');
  bl('is-development', 'isDevelopment');
  str('public-key', 'publicKey');
  str('referrer-policy', 'referrerPolicy');
  map('ssl-proxy-headers', 'sslProxyHeaders');
  const sts = lookup(a, 'hsts-max-age');
  if (sts) {
    if (/^[0-9]+$/.test(sts.value)) { if (Number(sts.value) > 0) h.stsSeconds = Number(sts.value); }
    else ctx.diags.warn(subject, af(sts.key), `invalid hsts-max-age ${JSON.stringify(sts.value)}: Traefik 1.7 used the default (0)`);
  }
  // The Headers middleware reads sslProxyHeaders for STS and HPKP only; when the ssl-redirect guard uses them
  // and neither is set, leaving them out avoids a "no effect" note that would be wrong for the redirect.
  if (sslActive && unless.length && h.stsSeconds === undefined && h.publicKey === undefined) delete h.sslProxyHeaders;
  if (Object.keys(h).length) out.middlewares.push(mw('headers', h));

  // TLS client certificate headers.
  const pct = lookup(a, 'pass-client-tls-cert');
  if (pct) {
    const m = legacyPassClientTlsCert(lp, pct);
    if (m) out.middlewares.push(m);
  }

  // Authentication.
  const auth = legacyAuth(lp);
  if (auth) out.middlewares.push(auth);

  // Rate limit (YAML; unparsable → feature dropped, as in 1.7).
  const rl = lookup(a, 'rate-limit');
  if (rl) {
    let doc: any;
    try {
      doc = parseYaml(rl.value);
    } catch (e) {
      doc = undefined;
    }
    if (!doc || typeof doc !== 'object' || !doc.rateset || typeof doc.rateset !== 'object') {
      throw new LegacyError('rate-limit must be YAML {extractorfunc, rateset: {name: {period, average, burst}}}; the path would otherwise be served without its rate limit', rl.key);
    }
    const sc = sourceCriterion(String(doc.extractorfunc ?? 'client.ip'), rl.key);
    for (const name of Object.keys(doc.rateset).sort()) {
      const r = doc.rateset[name] ?? {};
      out.middlewares.push(mw('rateLimit', { average: Number(r.average ?? 0), period: String(r.period ?? '1s'), burst: Number(r.burst ?? 1), sourceCriterion: sc }));
    }
  }

  // Service-side 1.7 annotations (on the backend Service): LB options, and middlewares before the rate limit.
  legacyServiceForPath(ctx, ing, host, p, field, out, mw);
  return out;
}
