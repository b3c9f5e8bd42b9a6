// The gRPC xDS server: ADS (state of the world and delta) and the per-type discovery services.
import * as grpc from '@grpc/grpc-js';
import { SotwStream } from './sotw';
import { DeltaStream } from './delta';
import { decodeDeltaRequest, decodeSotwRequest, type DeltaRequest, type SotwRequest, serializeResponse } from './wire';
import type { ResourceKind } from '../envoy/resources';
import type { StreamContext } from './stream-context';
import { watchHandshakeFailures } from './tls';
import { SendQueue, enforcePingPolicy, limitsChannelOptions, resolveLimits, type XdsLimits } from './limits';

const identity = (b: Buffer) => b;

function bidi<Req>(path: string, decode: (b: Buffer) => Req): grpc.MethodDefinition<Req, Buffer> {
  return {
    path,
    requestStream: true,
    responseStream: true,
    requestSerialize: () => Buffer.alloc(0), // the server never sends requests
    requestDeserialize: decode,
    responseSerialize: serializeResponse, // responses are encoded already, or in parts (wire.ts)
    responseDeserialize: identity,
  };
}

/** Per-type services: package, service, the two method names, and the resource kind they serve. */
const PER_TYPE: [string, string, string, string, ResourceKind][] = [
  ['envoy.service.listener.v3', 'ListenerDiscoveryService', 'StreamListeners', 'DeltaListeners', 'listeners'],
  ['envoy.service.route.v3', 'RouteDiscoveryService', 'StreamRoutes', 'DeltaRoutes', 'routes'],
  ['envoy.service.cluster.v3', 'ClusterDiscoveryService', 'StreamClusters', 'DeltaClusters', 'clusters'],
  ['envoy.service.endpoint.v3', 'EndpointDiscoveryService', 'StreamEndpoints', 'DeltaEndpoints', 'endpoints'],
  ['envoy.service.secret.v3', 'SecretDiscoveryService', 'StreamSecrets', 'DeltaSecrets', 'secrets'],
];

export interface XdsServerOptions {
  maxMessageBytes?: number;
  credentials?: grpc.ServerCredentials;
  /** Extra grpc-js server options (keepalive enforcement, stream limits). */
  channelOptions?: grpc.ChannelOptions;
  /** Send queue bound, streams per connection, keepalive and ping policy (limits.ts; defaults there). */
  limits?: Partial<XdsLimits>;
  /** A stream was reset because its client does not read (fleet key when known). */
  onSlowClient?: (fleetKey: string | undefined) => void;
  /** A connection was closed for pinging too often. */
  onPingViolation?: (peer: string) => void;
  /** A TLS handshake failed (no or an untrusted client certificate, plaintext on the TLS port). */
  onHandshakeFailure?: () => void;
}

interface Drainable {
  drain(reason: string): void;
}

export class XdsServer {
  readonly grpc: grpc.Server;
  private port = 0;
  readonly limits: XdsLimits;
  /** Open streams, ended with UNAVAILABLE on shutdown. */
  private readonly live = new Set<Drainable>();

  constructor(private readonly ctx: StreamContext, private readonly opts: XdsServerOptions = {}) {
    this.limits = resolveLimits(opts.limits, opts.maxMessageBytes);
    this.grpc = new grpc.Server({
      'grpc.max_receive_message_length': opts.maxMessageBytes ?? 4 * 1024 * 1024,
      'grpc.max_send_message_length': opts.maxMessageBytes ?? 32 * 1024 * 1024,
      ...limitsChannelOptions(this.limits),
      ...opts.channelOptions,
    });
    const queue = (call: grpc.ServerDuplexStream<any, Buffer>) =>
      new SendQueue(call, this.limits.maxQueuedBytesPerStream, (q) => opts.onSlowClient?.(q.fleetKey));
    const track = (s: Drainable, call: grpc.ServerDuplexStream<any, Buffer>) => {
      this.live.add(s);
      const forget = () => this.live.delete(s);
      for (const ev of ['close', 'finish', 'cancelled', 'error']) call.once(ev, forget);
    };
    const sotw = (kind?: ResourceKind) => (call: grpc.ServerDuplexStream<SotwRequest, Buffer>) => track(new SotwStream(call, ctx, kind, queue(call)), call);
    const delta = (kind?: ResourceKind) => (call: grpc.ServerDuplexStream<DeltaRequest, Buffer>) => track(new DeltaStream(call, ctx, kind, queue(call)), call);
    const adsPath = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';
    this.grpc.addService(
      {
        StreamAggregatedResources: bidi(`${adsPath}StreamAggregatedResources`, decodeSotwRequest),
        DeltaAggregatedResources: bidi(`${adsPath}DeltaAggregatedResources`, decodeDeltaRequest),
      } as grpc.ServiceDefinition,
      { StreamAggregatedResources: sotw(), DeltaAggregatedResources: delta() } as unknown as grpc.UntypedServiceImplementation,
    );
    for (const [pkg, svc, stream, deltaName, kind] of PER_TYPE) {
      const base = `/${pkg}.${svc}/`;
      this.grpc.addService(
        { [stream]: bidi(base + stream, decodeSotwRequest), [deltaName]: bidi(base + deltaName, decodeDeltaRequest) } as grpc.ServiceDefinition,
        { [stream]: sotw(kind), [deltaName]: delta(kind) } as unknown as grpc.UntypedServiceImplementation,
      );
    }
  }

  /** Binds and starts; resolves with the bound port (useful with port 0 in tests). */
  listen(address: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.grpc.bindAsync(address, this.opts.credentials ?? grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) return reject(err);
        this.port = port;
        enforcePingPolicy(this.grpc, this.limits, this.ctx.log, this.opts.onPingViolation);
        watchHandshakeFailures(this.grpc, this.ctx.log, this.opts.onHandshakeFailure);
        resolve(port);
      });
    });
  }

  get boundPort(): number {
    return this.port;
  }

  get openStreams(): number {
    return this.live.size;
  }

  /**
   * Drains: stops accepting connections (GOAWAY to the connected ones), ends every stream with UNAVAILABLE
   * once its queued responses have left (clients reconnect, to another replica behind a Service), and cuts
   * whatever is still open after `graceMs`.
   */
  shutdown(graceMs = 5000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.grpc.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.grpc.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const s of [...this.live]) s.drain('traefik-xds is shutting down; reconnect');
      this.live.clear();
    });
  }
}
