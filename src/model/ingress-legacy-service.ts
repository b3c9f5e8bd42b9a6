// Traefik 1.7 annotations on the backend Service of an Ingress path (traefik-ingress.md §3.4), read with
// providers.kubernetesIngress.legacyAnnotations: v1.7. 1.7 configured the path's backend from them: the
// load-balancer options (stickiness, flush interval, method) go on the path's service; circuit breaker,
// buffering and max-conn become router-level middlewares, one instance per path as 1.7 built one per backend,
// placed before the rate limit (§3.9). Values are read as leniently as 1.7 read them (§3.1: a bad bool or int
// falls back to the default, reported). Where the v3 `service.sticky.cookie.*` annotations also configure
// stickiness, v3 wins.
import { parse as parseYaml } from 'yaml';
import { parseTraefikDuration } from '../config/duration';
import { ObjectIndex, subjectOf } from './object-index';
import { AnnotationError, decodeServiceAnnotations } from './ingress-annotations';
import { defaultCookieName } from './sticky-cookies';
import { backendNameOf, bool, legacyAnnotationKeys, lookup, sourceCriterion, LegacyError, type LegacyPathResult } from './ingress-legacy';
import { GLOBAL_DEFAULT_BACKEND } from './ingress-legacy/error-pages';
import type { HttpBuildContext } from './http-routers';
import type { IngressObj, IngressPath } from './crds/ingress';
import type { Cookie, MiddlewareType, ServiceObj } from './crds/types';
import type { ResolvedMiddleware } from './middlewares';

/** ingress-legacy.ts's per-path middleware factory (its naming scheme: `<ingress>-legacy-<type>-<path index>-<n>`). */
export type LegacyMiddlewareFactory = (type: MiddlewareType, config: unknown) => ResolvedMiddleware;

/** The deprecated stickiness label, read under this exact key only (§3.1). */
const LEGACY_STICKY_KEY = 'traefik.backend.loadbalancer.sticky';
/** The cookie name 1.7 gave the deprecated stickiness (server/server_configuration.go configureBackends). */
const LEGACY_STICKY_COOKIE = '_TRAEFIK_BACKEND';
const BUFFERING_SIZES = ['maxrequestbodybytes', 'memrequestbodybytes', 'maxresponsebodybytes', 'memresponsebodybytes'];
const BUFFERING_FIELD: Record<string, string> = {
  maxrequestbodybytes: 'maxRequestBodyBytes', memrequestbodybytes: 'memRequestBodyBytes',
  maxresponsebodybytes: 'maxResponseBodyBytes', memresponsebodybytes: 'memResponseBodyBytes', retryexpression: 'retryExpression',
};
const MAX_INT64 = (1n << 63n) - 1n;

/** Go strconv.ParseInt(s, 10, 64) (also Atoi on 64-bit platforms). */
function goInt(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > MAX_INT64 || n < -MAX_INT64 - 1n ? undefined : n;
}

/** buffering YAML, decoded as 1.7 did (yaml.v2 into types.Buffering: lowercase keys, unknown keys ignored). */
function decodeBuffering(v: string): { config: Record<string, unknown>; unknown: string[] } | { error: string } {
  let doc: unknown;
  try {
    doc = parseYaml(v, { version: '1.1' });
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0]!.replace(/:$/, '') };
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) return { error: `a ${Array.isArray(doc) ? 'list' : typeof doc} is not a mapping` };
  const config: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [k, val] of Object.entries(doc as Record<string, unknown>)) {
    if (!(k in BUFFERING_FIELD)) {
      unknown.push(k);
      continue;
    }
    if (k === 'retryexpression') {
      if (val !== null && typeof val === 'object') return { error: 'retryexpression must be a string' };
      if (val !== null && val !== undefined && String(val) !== '') config.retryExpression = String(val);
    } else if (val === null || val === undefined) config[BUFFERING_FIELD[k]!] = 0;
    else if (typeof val === 'number' && Number.isFinite(val)) config[BUFFERING_FIELD[k]!] = Math.trunc(val); // yaml.v2 truncates a float
    else return { error: `${k} must be an integer (got ${JSON.stringify(val)})` };
  }
  for (const k of BUFFERING_SIZES) config[BUFFERING_FIELD[k]!] ??= 0;
  return { config, unknown };
}

/**
 * Reads the 1.7 annotations of the backend Service of one path into `out`: `sticky` and `responseForwarding`
 * for the path's service, CircuitBreaker → Buffering → InFlightReq inserted before the rate limit. A value that
 * made 1.7 fail the frontend throws a LegacyError (the path is left out; the Service gets the error too).
 */
export function legacyServiceForPath(
  ctx: HttpBuildContext, ing: IngressObj, host: string, p: IngressPath, field: string, out: LegacyPathResult, mw: LegacyMiddlewareFactory,
): void {
  const svcName = p.backend.service?.name;
  const svc = svcName ? ctx.index.services.get(ObjectIndex.key(ing.namespace, svcName)) : undefined;
  if (!svc) return; // the backend resolution reports it
  readServiceAnnotations(ctx, svc, backendNameOf(ing, host, p.path ?? '', svcName!), `${field}.backend.service.name`, out, mw);
}

/**
 * The same for the default backend (1.7's global-default-backend, which read the Service annotations too);
 * its middlewares are named `<ingress>-legacy-<type>-default-<n>`.
 */
export function legacyServiceForDefaultBackend(ctx: HttpBuildContext, ing: IngressObj, field: string): LegacyPathResult | undefined {
  const svcName = ing.spec.defaultBackend?.service?.name;
  const svc = svcName ? ctx.index.services.get(ObjectIndex.key(ing.namespace, svcName)) : undefined;
  if (!svc) return undefined;
  let n = 0;
  const mw: LegacyMiddlewareFactory = (type, config) => {
    const name = `${ing.name}-legacy-${type.toLowerCase()}-default-${n++}`;
    return { id: `${ing.namespace}/${name}`, namespace: ing.namespace, name, type, config, data: {}, subject: subjectOf(ing), via: [] };
  };
  const out: LegacyPathResult = { middlewares: [] };
  readServiceAnnotations(ctx, svc, GLOBAL_DEFAULT_BACKEND, `${field}.service.name`, out, mw);
  return out;
}

/** `backendName`: the 1.7 backend the Service serves (it names an unnamed stickiness cookie). */
function readServiceAnnotations(
  ctx: HttpBuildContext, svc: ServiceObj, backendName: string, pathField: string, out: LegacyPathResult, mw: LegacyMiddlewareFactory,
): void {
  const a = svc.annotations;
  const subject = subjectOf(svc);
  const af = (k: string) => `metadata.annotations[${JSON.stringify(k)}]`;
  // Messages on the Service do not depend on the path: every path to the Service repeats them, and they are
  // reported once.
  const warn = (k: string, m: string) => ctx.diags.warn(subject, af(k), m);
  const info = (k: string, m: string) => ctx.diags.info(subject, af(k), m);
  const used = new Set<string>();
  const shadowedBy = new Map<string, string>();
  const get = (name: string) => {
    const v = lookup(a, name);
    if (!v) return undefined;
    used.add(v.key);
    const rest = { ...a };
    delete rest[v.key];
    for (let s = lookup(rest, name); s; s = lookup(rest, name)) {
      shadowedBy.set(s.key, v.key);
      delete rest[s.key];
    }
    return v;
  };
  const failures: { key: string; reason: string }[] = [];

  // Load balancer: stickiness.
  const affinity = get('affinity');
  const session = { name: get('session-cookie-name'), secure: get('session-secure'), httpOnly: get('session-http-only'), sameSite: get('session-same-site') };
  const sessionKeys = Object.values(session).filter((x) => x !== undefined).map((x) => x!.key);
  let cookie: Cookie | undefined;
  let cookieKey: string | undefined;
  if (affinity && bool(ctx, svc, affinity, false)) {
    cookieKey = affinity.key;
    // An empty name: 1.7 derived one from its backend name; keeping it keeps the cookie clients already hold.
    cookie = { name: session.name?.value || defaultCookieName(backendName) };
    if (bool(ctx, svc, session.secure, false)) cookie.secure = true;
    if (bool(ctx, svc, session.httpOnly, false)) cookie.httpOnly = true;
    const ss = session.sameSite?.value ?? '';
    if (ss === 'none' || ss === 'lax' || ss === 'strict') cookie.sameSite = ss;
    else if (ss !== '') warn(session.sameSite!.key, `${JSON.stringify(ss)} is not none, lax or strict (Traefik 1.7 knows only these, in lowercase): the cookie has no SameSite attribute, as in Traefik 1.7`);
  } else if (sessionKeys.length) {
    for (const k of sessionKeys) info(k, 'ignored: Traefik 1.7 reads the session-* annotations only with affinity: "true"');
  }
  const legacySticky = a[LEGACY_STICKY_KEY];
  if (legacySticky !== undefined) {
    used.add(LEGACY_STICKY_KEY);
    const on = legacySticky.trim().toLowerCase() === 'true';
    if (on && cookie) info(LEGACY_STICKY_KEY, 'deprecated in Traefik 1.7; affinity also enables stickiness and takes precedence (its cookie settings apply)');
    else if (on) {
      cookie = { name: LEGACY_STICKY_COOKIE };
      cookieKey = LEGACY_STICKY_KEY;
      info(LEGACY_STICKY_KEY, `deprecated in Traefik 1.7 (use affinity): stickiness with the cookie ${LEGACY_STICKY_COOKIE}, as in Traefik 1.7`);
    } else if (legacySticky.trim().toLowerCase() !== 'false' && legacySticky !== '') {
      warn(LEGACY_STICKY_KEY, `${JSON.stringify(legacySticky)} is not "true": no stickiness, as in Traefik 1.7 (it compares the trimmed value with "true", ignoring case)`);
    }
  }
  if (cookie) {
    let v3 = false;
    try {
      v3 = !!decodeServiceAnnotations(a).sticky?.cookie;
    } catch (e) {
      if (!(e instanceof AnnotationError)) throw e; // reported when the backend is resolved
    }
    if (v3) warn(cookieKey!, 'not applied: the v3 annotations service.sticky.cookie.* of this Service also configure stickiness, and they take precedence over the Traefik 1.7 ones');
    else out.sticky = { cookie };
  }

  // Load balancer: method and flush interval.
  const method = get('load-balancer-method');
  if (method?.value === 'drr') {
    warn(method.key, 'approximated: drr (dynamic round robin: oxy\'s rebalancer lowers the weight of a server whose share of 500-504 answers over the last 10 s is above the others\') has no Envoy equivalent; the servers are balanced by weighted round robin (wrr)');
  } else if (method && method.value !== '' && method.value !== 'wrr') {
    warn(method.key, `${JSON.stringify(method.value)} is not drr: Traefik 1.7 used wrr, and so does traefik-xds`);
  }
  const flush = get('responseforwarding-flushinterval');
  if (flush && flush.value !== '') {
    const ms = parseTraefikDuration(flush.value);
    if (typeof ms !== 'number') failures.push({ key: flush.key, reason: `invalid flush interval ${JSON.stringify(flush.value)} (${ms.error})` });
    else out.responseForwarding = { flushInterval: flush.value };
  }

  // Router-level middlewares, in 1.7's order: circuit breaker → buffering → max-conn (→ rate limit).
  const mws: ResolvedMiddleware[] = [];
  // The middleware's own diagnostics (spec.<type>.<field>) are placed at the annotation that made it.
  const add = (type: MiddlewareType, config: unknown, key: string) =>
    mws.push({ ...mw(type, config), subject: { ...subject, locate: () => subject.locate?.(af(key)) } });
  const cb = get('circuit-breaker-expression');
  if (cb && cb.value !== '') add('circuitBreaker', { expression: cb.value }, cb.key);

  const buf = get('buffering');
  if (buf && buf.value !== '') {
    const b = decodeBuffering(buf.value);
    if ('error' in b) {
      ctx.diags.error(subject, af(buf.key), `unparsable buffering YAML (${b.error}): Traefik 1.7 drops the buffering and still serves the paths to this Service, and so does traefik-xds (without buffering)`);
    } else {
      if (b.unknown.length) warn(buf.key, `unknown keys ${b.unknown.map((k) => JSON.stringify(k)).join(', ')} ignored, as Traefik 1.7 ignores them (its keys are lowercase: ${Object.keys(BUFFERING_FIELD).join(', ')})`);
      add('buffering', b.config, buf.key);
    }
  }

  const amountA = get('max-conn-amount');
  const extractorA = get('max-conn-extractor-func');
  let amount = -1n;
  if (amountA) {
    const n = goInt(amountA.value);
    if (n === undefined) warn(amountA.key, `invalid integer ${JSON.stringify(amountA.value)}: Traefik 1.7 used the default (-1: no limit)`);
    else amount = n;
  }
  const extractor = extractorA?.value ?? '';
  if (amountA && extractor === '') {
    warn(amountA.key, 'no connection limit: Traefik 1.7 needs max-conn-extractor-func too and ignores max-conn-amount alone, as traefik-xds does');
  } else if (extractorA && !amountA) {
    warn(extractorA.key, 'no connection limit: Traefik 1.7 needs max-conn-amount too and ignores max-conn-extractor-func alone, as traefik-xds does');
  } else if (amountA && amount < 0n) {
    if (goInt(amountA.value) !== undefined) warn(amountA.key, `no connection limit: Traefik 1.7 ignores a negative amount (${amount})`);
  } else if (amountA && amount === 0n) {
    info(amountA.key, 'no connection limit: amount 0 disables max-conn in Traefik 1.7 (unlike InFlightReq amount 0, which refuses every request)');
  } else if (amountA && extractorA) {
    try {
      add('inFlightReq', { amount: Number(amount), sourceCriterion: sourceCriterion(extractor, extractorA.key) }, amountA.key);
    } catch (e) {
      if (!(e instanceof LegacyError)) throw e;
      failures.push({ key: extractorA.key, reason: e.message });
    }
  }

  // What 1.7 did not read on a Service.
  for (const k of legacyAnnotationKeys(a)) {
    if (used.has(k)) continue;
    const by = shadowedBy.get(k);
    if (by) info(k, `ignored: ${by} is set too, and Traefik 1.7 reads that one (ingress.kubernetes.io/ first, then traefik.ingress.kubernetes.io/, then the compatibility label)`);
    else info(k, 'ignored: not a Service annotation; Traefik 1.7 reads it on the Ingress only');
  }

  if (failures.length) {
    for (const f of failures) ctx.diags.error(subject, af(f.key), `${f.reason}: Traefik 1.7 fails every frontend using this Service, so the Ingress paths to it are left out`);
    const f = failures[0]!;
    throw new LegacyError(`Service ${svc.namespace}/${svc.name} has an invalid Traefik 1.7 annotation ${f.key}: ${f.reason}`, f.key, pathField);
  }
  if (mws.length) {
    const at = out.middlewares.findIndex((m) => m.type === 'rateLimit');
    out.middlewares.splice(at < 0 ? out.middlewares.length : at, 0, ...mws);
  }
}
