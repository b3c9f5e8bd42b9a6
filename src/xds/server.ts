// The gRPC xDS server: ADS (state of the world and delta) and the per-type discovery services.
import * as grpc from '@grpc/grpc-js';
import { SotwStream } from './sotw';
import { DeltaStream } from './delta';
import { decodeDeltaRequest, decodeSotwRequest, type DeltaRequest, type SotwRequest } from './wire';
import type { ResourceKind } from '../envoy/resources';
import type { StreamContext } from './stream-context';

const identity = (b: Buffer) => b;

function bidi<Req>(path: string, decode: (b: Buffer) => Req): grpc.MethodDefinition<Req, Buffer> {
  return {
    path,
    requestStream: true,
    responseStream: true,
    requestSerialize: () => Buffer.alloc(0), // the server never sends requests
    requestDeserialize: decode,
    responseSerialize: identity, // responses are framed already (wire.ts)
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
}

export class XdsServer {
  readonly grpc: grpc.Server;
  private port = 0;

  constructor(private readonly ctx: StreamContext, private readonly opts: XdsServerOptions = {}) {
    this.grpc = new grpc.Server({
      'grpc.max_receive_message_length': opts.maxMessageBytes ?? 4 * 1024 * 1024,
      'grpc.max_send_message_length': opts.maxMessageBytes ?? 32 * 1024 * 1024,
      ...opts.channelOptions,
    });
    const sotw = (kind?: ResourceKind) => (call: grpc.ServerDuplexStream<SotwRequest, Buffer>) => void new SotwStream(call, ctx, kind);
    const delta = (kind?: ResourceKind) => (call: grpc.ServerDuplexStream<DeltaRequest, Buffer>) => void new DeltaStream(call, ctx, kind);
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
        resolve(port);
      });
    });
  }

  get boundPort(): number {
    return this.port;
  }

  /** Stops accepting, lets streams end for up to `graceMs`, then cuts the rest. */
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
    });
  }
}
