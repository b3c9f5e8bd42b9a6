// What state-of-the-world and delta streams share: the stream's events, its first request (node, fleet,
// authorization, registry, snapshot watch), nonces unique across streams, refusal and cleanup.
import { randomBytes } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { fleetOf } from './fleets';
import { responseWriterOf } from './framed-writer';
import type { ResourceKind } from '../envoy/resources';
import type { StreamContext } from './stream-context';
import type { ClientStatus } from './clients';
import type { SendQueue } from './limits';
import type { Snapshot } from './snapshot';
import type { NodeInfo, ResponseParts } from './wire';

export abstract class XdsStreamBase<Req extends { node?: NodeInfo }> {
  protected status?: ClientStatus;
  protected snapshot?: Snapshot;
  protected closed = false;
  private nonce = 0;
  // Nonces are unique across streams, so one left over from an earlier stream can never look current.
  private readonly noncePrefix = `${randomBytes(4).toString('hex')}-`;

  constructor(
    protected readonly call: grpc.ServerDuplexStream<Req, Buffer>,
    protected readonly ctx: StreamContext,
    /** Set for the per-type services (StreamListeners...), undefined for ADS. */
    protected readonly fixedKind: ResourceKind | undefined,
    /** Bounds what a client that does not read can make this stream hold (limits.ts); unset: unbounded. */
    protected readonly queue: SendQueue | undefined,
    private readonly protocol: ClientStatus['protocol'],
  ) {
    call.on('data', (req: Req) => {
      try {
        this.onRequest(req);
      } catch (e) {
        ctx.log.error(`xds: ${protocol} request handling failed`, { error: String((e as Error).stack ?? e) });
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

  protected abstract onRequest(req: Req): void;

  abstract onSnapshot(snapshot: Snapshot): void;

  /**
   * Handles the first request of the stream: it must carry the node; the node's fleet must admit it. Returns
   * false (the stream is refused) otherwise.
   */
  protected open(req: Req): boolean {
    if (this.status) return true;
    if (!req.node) {
      this.fail(3 /* INVALID_ARGUMENT */, 'the first request of a stream must carry node');
      return false;
    }
    const fleet = fleetOf(req.node, this.ctx.fleets);
    const denial = this.ctx.authorize?.(this.call, req.node, fleet);
    if (denial) {
      this.fail(7 /* PERMISSION_DENIED */, denial);
      return false;
    }
    this.status = {
      streamId: this.ctx.nextStreamId(), node: req.node, fleet, protocol: this.protocol, aggregated: !this.fixedKind,
      connectedAt: Date.now(), types: {},
    };
    if (this.queue) this.queue.fleetKey = fleet.key;
    this.ctx.registry.add(this.status);
    this.snapshot = this.ctx.cache.watch(fleet, this);
    return true;
  }

  protected nextNonce(): string {
    return `${this.noncePrefix}${++this.nonce}`;
  }

  protected close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.status) {
      this.ctx.cache.unwatch(this.status.fleet.key, this);
      this.ctx.registry.remove(this.status.streamId);
    }
  }

  protected fail(code: number, message: string): void {
    this.ctx.log.warn('xds: stream refused', { code, message });
    this.call.emit('error', Object.assign(new Error(message), { code, details: message }));
    this.close();
  }

  /** Hands a response to grpc-js; false when the send queue overflowed and the stream was reset. */
  protected write(buf: Buffer | ResponseParts): boolean {
    if (this.closed) return false;
    if (!this.queue) {
      responseWriterOf(this.call).write(buf);
      return true;
    }
    if (this.queue.write(buf)) return true;
    this.ctx.log.warn('xds: slow client disconnected (stream reset, RESOURCE_EXHAUSTED): it does not read its responses', {
      node: this.status?.node.id, fleet: this.status?.fleet.key, queuedBytes: this.queue.pendingBytes,
      queuedResponses: this.queue.pendingMessages, limitBytes: this.queue.limit,
    });
    this.close();
    return false;
  }

  /** Server shutdown: ends the stream with UNAVAILABLE once what was sent has left (the client reconnects elsewhere). */
  drain(reason: string): void {
    if (this.closed) return;
    this.close();
    this.call.emit('error', Object.assign(new Error(reason), { code: 14 /* UNAVAILABLE */, details: reason }));
  }
}
