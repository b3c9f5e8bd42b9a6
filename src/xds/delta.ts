import { randomBytes } from 'node:crypto';
// Incremental (delta) xDS streams. Per type, the server tracks what the client has (name → version, seeded
// from initial_resource_versions on reconnect) and sends only what differs: changed resources in
// `resources`, vanished or unsubscribed-but-known ones in `removed_resources`.
import type * as grpc from '@grpc/grpc-js';
import { KIND_BY_TYPE_URL, PUSH_ORDER, TYPE_URLS, type Snapshot } from './snapshot';
import { encodeDeltaResource, encodeDeltaResponse, type DeltaRequest } from './wire';
import { fleetOf } from './fleets';
import type { ResourceKind } from '../envoy/resources';
import type { StreamContext } from './stream-context';
import type { ClientStatus, TypeStatus } from './clients';

interface DeltaTypeState {
  wildcard: boolean;
  names: Set<string>;
  /** What the client has: name → version. */
  known: Map<string, string>;
  lastNonce?: string;
  /** Names in the last response, for NACK reports. */
  lastSent: string[];
  outstanding: boolean;
  /** Answered at least once: the first answer is due even when empty (it initialises the type). */
  responded: boolean;
  status: TypeStatus;
}

/** Removals of what listeners and routes may still use wait until those are acknowledged. */
const DEPENDED_ON = new Set<ResourceKind>(['clusters', 'endpoints', 'secrets']);

export class DeltaStream {
  private readonly types = new Map<ResourceKind, DeltaTypeState>();
  private status?: ClientStatus;
  private snapshot?: Snapshot;
  private nonce = 0;
  private readonly noncePrefix = `${randomBytes(4).toString('hex')}-`;
  private closed = false;
  private heldRemovals = false;

  constructor(
    private readonly call: grpc.ServerDuplexStream<DeltaRequest, Buffer>,
    private readonly ctx: StreamContext,
    private readonly fixedKind?: ResourceKind,
  ) {
    call.on('data', (req: DeltaRequest) => {
      try {
        this.onRequest(req);
      } catch (e) {
        ctx.log.error('xds: delta request handling failed', { error: String((e as Error).stack ?? e) });
        call.destroy(e as Error);
      }
    });
    const end = () => this.close();
    call.on('end', () => {
      end();
      call.end();
    });
    call.on('error', end);
    call.on('close', end);
    call.on('cancelled', end);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.status) {
      this.ctx.cache.unwatch(this.status.fleet.key, this);
      this.ctx.registry.remove(this.status.streamId);
    }
  }

  private onRequest(req: DeltaRequest): void {
    if (!this.status) {
      if (!req.node) {
        this.fail(3, 'the first request of a stream must carry node');
        return;
      }
      const fleet = fleetOf(req.node, this.ctx.fleets);
      const denial = this.ctx.authorize?.(this.call, req.node, fleet);
      if (denial) {
        this.fail(7, denial);
        return;
      }
      this.status = {
        streamId: this.ctx.nextStreamId(), node: req.node, fleet, protocol: 'delta', aggregated: !this.fixedKind,
        connectedAt: Date.now(), types: {},
      };
      this.ctx.registry.add(this.status);
      this.snapshot = this.ctx.cache.watch(fleet, this);
    }
    const kind = this.fixedKind ?? KIND_BY_TYPE_URL[req.typeUrl];
    if (!kind) return;
    let st = this.types.get(kind);
    const first = !st;
    if (!st) {
      st = { wildcard: false, names: new Set(), known: new Map(Object.entries(req.initialResourceVersions)), lastSent: [], outstanding: false, responded: false, status: { subscribed: [] } };
      this.types.set(kind, st);
      this.status.types[kind] = st.status;
      // Legacy wildcard: a first LDS/CDS request that names nothing.
      if (req.subscribe.length === 0 && (kind === 'listeners' || kind === 'clusters')) st.wildcard = true;
    }
    // Nonces pair ACK/NACK with responses; a stale one still carries valid subscription changes.
    if (req.responseNonce && req.responseNonce === st.lastNonce) {
      st.outstanding = false;
      if (req.errorDetail) {
        st.status.nack = { version: st.status.sentVersion ?? '', nonce: req.responseNonce, message: req.errorDetail.message, resources: st.lastSent, at: Date.now() };
        this.ctx.metrics?.nack(kind);
        this.ctx.registry.nack({ client: this.status, kind, version: st.status.sentVersion ?? '', message: req.errorDetail.message, resources: st.lastSent });
      } else {
        st.status.ackedVersion = st.status.sentVersion;
        st.status.nack = undefined;
        this.ctx.metrics?.ack(kind);
        this.ctx.registry.changed();
      }
    } else if (req.responseNonce) {
      this.ctx.metrics?.staleNonce(kind);
    }
    const forced = new Set<string>();
    for (const n of req.subscribe) {
      if (n === '*') st.wildcard = true;
      else {
        st.names.add(n);
        // The client asks again: send it even if we think it has it (unless it told us its version just now).
        if (!(first && n in req.initialResourceVersions)) forced.add(n);
      }
    }
    for (const n of req.unsubscribe) {
      if (n === '*') st.wildcard = false;
      else {
        st.names.delete(n);
        if (!st.wildcard) st.known.delete(n); // the client drops it; nothing to tell it
      }
    }
    // Unsubscribing a name the wildcard still covers must be answered (the resource, or removed_resources).
    for (const n of req.unsubscribe) if (n !== '*' && st.wildcard && !st.names.has(n)) forced.add(n);
    st.status.subscribed = st.wildcard ? '*' : [...st.names].sort();
    const subscriptionChanged = req.subscribe.length > 0 || req.unsubscribe.length > 0;
    if (first || subscriptionChanged) this.send(kind, st, forced, first);
    if (this.heldRemovals && !this.anyOutstanding()) this.flushRemovals();
  }

  private wants(st: DeltaTypeState, name: string): boolean {
    return st.wildcard || st.names.has(name);
  }

  /**
   * Sends what the client lacks. `always`: answer even when there is nothing to say (the first request of a
   * type, so the client knows the type is initialised). `holdRemovals`: keep removals for the second phase.
   */
  private send(kind: ResourceKind, st: DeltaTypeState, forced: Set<string>, always: boolean, holdRemovals = false): void {
    if (!this.snapshot) return;
    const all = this.snapshot.types[kind].resources;
    const updates: Uint8Array[] = [];
    const sentNames: string[] = [];
    const targets = st.wildcard ? [...all.keys()] : [...st.names].filter((n) => all.has(n));
    for (const name of targets.sort()) {
      const r = all.get(name)!;
      if (st.known.get(name) === r.version && !forced.has(name)) continue;
      updates.push(encodeDeltaResource(name, r.version, r.any));
      sentNames.push(name);
    }
    const removed: string[] = [];
    for (const name of [...st.known.keys()].sort()) {
      if (all.has(name) && this.wants(st, name)) continue;
      if (holdRemovals && DEPENDED_ON.has(kind)) {
        this.heldRemovals = true;
        continue;
      }
      removed.push(name);
    }
    // Explicitly subscribed names that do not exist are answered at once as removed.
    for (const name of forced) if (!all.has(name) && !removed.includes(name)) removed.push(name);
    if (updates.length === 0 && removed.length === 0 && !always && st.responded) return;
    // Nonces are unique across streams, so one left over from an earlier stream can never look current.
    const nonce = `${this.noncePrefix}${++this.nonce}`;
    this.call.write(encodeDeltaResponse(this.snapshot.types[kind].version, updates, TYPE_URLS[kind], removed, nonce));
    for (const name of sentNames) st.known.set(name, all.get(name)!.version);
    for (const name of removed) st.known.delete(name);
    st.lastNonce = nonce;
    st.responded = true;
    st.lastSent = sentNames;
    st.outstanding = true;
    st.status.sentVersion = this.snapshot.types[kind].version;
    st.status.sentNonce = nonce;
    st.status.sentAt = Date.now();
    this.ctx.metrics?.response(kind);
  }

  private anyOutstanding(): boolean {
    for (const st of this.types.values()) if (st.outstanding) return true;
    return false;
  }

  private flushRemovals(): void {
    this.heldRemovals = false;
    for (const kind of PUSH_ORDER) {
      const st = this.types.get(kind);
      if (st) this.send(kind, st, new Set(), false);
    }
  }

  onSnapshot(snapshot: Snapshot): void {
    if (this.closed) return;
    this.snapshot = snapshot;
    const aggregated = !this.fixedKind;
    for (const kind of PUSH_ORDER) {
      const st = this.types.get(kind);
      if (st) this.send(kind, st, new Set(), false, aggregated);
    }
    if (this.heldRemovals && !this.anyOutstanding()) this.flushRemovals();
  }

  private fail(code: number, message: string): void {
    this.ctx.log.warn('xds: stream refused', { code, message });
    this.call.emit('error', Object.assign(new Error(message), { code, details: message }));
    this.close();
  }
}
