// Incremental (delta) xDS streams. Per type, the server tracks what the client has (name → version, seeded
// from initial_resource_versions on reconnect) and sends only what differs: changed resources in
// `resources`, vanished or unsubscribed-but-known ones in `removed_resources`.
import type * as grpc from '@grpc/grpc-js';
import { KIND_BY_TYPE_URL, PUSH_ORDER, TYPE_URLS, type EncodedResource, type Snapshot, type TypeSnapshot } from './snapshot';
import { ResponseParts, encodeDeltaResource, encodeDeltaResponse, encodeDeltaResponseHead, encodeDeltaResponseTail, type DeltaRequest } from './wire';
import type { ResourceKind } from '../envoy/resources';
import type { StreamContext } from './stream-context';
import { XdsStreamBase } from './stream-base';
import type { TypeStatus } from './clients';
import type { SendQueue } from './limits';
import { Known } from './known';
import { keysReplacedBetween } from './replaced-map';

/** From one type snapshot's resources to the next: names added or changed, names gone (each sorted). */
interface TypeStep {
  changed: string[];
  removed: string[];
  /** The response's part before the nonce, the same for every stream taking this step (encoded once). */
  head?: Buffer;
}

/** What a client that holds nothing has. */
const NOTHING: ReadonlyMap<string, EncodedResource> = new Map();

const steps = new WeakMap<TypeSnapshot, WeakMap<ReadonlyMap<string, EncodedResource>, TypeStep>>();

/** Computed once per pair of snapshots, for every stream that was in step with the first. */
function stepOf(from: ReadonlyMap<string, EncodedResource>, to: TypeSnapshot): TypeStep {
  let byFrom = steps.get(to);
  if (!byFrom) steps.set(to, (byFrom = new WeakMap()));
  let step = byFrom.get(from);
  if (!step) {
    const changed: string[] = [];
    const removed: string[] = [];
    const replaced = keysReplacedBetween(from, to.resources);
    if (replaced) {
      // An EndpointSlice change: only the replaced names can differ, and no name came or went.
      for (const name of replaced) if (from.get(name)?.version !== to.resources.get(name)!.version) changed.push(name);
    } else {
      for (const [name, r] of to.resources) if (from.get(name)?.version !== r.version) changed.push(name);
      for (const name of from.keys()) if (!to.resources.has(name)) removed.push(name);
    }
    step = { changed: changed.sort(), removed: removed.sort() };
    byFrom.set(from, step);
  }
  return step;
}

const namesOfType = new WeakMap<TypeSnapshot, string[]>();

/** Every name of a type snapshot, sorted (what a full send lists). */
function allNames(type: TypeSnapshot): string[] {
  let n = namesOfType.get(type);
  if (!n) namesOfType.set(type, (n = [...type.resources.keys()].sort()));
  return n;
}

interface DeltaTypeState {
  wildcard: boolean;
  names: Set<string>;
  /** What the client has: name → version. */
  known: Known;
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

export class DeltaStream extends XdsStreamBase<DeltaRequest> {
  private readonly types = new Map<ResourceKind, DeltaTypeState>();
  private heldRemovals = false;

  constructor(call: grpc.ServerDuplexStream<DeltaRequest, Buffer>, ctx: StreamContext, fixedKind?: ResourceKind, queue?: SendQueue) {
    super(call, ctx, fixedKind, queue, 'delta');
  }

  protected onRequest(req: DeltaRequest): void {
    if (!this.open(req) || !this.status) return;
    const kind = this.fixedKind ?? KIND_BY_TYPE_URL[req.typeUrl];
    if (!kind) return;
    let st = this.types.get(kind);
    const first = !st;
    if (!st) {
      st = { wildcard: false, names: new Set(), known: new Known(req.initialResourceVersions), lastSent: [], outstanding: false, responded: false, status: { subscribed: [] } };
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
    const type = this.snapshot.types[kind];
    const all = type.resources;
    const updates: Uint8Array[] = [];
    let sentNames: string[] = [];
    const removed: string[] = [];
    let held = false;
    let shared: TypeStep | undefined;
    const hold = holdRemovals && DEPENDED_ON.has(kind);
    // A wildcard stream in step with an earlier snapshot of the type: only what changed since is looked at,
    // the same for every such stream (the full comparison below is per stream and O(resources)).
    // A wildcard client that holds nothing yet (a new one, without initial versions) takes the step from nothing:
    // every connecting client shares that response rather than having its own encoded.
    const base = st.wildcard && forced.size === 0 ? (st.known.empty() ? NOTHING : st.known.exactly()) : undefined;
    if (base === all) {
      // Nothing changed for this client.
    } else if (base) {
      const step = stepOf(base, type);
      sentNames = step.changed; // shared by the streams taking this step (kept for NACK reports)
      if (!step.head) step.head = encodeDeltaResponseHead(type.version, step.changed.map((n) => encodeDeltaResource(n, all.get(n)!.version, all.get(n)!.any)), TYPE_URLS[kind]);
      shared = step;
      if (hold && step.removed.length) held = true;
      else removed.push(...step.removed);
    } else {
      const targets = st.wildcard ? [...all.keys()] : [...st.names].filter((n) => all.has(n));
      for (const name of targets.sort()) {
        const r = all.get(name)!;
        if (st.known.get(name) === r.version && !forced.has(name)) continue;
        updates.push(encodeDeltaResource(name, r.version, r.any));
        sentNames.push(name);
      }
      for (const name of st.known.names().sort()) {
        if (all.has(name) && this.wants(st, name)) continue;
        if (hold) {
          held = true;
          continue;
        }
        removed.push(name);
      }
      // Explicitly subscribed names that do not exist are answered at once as removed.
      for (const name of forced) if (!all.has(name) && !removed.includes(name)) removed.push(name);
    }
    if (held) this.heldRemovals = true;
    if (sentNames.length === 0 && removed.length === 0 && !always && st.responded) {
      // A wildcard client missing nothing and holding nothing extra has exactly the type's resources.
      if (st.wildcard && !held) st.known.rebase(all);
      return;
    }
    const nonce = this.nextNonce();
    const response = shared
      ? new ResponseParts(shared.head!, encodeDeltaResponseTail(removed, nonce))
      : encodeDeltaResponse(type.version, updates, TYPE_URLS[kind], removed, nonce);
    if (!this.write(response)) return;
    if (st.wildcard && !held) {
      st.known.rebase(all); // every resource sent or known at its version, nothing else left: exactly the type's
    } else {
      for (const name of sentNames) st.known.set(name, all.get(name)!.version);
      for (const name of removed) st.known.delete(name);
    }
    st.lastNonce = nonce;
    st.responded = true;
    // The names of a full send are the type's names: one array per type snapshot, not one per stream (at 10,000
    // routes, 170 KiB per stream kept until the type's next response).
    st.lastSent = sentNames.length === all.size && sentNames.length > 64 ? allNames(type) : sentNames;
    st.outstanding = true;
    st.status.sentVersion = type.version;
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


}
