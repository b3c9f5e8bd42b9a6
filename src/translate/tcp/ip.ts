// CIDR arithmetic for TCP routing: containment, the regions a set of CIDRs cuts the address space into
// (CIDRs are always nested or disjoint), and one representative address per region.
import { parseIP } from '../../model/rules/ip';

export interface Cidr {
  v6: boolean;
  /** Network address as a number (32 or 128 bits). */
  net: bigint;
  len: number;
  /** Normalised text `addr/len`. */
  text: string;
}

const bitsOf = (v6: boolean) => (v6 ? 128 : 32);

function toBig(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** An address (v4 or v6 text, IPv4-mapped IPv6 read as IPv4) as a number, or undefined. */
export function parseAddress(s: string): { v6: boolean; value: bigint } | undefined {
  const b = parseIP(s);
  if (!b) return undefined;
  if (b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return { v6: false, value: toBig(b.slice(12)) };
  return { v6: b.length === 16, value: toBig(b) };
}

/** Parses a normalised `addr/len` (see normalizeClientIP). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const a = parseAddress(text.slice(0, slash));
  const len = Number(text.slice(slash + 1));
  if (!a || !Number.isInteger(len) || len < 0 || len > bitsOf(a.v6)) return undefined;
  const host = bitsOf(a.v6) - len;
  const net = (a.value >> BigInt(host)) << BigInt(host);
  return { v6: a.v6, net, len, text };
}

function last(c: Cidr): bigint {
  return c.net + (1n << BigInt(bitsOf(c.v6) - c.len)) - 1n;
}

export function cidrContains(c: Cidr, ip: { v6: boolean; value: bigint }): boolean {
  return c.v6 === ip.v6 && ip.value >= c.net && ip.value <= last(c);
}

export function formatAddress(v6: boolean, value: bigint): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Longest run of zero groups (≥ 2) becomes `::`.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export interface IpRegion {
  /** The smallest CIDR holding the region; undefined = outside every CIDR. */
  cidr?: Cidr;
  /** The enclosing region's CIDR (undefined = outside). */
  parent?: Cidr;
  /** Addresses in the region (one per family for the outside region). */
  reps: string[];
}

/**
 * The regions of the address space: for each CIDR, its addresses not in a smaller CIDR of the set; and the
 * addresses outside all of them. Regions with no address left (fully covered by smaller CIDRs) still appear,
 * with no representative. Sorted: outside first, then CIDRs from the largest.
 */
export function ipRegions(cidrTexts: Iterable<string>): IpRegion[] {
  const cidrs: Cidr[] = [];
  const seen = new Set<string>();
  for (const t of cidrTexts) {
    const c = parseCidr(t);
    if (!c) continue;
    const k = `${c.v6}/${c.net}/${c.len}`;
    if (seen.has(k)) continue;
    seen.add(k);
    cidrs.push(c);
  }
  cidrs.sort((a, b) => (a.v6 !== b.v6 ? (a.v6 ? 1 : -1) : a.len - b.len || (a.net < b.net ? -1 : a.net > b.net ? 1 : 0)));
  const parents = new Map<Cidr, Cidr | undefined>();
  for (const c of cidrs) {
    let p: Cidr | undefined;
    for (const o of cidrs) {
      if (o === c || o.v6 !== c.v6 || o.len >= c.len) continue;
      if (cidrContains(o, { v6: c.v6, value: c.net }) && (!p || o.len > p.len)) p = o;
    }
    parents.set(c, p);
  }
  const parentOf = (c: Cidr) => parents.get(c);
  const children = (p: Cidr | undefined, v6: boolean) => cidrs.filter((c) => c.v6 === v6 && parentOf(c) === p);
  /** First address of [start, end] not in any of `kids`, or undefined. */
  const gap = (start: bigint, end: bigint, kids: Cidr[]): bigint | undefined => {
    const sorted = [...kids].sort((a, b) => (a.net < b.net ? -1 : a.net > b.net ? 1 : 0));
    let cursor = start;
    for (const k of sorted) {
      if (k.net > cursor) return cursor;
      if (last(k) >= cursor) cursor = last(k) + 1n;
      if (cursor > end) return undefined;
    }
    return cursor <= end ? cursor : undefined;
  };
  const out: IpRegion[] = [];
  const outside: string[] = [];
  // Documentation addresses read better in diagnostics; any free address will do.
  const preferred: [boolean, string][] = [[false, '203.0.113.1'], [false, '192.0.2.1'], [true, '2001:db8:ffff::1'], [true, '100::1']];
  for (const v6 of [false, true]) {
    const top = children(undefined, v6);
    const free = preferred.find(([f, a]) => f === v6 && !top.some((c) => cidrContains(c, parseAddress(a)!)));
    const g = free ? parseAddress(free[1])!.value : gap(0n, (1n << BigInt(bitsOf(v6))) - 1n, top);
    if (g !== undefined) outside.push(formatAddress(v6, g));
  }
  out.push({ reps: outside });
  for (const c of cidrs) {
    const g = gap(c.net, last(c), children(c, c.v6));
    out.push({ cidr: c, parent: parentOf(c), reps: g === undefined ? [] : [formatAddress(c.v6, g)] });
  }
  return out;
}
