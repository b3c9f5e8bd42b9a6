// Checks the protoc-gen-validate rules written in Envoy's protos (`(validate.rules)`,
// `(validate.required)`), as Envoy does before accepting a resource. Works on the canonical JSON
// form (see json.ts), recursing into nested messages, lists, maps and Any (when the type is ours).
//
// PGV semantics kept here: rules on an implicit-presence scalar apply to its default when unset;
// rules on a oneof member or a message-typed field apply only when it is set (except `required`);
// `ignore_empty` skips the rules for an empty value; a range with lt < gt means "outside".

import * as net from 'net';
import type * as protobuf from 'protobufjs';
import type { RE2 } from 're2-wasm';
import { JsonObject, JsonProblem, canonicalize, fromEnvoyJsonLenient, toEnvoyJson } from './json';
import { findTypeByUrl } from './proto';
import { FieldInfo, OneofInfo, ScalarKind, TypeInfo, ValueInfo, messageInfo, typeInfo } from './schema';
import { durationNanos, formatDuration, parseBase64, parseDuration, parseTimestamp } from './wkt';

export type ValidationError = JsonProblem;

type Rules = Record<string, unknown>;
type Errs = ValidationError[];

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const show = (v: unknown): string => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v));

// ---------- regular expressions (RE2, as Envoy's PGV code uses) ----------

const regexCache = new Map<string, RE2 | Error>();
// Loaded on the first pattern rule checked (most resources have none): its WebAssembly memory costs about 9 MiB.
let RE2Class: typeof RE2 | undefined;

function re2(pattern: string): RE2 | Error {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      re = new (RE2Class ??= (require('re2-wasm') as typeof import('re2-wasm')).RE2)(pattern, 'u');
    } catch (e) {
      re = e instanceof Error ? e : new Error(String(e));
    }
    regexCache.set(pattern, re);
  }
  return re;
}

/**
 * PGV's well_known_regex patterns (validate.proto, KnownRegex). Plain character classes, where
 * RegExp and RE2 agree, so the fast built-in engine is used (these run on every header name).
 */
// `+-.` is a range (+ , - .) in PGV's pattern too: kept as is, Envoy accepts a comma.
const HEADER_NAME = /^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$/;
const HEADER_VALUE = /^[^\x00-\x08\x0A-\x1F\x7F]*$/;
const HEADER_STRING = /^[^\x00\x0A\x0D]*$/; // either one with strict: false

// ---------- numbers and ranges ----------

type Num = number | bigint;

/** gt/gte/lt/lte as PGV combines them: with both bounds and lt(e) <= gt(e), the value must lie outside. */
function checkRange(v: Num, r: Rules, conv: (x: unknown) => Num, fmt: (x: Comparable) => string): string | undefined {
  const gt = r.gt !== undefined ? conv(r.gt) : undefined;
  const gte = r.gte !== undefined ? conv(r.gte) : undefined;
  const lt = r.lt !== undefined ? conv(r.lt) : undefined;
  const lte = r.lte !== undefined ? conv(r.lte) : undefined;
  const lower = gt ?? gte;
  const upper = lt ?? lte;
  const okLower = gt !== undefined ? v > gt : gte !== undefined ? v >= gte : true;
  const okUpper = lt !== undefined ? v < lt : lte !== undefined ? v <= lte : true;
  if (lower !== undefined && upper !== undefined) {
    const range = `${gt !== undefined ? '(' : '['}${fmt(lower)}, ${fmt(upper)}${lt !== undefined ? ')' : ']'}`;
    if (upper > lower) return okLower && okUpper ? undefined : `value must be inside range ${range}`;
    return okLower || okUpper ? undefined : `value must be outside range ${range}`;
  }
  if (!okLower) return gt !== undefined ? `value must be greater than ${fmt(gt)}` : `value must be greater than or equal to ${fmt(gte!)}`;
  if (!okUpper) return lt !== undefined ? `value must be less than ${fmt(lt)}` : `value must be less than or equal to ${fmt(lte!)}`;
  return undefined;
}

type Comparable = Num | string | boolean;

// loose equality on purpose: bigint values against number rules
// eslint-disable-next-line eqeqeq
const eqLoose = (a: Comparable, b: Comparable): boolean => a == b;

function someEq(v: Comparable, xs: unknown, conv: (x: unknown) => Comparable): boolean {
  for (const x of list(xs)) if (eqLoose(v, conv(x))) return true;
  return false;
}

/** const / in / not_in. Hot path: no closures here (tsx wraps each one created with a __name call). */
function checkConstInNotIn(v: Comparable, r: Rules, conv: (x: unknown) => Comparable, fmt: (x: Comparable) => string, path: string, errs: Errs): void {
  if (r.const !== undefined && !eqLoose(v, conv(r.const))) errs.push({ path, message: `value must equal ${fmt(conv(r.const))}` });
  if (r.in !== undefined && list(r.in).length && !someEq(v, r.in, conv)) {
    errs.push({ path, message: `value must be in list [${list(r.in).map(conv).map(fmt).join(', ')}]` });
  }
  if (r.not_in !== undefined && someEq(v, r.not_in, conv)) {
    errs.push({ path, message: `value must not be in list [${list(r.not_in).map(conv).map(fmt).join(', ')}]` });
  }
}

const hasConstInNotIn = (r: Rules): boolean => r.const !== undefined || r.in !== undefined || r.not_in !== undefined;

const NUMERIC_RULES = ['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'float', 'double'];

function toNum(kind: ScalarKind, v: unknown): Num {
  if (kind === 'int64' || kind === 'uint64') return BigInt(v as string | number);
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v as number;
}

const bigRule = (x: unknown): bigint => BigInt(x as string | number);
const numRule = (x: unknown): number => Number(x);
const fmtNum = (x: Comparable): string => x.toString();

function checkNumber(kind: ScalarKind, value: unknown, r: Rules, path: string, errs: Errs): void {
  const v = toNum(kind, value);
  // eslint-disable-next-line eqeqeq
  if (r.ignore_empty && v == 0) return;
  const conv = kind === 'int64' || kind === 'uint64' ? bigRule : numRule;
  if (hasConstInNotIn(r)) checkConstInNotIn(v, r, conv, fmtNum, path, errs);
  const msg = checkRange(v, r, conv, fmtNum);
  if (msg) errs.push({ path, message: msg });
}

// ---------- strings and bytes ----------

function checkWellKnownString(v: string, r: Rules, path: string, errs: Errs): void {
  if (r.well_known_regex !== undefined) {
    const isName = r.well_known_regex === 'HTTP_HEADER_NAME' || r.well_known_regex === 1;
    const re = r.strict === false ? HEADER_STRING : isName ? HEADER_NAME : HEADER_VALUE;
    if (!re.test(v)) errs.push({ path, message: `value must be a valid ${isName ? 'HTTP header name' : 'HTTP header value'}` });
  }
  if (!(r.ip || r.ipv4 || r.ipv6 || r.hostname || r.address || r.email || r.uuid || r.uri || r.uri_ref)) return;
  const bad = (what: string) => errs.push({ path, message: `value must be a valid ${what}` });
  if (r.ip && !net.isIP(v)) bad('IP address');
  if (r.ipv4 && !net.isIPv4(v)) bad('IPv4 address');
  if (r.ipv6 && !net.isIPv6(v)) bad('IPv6 address');
  if (r.hostname && !isHostname(v)) bad('hostname');
  if (r.address && !isHostname(v) && !net.isIP(v)) bad('hostname or IP address');
  if (r.email && !/^[^@\s]+@[^@\s]+$/.test(v)) bad('email address');
  if (r.uuid && !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v)) bad('UUID');
  if (r.uri && !isAbsoluteUri(v)) bad('absolute URI');
  if (r.uri_ref && /\s/.test(v)) bad('URI reference');
}

function isHostname(v: string): boolean {
  const h = v.endsWith('.') ? v.slice(0, -1) : v;
  if (!h || h.length > 253) return false;
  return h.split('.').every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

function isAbsoluteUri(v: string): boolean {
  try {
    return !!new URL(v).protocol;
  } catch {
    return false;
  }
}

/** Unicode code points (PGV's "runes"), without allocating. */
function runeCount(v: string): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 === v.length) n++;
    else {
      const d = v.charCodeAt(i + 1);
      n++;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

function checkString(v: string, r: Rules, path: string, errs: Errs): void {
  if (r.ignore_empty && v === '') return;
  if (r.const !== undefined || r.in !== undefined || r.not_in !== undefined) checkConstInNotIn(v, r, String, show, path, errs);
  if (r.len !== undefined || r.min_len !== undefined || r.max_len !== undefined) {
    const runes = runeCount(v);
    if (r.len !== undefined && runes !== Number(r.len)) errs.push({ path, message: `value length must be ${r.len} runes` });
    if (r.min_len !== undefined && runes < Number(r.min_len)) errs.push({ path, message: `value length must be at least ${r.min_len} runes` });
    if (r.max_len !== undefined && runes > Number(r.max_len)) errs.push({ path, message: `value length must be at most ${r.max_len} runes` });
  }
  if (r.len_bytes !== undefined || r.min_bytes !== undefined || r.max_bytes !== undefined) {
    const bytes = Buffer.byteLength(v, 'utf8');
    if (r.len_bytes !== undefined && bytes !== Number(r.len_bytes)) errs.push({ path, message: `value length must be ${r.len_bytes} bytes` });
    if (r.min_bytes !== undefined && bytes < Number(r.min_bytes)) errs.push({ path, message: `value length must be at least ${r.min_bytes} bytes` });
    if (r.max_bytes !== undefined && bytes > Number(r.max_bytes)) errs.push({ path, message: `value length must be at most ${r.max_bytes} bytes` });
  }
  if (typeof r.pattern === 'string') {
    const re = re2(r.pattern);
    if (re instanceof Error) errs.push({ path, message: `rule pattern ${show(r.pattern)} does not compile: ${re.message}` });
    else if (!re.test(v)) errs.push({ path, message: `value does not match regex pattern ${show(r.pattern)}` });
  }
  if (typeof r.prefix === 'string' && !v.startsWith(r.prefix)) errs.push({ path, message: `value does not have prefix ${show(r.prefix)}` });
  if (typeof r.suffix === 'string' && !v.endsWith(r.suffix)) errs.push({ path, message: `value does not have suffix ${show(r.suffix)}` });
  if (typeof r.contains === 'string' && !v.includes(r.contains)) errs.push({ path, message: `value does not contain substring ${show(r.contains)}` });
  if (typeof r.not_contains === 'string' && v.includes(r.not_contains)) errs.push({ path, message: `value contains substring ${show(r.not_contains)}` });
  if (r.well_known_regex !== undefined || r.ip || r.ipv4 || r.ipv6 || r.hostname || r.address || r.email || r.uuid || r.uri || r.uri_ref) {
    checkWellKnownString(v, r, path, errs);
  }
}

const ruleBytes = (x: unknown): Buffer => Buffer.from(String(x), 'utf8');

function checkBytes(b64: string, r: Rules, path: string, errs: Errs): void {
  const b = b64 === '' ? EMPTY : Buffer.from(parseBase64(b64) ?? EMPTY);
  if (r.ignore_empty && b.length === 0) return;
  const bad: string[] = [];
  if (r.const !== undefined && !b.equals(ruleBytes(r.const))) bad.push('value must equal the constant bytes');
  if (r.len !== undefined && b.length !== Number(r.len)) bad.push(`value length must be ${r.len} bytes`);
  if (r.min_len !== undefined && b.length < Number(r.min_len)) bad.push(`value length must be at least ${r.min_len} bytes`);
  if (r.max_len !== undefined && b.length > Number(r.max_len)) bad.push(`value length must be at most ${r.max_len} bytes`);
  if (typeof r.pattern === 'string') {
    const re = re2(r.pattern);
    if (!(re instanceof Error) && !re.test(b.toString('utf8'))) bad.push(`value does not match regex pattern ${show(r.pattern)}`);
  }
  if (r.prefix !== undefined && !b.subarray(0, ruleBytes(r.prefix).length).equals(ruleBytes(r.prefix))) bad.push('value does not have the required prefix');
  if (r.suffix !== undefined && !b.subarray(b.length - ruleBytes(r.suffix).length).equals(ruleBytes(r.suffix))) bad.push('value does not have the required suffix');
  if (r.contains !== undefined && !b.includes(ruleBytes(r.contains))) bad.push('value does not contain the required bytes');
  if (r.in !== undefined && !list(r.in).some((x) => b.equals(ruleBytes(x)))) bad.push('value must be in the allowed list');
  if (r.not_in !== undefined && list(r.not_in).some((x) => b.equals(ruleBytes(x)))) bad.push('value must not be in the forbidden list');
  if (r.ip && b.length !== 4 && b.length !== 16) bad.push('value must be a valid IP address (4 or 16 bytes)');
  if (r.ipv4 && b.length !== 4) bad.push('value must be a valid IPv4 address (4 bytes)');
  if (r.ipv6 && b.length !== 16) bad.push('value must be a valid IPv6 address (16 bytes)');
  for (const message of bad) errs.push({ path, message });
}

const EMPTY = Buffer.alloc(0);

function checkEnum(vi: ValueInfo, value: unknown, r: Rules, path: string, errs: Errs): void {
  const e = vi.enumInfo!;
  const num = typeof value === 'number' ? value : (e.byName.get(String(value)) ?? NaN);
  if (hasConstInNotIn(r)) {
    const conv = (x: unknown) => (typeof x === 'string' ? (e.byName.get(x) ?? NaN) : Number(x));
    checkConstInNotIn(num, r, conv, (x) => e.byNumber.get(Number(x)) ?? String(x), path, errs);
  }
  if (r.defined_only && !e.byNumber.has(num)) errs.push({ path, message: `value must be one of the defined enum values of ${e.fullName}` });
}

// ---------- well-known message rules ----------

function durationRuleNanos(x: unknown): bigint {
  const o = (x ?? {}) as { seconds?: unknown; nanos?: unknown };
  return BigInt(String(o.seconds ?? 0)) * 1_000_000_000n + BigInt(Number(o.nanos ?? 0));
}

function fmtNanos(n: Comparable): string {
  const b = BigInt(n as Num);
  return formatDuration(b / 1_000_000_000n, Number(b % 1_000_000_000n));
}

function checkDuration(value: unknown, r: Rules, path: string, errs: Errs): void {
  const d = typeof value === 'string' ? parseDuration(value) : undefined;
  if (!d) return; // malformed: json.ts reported it
  const v = durationNanos(d);
  checkConstInNotIn(v, r, durationRuleNanos, fmtNanos, path, errs);
  const msg = checkRange(v, r, durationRuleNanos, fmtNanos);
  if (msg) errs.push({ path, message: msg });
}

function checkTimestamp(value: unknown, r: Rules, path: string, errs: Errs): void {
  const t = typeof value === 'string' ? parseTimestamp(value) : undefined;
  if (!t) return;
  const v = durationNanos(t);
  const fmt = (n: Comparable) => new Date(Number(BigInt(n as Num) / 1_000_000n)).toISOString();
  checkConstInNotIn(v, r, durationRuleNanos, fmt, path, errs);
  const msg = checkRange(v, r, durationRuleNanos, fmt);
  if (msg) errs.push({ path, message: msg });
  const now = BigInt(Date.now()) * 1_000_000n;
  if (r.lt_now && v >= now) errs.push({ path, message: 'value must be less than now' });
  if (r.gt_now && v <= now) errs.push({ path, message: 'value must be greater than now' });
  if (r.within !== undefined) {
    const w = durationRuleNanos(r.within);
    if (v < now - w || v > now + w) errs.push({ path, message: `value must be within ${fmtNanos(w)} of now` });
  }
}

function checkAny(value: JsonObject, r: Rules, path: string, errs: Errs): void {
  const url = value['@type'];
  if (r.in !== undefined && !list(r.in).includes(url)) errs.push({ path, message: `type URL must be in list [${list(r.in).join(', ')}]` });
  if (r.not_in !== undefined && list(r.not_in).includes(url)) errs.push({ path, message: `type URL must not be in list [${list(r.not_in).join(', ')}]` });
}

// ---------- walking ----------

function scalarDefault(vi: ValueInfo): unknown {
  switch (vi.kind) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'int64':
    case 'uint64':
      return '0';
    default:
      return 0;
  }
}

/** Rules for one scalar (or enum) value; `rules` is the whole FieldRules of that value. */
function checkScalar(vi: ValueInfo, value: unknown, rules: Rules, path: string, errs: Errs): void {
  if (vi.kind === 'enum') {
    if (isObject(rules.enum)) checkEnum(vi, value, rules.enum, path, errs);
    return;
  }
  if (vi.kind === 'string') {
    if (isObject(rules.string)) checkString(value as string, rules.string, path, errs);
  } else if (vi.kind === 'bytes') {
    if (isObject(rules.bytes)) checkBytes(value as string, rules.bytes, path, errs);
  } else if (vi.kind === 'bool') {
    const r = rules.bool;
    if (isObject(r) && r.const !== undefined && value !== r.const) errs.push({ path, message: `value must equal ${r.const}` });
  } else {
    for (const k of NUMERIC_RULES) if (isObject(rules[k])) checkNumber(vi.kind as ScalarKind, value, rules[k], path, errs);
  }
}

/** One present value of a field (a list item, a map value, or the field itself). */
function checkValue(vi: ValueInfo, value: unknown, rules: Rules | undefined, path: string, errs: Errs): void {
  if (vi.kind !== 'message') {
    if (rules) checkScalar(vi, value, rules, path, errs);
    return;
  }
  const ti = messageInfo(vi);
  if (rules) {
    switch (ti.wellKnown) {
      case 'duration':
        if (isObject(rules.duration)) checkDuration(value, rules.duration, path, errs);
        break;
      case 'timestamp':
        if (isObject(rules.timestamp)) checkTimestamp(value, rules.timestamp, path, errs);
        break;
      case 'any':
        if (isObject(rules.any) && isObject(value)) checkAny(value, rules.any, path, errs);
        break;
      case 'wrapper':
        checkScalar(ti.wrapped!, value, rules, path, errs);
        break;
    }
    if (isObject(rules.message) && rules.message.skip) return;
  }
  validateMessage(ti, value, path, errs);
}

function isRequired(rules: Rules | undefined): boolean {
  if (!rules) return false;
  for (const k of ['message', 'duration', 'timestamp', 'any']) {
    const r = rules[k];
    if (isObject(r) && r.required) return true;
  }
  return false;
}

function checkRepeated(fi: FieldInfo, value: unknown, path: string, errs: Errs): void {
  const items = Array.isArray(value) ? value : [];
  const r = isObject(fi.rules?.repeated) ? fi.rules.repeated : undefined;
  const itemRules = r && isObject(r.items) ? r.items : undefined;
  if (r && !(r.ignore_empty && items.length === 0)) {
    if (r.min_items !== undefined && items.length < Number(r.min_items)) errs.push({ path, message: `value must contain at least ${r.min_items} item(s)` });
    if (r.max_items !== undefined && items.length > Number(r.max_items)) errs.push({ path, message: `value must contain no more than ${r.max_items} item(s)` });
    if (r.unique) {
      const seen = new Set<string>();
      for (let i = 0; i < items.length; i++) {
        const k = JSON.stringify(items[i]);
        if (seen.has(k)) errs.push({ path: `${path}[${i}]`, message: `repeated value must contain unique items (${k} repeats)` });
        seen.add(k);
      }
    }
  }
  if (!itemRules && fi.kind !== 'message') return;
  for (let i = 0; i < items.length; i++) checkValue(fi, items[i], itemRules, `${path}[${i}]`, errs);
}

function checkMap(fi: FieldInfo, value: unknown, path: string, errs: Errs): void {
  const obj = isObject(value) ? value : {};
  const keys = Object.keys(obj);
  const r = isObject(fi.rules?.map) ? fi.rules.map : undefined;
  if (r && !(r.ignore_empty && keys.length === 0)) {
    if (r.min_pairs !== undefined && keys.length < Number(r.min_pairs)) errs.push({ path, message: `value must contain at least ${r.min_pairs} pair(s)` });
    if (r.max_pairs !== undefined && keys.length > Number(r.max_pairs)) errs.push({ path, message: `value must contain no more than ${r.max_pairs} pair(s)` });
  }
  const keyRules = r && isObject(r.keys) ? r.keys : undefined;
  const valueRules = r && isObject(r.values) ? r.values : undefined;
  for (const k of keys) {
    const p = `${path}[${JSON.stringify(k)}]`;
    if (keyRules) {
      const key = fi.keyKind === 'string' ? k : fi.keyKind === 'int64' || fi.keyKind === 'uint64' ? k : Number(k);
      checkScalar({ kind: fi.keyKind! }, key, keyRules, p, errs);
    }
    if (valueRules || fi.kind === 'message') checkValue(fi, obj[k], valueRules, p, errs);
  }
}

/** The fields of a type worth visiting, computed once: most Envoy messages have nothing to check. */
interface Plan {
  fields: FieldInfo[];
  requiredOneofs: OneofInfo[];
}

const plans = new WeakMap<TypeInfo, Plan>();
const inProgress = new Set<TypeInfo>();

function planOf(ti: TypeInfo): Plan {
  let plan = plans.get(ti);
  if (plan) return plan;
  if (inProgress.has(ti)) return { fields: ti.fields, requiredOneofs: ti.oneofs }; // recursive type: check everything
  inProgress.add(ti);
  try {
    plan = {
      fields: ti.fields.filter((fi) => fi.rules !== undefined || (fi.kind === 'message' && mayNeedChecks(messageInfo(fi)))),
      requiredOneofs: ti.oneofs.filter((o) => o.required),
    };
  } finally {
    inProgress.delete(ti);
  }
  plans.set(ti, plan);
  return plan;
}

function mayNeedChecks(ti: TypeInfo): boolean {
  if (ti.validationDisabled) return false;
  if (ti.wellKnown) return ti.wellKnown === 'any';
  const plan = planOf(ti);
  return plan.fields.length > 0 || plan.requiredOneofs.length > 0;
}

function validateMessage(ti: TypeInfo, json: unknown, path: string, errs: Errs): void {
  if (ti.validationDisabled || !isObject(json)) return;
  if (ti.wellKnown) {
    if (ti.wellKnown === 'any') validateAny(json, path, errs);
    return;
  }
  const plan = planOf(ti);
  for (const o of plan.requiredOneofs) {
    let set = false;
    for (const m of o.members) if (json[m.name] !== undefined) set = true;
    if (!set) errs.push({ path: join(path, o.name), message: `value is required: set one of ${o.members.map((m) => m.name).join(', ')}` });
  }
  for (const fi of plan.fields) {
    const value = json[fi.name];
    if (fi.map) checkMap(fi, value, join(path, fi.name), errs);
    else if (fi.repeated) {
      if (value !== undefined || fi.rules) checkRepeated(fi, value, join(path, fi.name), errs);
    } else if (value === undefined) {
      if (fi.presence) {
        // a oneof member's rules apply only when it is the one set
        if (!fi.oneof && isRequired(fi.rules)) errs.push({ path: join(path, fi.name), message: 'value is required' });
      } else if (fi.rules) {
        checkScalar(fi, scalarDefault(fi), fi.rules, join(path, fi.name), errs); // implicit presence: unset = default
      }
    } else {
      checkValue(fi, value, fi.rules, join(path, fi.name), errs);
    }
  }
}

/** Envoy validates an extension's typed_config when it loads it: so do we, for types we know. */
function validateAny(json: JsonObject, path: string, errs: Errs): void {
  const url = json['@type'];
  if (typeof url !== 'string') return;
  const inner = findTypeByUrl(url);
  if (!inner) return;
  const ti = typeInfo(inner);
  if (ti.wellKnown) return;
  validateMessage(ti, json, path, errs);
}

// ---------- public API ----------

/**
 * The protoc-gen-validate problems of an Envoy JSON message of `typeName` (any accepted JSON
 * form). Parts that do not decode are skipped here: validateResource reports those.
 */
export function validate(typeName: string, json: unknown): ValidationError[] {
  const errs: Errs = [];
  const { message } = fromEnvoyJsonLenient(typeName, json);
  if (message) validateMessage(typeInfo(typeName), toEnvoyJson(typeName, message), '', errs);
  return errs;
}

/** PGV checks on JSON already in canonical form (the output of canonicalize / toEnvoyJson). */
export function validateCanonical(typeName: string, canonical: JsonObject): ValidationError[] {
  const errs: Errs = [];
  validateMessage(typeInfo(typeName), canonical, '', errs);
  return errs;
}

/**
 * Everything wrong with one resource: strict decoding problems (unknown fields, wrong types,
 * oneof conflicts, ...) and PGV rule violations. Never throws for bad input.
 */
export function validateResource(typeName: string, json: unknown): ValidationError[] {
  return validateResourceMessage(typeName, json).errors;
}

/**
 * validateResource, also returning the decoded message when there is no problem: it is what
 * encodeResource would build from the same JSON, so callers encode it instead of reading the JSON twice.
 */
export function validateResourceMessage(typeName: string, json: unknown): { errors: ValidationError[]; message?: protobuf.Message<object> } {
  let decoded: ReturnType<typeof fromEnvoyJsonLenient>;
  try {
    decoded = fromEnvoyJsonLenient(typeName, json);
  } catch (e) {
    return { errors: [{ path: '', message: e instanceof Error ? e.message : String(e) }] };
  }
  const errs: Errs = [...decoded.problems];
  if (decoded.message) {
    try {
      validateMessage(typeInfo(typeName), toEnvoyJson(typeName, decoded.message), '', errs);
    } catch (e) {
      errs.push({ path: '', message: e instanceof Error ? e.message : String(e) });
    }
  }
  return errs.length ? { errors: errs } : { errors: errs, message: decoded.message };
}

/** Throws unless `json` is a valid `typeName`; returns its canonical form. */
export function assertValidResource(typeName: string, json: unknown): JsonObject {
  const errs = validateResource(typeName, json);
  if (errs.length) throw new Error(`invalid ${typeName}:\n${errs.map((e) => `  ${e.path || '(root)'}: ${e.message}`).join('\n')}`);
  return canonicalize(typeName, json);
}
