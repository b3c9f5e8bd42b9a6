// Envoy's API as a protobufjs Root, loaded once from generated/envoy.json (see scripts/gen-envoy.ts).

import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';

const GENERATED_JSON = path.resolve(__dirname, '../../generated/envoy.json');
const TYPE_URL_PREFIX = 'type.googleapis.com/';

let root: protobuf.Root | undefined;
const typeCache = new Map<string, protobuf.Type>();

/** The Root holding every Envoy message we can emit; loaded on first use. */
export function envoyRoot(): protobuf.Root {
  if (root) return root;
  if (!fs.existsSync(GENERATED_JSON)) {
    throw new Error(`${GENERATED_JSON} is missing: run \`npm run gen\` to compile the Envoy protos`);
  }
  const r = protobuf.Root.fromJSON(JSON.parse(fs.readFileSync(GENERATED_JSON, 'utf8')));
  r.resolveAll();
  root = r;
  return r;
}

/** The message type `fullName` (`envoy.config.listener.v3.Listener`, no leading dot). Throws if unknown. */
export function lookupType(fullName: string): protobuf.Type {
  let t = typeCache.get(fullName);
  if (!t) {
    t = findType(fullName);
    if (!t) throw new Error(`unknown Envoy message type ${fullName}`);
  }
  return t;
}

/** Like lookupType but returns undefined for an unknown name. */
export function findType(fullName: string): protobuf.Type | undefined {
  const cached = typeCache.get(fullName);
  if (cached) return cached;
  const name = fullName.startsWith('.') ? fullName.slice(1) : fullName;
  const r = envoyRoot(); // outside the try: a missing generated/ must surface
  let t: protobuf.ReflectionObject | null = null;
  try {
    t = r.lookup(name);
  } catch {
    t = null; // protobufjs throws on some malformed names
  }
  if (!(t instanceof protobuf.Type)) return undefined;
  typeCache.set(fullName, t);
  return t;
}

/** `type.googleapis.com/<fullName>`. */
export function typeUrl(fullName: string): string {
  return TYPE_URL_PREFIX + fullName;
}

/** The message name of a type URL (everything after the last `/`), as proto3 JSON resolves `@type`. */
export function typeNameFromUrl(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/** The message type a type URL names, or undefined when it is not in our root. */
export function findTypeByUrl(url: string): protobuf.Type | undefined {
  const name = typeNameFromUrl(url);
  return name ? findType(name) : undefined;
}

// ---------- the five xDS resource types ----------

export type XdsShortName = 'lds' | 'rds' | 'cds' | 'eds' | 'sds';

export const LISTENER_TYPE = 'envoy.config.listener.v3.Listener';
export const ROUTE_CONFIGURATION_TYPE = 'envoy.config.route.v3.RouteConfiguration';
export const CLUSTER_TYPE = 'envoy.config.cluster.v3.Cluster';
export const CLUSTER_LOAD_ASSIGNMENT_TYPE = 'envoy.config.endpoint.v3.ClusterLoadAssignment';
export const SECRET_TYPE = 'envoy.extensions.transport_sockets.tls.v3.Secret';

export const LISTENER_TYPE_URL = typeUrl(LISTENER_TYPE);
export const ROUTE_CONFIGURATION_TYPE_URL = typeUrl(ROUTE_CONFIGURATION_TYPE);
export const CLUSTER_TYPE_URL = typeUrl(CLUSTER_TYPE);
export const CLUSTER_LOAD_ASSIGNMENT_TYPE_URL = typeUrl(CLUSTER_LOAD_ASSIGNMENT_TYPE);
export const SECRET_TYPE_URL = typeUrl(SECRET_TYPE);

export interface XdsResourceType {
  short: XdsShortName;
  typeName: string;
  typeUrl: string;
}

/** The five resource types we serve, by their conventional short names. */
export const XDS_RESOURCE_TYPES: Record<XdsShortName, XdsResourceType> = {
  lds: { short: 'lds', typeName: LISTENER_TYPE, typeUrl: LISTENER_TYPE_URL },
  rds: { short: 'rds', typeName: ROUTE_CONFIGURATION_TYPE, typeUrl: ROUTE_CONFIGURATION_TYPE_URL },
  cds: { short: 'cds', typeName: CLUSTER_TYPE, typeUrl: CLUSTER_TYPE_URL },
  eds: { short: 'eds', typeName: CLUSTER_LOAD_ASSIGNMENT_TYPE, typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL },
  sds: { short: 'sds', typeName: SECRET_TYPE, typeUrl: SECRET_TYPE_URL },
};

/** The xDS resource type of a type URL, if it is one of the five. */
export function xdsTypeByUrl(url: string): XdsResourceType | undefined {
  return Object.values(XDS_RESOURCE_TYPES).find((t) => t.typeUrl === url);
}
