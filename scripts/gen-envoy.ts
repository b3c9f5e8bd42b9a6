// Compiles the Envoy .proto files listed in proto/envoy-protos.txt (from the protos shipped in
// @grpc/grpc-js-xds) into generated/envoy.json (a protobufjs Root, with the protoc-gen-validate
// rules kept as structured options) and generated/envoy-types.ts (TypeScript interfaces for
// Envoy's JSON form). Runs on postinstall and before every test, so it skips the work when a hash
// of its inputs matches the stamp left by the previous run.
//
// Usage: node --import tsx scripts/gen-envoy.ts [--force]

import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';

const REPO = path.resolve(__dirname, '..');
const LIST = path.join(REPO, 'proto', 'envoy-protos.txt');
const OUT_DIR = path.join(REPO, 'generated');
const OUT_JSON = path.join(OUT_DIR, 'envoy.json');
const OUT_TS = path.join(OUT_DIR, 'envoy-types.ts');
const STAMP = path.join(OUT_DIR, '.stamp');
const XDS_PKG = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const INCLUDE_DIRS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(XDS_PKG, 'deps', d));

/** Options worth keeping at runtime; the rest (udpa/xds/envoy annotations) only bloat the JSON. */
const KEPT_OPTIONS = new Set(['deprecated', 'proto3_optional', 'packed', 'default', 'json_name', 'map_entry', '(udpa.annotations.sensitive)']);

function readList(): string[] {
  return fs
    .readFileSync(LIST, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

function inputHash(files: string[]): string {
  const h = crypto.createHash('sha256');
  h.update(fs.readFileSync(__filename));
  h.update(files.join('\n'));
  for (const pkg of ['protobufjs/package.json', '@grpc/grpc-js-xds/package.json']) {
    h.update(String(JSON.parse(fs.readFileSync(require.resolve(pkg), 'utf8')).version));
  }
  return h.digest('hex');
}

/** google/protobuf/* come from protobufjs itself (never copied into the repo). */
function registerBundledGoogleProtos(): void {
  for (const name of ['descriptor', 'api', 'source_context', 'type']) {
    const json = require(`protobufjs/google/protobuf/${name}.json`);
    protobuf.common(name, json.nested.google.nested.protobuf.nested);
  }
}

function findProto(rel: string): string | undefined {
  for (const dir of INCLUDE_DIRS) {
    const p = path.join(dir, rel);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function loadRoot(files: string[]): { root: protobuf.Root; loaded: string[] } {
  registerBundledGoogleProtos();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (target.startsWith('google/protobuf/')) return target; // bundled, see above
    return findProto(target) ?? target;
  };
  const loaded: string[] = [];
  for (const f of files) {
    if (!f.startsWith('google/protobuf/') && !findProto(f)) {
      process.stderr.write(`gen-envoy: warning: ${f} is not in @grpc/grpc-js-xds/deps; skipped\n`);
      continue;
    }
    loaded.push(f);
  }
  root.loadSync(loaded, { keepCase: true });
  root.resolveAll();
  return { root, loaded };
}

// ---------- options: keep protoc-gen-validate rules as structured objects ----------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeOption(into: Obj, from: Obj): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (isObj(cur) && isObj(v)) mergeOption(cur, v);
    else if ((k === 'in' || k === 'not_in') && cur !== undefined) into[k] = ([] as unknown[]).concat(cur, v);
    else into[k] = v;
  }
}

/**
 * protobufjs flattens aggregate options into dotted keys and loses repeated values
 * (`in: "a" in: "b"` keeps only "b") and empty messages (`gt {}`); its `parsedOptions` keep the
 * structure, so rebuild `(validate.*)` options from them and drop unneeded annotations.
 */
function fixOptions(obj: protobuf.ReflectionObject): void {
  const opts = obj.options;
  const parsed = (obj as unknown as { parsedOptions?: Obj[] }).parsedOptions;
  if (!opts && !parsed) return;
  const out: Obj = {};
  for (const [k, v] of Object.entries(opts ?? {})) if (KEPT_OPTIONS.has(k)) out[k] = v;
  for (const po of parsed ?? []) {
    for (const [k, v] of Object.entries(po)) {
      if (!k.startsWith('(validate.')) continue;
      if (isObj(v)) mergeOption((out[k] ??= {}) as Obj, structuredClone(v));
      else out[k] = v;
    }
  }
  obj.options = Object.keys(out).length ? out : undefined;
}

function walkReflection(ns: protobuf.NamespaceBase, fn: (o: protobuf.ReflectionObject) => void): void {
  for (const nested of ns.nestedArray) {
    fn(nested);
    if (nested instanceof protobuf.Type) {
      for (const f of nested.fieldsArray) fn(f);
      for (const o of nested.oneofsArray) fn(o);
    }
    if (nested instanceof protobuf.Namespace) walkReflection(nested, fn);
  }
}

// ---------- TypeScript interfaces for the JSON form ----------

const tsName = (fullName: string): string => fullName.replace(/^\./, '').replace(/\./g, '_');

/** JSON forms of the well-known types (proto3 JSON mapping). */
const WKT_TS: Record<string, string> = {
  'google.protobuf.Any': 'AnyJson',
  'google.protobuf.Duration': 'string',
  'google.protobuf.Timestamp': 'string',
  'google.protobuf.FieldMask': 'string',
  'google.protobuf.Empty': 'Record<string, never>',
  'google.protobuf.Struct': '{ [key: string]: JsonValue }',
  'google.protobuf.Value': 'JsonValue',
  'google.protobuf.ListValue': 'JsonValue[]',
  'google.protobuf.DoubleValue': 'number',
  'google.protobuf.FloatValue': 'number',
  'google.protobuf.Int32Value': 'number',
  'google.protobuf.UInt32Value': 'number',
  'google.protobuf.Int64Value': 'string | number',
  'google.protobuf.UInt64Value': 'string | number',
  'google.protobuf.BoolValue': 'boolean',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'string',
  'google.protobuf.NullValue': 'null',
};

const SCALAR_TS: Record<string, string> = {
  double: 'number', float: 'number', int32: 'number', uint32: 'number', sint32: 'number', fixed32: 'number', sfixed32: 'number',
  int64: 'string | number', uint64: 'string | number', sint64: 'string | number', fixed64: 'string | number', sfixed64: 'string | number',
  bool: 'boolean', string: 'string', bytes: 'string',
};

const fullNameOf = (t: protobuf.ReflectionObject): string => t.fullName.replace(/^\./, '');

/** Packages that hold only proto options (annotations), never config. */
const OPTION_PACKAGES = ['validate.', 'udpa.annotations.', 'xds.annotations.', 'envoy.annotations.'];

/**
 * Every config message and enum the root holds: those of the root files, their imports (many
 * extension configs are reachable only through an Any, e.g. route.v3.FilterConfig), and the
 * request/response messages of the services. Descriptor and annotation types are left out unless
 * a field reaches them.
 */
function reachable(root: protobuf.Root): (protobuf.Type | protobuf.Enum)[] {
  const seen = new Map<string, protobuf.Type | protobuf.Enum>();
  const queue: (protobuf.Type | protobuf.Enum)[] = [];
  const add = (t: protobuf.Type | protobuf.Enum) => {
    const n = fullNameOf(t);
    if (!seen.has(n)) { seen.set(n, t); queue.push(t); }
  };
  walkReflection(root, (o) => {
    const name = fullNameOf(o);
    if (OPTION_PACKAGES.some((p) => name.startsWith(p))) return;
    if (name.startsWith('google.protobuf.') && !WKT_TS[name]) return;
    if (o instanceof protobuf.Type || o instanceof protobuf.Enum) add(o);
    if (o instanceof protobuf.Service) {
      for (const m of o.methodsArray) {
        m.resolve();
        if (m.resolvedRequestType) add(m.resolvedRequestType);
        if (m.resolvedResponseType) add(m.resolvedResponseType);
      }
    }
  });
  while (queue.length) {
    const t = queue.pop()!;
    if (!(t instanceof protobuf.Type)) continue;
    for (const f of t.fieldsArray) if (f.resolvedType) add(f.resolvedType as protobuf.Type | protobuf.Enum);
  }
  return [...seen.values()].sort((a, b) => (fullNameOf(a) < fullNameOf(b) ? -1 : 1));
}

function fieldTs(f: protobuf.Field): string {
  const t = f.resolvedType;
  if (!t) return SCALAR_TS[f.type] ?? 'unknown';
  return WKT_TS[fullNameOf(t)] ?? tsName(t.fullName);
}

function quote(s: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(s) ? s : JSON.stringify(s);
}

function genTypes(types: (protobuf.Type | protobuf.Enum)[]): string {
  const lines: string[] = [
    '// Generated by scripts/gen-envoy.ts from proto/envoy-protos.txt. Do not edit.',
    "// Envoy's JSON form: proto field names, every field optional, enums by name (or number),",
    '// 64-bit integers as string | number, bytes as base64, well-known types in proto3 JSON form.',
    '/* eslint-disable */',
    '',
    'export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };',
    "export interface AnyJson { '@type': string; [key: string]: unknown }",
    '',
  ];
  const names = new Map<string, string>();
  for (const t of types) {
    const name = tsName(t.fullName);
    const prev = names.get(name);
    if (prev) throw new Error(`gen-envoy: TypeScript name ${name} is used by both ${prev} and ${fullNameOf(t)}`);
    names.set(name, fullNameOf(t));
    const wkt = WKT_TS[fullNameOf(t)];
    if (wkt) {
      lines.push(`export type ${name} = ${wkt};`);
    } else if (t instanceof protobuf.Enum) {
      const vals = Object.keys(t.values).map((v) => JSON.stringify(v));
      lines.push(`export type ${name} = ${[...vals, 'number'].join(' | ')};`);
    } else {
      lines.push(`/** ${fullNameOf(t)} */`, `export interface ${name} {`);
      for (const f of [...t.fieldsArray].sort((a, b) => a.id - b.id)) {
        let ts = fieldTs(f);
        if (f instanceof protobuf.MapField) ts = `{ [key: string]: ${ts} }`;
        else if (f.repeated) ts = /^[\w$]+$/.test(ts) ? `${ts}[]` : `Array<${ts}>`;
        const docs: string[] = [];
        if (f.options?.deprecated) docs.push('@deprecated');
        const rules = f.options?.['(validate.rules)'];
        if (rules) docs.push(`validate: ${JSON.stringify(rules).replace(/\*\//g, '*\\/')}`);
        if (f.partOf && !f.options?.proto3_optional) docs.push(`oneof ${f.partOf.name}`);
        if (docs.length) lines.push(`  /** ${docs.join('; ')} */`);
        lines.push(`  ${quote(f.name)}?: ${ts};`);
      }
      lines.push('}');
    }
  }
  lines.push('', '/** Envoy message full name → its JSON-form interface. */', 'export interface EnvoyTypeMap {');
  for (const t of types) if (t instanceof protobuf.Type) lines.push(`  ${JSON.stringify(fullNameOf(t))}: ${tsName(t.fullName)};`);
  lines.push('}', '');
  return lines.join('\n');
}

/** Writes via a temporary file so a concurrent reader never sees half a file. */
function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function main(): void {
  const force = process.argv.includes('--force');
  const files = readList();
  const hash = inputHash(files);
  const upToDate =
    !force &&
    fs.existsSync(OUT_JSON) &&
    fs.existsSync(OUT_TS) &&
    fs.existsSync(STAMP) &&
    fs.readFileSync(STAMP, 'utf8').trim() === hash;
  if (upToDate) return;

  const t0 = Date.now();
  const { root, loaded } = loadRoot(files);
  const types = reachable(root);
  walkReflection(root, fixOptions);
  const ts = genTypes(types);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  writeAtomic(OUT_JSON, JSON.stringify(root.toJSON()));
  writeAtomic(OUT_TS, ts);
  writeAtomic(STAMP, hash + '\n');
  process.stdout.write(`gen-envoy: ${loaded.length} root protos, ${types.length} types → generated/ in ${Date.now() - t0} ms\n`);
}

main();
