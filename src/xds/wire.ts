// xDS messages on the wire. Requests are decoded with Envoy's protos; responses are framed by hand around
// resource bytes encoded once per version (snapshot.ts), so a response to N streams costs N small copies,
// not N encodings.
import * as protobuf from 'protobufjs';
import { lookupType } from '../envoy/proto';

export interface NodeInfo {
  id: string;
  cluster: string;
  metadata: Record<string, unknown>;
  userAgentName: string;
  userAgentVersion: string;
}

export interface StatusDetail {
  code: number;
  message: string;
}

export interface SotwRequest {
  versionInfo: string;
  node?: NodeInfo;
  resourceNames: string[];
  typeUrl: string;
  responseNonce: string;
  errorDetail?: StatusDetail;
}

export interface DeltaRequest {
  node?: NodeInfo;
  typeUrl: string;
  subscribe: string[];
  unsubscribe: string[];
  initialResourceVersions: Record<string, string>;
  responseNonce: string;
  errorDetail?: StatusDetail;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: false, arrays: true, objects: true };

let sotwRequestType: protobuf.Type | undefined;
let deltaRequestType: protobuf.Type | undefined;

function structToJson(s: unknown): Record<string, unknown> {
  const fields = (s as { fields?: Record<string, unknown> } | undefined)?.fields ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = valueToJson(v);
  return out;
}

function valueToJson(v: unknown): unknown {
  const x = v as Record<string, unknown>;
  if (!x || typeof x !== 'object') return null;
  // protobufjs's built-in google.protobuf.Value uses camelCase names; accept both spellings.
  const pick = (snake: string, camel: string) => (snake in x ? x[snake] : x[camel]);
  if ('string_value' in x || 'stringValue' in x) return pick('string_value', 'stringValue');
  if ('number_value' in x || 'numberValue' in x) return pick('number_value', 'numberValue');
  if ('bool_value' in x || 'boolValue' in x) return pick('bool_value', 'boolValue');
  if ('struct_value' in x || 'structValue' in x) return structToJson(pick('struct_value', 'structValue'));
  if ('list_value' in x || 'listValue' in x) return ((pick('list_value', 'listValue') as { values?: unknown[] }).values ?? []).map(valueToJson);
  return null;
}

function nodeOf(n: unknown): NodeInfo | undefined {
  if (!n) return undefined;
  const x = n as Record<string, unknown>;
  return {
    id: String(x.id ?? ''),
    cluster: String(x.cluster ?? ''),
    metadata: structToJson(x.metadata),
    userAgentName: String(x.user_agent_name ?? ''),
    userAgentVersion: String(x.user_agent_version ?? ''),
  };
}

function statusOf(s: unknown): StatusDetail | undefined {
  if (!s) return undefined;
  const x = s as Record<string, unknown>;
  return { code: Number(x.code ?? 0), message: String(x.message ?? '') };
}

export function decodeSotwRequest(buf: Buffer): SotwRequest {
  sotwRequestType ??= lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  const o = sotwRequestType.toObject(sotwRequestType.decode(buf), TO_OBJECT) as Record<string, unknown>;
  return {
    versionInfo: String(o.version_info ?? ''),
    node: nodeOf(o.node),
    resourceNames: (o.resource_names as string[]) ?? [],
    typeUrl: String(o.type_url ?? ''),
    responseNonce: String(o.response_nonce ?? ''),
    errorDetail: statusOf(o.error_detail),
  };
}

export function decodeDeltaRequest(buf: Buffer): DeltaRequest {
  deltaRequestType ??= lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const o = deltaRequestType.toObject(deltaRequestType.decode(buf), TO_OBJECT) as Record<string, unknown>;
  return {
    node: nodeOf(o.node),
    typeUrl: String(o.type_url ?? ''),
    subscribe: (o.resource_names_subscribe as string[]) ?? [],
    unsubscribe: (o.resource_names_unsubscribe as string[]) ?? [],
    initialResourceVersions: (o.initial_resource_versions as Record<string, string>) ?? {},
    responseNonce: String(o.response_nonce ?? ''),
    errorDetail: statusOf(o.error_detail),
  };
}

/** google.protobuf.Any{type_url, value}: encoded once per resource version. */
export function encodeAny(typeUrl: string, value: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32(0x0a).string(typeUrl).uint32(0x12).bytes(value).finish();
}

const CONTROL_PLANE_ID = 'traefik-xds';

function controlPlane(w: protobuf.Writer, field: number): void {
  const cp = protobuf.Writer.create().uint32(0x0a).string(CONTROL_PLANE_ID).finish();
  w.uint32((field << 3) | 2).bytes(cp);
}

/**
 * A response as a part shared by every stream (resources, encoded once) and a per-stream tail (the nonce).
 * framed-writer.ts writes the two onto the HTTP/2 stream as they are; only on its fallback (grpc-js's own write,
 * which copies each message into a framed buffer) are they put together, in serializeResponse's reused buffer.
 */
export class ResponseParts {
  constructor(readonly head: Buffer, readonly tail: Buffer) {}
  get length(): number {
    return this.head.length + this.tail.length;
  }
}

let scratch = Buffer.alloc(0);

/**
 * The server's responseSerialize: framed bytes as they are, or parts joined in a scratch buffer. grpc-js copies
 * the result at once (ServerInterceptingCall.serializeMessage), before any other response is serialized.
 */
export function serializeResponse(r: Buffer | ResponseParts): Buffer {
  if (Buffer.isBuffer(r)) return r;
  const n = r.length;
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  r.head.copy(scratch, 0);
  r.tail.copy(scratch, r.head.length);
  return scratch.subarray(0, n);
}

/**
 * A DiscoveryResponse in two parts: what precedes the nonce (version_info, resources, type_url), the same for
 * every stream sent this selection at this version, and the rest (nonce, control_plane). Fields are written
 * in number order either way: head + tail is byte for byte encodeSotwResponse.
 */
export function encodeSotwResponseHead(versionInfo: string, anys: Uint8Array[], typeUrl: string): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).string(versionInfo);
  for (const a of anys) w.uint32(0x12).bytes(a);
  w.uint32(0x22).string(typeUrl);
  return Buffer.from(w.finish());
}

export function encodeSotwResponseTail(nonce: string): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(0x2a).string(nonce);
  controlPlane(w, 6);
  return Buffer.from(w.finish());
}

/** DiscoveryResponse: version_info=1, resources=2 (Any), type_url=4, nonce=5, control_plane=6. */
export function encodeSotwResponse(versionInfo: string, anys: Uint8Array[], typeUrl: string, nonce: string): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).string(versionInfo);
  for (const a of anys) w.uint32(0x12).bytes(a);
  w.uint32(0x22).string(typeUrl);
  w.uint32(0x2a).string(nonce);
  controlPlane(w, 6);
  return Buffer.from(w.finish());
}

/** Resource{version=1, resource=2 (Any), name=3}. */
export function encodeDeltaResource(name: string, version: string, any: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32(0x0a).string(version).uint32(0x12).bytes(any).uint32(0x1a).string(name).finish();
}

/**
 * A DeltaDiscoveryResponse in two parts, as encodeSotwResponseHead/Tail: system_version_info, resources and
 * type_url (shared by every stream sent the same resources), then nonce, removed_resources and control_plane.
 * head + tail is byte for byte encodeDeltaResponse.
 */
export function encodeDeltaResponseHead(systemVersion: string, resources: Uint8Array[], typeUrl: string): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).string(systemVersion);
  for (const r of resources) w.uint32(0x12).bytes(r);
  w.uint32(0x22).string(typeUrl);
  return Buffer.from(w.finish());
}

export function encodeDeltaResponseTail(removed: string[], nonce: string): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(0x2a).string(nonce);
  for (const r of removed) w.uint32(0x32).string(r);
  controlPlane(w, 7);
  return Buffer.from(w.finish());
}

/** DeltaDiscoveryResponse: system_version_info=1, resources=2, type_url=4, nonce=5, removed_resources=6, control_plane=7. */
export function encodeDeltaResponse(systemVersion: string, resources: Uint8Array[], typeUrl: string, removed: string[], nonce: string): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).string(systemVersion);
  for (const r of resources) w.uint32(0x12).bytes(r);
  w.uint32(0x22).string(typeUrl);
  w.uint32(0x2a).string(nonce);
  for (const r of removed) w.uint32(0x32).string(r);
  controlPlane(w, 7);
  return Buffer.from(w.finish());
}
