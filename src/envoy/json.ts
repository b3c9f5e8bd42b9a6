// The one mapping between Envoy's JSON form (what Envoy's YAML and /config_dump contain) and
// protobufjs messages. protobufjs's own fromObject/toObject are not proto3 JSON (Any, Duration,
// wrappers, Struct, enum names, 64-bit integers), so this module walks the reflection itself.
//
// Reading is strict: unknown fields, wrong JSON types, bad enum names, malformed durations,
// out-of-range integers and two members of one oneof are errors with a field path. Messages
// built here hold canonical values (implicit-presence defaults left unset, map keys sorted), so
// the same input always encodes to the same bytes.

import * as protobuf from 'protobufjs';
import { findTypeByUrl, lookupType } from './proto';
import { FieldInfo, ScalarKind, TypeInfo, ValueInfo, messageInfo, typeInfo } from './schema';
import {
  formatBase64,
  formatDuration,
  formatFieldMask,
  formatFloat32,
  formatTimestamp,
  parseBase64,
  parseDuration,
  parseFieldMask,
  parseTimestamp,
} from './wkt';

export type JsonObject = { [key: string]: unknown };

/** A problem in an Envoy JSON document, at `path` (e.g. `virtual_hosts[1].domains[0]`). */
export class EnvoyJsonError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'EnvoyJsonError';
  }
}

export interface JsonProblem {
  path: string;
  message: string;
}

/** Marks a value that failed to convert (its error is already thrown or recorded). */
const BAD: unique symbol = Symbol('bad');
type Bad = typeof BAD;

/** The decoded message inside an Any we built, kept so output need not decode the bytes again. */
const ANY_INNER: unique symbol = Symbol('anyInner');

interface ReadCtx {
  /** Collect mode: record problems and go on; otherwise throw the first. */
  problems?: JsonProblem[];
}

function fail(ctx: ReadCtx, path: string, message: string): Bad {
  if (!ctx.problems) throw new EnvoyJsonError(path, message);
  ctx.problems.push({ path, message });
  return BAD;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

// ---------- JSON → message ----------

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const UINT32_MAX = 4294967295;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const FLOAT32_MAX = 3.4028234663852886e38;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function readScalar(kind: ScalarKind, v: unknown, path: string, ctx: ReadCtx): unknown {
  switch (kind) {
    case 'string':
      if (typeof v !== 'string') return fail(ctx, path, `expected a string, got ${describe(v)}`);
      if (LONE_SURROGATE.test(v)) return fail(ctx, path, 'string is not valid UTF-16/UTF-8 (lone surrogate)');
      return v;
    case 'bool':
      if (typeof v !== 'boolean') return fail(ctx, path, `expected true or false, got ${describe(v)}`);
      return v;
    case 'int32':
    case 'uint32': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail(ctx, path, `expected an integer, got ${describe(v)}`);
      const [lo, hi] = kind === 'int32' ? [INT32_MIN, INT32_MAX] : [0, UINT32_MAX];
      if (v < lo || v > hi) return fail(ctx, path, `${v} is out of range for ${kind}`);
      return v;
    }
    case 'int64':
    case 'uint64': {
      let big: bigint;
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) return fail(ctx, path, `expected an integer (give large 64-bit values as strings), got ${describe(v)}`);
        big = BigInt(v);
      } else if (typeof v === 'string' && /^-?\d+$/.test(v)) {
        big = BigInt(v);
      } else {
        return fail(ctx, path, `expected a 64-bit integer (number or decimal string), got ${describe(v)}`);
      }
      const [lo, hi] = kind === 'int64' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
      if (big < lo || big > hi) return fail(ctx, path, `${big} is out of range for ${kind}`);
      return big.toString(); // protobufjs's writer accepts decimal strings for 64-bit fields
    }
    case 'float':
    case 'double': {
      let n: number;
      if (typeof v === 'number') n = v;
      else if (v === 'NaN') n = NaN;
      else if (v === 'Infinity') n = Infinity;
      else if (v === '-Infinity') n = -Infinity;
      else return fail(ctx, path, `expected a number, got ${describe(v)}`);
      if (kind === 'float') {
        if (Number.isFinite(n) && Math.abs(n) > FLOAT32_MAX) return fail(ctx, path, `${n} is out of range for float`);
        n = Math.fround(n);
      }
      return n;
    }
    case 'bytes': {
      if (typeof v !== 'string') return fail(ctx, path, `expected base64 bytes, got ${describe(v)}`);
      return parseBase64(v) ?? fail(ctx, path, 'invalid base64');
    }
  }
}

function readValue(vi: ValueInfo, v: unknown, path: string, ctx: ReadCtx): unknown {
  if (vi.kind === 'message') return readMessage(messageInfo(vi), v, path, ctx);
  if (vi.kind === 'enum') {
    const e = vi.enumInfo!;
    if (typeof v === 'string') {
      const n = e.byName.get(v);
      return n ?? fail(ctx, path, `unknown value ${JSON.stringify(v)} for enum ${e.fullName}`);
    }
    if (typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) return v;
    if (v === null && e.fullName === 'google.protobuf.NullValue') return 0;
    return fail(ctx, path, `expected an enum name of ${e.fullName}, got ${describe(v)}`);
  }
  return readScalar(vi.kind, v, path, ctx);
}

function isDefaultScalar(v: unknown, kind?: string): boolean {
  // protobufjs's prototype default for bytes is a plain empty array. "0" is the zero of a 64-bit integer
  // only: a string field holding "0" (a header value, say) is not its default.
  return v === 0 || v === '' || v === false || (v === '0' && kind !== 'string') || ((v instanceof Uint8Array || Array.isArray(v)) && v.length === 0);
}

/** Map keys arrive as JSON object keys (strings): parse them as the key type. */
function readMapKey(kind: ScalarKind, key: string, path: string, ctx: ReadCtx): string | Bad {
  switch (kind) {
    case 'string':
      return key;
    case 'int32':
    case 'uint32':
      if (!/^-?\d+$/.test(key)) return fail(ctx, path, `map key ${JSON.stringify(key)} is not an integer`);
      return readScalar(kind, Number(key), path, ctx) === BAD ? BAD : String(Number(key));
    default:
      // No reachable Envoy message has bool or 64-bit map keys; protobufjs hashes those.
      return fail(ctx, path, `unsupported map key type ${kind}`);
  }
}

function readField(fi: FieldInfo, v: unknown, path: string, ctx: ReadCtx): unknown {
  if (fi.map) {
    if (!isObject(v)) return fail(ctx, path, `expected an object (map), got ${describe(v)}`);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const p = `${path}[${JSON.stringify(key)}]`;
      const k = readMapKey(fi.keyKind!, key, p, ctx);
      const val = v[key] === null && fi.kind !== 'message' ? fail(ctx, p, 'null map value') : readValue(fi, v[key], p, ctx);
      if (k !== BAD && val !== BAD) out[k] = val;
    }
    return out;
  }
  if (fi.repeated) {
    if (!Array.isArray(v)) return fail(ctx, path, `expected an array, got ${describe(v)}`);
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const p = `${path}[${i}]`;
      const item = v[i] === null && !fi.nullIsValue ? fail(ctx, p, 'null in a list') : readValue(fi, v[i], p, ctx);
      if (item !== BAD) out.push(item);
    }
    return out;
  }
  return readValue(fi, v, path, ctx);
}

/** A message's JSON object → a protobufjs message. `skipKey` is Any's "@type". */
function readMessage(ti: TypeInfo, json: unknown, path: string, ctx: ReadCtx, skipKey?: string): object | Bad {
  if (ti.wellKnown) return readWellKnown(ti, json, path, ctx);
  if (!isObject(json)) return fail(ctx, path, `expected an object (${ti.fullName}), got ${describe(json)}`);
  const m = ti.create();
  let oneofSet: Record<string, string> | undefined;
  for (const key of Object.keys(json)) {
    if (key === skipKey) continue;
    const fi = ti.byName.get(key);
    if (!fi) {
      fail(ctx, join(path, key), `unknown field ${JSON.stringify(key)} in ${ti.fullName}`);
      continue;
    }
    const p = join(path, fi.name);
    const raw = json[key];
    if (fi.name !== key && hasOwn(json, fi.name)) {
      fail(ctx, p, `field given twice, as ${fi.name} and ${key}`);
      continue;
    }
    // proto3 JSON: null means "not set" (except google.protobuf.Value, where it is a value)
    if (raw === null && !(fi.nullIsValue && !fi.repeated && !fi.map)) continue;
    if (fi.oneof) {
      oneofSet ??= {};
      const other = oneofSet[fi.oneof];
      if (other) {
        fail(ctx, p, `only one of oneof ${fi.oneof} may be set, but ${other} is set too`);
        continue;
      }
      oneofSet[fi.oneof] = fi.name;
    }
    const v = readField(fi, raw, p, ctx);
    if (v === BAD) continue;
    if (!fi.presence && !fi.repeated && !fi.map && isDefaultScalar(v, fi.kind)) continue; // proto3: defaults are not sent
    m[fi.name] = v;
  }
  return m;
}

function readWellKnown(ti: TypeInfo, json: unknown, path: string, ctx: ReadCtx): object | Bad {
  const m = ti.create();
  switch (ti.wellKnown) {
    case 'any':
      return readAny(ti, json, path, ctx);
    case 'duration':
    case 'timestamp': {
      if (typeof json !== 'string') return fail(ctx, path, `expected a ${ti.wellKnown} string, got ${describe(json)}`);
      const d = ti.wellKnown === 'duration' ? parseDuration(json) : parseTimestamp(json);
      if (!d) {
        const want = ti.wellKnown === 'duration' ? 'a duration like "5s" or "0.250s"' : 'an RFC 3339 timestamp';
        return fail(ctx, path, `invalid ${ti.wellKnown} ${JSON.stringify(json)}: expected ${want}`);
      }
      if (d.seconds !== 0n) m.seconds = d.seconds.toString();
      if (d.nanos !== 0) m.nanos = d.nanos;
      return m;
    }
    case 'fieldmask': {
      if (typeof json !== 'string') return fail(ctx, path, `expected a field mask string, got ${describe(json)}`);
      const paths = parseFieldMask(json);
      if (!paths) return fail(ctx, path, `invalid field mask ${JSON.stringify(json)} (comma-separated lowerCamel paths)`);
      m.paths = paths;
      return m;
    }
    case 'wrapper': {
      const v = readValue(ti.wrapped!, json, path, ctx);
      if (v === BAD) return BAD;
      if (!isDefaultScalar(v, ti.wrapped!.kind)) m.value = v;
      return m;
    }
    case 'struct':
      return readStruct(ti, json, path, ctx);
    case 'listvalue': {
      if (!Array.isArray(json)) return fail(ctx, path, `expected an array, got ${describe(json)}`);
      const valueTi = typeInfo('google.protobuf.Value');
      const values: unknown[] = [];
      json.forEach((v, i) => {
        const item = readJsonValue(valueTi, v, `${path}[${i}]`, ctx);
        if (item !== BAD) values.push(item);
      });
      m.values = values;
      return m;
    }
    case 'value':
      return readJsonValue(ti, json, path, ctx);
  }
  return fail(ctx, path, `unsupported well-known type ${ti.fullName}`);
}

function readStruct(ti: TypeInfo, json: unknown, path: string, ctx: ReadCtx): object | Bad {
  if (!isObject(json)) return fail(ctx, path, `expected an object, got ${describe(json)}`);
  const m = ti.create();
  const valueTi = typeInfo('google.protobuf.Value');
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(json).sort()) {
    const v = readJsonValue(valueTi, json[key], `${path}[${JSON.stringify(key)}]`, ctx);
    if (v !== BAD) fields[key] = v;
  }
  m.fields = fields;
  return m;
}

/**
 * Field names of google.protobuf.Value by number: protobufjs bundles it with camelCase names
 * (nullValue, ...), unlike the other well-known types, so never rely on the names.
 */
interface ValueNames {
  null: string;
  number: string;
  string: string;
  bool: string;
  struct: string;
  list: string;
}
let valueNames: ValueNames | undefined;
function valueFieldNames(valueTi: TypeInfo): ValueNames {
  if (valueNames) return valueNames;
  const byId = (id: number) => valueTi.fields.find((f) => f.id === id)!.name;
  valueNames = { null: byId(1), number: byId(2), string: byId(3), bool: byId(4), struct: byId(5), list: byId(6) };
  return valueNames;
}

/** Any JSON value → google.protobuf.Value. */
function readJsonValue(valueTi: TypeInfo, json: unknown, path: string, ctx: ReadCtx): object | Bad {
  const n = valueFieldNames(valueTi);
  const m = valueTi.create();
  if (json === null) m[n.null] = 0;
  else if (typeof json === 'number') {
    if (!Number.isFinite(json)) return fail(ctx, path, 'a JSON value must be a finite number');
    m[n.number] = json;
  } else if (typeof json === 'string') m[n.string] = json;
  else if (typeof json === 'boolean') m[n.bool] = json;
  else if (Array.isArray(json)) {
    const v = readWellKnown(typeInfo('google.protobuf.ListValue'), json, path, ctx);
    if (v === BAD) return BAD;
    m[n.list] = v;
  } else if (isObject(json)) {
    const v = readStruct(typeInfo('google.protobuf.Struct'), json, path, ctx);
    if (v === BAD) return BAD;
    m[n.struct] = v;
  } else return fail(ctx, path, `not a JSON value: ${describe(json)}`);
  return m;
}

function readAny(ti: TypeInfo, json: unknown, path: string, ctx: ReadCtx): object | Bad {
  if (!isObject(json)) return fail(ctx, path, `expected an object with "@type", got ${describe(json)}`);
  const m = ti.create();
  const url = json['@type'];
  if (url === undefined) {
    if (Object.keys(json).length === 0) return m; // the empty Any
    return fail(ctx, path, 'google.protobuf.Any needs "@type"');
  }
  if (typeof url !== 'string') return fail(ctx, join(path, '@type'), `expected a type URL string, got ${describe(url)}`);
  const inner = findTypeByUrl(url);
  if (!inner || !url.includes('/')) {
    return fail(ctx, join(path, '@type'), `unknown type ${JSON.stringify(url)} (not in proto/envoy-protos.txt, or not a type.googleapis.com/ URL)`);
  }
  const innerTi = typeInfo(inner);
  let msg: object | Bad;
  if (innerTi.wellKnown) {
    // Well-known types with a special JSON form go under "value".
    const extra = Object.keys(json).filter((k) => k !== '@type' && k !== 'value');
    if (extra.length) return fail(ctx, join(path, extra[0]), `unknown field ${JSON.stringify(extra[0])}: ${innerTi.fullName} in an Any is given as "value"`);
    if (!hasOwn(json, 'value')) return fail(ctx, path, `${innerTi.fullName} in an Any needs "value"`);
    msg = readWellKnown(innerTi, json.value, join(path, 'value'), ctx);
  } else {
    msg = readMessage(innerTi, json, path, ctx, '@type');
  }
  if (msg === BAD) return BAD;
  m.type_url = url;
  m.value = inner.encode(msg).finish();
  Object.defineProperty(m, ANY_INNER, { value: msg });
  return m;
}

// ---------- message → JSON ----------

function writeScalar(kind: ScalarKind, v: unknown): unknown {
  switch (kind) {
    case 'int64':
    case 'uint64':
      // Long (decoded), string (built here) or number: always a decimal string in JSON
      return typeof v === 'string' ? v : String(v);
    case 'float':
    case 'double': {
      const n = v as number;
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'Infinity';
      if (n === -Infinity) return '-Infinity';
      return kind === 'float' ? formatFloat32(n) : n;
    }
    case 'bytes':
      if (typeof v === 'string') return v;
      return formatBase64(v instanceof Uint8Array ? v : Uint8Array.from(v as number[]));
    default:
      return v;
  }
}

function writeValue(vi: ValueInfo, v: unknown): unknown {
  if (vi.kind === 'message') return writeMessage(messageInfo(vi), v as Record<string, unknown>);
  if (vi.kind === 'enum') {
    if (vi.enumInfo!.fullName === 'google.protobuf.NullValue') return null;
    return vi.enumInfo!.byNumber.get(v as number) ?? v;
  }
  return writeScalar(vi.kind, v);
}

function isDefaultValue(v: unknown, kind?: string): boolean {
  if (v == null) return true;
  if (typeof v === 'object' && 'low' in v && 'high' in v) return (v as { low: number; high: number }).low === 0 && (v as { high: number }).high === 0;
  return isDefaultScalar(v, kind);
}

function writeMessage(ti: TypeInfo, m: Record<string, unknown>): unknown {
  if (ti.wellKnown) return writeWellKnown(ti, m);
  const out: JsonObject = {};
  for (const fi of ti.fields) {
    const v = m[fi.name];
    if (fi.map) {
      if (!v) continue;
      const keys = Object.keys(v).sort();
      if (!keys.length) continue;
      const o: JsonObject = {};
      for (const k of keys) o[k] = writeValue(fi, (v as Record<string, unknown>)[k]);
      out[fi.name] = o;
    } else if (fi.repeated) {
      if (!(v as unknown[] | undefined)?.length) continue;
      const items = v as unknown[];
      const arr = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) arr[i] = writeValue(fi, items[i]);
      out[fi.name] = arr;
    } else if (fi.presence) {
      if (v == null || !hasOwn(m, fi.name)) continue;
      out[fi.name] = writeValue(fi, v);
    } else {
      if (isDefaultValue(v, fi.kind)) continue;
      out[fi.name] = writeValue(fi, v);
    }
  }
  return out;
}

const toBigInt = (v: unknown): bigint => (v == null ? 0n : BigInt(String(v)));

function writeWellKnown(ti: TypeInfo, m: Record<string, unknown>): unknown {
  switch (ti.wellKnown) {
    case 'any':
      return writeAny(m);
    case 'duration':
      return formatDuration(toBigInt(m.seconds), (m.nanos as number) ?? 0);
    case 'timestamp':
      return formatTimestamp(toBigInt(m.seconds), (m.nanos as number) ?? 0);
    case 'fieldmask':
      return formatFieldMask((m.paths as string[]) ?? []);
    case 'wrapper':
      return writeValue(ti.wrapped!, m.value ?? defaultScalar(ti.wrapped!.kind as ScalarKind));
    case 'struct': {
      const out: JsonObject = {};
      const fields = (m.fields ?? {}) as Record<string, Record<string, unknown>>;
      for (const k of Object.keys(fields).sort()) out[k] = writeJsonValue(fields[k]);
      return out;
    }
    case 'listvalue':
      return ((m.values ?? []) as Record<string, unknown>[]).map(writeJsonValue);
    case 'value':
      return writeJsonValue(m);
  }
  return undefined;
}

function defaultScalar(kind: ScalarKind): unknown {
  switch (kind) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    case 'int64':
    case 'uint64':
      return '0';
    default:
      return 0;
  }
}

function writeJsonValue(m: Record<string, unknown>): unknown {
  const n = valueFieldNames(typeInfo('google.protobuf.Value'));
  if (isSet(m, n.number)) return m[n.number];
  if (isSet(m, n.string)) return m[n.string];
  if (isSet(m, n.bool)) return m[n.bool];
  if (isSet(m, n.struct)) return writeWellKnown(typeInfo('google.protobuf.Struct'), m[n.struct] as Record<string, unknown>);
  if (isSet(m, n.list)) return writeWellKnown(typeInfo('google.protobuf.ListValue'), m[n.list] as Record<string, unknown>);
  return null;
}

const isSet = (m: Record<string, unknown>, k: string): boolean => hasOwn(m, k) && m[k] != null;

function writeAny(m: Record<string | symbol, unknown>): unknown {
  const url = (m.type_url as string) ?? '';
  if (!url) return {};
  const inner = findTypeByUrl(url);
  if (!inner) throw new EnvoyJsonError('', `cannot print google.protobuf.Any: unknown type ${JSON.stringify(url)}`);
  const innerMsg = (m[ANY_INNER] as Record<string, unknown> | undefined) ?? (inner.decode((m.value as Uint8Array) ?? new Uint8Array(0)) as unknown as Record<string, unknown>);
  const innerTi = typeInfo(inner);
  const json = writeMessage(innerTi, innerMsg);
  return innerTi.wellKnown ? { '@type': url, value: json } : { '@type': url, ...(json as JsonObject) };
}

// ---------- public API ----------

/** Envoy JSON → protobufjs message of `typeName`. Throws EnvoyJsonError on the first problem. */
export function fromEnvoyJson(typeName: string, json: unknown): protobuf.Message<object> {
  return readMessage(typeInfo(typeName), json, '', {}) as protobuf.Message<object>;
}

/**
 * Like fromEnvoyJson but collects every problem; the message leaves out what could not be read.
 * Used by validation to report all errors at once.
 */
export function fromEnvoyJsonLenient(typeName: string, json: unknown): { message?: protobuf.Message<object>; problems: JsonProblem[] } {
  const problems: JsonProblem[] = [];
  const m = readMessage(typeInfo(typeName), json, '', { problems });
  return { message: m === BAD ? undefined : (m as protobuf.Message<object>), problems };
}

/** protobufjs message (decoded or built by fromEnvoyJson) → canonical Envoy JSON. */
export function toEnvoyJson(typeName: string, message: object): JsonObject {
  return writeMessage(typeInfo(typeName), message as Record<string, unknown>) as JsonObject;
}

/** The canonical form of an Envoy JSON document: snake_case, defaults dropped, field-number order. */
export function canonicalize(typeName: string, json: unknown): JsonObject {
  return toEnvoyJson(typeName, fromEnvoyJson(typeName, json));
}

/** Envoy JSON → protobuf wire bytes. */
export function encodeResource(typeName: string, json: unknown): Uint8Array {
  return lookupType(typeName).encode(fromEnvoyJson(typeName, json)).finish();
}

/** Protobuf wire bytes → canonical Envoy JSON. */
export function decodeResource(typeName: string, bytes: Uint8Array): JsonObject {
  return toEnvoyJson(typeName, lookupType(typeName).decode(bytes));
}
