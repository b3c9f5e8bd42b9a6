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
import { INGRESS_PROVIDER_SUFFIX, withServerSticky } from './sticky-cookies';
import { loadCertificate } from './certificates';
import { resolveMiddlewares, resolveEntryPointMiddlewares, MiddlewareError, type ResolvedMiddleware } from './middlewares';
import { parseLabelSelector } from './labelselector';
import { AnnotationError, decodeRouterAnnotations, decodeServiceAnnotations, goQuote, type RouterAnnotations } from './ingress-annotations';
import { legacyAnnotationKeys, legacyBackendsOf, legacyForPath, legacyServiceWeights, LegacyError, type LegacyPathResult } from './ingress-legacy';
import { legacyServiceForDefaultBackend } from './ingress-legacy-service';
import { addWeightedTarget, finishWeightedRouter, setFirstWeight, ServiceWeightsError, weightGroupKey } from './ingress-legacy/service-weights';
import { splitByRedirectEntryPoint } from './ingress-legacy/redirects';
import type { LegacyBackendRef } from './ingress-legacy/context';
import { TRAEFIK_INGRESS_CONTROLLER, type IngressBackend, type IngressClassObj, type IngressObj, type IngressPath } from './crds/ingress';
import { ingressClassAccepted, traefikIngressClassNames } from './ingress-class';
import { admissionDefault, admissionWouldDefault, IS_DEFAULT_CLASS_ANNOTATION } from './ingress-default-class';
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
  /** Legacy mode: the 1.7 backend names of the processed Ingresses (error-pages). */
  legacyBackends?: Map<string, LegacyBackendRef>;
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
  const classes = traefikIngressClassNames(ictx.io, ictx.index);
  const admission = defaultClassEmulation(ictx, ingresses);
  const routers = new Map<string, HttpRouter>();
  let defaultRouter: HttpRouter | undefined;
  const chosen = ingresses.filter((ing) => (!io.namespaces.length || io.namespaces.includes(ing.namespace)) // invisible, as to an informer
    && selector(ing.labels) && processed(ictx, ing, classes, admission));
  if (io.legacyAnnotations === 'v1.7') ictx.legacyBackends = legacyBackendsOf(chosen);
  for (const ing of chosen) {
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
  reportAmbiguousRules(ctx, out);
  if (defaultRouter) out.push(defaultRouter);
  // Entry-point middlewares, as for IngressRoute routers (their errors are reported once by http-routers.ts).
  const epMw = new Map<string, ResolvedMiddleware[] | { error: string }>();
  for (const ep of ctx.opts.entryPoints) {
    if (ep.protocol !== 'tcp' || !ep.middlewares?.length) continue;
    try {
      epMw.set(ep.name, resolveEntryPointMiddlewares({ index: ctx.index, allowCrossNamespace: ctx.opts.provider.allowCrossNamespace, opts: ctx.opts, clusters: ctx.clusters, diags: ctx.diags }, ep.middlewares, `entryPoints.${ep.name}.http.middlewares`));
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

/**
 * §5: the same rule at the same priority in several Ingresses (same host+path+type): Traefik's order between
 * them is unspecified (an unstable sort); traefik-xds serves the first by router name (route-config.ts).
 */
function reportAmbiguousRules(ctx: HttpBuildContext, routers: HttpRouter[]): void {
  const groups = new Map<string, HttpRouter[]>();
  for (const r of routers) {
    const key = `${r.priority}\0${r.tls ? 'tls' : 'plain'}\0${r.rule}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  for (const list of groups.values()) {
    if (new Set(list.map((r) => `${r.provenance.namespace}/${r.provenance.name}`)).size < 2) continue;
    const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const winner = sorted[0]!;
    for (const r of sorted) {
      if (!r.entryPoints.some((ep) => winner.entryPoints.includes(ep))) continue;
      const others = sorted.filter((x) => x !== r && x.entryPoints.some((ep) => r.entryPoints.includes(ep)));
      if (!others.length) continue;
      ctx.diags.warn(r.provenance.subject, r.provenance.field,
        `ambiguous: ${others.map((x) => `Ingress ${x.provenance.namespace}/${x.provenance.name} (${x.provenance.field})`).join(', ')} has the same rule ${r.rule} at the same priority ${r.priority}; Traefik picks one of them unpredictably, traefik-xds always serves router ${winner.name} (first by name)`);
    }
  }
}

/**
 * §7 `defaultIngressClass: auto`: the class the API server's admission would have given class-less Ingresses
 * read from files (undefined: none). Several default classes: a warning on each, and no class is given.
 */
function defaultClassEmulation(ctx: IngressCtx, ingresses: IngressObj[]): IngressClassObj | undefined {
  if (ctx.io.defaultIngressClass !== 'auto') return undefined;
  const d = admissionDefault(ctx.index);
  if (d.kind === 'one') return d.cls;
  if (d.kind === 'several' && ingresses.some(admissionWouldDefault)) {
    const names = d.classes.map((c) => c.name).join(', ');
    for (const c of d.classes) {
      ctx.diags.warn(subjectOf(c), `metadata.annotations["${IS_DEFAULT_CLASS_ANNOTATION}"]`,
        `${d.classes.length} IngressClasses are marked default (${names}): the API server refuses to create an Ingress without class then, so the class-less Ingresses read from files are given none (defaultIngressClass: auto)`);
    }
  }
  return undefined;
}

/** §1.3: whether Traefik processes this Ingress. */
function processed(ctx: IngressCtx, ing: IngressObj, classes: Set<string>, admissionClass: IngressClassObj | undefined): boolean {
  const subject = subjectOf(ing);
  const want = ctx.io.ingressClass;
  let cn = ing.spec.ingressClassName;
  if (!cn && admissionClass && admissionWouldDefault(ing)) {
    cn = admissionClass.name;
    ctx.diags.info(subject, 'spec.ingressClassName',
      `no ingress class: given the default IngressClass "${cn}" (annotation ${IS_DEFAULT_CLASS_ANNOTATION}: "true"${admissionClass.spec.controller !== TRAEFIK_INGRESS_CONTROLLER ? `, controller "${admissionClass.spec.controller ?? ''}"` : ''}), as the API server's admission would have at creation (defaultIngressClass: auto; set it to none to keep file Ingresses class-less)`);
  }
  if (ingressClassAccepted(ctx.io, ing, classes, cn)) return true;
  // Not processed: say why.
  if (cn) {
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
      // Traefik: an empty rulesyntax is the default syntax; anything but v2 is v3.
      syntax: !ann.ruleSyntax ? ctx.opts.defaultRuleSyntax : ann.ruleSyntax === 'v2' ? 'v2' : 'v3',
    };
    if (ann.ruleSyntax !== undefined) {
      diags.info(subject, annotationField(ann.keys.rulesyntax!), `router.rulesyntax is deprecated in Traefik; rules of this Ingress use the ${ic.syntax} syntax`);
    }
    // The group's own key, else its first sub-key (a sub-key alone creates the group).
    const groupKey = (g: string) => ann.keys[g] ?? Object.entries(ann.keys).filter(([k]) => k.startsWith(`${g}.`)).map(([, v]) => v).sort()[0]!;
    if (ann.observability) diags.info(subject, annotationField(groupKey('observability')), 'accepted; it has no per-route effect on Envoy (access logs, metrics and tracing are configured on the Envoy side)');
    if (ann.tls?.certResolver) diags.warn(subject, annotationField(ann.keys['tls.certresolver']!), `certificate resolver "${ann.tls.certResolver}" is ignored: traefik-xds has no ACME client; provide the certificate as a Secret in spec.tls`);
    if (ann.tls?.domains?.length) diags.info(subject, annotationField(groupKey('tls.domains')), 'router.tls.domains is ignored: it only drives ACME certificate requests, which traefik-xds does not make');

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
          if (e instanceof LegacyError) diags.error(subject, e.field ?? annotationField(e.annotation), `${e.message}; the default backend is left out`);
          else if (!(e instanceof PathError)) throw e;
          else diags.report(e.severity, subject, e.field, `${e.message}; the default backend is left out`);
        }
      }
    }
    if (rules.length === 0 && !ing.spec.defaultBackend) diags.warn(subject, 'spec', 'the Ingress has neither rules nor a default backend: it routes nothing');

    // 1.7 service-weights: the paths of a (host, path, pathType) share one weighted router.
    const weights = legacy ? legacyServiceWeights(ctx, ing) : undefined;
    const weightGroups = new Map<string, HttpRouter>();
    const byKey = new Map<string, HttpRouter[]>();
    let routeIndex = 1;
    const exactAndPrefix = new Map<string, Set<string>>();
    rules.forEach((rule, i) => {
      if (!rule.http) return;
      rule.http.paths.forEach((p, j) => {
        const field = `spec.rules[${i}].http.paths[${j}]`;
        const idx = routeIndex++;
        try {
          const r = buildPath(ctx, ic, rule.host ?? '', p, field, idx, weights !== undefined);
          if (weights) {
            const gk = weightGroupKey(rule.host ?? '', p.path, p.pathType);
            const w = weights.get(gk)?.get(p.backend.service?.name ?? '') ?? 0;
            const first = weightGroups.get(gk);
            if (first) return addWeightedTarget(first, r, w, diags);
            setFirstWeight(r, w);
            weightGroups.set(gk, r);
          }
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
          else if (e instanceof LegacyError) diags.error(subject, e.field ?? annotationField(e.annotation), `${e.message}; this path is left out`);
          else throw e;
        }
      });
    });
    for (const r of weightGroups.values()) finishWeightedRouter(r);
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
    if (e instanceof ServiceWeightsError) {
      diags.error(subject, annotationField(e.annotation), `${e.message}; the Ingress is left out, as in Traefik 1.7`);
      return [];
    }
    if (!(e instanceof IngressError)) throw e;
    diags.error(subject, e.field, e.message);
    return [];
  }
  return legacy ? out.flatMap((r) => splitByRedirectEntryPoint(r, diags)) : out;
}

/** Whether the input has a Secret ns/name that the index left out as a Helm release Secret (label owner=helm). */
function helmOwnedSecret(ctx: IngressCtx, namespace: string, name: string): boolean {
  for (const raw of ctx.index.accepted) {
    if (raw.kind === 'Secret' && raw.metadata.name === name && (raw.metadata.namespace || 'default') === namespace && raw.metadata.labels?.owner === 'helm') return true;
  }
  return false;
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
      if (!secret && helmOwnedSecret(ctx, ing.namespace, t.secretName)) {
        ctx.diags.warn(subject, field, `Secret ${ing.namespace}/${t.secretName} is labelled owner=helm: Traefik lists Secrets with owner!=helm (Helm release Secrets), so it does not see this one either`);
      }
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
  return resolveMiddlewares({ index: ctx.index, allowCrossNamespace: true, opts: ctx.opts, clusters: ctx.clusters, diags: ctx.diags }, namespace, refs, field);
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

/** `weighted`: the router may get more services (1.7 service-weights), so its service keeps its own middlewares. */
function buildPath(ctx: IngressCtx, ic: IngressContext, host: string, p: IngressPath, field: string, routeIndex: number, weighted = false): HttpRouter {
  const { ing, ann } = ic;
  let lg: LegacyPathResult | undefined;
  if (ic.legacy) lg = legacyForPath(ctx, ing, host, p, field);
  // Traefik reads router.pathmatcher only for a non-empty path, and an empty value means the default (PathPrefix).
  const annMatcher = ann.pathMatcher || undefined;
  const pathMatcher = lg?.pathMatcher ?? annMatcher;
  if ((p.pathType ?? 'ImplementationSpecific') === 'ImplementationSpecific' && p.path && annMatcher !== undefined && !['Path', 'PathPrefix', 'PathRegexp'].includes(annMatcher)) {
    throw new PathError(`router.pathmatcher "${ann.pathMatcher}" is not one of Path, PathPrefix, PathRegexp (Traefik skips the path)`, annotationField(ann.keys.pathmatcher!));
  }
  if ((p.pathType === 'Exact' || p.pathType === 'Prefix') && annMatcher !== undefined && p.path) {
    ctx.diags.info(ic.subject, `${field}.pathType`, `router.pathmatcher applies to ImplementationSpecific paths only: this ${p.pathType} path ignores it`);
  }
  const rule = lg?.rule ?? ingressRule(host, p, pathMatcher, ic.syntax, ctx.io.strictPrefixMatching);
  if (!rule) throw new PathError('the rule is empty (no host and no path): Traefik fails such a router at runtime; it is not turned into a catch-all', `${field}.path`);
  const conjuncts = compile(rule, ic.syntax, field);
  const c = compileRule(rule, ic.syntax, 'http');
  const provenance: Provenance = { kind: 'Ingress', namespace: ing.namespace, name: ing.name, field, subject: ic.subject };
  const target = resolveBackend(ctx, ic, p.backend, `${field}.backend`, provenance, lg?.scheme, lg?.passHostHeader, undefined, lg);
  let priority: bigint;
  const explicit = lg?.priority ?? ann.priority;
  if (explicit !== undefined && explicit !== 0n) {
    priority = explicit;
    if (priority > MAX_PRIORITY) throw new PathError(`priority ${priority} is above the maximum ${MAX_PRIORITY}`, annotationField(ann.keys.priority ?? 'router.priority'));
  } else priority = BigInt(defaultPriority(rule, 'http'));
  let middlewares = [...(lg?.middlewares ?? []), ...ic.middlewares];
  if (target.middlewares && !weighted) {
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
  // 1.7 Service annotations (legacy mode): 1.7's global default backend read them too.
  const lg = ic.legacy ? legacyServiceForDefaultBackend(ctx, ing, field) : undefined;
  const target = resolveBackend(ctx, ic, ing.spec.defaultBackend!, field, provenance, undefined, undefined, 'default-backend', lg);
  let middlewares = [...(lg?.middlewares ?? []), ...ic.middlewares];
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
  legacyLb?: Pick<LegacyPathResult, 'sticky' | 'responseForwarding'>,
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
    // The v3 service.sticky annotations win over the 1.7 stickiness (ingress-legacy-service.ts).
    ...(sa.sticky?.cookie ? { sticky: sa.sticky } : legacyLb?.sticky ? { sticky: legacyLb.sticky } : {}),
    ...(legacyLb?.responseForwarding ? { responseForwarding: legacyLb.responseForwarding } : {}),
  };
  const svcName = normalize(`${ing.namespace}-${sb.name}-${port}`);
  let mws: ResolvedMiddleware[] | undefined;
  if (sa.middlewares?.length && ctx.io.crossProviderNamespaces && !ctx.io.crossProviderNamespaces.includes(svc.namespace)) {
    ctx.diags.warn(svcSubject, annotationField(sa.keys.middlewares!), `namespace ${svc.namespace} is not in crossProviderNamespaces, but Traefik v3.7 does not apply that option to service.middlewares: they are used, as in Traefik`);
  }
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
    const withSticky = withServerSticky(ctx.clusters, t, lb, ing.namespace, provenance, lbNameOverride ?? svcName, INGRESS_PROVIDER_SUFFIX);
    return { ...withSticky, ...(mws ? { middlewares: mws } : {}) };
  } catch (e) {
    if (e instanceof ServiceError) throw new PathError(e.message, e.field === 'port' ? `${field}.service.port` : `${field}.service`);
    throw e;
  }
}
