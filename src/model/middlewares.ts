// Middleware references → resolved, ordered middleware lists (traefik-semantics.md §4.2, §10): namespace
// defaulting, allowCrossNamespace, `name@kubernetescrd`, Chain expanded recursively with cycle detection,
// and the secrets the auth middlewares need. Problems throw MiddlewareError: the route is then left out
// (a route is never served without its middlewares).
import { ObjectIndex, byTraefikId, subjectOf } from './object-index';
import { resolveReference, unavailableProvider, ReferenceError } from './references';
import { secretValue } from './certificates';
import { resolveForwardAuthCluster, ForwardAuthError, type ForwardAuthAddress } from './forward-auth';
import { resolveUpstream, ServiceError } from './services';
import type { ErrorsMiddleware, MiddlewareObj, MiddlewareRef, MiddlewareSpec, MiddlewareType } from './crds/types';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { HttpRouter, UpstreamCluster } from './model';
import type { ModelOptions } from './options';

export class MiddlewareError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

/** What the model loaded for a middleware beyond its spec. */
export interface MiddlewareData {
  /** BasicAuth/DigestAuth: htpasswd-style lines from the secret (never logged). */
  users?: string[];
  /**
   * ForwardAuth: the auth server's cluster (in Model.clusters) and its parsed address. `appendPath`: the
   * Middleware opts in (annotation FORWARD_AUTH_PATH_ANNOTATION: "true") to Envoy calling the address path
   * followed by the client's path, for auth servers made for that (Envoy-style ext_authz endpoints).
   */
  forwardAuth?: { cluster: string; address: ForwardAuthAddress; appendPath: boolean };
  /** Errors: the error-page service's cluster (in Model.clusters). */
  errorService?: { cluster: string; passHostHeader: boolean };
  /** PassTLSClientCert: the info header's name when it is not v3's (Traefik 1.7 wrote `…-Cert-Infos`). */
  infoHeader?: string;
  /**
   * A Traefik 1.7 `redirect-entry-point` redirect: the target entry point, where the router serves without it
   * (ingress-legacy/redirects.ts splits the router by entry point).
   */
  redirectEntryPoint?: string;
  /**
   * A redirect that does not apply when one of these request headers has exactly this value (Traefik 1.7
   * `ssl-proxy-headers`: unrolled/secure counts such a request as HTTPS and does not redirect it to HTTPS).
   */
  unlessRequestHeaders?: { name: string; value: string }[];
}

/** Clusters the middlewares of a router send requests to (its own, its entry points', its services'). */
export function routerMiddlewareClusters(r: HttpRouter): { cluster: string; hostRewrite: boolean }[] {
  // The translation asks for every router of every build, and few middlewares call a cluster: one list, no copies.
  const out: { cluster: string; hostRewrite: boolean }[] = [];
  for (const mw of r.middlewares) addMiddlewareClusters(mw, out);
  if (r.action.type === 'forward') {
    for (const t of r.action.targets) if (t.middlewares) for (const mw of t.middlewares) addMiddlewareClusters(mw, out);
  }
  if (r.entryPointMiddlewares) {
    for (const ep of Object.values(r.entryPointMiddlewares)) if (Array.isArray(ep)) for (const mw of ep) addMiddlewareClusters(mw, out);
  }
  return out;
}

/** Clusters a middleware sends requests to (besides the router's services): they must be emitted too. */
function addMiddlewareClusters(mw: ResolvedMiddleware, out: { cluster: string; hostRewrite: boolean }[]): void {
  if (mw.data.forwardAuth) out.push({ cluster: mw.data.forwardAuth.cluster, hostRewrite: false });
  if (mw.data.errorService) out.push({ cluster: mw.data.errorService.cluster, hostRewrite: !mw.data.errorService.passHostHeader });
}

export interface ResolvedMiddleware {
  /** `namespace/name`: the identity of the Middleware object (one Envoy filter instance per object). */
  id: string;
  namespace: string;
  name: string;
  type: MiddlewareType;
  /** The config of `type` (e.g. the `stripPrefix` object). */
  config: any;
  data: MiddlewareData;
  subject: DiagnosticSubject;
  /** The Chain middlewares it was reached through, outermost first (for messages). */
  via: string[];
}

export interface MiddlewareContext {
  index: ObjectIndex;
  allowCrossNamespace: boolean;
  /** Needed by middlewares that send requests elsewhere (ForwardAuth, Errors): their clusters go here. */
  opts?: ModelOptions;
  clusters?: Map<string, UpstreamCluster>;
  /** Where what a Middleware's own resolution accepts with a difference is reported (on the Middleware). */
  diags?: Diagnostics;
}

function typeOf(spec: MiddlewareSpec): MiddlewareType | undefined {
  const set = (Object.keys(spec) as MiddlewareType[]).filter((k) => spec[k] !== undefined && spec[k] !== null);
  return set.length === 1 ? set[0] : undefined;
}

/** Finds the Middleware object a reference names. */
function lookup(ctx: MiddlewareContext, parentNs: string, ref: MiddlewareRef, field: string): MiddlewareObj {
  let r;
  try {
    r = resolveReference(parentNs, ref.namespace, ref.name, ctx.allowCrossNamespace);
  } catch (e) {
    if (e instanceof ReferenceError) throw new MiddlewareError(e.message, field);
    throw e;
  }
  if (r.type === 'provider') {
    if (r.provider !== 'kubernetescrd') throw new MiddlewareError(unavailableProvider(r), field);
    // `ns-name@kubernetescrd`: Traefik's normalized id; find the object that has it.
    const hit = byTraefikId(ctx.index.middlewares).get(r.name)?.[0];
    if (!hit) throw new MiddlewareError(`middleware "${ref.name}" does not exist`, field);
    return hit;
  }
  if (!ctx.index.watches(r.namespace)) throw new MiddlewareError(`namespace "${r.namespace}" is not within watched namespaces`, field);
  const m = ctx.index.middlewares.get(ObjectIndex.key(r.namespace, r.name));
  if (!m) {
    if (ctx.index.rejected.has(`Middleware/${r.namespace}/${r.name}`)) {
      throw new MiddlewareError(`middleware ${r.namespace}/${r.name} is invalid (see its own errors)`, field);
    }
    const tcp = ctx.index.middlewareTCPs.get(ObjectIndex.key(r.namespace, r.name));
    throw new MiddlewareError(tcp
      ? `middleware ${r.namespace}/${r.name} does not exist (a MiddlewareTCP of that name exists, but HTTP routes need a Middleware)`
      : `middleware ${r.namespace}/${r.name} does not exist`, field);
  }
  return m;
}

/**
 * Resolves a route's (or entry point's) middleware references into the flat list Traefik runs, in order.
 * `field` is the path of the references list (e.g. `spec.routes[0].middlewares`).
 */
export function resolveMiddlewares(
  ctx: MiddlewareContext,
  parentNs: string,
  refs: MiddlewareRef[],
  field: string,
  stack: string[] = [],
): ResolvedMiddleware[] {
  const out: ResolvedMiddleware[] = [];
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    const f = `${field}[${i}]`;
    const m = lookup(ctx, parentNs, ref, f);
    const id = `${m.namespace}/${m.name}`;
    if (stack.includes(id)) {
      throw new MiddlewareError(`middleware chain cycle: ${[...stack, id].join(' → ')}`, f);
    }
    const type = typeOf(m.spec);
    if (!type) throw new MiddlewareError(`middleware ${id} must set exactly one middleware type`, f);
    if (type === 'chain') {
      const inner = m.spec.chain?.middlewares ?? [];
      try {
        // Chain members resolve relative to the Chain's own namespace.
        out.push(...resolveMiddlewares(ctx, m.namespace, inner, 'spec.chain.middlewares', [...stack, id]).map((x) => ({ ...x, via: [id, ...x.via] })));
      } catch (e) {
        if (e instanceof MiddlewareError) throw new MiddlewareError(`in chain ${id} (${e.field}): ${e.message}`, f);
        throw e;
      }
      continue;
    }
    out.push({
      id, namespace: m.namespace, name: m.name, type, config: m.spec[type], data: loadData(ctx, m, type, f),
      subject: subjectOf(m), via: [],
    });
  }
  return out;
}

/** Secrets of the auth middlewares (traefik-semantics.md §8). Missing or malformed secrets fail the route. */
function loadData(ctx: MiddlewareContext, m: MiddlewareObj, type: MiddlewareType, field: string): MiddlewareData {
  if (type === 'forwardAuth') return loadForwardAuth(ctx, m, field);
  if (type === 'errors') return loadErrors(ctx, m, field);
  if (type !== 'basicAuth' && type !== 'digestAuth') return {};
  const cfg = m.spec[type]!;
  const id = `${m.namespace}/${m.name}`;
  if (!cfg.secret) throw new MiddlewareError(`${type} middleware ${id} has no secret`, field);
  const secret = ctx.index.secrets.get(ObjectIndex.key(m.namespace, cfg.secret));
  if (!secret) throw new MiddlewareError(`${type} middleware ${id}: secret ${m.namespace}/${cfg.secret} not found`, field);
  if (type === 'basicAuth' && secret.spec.type === 'kubernetes.io/basic-auth') {
    const user = secretValue(secret, 'username');
    const pass = secretValue(secret, 'password');
    if (!user || pass === undefined) throw new MiddlewareError(`basicAuth middleware ${id}: secret ${m.namespace}/${cfg.secret} of type kubernetes.io/basic-auth needs username and password`, field);
    // Traefik stores such users as {SHA}base64(sha1(password)).
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    return { users: [`${user}:{SHA}${createHash('sha1').update(pass).digest('base64')}`] };
  }
  const keys = Object.keys({ ...(secret.spec.data ?? {}), ...(secret.spec.stringData ?? {}) });
  if (keys.length !== 1) {
    throw new MiddlewareError(`${type} middleware ${id}: secret ${m.namespace}/${cfg.secret} must hold exactly one key with the users (it has ${keys.length})`, field);
  }
  const lines = (secretValue(secret, keys[0]) ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) throw new MiddlewareError(`${type} middleware ${id}: secret ${m.namespace}/${cfg.secret} has no user`, field);
  return { users: lines };
}

/** Annotation by which a ForwardAuth Middleware accepts Envoy's path semantics (address path + client path). */
export const FORWARD_AUTH_PATH_ANNOTATION = 'traefik-xds.io/forward-auth-path-prefix';

/** ForwardAuth: the auth server's cluster, built from `address` and the TLS secrets. */
function loadForwardAuth(ctx: MiddlewareContext, m: MiddlewareObj, field: string): MiddlewareData {
  if (!ctx.clusters) throw new Error('forwardAuth middlewares need the model clusters');
  try {
    const { cluster, address } = resolveForwardAuthCluster({ index: ctx.index, clusters: ctx.clusters }, m, m.spec.forwardAuth!, subjectOf(m));
    return { forwardAuth: { cluster: cluster.name, address, appendPath: m.annotations?.[FORWARD_AUTH_PATH_ANNOTATION] === 'true' } };
  } catch (e) {
    if (e instanceof ForwardAuthError) throw new MiddlewareError(e.message, field);
    throw e;
  }
}

/**
 * Errors: the error-page service (traefik-semantics.md §10, §4.3). Traefik's provider builds it like a route's
 * service, relative to the Middleware's namespace; a failure drops the middleware (and the routes using it).
 */
function loadErrors(ctx: MiddlewareContext, m: MiddlewareObj, field: string): MiddlewareData {
  if (!ctx.clusters || !ctx.opts) throw new Error('errors middlewares need the model clusters and options');
  const cfg: ErrorsMiddleware = m.spec.errors!;
  const id = `${m.namespace}/${m.name}`;
  const s = cfg.service;
  const fail = (msg: string): never => {
    throw new MiddlewareError(`errors middleware ${id}: ${msg}`, field);
  };
  if (!s || !s.name) return fail('service is required');
  if (s.name.includes('@')) return fail(`service "${s.name}": services of other providers are not available in traefik-xds`);
  const kind = s.kind ?? 'Service';
  if (kind === 'TraefikService') return fail('an error-page service of kind TraefikService is not translated by this version of traefik-xds');
  if (kind !== 'Service') return fail(`unsupported service kind "${kind}"`);
  const namespace = s.namespace || m.namespace;
  if (namespace !== m.namespace && !ctx.allowCrossNamespace) {
    return fail(`service ${namespace}/${s.name} is in another namespace, which is not allowed (allowCrossNamespace is false)`);
  }
  if (s.middlewares?.length) return fail('middlewares on the error-page service are not translated by this version of traefik-xds');
  const subject = subjectOf(m);
  const serviceField = 'spec.errors.service';
  // Its warnings (approximations of the Service's options) are the Middleware's; a Middleware used by several
  // routes reports them once (diagnostics are deduplicated).
  try {
    const c = resolveUpstream(ctx.index, s, namespace, ctx.opts, { kind: m.kind, namespace: m.namespace, name: m.name, field: serviceField, subject }, ctx.clusters,
      ctx.diags && { diags: ctx.diags, subject, field: serviceField });
    return { errorService: { cluster: c.name, passHostHeader: s.passHostHeader ?? true } };
  } catch (e) {
    if (e instanceof ServiceError) return fail(e.message);
    throw e;
  }
}

/**
 * Entry-point middlewares of the static configuration (`entryPoints.<ep>.http.middlewares`): Traefik prepends
 * them to every router of the entry point. Names are qualified Traefik ids: `ns-name@kubernetescrd` (or
 * `ns-name`, which the routers of the CRD provider qualify the same way). No cross-namespace rule applies:
 * the static configuration is not a namespaced object.
 */
export function resolveEntryPointMiddlewares(ctx: MiddlewareContext, names: string[], field: string): ResolvedMiddleware[] {
  const out: ResolvedMiddleware[] = [];
  names.forEach((full, i) => {
    const f = `${field}[${i}]`;
    const at = full.indexOf('@');
    const provider = at >= 0 ? full.slice(at + 1) : 'kubernetescrd';
    const id = at >= 0 ? full.slice(0, at) : full;
    if (provider !== 'kubernetescrd') throw new MiddlewareError(unavailableProvider({ provider, name: id }), f);
    const hit = byTraefikId(ctx.index.middlewares).get(id)?.[0];
    if (!hit) throw new MiddlewareError(`middleware "${full}" does not exist (kubernetescrd middlewares are named ns-name@kubernetescrd)`, f);
    // Resolve it as a one-element list from its own namespace, so Chains and secrets work as for routes.
    out.push(...resolveMiddlewares({ ...ctx, allowCrossNamespace: ctx.allowCrossNamespace }, hit.namespace, [{ name: hit.name, namespace: hit.namespace }], f));
  });
  return out;
}
