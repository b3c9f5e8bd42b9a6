// A snapshot: every resource of a fleet, each encoded once and versioned by a hash of its content.
// Building a snapshot reuses the bytes of unchanged resources from the previous one, so the work done per
// change scales with what changed, not with the size of the configuration.
import { createHash } from 'node:crypto';
import { encodeResource } from '../envoy/json';
import { RESOURCE_TYPE_NAMES, resourceName, type EnvoyResources, type ResourceKind } from '../envoy/resources';
import { encodeAny } from './wire';

export const TYPE_URLS: Record<ResourceKind, string> = {
  listeners: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routes: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  clusters: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoints: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secrets: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
};

export const KIND_BY_TYPE_URL: Record<string, ResourceKind> = Object.fromEntries(
  Object.entries(TYPE_URLS).map(([k, v]) => [v, k as ResourceKind]),
) as Record<string, ResourceKind>;

/** Make-before-break push order on ADS: what a resource depends on goes first (secrets, clusters, endpoints, listeners, routes). */
export const PUSH_ORDER: ResourceKind[] = ['secrets', 'clusters', 'endpoints', 'listeners', 'routes'];

/** Types whose state-of-the-world responses must carry every subscribed resource (absence = deletion). */
export const FULL_STATE_KINDS = new Set<ResourceKind>(['listeners', 'clusters']);

export interface EncodedResource {
  name: string;
  /** Content hash (16 hex digits). */
  version: string;
  /** google.protobuf.Any bytes, shared by every stream that sends this version. */
  any: Uint8Array;
  /** The JSON form the bytes were encoded from (for dumps and diagnostics). */
  json: object;
  /** Length of the JSON text hashed, used only to size reports. */
  bytes: number;
}

export interface TypeSnapshot {
  kind: ResourceKind;
  typeUrl: string;
  resources: Map<string, EncodedResource>;
  /** Hash of (name, version) of every resource of the type. */
  version: string;
}

export interface Snapshot {
  /** Hash over every type's version. */
  version: string;
  types: Record<ResourceKind, TypeSnapshot>;
  /** How many resources were encoded to build this snapshot (the rest were reused). */
  encodedCount: number;
  encodedBytes: number;
}

export function hash16(s: string | Uint8Array): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

function versionOf(entries: Iterable<EncodedResource>): string {
  const h = createHash('sha256');
  for (const r of entries) h.update(r.name).update('\0').update(r.version).update('\n');
  return h.digest('hex').slice(0, 16);
}

/**
 * Encodes the resources, reusing every unchanged resource of `previous`. Throws when a resource cannot be
 * encoded (the caller validated it first, so this is a bug, and the previous snapshot keeps serving).
 */
export function buildSnapshot(r: EnvoyResources, previous?: Snapshot): Snapshot {
  let encodedCount = 0;
  let encodedBytes = 0;
  const types = {} as Record<ResourceKind, TypeSnapshot>;
  for (const kind of PUSH_ORDER) {
    const typeName = RESOURCE_TYPE_NAMES[kind];
    const prev = previous?.types[kind].resources;
    const map = new Map<string, EncodedResource>();
    const list = [...(r[kind] as object[])].sort((a, b) => cmp(resourceName(kind, a), resourceName(kind, b)));
    for (const res of list) {
      const name = resourceName(kind, res);
      const text = JSON.stringify(res);
      const version = hash16(text);
      const old = prev?.get(name);
      if (old && old.version === version) {
        map.set(name, old);
        continue;
      }
      const value = encodeResource(typeName, res);
      encodedCount++;
      encodedBytes += value.length;
      map.set(name, { name, version, any: encodeAny(TYPE_URLS[kind], value), json: res, bytes: text.length });
    }
    types[kind] = { kind, typeUrl: TYPE_URLS[kind], resources: map, version: versionOf(map.values()) };
  }
  const version = hash16(PUSH_ORDER.map((k) => types[k].version).join(','));
  return { version, types, encodedCount, encodedBytes };
}

/**
 * Replaces some resources of one type, sharing everything else with `base` (the EndpointSlice fast path:
 * an endpoint change re-encodes only the changed ClusterLoadAssignments, never listeners, routes or clusters).
 */
export function replaceResources(base: Snapshot, kind: ResourceKind, replaced: object[]): Snapshot {
  const typeName = RESOURCE_TYPE_NAMES[kind];
  const map = new Map(base.types[kind].resources);
  let encodedCount = 0;
  let encodedBytes = 0;
  for (const res of replaced) {
    const name = resourceName(kind, res);
    const text = JSON.stringify(res);
    const version = hash16(text);
    if (map.get(name)?.version === version) continue;
    const value = encodeResource(typeName, res);
    encodedCount++;
    encodedBytes += value.length;
    map.set(name, { name, version, any: encodeAny(TYPE_URLS[kind], value), json: res, bytes: text.length });
  }
  if (encodedCount === 0) return base;
  const sorted = new Map([...map.entries()].sort((a, b) => cmp(a[0], b[0])));
  const types = { ...base.types, [kind]: { kind, typeUrl: TYPE_URLS[kind], resources: sorted, version: versionOf(sorted.values()) } };
  const version = hash16(PUSH_ORDER.map((k) => types[k].version).join(','));
  return { version, types, encodedCount, encodedBytes };
}

/** Replaces the whole ClusterLoadAssignment set, reusing the encodings of the unchanged ones. */
export function withEndpoints(base: Snapshot, endpoints: EnvoyResources['endpoints']): Snapshot {
  const partial = buildSnapshot({ listeners: [], routes: [], clusters: [], secrets: [], endpoints }, base);
  const types = { ...base.types, endpoints: partial.types.endpoints };
  const version = hash16(PUSH_ORDER.map((k) => types[k].version).join(','));
  return { version, types, encodedCount: partial.encodedCount, encodedBytes: partial.encodedBytes };
}

export function snapshotResources(s: Snapshot): EnvoyResources {
  const out = { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] } as unknown as Record<ResourceKind, object[]>;
  for (const kind of PUSH_ORDER) out[kind] = [...s.types[kind].resources.values()].map((r) => r.json);
  return out as unknown as EnvoyResources;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
