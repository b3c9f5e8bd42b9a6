// Traefik regexes are unanchored Go regexps; Envoy's safe_regex is a full-match RE2. These helpers build
// full-match RE2 patterns with the same match set.

/** Escapes every RE2 metacharacter (Go's regexp.QuoteMeta). */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** An unanchored Go match turned into a full match: `(?s:.*)(?:re)(?s:.*)`. */
export function unanchored(re: string): string {
  return `(?s:.*)(?:${re})(?s:.*)`;
}
