// Middleware references → resolved, ordered middleware lists (traefik-semantics.md §4.2, §10): namespace
// defaulting, allowCrossNamespace, `name@kubernetescrd`, Chain expanded recursively with cycle detection,
// and the secrets the auth middlewares need. Problems throw MiddlewareError: the route is then left out
// (a route is never served without its middlewares).
import { normalize } from './naming';
import { ObjectIndex, subjectOf } from './object-index';
import { resolveReference, unavailableProvider, ReferenceError } from './references';
import { secretValue } from './certificates';
import type { MiddlewareObj, MiddlewareRef, MiddlewareSpec, MiddlewareType } from './crds/types';
import type { DiagnosticSubject } from './diagnostics';

export class MiddlewareError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

/** What the model loaded for a middleware beyond its spec. */
export interface MiddlewareData {
  /** BasicAuth/DigestAuth: htpasswd-style lines from the secret (never logged). */
  users?: string[];
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
    const hit = ObjectIndex.sorted(ctx.index.middlewares).find((m) => normalize(`${m.namespace}-${m.name}`) === r.name);
    if (!hit) throw new MiddlewareError(`middleware "${ref.name}" does not exist`, field);
    return hit;
  }
  if (!ctx.index.watches(r.namespace)) throw new MiddlewareError(`namespace "${r.namespace}" is not within watched namespaces`, field);
  const m = ctx.index.middlewares.get(ObjectIndex.key(r.namespace, r.name));
  if (!m) {
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
  refs.forEach((ref, i) => {
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
      return;
    }
    out.push({
      id, namespace: m.namespace, name: m.name, type, config: m.spec[type], data: loadData(ctx, m, type, f),
      subject: subjectOf(m), via: [],
    });
  });
  return out;
}

/** Secrets of the auth middlewares (traefik-semantics.md §8). Missing or malformed secrets fail the route. */
function loadData(ctx: MiddlewareContext, m: MiddlewareObj, type: MiddlewareType, field: string): MiddlewareData {
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
