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
import type { HttpBuildContext } from './http-routers';
import type { IngressObj, IngressPath } from './crds/ingress';
import type { MiddlewareType } from './crds/types';
import type { ResolvedMiddleware } from './middlewares';
import type { KubernetesIngressProvider } from '../config/types';

export class LegacyError extends Error {
  constructor(message: string, readonly annotation: string) {
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
function lookup(annotations: Record<string, string>, name: string): { key: string; value: string } | undefined {
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
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** 1.7's lenient bool: an unparsable value falls back to the default (reported). */
function bool(ctx: HttpBuildContext, ing: IngressObj, a: { key: string; value: string } | undefined, dflt: boolean): boolean {
  if (!a) return dflt;
  if (TRUE.has(a.value)) return true;
  if (FALSE.has(a.value)) return false;
  ctx.diags.warn(subjectOf(ing), `metadata.annotations[${JSON.stringify(a.key)}]`, `invalid boolean ${JSON.stringify(a.value)}: Traefik 1.7 used the default (${dflt})`);
  return dflt;
}

function list(v: string): string[] {
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

function sourceCriterion(extractor: string, key: string): Record<string, unknown> {
  if (extractor === 'client.ip') return { ipStrategy: {} };
  if (extractor === 'request.host') return { requestHost: true };
  if (extractor.startsWith('request.header.')) return { requestHeaderName: extractor.slice('request.header.'.length) };
  throw new LegacyError(`unknown extractor function ${JSON.stringify(extractor)} (client.ip, request.host or request.header.<Name>)`, key);
}

/** The 1.7 features of one path, in the router-level order of §3.9. */
export function legacyForPath(ctx: HttpBuildContext, ing: IngressObj, host: string, p: IngressPath, field: string): LegacyPathResult {
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

  // Refused outright: what the translators cannot express (the path would lose a feature it asks for).
  for (const k of ['service-weights', 'error-pages', 'pass-client-tls-cert', 'redirect-entry-point']) {
    const v = lookup(a, k);
    if (v) throw new LegacyError(`the 1.7 annotation ${k} is not translated by this version of traefik-xds`, v.key);
  }
  const passTls = lookup(a, 'pass-tls-cert');
  if (passTls && bool(ctx, ing, passTls, io.enablePassTLSCert)) ctx.diags.warn(subject, af(passTls.key), 'pass-tls-cert (upstream TLS from the entry point) is not translated; ignored');

  const eps = lookup(a, 'frontend-entry-points');
  if (eps) {
    out.entryPoints = list(eps.value).filter((e) => ctx.opts.entryPoints.some((x) => x.name === e && x.protocol === 'tcp'));
    if (out.entryPoints.length === 0) throw new LegacyError(`none of the entry points ${JSON.stringify(eps.value)} exists`, eps.key);
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
  if (appRoot && (path === '/' || path === '')) {
    const hostRe = host ? quoteMeta(host) : '[^/]+';
    out.middlewares.push(mw('redirectRegex', { regex: `^(https?://${hostRe}(:[0-9]+)?)/$`, replacement: `\${1}/${appRoot.value.replace(/^\//, '')}`, permanent }));
  } else if (rr || rp) {
    if (!rr || !rp) throw new LegacyError('redirect-regex and redirect-replacement must be set together', (rr ?? rp)!.key);
    if (/\{\{/.test(rp.value)) throw new LegacyError('Go templates ({{…}}) in redirect-replacement are not supported', rp.key);
    out.middlewares.push(mw('redirectRegex', { regex: rr.value, replacement: rp.value, permanent }));
  }
  const sslRedirect = bool(ctx, ing, lookup(a, 'ssl-redirect'), false);
  const sslTemp = bool(ctx, ing, lookup(a, 'ssl-temporary-redirect'), false);
  if ((sslRedirect || sslTemp) && !bool(ctx, ing, lookup(a, 'is-development'), false)) {
    out.middlewares.push(mw('redirectScheme', { scheme: 'https', permanent: sslRedirect }));
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
  for (const k of ['ssl-host', 'ssl-force-host']) {
    const v = lookup(a, k);
    if (v) throw new LegacyError(`the 1.7 annotation ${k} is not translated by this version of traefik-xds`, v.key);
  }
  if (Object.keys(h).length) out.middlewares.push(mw('headers', h));

  // Authentication.
  const authType = lookup(a, 'auth-type');
  if (authType) {
    const t = authType.value.toLowerCase();
    const realm = lookup(a, 'auth-realm');
    if (realm && realm.value !== '' && realm.value !== 'traefik') throw new LegacyError('auth-realm must be "traefik" or empty in Traefik 1.7', realm.key);
    if (t === 'basic') {
      const sec = lookup(a, 'auth-secret');
      if (!sec) throw new LegacyError('auth-type basic needs auth-secret', authType.key);
      const secret = ctx.index.secrets.get(ObjectIndex.key(ing.namespace, sec.value));
      if (!secret) throw new LegacyError(`auth secret ${ing.namespace}/${sec.value} not found`, sec.key);
      const keys = Object.keys({ ...(secret.spec.data ?? {}), ...(secret.spec.stringData ?? {}) });
      if (keys.length !== 1) throw new LegacyError(`auth secret ${ing.namespace}/${sec.value} must hold exactly one key (it has ${keys.length})`, sec.key);
      const users = (secretValue(secret, keys[0]!) ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
      if (!users.length) throw new LegacyError(`auth secret ${ing.namespace}/${sec.value} has no user`, sec.key);
      const cfg: Record<string, unknown> = { secret: sec.value, realm: 'traefik' };
      if (bool(ctx, ing, lookup(a, 'auth-remove-header'), false)) cfg.removeHeader = true;
      const hf = lookup(a, 'auth-header-field');
      if (hf?.value) cfg.headerField = hf.value;
      out.middlewares.push(mw('basicAuth', cfg, { users }));
    } else {
      throw new LegacyError(`auth-type ${JSON.stringify(authType.value)} is not translated by this version of traefik-xds (basic only)`, authType.key);
    }
  }

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

  // Service-side 1.7 annotations (on the backend Service): not translated yet.
  const svcName = p.backend.service?.name;
  const svc = svcName ? ctx.index.services.get(ObjectIndex.key(ing.namespace, svcName)) : undefined;
  if (svc) {
    const keys = legacyAnnotationKeys(svc.annotations);
    if (keys.length) ctx.diags.warn(subjectOf(svc), 'metadata.annotations', `Traefik 1.7 Service annotations are not translated by this version of traefik-xds: ${keys.join(', ')}`);
  }
  return out;
}
