// TraefikService → a resolved service tree (traefik-semantics.md §4.3, §5.6, §7.4, §11): weighted levels
// (nested to any depth, each with its own sticky cookie), mirroring, highestRandomWeight, with every
// reference resolved (namespaces, allowCrossNamespace, `name@kubernetescrd`) and reference cycles detected.
//
// Traefik builds every TraefikService in the provider and its handlers at runtime; any error in a
// TraefikService (a missing child, a forbidden namespace, a broken Kubernetes Service, a cycle) makes it
// unusable, and the routers that use it fail. Here each TraefikService is resolved once: a problem is an
// error on that object, and the routes that reference it are left out with an error that says why.
import { normalize } from './naming';
import { ObjectIndex, byTraefikId, subjectOf } from './object-index';
import { unavailableProvider } from './references';
import { CRD_PROVIDER_SUFFIX, stickyCookieOf, withServerSticky } from './sticky-cookies';
import type { LoadBalancerSpec, TraefikServiceObj } from './crds/types';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { MirrorChild, Provenance, ServiceNode, UpstreamCluster, WeightedChild, WeightedTarget } from './model';
import type { ModelOptions } from './options';

/** A problem that makes a TraefikService (or the route referencing one) unusable; `field` is where it is. */
export class TraefikServiceError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

/**
 * Resolves a Kubernetes Service reference the way a route's `services[]` entry is resolved (the caller's
 * Service path: port, scheme, servers, sticky, transports...). `parentNamespace` defaults the namespace.
 * Throws TraefikServiceError.
 */
export type UpstreamResolver = (
  ref: LoadBalancerSpec,
  parentNamespace: string,
  field: string,
  provenance: Provenance,
  subject: DiagnosticSubject,
) => Omit<WeightedTarget, 'weight'>;

export interface TraefikServiceContext {
  index: ObjectIndex;
  opts: ModelOptions;
  diags: Diagnostics;
  clusters: Map<string, UpstreamCluster>;
  resolveUpstream: UpstreamResolver;
}

type Resolved = { ok: true; node: ServiceNode } | { ok: false; cause: string };

/** Fields of a service reference Traefik ignores when its kind is TraefikService (only the name is kept). */
const IGNORED_ON_TRAEFIK_SERVICE_REF: (keyof LoadBalancerSpec)[] = [
  'port', 'scheme', 'sticky', 'strategy', 'passHostHeader', 'responseForwarding', 'serversTransport',
  'nativeLB', 'nodePortLB', 'healthCheck', 'passiveHealthCheck', 'middlewares',
];

export class TraefikServices {
  private readonly results = new Map<string, Resolved>();
  /** TraefikServices being resolved, outermost first (`ns/name`): a reference to one of them is a cycle. */
  private readonly stack: string[] = [];

  constructor(private readonly ctx: TraefikServiceContext) {}

  /** Resolves every TraefikService once, so that each one's problems are reported even when no route uses it. */
  resolveAll(): void {
    for (const ts of ObjectIndex.sorted(this.ctx.index.traefikServices)) this.resolve(ts);
  }

  /**
   * A `kind: TraefikService` reference written in an object of namespace `parentNs` (an IngressRoute route's
   * service, or a TraefikService child). Returns Traefik's name of the referenced service (what a WRR cookie
   * value hashes) and its tree. Throws TraefikServiceError when it cannot be used.
   */
  reference(parentNs: string, ref: LoadBalancerSpec, field: string, subject: DiagnosticSubject): { name: string; node: ServiceNode } {
    const ignored = IGNORED_ON_TRAEFIK_SERVICE_REF.filter((k) => ref[k] !== undefined);
    if (ignored.length) {
      this.ctx.diags.info(subject, `${field}.${ignored[0]}`,
        `ignored, as in Traefik: on a TraefikService reference only name, namespace and weight are used (${ignored.join(', ')} set)`);
    }
    const { ts, name } = this.find(parentNs, ref, field);
    const key = ObjectIndex.key(ts.namespace, ts.name);
    const at = this.stack.indexOf(key);
    if (at >= 0) {
      throw new TraefikServiceError(`reference cycle: ${[...this.stack.slice(at), key].join(' → ')}`, `${field}.name`);
    }
    const r = this.resolve(ts);
    if (!r.ok) throw new TraefikServiceError(`TraefikService ${key} cannot be used (${r.cause})`, `${field}.name`);
    return { name, node: r.node };
  }

  /** The TraefikService a reference names: `name` (namespace defaulted) or `name@kubernetescrd` (Traefik's id). */
  private find(parentNs: string, ref: LoadBalancerSpec, field: string): { ts: TraefikServiceObj; name: string } {
    const { index, opts } = this.ctx;
    const at = ref.name.lastIndexOf('@');
    if (at >= 0) {
      // §4.3: no namespace defaulting and no allowCrossNamespace check; the id is Normalize(namespace-name).
      const bare = ref.name.slice(0, at);
      const provider = ref.name.slice(at + 1);
      if (provider !== CRD_PROVIDER_SUFFIX.slice(1)) throw new TraefikServiceError(unavailableProvider({ provider, name: bare }), `${field}.name`);
      const id = normalize(ref.namespace ? `${ref.namespace}-${bare}` : bare);
      const found = byTraefikId(index.traefikServices).get(id) ?? [];
      if (found.length === 0) {
        throw new TraefikServiceError(`TraefikService "${ref.name}" (Traefik id ${id}${CRD_PROVIDER_SUFFIX}) does not exist: no TraefikService has that id (traefik-xds resolves name@kubernetescrd to TraefikServices only)`, `${field}.name`);
      }
      if (found.length > 1) {
        this.ctx.diags.warn(subjectOf(found[found.length - 1]), undefined,
          `TraefikServices ${found.map((t) => `${t.namespace}/${t.name}`).join(', ')} share the Traefik id ${id}${CRD_PROVIDER_SUFFIX}; Traefik keeps one of them (unspecified which), traefik-xds the last`);
      }
      return { ts: found[found.length - 1], name: id };
    }
    const namespace = ref.namespace || parentNs;
    if (namespace !== parentNs && !opts.provider.allowCrossNamespace) {
      throw new TraefikServiceError(`TraefikService ${namespace}/${ref.name} is in another namespace, which is not allowed (allowCrossNamespace is false)`, `${field}.namespace`);
    }
    if (!index.watches(namespace)) throw new TraefikServiceError(`namespace "${namespace}" is not within watched namespaces`, `${field}.namespace`);
    const ts = index.traefikServices.get(ObjectIndex.key(namespace, ref.name));
    if (!ts) {
      // Dropped for schema errors: say so, rather than "does not exist".
      const rejected = index.rejected.has(`TraefikService/${namespace}/${ref.name}`);
      throw new TraefikServiceError(`TraefikService ${namespace}/${ref.name} ${rejected ? 'is invalid (see its own errors)' : 'does not exist'}`, `${field}.name`);
    }
    return { ts, name: normalize(`${namespace}-${ref.name}`) };
  }

  private resolve(ts: TraefikServiceObj): Resolved {
    const key = ObjectIndex.key(ts.namespace, ts.name);
    const done = this.results.get(key);
    if (done) return done;
    this.stack.push(key);
    let r: Resolved;
    try {
      r = { ok: true, node: this.build(ts) };
    } catch (e) {
      if (!(e instanceof TraefikServiceError)) throw e;
      this.ctx.diags.error(subjectOf(ts), e.field, `${e.message}; the TraefikService cannot be used, and routes that reference it are left out`);
      // Report the innermost cause only, so that messages do not nest at every level.
      const inner = /^TraefikService \S+ cannot be used \((.*)\)$/s.exec(e.message);
      r = { ok: false, cause: inner ? inner[1] : e.message };
    } finally {
      this.stack.pop();
    }
    this.results.set(key, r);
    return r;
  }

  private build(ts: TraefikServiceObj): ServiceNode {
    const spec = ts.spec;
    const subject = subjectOf(ts);
    const name = normalize(`${ts.namespace}-${ts.name}`);
    const prov = (field: string): Provenance => ({ kind: ts.kind, namespace: ts.namespace, name: ts.name, field, subject });
    // The first type set wins, in Traefik's order (the schema warns when several are set).
    if (spec.weighted) {
      const children = this.children(ts, spec.weighted.services ?? [], 'spec.weighted.services');
      const cookie = spec.weighted.sticky?.cookie;
      return {
        type: 'weighted',
        name,
        kind: 'weighted',
        children,
        ...(cookie ? { sticky: stickyCookieOf(cookie, `${name}${CRD_PROVIDER_SUFFIX}`, prov('spec.weighted.sticky.cookie')) } : {}),
        provenance: prov('spec.weighted'),
      };
    }
    if (spec.mirroring) {
      const m = spec.mirroring;
      const main = this.child(ts, m, 'spec.mirroring');
      const mirrors: MirrorChild[] = [];
      (m.mirrors ?? []).forEach((mr, i) => {
        const field = `spec.mirroring.mirrors[${i}]`;
        const c = this.child(ts, mr, field);
        const percent = mr.percent ?? 0;
        // mirror.AddMirror: a runtime error that makes the mirroring service unusable.
        if (percent < 0 || percent > 100) throw new TraefikServiceError(`percent ${percent} is out of range: it must be between 0 and 100`, `${field}.percent`);
        mirrors.push({ percent, name: c.name, node: c.node, field });
      });
      return {
        type: 'mirroring',
        name,
        main: main.node,
        mirrors,
        mirrorBody: m.mirrorBody ?? true,
        maxBodySize: m.maxBodySize ?? -1,
        provenance: prov('spec.mirroring'),
      };
    }
    if (spec.highestRandomWeight) {
      const children = this.children(ts, spec.highestRandomWeight.services ?? [], 'spec.highestRandomWeight.services');
      return { type: 'weighted', name, kind: 'highestRandomWeight', children, provenance: prov('spec.highestRandomWeight') };
    }
    if (spec.failover) {
      // The children are checked first: their errors are Traefik's errors too.
      this.child(ts, spec.failover.service, 'spec.failover.service');
      this.child(ts, spec.failover.fallback, 'spec.failover.fallback');
      throw new TraefikServiceError(
        'failover is not translated: Envoy (as far as the bundled API reaches) cannot replay a request to another service when the main one answers one of errors.status (retries stay on the same cluster), and health-based fallback needs active health checks on the main service; serving the main service alone would drop the fallback silently',
        'spec.failover');
    }
    throw new TraefikServiceError('unspecified service type', 'spec');
  }

  private children(ts: TraefikServiceObj, refs: LoadBalancerSpec[], field: string): WeightedChild[] {
    const out: WeightedChild[] = [];
    refs.forEach((ref, i) => {
      // Every child is built, even one of weight 0: its errors make the service unusable in Traefik too.
      const c = this.child(ts, ref, `${field}[${i}]`);
      const weight = ref.weight ?? 1;
      if (weight > 0) out.push({ weight, name: c.name, node: c.node });
    });
    return out;
  }

  /** One child of a TraefikService: a Kubernetes Service (an upstream) or another TraefikService. */
  private child(ts: TraefikServiceObj, ref: LoadBalancerSpec, field: string): { name: string; node: ServiceNode } {
    const subject = subjectOf(ts);
    const kind = ref.kind ?? 'Service';
    if (kind === 'TraefikService') return this.reference(ts.namespace, ref, field, subject);
    if (kind !== 'Service') throw new TraefikServiceError(`unsupported service kind "${kind}"`, `${field}.kind`);
    if (ref.name.includes('@')) {
      const at = ref.name.indexOf('@');
      throw new TraefikServiceError(unavailableProvider({ provider: ref.name.slice(at + 1), name: ref.name.slice(0, at) }), `${field}.name`);
    }
    if (ref.middlewares?.length) {
      // Fail closed: the flattened tree has no place for them yet, and a service is never served without its middlewares.
      throw new TraefikServiceError('service-level middlewares on a Kubernetes Service inside a TraefikService are not translated by this version of traefik-xds', `${field}.middlewares`);
    }
    const provenance: Provenance = { kind: ts.kind, namespace: ts.namespace, name: ts.name, field, subject };
    const target = withServerSticky(this.ctx.clusters, this.ctx.resolveUpstream(ref, ts.namespace, field, provenance, subject), ref, ts.namespace, provenance);
    const namespace = ref.namespace || ts.namespace;
    return { name: normalize(`${namespace}-${ref.name}-${ref.port ?? ''}`), node: { type: 'upstream', target } };
  }
}

const registries = new WeakMap<object, TraefikServices>();

/**
 * The TraefikService registry of one model build, keyed by the build's cluster map (where the upstreams of
 * the TraefikServices must land): resolved once per build, whatever the number of routes using them.
 */
export function traefikServicesOf(ctx: TraefikServiceContext): TraefikServices {
  let r = registries.get(ctx.clusters);
  if (!r) {
    r = new TraefikServices(ctx);
    registries.set(ctx.clusters, r);
  }
  return r;
}
