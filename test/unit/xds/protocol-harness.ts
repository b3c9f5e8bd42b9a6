// A bare XdsServer on 127.0.0.1:0 whose snapshots the test publishes itself, and small helpers around the
// raw ADS client (acknowledging, rejecting, reading resource names and versions).
import { SnapshotCache } from '../../../src/xds/cache';
import { ClientRegistry, type ClientStatus, type NackEvent } from '../../../src/xds/clients';
import { XdsServer } from '../../../src/xds/server';
import { buildSnapshot, type Snapshot } from '../../../src/xds/snapshot';
import { silentLogger } from '../../../src/xds/stream-context';
import type { Fleet } from '../../../src/config/types';
import type { EnvoyResources } from '../../../src/envoy/resources';
import { RawXdsClient, type Decoded } from '../../helpers/ads-client';
import { world, type World } from './protocol-fixtures';
import { assertValidEnvoy } from '../../helpers/envoy-check';

/** The snapshot key of a node with user_agent_name "envoy" and no fleets configured. */
export const ENVOY_KEY = 'default/envoy';

export const CDS_METHODS = {
  sotw: '/envoy.service.cluster.v3.ClusterDiscoveryService/StreamClusters',
  delta: '/envoy.service.cluster.v3.ClusterDiscoveryService/DeltaClusters',
};

export class BareServer {
  readonly cache = new SnapshotCache();
  readonly registry = new ClientRegistry();
  readonly nacks: NackEvent[] = [];
  readonly server: XdsServer;
  address = '';
  private readonly clients: RawXdsClient[] = [];
  private streamId = 0;

  constructor(fleets: Fleet[] = []) {
    this.server = new XdsServer({ cache: this.cache, registry: this.registry, fleets, log: silentLogger, nextStreamId: () => ++this.streamId });
    this.registry.onNack((e) => this.nacks.push(e));
  }

  static async start(initial?: World): Promise<BareServer> {
    const s = new BareServer();
    const port = await s.server.listen('127.0.0.1:0');
    s.address = `127.0.0.1:${port}`;
    if (initial) s.publish(initial);
    return s;
  }

  /** Validates, builds (reusing the previous snapshot's encodings) and publishes a world. */
  publish(w: World | EnvoyResources, key = ENVOY_KEY): Snapshot {
    const r = 'listeners' in w && Array.isArray(w.listeners) ? (w as EnvoyResources) : world(w as World);
    assertValidEnvoy(r);
    const snap = buildSnapshot(r, this.cache.get(key));
    this.cache.set(key, snap);
    return snap;
  }

  client(delta = false, method?: string): RawXdsClient {
    const c = method ? new RawXdsClient(this.address, delta, method) : new RawXdsClient(this.address, delta);
    this.clients.push(c);
    return c;
  }

  /** The registry entry of the only (or the given) connected stream. */
  status(index = 0): ClientStatus {
    const list = this.registry.list();
    if (!list[index]) throw new Error(`no client #${index} in the registry (${list.length} connected)`);
    return list[index];
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    await this.server.shutdown(200);
  }
}

/** Names of the resources of a SotW or delta response. */
export function names(resp: Decoded): string[] {
  const list = (resp.resources ?? []) as Decoded[];
  return list.map((r) => (r.name as string | undefined) ?? (r.resource?.name as string | undefined) ?? (r.resource?.cluster_name as string | undefined) ?? (r.cluster_name as string)).filter((n) => n !== undefined);
}

/** The resources of a SotW response (or the inner resources of a delta response), by name. */
export function byName(resp: Decoded): Map<string, Decoded> {
  const out = new Map<string, Decoded>();
  for (const r of (resp.resources ?? []) as Decoded[]) {
    const body = (r.resource as Decoded | undefined) ?? r;
    out.set((r.name as string | undefined) ?? (body.name as string | undefined) ?? (body.cluster_name as string), body);
  }
  return out;
}

/** Delta: name → version of the resources of a response. */
export function versions(resp: Decoded): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of (resp.resources ?? []) as Decoded[]) out[r.name as string] = r.version as string;
  return out;
}

/** SotW ACK of a response (same resource names unless given). */
export function ack(c: RawXdsClient, resp: Decoded, resourceNames: string[] = []): void {
  c.send({ type_url: resp.type_url, version_info: resp.version_info, response_nonce: resp.nonce, resource_names: resourceNames });
}

/** SotW NACK: the last applied version, the rejected response's nonce, and error_detail. */
export function nack(c: RawXdsClient, resp: Decoded, appliedVersion: string, message: string, resourceNames: string[] = []): void {
  c.send({
    type_url: resp.type_url, version_info: appliedVersion, response_nonce: resp.nonce, resource_names: resourceNames,
    error_detail: { code: 3, message },
  });
}

/** Delta ACK. */
export function deltaAck(c: RawXdsClient, resp: Decoded): void {
  c.send({ type_url: resp.type_url, response_nonce: resp.nonce });
}

/** Next response, asserting its type (responses of other types are a test failure with a clear message). */
export async function nextOf(c: RawXdsClient, typeUrl: string, timeoutMs = 3000): Promise<Decoded> {
  const r = await c.next(timeoutMs);
  if (r.type_url !== typeUrl) throw new Error(`expected a response of ${typeUrl}, got ${r.type_url} (${names(r).join(', ')})`);
  return r;
}

/** Every response until the stream has been quiet for `quietMs` (at most `max`). */
export async function drain(c: RawXdsClient, quietMs = 300, max = 20): Promise<Decoded[]> {
  const out: Decoded[] = [];
  for (let i = 0; i < max; i++) {
    try {
      out.push(await c.next(quietMs));
    } catch {
      return out;
    }
  }
  throw new Error(`more than ${max} responses without a pause`);
}
