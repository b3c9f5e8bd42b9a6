// Schema-guided traversal of Envoy JSON: visits every message in a document with its type name
// and path, looking inside google.protobuf.Any by its "@type". Tolerant: unknown fields and
// ill-typed values are skipped (validation reports them), and both snake_case and lowerCamel
// field names are followed.

import type { JsonObject } from './json';
import { findTypeByUrl } from './proto';
import { TypeInfo, jsonNameOf, messageInfo, typeInfo } from './schema';

/** Called for each message; return false to skip what is inside it. */
export type MessageVisitor = (typeName: string, json: JsonObject, path: string) => void | boolean;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

export function walkMessages(typeName: string, json: unknown, visit: MessageVisitor, path = ''): void {
  walk(typeInfo(typeName), json, visit, path);
}

function walk(ti: TypeInfo, json: unknown, visit: MessageVisitor, path: string): void {
  if (!isObject(json)) return;
  if (ti.wellKnown) {
    if (ti.wellKnown !== 'any' || typeof json['@type'] !== 'string') return;
    const inner = findTypeByUrl(json['@type']);
    if (inner) walk(typeInfo(inner), json, visit, path);
    return;
  }
  if (visit(ti.fullName, json, path) === false) return;
  for (const key of Object.keys(json)) {
    const fi = ti.byName.get(key);
    if (!fi || fi.kind !== 'message') continue;
    const child = messageInfo(fi);
    if (child.wellKnown && child.wellKnown !== 'any') continue;
    const v = json[key];
    const p = join(path, fi.name);
    if (fi.map) {
      if (isObject(v)) for (const k of Object.keys(v)) walk(child, v[k], visit, `${p}[${JSON.stringify(k)}]`);
    } else if (fi.repeated) {
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(child, v[i], visit, `${p}[${i}]`);
    } else {
      walk(child, v, visit, p);
    }
  }
}

const camelNames = new Map<string, string>();

/** A field of a JSON-form message by its proto name, also found under its lowerCamel name. */
export function getField(json: JsonObject, name: string): unknown {
  if (name in json) return json[name];
  let camel = camelNames.get(name);
  if (camel === undefined) camelNames.set(name, (camel = jsonNameOf(name)));
  return json[camel];
}
