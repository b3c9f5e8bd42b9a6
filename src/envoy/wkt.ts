// Text forms of the well-known types, per the proto3 JSON mapping.

/** ±10,000 years, the range google.protobuf.Duration allows. */
const MAX_DURATION_SECONDS = 315_576_000_000n;
const NANOS = 1_000_000_000n;

export interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

/** "1.5s", "-0.001s", "300s" → seconds + nanos (same sign); undefined when malformed or out of range. */
export function parseDuration(s: string): SecondsNanos | undefined {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(s);
  if (!m) return undefined;
  const seconds = BigInt(m[2]);
  if (seconds > MAX_DURATION_SECONDS) return undefined;
  const nanos = m[3] ? Number(m[3].padEnd(9, '0')) : 0;
  return m[1] ? { seconds: -seconds, nanos: -nanos } : { seconds, nanos };
}

/** Fraction digits: 0, 3, 6 or 9 as proto3 JSON prints them. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const s = String(nanos).padStart(9, '0');
  if (nanos % 1_000_000 === 0) return '.' + s.slice(0, 3);
  if (nanos % 1_000 === 0) return '.' + s.slice(0, 6);
  return '.' + s;
}

export function formatDuration(seconds: bigint, nanos: number): string {
  const neg = seconds < 0n || nanos < 0;
  const abs = seconds < 0n ? -seconds : seconds;
  return `${neg ? '-' : ''}${abs}${fraction(Math.abs(nanos))}s`;
}

/** Total nanoseconds, for comparisons. */
export function durationNanos(d: SecondsNanos): bigint {
  return d.seconds * NANOS + BigInt(d.nanos);
}

/** 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z */
const MIN_TIMESTAMP = -62_135_596_800n;
const MAX_TIMESTAMP = 253_402_300_799n;

/** RFC 3339 ("2024-01-02T03:04:05.123Z", offsets allowed) → seconds since the epoch + nanos. */
export function parseTimestamp(s: string): SecondsNanos | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // not Date.UTC: it maps years 0-99 to 1900-1999
  date.setUTCHours(h, mi, se, 0);
  if (date.getUTCDate() !== d) return undefined; // Feb 30 and friends
  let seconds = BigInt(Math.floor(date.getTime() / 1000));
  if (m[9]) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60;
    seconds -= BigInt(m[9] === '+' ? offset : -offset);
  }
  if (seconds < MIN_TIMESTAMP || seconds > MAX_TIMESTAMP) return undefined;
  return { seconds, nanos: m[7] ? Number(m[7].padEnd(9, '0')) : 0 };
}

export function formatTimestamp(seconds: bigint, nanos: number): string {
  const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return iso.slice(0, 19) + fraction(nanos) + 'Z';
}

/** Standard or URL-safe base64, padding optional (what proto3 JSON parsers accept). */
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

export function parseBase64(s: string): Uint8Array | undefined {
  if (!BASE64.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

export function formatBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** FieldMask JSON: "fooBar,baz.quxQuux" ↔ paths ["foo_bar", "baz.qux_quux"]. */
export function parseFieldMask(s: string): string[] | undefined {
  if (s === '') return [];
  const paths = s.split(',');
  if (paths.some((p) => !/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/.test(p))) return undefined;
  return paths.map((p) => p.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()));
}

export function formatFieldMask(paths: string[]): string {
  return paths.map((p) => p.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())).join(',');
}

/** Shortest decimal that reads back as the same float32 (so `0.1` stays `0.1`). */
export function formatFloat32(v: number): number {
  if (!Number.isFinite(v) || Number.isInteger(v)) return v;
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}
