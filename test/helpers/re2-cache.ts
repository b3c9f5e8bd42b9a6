// RE2 (the engine Envoy and Go use) with compiled patterns cached, for the matching models in tests.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { RE2 } = require('re2-wasm') as { RE2: new (src: string, flags: string) => { test(s: string): boolean } };

const cache = new Map<string, { test(s: string): boolean }>();

function compiled(src: string): { test(s: string): boolean } {
  let re = cache.get(src);
  if (!re) {
    re = new RE2(src.replace(/\(\?<(?![=!])/g, '(?P<'), 'u');
    cache.set(src, re);
  }
  return re;
}

/** Go's unanchored MatchString. */
export function searchRe2(pattern: string, s: string): boolean {
  return compiled(pattern).test(s);
}

/** Envoy's safe_regex: the whole string must match. */
export function fullMatchRe2(pattern: string, s: string): boolean {
  return compiled(`\\A(?:${pattern})\\z`).test(s);
}
