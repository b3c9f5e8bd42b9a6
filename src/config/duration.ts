// Traefik durations (paerser's `types.Duration`): a bare integer means seconds, anything else is Go's
// `time.ParseDuration` syntax. Used by the static configuration and by CRD fields; results are in
// milliseconds (fractions allowed, so `1us` = 0.001).

const NS_PER_MS = 1_000_000;

/** Go's unit table, in nanoseconds. Both micro signs are accepted, as in Go. */
const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n, // µ MICRO SIGN
  '\u03bcs': 1_000n, // μ GREEK SMALL LETTER MU
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

// Go durations are int64 nanoseconds; keep Go's overflow errors so a value Traefik rejects is rejected here.
const MAX_NS = (1n << 63n) - 1n;
const MAX_SECONDS = MAX_NS / 1_000_000_000n;

/**
 * Parses a Traefik duration into milliseconds.
 * - number: an integer is seconds (`60` → 60000); a fraction has no unit, an error as in Traefik.
 * - string: a signed decimal integer is seconds (`"60"`); else Go syntax: `1m30s`, `100ms`, `1.5h`, `-2s`,
 *   `0`, units ns, us/µs/μs, ms, s, m, h.
 * Negative values parse (Go allows them); callers decide whether a sign makes sense for their field.
 */
export function parseTraefikDuration(v: string | number): number | { error: string } {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { error: `invalid duration ${String(v)}` };
    if (!Number.isInteger(v)) return { error: `missing unit in duration "${v}" (a bare number means seconds and must be an integer)` };
    if (Math.abs(v) > Number(MAX_SECONDS)) return { error: `invalid duration "${v}": out of range` };
    return v * 1000;
  }
  if (typeof v !== 'string') return { error: `invalid duration: expected a string or a number` };
  // paerser tries strconv.ParseInt(s, 10, 64) first: optional sign, decimal digits only.
  if (/^[+-]?[0-9]+$/.test(v)) {
    const n = BigInt(v);
    if (n > MAX_SECONDS || n < -MAX_SECONDS) return { error: `invalid duration "${v}": out of range` };
    return Number(n) * 1000;
  }
  const ns = parseGoDuration(v);
  if (typeof ns !== 'bigint') return ns;
  return Number(ns) / NS_PER_MS;
}

/** Go's time.ParseDuration, returning nanoseconds. */
function parseGoDuration(orig: string): bigint | { error: string } {
  const invalid = { error: `invalid duration "${orig}"` };
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid;
    // integer part
    let i = 0;
    let v = 0n;
    while (i < s.length && isDigit(s[i])) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > MAX_NS) return invalid; // Go: "invalid duration" on overflow
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    // fraction part (digits past int64 precision are consumed but ignored, as in Go)
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j])) {
        if (!overflow) {
          const next = f * 10n + BigInt(s.charCodeAt(j) - 48);
          if (next > MAX_NS) overflow = true;
          else {
            f = next;
            scale *= 10;
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return invalid;
    // unit: everything up to the next '.' or digit
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    if (k === 0) return { error: `missing unit in duration "${orig}"` };
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) return { error: `unknown unit "${u}" in duration "${orig}" (valid units: ns, us, µs, ms, s, m, h)` };
    if (v > MAX_NS / unit) return invalid;
    v *= unit;
    if (f > 0n) {
      // Go: v += int64(float64(f) * (float64(unit) / scale))
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX_NS) return invalid;
    }
    total += v;
    if (total > MAX_NS) return invalid;
  }
  return neg ? -total : total;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Formats milliseconds the way Go prints a time.Duration (`1m30s`, `100ms`, `0s`), for dumps and docs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let ns = BigInt(Math.round(Math.abs(ms) * NS_PER_MS));
  let out: string;
  if (ns < 1_000_000_000n) {
    // sub-second: one unit with a decimal fraction, as Go does
    if (ns < 1_000n) out = `${ns}ns`;
    else if (ns < 1_000_000n) out = `${fraction(ns, 1_000n)}µs`;
    else out = `${fraction(ns, 1_000_000n)}ms`;
  } else {
    const h = ns / 3_600_000_000_000n;
    ns -= h * 3_600_000_000_000n;
    const m = ns / 60_000_000_000n;
    ns -= m * 60_000_000_000n;
    out = `${fraction(ns, 1_000_000_000n)}s`;
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

function fraction(v: bigint, unit: bigint): string {
  const whole = v / unit;
  const rest = v % unit;
  if (rest === 0n) return `${whole}`;
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
