// Go standard-library string helpers whose exact behaviour the matchers depend on.

/** Traefik's `muxer.IsASCII`. */
export function isASCII(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

/** Go's `strings.ToUpper`: simple (one-to-one) case mapping, unlike JS's full mapping (`ß` stays `ß`). */
export function goToUpper(s: string): string {
  if (isASCII(s)) return s.toUpperCase();
  let out = '';
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += [...up].length === 1 ? up : ch;
  }
  return out;
}

/** Go's `strings.ToLower` with simple case mapping. */
export function goToLower(s: string): string {
  if (isASCII(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const low = ch.toLowerCase();
    out += [...low].length === 1 ? low : ch;
  }
  return out;
}

const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;

/** Go's `http.CanonicalHeaderKey` (`textproto.CanonicalMIMEHeaderKey`). */
export function canonicalHeaderKey(key: string): string {
  let sawSpace = false;
  for (const c of key) {
    if (TOKEN_CHAR.test(c)) continue;
    if (c === ' ') {
      sawSpace = true;
      continue;
    }
    return key;
  }
  if (sawSpace) return key;
  let upper = true;
  let out = '';
  for (const c of key) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}
