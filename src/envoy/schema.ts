// Per-type facts about Envoy messages, computed once from the protobufjs reflection and cached:
// the JSON mapping, validation and the reference walker all iterate over these instead of
// re-deriving them from protobufjs on every message (it runs over tens of thousands of routes).

import * as protobuf from 'protobufjs';
import { lookupType } from './proto';

/** Scalar kinds, with the 32/64-bit signed/unsigned integer encodings folded together. */
export type ScalarKind = 'double' | 'float' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string' | 'bytes';
export type Kind = ScalarKind | 'enum' | 'message';

/** Well-known types whose JSON form is not a plain object of fields. */
export type WellKnown =
  | 'any'
  | 'duration'
  | 'timestamp'
  | 'fieldmask'
  | 'struct'
  | 'value'
  | 'listvalue'
  | 'wrapper';

export interface EnumInfo {
  fullName: string;
  byName: Map<string, number>;
  /** First declared name of each number (aliases share a number). */
  byNumber: Map<number, string>;
}

/** What a value of some field (or map value / wrapper content) is. */
export interface ValueInfo {
  kind: Kind;
  /** For kind 'message'. */
  message?: protobuf.Type;
  /** For kind 'message': its TypeInfo, filled in on first use by messageInfo(). */
  messageInfo?: TypeInfo;
  /** For kind 'enum'. */
  enumInfo?: EnumInfo;
}

export interface FieldInfo extends ValueInfo {
  name: string;
  /** lowerCamel name (or the `json_name` option), also accepted on input. */
  jsonName: string;
  id: number;
  repeated: boolean;
  map: boolean;
  /** Kind of a map's key (maps only). */
  keyKind?: ScalarKind;
  /** Explicit presence: message fields, oneof members and proto3 `optional` fields. */
  presence: boolean;
  /** The (real, non-synthetic) oneof this field belongs to. */
  oneof?: string;
  /** Structured `(validate.rules)` option, if any. */
  rules?: Record<string, unknown>;
  deprecated: boolean;
  /** JSON null is a value here (google.protobuf.Value, NullValue), not "unset". */
  nullIsValue: boolean;
  field: protobuf.Field;
}

export interface OneofInfo {
  name: string;
  members: FieldInfo[];
  /** `(validate.required)`: exactly one member must be set. */
  required: boolean;
}

export interface TypeInfo {
  fullName: string;
  type: protobuf.Type;
  /** Sorted by field number: the canonical key order of the JSON output. */
  fields: FieldInfo[];
  /** By proto name and by JSON name. */
  byName: Map<string, FieldInfo>;
  oneofs: OneofInfo[];
  wellKnown?: WellKnown;
  /** For wrappers (google.protobuf.UInt32Value, ...): the wrapped value. */
  wrapped?: ValueInfo;
  /** `(validate.disabled)` / `(validate.ignored)` on the message. */
  validationDisabled: boolean;
  ctor: protobuf.Constructor<object>;
  /**
   * Creates an empty message. Object.create skips the generated constructor, which allocates an
   * array or object for every repeated and map field; the prototype's defaults serve instead.
   */
  create(): Record<string | symbol, unknown>;
}

const SCALARS: Record<string, ScalarKind> = {
  double: 'double',
  float: 'float',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
  bool: 'bool',
  string: 'string',
  bytes: 'bytes',
};

const WELL_KNOWN: Record<string, WellKnown> = {
  'google.protobuf.Any': 'any',
  'google.protobuf.Duration': 'duration',
  'google.protobuf.Timestamp': 'timestamp',
  'google.protobuf.FieldMask': 'fieldmask',
  'google.protobuf.Struct': 'struct',
  'google.protobuf.Value': 'value',
  'google.protobuf.ListValue': 'listvalue',
  'google.protobuf.DoubleValue': 'wrapper',
  'google.protobuf.FloatValue': 'wrapper',
  'google.protobuf.Int64Value': 'wrapper',
  'google.protobuf.UInt64Value': 'wrapper',
  'google.protobuf.Int32Value': 'wrapper',
  'google.protobuf.UInt32Value': 'wrapper',
  'google.protobuf.BoolValue': 'wrapper',
  'google.protobuf.StringValue': 'wrapper',
  'google.protobuf.BytesValue': 'wrapper',
};

const typeInfos = new WeakMap<protobuf.Type, TypeInfo>();
const enumInfos = new WeakMap<protobuf.Enum, EnumInfo>();

export const stripDot = (n: string): string => (n.startsWith('.') ? n.slice(1) : n);

/** lowerCamel JSON name, as protoc derives it: drop `_`, upper-case the character after it. */
export function jsonNameOf(name: string): string {
  return name.replace(/_(.)/g, (_m, c: string) => c.toUpperCase()).replace(/_$/, '');
}

export function enumInfo(e: protobuf.Enum): EnumInfo {
  let info = enumInfos.get(e);
  if (info) return info;
  const byName = new Map<string, number>();
  const byNumber = new Map<number, string>();
  for (const [name, num] of Object.entries(e.values)) {
    byName.set(name, num);
    if (!byNumber.has(num)) byNumber.set(num, name);
  }
  info = { fullName: stripDot(e.fullName), byName, byNumber };
  enumInfos.set(e, info);
  return info;
}

function valueInfo(typeName: string, resolved: protobuf.ReflectionObject | null): ValueInfo {
  const scalar = SCALARS[typeName];
  if (scalar && !resolved) return { kind: scalar };
  if (resolved instanceof protobuf.Type) return { kind: 'message', message: resolved };
  if (resolved instanceof protobuf.Enum) return { kind: 'enum', enumInfo: enumInfo(resolved) };
  throw new Error(`unsupported field type ${typeName}`);
}

function fieldInfo(f: protobuf.Field): FieldInfo {
  f.resolve();
  const isMap = f instanceof protobuf.MapField;
  const synthetic = !!f.options?.proto3_optional;
  const base = valueInfo(f.type, f.resolvedType);
  const info: FieldInfo = {
    ...base,
    name: f.name,
    jsonName: (f.options?.json_name as string | undefined) ?? jsonNameOf(f.name),
    id: f.id,
    repeated: f.repeated && !isMap,
    map: isMap,
    presence: !f.repeated && !isMap && (base.kind === 'message' || !!f.partOf || synthetic),
    oneof: f.partOf && !synthetic ? f.partOf.name : undefined,
    rules: f.options?.['(validate.rules)'] as Record<string, unknown> | undefined,
    deprecated: !!f.options?.deprecated,
    nullIsValue:
      (base.kind === 'message' && base.message!.fullName === '.google.protobuf.Value') ||
      (base.kind === 'enum' && base.enumInfo!.fullName === 'google.protobuf.NullValue'),
    field: f,
  };
  if (isMap) {
    const keyKind = SCALARS[(f as protobuf.MapField).keyType];
    if (!keyKind) throw new Error(`unsupported map key type ${(f as protobuf.MapField).keyType}`);
    info.keyKind = keyKind;
  }
  return info;
}

/** The TypeInfo of a message-typed value, cached on the ValueInfo (saves a WeakMap lookup per message). */
export function messageInfo(vi: ValueInfo): TypeInfo {
  return vi.messageInfo ?? (vi.messageInfo = typeInfo(vi.message!));
}

/** The cached facts about a message type (by Type or by full name). */
export function typeInfo(t: protobuf.Type | string): TypeInfo {
  const type = typeof t === 'string' ? lookupType(t) : t;
  let info = typeInfos.get(type);
  if (info) return info;
  const fullName = stripDot(type.fullName);
  const fields = type.fieldsArray.map(fieldInfo).sort((a, b) => a.id - b.id);
  const byName = new Map<string, FieldInfo>();
  for (const fi of fields) {
    byName.set(fi.name, fi);
    byName.set(fi.jsonName, fi);
  }
  const oneofs: OneofInfo[] = type.oneofsArray
    .filter((o) => !(o.fieldsArray.length === 1 && o.fieldsArray[0].options?.proto3_optional))
    .map((o) => ({
      name: o.name,
      members: o.fieldsArray.map((f) => byName.get(f.name)!),
      required: !!o.options?.['(validate.required)'],
    }));
  const wellKnown = WELL_KNOWN[fullName];
  const opts = type.options ?? {};
  const proto = (type.ctor as { prototype: object }).prototype;
  info = {
    fullName,
    type,
    fields,
    byName,
    oneofs,
    wellKnown,
    wrapped: wellKnown === 'wrapper' ? fields[0] : undefined,
    validationDisabled: !!(opts['(validate.disabled)'] || opts['(validate.ignored)']),
    ctor: type.ctor as protobuf.Constructor<object>,
    create: () => Object.create(proto) as Record<string | symbol, unknown>,
  };
  typeInfos.set(type, info);
  return info;
}
