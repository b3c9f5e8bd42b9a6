// A raw gRPC xDS client for protocol and operations tests: sends DiscoveryRequests written in Envoy's JSON form
// and returns each decoded response (resources expanded to JSON) as it came, with bounded waits. It keeps no view
// of the resources: since SotW responses for RDS/EDS/SDS may carry only the changed resources, a test that follows
// a type across responses merges them (see mergeResources).
import * as grpc from '@grpc/grpc-js';
import { encodeResource, decodeResource } from '../../src/envoy/json';

const SOTW_REQ = 'envoy.service.discovery.v3.DiscoveryRequest';
const SOTW_RESP = 'envoy.service.discovery.v3.DiscoveryResponse';
const DELTA_REQ = 'envoy.service.discovery.v3.DeltaDiscoveryRequest';
const DELTA_RESP = 'envoy.service.discovery.v3.DeltaDiscoveryResponse';

export const TYPE = {
  lds: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  rds: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cds: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  eds: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  sds: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export interface Decoded {
  [k: string]: any;
}

export class RawXdsClient {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly queue: Decoded[] = [];
  private waiters: ((d: Decoded) => void)[] = [];
  error?: grpc.ServiceError;
  ended = false;

  constructor(address: string, readonly delta = false, method = delta
    ? '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources'
    : '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
  credentials = grpc.credentials.createInsecure(), channelOptions: grpc.ChannelOptions = {},
  ) {
    this.client = new grpc.Client(address, credentials, { 'grpc.max_receive_message_length': 64 * 1024 * 1024, ...channelOptions });
    this.call = this.client.makeBidiStreamRequest(method, (b: Buffer) => b, (b: Buffer) => b);
    this.call.on('data', (buf: Buffer) => {
      const d = decodeResource(delta ? DELTA_RESP : SOTW_RESP, buf) as Decoded;
      const w = this.waiters.shift();
      if (w) w(d);
      else this.queue.push(d);
    });
    this.call.on('error', (e: grpc.ServiceError) => {
      this.error = e;
    });
    this.call.on('end', () => {
      this.ended = true;
    });
  }

  send(req: Decoded): void {
    this.call.write(Buffer.from(encodeResource(this.delta ? DELTA_REQ : SOTW_REQ, req)));
  }

  /** The next response, or an error after `timeoutMs`. */
  next(timeoutMs = 5000): Promise<Decoded> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`no xDS response within ${timeoutMs} ms${this.error ? ` (stream error: ${this.error.code} ${this.error.details})` : ''}`));
      }, timeoutMs);
      const done = (d: Decoded) => {
        clearTimeout(t);
        resolve(d);
      };
      this.waiters.push(done);
    });
  }

  /** Resolves true when no response arrives within `ms` (used to assert that nothing is sent). */
  async quiet(ms = 300): Promise<boolean> {
    if (this.queue.length) return false;
    try {
      await this.next(ms);
      return false;
    } catch {
      return true;
    }
  }

  /** Waits until the stream ends with an error status; resolves with it. */
  async failure(timeoutMs = 5000): Promise<grpc.ServiceError> {
    const start = Date.now();
    while (!this.error && Date.now() - start < timeoutMs) await new Promise((r) => setTimeout(r, 20));
    if (!this.error) throw new Error('the stream did not fail');
    return this.error;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

export function node(id: string, cluster = 'gateway', extra: Decoded = {}): Decoded {
  return { id, cluster, user_agent_name: 'envoy', ...extra };
}

/**
 * A client's view of one type after a SotW response: LDS and CDS responses hold the whole state; RDS, EDS and SDS
 * ones may hold only the changed resources, so the others held stay (xDS "Grouping Resources into Responses").
 * `subscribed` (when given) drops what the client no longer asks for, as Envoy does.
 */
export function mergeResources(held: Map<string, Decoded>, resp: Decoded, subscribed?: string[]): Map<string, Decoded> {
  const full = resp.type_url === TYPE.lds || resp.type_url === TYPE.cds;
  const out = full ? new Map<string, Decoded>() : new Map(held);
  for (const r of (resp.resources ?? []) as Decoded[]) out.set((r.name ?? r.cluster_name) as string, r);
  if (subscribed && !full) for (const n of [...out.keys()]) if (!subscribed.includes(n)) out.delete(n);
  return out;
}

/** Every value of a field named `key`, anywhere in a JSON tree. */
export function collect(json: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(json)) for (const x of json) collect(x, key, out);
  else if (json && typeof json === 'object') {
    for (const [k, v] of Object.entries(json)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}
