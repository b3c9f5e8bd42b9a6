// Resource limits of the xDS server: what one client can make it hold or do.
//
// - Inbound message size: grpc.max_receive_message_length (xds.maxMessageBytes).
// - Streams per connection: HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS (grpc.max_concurrent_streams).
// - Keepalive: the server pings idle connections and drops peers that stop answering
//   (grpc.keepalive_time_ms / grpc.keepalive_timeout_ms); and it enforces a ping policy on clients, which
//   grpc-js does not do: a connection pinging more often than `minPingIntervalMs` more than
//   `maxPingStrikes` times gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings", as gRPC C-core and Go do.
// - Send queue per stream: responses a client has not read yet stay in memory (HTTP/2 flow control stops
//   sending when the client stops reading, and every further snapshot adds a response). A stream whose
//   unsent bytes exceed `maxQueuedBytesPerStream` is reset with RST_STREAM ENHANCE_YOUR_CALM (gRPC clients
//   report RESOURCE_EXHAUSTED) and the queued bytes are released; the stream logs the reason. A trailing
//   grpc-status cannot be sent instead: it would queue behind the data the client does not read.
import * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from './stream-context';
import type { ResponseParts } from './wire';
import { http2StreamOf, responseWriterOf } from './framed-writer';

export interface XdsLimits {
  /** Unsent response bytes one stream may hold before it is cut (always at least one response). */
  maxQueuedBytesPerStream: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS. */
  maxConcurrentStreams: number;
  /** Server keepalive: ping a connection after this much inactivity, drop it when the ping is not answered in keepaliveTimeoutMs. */
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  /** Client pings closer together than this are strikes; 0 disables the policy. */
  minPingIntervalMs: number;
  maxPingStrikes: number;
}

export const DEFAULT_LIMITS: XdsLimits = {
  maxQueuedBytesPerStream: 64 * 1024 * 1024,
  maxConcurrentStreams: 100,
  keepaliveTimeMs: 60_000,
  keepaliveTimeoutMs: 20_000,
  minPingIntervalMs: 10_000,
  maxPingStrikes: 2,
};

export function resolveLimits(l: Partial<XdsLimits> | undefined, maxMessageBytes?: number): XdsLimits {
  const out = { ...DEFAULT_LIMITS, ...l };
  // A configuration larger than the default queue still gets two full responses of room.
  if (!l?.maxQueuedBytesPerStream && maxMessageBytes) out.maxQueuedBytesPerStream = Math.max(out.maxQueuedBytesPerStream, 2 * maxMessageBytes);
  return out;
}

/** The grpc-js server options that implement the limits grpc-js knows about. */
export function limitsChannelOptions(l: XdsLimits): grpc.ChannelOptions {
  return {
    'grpc.max_concurrent_streams': l.maxConcurrentStreams,
    'grpc.keepalive_time_ms': l.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': l.keepaliveTimeoutMs,
  };
}

/** Resets the call's HTTP/2 stream (dropping what is queued on it); falls back to destroying the call. */
export function resetCall(call: grpc.ServerDuplexStream<any, any>, code = http2.constants.NGHTTP2_ENHANCE_YOUR_CALM): void {
  const s = http2StreamOf(call);
  if (s && !s.closed && !s.destroyed) s.close(code);
  else if (!s) call.destroy();
}

/**
 * Byte accounting of one stream's responses: write() counts what was handed to grpc-js until HTTP/2 has
 * taken it. Over the bound, the stream is reset and write() returns false (then and afterwards).
 */
export class SendQueue {
  pendingBytes = 0;
  pendingMessages = 0;
  overflowed = false;
  /** The stream's fleet key once known (for metrics). */
  fleetKey?: string;

  constructor(
    private readonly call: grpc.ServerDuplexStream<any, Buffer>,
    readonly limit: number,
    private readonly onOverflow?: (q: SendQueue) => void,
  ) {}

  write(buf: Buffer | ResponseParts): boolean {
    if (this.overflowed) return false;
    // Room for at least one response: only bytes already waiting count against the bound.
    if (this.pendingBytes > 0 && this.pendingBytes + buf.length > this.limit) {
      this.overflowed = true;
      this.onOverflow?.(this);
      resetCall(this.call);
      return false;
    }
    const n = buf.length;
    this.pendingBytes += n;
    this.pendingMessages++;
    responseWriterOf(this.call).write(buf, () => {
      this.pendingBytes -= n;
      this.pendingMessages--;
    });
    return true;
  }
}

/**
 * Enforces the client ping policy on every connection of a bound grpc-js server (call after bindAsync).
 * grpc-js keeps its HTTP/2 servers in a private map; if that changes, this logs once and does nothing.
 */
export function enforcePingPolicy(server: grpc.Server, l: XdsLimits, log: Logger, onViolation?: (peer: string) => void): void {
  if (l.minPingIntervalMs <= 0) return;
  const servers = (server as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) {
    log.warn('xds: ping policy not enforced (grpc-js internals changed)');
    return;
  }
  for (const s of servers.keys()) {
    if ((s as unknown as { __pingPolicy?: boolean }).__pingPolicy) continue;
    (s as unknown as { __pingPolicy?: boolean }).__pingPolicy = true;
    s.on('session', (session: http2.ServerHttp2Session) => {
      let last = 0;
      let strikes = 0;
      let closing = false;
      session.on('ping', () => {
        if (closing) return;
        const now = Date.now();
        if (last !== 0 && now - last < l.minPingIntervalMs) strikes++;
        last = now;
        if (strikes > l.maxPingStrikes && !session.closed && !session.destroyed) {
          closing = true;
          const peer = `${session.socket?.remoteAddress ?? '?'}:${session.socket?.remotePort ?? '?'}`;
          log.warn('xds: connection closed: too many pings (GOAWAY ENHANCE_YOUR_CALM)', { peer, minPingIntervalMs: l.minPingIntervalMs });
          onViolation?.(peer);
          const calm = http2.constants.NGHTTP2_ENHANCE_YOUR_CALM;
          session.goaway(calm, 0, Buffer.from('too_many_pings'));
          // Let the GOAWAY leave before the socket goes.
          setTimeout(() => session.destroyed || session.destroy(undefined, calm), 50).unref();
        }
      });
    });
  }
}
