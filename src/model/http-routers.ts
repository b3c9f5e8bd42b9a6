// IngressRoute → HTTP routers (traefik-semantics.md §7.1): one router per route, with its rule in DNF,
// its priority, its entry points, its TLS settings and its resolved services. A broken route is dropped
// alone with a diagnostic; the rest of the IngressRoute still routes.
import { parseRule, toPredicate, toDNF, defaultPriority, MAX_PRIORITY } from './rules';
import { httpRouterName } from './naming';
import { ObjectIndex, subjectOf } from './object-index';
import { resolveReference, unavailableProvider, ReferenceError } from './references';
import { resolveUpstream, ServiceError } from './services';
import type { IngressRouteObj, LoadBalancerSpec, RouteSpec } from './crds/types';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { HttpRouter, Provenance, RuleLiteral, UpstreamCluster, WeightedTarget } from './model';
import type { ModelOptions } from './options';
import { loadCertificate, type CertificateStore } from './certificates';
import { resolveMiddlewares, MiddlewareError, type ResolvedMiddleware } from './middlewares';

export interface HttpBuildContext {
  index: ObjectIndex;
  opts: ModelOptions;
  diags: Diagnostics;
  clusters: Map<string, UpstreamCluster>;
  certificates: CertificateStore;
}

/** Thrown inside one route's resolution: the route is dropped with this diagnostic. */
class RouteError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

export function buildHttpRouters(ctx: HttpBuildContext): HttpRouter[] {
  const routers = new Map<string, HttpRouter>();
  for (const ir of ObjectIndex.sorted(ctx.index.ingressRoutes)) {
    for (const r of buildIngressRoute(ctx, ir)) {
      const prev = routers.get(r.name);
      if (prev) {
        ctx.diags.warn(prev.provenance.subject, prev.provenance.field,
          `router ${r.name} is defined twice (same match in one IngressRoute); Traefik keeps only the last one, ${r.provenance.field}`);
      }
      routers.set(r.name, r);
    }
  }
  return [...routers.values()];
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
        `certificate resolver "${tls.certResolver}" is ignored: traefik-xds has no ACME client; provide the certificate as a Secret (e.g. from cert-manager) and name it in spec.tls.secretName or the default TLSStore`);
    }
    if (tls.domains?.length) diags.info(subject, 'spec.tls.domains', 'ignored: tls.domains only drives ACME certificate requests, which traefik-xds does not make');
    if (tls.options) {
      try {
        resolveReference(ir.namespace, tls.options.namespace, tls.options.name, opts.provider.allowCrossNamespace);
        diags.error(subject, 'spec.tls.options',
          'TLSOption references are not translated by this version of traefik-xds; the IngressRoute is left out rather than served with other TLS settings');
      } catch (e) {
        if (!(e instanceof ReferenceError)) throw e;
        diags.error(subject, 'spec.tls.options', `${e.message}; the IngressRoute is left out`);
      }
      return out;
    }
    tlsOptions = 'default';
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
  const parsed = parseRule(route.match, { syntax, protocol: 'http' });
  if (!parsed.ok) {
    const { message, offset } = parsed.error;
    throw new RouteError(`invalid rule (${syntax} syntax): ${message}${/position/.test(message) ? '' : ` (at position ${offset})`}`, `${field}.match`);
  }
  const dnf = toDNF(toPredicate(parsed.ast));
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
      middlewares = resolveMiddlewares({ index: ctx.index, allowCrossNamespace: ctx.opts.provider.allowCrossNamespace }, ir.namespace, route.middlewares, `${field}.middlewares`);
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

  const targets: WeightedTarget[] = services.map((s, j) => {
    const sf = `${field}.services[${j}]`;
    const t = resolveServiceTarget(ctx, ir, s, sf, provenance, subject);
    // A single service ignores its weight (Traefik builds no WRR for one service).
    return { ...t, weight: services.length === 1 ? 1 : s.weight ?? 1 };
  });

  return {
    name: httpRouterName(ir.namespace, ir.name, route.match),
    provenance,
    ingressRoute: { namespace: ir.namespace, name: ir.name, routeIndex: i },
    entryPoints,
    rule: route.match,
    conjuncts,
    priority,
    tls: tlsOptions !== undefined ? { options: tlsOptions } : undefined,
    middlewares,
    action: targets.every((t) => t.weight === 0) ? { type: 'unavailable' } : { type: 'forward', targets: targets.filter((t) => t.weight > 0) },
  };
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
  if (s.name.includes('@')) {
    const provider = s.name.slice(s.name.indexOf('@') + 1);
    throw new RouteError(unavailableProvider({ provider, name: s.name.slice(0, s.name.indexOf('@')) }), `${field}.name`);
  }
  if (kind === 'TraefikService') {
    throw new RouteError('TraefikService references are not translated by this version of traefik-xds', `${field}.kind`);
  }
  if (kind !== 'Service') throw new RouteError(`unsupported service kind "${kind}"`, `${field}.kind`);
  const namespace = s.namespace || ir.namespace;
  if (namespace !== ir.namespace && !opts.provider.allowCrossNamespace) {
    throw new RouteError(`service ${namespace}/${s.name} is in another namespace, which is not allowed (allowCrossNamespace is false)`, `${field}.namespace`);
  }
  if (s.middlewares && s.middlewares.length > 0) {
    throw new RouteError('service-level middlewares are not translated by this version of traefik-xds, and a route is never served without its middlewares', `${field}.middlewares`);
  }
  try {
    const cluster = resolveUpstream(ctx.index, s, namespace, opts, { ...provenance, field }, ctx.clusters);
    reportUntranslatedServiceFields(ctx, s, field, subject);
    return { cluster: cluster.name, passHostHeader: s.passHostHeader ?? true };
  } catch (e) {
    if (e instanceof ServiceError) throw new RouteError(e.message, e.field ? `${field}.${e.field}` : field);
    throw e;
  }
}


/** Service fields whose translation is not built yet: the route still routes, and the user is told what differs. */
function reportUntranslatedServiceFields(ctx: HttpBuildContext, s: LoadBalancerSpec, field: string, subject: DiagnosticSubject): void {
  const { diags } = ctx;
  const later: [keyof LoadBalancerSpec, string][] = [
    ['sticky', 'sticky sessions are not translated yet: requests are balanced without stickiness'],
    ['serversTransport', 'serversTransport is not translated yet: the default@internal transport of the static configuration is used'],
    ['healthCheck', 'healthCheck is not translated yet: no active health checks are made'],
    ['passiveHealthCheck', 'passiveHealthCheck is not translated yet: no outlier detection is configured'],
  ];
  for (const [k, msg] of later) if (s[k] !== undefined) diags.warn(subject, `${field}.${k}`, msg);
  if (s.responseForwarding?.flushInterval !== undefined) {
    diags.warn(subject, `${field}.responseForwarding.flushInterval`, 'approximated: Envoy streams response data as it arrives (like flushInterval: -1)');
  }
  if (s.strategy && s.strategy !== 'wrr' && s.strategy !== 'p2c') {
    // RoundRobin (the deprecated alias of wrr) is reported by the schema.
    if (s.strategy !== 'RoundRobin') diags.warn(subject, `${field}.strategy`, `strategy ${s.strategy} is not translated yet: round robin is used`);
  }
}
