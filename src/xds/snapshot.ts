// A snapshot: every resource of a fleet, each encoded once and versioned by a hash of its content.
// Building a snapshot reuses the bytes of unchanged resources from the previous one, so the work done per
// change scales with what changed, not with the size of the configuration.
import { hash } from 'node:crypto';
import { encodeResource } from '../envoy/json';
import { lookupType } from '../envoy/proto';
import { typeInfo } from '../envoy/schema';
import { validateResourceMessage } from '../envoy/validate';
import { checkConsistency, checkConsistencyWith, referencesIn, referencesOf, type ConsistencyOptions, type FoundReference } from '../envoy/consistency';
import { RESOURCE_TYPE_NAMES, resourceName, type EnvoyResources, type ResourceKind } from '../envoy/resources';
import { encodeAny } from './wire';
import { jsonArrayItems } from './json-array-items';
import { ReplacedMap } from './replaced-map';
import { cachedValidated, noteSnapshotSize, rememberValidated, weightOf } from './validated-cache';

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
  /** The names this resource uses (consistency checks), computed once per version. */
  refs?: FoundReference[];
  /**
   * RouteConfigurations: each virtual host's encoding by the hash of its JSON text, so the next version
   * validates and encodes only the virtual hosts that changed (one IngressRoute is one or two of thousands).
   */
  parts?: Map<string, Part>;
}

/** One virtual host of a RouteConfiguration: its encoding and the names it uses (paths relative to it). */
interface Part {
  bytes: Uint8Array;
  refs: FoundReference[];
}

export interface TypeSnapshot {
  kind: ResourceKind;
  typeUrl: string;
  /** By name, sorted by name. */
  resources: ReadonlyMap<string, EncodedResource>;
  /** The sum of its resources' versions (typeVersion). */
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

/**
 * Every EncodedResource is made here, with every field (undefined when absent), so that all have one hidden
 * class: V8 drops a class no live object has at a full collection, and with the code that had seen it.
 */
function encodedResource(name: string, version: string, any: Uint8Array, json: object, bytes: number, refs?: FoundReference[], parts?: Map<string, Part>): EncodedResource {
  return { name, version, any, json, bytes, refs, parts };
}

export function hash16(s: string | Uint8Array): string {
  // One-shot: creating a Hash object cost more than hashing a small resource's text.
  return hash('sha256', s, 'hex').slice(0, 16);
}

const TWO_32 = 2 ** 32;

/**
 * A type's version: the sum, modulo 2^64, of its resources' versions (each the first 64 bits of the SHA-256 of
 * its content), as 16 hex digits. A resource's name is part of its content, so the sum changes whenever a
 * resource is added, removed or changed; and replacing resources updates it by their old and new versions
 * alone (replaceResources), where hashing every (name, version) again cost as much as the rest of an endpoint
 * change at 10,000 routes.
 */
export function typeVersion(entries: Iterable<EncodedResource>): string {
  let hi = 0;
  let lo = 0;
  for (const r of entries) {
    hi += parseInt(r.version.slice(0, 8), 16);
    lo += parseInt(r.version.slice(8, 16), 16);
  }
  return sumText(hi, lo);
}

/** `version` (a typeVersion) with `added` versions added and `removed` ones taken away. */
function typeVersionChanged(version: string, added: readonly string[], removed: readonly string[]): string {
  let hi = parseInt(version.slice(0, 8), 16);
  let lo = parseInt(version.slice(8, 16), 16);
  for (const v of added) {
    hi += parseInt(v.slice(0, 8), 16);
    lo += parseInt(v.slice(8, 16), 16);
  }
  for (const v of removed) {
    hi -= parseInt(v.slice(0, 8), 16);
    lo -= parseInt(v.slice(8, 16), 16);
  }
  return sumText(hi, lo);
}

/** hi·2^32 + lo modulo 2^64 as 16 hex digits (both halves exact: far below 2^53 for any real count of resources). */
function sumText(hi: number, lo: number): string {
  const carry = Math.floor(lo / TWO_32);
  lo -= carry * TWO_32;
  hi = (((hi + carry) % TWO_32) + TWO_32) % TWO_32;
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
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
      map.set(name, encodedResource(name, version, encodeAny(TYPE_URLS[kind], value), res, text.length));
    }
    types[kind] = { kind, typeUrl: TYPE_URLS[kind], resources: map, version: typeVersion(map.values()) };
  }
  const version = hash16(PUSH_ORDER.map((k) => types[k].version).join(','));
  return { version, types, encodedCount, encodedBytes };
}

/** A problem that keeps a snapshot from being published (the same form as pipeline.ts's checkEnvoyResources). */
export interface SnapshotProblem {
  resource: string;
  path?: string;
  message: string;
}

const CHECK_ORDER: ResourceKind[] = ['listeners', 'routes', 'clusters', 'endpoints', 'secrets'];

/**
 * Validates and encodes in one pass: what checkEnvoyResources (pipeline.ts) and buildSnapshot do together,
 * with the same problems, for a fraction of the work on a rebuild. A resource whose content hash equals the
 * version already published under its name in `previous` passed the same validation when it was published:
 * it is neither validated nor encoded again, and its references are known; likewise for content validated
 * before anywhere in the process (validated-cache.ts: same type and content hash). The others are read from JSON
 * once, checked (protos and protoc-gen-validate rules), and the message read is what gets encoded.
 * Consistency is checked over the whole set. No snapshot when there is any problem.
 */
export function buildValidatedSnapshot(
  r: EnvoyResources,
  previous?: Snapshot,
  opts: ConsistencyOptions = {},
): { snapshot?: Snapshot; problems: SnapshotProblem[] } {
  const problems: SnapshotProblem[] = [];
  // Each resource's entry by type and position in `r` (none when invalid): no lookups by object.
  const entries = {} as Record<ResourceKind, (EncodedResource | undefined)[]>;
  let encodedCount = 0;
  let encodedBytes = 0;
  for (const kind of CHECK_ORDER) {
    const typeName = RESOURCE_TYPE_NAMES[kind];
    const prev = previous?.types[kind].resources;
    const list = r[kind] as object[];
    const found: (EncodedResource | undefined)[] = (entries[kind] = new Array(list.length));
    for (let i = 0; i < list.length; i++) {
      const res = list[i];
      const name = resourceName(kind, res);
      let text: string;
      let hostsAt: number | undefined;
      if (kind === 'routes') ({ text, hostsAt } = routeConfigurationJson(res));
      else text = JSON.stringify(res);
      const version = hash16(text);
      const old = prev?.get(name);
      if (old && old.version === version) {
        found[i] = old;
        continue;
      }
      // The same content validated before (by another fleet, an earlier snapshot or Controller): same bytes.
      const known = cachedValidated(kind, version);
      if (known) {
        found[i] = encodedResource(name, version, known.any, res, known.bytes, known.refs, known.parts);
        continue;
      }
      const hosts = hostsAt === undefined ? undefined : virtualHostTexts(text, hostsAt, (res as { virtual_hosts: unknown[] }).virtual_hosts.length);
      const split = hosts ? encodeByParts(res, hosts, old?.parts) : undefined;
      if (split) {
        encodedCount++;
        encodedBytes += split.encodedBytes;
        const any = encodeAny(TYPE_URLS[kind], split.value);
        found[i] = encodedResource(name, version, any, res, text.length, split.refs, split.parts);
        rememberValidated(kind, version, { any, bytes: text.length, refs: split.refs, parts: split.parts });
        continue;
      }
      const { errors, message } = validateResourceMessage(typeName, res);
      if (errors.length) {
        const label = `${kind}/${(res as { name?: string }).name ?? (res as { cluster_name?: string }).cluster_name ?? '?'}`;
        for (const e of errors) problems.push({ resource: label, path: e.path, message: e.message });
        continue;
      }
      const value = lookupType(typeName).encode(message!).finish();
      encodedCount++;
      encodedBytes += value.length;
      const any = encodeAny(TYPE_URLS[kind], value);
      const refs = referencesOf(kind, res);
      found[i] = encodedResource(name, version, any, res, text.length, refs);
      rememberValidated(kind, version, { any, bytes: text.length, refs, parts: undefined });
    }
  }
  // A module function bound to this build's entries: a closure made here would lose its optimised code at each
  // full collection (docs/performance.md, *What makes it fast*).
  const refs = cachedReferences.bind(entries);
  // The references of RouteConfigurations built by parts have paths relative to their virtual host: enough to
  // find that something is missing, and then the whole set is checked again the usual way for the messages.
  let inconsistent = checkConsistencyWith(r, refs, opts);
  if (inconsistent.length) inconsistent = checkConsistency(r, opts);
  for (const msg of inconsistent) problems.push({ resource: 'snapshot', message: msg });
  if (problems.length) return { problems };
  const types = {} as Record<ResourceKind, TypeSnapshot>;
  let total = 0;
  for (const kind of PUSH_ORDER) {
    // Every resource has its entry (no problems), which carries its name.
    const list = (entries[kind] as EncodedResource[]).sort(byEntryName);
    const map = new Map<string, EncodedResource>();
    for (const e of list) {
      map.set(e.name, e);
      total += weightOf(e);
    }
    types[kind] = { kind, typeUrl: TYPE_URLS[kind], resources: map, version: typeVersion(list) };
  }
  noteSnapshotSize(total);
  const version = hash16(PUSH_ORDER.map((k) => types[k].version).join(','));
  return { snapshot: { version, types, encodedCount, encodedBytes }, problems };
}

const ROUTE_CONFIGURATION = 'envoy.config.route.v3.RouteConfiguration';
const VIRTUAL_HOST = 'envoy.config.route.v3.VirtualHost';

/**
 * A valid RouteConfiguration validated and encoded virtual host by virtual host, reusing the ones of
 * `previous` (validated when they were published). The bytes are those of encodeResource: protobufjs writes
 * fields in number order and each item of a repeated message field as tag, length, bytes, so the encoding
 * of the RouteConfiguration without its virtual hosts, with theirs spliced in at field 2's place, is the
 * encoding of the whole. Undefined whenever the split does not apply or anything is invalid: the caller then
 * validates the whole resource, which reports the problems exactly as before.
 */
function encodeByParts(
  res: object,
  hostTexts: string[],
  previous?: Map<string, Part>,
): { value: Uint8Array; parts: Map<string, Part>; refs: FoundReference[]; encodedBytes: number } | undefined {
  const vhosts = (res as { virtual_hosts?: unknown }).virtual_hosts;
  if (!Array.isArray(vhosts) || vhosts.length < 2 || !vhosts.every(isJsonObject) || hostTexts.length !== vhosts.length) return undefined;
  const field = typeInfo(ROUTE_CONFIGURATION).byName.get('virtual_hosts');
  if (!field || field.rules || field.name !== 'virtual_hosts' || Object.keys(res).some((k) => k !== 'virtual_hosts' && typeInfo(ROUTE_CONFIGURATION).byName.get(k)?.id === field.id)) return undefined;
  const rest = validateResourceMessage(ROUTE_CONFIGURATION, { ...res, virtual_hosts: [] });
  if (rest.errors.length) return undefined;
  const restBytes = lookupType(ROUTE_CONFIGURATION).encode(rest.message!).finish();
  const parts = new Map<string, Part>();
  const items: Uint8Array[] = [];
  const refs = referencesOf('routes', { ...res, virtual_hosts: [] });
  let encodedBytes = restBytes.length;
  for (const [i, vh] of vhosts.entries()) {
    const key = hash16(hostTexts[i]);
    let part = parts.get(key) ?? previous?.get(key);
    if (!part) {
      const v = validateResourceMessage(VIRTUAL_HOST, vh);
      if (v.errors.length) return undefined;
      part = { bytes: lookupType(VIRTUAL_HOST).encode(v.message!).finish(), refs: referencesIn(VIRTUAL_HOST, vh) };
      encodedBytes += part.bytes.length;
    }
    parts.set(key, part);
    items.push(part.bytes);
    for (const ref of part.refs) refs.push(ref);
  }
  const at = fieldsBefore(restBytes, field.id);
  if (at === undefined) return undefined;
  const chunks: Uint8Array[] = [restBytes.subarray(0, at)];
  const tag = varint((field.id << 3) | 2);
  for (const b of items) chunks.push(tag, varint(b.length), b);
  chunks.push(restBytes.subarray(at));
  return { value: Buffer.concat(chunks), parts, refs, encodedBytes };
}

const isJsonObject = (v: unknown): v is object => v !== null && typeof v === 'object' && !Array.isArray(v);

const VIRTUAL_HOSTS_EMPTY = '"virtual_hosts":[]';
const VIRTUAL_HOSTS_KEY = '"virtual_hosts":';

/**
 * JSON.stringify(res) of a RouteConfiguration, and where its virtual hosts' array is in it (`hostsAt`, the
 * offset of its `[`) when they can be encoded one by one: encodeByParts keys its parts by their texts, which
 * are read from the text only then (virtualHostTexts), as most builds find the whole route configuration
 * validated before.
 */
function routeConfigurationJson(res: object): { text: string; hostsAt?: number } {
  const vhosts = (res as { virtual_hosts?: unknown }).virtual_hosts;
  if (!Array.isArray(vhosts) || vhosts.length < 2 || !vhosts.every(isJsonObject)) return { text: JSON.stringify(res) };
  const rest = JSON.stringify({ ...res, virtual_hosts: [] }); // the key keeps its place
  const at = rest.indexOf(VIRTUAL_HOSTS_EMPTY);
  // Unescaped quotes only occur around keys: a second occurrence would be a nested key of that name.
  if (at < 0 || rest.includes(VIRTUAL_HOSTS_EMPTY, at + 1)) return { text: JSON.stringify(res) };
  const hostsAt = at + VIRTUAL_HOSTS_KEY.length;
  return { text: `${rest.slice(0, hostsAt)}${JSON.stringify(vhosts)}${rest.slice(at + VIRTUAL_HOSTS_EMPTY.length)}`, hostsAt };
}

/** The virtual hosts' texts of a route configuration's text, or undefined when there are not `count` of them. */
function virtualHostTexts(text: string, hostsAt: number, count: number): string[] | undefined {
  const hosts = jsonArrayItems(text, hostsAt);
  return hosts?.length === count ? hosts : undefined;
}

/**
 * JSON.stringify(res) of a RouteConfiguration, with its virtual hosts' texts (undefined when they are not
 * encoded one by one); the text is JSON.stringify's in every case.
 */
export function routeConfigurationText(res: object): { text: string; hosts?: string[] } {
  const { text, hostsAt } = routeConfigurationJson(res);
  if (hostsAt === undefined) return { text };
  return { text, hosts: virtualHostTexts(text, hostsAt, (res as { virtual_hosts: unknown[] }).virtual_hosts.length) };
}

/** Offset of the first top-level field numbered above `id` in an encoded message (its length if none). */
function fieldsBefore(bytes: Uint8Array, id: number): number | undefined {
  let i = 0;
  const read = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (i >= bytes.length) return undefined;
      const b = bytes[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    return undefined;
  };
  while (i < bytes.length) {
    const start = i;
    const tag = read();
    if (tag === undefined) return undefined;
    if (Math.floor(tag / 8) > id) return start;
    switch (tag & 7) {
      case 0:
        if (read() === undefined) return undefined;
        break;
      case 1:
        i += 8;
        break;
      case 2: {
        const len = read();
        if (len === undefined) return undefined;
        i += len;
        break;
      }
      case 5:
        i += 4;
        break;
      default:
        return undefined;
    }
  }
  return i === bytes.length ? i : undefined;
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

/**
 * Replaces some resources of one type, sharing everything else with `base` (the EndpointSlice fast path:
 * an endpoint change re-encodes only the changed ClusterLoadAssignments, never listeners, routes or clusters).
 */
export function replaceResources(base: Snapshot, kind: ResourceKind, replaced: object[]): Snapshot {
  const typeName = RESOURCE_TYPE_NAMES[kind];
  const current = base.types[kind].resources;
  const changed = new Map<string, EncodedResource>();
  const addedVersions: string[] = [];
  const removedVersions: string[] = [];
  let encodedBytes = 0;
  for (const res of replaced) {
    const name = resourceName(kind, res);
    const text = JSON.stringify(res);
    const version = hash16(text);
    const old = changed.get(name) ?? current.get(name);
    if (old?.version === version) continue;
    const value = encodeResource(typeName, res);
    encodedBytes += value.length;
    if (old) removedVersions.push(old.version);
    addedVersions.push(version);
    changed.set(name, encodedResource(name, version, encodeAny(TYPE_URLS[kind], value), res, text.length));
  }
  if (changed.size === 0) return base;
  let resources: ReadonlyMap<string, EncodedResource>;
  if ([...changed.keys()].every((n) => current.has(n))) {
    // Names already there keep their place: the base map is shared, not copied.
    resources = ReplacedMap.withReplaced(current, changed);
  } else {
    const all = new Map(current);
    for (const [n, e] of changed) all.set(n, e);
    resources = new Map([...all.entries()].sort((a, b) => cmp(a[0], b[0])));
  }
  const version = typeVersionChanged(base.types[kind].version, addedVersions, removedVersions);
  const types = { ...base.types, [kind]: { kind, typeUrl: TYPE_URLS[kind], resources, version } };
  return { version: hash16(PUSH_ORDER.map((k) => types[k].version).join(',')), types, encodedCount: changed.size, encodedBytes };
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

/** A resource's references, cached on its entry (`this`: the entries by type and position). */
function cachedReferences(this: Record<ResourceKind, (EncodedResource | undefined)[]>, kind: ResourceKind, res: object, i: number): FoundReference[] {
  const e = this[kind][i];
  if (!e) return referencesOf(kind, res);
  return (e.refs ??= referencesOf(kind, res));
}

/** A module function, not a closure per call (docs/performance.md, *What makes it fast*: object shapes). */
function byEntryName(a: EncodedResource, b: EncodedResource): number {
  return cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
