// A reusable ADS client (used by `traefik-xds dump`, tests and benchmarks). It subscribes like an Envoy:
// wildcard CDS and LDS, then the route configurations its listeners name, the ClusterLoadAssignments of its
// EDS clusters and the secrets both reference — over one aggregated stream, state of the world or delta. It
// ACKs every response it can decode (and NACKs one it cannot), keeps what it received in Envoy's JSON form
// (the form `translate` prints), and reports each change as an update. Every wait it offers is bounded.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { decodeResource, encodeResource, type JsonObject } from '../envoy/json';
import { lookupType, XDS_RESOURCE_TYPES, type XdsShortName } from '../envoy/proto';
import { emptyResources, resourceName, type EnvoyResources, type ResourceKind } from '../envoy/resources';
import { canonicalResources } from '../envoy/canonical';

export type XdsType = XdsShortName;

/** Every type, in the order of the documents `dump` prints. */
export const XDS_TYPES: readonly XdsType[] = ['lds', 'rds', 'cds', 'eds', 'sds'];

export const KIND_OF_TYPE: Readonly<Record<XdsType, ResourceKind>> = {
  lds: 'listeners',
  rds: 'routes',
  cds: 'clusters',
  eds: 'endpoints',
  sds: 'secrets',
};

const ADS_SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';
const SOTW_REQ = 'envoy.service.discovery.v3.DiscoveryRequest';
const SOTW_RESP = 'envoy.service.discovery.v3.DiscoveryResponse';
const DELTA_REQ = 'envoy.service.discovery.v3.DeltaDiscoveryRequest';
const DELTA_RESP = 'envoy.service.discovery.v3.DeltaDiscoveryResponse';
const RESOURCE_WRAPPER_URL = 'type.googleapis.com/envoy.service.discovery.v3.Resource';
const HCM_URL = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
/** google.rpc.Code INVALID_ARGUMENT, what Envoy puts in a NACK's error_detail. */
const INVALID_ARGUMENT = 3;

export interface AdsNode {
  id: string;
  cluster: string;
  /** node.metadata (a google.protobuf.Struct in JSON form). Fleets match on it. */
  metadata?: Record<string, unknown>;
  /** Default "envoy": the server picks the Envoy profile. A gRPC library name ("gRPC Go") gets the grpc profile. */
  userAgentName?: string;
  userAgentVersion?: string;
}

export interface AdsClientOptions {
  /** `host:port` (IPv6 as `[::1]:18000`) or any grpc-js target. */
  server: string;
  node: AdsNode;
  /** Incremental xDS (DeltaAggregatedResources) instead of state of the world (StreamAggregatedResources). */
  delta?: boolean;
  /** The types to collect (default all). The types needed to find their names are subscribed too: LDS for RDS, CDS for EDS, both for SDS. */
  types?: readonly XdsType[];
  /** Default: plaintext. */
  credentials?: grpc.ChannelCredentials;
  /** Largest response accepted (default 64 MiB). */
  maxReceiveBytes?: number;
  channelOptions?: grpc.ChannelOptions;
}

/** What one response (or a subscription change) did to the client's state of one type. */
export interface AdsUpdate {
  type: XdsType;
  /** version_info (state of the world) or system_version_info (delta) of the last accepted response. */
  version: string;
  nonce: string;
  /** Names added or whose content changed, sorted. */
  changed: string[];
  /** Names removed by the server, or dropped because nothing references them any more, sorted. */
  removed: string[];
  /** The resources named in `changed`, in the same order, in Envoy's JSON form. */
  resources: JsonObject[];
}

export interface AdsResponseInfo {
  type: XdsType;
  version: string;
  nonce: string;
  resources: number;
  removed: number;
  /** false: NACKed, with `error`. */
  accepted: boolean;
  error?: string;
}

export class AdsStreamError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
    this.name = 'AdsStreamError';
  }
}

export interface AdsClientEvents {
  /** A response or subscription change altered a type (also sent for the first response of each type, even when empty). */
  update: [AdsUpdate];
  /** Every response, after it was ACKed or NACKed. */
  response: [AdsResponseInfo];
  /** Every request written, in Envoy's JSON form of (Delta)DiscoveryRequest. */
  request: [JsonObject];
  /** The first time every wanted type has been received (see pending()). */
  complete: [];
  /** The stream failed or was ended by the server. Emitted only when someone listens; see `failure`. */
  error: [AdsStreamError];
  /** close() was called or the stream failed. */
  close: [];
}

interface StoredResource {
  json: JsonObject;
  text: string;
}

interface TypeState {
  type: XdsType;
  kind: ResourceKind;
  typeName: string;
  typeUrl: string;
  /** LDS and CDS: everything the server has. */
  wildcard: boolean;
  /** The subscription of the other types. */
  names: Set<string>;
  /** The first request of the type has been written. */
  requested: boolean;
  /** At least one response was accepted. */
  received: boolean;
  resources: Map<string, StoredResource>;
  /** Delta: subscribed names the server said it does not have. */
  absent: Set<string>;
  version: string;
  nonce: string;
  /** The message of the last NACK, cleared by the next accepted response. */
  rejected?: string;
}

type Decoded = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (xs: Iterable<string>): string[] => [...xs].sort(compare);
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A config source this stream serves: ADS, or `self` (the server that sent the referencing resource). */
function onThisStream(source: unknown): boolean {
  return isObject(source) && (isObject(source.ads) || isObject(source.self));
}

function walk(v: unknown, visit: (o: JsonObject) => void): void {
  if (Array.isArray(v)) for (const x of v) walk(x, visit);
  else if (isObject(v)) {
    visit(v);
    for (const x of Object.values(v)) walk(x, visit);
  }
}

/** Route configuration names of the HttpConnectionManagers in listeners (filter chains, default chain, api_listener) fetched over ADS. */
export function routeNamesOf(listeners: readonly object[]): string[] {
  const out = new Set<string>();
  walk(listeners, (o) => {
    if (o['@type'] !== HCM_URL || !isObject(o.rds)) return;
    const name = o.rds.route_config_name;
    if (typeof name === 'string' && name && onThisStream(o.rds.config_source)) out.add(name);
  });
  return sorted(out);
}

/** ClusterLoadAssignment names of EDS clusters fetched over ADS: eds_cluster_config.service_name, else the cluster name. */
export function endpointNamesOf(clusters: readonly object[]): string[] {
  const out = new Set<string>();
  for (const c of clusters as JsonObject[]) {
    if (c.type !== 'EDS') continue;
    const eds = isObject(c.eds_cluster_config) ? c.eds_cluster_config : {};
    if (!onThisStream(eds.eds_config)) continue;
    const name = typeof eds.service_name === 'string' && eds.service_name ? eds.service_name : c.name;
    if (typeof name === 'string' && name) out.add(name);
  }
  return sorted(out);
}

/** Secret names of SdsSecretConfigs (`*_sds_secret_config`, `*_sds_secret_configs`) fetched over ADS, anywhere in the resources. */
export function secretNamesOf(resources: readonly object[]): string[] {
  const out = new Set<string>();
  const add = (c: unknown) => {
    if (isObject(c) && typeof c.name === 'string' && c.name && onThisStream(c.sds_config)) out.add(c.name);
  };
  walk(resources, (o) => {
    for (const [k, v] of Object.entries(o)) {
      if (k.endsWith('sds_secret_config')) add(v);
      else if (k.endsWith('sds_secret_configs') && Array.isArray(v)) v.forEach(add);
    }
  });
  return sorted(out);
}

/** The types subscribed to collect `wanted`: dependencies (LDS for RDS, CDS for EDS, both for SDS) included. */
export function typesToSubscribe(wanted: readonly XdsType[]): Set<XdsType> {
  const w = new Set(wanted);
  const out = new Set<XdsType>(w);
  if (w.has('rds') || w.has('sds')) out.add('lds');
  if (w.has('eds') || w.has('sds')) out.add('cds');
  return out;
}

/**
 * An ADS stream that behaves like an Envoy. Call start(), then wait with waitForComplete() / nextUpdate()
 * (both bounded) or listen to the events; close() when done. A failed stream is not retried.
 */
export class AdsClient extends EventEmitter<AdsClientEvents> {
  readonly delta: boolean;
  /** The types the caller asked for (resources() returns these). */
  readonly wanted: readonly XdsType[];
  /** Set when the stream failed or the server ended it. */
  failure?: AdsStreamError;
  readonly stats = { requests: 0, responses: 0, acks: 0, nacks: 0 };

  private readonly types = new Map<XdsType, TypeState>();
  private client?: grpc.Client;
  private call?: grpc.ClientDuplexStream<Buffer, Buffer>;
  private nodeSent = false;
  private closed = false;
  private completeEmitted = false;
  /** Events of the response being handled, emitted once the state (references followed) is consistent. */
  private queued: (() => void)[] = [];
  /** Names each referencing type asks of a dependent type (SDS is asked by both LDS and CDS). */
  private readonly refs = { routes: [] as string[], endpoints: [] as string[], secretsOfListeners: [] as string[], secretsOfClusters: [] as string[] };

  constructor(private readonly opts: AdsClientOptions) {
    super();
    this.delta = !!opts.delta;
    this.wanted = XDS_TYPES.filter((t) => (opts.types ?? XDS_TYPES).includes(t));
    if (this.wanted.length === 0) throw new Error('AdsClient: no xDS type to subscribe to');
    for (const type of XDS_TYPES) {
      if (!typesToSubscribe(this.wanted).has(type)) continue;
      const t = XDS_RESOURCE_TYPES[type];
      this.types.set(type, {
        type, kind: KIND_OF_TYPE[type], typeName: t.typeName, typeUrl: t.typeUrl,
        wildcard: type === 'lds' || type === 'cds', names: new Set(), requested: false, received: false,
        resources: new Map(), absent: new Set(), version: '', nonce: '',
      });
    }
  }

  /** Opens the stream and sends the first requests (CDS, then LDS, as Envoy does). */
  start(): this {
    if (this.call || this.closed) return this;
    this.client = new grpc.Client(this.opts.server, this.opts.credentials ?? grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': this.opts.maxReceiveBytes ?? 64 * 1024 * 1024,
      ...this.opts.channelOptions,
    });
    const method = ADS_SERVICE + (this.delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources');
    const call = this.client.makeBidiStreamRequest(method, (b: Buffer) => b, (b: Buffer) => b);
    this.call = call;
    call.on('data', (buf: Buffer) => {
      try {
        this.onResponse(buf);
      } catch (e) {
        this.fail(new AdsStreamError(`cannot handle a response: ${(e as Error).message}`));
      }
    });
    call.on('error', (e: grpc.ServiceError) => {
      const name = grpc.status[e.code] ?? String(e.code);
      const details = (e.details || e.message).replace(/[.\s]*Resolution note:\s*$/, '');
      this.fail(new AdsStreamError(`stream failed: ${name}: ${details}`, e.code));
    });
    call.on('end', () => this.fail(new AdsStreamError('the server ended the stream')));
    for (const type of ['cds', 'lds'] as const) {
      const st = this.types.get(type);
      if (st) this.subscribeFirst(st);
    }
    this.checkComplete(); // e.g. nothing to wait for
    return this;
  }

  /** Cancels the stream and releases the channel. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.call?.removeAllListeners('data');
    this.call?.on('error', () => undefined); // the CANCELLED status that follows is ours
    this.call?.cancel();
    this.client?.close();
    this.emit('close');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True once every wanted type (and what it depends on) has been received: see pending(). */
  isComplete(): boolean {
    return this.pending().length === 0;
  }

  /**
   * What is still awaited, one line per type: a wildcard type's first response; for the others, every name
   * the received listeners and clusters reference (delta: or the server's word that it has no such resource).
   */
  pending(): string[] {
    const out: string[] = [];
    for (const st of this.types.values()) {
      const why = st.rejected ? ` (last response rejected: ${st.rejected})` : '';
      if (st.wildcard) {
        if (!st.received) out.push(`${st.type}: no ${st.kind} received yet${why}`);
        continue;
      }
      const missing = sorted([...st.names].filter((n) => !st.resources.has(n) && !st.absent.has(n)));
      if (missing.length) {
        const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, … (${missing.length} in all)` : '');
        out.push(`${st.type}: waiting for ${shown}${why}`);
      }
    }
    return out;
  }

  /** The collected resources of the wanted types (others empty), canonical and sorted by name, like `translate` prints them. */
  resources(): EnvoyResources {
    const r = emptyResources() as unknown as Record<ResourceKind, object[]>;
    for (const type of this.wanted) {
      const st = this.types.get(type)!;
      r[st.kind] = [...st.resources.values()].map((x) => x.json);
    }
    return canonicalResources(r as unknown as EnvoyResources);
  }

  /** Last accepted version per subscribed type ('' before the first response). */
  versions(): Partial<Record<XdsType, string>> {
    const out: Partial<Record<XdsType, string>> = {};
    for (const st of this.types.values()) out[st.type] = st.version;
    return out;
  }

  /** Names the client currently asks for, per subscribed type ('*' for wildcard). */
  subscriptions(): Partial<Record<XdsType, string[] | '*'>> {
    const out: Partial<Record<XdsType, string[] | '*'>> = {};
    for (const st of this.types.values()) out[st.type] = st.wildcard ? '*' : sorted(st.names);
    return out;
  }

  /** Resolves once complete; rejects when `timeoutMs` passes first (listing what is pending) or the stream fails. */
  waitForComplete(timeoutMs: number): Promise<void> {
    return this.waitFor(
      () => this.isComplete(),
      timeoutMs,
      () => `incomplete after ${formatSeconds(timeoutMs)}: ${this.pending().join('; ')}`,
    );
  }

  /** The next update (matching `filter`, if given) emitted after this call; rejects on timeout or stream failure. */
  nextUpdate(timeoutMs: number, filter: (u: AdsUpdate) => boolean = () => true): Promise<AdsUpdate> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        this.off('update', onUpdate);
        this.off('close', onClose);
      };
      const onUpdate = (u: AdsUpdate) => {
        if (!filter(u)) return;
        cleanup();
        resolve(u);
      };
      const onClose = () => {
        cleanup();
        reject(this.failure ?? new AdsStreamError('the client was closed'));
      };
      if (this.closed) return onClose();
      timer = setTimeout(() => {
        cleanup();
        reject(new AdsStreamError(`no matching update within ${formatSeconds(timeoutMs)}`));
      }, timeoutMs);
      this.on('update', onUpdate);
      this.on('close', onClose);
    });
  }

  private waitFor(done: () => boolean, timeoutMs: number, timeoutMessage: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      if (done()) return resolve();
      if (this.closed) return reject(new AdsStreamError('the client was closed'));
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        this.off('response', check);
        this.off('update', check);
        this.off('complete', check);
        this.off('close', onClose);
      };
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const onClose = () => {
        cleanup();
        reject(this.failure ?? new AdsStreamError('the client was closed'));
      };
      timer = setTimeout(() => {
        cleanup();
        reject(new AdsStreamError(timeoutMessage()));
      }, timeoutMs);
      this.on('response', check);
      this.on('update', check);
      this.on('complete', check);
      this.on('close', onClose);
    });
  }

  // ---------------------------------------------------------------- requests

  private write(req: JsonObject): void {
    if (this.closed || this.failure || !this.call) return;
    if (!this.nodeSent) {
      req = { node: this.nodeJson(), ...req };
      this.nodeSent = true;
    }
    this.call.write(Buffer.from(encodeResource(this.delta ? DELTA_REQ : SOTW_REQ, req)));
    this.stats.requests++;
    this.emit('request', req);
  }

  private nodeJson(): JsonObject {
    const n = this.opts.node;
    const node: JsonObject = { id: n.id, cluster: n.cluster };
    if (n.metadata && Object.keys(n.metadata).length) node.metadata = n.metadata;
    node.user_agent_name = n.userAgentName ?? 'envoy';
    if (n.userAgentVersion) node.user_agent_version = n.userAgentVersion;
    return node;
  }

  /** The first request of a type: legacy wildcard (no names) for LDS/CDS, the names for the others. */
  private subscribeFirst(st: TypeState): void {
    st.requested = true;
    const names = st.wildcard ? [] : sorted(st.names);
    if (this.delta) this.write({ type_url: st.typeUrl, resource_names_subscribe: names });
    else this.write({ type_url: st.typeUrl, resource_names: names });
  }

  /** SotW: ACK (or NACK with `error`) — always with the current subscription, so an ACK also carries changes. */
  private sotwReply(st: TypeState, version: string, nonce: string, error?: string): void {
    const req: JsonObject = { version_info: version, resource_names: st.wildcard ? [] : sorted(st.names), type_url: st.typeUrl, response_nonce: nonce };
    if (error) req.error_detail = { code: INVALID_ARGUMENT, message: error };
    this.write(req);
  }

  private deltaReply(st: TypeState, nonce: string, error?: string): void {
    const req: JsonObject = { type_url: st.typeUrl, response_nonce: nonce };
    if (error) req.error_detail = { code: INVALID_ARGUMENT, message: error };
    this.write(req);
  }

  /** Changes the subscription of a non-wildcard type; drops what is no longer asked for. */
  private resubscribe(st: TypeState, names: readonly string[]): void {
    const next = new Set(names);
    const added = sorted([...next].filter((n) => !st.names.has(n)));
    const dropped = sorted([...st.names].filter((n) => !next.has(n)));
    if (!added.length && !dropped.length) return;
    st.names = next;
    for (const n of added) st.absent.delete(n);
    const removed: string[] = [];
    for (const n of dropped) {
      st.absent.delete(n);
      if (st.resources.delete(n)) removed.push(n);
    }
    if (!st.requested) {
      if (next.size) this.subscribeFirst(st);
    } else if (this.delta) {
      const req: JsonObject = { type_url: st.typeUrl };
      if (added.length) req.resource_names_subscribe = added;
      if (dropped.length) req.resource_names_unsubscribe = dropped;
      this.write(req);
    } else {
      this.sotwReply(st, st.version, st.nonce);
    }
    if (removed.length) this.later(() => this.emit('update', { type: st.type, version: st.version, nonce: st.nonce, changed: [], removed, resources: [] }));
  }

  /** After LDS or CDS changed: the names of RDS, EDS and SDS follow what they reference. */
  private followReferences(changedType: XdsType): void {
    const lds = this.types.get('lds');
    const cds = this.types.get('cds');
    if (changedType === 'lds' && lds) {
      const listeners = [...lds.resources.values()].map((r) => r.json);
      this.refs.routes = routeNamesOf(listeners);
      this.refs.secretsOfListeners = secretNamesOf(listeners);
    }
    if (changedType === 'cds' && cds) {
      const clusters = [...cds.resources.values()].map((r) => r.json);
      this.refs.endpoints = endpointNamesOf(clusters);
      this.refs.secretsOfClusters = secretNamesOf(clusters);
    }
    // Envoy order: what clusters need before what listeners need.
    const eds = this.types.get('eds');
    const sds = this.types.get('sds');
    const rds = this.types.get('rds');
    if (sds) this.resubscribe(sds, [...new Set([...this.refs.secretsOfClusters, ...this.refs.secretsOfListeners])]);
    if (eds) this.resubscribe(eds, this.refs.endpoints);
    if (rds) this.resubscribe(rds, this.refs.routes);
  }

  // ---------------------------------------------------------------- responses

  private onResponse(buf: Buffer): void {
    if (this.closed) return;
    this.stats.responses++;
    const msg = lookupType(this.delta ? DELTA_RESP : SOTW_RESP).decode(buf) as unknown as Decoded;
    const typeUrl = String(msg.type_url ?? '');
    const st = [...this.types.values()].find((s) => s.typeUrl === typeUrl);
    if (!st) return; // a type we did not ask for: ignored, as Envoy does
    try {
      if (this.delta) this.onDeltaResponse(st, msg);
      else this.onSotwResponse(st, msg);
    } finally {
      this.flush();
    }
    this.checkComplete();
  }

  private later(f: () => void): void {
    this.queued.push(f);
  }

  private flush(): void {
    const q = this.queued;
    this.queued = [];
    for (const f of q) if (!this.closed) f();
  }

  /** Decodes one google.protobuf.Any of the type (or an envoy.service.discovery.v3.Resource wrapping one). */
  private decodeAny(st: TypeState, any: Decoded): { name?: string; json: JsonObject } {
    let url = String(any.type_url ?? '');
    let value: Uint8Array = any.value ?? new Uint8Array(0);
    let name: string | undefined;
    if (url === RESOURCE_WRAPPER_URL) {
      const wrapped = lookupType('envoy.service.discovery.v3.Resource').decode(value) as unknown as Decoded;
      name = wrapped.name || undefined;
      url = String(wrapped.resource?.type_url ?? '');
      value = wrapped.resource?.value ?? new Uint8Array(0);
    }
    if (url !== st.typeUrl) throw new Error(`a resource of type ${url || '(none)'} in a ${st.typeUrl} response`);
    return { name, json: decodeResource(st.typeName, value) };
  }

  private onSotwResponse(st: TypeState, msg: Decoded): void {
    const version = String(msg.version_info ?? '');
    const nonce = String(msg.nonce ?? '');
    const incoming = new Map<string, JsonObject>();
    let error: string | undefined;
    try {
      for (const any of (msg.resources ?? []) as Decoded[]) {
        const { name: wrappedName, json } = this.decodeAny(st, any);
        const name = wrappedName ?? resourceName(st.kind, json);
        if (!name) throw new Error(`a ${st.kind} resource without a name`);
        if (incoming.has(name)) throw new Error(`duplicate resource name ${JSON.stringify(name)}`);
        incoming.set(name, json);
      }
    } catch (e) {
      error = (e as Error).message;
    }
    const info: AdsResponseInfo = { type: st.type, version, nonce, resources: (msg.resources ?? []).length, removed: 0, accepted: !error };
    if (error) {
      st.nonce = nonce;
      st.rejected = error;
      this.stats.nacks++;
      this.sotwReply(st, st.version, nonce, error); // NACK: the last accepted version stays
      this.later(() => this.emit('response', { ...info, error }));
      return;
    }
    // LDS and CDS responses hold the whole state (absence = removal); the others only the names asked for.
    const changed: string[] = [];
    const removed: string[] = [];
    for (const [name, json] of incoming) {
      if (!st.wildcard && !st.names.has(name)) continue; // not asked for: ignored, as Envoy does
      if (this.store(st, name, json)) changed.push(name);
    }
    if (st.wildcard) {
      for (const name of [...st.resources.keys()]) {
        if (!incoming.has(name)) {
          st.resources.delete(name);
          removed.push(name);
        }
      }
    }
    info.removed = removed.length;
    this.accept(st, version, nonce, changed, removed, () => this.sotwReply(st, version, nonce));
    this.later(() => this.emit('response', info));
  }

  private onDeltaResponse(st: TypeState, msg: Decoded): void {
    const version = String(msg.system_version_info ?? '');
    const nonce = String(msg.nonce ?? '');
    const incoming = new Map<string, JsonObject>();
    let error: string | undefined;
    try {
      for (const r of (msg.resources ?? []) as Decoded[]) {
        if (!r.resource) continue; // a TTL heartbeat: nothing to update
        const name = String(r.name ?? '');
        if (!name) throw new Error(`a ${st.kind} resource without a name`);
        if (incoming.has(name)) throw new Error(`duplicate resource name ${JSON.stringify(name)}`);
        incoming.set(name, this.decodeAny(st, r.resource).json);
      }
    } catch (e) {
      error = (e as Error).message;
    }
    const removedNames = ((msg.removed_resources ?? []) as string[]).map(String);
    const info: AdsResponseInfo = { type: st.type, version, nonce, resources: incoming.size, removed: removedNames.length, accepted: !error };
    if (error) {
      st.nonce = nonce;
      st.rejected = error;
      this.stats.nacks++;
      this.deltaReply(st, nonce, error);
      this.later(() => this.emit('response', { ...info, error }));
      return;
    }
    const changed: string[] = [];
    const removed: string[] = [];
    for (const [name, json] of incoming) {
      if (!st.wildcard && !st.names.has(name)) continue;
      st.absent.delete(name);
      if (this.store(st, name, json)) changed.push(name);
    }
    for (const name of removedNames) {
      if (st.resources.delete(name)) removed.push(name);
      if (!st.wildcard && st.names.has(name)) st.absent.add(name);
    }
    this.accept(st, version, nonce, changed, removed, () => this.deltaReply(st, nonce));
    this.later(() => this.emit('response', info));
  }

  /** Stores a resource; returns whether it is new or different. */
  private store(st: TypeState, name: string, json: JsonObject): boolean {
    const text = JSON.stringify(json);
    if (st.resources.get(name)?.text === text) return false;
    st.resources.set(name, { json, text });
    return true;
  }

  private accept(st: TypeState, version: string, nonce: string, changed: string[], removed: string[], ack: () => void): void {
    const first = !st.received;
    st.received = true;
    st.version = version;
    st.nonce = nonce;
    st.rejected = undefined;
    this.stats.acks++;
    ack();
    changed.sort(compare);
    removed.sort(compare);
    if (first || changed.length || removed.length) {
      const update: AdsUpdate = { type: st.type, version, nonce, changed, removed, resources: changed.map((n) => st.resources.get(n)!.json) };
      this.later(() => this.emit('update', update));
    }
    if ((st.type === 'lds' || st.type === 'cds') && (first || changed.length || removed.length)) this.followReferences(st.type);
  }

  private checkComplete(): void {
    if (this.completeEmitted || this.failure || this.closed || !this.isComplete()) return;
    this.completeEmitted = true;
    this.emit('complete');
  }

  private fail(e: AdsStreamError): void {
    if (this.closed || this.failure) return;
    this.failure = e;
    if (this.listenerCount('error') > 0) this.emit('error', e);
    this.close();
  }
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
