// IPv4 address sets as RE2 patterns over their dotted-decimal text, for matching entries of the
// X-Forwarded-For header (Traefik's ipStrategy depth / excludedIPs). The text is what Go's netip.ParseAddr
// accepts for IPv4: four decimal octets without leading zeros.

/** A closed range of IPv4 addresses as 32-bit integers. */
export type V4Range = [number, number];

const ANY_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';

/** RE2 pattern for the decimal numbers a..b, same digit count, no leading zeros beyond the first digit. */
function sameLength(a: string, b: string): string {
  if (a.length === 1) return a === b ? a : `[${a}-${b}]`;
  if (a[0] === b[0]) return a[0] + sameLength(a.slice(1), b.slice(1));
  const n = a.length - 1;
  const zeros = '0'.repeat(n);
  const nines = '9'.repeat(n);
  if (a.slice(1) === zeros && b.slice(1) === nines) return `[${a[0]}-${b[0]}][0-9]{${n}}`.replace('{1}', '');
  const parts: string[] = [];
  let lo = Number(a[0]);
  let hi = Number(b[0]);
  if (a.slice(1) !== zeros) {
    parts.push(a[0] + sameLength(a.slice(1), nines));
    lo++;
  }
  let tail: string | undefined;
  if (b.slice(1) !== nines) {
    tail = b[0] + sameLength(zeros, b.slice(1));
    hi--;
  }
  if (lo <= hi) parts.push(`${lo === hi ? lo : `[${lo}-${hi}]`}[0-9]${n > 1 ? `{${n}}` : ''}`);
  if (tail) parts.push(tail);
  return parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`;
}

/** RE2 pattern for the integers lo..hi (0 ≤ lo ≤ hi ≤ 255) written without leading zeros. */
export function octetRange(lo: number, hi: number): string {
  if (lo === 0 && hi === 255) return ANY_OCTET;
  const parts: string[] = [];
  for (const [a, b] of [[0, 9], [10, 99], [100, 255]] as const) {
    const x = Math.max(lo, a);
    const y = Math.min(hi, b);
    if (x <= y) parts.push(sameLength(String(x), String(y)));
  }
  return parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`;
}

function octets(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

export function parseV4(s: string): number {
  const [a, b, c, d] = s.split('.').map(Number);
  return (((a! << 24) >>> 0) + (b! << 16) + (c! << 8) + d!) >>> 0;
}

/** `a.b.c.d/len` → its range. */
export function cidrToRange(cidr: string): V4Range {
  const [addr, len] = cidr.split('/');
  const bits = Number(len);
  const base = parseV4(addr!);
  const size = 2 ** (32 - bits);
  const lo = Math.floor(base / size) * size;
  return [lo, lo + size - 1];
}

/** Sorted, merged ranges. */
export function mergeRanges(ranges: V4Range[]): V4Range[] {
  const s = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: V4Range[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** a \ b over merged range lists. */
export function subtractRanges(a: V4Range[], b: V4Range[]): V4Range[] {
  let cur = mergeRanges(a);
  for (const [bl, bh] of mergeRanges(b)) {
    const next: V4Range[] = [];
    for (const [l, h] of cur) {
      if (bh < l || bl > h) next.push([l, h]);
      else {
        if (l < bl) next.push([l, bl - 1]);
        if (h > bh) next.push([bh + 1, h]);
      }
    }
    cur = next;
  }
  return cur;
}

/**
 * RE2 pattern for the addresses lo..hi (octets, from octet `d` on), decomposed like a numeric range in base
 * 256: a shared leading octet, then the partial first and last values around a run of whole ones.
 */
function octetsPattern(lo: number[], hi: number[], d: number): string {
  if (d === 4) return '';
  const sep = d < 3 ? '\\.' : '';
  const anyRest = (from: number) => Array.from({ length: 4 - from }, () => ANY_OCTET).join('\\.');
  if (lo[d] === hi[d]) return `${lo[d]}${sep}${octetsPattern(lo, hi, d + 1)}`;
  const loRestMin = lo.slice(d + 1).every((x) => x === 0);
  const hiRestMax = hi.slice(d + 1).every((x) => x === 255);
  const parts: string[] = [];
  let start = lo[d]!;
  let end = hi[d]!;
  if (!loRestMin) {
    parts.push(`${lo[d]}${sep}${octetsPattern(lo, [...lo.slice(0, d + 1), 255, 255, 255].slice(0, 4), d + 1)}`);
    start++;
  }
  let tail: string | undefined;
  if (!hiRestMax) {
    tail = `${hi[d]}${sep}${octetsPattern([...hi.slice(0, d + 1), 0, 0, 0].slice(0, 4), hi, d + 1)}`;
    end--;
  }
  if (start <= end) parts.push(`${octetRange(start, end)}${d < 3 ? `\\.${anyRest(d + 1)}` : ''}`);
  if (tail) parts.push(tail);
  return parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`;
}

/** RE2 pattern (no anchors) matching exactly the dotted-decimal text of the addresses in the ranges. */
export function rangesPattern(ranges: V4Range[]): string | undefined {
  const pats = mergeRanges(ranges).map(([lo, hi]) => octetsPattern(octets(lo), octets(hi), 0));
  if (pats.length === 0) return undefined;
  return pats.length === 1 ? pats[0] : `(?:${pats.join('|')})`;
}
