// Kubernetes Ingress (networking.k8s.io/v1) → HTTP routers, as Traefik's `kubernetes` provider builds them
// (traefik-ingress.md §1): class filter, rules and paths → Traefik rule strings (Go %q quoting, so priority =
// len(rule) matches Traefik), router names Normalize(ns-ingress-host+path) with the in-Ingress hash on
// collision, the singleton default backend, spec.tls into the default store, service backends with the
// Ingress port rule and the Service's `service.*` annotations, and the `router.*` annotations (§2).
import { createHash } from 'node:crypto';
import { defaultPriority, MAX_PRIORITY, tlsHostsOf } from './rules';
import { compileRule } from './rules/cache';
import { normalize } from './naming';
import { ObjectIndex, subjectOf } from './object-index';
import { resolveUpstream, ServiceError } from './services';
import { withServerSticky } from './sticky-cookies';
import { loadCertificate } from './certificates';
import { resolveMiddlewares, resolveEntryPointMiddlewares, MiddlewareError, type ResolvedMiddleware } from './middlewares';
import { parseLabelSelector } from './labelselector';
import { AnnotationError, decodeRouterAnnotations, decodeServiceAnnotations, goQuote, type RouterAnnotations } from './ingress-annotations';
import { legacyAnnotationKeys, legacyForPath, LegacyError, type LegacyPathResult } from './ingress-legacy';
import { TRAEFIK_INGRESS_CONTROLLER, type IngressBackend, type IngressObj, type IngressPath } from './crds/ingress';
import type { HttpBuildContext } from './http-routers';
import type { LoadBalancerSpec } from './crds/types';
import type { DiagnosticSubject } from './diagnostics';
import type { HttpRouter, Provenance, RuleLiteral, WeightedTarget } from './model';
import type { ModelOptions } from './options';
import type { KubernetesIngressProvider } from '../config/types';

/** A path (or the default backend) that cannot be built: dropped alone with this diagnostic. */
class PathError extends Error {
  constructor(message: string, readonly field: string, readonly severity: 'error' | 'warning' = 'error') {
    super(message);
  }
}

/** The whole Ingress is skipped (as Traefik skips it). */
class IngressError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

const MIN_INT32 = -2147483648n;

interface IngressCtx extends HttpBuildContext {
  io: KubernetesIngressProvider;
  /** Model options with the Ingress provider's service options. */
  svcOpts: ModelOptions;
}

export function buildIngressRouters(ctx: HttpBuildContext): HttpRouter[] {
  const ingresses = ObjectIndex.sorted(ctx.index.ingresses);
  const io = ctx.opts.ingress;
  if (!io) {
    for (const ing of ingresses) {
      ctx.diags.info(subjectOf(ing), undefined, 'ignored: the Ingress provider is off (enable it with providers.kubernetesIngress in the static configuration)');
    }
    return [];
  }
  const ictx: IngressCtx = {
    ...ctx,
    io,
    svcOpts: {
      ...ctx.opts,
      provider: {
        ...ctx.opts.provider,
        // Service-side references are qualified names (`ns-name@kubernetescrd`), never namespace-checked (§1.11).
        allowCrossNamespace: true,
        allowExternalNameServices: io.allowExternalNameServices,
        allowEmptyServices: io.allowEmptyServices,
        nativeLBByDefault: io.nativeLBByDefault,
        disableClusterScopeResources: io.disableClusterScopeResources,
      },
    },
  };
  let selector: (labels: Record<string, string>) => boolean = () => true;
  if (io.labelSelector) {
    const s = parseLabelSelector(io.labelSelector);
    if (typeof s === 'function') selector = s;
  }
  const classes = ingressClassNames(ictx);
  const routers = new Map<string, HttpRouter>();
  let defaultRouter: HttpRouter | undefined;
  for (const ing of ingresses) {
    if (io.namespaces.length && !io.namespaces.includes(ing.namespace)) continue; // invisible, as to an informer
    if (!selector(ing.labels)) continue;
    if (!processed(ictx, ing, classes)) continue;
    const built = buildIngress(ictx, ing, defaultRouter !== undefined);
    for (const r of built) {
      if (r.name === 'default-router') {
        defaultRouter = r;
        continue;
      }
      const prev = routers.get(r.name);
      if (prev) {
        ctx.diags.error(r.provenance.subject, r.provenance.field,
          `router ${r.name} is also produced by Ingress ${prev.provenance.namespace}/${prev.provenance.name} (${prev.provenance.field}): Traefik keeps the later one, this one, and drops the other`);
        ctx.diags.error(prev.provenance.subject, prev.provenance.field,
          `router ${r.name} is overwritten by Ingress ${r.provenance.namespace}/${r.provenance.name} (${r.provenance.field}), which has the same router name`);
      }
      routers.set(r.name, r);
    }
  }
  const out = [...routers.values()];
  if (defaultRouter) out.push(defaultRouter);
  // Entry-point middlewares, as for IngressRoute routers (their errors are reported once by http-routers.ts).
  const epMw = new Map<string, ResolvedMiddleware[] | { error: string }>();
  for (const ep of ctx.opts.entryPoints) {
    if (ep.protocol !== 'tcp' || !ep.middlewares?.length) continue;
    try {
      epMw.set(ep.name, resolveEntryPointMiddlewares({ index: ctx.index, allowCrossNamespace: ctx.opts.provider.allowCrossNamespace, opts: ctx.opts, clusters: ctx.clusters }, ep.middlewares, `entryPoints.${ep.name}.http.middlewares`));
    } catch (e) {
      if (!(e instanceof MiddlewareError)) throw e;
      epMw.set(ep.name, { error: e.message });
    }
  }
  for (const r of out) {
    const eps = r.entryPoints.filter((ep) => epMw.has(ep));
    if (eps.length) r.entryPointMiddlewares = Object.fromEntries(eps.map((ep) => [ep, epMw.get(ep)!]));
  }
  return out;
}

/** §1.3 step 1: names of the IngressClasses of Traefik's controller (filtered by the ingressClass option). */
function ingressClassNames(ctx: IngressCtx): Set<string> {
  const out = new Set<string>();
  if (ctx.io.disableIngressClassLookup || ctx.io.disableClusterScopeResources) return out;
  for (const c of ObjectIndex.sorted(ctx.index.ingressClasses)) {
    if (c.spec.controller !== TRAEFIK_INGRESS_CONTROLLER) continue;
    if (ctx.io.ingressClass && c.name !== ctx.io.ingressClass) continue;
    out.add(c.name);
  }
  return out;
}

/** §1.3: whether Traefik processes this Ingress. */
function processed(ctx: IngressCtx, ing: IngressObj, classes: Set<string>): boolean {
  const subject = subjectOf(ing);
  const want = ctx.io.ingressClass;
  const cn = ing.spec.ingressClassName;
  if (cn) {
    if (classes.has(cn)) return true;
    const cls = ctx.index.ingressClasses.get(cn);
    const lookupOff = ctx.io.disableIngressClassLookup || ctx.io.disableClusterScopeResources;
    if (lookupOff) {
      ctx.diags.report(cn === 'traefik' || cn === want ? 'warning' : 'info', subject, 'spec.ingressClassName',
        `ignored: IngressClass lookup is disabled (${ctx.io.disableClusterScopeResources ? 'disableClusterScopeResources' : 'disableIngressClassLookup'}), so every Ingress with spec.ingressClassName is ignored, as in Traefik`);
    } else if (!cls) {
      ctx.diags.report(cn === 'traefik' || cn === want ? 'warning' : 'info', subject, 'spec.ingressClassName',
        `ignored: there is no IngressClass "${cn}" (Traefik processes an Ingress with ingressClassName only when that IngressClass exists with controller ${TRAEFIK_INGRESS_CONTROLLER})`);
    } else if (cls.spec.controller !== TRAEFIK_INGRESS_CONTROLLER) {
      ctx.diags.info(subject, 'spec.ingressClassName', `ignored: IngressClass "${cn}" belongs to controller "${cls.spec.controller ?? ''}"`);
    } else {
      ctx.diags.info(subject, 'spec.ingressClassName', `ignored: IngressClass "${cn}" is not the provider's ingressClass "${want}"`);
    }
    return false;
  }
  const a = ing.annotations['kubernetes.io/ingress.class'] ?? '';
  if (a === want || (want === '' && a === 'traefik')) return true;
  ctx.diags.info(subject, 'metadata.annotations["kubernetes.io/ingress.class"]',
    `ignored: ingress class ${JSON.stringify(a)} does not match the provider's ingressClass ${JSON.stringify(want)}${want === '' ? ' (with no ingressClass option, Traefik takes Ingresses without class or of class "traefik")' : ''}`);
  return false;
}

function annotationField(key: string): string {
  return `metadata.annotations[${JSON.stringify(key)}]`;
}

interface IngressContext {
  ing: IngressObj;
  subject: DiagnosticSubject;
  ann: RouterAnnotations;
  entryPoints: string[];
  tlsOptions?: string;
  middlewares: ResolvedMiddleware[];
  syntax: 'v2' | 'v3';
  legacy: boolean;
}

function buildIngress(ctx: IngressCtx, ing: IngressObj, haveDefault: boolean): HttpRouter[] {
  const { diags, io } = ctx;
  const subject = subjectOf(ing);
  const out: HttpRouter[] = [];

  // 1.x annotations: ignored by Traefik v3 (one info), or read in legacy mode.
  const legacyKeys = legacyAnnotationKeys(ing.annotations);
  const legacy = io.legacyAnnotations === 'v1.7';
  if (legacyKeys.length && !legacy) {
    diags.info(subject, 'metadata.annotations',
      `Traefik 1.x annotations are ignored, as Traefik v3 ignores them (set providers.kubernetesIngress.legacyAnnotations: v1.7 to read them): ${legacyKeys.join(', ')}`);
  }

  let ann: RouterAnnotations;
  try {
    ann = decodeRouterAnnotations(ing.annotations);
  } catch (e) {
    if (!(e instanceof AnnotationError)) throw e;
    diags.error(subject, annotationField(e.annotation), `failed to parse annotation ${e.annotation}: ${e.message}; the Ingress is left out, as in Traefik`);
    return out;
  }

  try {
    // crossProviderNamespaces (§1.11): router references need the namespace to be listed.
    const cpn = io.crossProviderNamespaces;
    if (cpn && !cpn.includes(ing.namespace)) {
      if (ann.middlewares?.length) throw new IngressError(`namespace ${ing.namespace} is not in crossProviderNamespaces, so it may not use router.middlewares; the Ingress is left out, as in Traefik`, annotationField(ann.keys.middlewares!));
      if (ann.tls?.options !== undefined) throw new IngressError(`namespace ${ing.namespace} is not in crossProviderNamespaces, so it may not use router.tls.options; the Ingress is left out, as in Traefik`, annotationField(ann.keys['tls.options']!));
    }
    loadTls(ctx, ing, subject, ann);
    const ic: IngressContext = {
      ing, subject, ann, legacy,
      entryPoints: resolveEntryPoints(ctx, ann, subject),
      tlsOptions: resolveTlsOptions(ctx, ann),
      middlewares: resolveRouterMiddlewares(ctx, ing, ann),
      syntax: ann.ruleSyntax === undefined ? ctx.opts.defaultRuleSyntax : ann.ruleSyntax === 'v2' ? 'v2' : 'v3',
    };
    if (ann.ruleSyntax !== undefined) {
      diags.info(subject, annotationField(ann.keys.rulesyntax!), `router.rulesyntax is deprecated in Traefik; rules of this Ingress use the ${ic.syntax} syntax`);
    }
    if (ann.observability) diags.info(subject, annotationField(ann.keys.observability ?? 'router.observability'), 'accepted; it has no per-route effect on Envoy (access logs, metrics and tracing are configured on the Envoy side)');
    if (ann.tls?.certResolver) diags.warn(subject, annotationField(ann.keys['tls.certresolver']!), `certificate resolver "${ann.tls.certResolver}" is ignored: traefik-xds has no ACME client; provide the certificate as a Secret in spec.tls`);
    if (ann.tls?.domains?.length) diags.info(subject, 'metadata.annotations', 'router.tls.domains is ignored: it only drives ACME certificate requests, which traefik-xds does not make');

    const rules = ing.spec.rules ?? [];
    if (ing.spec.defaultBackend) {
      if (rules.length > 0) {
        diags.warn(subject, 'spec.defaultBackend', 'ignored: Traefik honours spec.defaultBackend only when spec.rules is empty');
      } else if (haveDefault) {
        diags.error(subject, 'spec.defaultBackend', 'the default backend already exists (Traefik has one default-router for the whole cluster; the first Ingress in namespace/name order wins): this one is left out');
      } else {
        try {
          out.push(buildDefaultRouter(ctx, ic));
        } catch (e) {
          if (!(e instanceof PathError)) throw e;
          diags.report(e.severity, subject, e.field, `${e.message}; the default backend is left out`);
        }
      }
    }
    if (rules.length === 0 && !ing.spec.defaultBackend) diags.warn(subject, 'spec', 'the Ingress has neither rules nor a default backend: it routes nothing');

    const byKey = new Map<string, HttpRouter[]>();
    let routeIndex = 1;
    const exactAndPrefix = new Map<string, Set<string>>();
    rules.forEach((rule, i) => {
      if (!rule.http) return;
      rule.http.paths.forEach((p, j) => {
        const field = `spec.rules[${i}].http.paths[${j}]`;
        const idx = routeIndex++;
        try {
          const r = buildPath(ctx, ic, rule.host ?? '', p, field, idx);
          const key = normalize(`${ing.namespace}-${ing.name}-${rule.host ?? ''}${p.path ?? ''}`);
          const list = byKey.get(key) ?? [];
          list.push(r);
          byKey.set(key, list);
          const hp = `${rule.host ?? ''}\0${p.path ?? ''}`;
          const types = exactAndPrefix.get(hp) ?? new Set<string>();
          types.add(p.pathType ?? 'ImplementationSpecific');
          exactAndPrefix.set(hp, types);
        } catch (e) {
          if (e instanceof PathError) diags.report(e.severity, subject, e.field, `${e.message}; this path is left out`);
          else if (e instanceof LegacyError) diags.error(subject, annotationField(e.annotation), `${e.message}; this path is left out`);
          else throw e;
        }
      });
    });
    for (const [hp, types] of exactAndPrefix) {
      if (types.has('Exact') && types.has('Prefix')) {
        const [host, path] = hp.split('\0');
        diags.info(subject, 'spec.rules', `host ${JSON.stringify(host)} path ${JSON.stringify(path)} is both Exact and Prefix: Traefik prefers the Prefix router (its rule is longer, so its priority is higher), where the Ingress specification prefers Exact`);
      }
    }
    // §1.6: routers whose keys collide inside one Ingress are named key-<sha256(rule)[:20]>; identical rules: last wins.
    for (const [key, list] of byKey) {
      if (list.length === 1) {
        out.push({ ...list[0]!, name: key });
        continue;
      }
      const named = new Map<string, HttpRouter>();
      for (const r of list) {
        const name = `${key}-${createHash('sha256').update(r.rule, 'utf8').digest('hex').slice(0, 20)}`;
        const prev = named.get(name);
        if (prev) {
          diags.warn(subject, prev.provenance.field, `same rule as ${r.provenance.field} (${r.rule}): Traefik keeps only the last one, ${r.provenance.field}`);
        }
        named.set(name, { ...r, name });
      }
      out.push(...named.values());
    }
  } catch (e) {
    if (!(e instanceof IngressError)) throw e;
    diags.error(subject, e.field, e.message);
    return [];
  }
  return out;
}

/** §1.9: spec.tls → default store; the loop stops at the first failing entry, as in Traefik. */
function loadTls(ctx: IngressCtx, ing: IngressObj, subject: DiagnosticSubject, ann: RouterAnnotations): void {
  const tls = ing.spec.tls ?? [];
  for (let i = 0; i < tls.length; i++) {
    const t = tls[i]!;
    if (!t.secretName) continue;
    const field = `spec.tls[${i}].secretName`;
    const secret = ctx.index.secrets.get(ObjectIndex.key(ing.namespace, t.secretName));
    const cert = loadCertificate(ctx.index, ctx.certificates, ing.namespace, t.secretName, subject, field, ctx.diags);
    if (!cert) {
      const later = tls.slice(i + 1).filter((x) => x.secretName).map((x) => x.secretName);
      void secret;
      if (later.length) {
        ctx.diags.warn(subject, field, `Traefik stops at this failing entry: the later spec.tls entries (${later.join(', ')}) are not loaded either (the routers are still served)`);
      }
      break;
    }
  }
  if (tls.length && !ann.tls) {
    ctx.diags.info(subject, 'spec.tls', 'spec.tls only loads certificates into the default TLS store; the routers of this Ingress are plain HTTP unless the annotation traefik.ingress.kubernetes.io/router.tls: "true" (or an entry point with http.tls) makes them TLS routers, as in Traefik');
  }
}

function resolveEntryPoints(ctx: IngressCtx, ann: RouterAnnotations, subject: DiagnosticSubject): string[] {
  const { opts, diags } = ctx;
  const asked = ann.entryPoints?.length ? ann.entryPoints : opts.defaultEntryPoints;
  const field = ann.entryPoints?.length ? annotationField(ann.keys.entrypoints!) : 'metadata.annotations';
  const out: string[] = [];
  for (const name of asked) {
    const ep = opts.entryPoints.find((e) => e.name === name);
    if (!ep) diags.warn(subject, field, `entry point "${name}" does not exist in the static configuration; ignored`);
    else if (ep.protocol === 'udp') diags.warn(subject, field, `entry point "${name}" is a UDP entry point and cannot carry HTTP routes; ignored`);
    else if (!out.includes(name)) out.push(name);
  }
  if (out.length === 0) {
    throw new IngressError(asked.length ? 'none of the entry points exists; the Ingress is left out'
      : 'no entry point: the Ingress names none and the static configuration has no default entry point; the Ingress is left out', field);
  }
  return out;
}

/** router.tls.options: `default`, or a qualified TLSOption id (`ns-name@kubernetescrd`). */
function resolveTlsOptions(ctx: IngressCtx, ann: RouterAnnotations): string | undefined {
  if (!ann.tls) return undefined;
  const v = ann.tls.options;
  if (v === undefined || v === '' || v === 'default' || v === 'default@internal') return 'default';
  const field = annotationField(ann.keys['tls.options']!);
  const at = v.lastIndexOf('@');
  if (at < 0) throw new IngressError(`TLS options "${v}" are unqualified: Traefik reads them as "${v}@kubernetes", which the Ingress provider never defines; write "<namespace>-<name>@kubernetescrd" for a TLSOption; the Ingress is left out`, field);
  const provider = v.slice(at + 1);
  const id = v.slice(0, at);
  if (provider !== 'kubernetescrd') throw new IngressError(`TLS options "${v}": provider "${provider}" is not available in traefik-xds (only @kubernetescrd); the Ingress is left out`, field);
  if (!ctx.tls.options.has(id)) throw new IngressError(`unknown TLS options "${id}" (TLSOption ids are <namespace>-<name>); the Ingress is left out`, field);
  return id;
}

/** Qualified middleware names (`ns-name@kubernetescrd`), in order. */
function resolveQualifiedMiddlewares(ctx: IngressCtx, namespace: string, names: string[], field: string): ResolvedMiddleware[] {
  const refs = names.map((n) => {
    const at = n.lastIndexOf('@');
    if (at < 0) throw new MiddlewareError(`middleware "${n}" is unqualified: Traefik reads it as "${n}@kubernetes", which the Ingress provider never defines; write "<namespace>-<name>@kubernetescrd"`, field);
    return { name: n };
  });
  return resolveMiddlewares({ index: ctx.index, allowCrossNamespace: true, opts: ctx.opts, clusters: ctx.clusters }, namespace, refs, field);
}

function resolveRouterMiddlewares(ctx: IngressCtx, ing: IngressObj, ann: RouterAnnotations): ResolvedMiddleware[] {
  if (!ann.middlewares?.length) return [];
  const field = annotationField(ann.keys.middlewares!);
  try {
    return resolveQualifiedMiddlewares(ctx, ing.namespace, ann.middlewares, field);
  } catch (e) {
    if (e instanceof MiddlewareError) throw new IngressError(`router.middlewares: ${e.message}; the Ingress is left out (a route is never served without its middlewares)`, field);
    throw e;
  }
}

/** §1.5: the Traefik rule of a host + path, exactly as the provider formats it. */
export function ingressRule(host: string, path: IngressPath, pathMatcher: string | undefined, syntax: 'v2' | 'v3', strict: boolean): string {
  const parts: string[] = [];
  if (host) {
    if (host.startsWith('*.')) {
      parts.push(syntax === 'v2' ? `HostRegexp(${goQuote(`{subdomain:[a-zA-Z0-9-]+}${host.slice(1)}`)})` : `Host(${goQuote(host)})`);
    } else parts.push(`Host(${goQuote(host)})`);
  }
  const p = path.path ?? '';
  if (p) {
    let matcher: string;
    if (path.pathType === 'Exact') matcher = 'Path';
    else if (path.pathType === 'Prefix') matcher = 'PathPrefix';
    else matcher = pathMatcher ?? 'PathPrefix';
    if (matcher === 'PathPrefix' && strict && p !== '/') {
      const base = p.endsWith('/') ? p.slice(0, -1) : p;
      parts.push(`(Path(${goQuote(base)}) || PathPrefix(${goQuote(`${base}/`)}))`);
    } else parts.push(`${matcher}(${goQuote(p)})`);
  }
  return parts.join(' && ');
}

function compile(rule: string, syntax: 'v2' | 'v3', field: string): RuleLiteral[][] & { pred?: unknown } {
  const c = compileRule(rule, syntax, 'http');
  if (!c.parsed.ok) throw new PathError(`invalid rule ${rule} (${syntax} syntax): ${c.parsed.error.message}`, field);
  const dnf = c.dnf!;
  if ('tooLarge' in dnf) throw new PathError('the rule expands to too many alternatives', field);
  return dnf.conjuncts as RuleLiteral[][];
}

function buildPath(ctx: IngressCtx, ic: IngressContext, host: string, p: IngressPath, field: string, routeIndex: number): HttpRouter {
  const { ing, ann } = ic;
  let lg: LegacyPathResult | undefined;
  if (ic.legacy) lg = legacyForPath(ctx, ing, host, p, field);
  const pathMatcher = lg?.pathMatcher ?? ann.pathMatcher;
  if ((p.pathType ?? 'ImplementationSpecific') === 'ImplementationSpecific' && ann.pathMatcher !== undefined && !['Path', 'PathPrefix', 'PathRegexp'].includes(ann.pathMatcher)) {
    throw new PathError(`router.pathmatcher "${ann.pathMatcher}" is not one of Path, PathPrefix, PathRegexp (Traefik skips the path)`, annotationField(ann.keys.pathmatcher!));
  }
  if ((p.pathType === 'Exact' || p.pathType === 'Prefix') && ann.pathMatcher !== undefined && p.path) {
    ctx.diags.info(ic.subject, `${field}.pathType`, `router.pathmatcher applies to ImplementationSpecific paths only: this ${p.pathType} path ignores it`);
  }
  const rule = lg?.rule ?? ingressRule(host, p, pathMatcher, ic.syntax, ctx.io.strictPrefixMatching);
  if (!rule) throw new PathError('the rule is empty (no host and no path): Traefik fails such a router at runtime; it is not turned into a catch-all', `${field}.path`);
  const conjuncts = compile(rule, ic.syntax, field);
  const c = compileRule(rule, ic.syntax, 'http');
  const provenance: Provenance = { kind: 'Ingress', namespace: ing.namespace, name: ing.name, field, subject: ic.subject };
  const target = resolveBackend(ctx, ic, p.backend, `${field}.backend`, provenance, lg?.scheme, lg?.passHostHeader);
  let priority: bigint;
  const explicit = lg?.priority ?? ann.priority;
  if (explicit !== undefined && explicit !== 0n) {
    priority = explicit;
    if (priority > MAX_PRIORITY) throw new PathError(`priority ${priority} is above the maximum ${MAX_PRIORITY}`, annotationField(ann.keys.priority ?? 'router.priority'));
  } else priority = BigInt(defaultPriority(rule, 'http'));
  let middlewares = [...(lg?.middlewares ?? []), ...ic.middlewares];
  if (target.middlewares) {
    middlewares = [...middlewares, ...target.middlewares];
    delete target.middlewares;
  }
  return {
    name: '',
    provenance,
    ingressRoute: { namespace: ing.namespace, name: `ingress/${ing.name}`, routeIndex },
    entryPoints: lg?.entryPoints ?? ic.entryPoints,
    rule,
    conjuncts,
    priority,
    tls: ic.tlsOptions !== undefined ? { options: ic.tlsOptions } : undefined,
    tlsHosts: tlsHostsOf(c.pred!),
    middlewares,
    action: { type: 'forward', targets: [{ ...target, weight: 1 }] },
  };
}

function buildDefaultRouter(ctx: IngressCtx, ic: IngressContext): HttpRouter {
  const { ing } = ic;
  const field = 'spec.defaultBackend';
  const rule = 'PathPrefix("/")';
  const conjuncts = compile(rule, 'v3', field);
  const c = compileRule(rule, 'v3', 'http');
  const provenance: Provenance = { kind: 'Ingress', namespace: ing.namespace, name: ing.name, field, subject: ic.subject };
  const target = resolveBackend(ctx, ic, ing.spec.defaultBackend!, field, provenance, undefined, undefined, 'default-backend');
  let middlewares = ic.middlewares;
  if (target.middlewares) {
    middlewares = [...middlewares, ...target.middlewares];
    delete target.middlewares;
  }
  return {
    name: 'default-router',
    provenance,
    ingressRoute: { namespace: ing.namespace, name: `ingress/${ing.name}`, routeIndex: 0 },
    entryPoints: ic.entryPoints,
    rule,
    conjuncts,
    priority: MIN_INT32,
    tls: ic.tlsOptions !== undefined ? { options: ic.tlsOptions } : undefined,
    tlsHosts: tlsHostsOf(c.pred!),
    middlewares,
    action: { type: 'forward', targets: [{ ...target, weight: 1 }] },
  };
}

/** §1.8: a service backend → upstream cluster, with the Service's `service.*` annotations. */
function resolveBackend(
  ctx: IngressCtx, ic: IngressContext, backend: IngressBackend, field: string, provenance: Provenance,
  legacyScheme?: string, legacyPassHost?: boolean, lbNameOverride?: string,
): Omit<WeightedTarget, 'weight'> {
  const { ing } = ic;
  if (backend.resource) throw new PathError('resource backends are not supported (as in Traefik)', `${field}.resource`, 'warning');
  const sb = backend.service;
  if (!sb) throw new PathError('the backend has no service', field, 'warning');
  const svc = ctx.index.services.get(ObjectIndex.key(ing.namespace, sb.name));
  if (!svc) throw new PathError(`kubernetes service not found: ${ing.namespace}/${sb.name}`, `${field}.service.name`);
  const port: number | string | undefined = sb.port?.number ?? (sb.port?.name || undefined);
  if (port === undefined) throw new PathError('the service backend names no port (port.number or port.name)', `${field}.service.port`);
  const ports = svc.spec.ports ?? [];
  const sp = ports.find((x) => (typeof port === 'number' ? x.port === port : !!x.name && x.name === port));
  if (!sp) {
    const avail = ports.map((x) => (x.name ? `${x.port} (${x.name})` : `${x.port}`)).join(', ') || 'none';
    throw new PathError(`service port not found: ${ing.namespace}/${sb.name} has no port ${typeof port === 'number' ? port : `named "${port}"`} (its ports: ${avail}${svc.spec.type === 'ExternalName' ? '; unlike IngressRoute, the Ingress provider never invents the port of an ExternalName service' : ''})`, `${field}.service.port`);
  }
  const svcSubject = subjectOf(svc);
  let sa;
  try {
    sa = decodeServiceAnnotations(svc.annotations);
  } catch (e) {
    if (!(e instanceof AnnotationError)) throw e;
    ctx.diags.error(svcSubject, annotationField(e.annotation), `failed to parse annotation ${e.annotation}: ${e.message}; every Ingress path to this Service is left out, as in Traefik`);
    throw new PathError(`the annotations of Service ${ing.namespace}/${sb.name} cannot be parsed (${e.message})`, `${field}.service.name`);
  }
  if (sa.nodePortLB && svc.spec.type !== 'NodePort') {
    ctx.diags.warn(svcSubject, annotationField(sa.keys.nodeportlb!), `service.nodeportlb is ignored: Service ${svc.namespace}/${svc.name} is of type ${svc.spec.type ?? 'ClusterIP'}, not NodePort (as in Traefik)`);
  }
  if (sa.serversTransport !== undefined) {
    if (!sa.serversTransport.includes('@')) {
      throw new PathError(`service.serverstransport "${sa.serversTransport}" on Service ${svc.namespace}/${svc.name} is unqualified: Traefik reads it as "${sa.serversTransport}@kubernetes", which does not exist; write "<namespace>-<name>@kubernetescrd"`, `${field}.service.name`);
    }
    const cpn = ctx.io.crossProviderNamespaces;
    if (cpn && !cpn.includes(svc.namespace)) {
      throw new PathError(`Service ${svc.namespace}/${svc.name} uses service.serverstransport, and its namespace is not in crossProviderNamespaces`, `${field}.service.name`);
    }
  }
  let scheme = sa.serversScheme;
  if (legacyScheme !== undefined) scheme = legacyScheme;
  const lb: LoadBalancerSpec = {
    name: sb.name,
    port,
    ...(scheme !== undefined ? { scheme } : {}),
    ...(sa.serversTransport !== undefined ? { serversTransport: sa.serversTransport } : {}),
    ...(sa.nativeLB !== undefined ? { nativeLB: sa.nativeLB } : {}),
    ...(sa.nodePortLB !== undefined ? { nodePortLB: sa.nodePortLB } : {}),
    ...(sa.sticky?.cookie ? { sticky: sa.sticky } : {}),
  };
  const svcName = normalize(`${ing.namespace}-${sb.name}-${port}`);
  let mws: ResolvedMiddleware[] | undefined;
  if (sa.middlewares?.length) {
    try {
      mws = resolveQualifiedMiddlewares(ctx, svc.namespace, sa.middlewares, annotationField(sa.keys.middlewares!));
    } catch (e) {
      if (e instanceof MiddlewareError) throw new PathError(`service.middlewares of Service ${svc.namespace}/${svc.name}: ${e.message}`, `${field}.service.name`);
      throw e;
    }
  }
  try {
    const cluster = resolveUpstream(ctx.index, lb, ing.namespace, ctx.svcOpts, provenance, ctx.clusters, { diags: ctx.diags, subject: ic.subject, field });
    if (cluster.endpoints.length === 0 && cluster.discovery === 'eds' && ctx.io.allowEmptyServices) {
      ctx.diags.warn(ic.subject, field, `Service ${svc.namespace}/${svc.name} has no ready endpoint: served as 503 (allowEmptyServices)`);
    }
    const passHostHeader = legacyPassHost ?? (ctx.io.disablePassHostHeaders && ic.legacy ? false : sa.passHostHeader ?? true);
    const t = {
      cluster: cluster.name, passHostHeader,
      ...(cluster.responseHeaderTimeoutMs > 0 ? { responseHeaderTimeoutMs: cluster.responseHeaderTimeoutMs } : {}),
      ...(cluster.strategy === 'hrw' ? { hashOnClientIp: true } : {}),
    };
    const withSticky = withServerSticky(ctx.clusters, t, lb, ing.namespace, provenance, lbNameOverride ?? svcName);
    return { ...withSticky, ...(mws ? { middlewares: mws } : {}) };
  } catch (e) {
    if (e instanceof ServiceError) throw new PathError(e.message, e.field === 'port' ? `${field}.service.port` : `${field}.service`);
    throw e;
  }
}
