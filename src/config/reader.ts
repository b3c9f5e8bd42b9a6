// Reading the YAML tree against key tables: case-insensitive key matching (as Traefik's paerser),
// Traefik's value coercions, and diagnostics that point at file:line:col.
import { isIP } from 'node:net';
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Node as YNode, Pair, YAMLMap } from 'yaml';
import type { Diagnostic, Diagnostics, Severity } from '../model/diagnostics';
import { parseTraefikDuration } from './duration';
import { compileGlob } from './glob';
import type { KeySpec } from './keys';
import { suggest } from './suggest';

export const KIND = 'StaticConfig';

/** A value at a config path: the resolved YAML node (null for a YAML null) and where to point diagnostics. */
export interface Val {
  path: string;
  node: YNode | null;
  /** Node whose position diagnostics use (the value, or the key when the value is null). */
  at: YNode | null;
  keyNode?: YNode | null;
}

export class Ctx {
  constructor(
    readonly diags: Diagnostics,
    readonly label: string,
    readonly lc: LineCounter | undefined,
    readonly doc: Document | undefined,
  ) {}

  pos(node: YNode | null | undefined): string | undefined {
    const r = node?.range;
    if (!r || !this.lc) return undefined;
    const p = this.lc.linePos(r[0]);
    return `${this.label}:${p.line}:${p.col}`;
  }

  report(severity: Severity, field: string | undefined, node: YNode | null | undefined, message: string): void {
    const d: Diagnostic = { severity, kind: KIND, message };
    if (field) d.field = field;
    const src = this.pos(node);
    if (src) d.source = src;
    this.diags.add(d);
  }
  error(v: Val | string, message: string): void {
    if (typeof v === 'string') this.report('error', v, undefined, message);
    else this.report('error', v.path, v.at, message);
  }
  warn(v: Val | string, message: string): void {
    if (typeof v === 'string') this.report('warning', v, undefined, message);
    else this.report('warning', v.path, v.at, message);
  }

  /** Follows aliases; a null scalar becomes null. */
  resolve(n: unknown): YNode | null {
    let cur = n as YNode | null | undefined;
    for (let i = 0; i < 32 && cur && isAlias(cur); i++) cur = this.doc ? (cur.resolve(this.doc) as YNode | undefined) : undefined;
    if (!cur) return null;
    if (isScalar(cur) && cur.value === null) return null;
    return cur;
  }
}

export function describe(n: YNode | null): string {
  if (n === null) return 'nothing';
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) {
    const v = n.value;
    if (typeof v === 'string') return `"${v}"`;
    return String(v);
  }
  return 'an unsupported value';
}

interface RawPair {
  key: string;
  keyNode: YNode;
  value: YNode | null;
}

function isMergeKey(k: unknown): boolean {
  return isScalar(k) && (typeof k.value === 'symbol' || (k.source === '<<' && k.type === 'PLAIN'));
}

/** The pairs of a mapping, `<<` merges applied (explicit keys win, as YAML says). */
function pairsOf(ctx: Ctx, map: YAMLMap, pathForErrors: string): RawPair[] {
  const explicit: RawPair[] = [];
  const merged: RawPair[] = [];
  for (const item of map.items as Pair[]) {
    const keyNode = item.key as YNode | null;
    if (isMergeKey(keyNode)) {
      const src = ctx.resolve(item.value);
      const sources = src && isSeq(src) ? src.items.map((x) => ctx.resolve(x)) : [src];
      for (const s of sources) {
        if (s && isMap(s)) merged.push(...pairsOf(ctx, s, pathForErrors));
        else ctx.report('error', pathForErrors, keyNode, '"<<" must merge a mapping or a list of mappings');
      }
      continue;
    }
    const k = ctx.resolve(keyNode);
    if (!k || !isScalar(k) || typeof k.value === 'object') {
      ctx.report('error', pathForErrors, keyNode ?? undefined, 'keys must be plain strings');
      continue;
    }
    explicit.push({ key: String(k.value), keyNode: keyNode as YNode, value: ctx.resolve(item.value) });
  }
  if (merged.length === 0) return explicit;
  const seen = new Set(explicit.map((p) => p.key));
  const out = [...explicit];
  for (const p of merged) {
    if (seen.has(p.key)) continue;
    seen.add(p.key);
    out.push(p);
  }
  return out;
}

export function joinPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

export function mkVal(path: string, keyNode: YNode | null, node: YNode | null): Val {
  return { path, node, at: node ?? keyNode, keyNode };
}

/**
 * Reads a mapping against a key table. Keys match case-insensitively (as Traefik's loader); a key
 * given twice (in any case) is an error; ignored keys warn; unknown keys are errors with a suggestion.
 * Returns the recognized keys by canonical name, or undefined when the value is not a mapping.
 */
export function readObject(ctx: Ctx, v: Val, spec: KeySpec): Map<string, Val> | undefined {
  const out = new Map<string, Val>();
  if (v.node === null) return out;
  if (!isMap(v.node)) {
    ctx.error(v, `must be a mapping, not ${describe(v.node)}`);
    return undefined;
  }
  const canon = new Map<string, string>();
  for (const k of Object.keys(spec)) canon.set(k.toLowerCase(), k);
  const seen = new Map<string, RawPair>();
  for (const p of pairsOf(ctx, v.node, v.path)) {
    const lower = p.key.toLowerCase();
    const name = canon.get(lower);
    const path = joinPath(v.path, name ?? p.key);
    const prev = seen.get(lower);
    if (prev) {
      const where = ctx.pos(prev.keyNode);
      ctx.report(
        'error',
        path,
        p.keyNode,
        `duplicate key "${p.key}": "${prev.key}"${where ? ` (${where})` : ''} already sets it (key names are case-insensitive)`,
      );
      continue;
    }
    seen.set(lower, p);
    if (name === undefined) {
      const guess = suggest(p.key, Object.keys(spec));
      const hint = guess
        ? `; did you mean "${guess}"?`
        : `; known keys: ${Object.keys(spec)
            .filter((k) => spec[k] === true)
            .join(', ')}`;
      ctx.report('error', path, p.keyNode, `unknown key "${p.key}"${hint}`);
      continue;
    }
    const s = spec[name];
    if (s !== true) {
      if ('ignored' in s) ctx.report('warning', path, p.keyNode, `ignored: "${p.key}" (${s.ignored})`);
      else ctx.report('error', path, p.keyNode, `"${p.key}" is not supported: ${s.error}`);
      continue;
    }
    out.set(name, mkVal(path, p.keyNode, p.value));
  }
  return out;
}

/** A mapping whose keys are names (entry points, metadata): keys keep their case. */
export function readDict(ctx: Ctx, v: Val): Array<{ name: string; val: Val }> {
  if (v.node === null) return [];
  if (!isMap(v.node)) {
    ctx.error(v, `must be a mapping, not ${describe(v.node)}`);
    return [];
  }
  const out: Array<{ name: string; val: Val }> = [];
  const seen = new Map<string, YNode>();
  for (const p of pairsOf(ctx, v.node, v.path)) {
    const path = joinPath(v.path, p.key);
    const prev = seen.get(p.key);
    if (prev) {
      const where = ctx.pos(prev);
      ctx.report('error', path, p.keyNode, `duplicate key "${p.key}"${where ? ` (first at ${where})` : ''}`);
      continue;
    }
    seen.set(p.key, p.keyNode);
    out.push({ name: p.key, val: mkVal(path, p.keyNode, p.value) });
  }
  return out;
}

export function readList(ctx: Ctx, v: Val): Val[] | undefined {
  if (v.node === null) return undefined;
  if (!isSeq(v.node)) {
    ctx.error(v, `must be a list, not ${describe(v.node)}`);
    return undefined;
  }
  return v.node.items.map((item, i) => {
    const n = ctx.resolve(item);
    return { path: `${v.path}[${i}]`, node: n, at: n ?? (item as YNode) };
  });
}

function scalar(ctx: Ctx, v: Val, expected: string): unknown {
  if (v.node === null) return undefined;
  if (!isScalar(v.node)) {
    ctx.error(v, `must be ${expected}, not ${describe(v.node)}`);
    return undefined;
  }
  return v.node.value;
}

/** Strings; numbers and booleans are taken as their text, as Traefik does. */
export function readString(ctx: Ctx, v: Val | undefined): string | undefined {
  if (!v) return undefined;
  const x = scalar(ctx, v, 'a string');
  if (x === undefined) return undefined;
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') {
    const src = isScalar(v.node) ? v.node.source : undefined;
    return typeof x === 'number' && typeof src === 'string' && src !== '' ? src : String(x);
  }
  ctx.error(v, `must be a string`);
  return undefined;
}

const TRUE_STRINGS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_STRINGS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Booleans, plus what Go's strconv.ParseBool accepts ("true", "1", "F", ...). */
export function readBool(ctx: Ctx, v: Val | undefined): boolean | undefined {
  if (!v) return undefined;
  const x = scalar(ctx, v, 'true or false');
  if (x === undefined) return undefined;
  if (typeof x === 'boolean') return x;
  const s = String(x);
  if (TRUE_STRINGS.has(s)) return true;
  if (FALSE_STRINGS.has(s)) return false;
  ctx.error(v, `must be true or false, not ${describe(v.node)}`);
  return undefined;
}

export function readInt(ctx: Ctx, v: Val | undefined, min: number, max: number): number | undefined {
  if (!v) return undefined;
  const x = scalar(ctx, v, 'an integer');
  if (x === undefined) return undefined;
  let n: number | undefined;
  if (typeof x === 'number' && Number.isInteger(x)) n = x;
  else if (typeof x === 'string' && /^[+-]?[0-9]+$/.test(x)) n = Number(x);
  if (n === undefined || !Number.isSafeInteger(n)) {
    ctx.error(v, `must be an integer, not ${describe(v.node)}`);
    return undefined;
  }
  if (n < min || n > max) {
    ctx.error(v, `must be between ${min} and ${max}, not ${n}`);
    return undefined;
  }
  return n;
}

/** A Traefik duration, in ms. `allowNegative` for the fields where Traefik gives a negative a meaning. */
export function readDuration(ctx: Ctx, v: Val | undefined, allowNegative = false): number | undefined {
  if (!v) return undefined;
  const x = scalar(ctx, v, 'a duration');
  if (x === undefined) return undefined;
  if (typeof x !== 'string' && typeof x !== 'number') {
    ctx.error(v, `must be a duration (e.g. 30s, 1m30s, 100ms, or a number of seconds), not ${describe(v.node)}`);
    return undefined;
  }
  const r = parseTraefikDuration(x);
  if (typeof r !== 'number') {
    ctx.error(v, `${r.error}; expected e.g. 30s, 1m30s, 100ms, or a number of seconds`);
    return undefined;
  }
  if (r < 0 && !allowNegative) {
    ctx.error(v, `must not be negative (${String(x)})`);
    return undefined;
  }
  return r;
}

/** A list of strings; a single string is split on commas, as Traefik's loader does. */
export function readStringList(ctx: Ctx, v: Val | undefined): Array<{ value: string; val: Val }> | undefined {
  if (!v || v.node === null) return undefined;
  if (isScalar(v.node)) {
    const s = readString(ctx, v);
    if (s === undefined) return undefined;
    return s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '')
      .map((value) => ({ value, val: v }));
  }
  const items = readList(ctx, v);
  if (!items) return undefined;
  const out: Array<{ value: string; val: Val }> = [];
  for (const it of items) {
    if (it.node === null) {
      ctx.error(it, 'must be a string, not an empty value');
      continue;
    }
    const s = readString(ctx, it);
    if (s !== undefined) out.push({ value: s, val: it });
  }
  return out;
}

/**
 * A section Traefik marks `allowEmpty` (providers, tls, proxyProtocol, spiffe): `{}` or `true` enables it,
 * `false` disables it. A YAML null is skipped by Traefik's loader, so it stays off here too (with a warning,
 * since `key:` with nothing after it almost always meant "on").
 */
export function readSection(ctx: Ctx, v: Val | undefined): { on: false } | { on: true; body: Val } | undefined {
  if (!v) return undefined;
  if (v.node === null) {
    ctx.warn(v, `has no value, so it is off (as in Traefik); write "{}" to turn it on with its defaults`);
    return { on: false };
  }
  if (isMap(v.node)) return { on: true, body: v };
  if (isScalar(v.node)) {
    const x = v.node.value;
    const s = String(x);
    if (x === true || TRUE_STRINGS.has(s)) return { on: true, body: { ...v, node: null } };
    if (x === false || FALSE_STRINGS.has(s)) return { on: false };
  }
  ctx.error(v, `must be a mapping (or {} / true to turn it on), not ${describe(v.node)}`);
  return undefined;
}

export function plainObject(ctx: Ctx, n: YNode | null): Record<string, unknown> {
  if (n === null || !ctx.doc) return {};
  const js = n.toJS(ctx.doc) as unknown;
  return js && typeof js === 'object' && !Array.isArray(js) ? (js as Record<string, unknown>) : {};
}

// ---------------------------------------------------------------- value checks

export function checkIPOrCIDR(s: string): string | undefined {
  const slash = s.indexOf('/');
  const ip = slash >= 0 ? s.slice(0, slash) : s;
  const fam = isIP(ip);
  if (fam === 0) return `"${s}" is not an IP address or CIDR`;
  if (slash >= 0) {
    const bits = s.slice(slash + 1);
    const max = fam === 4 ? 32 : 128;
    if (!/^[0-9]+$/.test(bits) || Number(bits) > max) return `"${s}": prefix length must be 0-${max}`;
  }
  return undefined;
}

export function readIPList(ctx: Ctx, v: Val | undefined): string[] | undefined {
  const list = readStringList(ctx, v);
  if (!list) return undefined;
  const out: string[] = [];
  for (const { value, val } of list) {
    const err = checkIPOrCIDR(value);
    if (err) ctx.error(val, err);
    else out.push(value);
  }
  return out;
}

export function readGlob(ctx: Ctx, v: Val | undefined): string | undefined {
  const s = readString(ctx, v);
  if (s === undefined || s === '') return undefined;
  const re = compileGlob(s);
  if (!(re instanceof RegExp)) {
    ctx.error(v as Val, re.error);
    return undefined;
  }
  return s;
}

export function readEnum<T extends string>(ctx: Ctx, v: Val | undefined, allowed: readonly T[], caseInsensitive = false): T | undefined {
  const s = readString(ctx, v);
  if (s === undefined) return undefined;
  const probe = caseInsensitive ? s.toLowerCase() : s;
  const hit = allowed.find((a) => a === probe);
  if (hit) return hit;
  const guess = suggest(s, [...allowed]);
  ctx.error(v as Val, `must be one of ${allowed.join(', ')}, not "${s}"${guess ? `; did you mean "${guess}"?` : ''}`);
  return undefined;
}
