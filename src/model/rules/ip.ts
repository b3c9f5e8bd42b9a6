// IP / CIDR parsing with Go's rules (`net.ParseIP`, `net.ParseCIDR`, as used by
// Traefik's `ip.NewChecker`), normalised to the CIDR a matcher really covers.

type Bytes = number[];

function parseIPv4(s: string): Bytes | undefined {
  const fields = s.split('.');
  if (fields.length !== 4) return undefined;
  const out: Bytes = [];
  for (const f of fields) {
    // Go rejects empty fields, more than 3 digits, values > 255 and leading zeros.
    if (!/^[0-9]{1,3}$/.test(f) || (f.length > 1 && f[0] === '0')) return undefined;
    const v = Number(f);
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

function parseIPv6(s: string): Bytes | undefined {
  if (s.includes('%')) return undefined; // zones are rejected by net.ParseIP
  const out: Bytes = [];
  let ellipsis = -1;
  let rest = s;
  if (rest.startsWith('::')) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest === '') return new Array<number>(16).fill(0);
  }
  while (out.length < 16) {
    const m = /^[0-9a-fA-F]{1,4}/.exec(rest);
    if (!m) return undefined;
    // An embedded IPv4 address takes the last 4 bytes.
    if (rest[m[0].length] === '.') {
      if (ellipsis < 0 && out.length !== 12) return undefined;
      if (out.length + 4 > 16) return undefined;
      const v4 = parseIPv4(rest);
      if (!v4) return undefined;
      out.push(...v4);
      rest = '';
      break;
    }
    const v = parseInt(m[0], 16);
    out.push(v >> 8, v & 0xff);
    rest = rest.slice(m[0].length);
    if (rest === '') break;
    if (rest[0] !== ':') return undefined;
    if (rest.startsWith('::')) {
      if (ellipsis >= 0) return undefined;
      ellipsis = out.length;
      rest = rest.slice(2);
      if (rest === '') break;
    } else {
      rest = rest.slice(1);
      if (rest === '') return undefined;
    }
  }
  if (rest !== '') return undefined;
  if (out.length < 16) {
    if (ellipsis < 0) return undefined;
    const zeros = new Array<number>(16 - out.length).fill(0);
    out.splice(ellipsis, 0, ...zeros);
  } else if (ellipsis >= 0) {
    return undefined; // `::` must stand for at least one group
  }
  return out;
}

/** Go's netip.ParseAddr without zones: 4 bytes for IPv4 syntax, 16 for IPv6 syntax. */
export function parseIP(s: string): Bytes | undefined {
  for (const c of s) {
    if (c === '.') return parseIPv4(s);
    if (c === ':') return parseIPv6(s);
    if (c === '%') return undefined;
  }
  return undefined;
}

function isV4Mapped(b: Bytes): boolean {
  return b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

function formatIPv4(b: Bytes): string {
  return b.join('.');
}

/** RFC 5952 text form, as Go prints it (the longest run of two or more zero groups becomes `::`). */
function formatIPv6(b: Bytes): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function mask(b: Bytes, bits: number): Bytes {
  const out: Bytes = new Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = b[i] & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/**
 * Normalises a `ClientIP` value to the CIDR it matches, or undefined if Go rejects it.
 * A bare IP becomes /32 or /128; host bits are cleared; IPv4-mapped IPv6 values become
 * IPv4, because Go's `net.IP.Equal` / `IPNet.Contains` treat them as the IPv4 address.
 */
export function normalizeClientIP(value: string): string | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) {
    const ip = parseIP(value);
    if (!ip) return undefined;
    if (ip.length === 4) return `${formatIPv4(ip)}/32`;
    if (isV4Mapped(ip)) return `${formatIPv4(ip.slice(12))}/32`;
    return `${formatIPv6(ip)}/128`;
  }
  const ip = parseIP(value.slice(0, slash));
  const lenText = value.slice(slash + 1);
  // Go's dtoi: decimal digits only, leading zeros allowed.
  if (!ip || !/^[0-9]+$/.test(lenText)) return undefined;
  const bits = Number(lenText);
  if (bits > ip.length * 8) return undefined;
  const net = mask(ip, bits);
  if (ip.length === 4) return `${formatIPv4(net)}/${bits}`;
  if (isV4Mapped(net)) return `${formatIPv4(net.slice(12))}/${bits - 96}`;
  return `${formatIPv6(net)}/${bits}`;
}
