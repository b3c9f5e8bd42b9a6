// State-of-the-world xDS streams (ADS and the per-type services). The ACK/NACK state machine follows
// Istio's ShouldRespond: stale nonces are ignored, a NACK is recorded and never answered with the same
// version, subscription changes are answered, and a new snapshot is pushed as soon as it is published.
//
// What a response carries depends on the type (xDS protocol, "Grouping Resources into Responses"): listeners
// and clusters must be the complete state of the world (a resource left out is deleted); every other type
// (routes, endpoints, secrets) is grouped as in the incremental variants: a response may carry only the
// resources that changed, and the client keeps the others. So for those types each stream remembers what
// the client acknowledged (name → version) and a push carries only the subscribed resources whose version
// differs from it, plus the names the client newly subscribed to. Removals of those types are not signalled
// in SotW: the client drops them when no listener or cluster refers to them any more.
import type * as grpc from '@grpc/grpc-js';
import { KIND_BY_TYPE_URL, PUSH_ORDER, FULL_STATE_KINDS, TYPE_URLS, hash16, typeVersion, type EncodedResource, type Snapshot, type TypeSnapshot } from './snapshot';
import { ResponseParts, encodeSotwResponse, encodeSotwResponseHead, encodeSotwResponseTail, type SotwRequest } from './wire';
import type { ResourceKind } from '../envoy/resources';
import type { StreamContext } from './stream-context';
import { XdsStreamBase } from './stream-base';
import type { TypeStatus } from './clients';
import type { SendQueue } from './limits';
import { Known } from './known';
import { keysReplacedBetween } from './replaced-map';

/** What a stream subscribes to of one type; streams with the same key share selections and encodings. */
interface Subscription {
  /** '*' for the whole type, else a hash of the sorted names. */
  key: string;
  /** The names (undefined: the whole type). */
  names?: ReadonlySet<string>;
}

const WHOLE_TYPE: Subscription = { key: '*' };

interface TypeState {
  wildcard: boolean;
  /** The client has named resources on this type at least once (after that an empty list means "none"). */
  everNamed: boolean;
  names: Set<string>;
  sub: Subscription;
  lastVersion?: string;
  lastNonce?: string;
  /** Full-state types: the resources last sent, kept to delay removals until their replacements are acked. */
  sent: ReadonlyMap<string, EncodedResource>;
  /** Other types: what the client acknowledged having. */
  acked: Known;
  /** Other types: the type's resources the client has every subscribed one of once it acknowledges the last response. */
  pending?: ReadonlyMap<string, EncodedResource>;
  /** Names of the resources in the last response (NACK reports); often an array shared by many streams. */
  lastSent: readonly string[];
  /** Sent and not yet answered by an ACK or NACK. */
  outstanding: boolean;
  status: TypeStatus;
}

/**
 * The response version: the version of exactly the resources sent, computed as a type's version is (so a
 * wildcard subscription's is its type snapshot's, and a reconnecting client's version_info is comparable).
 */
function responseVersion(resources: readonly EncodedResource[]): string {
  return resources.length ? typeVersion(resources) : 'empty';
}

/**
 * The resources of a type snapshot one subscription selects, and their version (the version_info of every
 * response of that type: the state the client has once it applied the response, whatever it carried).
 * Computed once per type snapshot and subscription, shared by every stream with that subscription.
 */
interface Selection {
  version: string;
  resources: readonly EncodedResource[];
  /** Full-state types: the same as a map (what such a stream was last sent). */
  map?: ReadonlyMap<string, EncodedResource>;
}

const selections = new WeakMap<TypeSnapshot, Map<string, Selection>>();

function selectionOf(type: TypeSnapshot, sub: Subscription): Selection {
  let bySub = selections.get(type);
  if (!bySub) selections.set(type, (bySub = new Map()));
  let sel = bySub.get(sub.key);
  if (!sel) {
    let resources: EncodedResource[];
    if (!sub.names) resources = [...type.resources.values()];
    else {
      resources = [];
      for (const n of [...sub.names].sort()) {
        const r = type.resources.get(n);
        if (r) resources.push(r); // names that do not exist (yet) are remembered and sent when they appear
      }
    }
    const full = FULL_STATE_KINDS.has(type.kind);
    const version = !sub.names ? (resources.length ? type.version : 'empty') : responseVersion(resources);
    sel = { version, resources, map: full ? (sub.names ? new Map(resources.map((r) => [r.name, r])) : type.resources) : undefined };
    bySub.set(sub.key, sel);
  }
  return sel;
}

/** Nothing: what a client that was sent nothing of a type has. */
const NOTHING: ReadonlyMap<string, EncodedResource> = new Map();

/**
 * From what a client has (a type snapshot's resources, or NOTHING) to a type snapshot: the subscribed names
 * whose version differs, sorted, and the response carrying them before its nonce. Computed once per pair and
 * subscription, for every stream in that state: N streams cost one encoding and N small tails, and no stream
 * holds a response of its own.
 */
interface Changes {
  names: string[];
  head?: Buffer;
}

const changeCache = new WeakMap<TypeSnapshot, Map<string, WeakMap<ReadonlyMap<string, EncodedResource>, Changes>>>();

function changesOf(from: ReadonlyMap<string, EncodedResource>, to: TypeSnapshot, sub: Subscription): Changes {
  let bySub = changeCache.get(to);
  if (!bySub) changeCache.set(to, (bySub = new Map()));
  let byFrom = bySub.get(sub.key);
  if (!byFrom) bySub.set(sub.key, (byFrom = new WeakMap()));
  let c = byFrom.get(from);
  if (!c) {
    const names: string[] = [];
    if (from === NOTHING) {
      for (const r of selectionOf(to, sub).resources) names.push(r.name);
    } else if (from !== to.resources) {
      const replaced = keysReplacedBetween(from, to.resources);
      if (replaced) {
        // An EndpointSlice change: only the replaced names can differ.
        for (const n of replaced) if ((!sub.names || sub.names.has(n)) && from.get(n)?.version !== to.resources.get(n)!.version) names.push(n);
        names.sort();
      } else if (sub.names && sub.names.size < to.resources.size) {
        for (const n of sub.names) {
          const r = to.resources.get(n);
          if (r && from.get(n)?.version !== r.version) names.push(n);
        }
        names.sort();
      } else {
        for (const [n, r] of to.resources) if ((!sub.names || sub.names.has(n)) && from.get(n)?.version !== r.version) names.push(n);
        names.sort();
      }
    }
    c = { names };
    byFrom.set(from, c);
  }
  return c;
}

function changesHead(c: Changes, to: TypeSnapshot, version: string): Buffer {
  return (c.head ??= encodeSotwResponseHead(version, c.names.map((n) => to.resources.get(n)!.any), to.typeUrl));
}

const removedCache = new WeakMap<ReadonlyMap<string, EncodedResource>, WeakMap<ReadonlyMap<string, EncodedResource>, string[]>>();

/** Names of `from` that `to` does not have (computed once per pair of maps). */
function removedNames(from: ReadonlyMap<string, EncodedResource>, to: ReadonlyMap<string, EncodedResource>): string[] {
  if (from === to || from.size === 0) return [];
  let byFrom = removedCache.get(to);
  if (!byFrom) removedCache.set(to, (byFrom = new WeakMap()));
  let out = byFrom.get(from);
  if (!out) {
    out = [];
    for (const n of from.keys()) if (!to.has(n)) out.push(n);
    byFrom.set(from, out);
  }
  return out;
}

export class SotwStream extends XdsStreamBase<SotwRequest> {
  private readonly types = new Map<ResourceKind, TypeState>();
  /** Removals held back (make-before-break) until the replacing resources are acknowledged. */
  private pendingRemovals = false;

  constructor(call: grpc.ServerDuplexStream<SotwRequest, Buffer>, ctx: StreamContext, fixedKind?: ResourceKind, queue?: SendQueue) {
    super(call, ctx, fixedKind, queue, 'sotw');
  }

  protected onRequest(req: SotwRequest): void {
    if (!this.open(req) || !this.status) return;
    const kind = this.fixedKind ?? KIND_BY_TYPE_URL[req.typeUrl];
    if (!kind) {
      this.ctx.log.debug('xds: request for a type traefik-xds does not serve', { typeUrl: req.typeUrl, node: this.status.node.id });
      return;
    }
    let st = this.types.get(kind);
    const first = !st;
    if (!st) {
      st = {
        wildcard: false, everNamed: false, names: new Set(), sub: { key: hash16(''), names: new Set() }, sent: NOTHING, acked: new Known(),
        lastSent: [], outstanding: false, status: { subscribed: [] },
      };
      this.types.set(kind, st);
      this.status.types[kind] = st.status;
    }
    // Stale: answers a response of this stream that has been superseded. A nonce when this stream has sent
    // nothing of the type (a reconnect carrying the previous stream's nonce) is not stale: nonces are per stream.
    if (req.responseNonce && st.lastNonce !== undefined && req.responseNonce !== st.lastNonce) {
      this.ctx.metrics?.staleNonce(kind);
      return;
    }
    if (req.responseNonce && req.responseNonce === st.lastNonce) {
      st.outstanding = false;
      if (req.errorDetail) {
        // NACK: record it, keep serving the last good config, and do not resend this version. The client kept
        // what it acknowledged before: the next response carries whatever differs from that.
        st.pending = undefined;
        const names = this.lastSentNames(kind, st);
        st.status.nack = { version: st.lastVersion ?? '', nonce: req.responseNonce, message: req.errorDetail.message, resources: names, at: Date.now() };
        this.ctx.metrics?.nack(kind);
        this.ctx.registry.nack({ client: this.status, kind, version: st.lastVersion ?? '', message: req.errorDetail.message, resources: names });
      } else {
        if (st.pending) st.acked.rebase(st.pending);
        st.pending = undefined;
        st.status.ackedVersion = st.lastVersion;
        st.status.nack = undefined;
        this.ctx.metrics?.ack(kind);
        this.ctx.registry.changed();
      }
    }
    const changed = this.updateNames(kind, st, req.resourceNames);
    if (first) {
      // A reconnecting client that already has exactly what we would send gets nothing new.
      const type = this.snapshot?.types[kind];
      const sel = type && selectionOf(type, st.sub);
      if (type && sel && req.versionInfo && sel.version === req.versionInfo) {
        st.lastVersion = req.versionInfo;
        st.status.sentVersion = req.versionInfo;
        st.status.ackedVersion = req.versionInfo;
        if (FULL_STATE_KINDS.has(kind)) st.sent = sel.map!;
        else st.acked.rebase(type.resources);
        return;
      }
      this.send(kind, st, true);
    } else if (changed) {
      this.send(kind, st, true);
    } else if (this.pendingRemovals && !this.anyOutstanding()) {
      this.flushRemovals();
    }
  }

  private lastSentNames(kind: ResourceKind, st: TypeState): string[] {
    if (FULL_STATE_KINDS.has(kind)) return [...st.sent.keys()];
    return [...st.lastSent];
  }

  private wants(st: TypeState, name: string): boolean {
    return st.wildcard || st.names.has(name);
  }

  /** Applies the request's resource_names; returns whether the subscription changed. */
  private updateNames(kind: ResourceKind, st: TypeState, names: string[]): boolean {
    const wasWildcard = st.wildcard;
    const before = st.names;
    const wildcardType = kind === 'listeners' || kind === 'clusters';
    if (names.includes('*')) {
      st.wildcard = true;
      st.names = new Set(names.filter((n) => n !== '*'));
    } else if (names.length === 0 && !st.everNamed && wildcardType) {
      st.wildcard = true; // legacy wildcard: an empty first list on LDS/CDS
      st.names = new Set();
    } else {
      st.wildcard = false;
      st.names = new Set(names);
    }
    if (names.some((n) => n !== '*')) st.everNamed = true;
    const sorted = [...st.names].sort();
    st.status.subscribed = st.wildcard ? '*' : sorted;
    const changed = wasWildcard !== st.wildcard || before.size !== st.names.size || sorted.some((n) => !before.has(n));
    if (!changed) return false;
    st.sub = st.wildcard ? WHOLE_TYPE : { key: hash16(sorted.join('\n')), names: st.names };
    if (!FULL_STATE_KINDS.has(kind)) {
      // Newly subscribed names must be in the next response even if the client had them once (it dropped them
      // when it unsubscribed). Becoming wildcard covers names never asked for: start over. Leaving it keeps a
      // subset of what the client has.
      if (st.wildcard && !wasWildcard) st.acked = new Known();
      else if (!st.wildcard && !wasWildcard) for (const n of st.names) if (!before.has(n)) st.acked.delete(n);
    }
    return true;
  }

  /** Sends the type's current selection (or what changed of it) unless the client already has this exact version. */
  private send(kind: ResourceKind, st: TypeState, force: boolean, keepRemoved = false): void {
    if (!this.snapshot) return; // no snapshot yet: sent when it is published
    const type = this.snapshot.types[kind];
    const sel = selectionOf(type, st.sub);
    // Pushes skip versions the client already has (or rejected); requests that change the subscription are always answered.
    if (!force && sel.version === st.lastVersion) return;
    const nonce = this.nextNonce();
    const typeUrl = TYPE_URLS[kind];
    let response: Buffer | ResponseParts;
    let version = sel.version;
    let sentMap: ReadonlyMap<string, EncodedResource> | undefined;
    let sentNames: readonly string[] = [];
    if (FULL_STATE_KINDS.has(kind)) {
      // ADS make-before-break: what the client was sent and the subscription still covers stays until the
      // resources that stop using it are acknowledged.
      const kept: EncodedResource[] = [];
      if (keepRemoved) for (const n of removedNames(st.sent, type.resources)) if (this.wants(st, n)) kept.push(st.sent.get(n)!);
      if (kept.length) {
        const resources = [...sel.resources, ...kept].sort((a, b) => (a.name < b.name ? -1 : 1));
        this.pendingRemovals = true;
        version = responseVersion(resources);
        if (!force && version === st.lastVersion) return;
        response = encodeSotwResponse(version, resources.map((r) => r.any), typeUrl, nonce);
        sentMap = new Map(resources.map((r) => [r.name, r]));
      } else {
        response = new ResponseParts(changesHead(changesOf(NOTHING, type, st.sub), type, version), encodeSotwResponseTail(nonce));
        sentMap = sel.map!; // one map per selection, shared by the streams with this subscription
      }
    } else {
      // Only what differs from what the client acknowledged: changes shared by every stream that acknowledged
      // the same type snapshot, plus the few names this stream knows it lacks (newly subscribed ones).
      const changes = changesOf(st.acked.baseMap() ?? NOTHING, type, st.sub);
      let extra: string[] | undefined;
      for (const n of st.acked.differences()) {
        const r = type.resources.get(n);
        if (!r || !this.wants(st, n) || st.acked.get(n) === r.version) continue;
        (extra ??= []).push(n);
      }
      if (extra) {
        const have = new Set(changes.names);
        const names = [...changes.names, ...extra.filter((n) => !have.has(n))].sort();
        response = encodeSotwResponse(version, names.map((n) => type.resources.get(n)!.any), typeUrl, nonce);
        sentNames = names;
      } else {
        response = new ResponseParts(changesHead(changes, type, version), encodeSotwResponseTail(nonce));
        sentNames = changes.names;
      }
    }
    if (!this.write(response)) return;
    st.lastVersion = version;
    st.lastNonce = nonce;
    st.outstanding = true;
    if (sentMap) st.sent = sentMap;
    // Once the client acknowledges this, it has every subscribed resource of the type snapshot at its version.
    else st.pending = type.resources;
    st.lastSent = sentNames;
    st.status.sentVersion = version;
    st.status.sentNonce = nonce;
    st.status.sentAt = Date.now();
    this.ctx.metrics?.response(kind);
  }

  private anyOutstanding(): boolean {
    for (const st of this.types.values()) if (st.outstanding) return true;
    return false;
  }

  /** Second phase of make-before-break: the full-state types without the resources nothing uses any more. */
  private flushRemovals(): void {
    this.pendingRemovals = false;
    for (const kind of PUSH_ORDER) {
      const st = this.types.get(kind);
      if (st && FULL_STATE_KINDS.has(kind)) this.send(kind, st, false);
    }
  }

  onSnapshot(snapshot: Snapshot): void {
    if (this.closed) return;
    this.snapshot = snapshot;
    // ADS: adds in dependency order (clusters before their endpoints, listeners before their routes),
    // removals of listeners/clusters only after the client acknowledged the routes and listeners that stopped
    // using them. Per-type streams have one type: just send.
    const aggregated = !this.fixedKind;
    for (const kind of PUSH_ORDER) {
      const st = this.types.get(kind);
      if (st) this.send(kind, st, false, aggregated);
    }
    if (this.pendingRemovals && !this.anyOutstanding()) this.flushRemovals();
  }
}
