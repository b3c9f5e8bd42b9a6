// IngressRoute → HTTP routers (traefik-semantics.md §7.1): one router per route, with its rule in DNF,
// its priority, its entry points, its TLS settings and its resolved services. A broken route is dropped
// alone with a diagnostic; the rest of the IngressRoute still routes.
import { defaultPriority, MAX_PRIORITY, tlsHostsOf } from './rules';
import type { Pred } from './rules/types';
import { compileRule } from './rules/cache';
import { httpRouterName, normalize } from './naming';
import type { TlsModel } from './tls-options';
import { ObjectIndex, subjectOf } from './object-index';
import { resolveReference, unavailableProvider, ReferenceError } from './references';
import { resolveUpstream, ServiceError } from './services';
import { TraefikServiceError, traefikServicesOf, type TraefikServices } from './traefik-services';
import { withServerSticky } from './sticky-cookies';
import type { IngressRouteObj, LoadBalancerSpec, RouteSpec } from './crds/types';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { HttpRouter, Provenance, RuleLiteral, UpstreamCluster, WeightedTarget } from './model';
import type { ModelOptions } from './options';
import { loadCertificate, type CertificateStore } from './certificates';
import { resolveMiddlewares, resolveEntryPointMiddlewares, MiddlewareError, type MiddlewareContext, type ResolvedMiddleware } from './middlewares';
import type { IngressRouteMemo } from './ingressroute-memo';

export interface HttpBuildContext {
  index: ObjectIndex;
  opts: ModelOptions;
  diags: Diagnostics;
  clusters: Map<string, UpstreamCluster>;
  certificates: CertificateStore;
  tls: TlsModel;
  /** Each IngressRoute's routers from the previous builds (a long-lived caller's, for incremental rebuilds). */
  memo?: IngressRouteMemo;
  /** Set while an IngressRoute's reads are logged: the build's own context, for what the log cannot follow. */
  untracked?: { real: HttpBuildContext; mark: () => void };
}

/** Thrown inside one route's resolution: the route is dropped with this diagnostic. */
class RouteError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

function middlewareContext(ctx: HttpBuildContext): MiddlewareContext {
  return { index: ctx.index, allowCrossNamespace: ctx.opts.provider.allowCrossNamespace, opts: ctx.opts, clusters: ctx.clusters, diags: ctx.diags };
}

/**
 * Entry-point middlewares (`entryPoints.<ep>.http.middlewares`), resolved once per entry point. One that
 * cannot be resolved breaks every router of that entry point there, as in Traefik (the router's copy for that
 * entry point fails with "middleware does not exist").
 */
function entryPointMiddlewares(ctx: HttpBuildContext): Map<string, ResolvedMiddleware[] | { error: string }> {
  const out = new Map<string, ResolvedMiddleware[] | { error: string }>();
  for (const ep of ctx.opts.entryPoints) {
    if (ep.protocol !== 'tcp' || !ep.middlewares?.length) continue;
    const field = `entryPoints.${ep.name}.http.middlewares`;
    try {
      out.set(ep.name, resolveEntryPointMiddlewares(middlewareContext(ctx), ep.middlewares, field));
    } catch (e) {
      if (!(e instanceof MiddlewareError)) throw e;
      ctx.diags.error({ kind: 'StaticConfig' }, e.field, `${e.message}; the HTTP routers of entry point ${ep.name} are not served there`);
      out.set(ep.name, { error: e.message });
    }
  }
  return out;
}

export function buildHttpRouters(ctx: HttpBuildContext): HttpRouter[] {
  // Every TraefikService is resolved once, so that its problems are reported even when no route uses it.
  traefikServices(ctx).resolveAll();
  const epMiddlewares = entryPointMiddlewares(ctx);
  const routers = new Map<string, HttpRouter>();
  ctx.memo?.begin(JSON.stringify(ctx.opts));
  for (const ir of ObjectIndex.sorted(ctx.index.ingressRoutes)) {
    for (let r of routersOf(ctx, ir)) {
      const prev = routers.get(r.name);
      if (prev) {
        ctx.diags.warn(prev.provenance.subject, prev.provenance.field,
          `router ${r.name} is defined twice (same match in one IngressRoute); Traefik keeps only the last one, ${r.provenance.field}`);
      }
      const eps: string[] = [];
      for (const ep of r.entryPoints) if (epMiddlewares.has(ep)) eps.push(ep);
      // A copy: the router itself may be reused by the next build (memo).
      if (eps.length) r = { ...r, entryPointMiddlewares: Object.fromEntries(eps.map((ep) => [ep, epMiddlewares.get(ep)!])) };
      routers.set(r.name, r);
    }
  }
  ctx.memo?.end();
  return [...routers.values()];
}

/**
 * One IngressRoute's routers, through the memo when there is one. An IngressRoute naming a TraefikService
 * reads the build's TraefikService registry, which the memo cannot follow: it is built in full every time.
 */
function routersOf(ctx: HttpBuildContext, ir: IngressRouteObj): HttpRouter[] {
  const memo = ctx.memo;
  if (!memo || ir.spec.routes.some((r) => r.services?.some((s) => s.kind === 'TraefikService'))) return buildIngressRoute(ctx, ir);
  return memo.routers(ctx, ir, (recording, mark) => buildIngressRoute({
    // Every field written out, in the order of buildModel's context: one hidden class for every context.
    index: recording.index,
    opts: ctx.opts,
    diags: recording.diags,
    clusters: recording.clusters,
    certificates: recording.certificates,
    tls: recording.tls,
    memo: undefined,
    untracked: { real: ctx, mark },
  }, ir));
}

function buildIngressRoute(ctx: HttpBuildContext, ir: IngressRouteObj): HttpRouter[] {
  const { diags, opts } = ctx;
  const subject = subjectOf(ir);
  const spec = ir.spec;
  const out: HttpRouter[] = [];

  if (spec.parentRefs && spec.parentRefs.length > 0) {
    diags.error(subject, 'spec.parentRefs', 'parentRefs (multi-layer routing) is not supported by traefik-xds yet; the IngressRoute is left out');
    return out;
  }

  // TLS: secretName feeds the default store (errors are only reported, as Traefik only logs them).
  let tlsOptions: string | undefined;
  if (spec.tls) {
    const tls = spec.tls;
    if (tls.secretName) loadCertificate(ctx.index, ctx.certificates, ir.namespace, tls.secretName, subject, 'spec.tls.secretName', diags);
    if (tls.store) diags.info(subject, 'spec.tls.store', 'ignored, as in Traefik: routing always uses the default TLS store');
    if (tls.certResolver) {
      diags.warn(subject, 'spec.tls.certResolver',
        tls.secretName
          ? `certificate resolver "${tls.certResolver}" is ignored: traefik-xds has no ACME client; the certificate must come from Secret ${ir.namespace}/${tls.secretName} (keys tls.crt and tls.key), e.g. written by a cert-manager Certificate`
          : `certificate resolver "${tls.certResolver}" is ignored: traefik-xds has no ACME client; have a certificate manager (e.g. a cert-manager Certificate) write a Secret such as ${ir.namespace}/${ir.name}-tls (keys tls.crt and tls.key) and name it in spec.tls.secretName`);
    }
    if (tls.domains?.length) diags.info(subject, 'spec.tls.domains', 'ignored: tls.domains only drives ACME certificate requests, which traefik-xds does not make');
    tlsOptions = 'default';
    if (tls.options) {
      try {
        const ref = resolveReference(ir.namespace, tls.options.namespace, tls.options.name, opts.provider.allowCrossNamespace);
        // References are normalized (ns-name), option ids are not (a Traefik quirk: `my.opt` cannot be referenced),
        // and `default` in a namespace means `ns-default`, not the global default options.
        const id = ref.type === 'local' ? normalize(`${ref.namespace}-${ref.name}`) : ref.provider === 'kubernetescrd' ? ref.name : undefined;
        if (id === undefined) {
          diags.error(subject, 'spec.tls.options', `${unavailableProvider(ref as { provider: string; name: string })}; the IngressRoute is left out`);
          return out;
        }
        if (!ctx.tls.options.has(id)) {
          const obj = ref.type === 'local' ? ctx.index.tlsOptions.get(ObjectIndex.key(ref.namespace, ref.name)) : undefined;
          if (obj) {
            const objId = obj.name === 'default' ? 'default' : `${obj.namespace}-${obj.name}`;
            diags.error(subject, 'spec.tls.options', ctx.tls.options.has(objId)
              ? `unknown TLS options "${id}": the TLSOption ${obj.namespace}/${obj.name} has the id "${objId}", which a reference cannot name (Traefik normalizes references, not option ids: avoid dots in TLSOption names); the IngressRoute is left out`
              : `TLS options "${id}" are invalid (see the TLSOption's errors); the IngressRoute is left out`);
            return out;
          }
          diags.error(subject, 'spec.tls.options', `unknown TLS options "${id}"${tls.options.name === 'default' ? ' (a reference to "default" in a namespace means that namespace\'s TLSOption named default; omit options for the default options)' : ''}; the IngressRoute is left out`);
          return out;
        }
        tlsOptions = id;
      } catch (e) {
        if (!(e instanceof ReferenceError)) throw e;
        diags.error(subject, 'spec.tls.options', `${e.message}; the IngressRoute is left out`);
        return out;
      }
    }
  }

  const entryPoints = resolveEntryPoints(ctx, ir, subject);
  if (entryPoints.length === 0) return out;

  spec.routes.forEach((route, i) => {
    const field = `spec.routes[${i}]`;
    try {
      const r = buildRoute(ctx, ir, route, i, subject, entryPoints, tlsOptions);
      if (r) out.push(r);
    } catch (e) {
      if (e instanceof RouteError) {
        diags.error(subject, e.field, `${e.message}; route ${i} is left out`);
      } else throw e;
    }
    void field;
  });
  return out;
}

function resolveEntryPoints(ctx: HttpBuildContext, ir: IngressRouteObj, subject: DiagnosticSubject): string[] {
  const { opts, diags } = ctx;
  const asked = ir.spec.entryPoints && ir.spec.entryPoints.length > 0 ? ir.spec.entryPoints : opts.defaultEntryPoints;
  const out: string[] = [];
  asked.forEach((name, i) => {
    const ep = opts.entryPoints.find((e) => e.name === name);
    const field = ir.spec.entryPoints?.length ? `spec.entryPoints[${i}]` : 'spec.entryPoints';
    if (!ep) {
      diags.warn(subject, field, `entry point "${name}" does not exist in the static configuration; ignored`);
    } else if (ep.protocol === 'udp') {
      diags.warn(subject, field, `entry point "${name}" is a UDP entry point and cannot carry HTTP routes; ignored`);
    } else if (!out.includes(name)) out.push(name);
  });
  if (out.length === 0) {
    diags.error(subject, 'spec.entryPoints', asked.length
      ? 'none of the entry points exists; the IngressRoute is left out'
      : 'no entry point: the IngressRoute names none and the static configuration has no default entry point; the IngressRoute is left out');
  }
  return out;
}

function ruleSyntax(ctx: HttpBuildContext, ir: IngressRouteObj, route: RouteSpec): 'v2' | 'v3' {
  if (ir.group === 'traefik.containo.us') return 'v2';
  if (route.syntax === 'v2') return 'v2';
  if (route.syntax === 'v3') return 'v3';
  return ctx.opts.defaultRuleSyntax;
}

function buildRoute(
  ctx: HttpBuildContext,
  ir: IngressRouteObj,
  route: RouteSpec,
  i: number,
  subject: DiagnosticSubject,
  entryPoints: string[],
  tlsOptions: string | undefined,
): HttpRouter | undefined {
  const field = `spec.routes[${i}]`;
  if (route.kind !== undefined && route.kind !== 'Rule') throw new RouteError(`kind must be "Rule", got "${route.kind}"`, `${field}.kind`);
  if (!route.match) throw new RouteError('match is empty', `${field}.match`);

  const syntax = ruleSyntax(ctx, ir, route);
  const rule = compileRule(route.match, syntax, 'http');
  const parsed = rule.parsed;
  if (!parsed.ok) {
    const { message, offset } = parsed.error;
    throw new RouteError(`invalid rule (${syntax} syntax): ${message}${/position/.test(message) ? '' : ` (at position ${offset})`}`, `${field}.match`);
  }
  const pred = rule.pred!;
  const dnf = rule.dnf!;
  if ('tooLarge' in dnf) throw new RouteError('the rule expands to too many alternatives (more than 64 after distributing || over &&)', `${field}.match`);
  const conjuncts = dnf.conjuncts as RuleLiteral[][];
  if (conjuncts.length === 0) {
    ctx.diags.warn(subject, `${field}.match`, 'the rule can never match (every alternative is contradictory)');
  }

  let priority: bigint;
  if (route.priority !== undefined && route.priority !== 0) {
    priority = BigInt(route.priority);
    if (priority > MAX_PRIORITY) throw new RouteError(`priority ${route.priority} is above the maximum ${MAX_PRIORITY}`, `${field}.priority`);
  } else {
    priority = BigInt(defaultPriority(route.match, 'http'));
  }

  let middlewares: ResolvedMiddleware[] = [];
  if (route.middlewares && route.middlewares.length > 0) {
    try {
      middlewares = resolveMiddlewares(middlewareContext(ctx), ir.namespace, route.middlewares, `${field}.middlewares`);
    } catch (e) {
      if (e instanceof MiddlewareError) throw new RouteError(e.message, e.field.startsWith('spec.routes') ? e.field : `${field}.middlewares`);
      throw e;
    }
  }

  if (route.observability) {
    ctx.diags.info(subject, `${field}.observability`, 'accepted; it has no per-route effect on Envoy (access logs, metrics and tracing are configured on the Envoy side)');
  }

  const provenance: Provenance = { kind: ir.kind, namespace: ir.namespace, name: ir.name, field, subject };
  const services = route.services ?? [];
  if (services.length === 0) throw new RouteError('the route has no services (routes without services are only meaningful as parentRefs parents)', `${field}.services`);

  const name = httpRouterName(ir.namespace, ir.name, route.match);
  // A loop, not a map callback: a closure made per route loses its optimised code at each full collection.
  const targets: WeightedTarget[] = [];
  for (let j = 0; j < services.length; j++) {
    const s = services[j];
    const sf = `${field}.services[${j}]`;
    // Server-level stickiness: Traefik names the servers balancer of a single service after the router.
    const lbName = services.length === 1 ? name : undefined;
    const t = withServerSticky(ctx.clusters, resolveServiceTarget(ctx, ir, s, sf, provenance, subject), s, ir.namespace, { ...provenance, field: sf }, lbName);
    // A single service ignores its weight (Traefik builds no WRR for one service).
    targets.push({ ...t, weight: services.length === 1 ? 1 : s.weight ?? 1 });
  }
  // Service-level middlewares run after the router's (traefik-semantics.md §10). With one service they simply
  // extend the router's chain; with several, each stays on its weighted target (applied per cluster).
  if (targets.length === 1 && targets[0].middlewares) {
    middlewares = [...middlewares, ...targets[0].middlewares];
    delete targets[0].middlewares;
  }
  // A TraefikService is flattened with its siblings into one split: per-target middlewares would lose their target.
  const withMw = targets.findIndex((t) => t.middlewares?.length);
  if (withMw >= 0 && targets.some((t) => t.service)) {
    throw new RouteError('service-level middlewares on a service next to a TraefikService are not translated (the TraefikService is flattened with its siblings), and a route is never served without its middlewares', `${field}.services[${withMw}].middlewares`);
  }

  return {
    name,
    provenance,
    ingressRoute: { namespace: ir.namespace, name: ir.name, routeIndex: i },
    entryPoints,
    rule: route.match,
    conjuncts,
    priority,
    tls: tlsOptions !== undefined ? { options: tlsOptions } : undefined,
    tlsHosts: routerTlsHosts(pred),
    middlewares,
    action: targets.every((t) => t.weight === 0) ? { type: 'unavailable' } : { type: 'forward', targets: targets.filter((t) => t.weight > 0) },
  };
}

/**
 * TLS host names by compiled rule: rules are compiled once per text (rules/cache.ts), and a rebuild asks again for
 * each. The lists are shared by the routers of the same rule, which only read them.
 */
const tlsHostsByRule = new WeakMap<Pred, string[]>();

function routerTlsHosts(pred: Pred): string[] {
  let hosts = tlsHostsByRule.get(pred);
  if (!hosts) tlsHostsByRule.set(pred, (hosts = tlsHostsOf(pred)));
  return hosts;
}

function refOrThrow<T>(f: () => T, field: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ReferenceError) throw new RouteError(e.message, field);
    throw e;
  }
}

function resolveServiceTarget(
  ctx: HttpBuildContext,
  ir: IngressRouteObj,
  s: LoadBalancerSpec,
  field: string,
  provenance: Provenance,
  subject: DiagnosticSubject,
): Omit<WeightedTarget, 'weight'> {
  const { diags, opts } = ctx;
  const kind = s.kind ?? 'Service';
  if (kind === 'TraefikService') {
    // The TraefikService graph is resolved by traefik-services.ts (Kubernetes children come back through here).
    try {
      return { cluster: '', passHostHeader: true, service: traefikServices(ctx).reference(ir.namespace, s, field, subject).node };
    } catch (e) {
      if (e instanceof TraefikServiceError) throw new RouteError(e.message, e.field);
      throw e;
    }
  }
  if (s.name.includes('@')) {
    const provider = s.name.slice(s.name.indexOf('@') + 1);
    throw new RouteError(unavailableProvider({ provider, name: s.name.slice(0, s.name.indexOf('@')) }), `${field}.name`);
  }
  if (kind !== 'Service') throw new RouteError(`unsupported service kind "${kind}"`, `${field}.kind`);
  const namespace = s.namespace || ir.namespace;
  if (namespace !== ir.namespace && !opts.provider.allowCrossNamespace) {
    throw new RouteError(`service ${namespace}/${s.name} is in another namespace, which is not allowed (allowCrossNamespace is false)`, `${field}.namespace`);
  }
  let serviceMiddlewares: ResolvedMiddleware[] | undefined;
  if (s.middlewares && s.middlewares.length > 0) {
    // Resolved relative to the Service's namespace, not the IngressRoute's (traefik-semantics.md §4.1).
    try {
      serviceMiddlewares = resolveMiddlewares(middlewareContext(ctx), namespace, s.middlewares, `${field}.middlewares`);
    } catch (e) {
      if (e instanceof MiddlewareError) throw new RouteError(e.message, e.field.startsWith('spec.routes') ? e.field : `${field}.middlewares`);
      throw e;
    }
  }
  try {
    const cluster = resolveUpstream(ctx.index, s, namespace, opts, { ...provenance, field }, ctx.clusters, { diags, subject, field });
    reportUntranslatedServiceFields(ctx, s, field, subject);
    return { cluster: cluster.name, passHostHeader: s.passHostHeader ?? true, ...upstreamTargetFields(cluster), ...(serviceMiddlewares ? { middlewares: serviceMiddlewares } : {}) };
  } catch (e) {
    if (e instanceof ServiceError) throw new RouteError(e.message, e.field ? `${field}.${e.field}` : field);
    throw e;
  }
}


/**
 * The TraefikService registry of this build. Its Kubernetes Service children are resolved exactly like a
 * route's services (port, servers, transports, service-level middlewares...), relative to the TraefikService's
 * namespace.
 */
function traefikServices(ctx: HttpBuildContext): TraefikServices {
  // The registry is the build's (keyed by its cluster map), not a logged view's.
  if (ctx.untracked) {
    ctx.untracked.mark();
    ctx = ctx.untracked.real;
  }
  return traefikServicesOf({
    ...ctx,
    resolveUpstream: (ref, parentNs, field, provenance, subject) => {
      try {
        // Only the namespace of the referencing object is read from it.
        return resolveServiceTarget(ctx, { namespace: parentNs } as IngressRouteObj, ref, field, provenance, subject);
      } catch (e) {
        if (e instanceof RouteError) throw new TraefikServiceError(e.message, e.field);
        throw e;
      }
    },
  });
}

/** What a route needs to know of its cluster: Envoy sets the response-header timeout and the hash policy per route. */
function upstreamTargetFields(c: UpstreamCluster): Pick<WeightedTarget, 'responseHeaderTimeoutMs' | 'hashOnClientIp'> {
  return {
    ...(c.responseHeaderTimeoutMs > 0 ? { responseHeaderTimeoutMs: c.responseHeaderTimeoutMs } : {}),
    ...(c.strategy === 'hrw' ? { hashOnClientIp: true } : {}),
  };
}

/** Service fields whose translation is not built yet: the route still routes, and the user is told what differs. */
function reportUntranslatedServiceFields(ctx: HttpBuildContext, s: LoadBalancerSpec, field: string, subject: DiagnosticSubject): void {
  const { diags } = ctx;
  const later: [keyof LoadBalancerSpec, string][] = [
  ];
  for (const [k, msg] of later) if (s[k] !== undefined) diags.warn(subject, `${field}.${k}`, msg);
}
