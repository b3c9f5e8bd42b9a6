// State-of-the-world xDS streams (ADS and the per-type services). The ACK/NACK state machine follows
// Istio's ShouldRespond: stale nonces are ignored, a NACK is recorded and never answered with the same
// version, subscription changes are answered, and a new snapshot is pushed as soon as it is published.
import type * as grpc from '@grpc/grpc-js';
import { KIND_BY_TYPE_URL, PUSH_ORDER, FULL_STATE_KINDS, TYPE_URLS, type EncodedResource, type Snapshot, type TypeSnapshot } from './snapshot';
import { ResponseParts, encodeSotwResponse, encodeSotwResponseHead, encodeSotwResponseTail, type SotwRequest } from './wire';
import type { ResourceKind } from '../envoy/resources';
import type { StreamContext } from './stream-context';
import { XdsStreamBase } from './stream-base';
import type { TypeStatus } from './clients';
import type { SendQueue } from './limits';
import { createHash } from 'node:crypto';

interface TypeState {
  wildcard: boolean;
  /** The client has named resources on this type at least once (after that an empty list means "none"). */
  everNamed: boolean;
  names: Set<string>;
  lastVersion?: string;
  lastNonce?: string;
  /** Full-state types: the resources last sent, kept to delay removals until their replacements are acked. */
  sent: Map<string, EncodedResource>;
  /** Sent and not yet answered by an ACK or NACK. */
  outstanding: boolean;
  status: TypeStatus;
}

/** The response version: a hash of exactly the resources sent, so a reconnecting client's version_info is comparable. */
function responseVersion(resources: EncodedResource[]): string {
  if (resources.length === 0) return 'empty';
  const h = createHash('sha256');
  for (const r of resources) h.update(r.name).update('\0').update(r.version).update('\n');
  return h.digest('hex').slice(0, 16);
}

/** What every wildcard stream sends for a type snapshot: computed once, kept as long as the snapshot. */
interface WholeType {
  version: string;
  head(typeUrl: string): Buffer;
}

const wholeTypes = new WeakMap<TypeSnapshot, WholeType>();

function wholeType(type: TypeSnapshot): WholeType {
  let w = wholeTypes.get(type);
  if (!w) {
    const all = [...type.resources.values()];
    const version = responseVersion(all);
    let head: Buffer | undefined;
    w = { version, head: (typeUrl) => (head ??= encodeSotwResponseHead(version, all.map((r) => r.any), typeUrl)) };
    wholeTypes.set(type, w);
  }
  return w;
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
      st = { wildcard: false, everNamed: false, names: new Set(), sent: new Map(), outstanding: false, status: { subscribed: [] } };
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
        // NACK: record it, keep serving the last good config, and do not resend this version.
        const names = [...(this.lastSentNames(kind, st))];
        st.status.nack = { version: st.lastVersion ?? '', nonce: req.responseNonce, message: req.errorDetail.message, resources: names, at: Date.now() };
        this.ctx.metrics?.nack(kind);
        this.ctx.registry.nack({ client: this.status, kind, version: st.lastVersion ?? '', message: req.errorDetail.message, resources: names });
      } else {
        st.status.ackedVersion = st.lastVersion;
        st.status.nack = undefined;
        this.ctx.metrics?.ack(kind);
        this.ctx.registry.changed();
      }
    }
    const changed = this.updateNames(kind, st, req.resourceNames);
    if (first) {
      // A reconnecting client that already has exactly what we would send gets nothing new.
      const would = this.select(kind, st);
      if (would && req.versionInfo && responseVersion(would) === req.versionInfo) {
        st.lastVersion = req.versionInfo;
        st.status.sentVersion = req.versionInfo;
        st.status.ackedVersion = req.versionInfo;
        for (const r of would) if (FULL_STATE_KINDS.has(kind)) st.sent.set(r.name, r);
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
    return [...this.select(kind, st) ?? []].map((r) => r.name);
  }

  /** Applies the request's resource_names; returns whether the subscription changed. */
  private updateNames(kind: ResourceKind, st: TypeState, names: string[]): boolean {
    const before = `${st.wildcard}|${[...st.names].sort().join(',')}`;
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
    st.status.subscribed = st.wildcard ? '*' : [...st.names].sort();
    return before !== `${st.wildcard}|${[...st.names].sort().join(',')}`;
  }

  private select(kind: ResourceKind, st: TypeState): EncodedResource[] | undefined {
    if (!this.snapshot) return undefined;
    const all = this.snapshot.types[kind].resources;
    if (st.wildcard) return [...all.values()];
    const out: EncodedResource[] = [];
    for (const n of [...st.names].sort()) {
      const r = all.get(n);
      if (r) out.push(r); // names that do not exist (yet) are remembered and sent when they appear
    }
    return out;
  }

  /** Sends the type's current selection unless the client already has this exact version. */
  private send(kind: ResourceKind, st: TypeState, force: boolean, keepRemoved = false): void {
    if (!this.snapshot) return; // no snapshot yet: sent when it is published
    // A wildcard stream gets the whole type: its version and encoding are computed once per type snapshot and
    // shared by every stream (per stream, they cost O(resources): seconds for 1,000 streams at 10,000 routes).
    const type = this.snapshot.types[kind];
    if (st.wildcard && !force && wholeType(type).version === st.lastVersion) return;
    let resources = this.select(kind, st)!;
    let whole = st.wildcard;
    if (keepRemoved && FULL_STATE_KINDS.has(kind)) {
      const have = new Set(resources.map((r) => r.name));
      const kept = [...st.sent.values()].filter((r) => !have.has(r.name) && (st.wildcard || st.names.has(r.name)));
      if (kept.length) {
        resources = [...resources, ...kept].sort((a, b) => (a.name < b.name ? -1 : 1));
        this.pendingRemovals = true;
        whole = false;
      }
    }
    const version = whole ? wholeType(type).version : responseVersion(resources);
    // Pushes skip versions the client already has (or rejected); requests that change the subscription are always answered.
    if (!force && version === st.lastVersion) return;
    const nonce = this.nextNonce();
    const typeUrl = TYPE_URLS[kind];
    const response = whole
      ? new ResponseParts(wholeType(type).head(typeUrl), encodeSotwResponseTail(nonce))
      : encodeSotwResponse(version, resources.map((r) => r.any), typeUrl, nonce);
    if (!this.write(response)) return;
    st.lastVersion = version;
    st.lastNonce = nonce;
    st.outstanding = true;
    // The type's own map when it is all of it (never modified; one map for every stream, not one each).
    if (FULL_STATE_KINDS.has(kind)) st.sent = whole ? type.resources : new Map(resources.map((r) => [r.name, r]));
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
    // ADS: adds in dependency order, removals of listeners/clusters only after the client acknowledged
    // the routes and listeners that stopped using them. Per-type streams have one type: just send.
    const aggregated = !this.fixedKind;
    for (const kind of PUSH_ORDER) {
      const st = this.types.get(kind);
      if (st) this.send(kind, st, false, aggregated);
    }
    if (this.pendingRemovals && !this.anyOutstanding()) this.flushRemovals();
  }


}
