// 1.7 authentication annotations (traefik-ingress.md §3.6): auth-type basic | digest | forward → the
// BasicAuth / DigestAuth / ForwardAuth middleware a Middleware CRD with the same settings resolves to. Any
// error (missing secret, bad secret, missing auth-url) skips the path, as in 1.7: a path is never served
// without the authentication it asks for.
import { ObjectIndex } from '../object-index';
import { secretValue } from '../certificates';
import { resolveForwardAuthCluster, ForwardAuthError } from '../forward-auth';
import type { Annotation, LegacyPath } from './context';
import type { ForwardAuthMiddleware, MiddlewareObj } from '../crds/types';
import { FORWARD_AUTH_PATH_ANNOTATION, type ResolvedMiddleware } from '../middlewares';

function list(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter(Boolean);
}

/** basic / digest: the users of the single-key Secret named by auth-secret. */
function users(lp: LegacyPath, authType: Annotation): { secret: string; users: string[] } {
  const { ctx, ing } = lp;
  const sec = lp.get('auth-secret');
  if (!sec || !sec.value) return lp.fail(`auth-type ${authType.value} needs auth-secret`, authType.key);
  const secret = ctx.index.secrets.get(ObjectIndex.key(ing.namespace, sec.value));
  if (!secret) return lp.fail(`auth secret ${ing.namespace}/${sec.value} not found`, sec.key);
  const keys = Object.keys({ ...(secret.spec.data ?? {}), ...(secret.spec.stringData ?? {}) });
  if (keys.length !== 1) return lp.fail(`auth secret ${ing.namespace}/${sec.value} must hold exactly one key (it has ${keys.length})`, sec.key);
  const lines = (secretValue(secret, keys[0]!) ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return lp.fail(`auth secret ${ing.namespace}/${sec.value} has no user`, sec.key);
  return { secret: sec.value, users: lines };
}

function forward(lp: LegacyPath, authType: Annotation, headerField: string | undefined): ResolvedMiddleware {
  const { ctx, ing } = lp;
  const url = lp.get('auth-url');
  if (!url || !url.value) return lp.fail('auth-type forward needs auth-url (forward authentication requires a url)', url?.key ?? authType.key);
  const cfg: ForwardAuthMiddleware = { address: url.value };
  // Explicit either way: 1.7's default is false, where an unset v3.7 field follows the entry point's trust.
  cfg.trustForwardHeader = lp.bool(lp.get('auth-trust-headers'), false);
  const rh = lp.get('auth-response-headers');
  if (rh && list(rh.value).length) cfg.authResponseHeaders = list(rh.value);
  if (headerField) cfg.headerField = headerField;
  const tlsSecret = lp.get('auth-tls-secret');
  const insecure = lp.get('auth-tls-insecure');
  if (tlsSecret?.value) {
    const secret = ctx.index.secrets.get(ObjectIndex.key(ing.namespace, tlsSecret.value));
    if (!secret) return lp.fail(`failed to load auth secret: secret ${ing.namespace}/${tlsSecret.value} does not exist`, tlsSecret.key);
    const n = Object.keys({ ...(secret.spec.data ?? {}), ...(secret.spec.stringData ?? {}) }).length;
    if (n !== 2) return lp.fail(`failed to load auth secret: found ${n} elements for secret ${ing.namespace}/${tlsSecret.value}, must be two elements exactly (tls.crt and tls.key)`, tlsSecret.key);
    cfg.tls = { certSecret: tlsSecret.value, ...(lp.bool(insecure, false) ? { insecureSkipVerify: true } : {}) };
  } else if (insecure) {
    // 1.7 creates the TLS block for auth-tls-insecure alone.
    cfg.tls = lp.bool(insecure, false) ? { insecureSkipVerify: true } : {};
  }
  const mw = lp.mw('forwardAuth', cfg);
  // Resolved as a ForwardAuth Middleware with this spec in the Ingress's namespace (its secrets are there).
  const m: MiddlewareObj = {
    group: 'traefik.io', kind: 'Middleware', namespace: ing.namespace, name: mw.name, labels: {}, annotations: {},
    spec: { forwardAuth: cfg }, raw: ing.raw,
  };
  try {
    const { cluster, address } = resolveForwardAuthCluster({ index: ctx.index, clusters: ctx.clusters }, m, cfg, lp.subject);
    // The Envoy path opt-in of a ForwardAuth Middleware, read here on the Ingress.
    mw.data = { forwardAuth: { cluster: cluster.name, address, appendPath: ing.annotations[FORWARD_AUTH_PATH_ANNOTATION] === 'true' } };
  } catch (e) {
    if (!(e instanceof ForwardAuthError)) throw e;
    const key = e.field.endsWith('certSecret') ? tlsSecret!.key : url.key;
    return lp.fail(e.message.replace(/^forwardAuth middleware [^:]+: /, ''), key);
  }
  return mw;
}

/** The auth middleware of a path, or undefined without auth-type. */
export function legacyAuth(lp: LegacyPath): ResolvedMiddleware | undefined {
  const realm = lp.get('auth-realm');
  if (realm && realm.value !== '' && realm.value !== 'traefik') lp.fail('auth-realm must be "traefik" or empty in Traefik 1.7 (no realm customization)', realm.key);
  const authType = lp.get('auth-type');
  if (!authType || authType.value === '') return undefined;
  const t = authType.value.toLowerCase();
  const hf = lp.get('auth-header-field')?.value || undefined;
  if (t === 'basic' || t === 'digest') {
    const u = users(lp, authType);
    const cfg: Record<string, unknown> = { secret: u.secret, realm: 'traefik' };
    if (lp.bool(lp.get('auth-remove-header'), false)) cfg.removeHeader = true;
    if (hf) cfg.headerField = hf;
    return lp.mw(t === 'basic' ? 'basicAuth' : 'digestAuth', cfg, { users: u.users });
  }
  if (t === 'forward') return forward(lp, authType, hf);
  return lp.fail(`unsupported auth-type ${JSON.stringify(authType.value)} (basic, digest or forward)`, authType.key);
}
