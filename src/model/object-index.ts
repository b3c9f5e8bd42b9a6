// Loads raw objects into typed ones (schema-checked), applies the provider's filters and indexes them.
import { parseObject } from './crds';
import type {
  AnyTypedObject, ConfigMapObj, EndpointSliceObj, EndpointsObj, IngressRouteObj, IngressRouteTCPObj,
  IngressRouteUDPObj, IngressClassObj, IngressObj, MiddlewareObj, MiddlewareTCPObj, NodeObj, SecretObj, ServersTransportObj,
  ServersTransportTCPObj, ServiceObj, TLSOptionObj, TLSStoreObj, TraefikServiceObj,
} from './crds/types';
import { Diagnostics, type Diagnostic } from './diagnostics';
import { parseLabelSelector, type LabelSelector } from './labelselector';
import { makeID, normalize } from './naming';
import type { ProviderOptions } from './options';
import type { RawObject } from '../sources/types';

const TRAEFIK_GROUPS = new Set(['traefik.io', 'traefik.containo.us']);
const CLASSED_KINDS = new Set(['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP']);

type ByKey<T> = Map<string, T>;

export class ObjectIndex {
  ingressRoutes: ByKey<IngressRouteObj> = new Map();
  ingressRouteTCPs: ByKey<IngressRouteTCPObj> = new Map();
  ingressRouteUDPs: ByKey<IngressRouteUDPObj> = new Map();
  middlewares: ByKey<MiddlewareObj> = new Map();
  middlewareTCPs: ByKey<MiddlewareTCPObj> = new Map();
  traefikServices: ByKey<TraefikServiceObj> = new Map();
  serversTransports: ByKey<ServersTransportObj> = new Map();
  serversTransportTCPs: ByKey<ServersTransportTCPObj> = new Map();
  tlsOptions: ByKey<TLSOptionObj> = new Map();
  tlsStores: ByKey<TLSStoreObj> = new Map();
  services: ByKey<ServiceObj> = new Map();
  endpointSlices: ByKey<EndpointSliceObj> = new Map();
  endpoints: ByKey<EndpointsObj> = new Map();
  secrets: ByKey<SecretObj> = new Map();
  configMaps: ByKey<ConfigMapObj> = new Map();
  nodes: ByKey<NodeObj> = new Map();
  /** Ingresses (networking.k8s.io/v1), unfiltered: the Ingress provider applies its own options (ingress-routers.ts). */
  ingresses: ByKey<IngressObj> = new Map();
  /** IngressClasses by name (cluster-scoped). */
  ingressClasses: ByKey<IngressClassObj> = new Map();
  /** EndpointSlices by owning Service `ns/name` (label kubernetes.io/service-name). */
  slicesByService: Map<string, EndpointSliceObj[]> = new Map();

  static key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  /** Sorted values of one collection, so every walk over the index is deterministic. */
  static sorted<T>(m: ByKey<T>): T[] {
    // The default sort orders strings by code units, as `<` does, without a comparator call per comparison.
    const keys = [...m.keys()].sort();
    const out: T[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = m.get(keys[i])!;
    return out;
  }

  /** Raw objects that passed their schema (the serve loop remembers them as "last valid versions"). */
  accepted = new Set<RawObject>();

  /** `Kind/ns/name` of objects dropped for schema errors, so references to them say "invalid", not "missing". */
  rejected = new Set<string>();

  /** Whether a namespace is watched (lookups outside fail as in Traefik: "not within watched namespaces"). */
  watches: (namespace: string) => boolean = always;

  /**
   * Whether Services, EndpointSlices, Secrets, ... of a namespace are kept: `watches`, plus the namespaces of
   * the Ingress provider, which reads them too (its lookups use an index view: `withWatches`).
   */
  keeps: (namespace: string) => boolean = always;
}

/**
 * The default namespace check and label selector: every namespace, every object. One module function rather
 * than a closure per index, so that the code calling it for every object sees the same function every build.
 */
function always(): boolean {
  return true;
}

/**
 * The objects of a collection by Traefik's id (`Normalize(namespace-name)`, what `ns-name@kubernetescrd`
 * references name), each list in key order as ObjectIndex.sorted gives them. Made once per collection: a lookup
 * by id used to sort and scan the whole collection, once per reference (quadratic in an Ingress-heavy cluster).
 */
export function byTraefikId<T extends { namespace: string; name: string }>(coll: ByKey<T>): ReadonlyMap<string, readonly T[]> {
  // The answer depends on the whole collection: reading its size marks a run recorded by the IngressRoute memo
  // as such (a logged view's walks and size do; ingressroute-memo.ts), on every lookup, cached or not.
  void coll.size;
  let m = traefikIds.get(coll) as Map<string, T[]> | undefined;
  if (!m) {
    m = new Map();
    for (const o of ObjectIndex.sorted(coll)) {
      const id = normalize(makeID(o.namespace, o.name));
      const list = m.get(id);
      if (list) list.push(o);
      else m.set(id, [o]);
    }
    traefikIds.set(coll, m);
  }
  return m;
}

/** By collection object: collections are not changed once indexed (a change makes a new index). */
const traefikIds = new WeakMap<object, Map<string, unknown[]>>();

/**
 * The same index (same collections) with another namespace check for lookups. An ObjectIndex with its fields
 * replaced, so it has the real index's hidden class (an object made by Object.create had one of its own, made
 * anew after each full collection; see *Targets* in docs/performance.md).
 */
export function withWatches(index: ObjectIndex, watches: (namespace: string) => boolean): ObjectIndex {
  return Object.assign(new ObjectIndex(), index, { watches });
}

/** The collection of each kind (a table, not an object built per call: buildIndex asks for every object). */
const COLLECTIONS = {
  IngressRoute: 'ingressRoutes',
  IngressRouteTCP: 'ingressRouteTCPs',
  IngressRouteUDP: 'ingressRouteUDPs',
  Middleware: 'middlewares',
  MiddlewareTCP: 'middlewareTCPs',
  TraefikService: 'traefikServices',
  ServersTransport: 'serversTransports',
  ServersTransportTCP: 'serversTransportTCPs',
  TLSOption: 'tlsOptions',
  TLSStore: 'tlsStores',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Endpoints: 'endpoints',
  Secret: 'secrets',
  ConfigMap: 'configMaps',
  Node: 'nodes',
  Ingress: 'ingresses',
  IngressClass: 'ingressClasses',
} as const satisfies Record<AnyTypedObject['kind'], keyof ObjectIndex>;

function collectionOf(index: ObjectIndex, kind: AnyTypedObject['kind']): ByKey<AnyTypedObject> {
  return index[COLLECTIONS[kind]] as ByKey<AnyTypedObject>;
}

/** Traefik §2.1: the class of a resource and whether this provider processes it. */
export function ingressClassMatches(obj: AnyTypedObject, wanted: string): boolean {
  const spec = obj.spec as { ingressClassName?: string };
  const cls = spec?.ingressClassName || obj.annotations['kubernetes.io/ingress.class'] || '';
  return cls === wanted || (wanted === '' && cls === 'traefik');
}

/**
 * parseObject's result per raw object (by identity: sources hand over unchanged objects as the same object),
 * with the diagnostics it reported, replayed on every later build. A rebuild after a change then re-reads
 * only the objects that changed.
 */
const parsed = new WeakMap<RawObject, { obj: AnyTypedObject | undefined; diagnostics: Diagnostic[] }>();

export function parseObjectCached(raw: RawObject, diags: Diagnostics): AnyTypedObject | undefined {
  let hit = parsed.get(raw);
  if (!hit) {
    const d = new Diagnostics();
    hit = { obj: parseObject(raw, d), diagnostics: d.items };
    parsed.set(raw, hit);
  }
  diags.merge(hit.diagnostics);
  return hit.obj;
}

/**
 * `fallback` gives the last valid version of an object whose current version is invalid; it is used in its
 * place (with a warning) so that one bad edit never takes a working object away.
 */
export function buildIndex(
  objects: RawObject[],
  opts: ProviderOptions,
  diags: Diagnostics,
  fallback?: (raw: RawObject) => RawObject | undefined,
  /** providers.kubernetesIngress's namespaces (empty: all), when it is on: non-Traefik kinds are kept from them too. */
  ingressNamespaces?: string[],
): ObjectIndex {
  const index = new ObjectIndex();
  const nsFilter = opts.namespaces.length ? new Set(opts.namespaces) : undefined;
  if (nsFilter) index.watches = (ns) => nsFilter.has(ns);
  const keep = nsFilter && !(ingressNamespaces && ingressNamespaces.length === 0) ? new Set([...nsFilter, ...(ingressNamespaces ?? [])]) : undefined;
  if (keep) index.keeps = (ns) => keep.has(ns);
  let selector: LabelSelector = always;
  if (opts.labelSelector) {
    const parsed = parseLabelSelector(opts.labelSelector);
    if (typeof parsed === 'function') selector = parsed;
    else diags.error({ kind: 'StaticConfig' }, 'providers.kubernetesCRD.labelSelector', parsed.error);
  }
  for (const raw of objects) {
    let obj = parseObjectCached(raw, diags);
    if (!obj) {
      index.rejected.add(`${raw.kind}/${raw.metadata.namespace || 'default'}/${raw.metadata.name ?? ''}`);
      const prev = fallback?.(raw);
      if (!prev) continue;
      obj = parseObjectCached(prev, new Diagnostics());
      if (!obj) continue;
      diags.warn(subjectOf(obj), undefined, 'this version is invalid (see the errors above): the last valid version is still served');
    } else {
      index.accepted.add(raw);
    }
    if (obj.kind === 'Node') {
      if (opts.disableClusterScopeResources) continue;
    } else if (obj.kind === 'Ingress' || obj.kind === 'IngressClass') {
      // providers.kubernetesIngress has its own namespaces and label selector, applied by the Ingress builder.
    } else if (TRAEFIK_GROUPS.has(obj.group) ? nsFilter && !nsFilter.has(obj.namespace) : !index.keeps(obj.namespace)) {
      continue; // outside the watched namespaces: invisible, as to an informer
    }
    const traefik = TRAEFIK_GROUPS.has(obj.group);
    if (traefik && !selector(obj.labels)) continue;
    if (obj.kind === 'Secret' && obj.labels['owner'] === 'helm') continue; // Traefik's informer skips Helm release secrets
    if (CLASSED_KINDS.has(obj.kind) && !ingressClassMatches(obj, opts.ingressClass)) {
      diags.info(subjectOf(obj), undefined,
        `ignored: its ingress class does not match the provider's ingressClass "${opts.ingressClass}"`);
      continue;
    }
    const coll = collectionOf(index, obj.kind);
    const key = obj.kind === 'Node' || obj.kind === 'IngressClass' ? obj.name : ObjectIndex.key(obj.namespace, obj.name);
    const prev = coll.get(key);
    if (prev) {
      if (traefik && prev.group !== obj.group) {
        // Traefik v2.10+ reads both groups; the traefik.io object wins over the containo.us one.
        const [winner, loser] = prev.group === 'traefik.io' ? [prev, obj] : [obj, prev];
        diags.info(subjectOf(loser), undefined,
          `ignored: ${winner.kind} ${key} also exists in API group traefik.io, which takes precedence`);
        coll.set(key, winner);
        continue;
      }
      diags.warn(subjectOf(obj), undefined,
        `${obj.kind} ${key} is defined more than once${prev.raw.origin ? ` (also at ${prev.raw.origin.file}:${prev.raw.origin.line})` : ''}; the last definition is used`);
    }
    coll.set(key, obj);
  }
  for (const slice of ObjectIndex.sorted(index.endpointSlices)) {
    const svc = slice.labels['kubernetes.io/service-name'];
    if (!svc) continue;
    const k = ObjectIndex.key(slice.namespace, svc);
    const list = index.slicesByService.get(k) ?? [];
    list.push(slice);
    index.slicesByService.set(k, list);
  }
  return index;
}

export function subjectOf(obj: AnyTypedObject) {
  return { kind: obj.kind, namespace: obj.namespace, name: obj.name, locate: obj.raw.locate };
}
