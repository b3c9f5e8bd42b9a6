// Traefik 1.7 rendered redirect-regex and redirect-replacement into its TOML template between double quotes,
// after checking them with Go's strconv.Unquote (traefik-ingress.md §3.1). The value in effect is therefore the
// annotation text with its escapes decoded (`\\.` → `\.`); an escape either step rejects made 1.7 skip the
// redirect. Only escapes valid in both Go and TOML basic strings are decoded here.

const SIMPLE: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** The decoded value, or undefined when 1.7 rejected it (bad escape, bare `"`, newline). */
export function templateString(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === '\n') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[i + 1];
    if (e !== undefined && e in SIMPLE) {
      out += SIMPLE[e];
      i++;
      continue;
    }
    const n = e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = s.slice(i + 2, i + 2 + n);
    if (n === 0 || !new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return undefined;
    out += String.fromCodePoint(cp);
    i += 1 + n;
  }
  return out;
}
