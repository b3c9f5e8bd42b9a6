// Writes responses onto a call's HTTP/2 stream as gRPC messages, without grpc-js's copy of each one.
//
// grpc-js serializes every message it sends into a framed buffer of its own (5-byte prefix + message), one copy
// per stream: a route configuration pushed to 1,000 clients was 1,000 copies of it in memory at once, garbage
// until the next full collection, and copying them was a large part of a push. Responses here are mostly a part
// shared by every stream sent the same thing (encoded once, wire.ts ResponseParts) and a small per-stream tail
// (the nonce), so this writes the gRPC length prefix, the shared part and the tail as three writes of one corked
// HTTP/2 write: the shared buffer goes to the socket by reference, nothing large is allocated per stream.
//
// It writes what grpc-js would (uncompressed messages: grpc-js never compresses server messages), after the
// response headers, which it has grpc-js send first (call.sendMetadata). When the HTTP/2 stream cannot be found
// under the call (grpc-js's layout changed), the call's own write is used instead.
import * as grpc from '@grpc/grpc-js';
import type * as http2 from 'node:http2';
import type { ResponseParts } from './wire';

export type WriteDone = (error?: Error | null) => void;

let writeEvents = 0;

/**
 * How many response writes have started or finished in this process so far: a figure that moves while sends are
 * being handed over to HTTP/2 (and stays put when nothing is sent, or when the only pending writes are to clients
 * that stopped reading). serve/reclaim.ts holds its collections while it moves.
 */
export function responseWriteEvents(): number {
  return writeEvents;
}

export interface FramedWriter {
  /** Writes one response as a gRPC message; `done` runs once HTTP/2 has taken all of it (or on error). */
  write(response: Buffer | ResponseParts, done?: WriteDone): void;
}

/** The gRPC message prefix: not compressed, then the length (big-endian). */
function messagePrefix(length: number): Buffer {
  const p = Buffer.allocUnsafe(5);
  p.writeUInt8(0, 0);
  p.writeUInt32BE(length, 1);
  return p;
}

/** The HTTP/2 stream under a grpc-js server call (grpc-js 1.14: call.call[.nextCall…].stream); undefined if the layout changed. */
export function http2StreamOf(call: object): http2.ServerHttp2Stream | undefined {
  return baseCallOf(call)?.stream;
}

/** grpc-js's innermost server call, which holds the HTTP/2 stream and the send limit (grpc-js 1.14 layout). */
function baseCallOf(call: object): { stream: http2.ServerHttp2Stream; maxSendMessageSize?: unknown } | undefined {
  let c: any = (call as any).call;
  for (let i = 0; i < 8 && c; i++) {
    if (c.stream && typeof c.stream.close === 'function' && 'rstCode' in c.stream) return c;
    c = c.nextCall;
  }
  return undefined;
}

class Http2FramedWriter implements FramedWriter {
  private headersSent = false;

  constructor(
    private readonly call: grpc.ServerDuplexStream<any, any>,
    private readonly stream: http2.ServerHttp2Stream,
    /** grpc.max_send_message_length (-1: none): a larger message goes to grpc-js, which ends the call RESOURCE_EXHAUSTED. */
    private readonly maxSendBytes: number,
    private readonly fallback: FramedWriter,
  ) {}

  write(response: Buffer | ResponseParts, done?: WriteDone): void {
    const s = this.stream;
    if (s.destroyed || s.closed || s.writableEnded) {
      done?.(new Error('the stream is closed'));
      return;
    }
    if (this.maxSendBytes >= 0 && response.length > this.maxSendBytes) {
      this.fallback.write(response, done);
      return;
    }
    if (!this.headersSent) {
      this.headersSent = true;
      this.call.sendMetadata(new grpc.Metadata()); // grpc-js's response headers, once (it ignores a second call)
    }
    const parts = Buffer.isBuffer(response) ? [response] : [response.head, response.tail];
    writeEvents++;
    const finished: WriteDone = (e) => {
      writeEvents++;
      done?.(e);
    };
    s.cork();
    s.write(messagePrefix(response.length));
    for (let i = 0; i < parts.length; i++) s.write(parts[i]!, i === parts.length - 1 ? finished : undefined);
    s.uncork();
  }
}

/** grpc-js's own write (a copy per message, made by serializeResponse's caller): the fallback. */
class CallWriter implements FramedWriter {
  constructor(private readonly call: grpc.ServerDuplexStream<any, any>) {}
  write(response: Buffer | ResponseParts, done?: WriteDone): void {
    writeEvents++;
    this.call.write(response, (e?: Error | null) => {
      writeEvents++;
      done?.(e);
    });
  }
}

const writers = new WeakMap<object, FramedWriter>();

/**
 * The writer of this call's responses (one per call): straight onto its HTTP/2 stream, or grpc-js's write when
 * that stream is out of reach. Every response of a call must go through it, so they stay in order.
 */
export function responseWriterOf(call: grpc.ServerDuplexStream<any, any>): FramedWriter {
  let w = writers.get(call);
  if (!w) {
    const base = baseCallOf(call);
    const limit = typeof base?.maxSendMessageSize === 'number' ? base.maxSendMessageSize : -1;
    w = base ? new Http2FramedWriter(call, base.stream, limit, new CallWriter(call)) : new CallWriter(call);
    writers.set(call, w);
  }
  return w;
}
