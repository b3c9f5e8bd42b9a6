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
  const index = Object.assign(new ObjectIndex(), prev);
  index.endpointSlices = new Map(prev.endpointSlices);
  index.endpoints = new Map(prev.endpoints);
  index.slicesByService = new Map(prev.slicesByService);
  index.accepted = new Set(prev.accepted);
  const affected = new Set<string>();
  for (const raw of removed) {
    const ns = raw.metadata.namespace || 'default';
    const key = ObjectIndex.key(ns, raw.metadata.name ?? '');
    const coll = raw.kind === 'Endpoints' ? index.endpoints : index.endpointSlices;
    const old = coll.get(key);
    if (!old || old.raw !== raw) continue; // it was not the version in use
    coll.delete(key);
    index.accepted.delete(raw);
    const sk = serviceKeyOf({ kind: raw.kind, namespace: ns, name: raw.metadata.name, labels: old.labels });
    if (sk) affected.add(sk);
  }
  for (const raw of added) {
    const d = new Diagnostics();
    const obj = parseObject(raw, d) as EndpointSliceObj | EndpointsObj | undefined;
    if (!obj || d.items.some((x) => x.severity !== 'info')) return undefined; // diagnostics to report: full rebuild
    if (!index.watches(obj.namespace)) continue;
    const coll = (obj.kind === 'Endpoints' ? index.endpoints : index.endpointSlices) as Map<string, EndpointSliceObj | EndpointsObj>;
    const key = ObjectIndex.key(obj.namespace, obj.name);
    if (coll.has(key) && !removed.includes(coll.get(key)!.raw)) return undefined; // a duplicate definition: full rebuild reports it
    coll.set(key, obj);
    index.accepted.add(raw);
    const sk = serviceKeyOf(obj);
    if (sk) affected.add(sk);
  }
  // Slices of the affected services, in the same (sorted) order a full build uses.
  for (const sk of affected) index.slicesByService.delete(sk);
  for (const slice of ObjectIndex.sorted(index.endpointSlices)) {
    const sk = serviceKeyOf(slice);
    if (!sk || !affected.has(sk)) continue;
    const list = index.slicesByService.get(sk) ?? [];
    list.push(slice);
    index.slicesByService.set(sk, list);
  }
  const clusters = new Map(model.clusters);
  const changed: string[] = [];
  for (const [name, c] of model.clusters) {
    if (c.origin !== 'endpoints' || !affected.has(ObjectIndex.key(c.service.namespace, c.service.name))) continue;
    const svc = index.services.get(ObjectIndex.key(c.service.namespace, c.service.name));
    if (!svc) return undefined;
    const endpoints = serviceEndpoints(index, svc, findServicePort(svc, c.service.port));
    if (endpoints.length === 0 && !opts.provider.allowEmptyServices) return undefined; // routes would be dropped
    if (JSON.stringify(endpoints) === JSON.stringify(c.endpoints)) continue;
    const next: UpstreamCluster = { ...c, endpoints };
    clusters.set(name, next);
    changed.push(name);
  }
  return { index, model: { ...model, clusters }, changed };
}
