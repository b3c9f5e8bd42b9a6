// A validator for the subset of OpenAPI v3 that Kubernetes CRDs use, plus a few `x-traefik-xds-*` keys.
// The same schema objects are meant to be emitted as CRD definitions later, so everything a schema says is
// plain data; the only behaviour kept in code is the small registry of CEL rules we understand.

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface Schema {
  type?: SchemaType;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: (string | number | boolean)[];
  /** `false`/absent with `properties`: unknown keys are errors. A schema: a map whose values follow it. */
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  /** `int64`, `int32`, `byte` (base64, checked). */
  format?: string;
  default?: unknown;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  /** Lenient object: unknown keys are accepted silently (core kinds carry many fields we never read). */
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
  /** Field is deprecated or removed in Traefik v3: warn with this message (should name the replacement). */
  'x-traefik-xds-deprecated'?: string;
  /** Enum values that are accepted but deprecated: value → message naming the replacement. */
  'x-traefik-xds-deprecated-values'?: Record<string, string>;
  /** Value is a Traefik duration: a bare integer means seconds, else a Go duration (`1m30s`). */
  'x-traefik-xds-duration'?: boolean;
  /** Value is a Service port reference: a numeric *string* is looked up as a port name, which is rarely meant. */
  'x-traefik-xds-port-ref'?: boolean;
}

/** Where validation problems go; `path` is the full field path (`spec.routes[0].services[1].port`). */
export interface SchemaReport {
  error(path: string, message: string): void;
  warn(path: string, message: string): void;
}

/** The CRD duration pattern Traefik puts on most IntOrString durations (no fractions, no sign). */
export const DURATION_PATTERN = '^([0-9]+(ns|us|µs|ms|s|m|h)?)+$';

// ---------------------------------------------------------------------------------------------------------
// Paths

const SIMPLE_KEY = /^[A-Za-z0-9_\-/]+$/;

/** Appends an object key to a field path; keys that are not plain identifiers are bracket-quoted. */
export function joinPath(path: string, key: string): string {
  if (SIMPLE_KEY.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

// ---------------------------------------------------------------------------------------------------------
// Suggestions

export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/**
 * Best "did you mean" candidate: a case-insensitive match first (the seeds' `accesslogs`, `rootcas`), then the
 * smallest edit distance on lower-cased names within a third of the length (`followRedirect`), then a unique
 * prefix relation (`secret` → `secretName`).
 */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const lower = name.toLowerCase();
  const ci = list.find((c) => c.toLowerCase() === lower);
  if (ci !== undefined) return ci;
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of list) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (bestD <= limit) return best;
  // Truncated or extended names (`secret` for `secretName`, `stickyness` for `sticky`): a unique prefix relation.
  const prefixed = list.filter((c) => {
    const cl = c.toLowerCase();
    return Math.min(cl.length, lower.length) >= 4 && (cl.startsWith(lower) || lower.startsWith(cl));
  });
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  if (s === undefined) return '';
  const caseOnly = s.toLowerCase() === name.toLowerCase();
  return `; did you mean ${JSON.stringify(s)}?${caseOnly ? ' (names are case-sensitive)' : ''}`;
}

// ---------------------------------------------------------------------------------------------------------
// Durations

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu, also accepted by Go
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go `time.ParseDuration`; returns nanoseconds or an error message worded like Go's. */
export function parseGoDuration(s: string): { ns: number } | { error: string } {
  const orig = s;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ns: 0 };
  if (s === '') return { error: `invalid duration ${JSON.stringify(orig)}` };
  let total = 0;
  while (s !== '') {
    const m = /^([0-9]*)(\.([0-9]*))?/.exec(s)!;
    const intPart = m[1];
    const fracPart = m[3] ?? '';
    if (intPart === '' && fracPart === '') return { error: `invalid duration ${JSON.stringify(orig)}` };
    s = s.slice(m[0].length);
    const u = /^[^0-9.]*/.exec(s)![0];
    if (u === '') return { error: `missing unit in duration ${JSON.stringify(orig)}` };
    const scale = UNIT_NS[u];
    if (scale === undefined) return { error: `unknown unit ${JSON.stringify(u)} in duration ${JSON.stringify(orig)}` };
    s = s.slice(u.length);
    total += Number(intPart || '0') * scale + (fracPart ? Number('0.' + fracPart) * scale : 0);
  }
  if (total > 9223372036854775807) return { error: `invalid duration ${JSON.stringify(orig)}` };
  return { ns: Math.round(neg ? -total : total) };
}

/** Checks a Traefik duration as paerser reads it: integer string = seconds, else Go duration. */
export function checkTraefikDuration(v: string): string | undefined {
  if (/^[-+]?[0-9]+$/.test(v)) return undefined;
  const r = parseGoDuration(v);
  return 'error' in r ? r.error : undefined;
}

/** Shortest equivalent that the CRD pattern accepts (`1.5s` → `1500ms`), if any. */
function patternSafeDuration(ns: number): string | undefined {
  if (ns < 0 || !Number.isInteger(ns)) return undefined;
  if (ns === 0) return '0s';
  for (const [unit, scale] of [['h', 3600e9], ['m', 60e9], ['s', 1e9], ['ms', 1e6], ['us', 1e3], ['ns', 1]] as const) {
    if (ns % scale === 0) return `${ns / scale}${unit}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// CEL rules we know how to evaluate (copied as data into the CRD, executed here).

const CEL_RULES: Record<string, (self: unknown) => boolean> = {
  "self.startsWith('/')": (v) => typeof v !== 'string' || v.startsWith('/'),
  '!has(self.secret) || !has(self.configMap)': (v) =>
    !isPlainObject(v) || !(v.secret != null && v.configMap != null),
};

// ---------------------------------------------------------------------------------------------------------
// Validation

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return typeof v;
}

const TYPE_NAMES: Record<SchemaType, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
};

function typeHint(expected: SchemaType, v: unknown): string {
  if (expected === 'boolean' && typeof v === 'string') {
    const l = v.toLowerCase();
    if (['true', 'yes', 'on', 'y'].includes(l)) return ' (write true, unquoted)';
    if (['false', 'no', 'off', 'n'].includes(l)) return ' (write false, unquoted)';
  }
  if ((expected === 'integer' || expected === 'number') && typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v)) {
    return ` (write ${v}, unquoted)`;
  }
  if (expected === 'string' && (typeof v === 'number' || typeof v === 'boolean')) {
    return ` (quote it: "${String(v)}")`;
  }
  if (expected === 'array' && (typeof v === 'string' || isPlainObject(v))) return ' (write a YAML list: "- item")';
  return '';
}

function matchesType(t: SchemaType, v: unknown): boolean {
  switch (t) {
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
  }
}

const patternCache = new Map<string, RegExp>();
function compiled(p: string): RegExp {
  let re = patternCache.get(p);
  if (!re) {
    re = new RegExp(p, 'u');
    patternCache.set(p, re);
  }
  return re;
}

/**
 * Padded standard base64, ignoring whitespace: the same strings as `/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/`
 * on the value without `\s`, found faster. Secret data (certificates, keys) runs to kilobytes, and stripping then
 * matching it was the costliest check of a build: a long value as encoders write it is recognised by a native
 * round trip; anything else goes through a simpler pattern of the same meaning.
 */
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const SPACE = /\s/;

function isBase64(value: string): boolean {
  if (value.length >= 256 && value.length % 4 === 0 && Buffer.from(value, 'base64').toString('base64') === value) return true;
  if (BASE64_CHARS.test(value)) return value.length % 4 === 0;
  if (!SPACE.test(value)) return false;
  const s = value.replace(/\s+/g, '');
  return s.length % 4 === 0 && BASE64_CHARS.test(s);
}

/**
 * A schema as the validator reads it: every key resolved once (patterns compiled, CEL rules looked up,
 * sub-schemas compiled) into objects of one shape. Schemas are literals of many different shapes, and reading
 * their optional keys at every node of every object made each access a slow (megamorphic) lookup.
 */
interface CompiledSchema {
  type: SchemaType | undefined;
  intOrString: boolean;
  enum: (string | number | boolean)[] | undefined;
  depValues: Record<string, string> | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  pattern: string | undefined;
  /** Compiled on first use (as before: a pattern no value meets is never compiled). */
  patternRe: RegExp | undefined;
  isDuration: boolean;
  /** Any of pattern, duration, byte or port-reference checks applies to a string value. */
  checksStrings: boolean;
  isByte: boolean;
  portRef: boolean;
  validations: { fn: ((self: unknown) => boolean) | undefined; rule: string; message: string | undefined }[];
  items: CompiledSchema | undefined;
  nullable: boolean;
  required: string[];
  /** Own properties, compiled; `rawProps` is the original object (its inherited keys are looked up as before). */
  props: Map<string, CompiledSchema> | undefined;
  rawProps: Record<string, Schema> | undefined;
  deprecated: string | undefined;
  additional: CompiledSchema | undefined;
  openObject: boolean;
  /** Nothing but the type applies to a value (no enum, range, string or CEL check): the common case. */
  typeOnly: boolean;
  /** For a type-only scalar (string, boolean, integer, int-or-string): which, so a parent checks it inline. */
  scalar: Scalar;
}

/** Scalar schemas whose whole check is the value's type (see `fits`). */
const enum Scalar {
  None,
  String,
  Boolean,
  Integer,
  IntOrString,
}

const compiledSchemas = new WeakMap<object, CompiledSchema>();

function compileSchema(schema: Schema): CompiledSchema {
  let c = compiledSchemas.get(schema);
  if (c) return c;
  const v = schema['x-kubernetes-validations'] ?? [];
  c = {
    type: schema.type,
    intOrString: !!schema['x-kubernetes-int-or-string'],
    enum: schema.enum,
    depValues: schema['x-traefik-xds-deprecated-values'],
    minimum: schema.minimum,
    maximum: schema.maximum,
    pattern: schema.pattern,
    patternRe: undefined,
    isDuration: schema['x-traefik-xds-duration'] === true,
    isByte: schema.format === 'byte',
    portRef: !!schema['x-traefik-xds-port-ref'],
    checksStrings:
      (schema.pattern !== undefined && schema.pattern !== '') ||
      schema['x-traefik-xds-duration'] === true ||
      schema.format === 'byte' ||
      !!schema['x-traefik-xds-port-ref'],
    validations: v.map((x) => ({ fn: CEL_RULES[x.rule], rule: x.rule, message: x.message })),
    items: undefined,
    nullable: !!schema.nullable,
    required: schema.required ?? [],
    props: undefined,
    rawProps: schema.properties,
    deprecated: schema['x-traefik-xds-deprecated'],
    additional: undefined,
    openObject: schema.additionalProperties === true || !!schema['x-kubernetes-preserve-unknown-fields'],
    typeOnly: false,
    scalar: Scalar.None,
  };
  c.typeOnly =
    c.enum === undefined && c.depValues === undefined && !c.checksStrings &&
    c.minimum === undefined && c.maximum === undefined && c.validations.length === 0;
  if (c.typeOnly && c.deprecated === undefined) {
    c.scalar = c.intOrString ? Scalar.IntOrString
      : c.type === 'string' ? Scalar.String
        : c.type === 'boolean' ? Scalar.Boolean
          : c.type === 'integer' ? Scalar.Integer
            : Scalar.None;
  }
  compiledSchemas.set(schema, c); // before the sub-schemas: a schema may contain itself
  if (schema.items) c.items = compileSchema(schema.items);
  if (isPlainObject(schema.additionalProperties)) c.additional = compileSchema(schema.additionalProperties as Schema);
  if (schema.properties) {
    const props = new Map<string, CompiledSchema>();
    for (const key of Object.keys(schema.properties)) {
      const sub = schema.properties[key];
      if (sub) props.set(key, compileSchema(sub));
    }
    c.props = props;
  }
  return c;
}

/** The sub-schema of an object key: own properties, else what a plain lookup finds (as `properties[key]` does). */
function propertyOf(c: CompiledSchema, key: string): CompiledSchema | undefined {
  const own = c.props?.get(key);
  if (own || !c.rawProps) return own;
  const inherited = (c.rawProps as Record<string, unknown>)[key];
  return inherited && (typeof inherited === 'object' || typeof inherited === 'function') ? compileSchema(inherited as Schema) : undefined;
}

/**
 * One validation run: the report, what the walk found, and the field path of the node being checked. The path
 * is kept as a stack of segments and joined into a string only when a problem is reported: almost every node is
 * valid, and building every node's path string was a large part of the cost.
 */
class Walk {
  ok = true;
  /**
   * The walk visited every object and list of the value, all plain data (`{}` and `[]`), and met no null or
   * undefined object field: the value is what pruneNulls would return, so it need not be copied.
   */
  nullFree = true;
  /** Object keys and list indexes below `root`; the first `depth` are the current node's. */
  private readonly segments: (string | number)[] = [];
  private depth = 0;
  /** for-in over a `{}` object lists its own keys, as Object.keys does (unless Object.prototype has enumerable keys). */
  readonly forInIsKeys = !hasEnumerableKeys(Object.prototype);
  /** A run is under way (validate is not re-entered today; if it were, the inner run would get a Walk of its own). */
  busy = false;

  constructor(
    private root: string,
    private report: SchemaReport,
  ) {}

  /** Starts a run on this Walk. */
  reset(root: string, report: SchemaReport): void {
    this.ok = true;
    this.nullFree = true;
    this.depth = 0;
    this.root = root;
    this.report = report;
  }

  enter(segment: string | number): void {
    this.segments[this.depth++] = segment;
  }

  leave(): void {
    this.depth--;
  }

  path(): string {
    let p = this.root;
    for (let i = 0; i < this.depth; i++) {
      const s = this.segments[i];
      p = typeof s === 'number' ? indexPath(p, s) : joinPath(p, s);
    }
    return p;
  }

  error(message: string): void {
    this.ok = false;
    this.report.error(this.path(), message);
  }

  warn(message: string): void {
    this.report.warn(this.path(), message);
  }

  /** A field or item the walk does not look into: it may hold anything pruneNulls changes. */
  skipped(v: unknown): void {
    if (typeof v === 'object' || v === undefined) this.nullFree = false;
  }
}

function hasEnumerableKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

export interface Validation {
  /** No error was reported (warnings do not count). */
  ok: boolean;
  /** `pruneNulls(value)` would return `value` itself, so it need not be called (see Walk.nullFree). */
  nullFree: boolean;
}

/**
 * Validates `value` against `schema`, reporting every problem with its full field path. `null` and `undefined`
 * count as absent (the API server prunes nulls), so callers check presence through `required`.
 */
export function validate(schema: Schema, value: unknown, path: string, report: SchemaReport): Validation {
  const w = sharedWalk.busy ? new Walk(path, report) : sharedWalk;
  w.reset(path, report);
  w.busy = true;
  try {
    walk(compileSchema(schema), value, w);
    return { ok: w.ok, nullFree: w.nullFree };
  } finally {
    w.busy = false;
    w.reset('', NO_REPORT); // holds nothing of the run
  }
}

const NO_REPORT: SchemaReport = { error() {}, warn() {} };

/**
 * One Walk for every run. Besides saving an allocation per object, it keeps V8's hidden class of Walk objects
 * alive: that class is reachable only from live instances (class fields are added by weak map transitions), so
 * with a Walk per run a full collection between builds freed it, which discarded every optimised function that
 * checks it (the walker's, about a third of the parse time) and the next build ran them unoptimised.
 */
const sharedWalk = new Walk('', NO_REPORT);

/** `validate`, returning true when no error was reported (warnings do not count). */
export function validateAgainst(schema: Schema, value: unknown, path: string, report: SchemaReport): boolean {
  return validate(schema, value, path, report).ok;
}

/**
 * A present value that needs nothing more than its type checked, and has it: most fields. Checked by the parent
 * inline, which saves entering the node (a call and a path segment per field).
 */
function fits(schema: CompiledSchema, v: unknown): boolean {
  switch (schema.scalar) {
    case Scalar.None:
      return false;
    case Scalar.String:
      return typeof v === 'string';
    case Scalar.Boolean:
      return typeof v === 'boolean';
    case Scalar.Integer:
      return typeof v === 'number' && Number.isInteger(v);
    case Scalar.IntOrString:
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  }
}

function walk(schema: CompiledSchema, value: unknown, w: Walk): void {
  if (value === null || value === undefined) return;

  if (schema.intOrString) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      w.skipped(value);
      w.error(`expected an integer or a string, got ${describeValue(value)}`);
      return;
    }
  } else if (schema.type && !matchesType(schema.type, value)) {
    w.skipped(value);
    w.error(`expected ${TYPE_NAMES[schema.type]}, got ${describeValue(value)}${typeHint(schema.type, value)}`);
    return;
  }
  if (!schema.typeOnly && !checkValue(schema, value, w)) return;

  if (typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) w.nullFree = false;
    const items = schema.items;
    if (!items) {
      if (value.length > 0) w.nullFree = false;
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (fits(items, item)) continue;
      w.enter(i);
      walkItem(items, item, w);
      w.leave();
    }
    return;
  }
  const plain = Object.getPrototypeOf(value) === Object.prototype;
  if (!plain) w.nullFree = false;
  walkObject(schema, value as Record<string, unknown>, plain, w);
}

/** The checks beyond the type; false when the value failed its enum (nothing more is checked then). */
function checkValue(schema: CompiledSchema, value: unknown, w: Walk): boolean {
  if (schema.enum && !schema.enum.includes(value as string | number | boolean)) {
    w.skipped(value);
    const allowed = schema.enum.map((e) => JSON.stringify(e)).join(', ');
    const hint = typeof value === 'string' ? didYouMean(value, schema.enum.map(String)) : '';
    w.error(`unsupported value ${JSON.stringify(value)}: must be one of ${allowed}${hint}`);
    return false;
  }
  const depValues = schema.depValues;
  if (depValues && typeof value === 'string' && Object.prototype.hasOwnProperty.call(depValues, value)) {
    w.warn(`value ${JSON.stringify(value)} is deprecated: ${depValues[value]}`);
  }

  if (typeof value === 'number') checkRange(schema, value, w);
  else if (typeof value === 'string') checkString(schema, value, w);

  const validations = schema.validations;
  for (let i = 0; i < validations.length; i++) {
    const v = validations[i];
    if (v.fn && !v.fn(value)) w.error(v.message ?? `failed validation rule ${v.rule}`);
  }
  return true;
}

/** List items: unlike object fields, a null item is not pruned by Kubernetes; it is a type error. */
function walkItem(schema: CompiledSchema, item: unknown, w: Walk): void {
  if (item === null && schema.type && !schema.nullable) {
    w.error(`expected ${TYPE_NAMES[schema.type]}, got null (empty list item)`);
    return;
  }
  walk(schema, item, w);
}

function checkRange(schema: CompiledSchema, value: number, w: Walk): void {
  if (schema.minimum !== undefined && value < schema.minimum) {
    w.error(`${value} is below the minimum ${schema.minimum}`);
  }
  if (schema.maximum !== undefined && value > schema.maximum) {
    w.error(`${value} is above the maximum ${schema.maximum}`);
  }
}

function checkString(schema: CompiledSchema, value: string, w: Walk): void {
  if (!schema.checksStrings) return;
  const isDuration = schema.isDuration;
  if (schema.pattern !== undefined && schema.pattern !== '' && !(schema.patternRe ??= compiled(schema.pattern)).test(value)) {
    if (isDuration) {
      w.error(durationPatternMessage(value));
      return;
    }
    w.error(`${JSON.stringify(value)} does not match the pattern ${schema.pattern}`);
    return;
  }
  // An empty plain-string duration (flushInterval: "") is treated as unset by the provider.
  if (isDuration && !(value === '' && schema.type === 'string')) {
    const err = checkTraefikDuration(value);
    if (err) w.error(`${err} (a Traefik duration is an integer number of seconds or a Go duration such as "1m30s")`);
  }
  if (schema.isByte && !isBase64(value)) {
    w.error('is not valid base64 (use stringData for plain text)');
  }
  if (schema.portRef && /^[0-9]+$/.test(value)) {
    w.warn(
      `port ${JSON.stringify(value)} is a string, so Traefik looks up a Service port *named* ${JSON.stringify(value)}, and port names always contain a letter; write ${value} unquoted to select the port number`,
    );
  }
}

function durationPatternMessage(value: string): string {
  const base = `invalid duration ${JSON.stringify(value)}: this field only accepts integers with an optional unit (ns, us, µs, ms, s, m, h), e.g. "500ms" or "1m30s"; fractions and signs are rejected by Traefik's CRD`;
  const r = parseGoDuration(value);
  if ('error' in r) return base;
  if (r.ns < 0) {
    return r.ns % 1e9 === 0 ? `${base}; a negative value must be written as an integer number of seconds: ${r.ns / 1e9}` : base;
  }
  const alt = patternSafeDuration(r.ns);
  return alt ? `${base}; write ${JSON.stringify(alt)}` : base;
}

function walkObject(schema: CompiledSchema, value: Record<string, unknown>, plain: boolean, w: Walk): void {
  const required = schema.required;
  for (let i = 0; i < required.length; i++) {
    const req = required[i];
    const v = value[req];
    if (v === undefined || v === null) {
      w.enter(req);
      w.error(`missing required field ${JSON.stringify(req)}`);
      w.leave();
    }
  }
  if (plain && w.forInIsKeys) {
    // The same keys in the same order as Object.keys, read through the object's enum cache: no array per object,
    // and cheaper loads than by key on objects of many shapes.
    for (const key in value) walkField(schema, key, value[key], w);
  } else {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) walkField(schema, keys[i], value[keys[i]], w);
  }
}

function walkField(schema: CompiledSchema, key: string, v: unknown, w: Walk): void {
  if (v === null || v === undefined || key === '__proto__') w.nullFree = false;
  const sub = propertyOf(schema, key);
  if (sub) {
    // An absent (null) field is neither checked nor warned about.
    if (v === null || v === undefined || fits(sub, v)) return;
    w.enter(key);
    const dep = sub.deprecated;
    if (dep) w.warn(`${JSON.stringify(key)} is deprecated: ${dep}`);
    walk(sub, v, w);
    w.leave();
    return;
  }
  if (schema.additional) {
    if (v === null || v === undefined || fits(schema.additional, v)) return;
    w.enter(key);
    walk(schema.additional, v, w);
    w.leave();
    return;
  }
  w.skipped(v);
  if (schema.openObject) return;
  if (schema.rawProps) {
    w.enter(key);
    w.error(`unknown field ${JSON.stringify(key)}${didYouMean(key, Object.keys(schema.rawProps))}`);
    w.leave();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Typed copy

/**
 * Without null/undefined object fields, as the API server stores it (nulls are pruned). Subtrees with nothing to
 * prune are returned as they are rather than copied (most objects have no null at all); plain data only, so
 * anything else (a Map, a Date, a null-prototype object, a `__proto__` key) is copied as it always was.
 */
export function pruneNulls<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return pruneList(value) as T;
  return pruneFields(value as Record<string, unknown>) as T;
}

function pruneList(value: unknown[]): unknown[] {
  if (Object.getPrototypeOf(value) !== Array.prototype) return value.map((v) => pruneNulls(v));
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    const p = pruneNulls(v);
    if (p === v) continue;
    // From the first changed item on: a copy (`map` keeps holes, so does this).
    const out = value.slice(0, i);
    out.length = value.length;
    out[i] = p;
    for (let j = i + 1; j < value.length; j++) if (j in value) out[j] = pruneNulls(value[j]);
    return out;
  }
  return value;
}

function pruneFields(value: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(value);
  let i = 0;
  let changed: { value: unknown } | undefined;
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (; i < keys.length; i++) {
      const k = keys[i];
      const v = value[k];
      if (v === null || v === undefined || k === '__proto__') break;
      const p = pruneNulls(v);
      if (p !== v) {
        changed = { value: p };
        break;
      }
    }
    if (i === keys.length) return value;
  }
  // From the first field to drop or change on: a copy (the fields before it are kept as they are).
  const out: Record<string, unknown> = {};
  for (let j = 0; j < i; j++) out[keys[j]] = value[keys[j]];
  if (changed) out[keys[i++]] = changed.value;
  for (; i < keys.length; i++) {
    const k = keys[i];
    const v = value[k];
    if (v === null || v === undefined) continue;
    out[k] = pruneNulls(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Schema-building helpers shared by the kind files (keep the schemas short and uniform).

export function str(description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'string', ...(description ? { description } : {}), ...extra };
}
export function bool(description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'boolean', ...(description ? { description } : {}), ...extra };
}
export function int(description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'integer', ...(description ? { description } : {}), ...extra };
}
export function int64(description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'integer', format: 'int64', ...(description ? { description } : {}), ...extra };
}
export function arr(items: Schema, description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'array', items, ...(description ? { description } : {}), ...extra };
}
export function strList(description?: string, extra: Partial<Schema> = {}): Schema {
  return arr({ type: 'string' }, description, extra);
}
export function strMap(description?: string): Schema {
  return { type: 'object', additionalProperties: { type: 'string' }, ...(description ? { description } : {}) };
}
export function obj(properties: Record<string, Schema>, description?: string, extra: Partial<Schema> = {}): Schema {
  return { type: 'object', properties, ...(description ? { description } : {}), ...extra };
}
export function intOrString(description?: string, extra: Partial<Schema> = {}): Schema {
  return {
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
    ...(description ? { description } : {}),
    ...extra,
  };
}
/** IntOrString duration constrained by Traefik's CRD pattern (no fractions, no sign in strings). */
export function duration(description?: string): Schema {
  return intOrString(description, { pattern: DURATION_PATTERN, 'x-traefik-xds-duration': true });
}
/** IntOrString duration without a CRD pattern: any paerser duration (`1.5s`, `-1s`) is accepted. */
export function looseDuration(description?: string): Schema {
  return intOrString(description, { 'x-traefik-xds-duration': true });
}
export function deprecated(s: Schema, message: string): Schema {
  return { ...s, 'x-traefik-xds-deprecated': message };
}
