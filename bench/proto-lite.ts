// Just enough protobuf for benchmark ADS clients and the bare "floor" server: DiscoveryRequests written by
// hand, and the top-level fields of DiscoveryResponses read without decoding the resources (a client that
// decoded every resource of a 10,000-route configuration would measure itself, not the server).
import * as protobuf from 'protobufjs';

export const TYPE_URLS = {
  clusters: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoints: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  listeners: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routes: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  secrets: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type Kind = keyof typeof TYPE_URLS;
export const KINDS: Kind[] = ['clusters', 'endpoints', 'listeners', 'routes', 'secrets'];
export const KIND_BY_URL: Record<string, Kind> = Object.fromEntries(Object.entries(TYPE_URLS).map(([k, v]) => [v, k as Kind]));

export const ADS_SOTW = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
export const ADS_DELTA = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';

function node(w: protobuf.Writer, field: number, id: string, cluster: string): void {
  const n = protobuf.Writer.create().uint32(0x0a).string(id).uint32(0x12).string(cluster).uint32(0x32).string('traefik-xds-bench').finish();
  w.uint32((field << 3) | 2).bytes(n);
}

/** DiscoveryRequest: version_info=1, node=2, resource_names=3, type_url=4, response_nonce=5. */
export function sotwRequest(o: { node?: { id: string; cluster: string }; version?: string; names?: string[]; typeUrl: string; nonce?: string }): Buffer {
  const w = protobuf.Writer.create();
  if (o.version) w.uint32(0x0a).string(o.version);
  if (o.node) node(w, 2, o.node.id, o.node.cluster);
  for (const n of o.names ?? []) w.uint32(0x1a).string(n);
  w.uint32(0x22).string(o.typeUrl);
  if (o.nonce) w.uint32(0x2a).string(o.nonce);
  return Buffer.from(w.finish());
}

/** DeltaDiscoveryRequest: node=1, type_url=2, resource_names_subscribe=3, response_nonce=6. */
export function deltaRequest(o: { node?: { id: string; cluster: string }; subscribe?: string[]; typeUrl: string; nonce?: string }): Buffer {
  const w = protobuf.Writer.create();
  if (o.node) node(w, 1, o.node.id, o.node.cluster);
  w.uint32(0x12).string(o.typeUrl);
  for (const n of o.subscribe ?? []) w.uint32(0x1a).string(n);
  if (o.nonce) w.uint32(0x32).string(o.nonce);
  return Buffer.from(w.finish());
}

export interface ResponseHead {
  /** version_info (SotW) or system_version_info (delta). */
  version: string;
  typeUrl: string;
  nonce: string;
  resources: number;
  removed: number;
}

/**
 * The top-level fields of a DiscoveryResponse or DeltaDiscoveryResponse: field 1 version, 2 resources (counted,
 * not decoded), 4 type_url, 5 nonce, 6 removed_resources in delta (control_plane in SotW, a message: skipped).
 */
export function readResponseHead(buf: Uint8Array, delta: boolean): ResponseHead {
  const r = protobuf.Reader.create(buf);
  const out: ResponseHead = { version: '', typeUrl: '', nonce: '', resources: 0, removed: 0 };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) out.version = r.string();
    else if (field === 4) out.typeUrl = r.string();
    else if (field === 5) out.nonce = r.string();
    else if (field === 2) {
      out.resources++;
      r.skipType(tag & 7);
    } else if (field === 6 && delta) {
      out.removed++;
      r.skipType(tag & 7);
    } else r.skipType(tag & 7);
  }
  return out;
}
