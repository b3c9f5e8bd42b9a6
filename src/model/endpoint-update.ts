// The EndpointSlice fast path: when only EndpointSlices/Endpoints changed, update the previous index and
// the endpoints of the affected clusters, without re-reading any other object. Returns undefined whenever
// the change could affect more than endpoints (a new slice that fails its schema, a Service left with no
// server, which drops routes): the caller then rebuilds everything.
import { Diagnostics } from './diagnostics';
import { parseObject } from './crds';
import { ObjectIndex } from './object-index';
import { findServicePort, serviceEndpoints } from './services';
import type { EndpointSliceObj, EndpointsObj } from './crds/types';
import type { Model, UpstreamCluster } from './model';
import type { ModelOptions } from './options';
import type { RawObject } from '../sources/types';

export const ENDPOINT_KINDS = new Set(['EndpointSlice', 'Endpoints']);

export interface EndpointUpdate {
  index: ObjectIndex;
  model: Model;
  /** Envoy cluster names whose endpoints changed. */
  changed: string[];
}

function serviceKeyOf(obj: { kind: string; namespace?: string; name?: string; labels?: Record<string, string> }): string | undefined {
  if (obj.kind === 'Endpoints') return ObjectIndex.key(obj.namespace || 'default', obj.name ?? '');
  const svc = obj.labels?.['kubernetes.io/service-name'];
  return svc ? ObjectIndex.key(obj.namespace || 'default', svc) : undefined;
}

export function applyEndpointChanges(
  prev: ObjectIndex,
  model: Model,
  added: RawObject[],
  removed: RawObject[],
  opts: ModelOptions,
): EndpointUpdate | undefined {
  // The index is updated in place (the caller replaces its index with the one returned, the same object), with
  // an undo log for when the change turns out to need a full rebuild. Work is proportional to the change:
  // copying or sorting every slice and object of a 10,000-route index took most of the time budget.
  const index = prev;
  const undo: (() => void)[] = [];
  const put = <T>(coll: Map<string, T>, key: string, value: T | undefined) => {
    const had = coll.has(key);
    const old = coll.get(key);
    if (value === undefined) coll.delete(key);
    else coll.set(key, value);
    undo.push(() => (had ? coll.set(key, old as T) : coll.delete(key)));
  };
  const accept = (raw: RawObject, yes: boolean) => {
    const had = index.accepted.has(raw);
    if (yes) index.accepted.add(raw);
    else index.accepted.delete(raw);
    undo.push(() => (had ? index.accepted.add(raw) : index.accepted.delete(raw)));
  };
  const fail = (): undefined => {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]();
    return undefined;
  };
  const removedSet = new Set(removed);
  const affected = new Set<string>();
  /** Slices whose entry changed (key → new version, or undefined when gone). */
  const changedSlices = new Map<string, EndpointSliceObj | undefined>();
  for (const raw of removed) {
    const ns = raw.metadata.namespace || 'default';
    const key = ObjectIndex.key(ns, raw.metadata.name ?? '');
    const coll = (raw.kind === 'Endpoints' ? index.endpoints : index.endpointSlices) as Map<string, EndpointSliceObj | EndpointsObj>;
    const old = coll.get(key);
    if (!old || old.raw !== raw) continue; // it was not the version in use
    put(coll, key, undefined);
    if (raw.kind !== 'Endpoints') changedSlices.set(key, undefined);
    accept(raw, false);
    const sk = serviceKeyOf({ kind: raw.kind, namespace: ns, name: raw.metadata.name, labels: old.labels });
    if (sk) affected.add(sk);
  }
  for (const raw of added) {
    const d = new Diagnostics();
    const obj = parseObject(raw, d) as EndpointSliceObj | EndpointsObj | undefined;
    if (!obj || d.items.some((x) => x.severity !== 'info')) return fail(); // diagnostics to report: full rebuild
    if (!index.keeps(obj.namespace)) continue;
    const coll = (obj.kind === 'Endpoints' ? index.endpoints : index.endpointSlices) as Map<string, EndpointSliceObj | EndpointsObj>;
    const key = ObjectIndex.key(obj.namespace, obj.name);
    if (coll.has(key) && !removedSet.has(coll.get(key)!.raw)) return fail(); // a duplicate definition: full rebuild reports it
    put(coll, key, obj);
    if (obj.kind === 'EndpointSlice') changedSlices.set(key, obj);
    accept(raw, true);
    const sk = serviceKeyOf(obj);
    if (sk) affected.add(sk);
  }
  // Slices of the affected services, in the same (key) order a full build uses: the unchanged ones of the
  // previous list, plus the changed ones that (still) belong to the service.
  for (const sk of affected) {
    const list = (index.slicesByService.get(sk) ?? []).filter((sl) => !changedSlices.has(ObjectIndex.key(sl.namespace, sl.name)));
    for (const sl of changedSlices.values()) if (sl && serviceKeyOf(sl) === sk) list.push(sl);
    const keyOf = (sl: EndpointSliceObj) => ObjectIndex.key(sl.namespace, sl.name);
    list.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    put(index.slicesByService, sk, list.length ? list : undefined);
  }
  // The clusters map is updated in place too (same undo log): the model returned replaces the caller's.
  const clusters = model.clusters;
  const changed: string[] = [];
  const byService = clustersByService(model);
  for (const sk of affected) {
    for (const name of byService.get(sk) ?? []) {
      const c = clusters.get(name)!;
      if (c.origin !== 'endpoints') continue;
      const svc = index.services.get(ObjectIndex.key(c.service.namespace, c.service.name));
      if (!svc) return fail();
      const endpoints = serviceEndpoints(index, svc, findServicePort(svc, c.service.port));
      if (endpoints.length === 0 && !opts.provider.allowEmptyServices) return fail(); // routes would be dropped
      if (JSON.stringify(endpoints) === JSON.stringify(c.endpoints)) continue;
      const next: UpstreamCluster = { ...c, endpoints };
      put(clusters, name, next);
      changed.push(name);
    }
  }
  changed.sort();
  return { index, model: { ...model, clusters }, changed };
}

/**
 * Cluster names by Service (`ns/name`), in the clusters map's order. Kept per router list: the fast path
 * changes endpoints, never which clusters exist, and a full rebuild makes new routers.
 */
const byServiceCache = new WeakMap<object, Map<string, string[]>>();

function clustersByService(model: Model): Map<string, string[]> {
  let m = byServiceCache.get(model.httpRouters);
  if (m) return m;
  m = new Map();
  for (const [name, c] of model.clusters) {
    const sk = ObjectIndex.key(c.service.namespace, c.service.name);
    const list = m.get(sk);
    if (list) list.push(name);
    else m.set(sk, [name]);
  }
  byServiceCache.set(model.httpRouters, m);
  return m;
}
