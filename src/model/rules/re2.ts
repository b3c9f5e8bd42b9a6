// Regexp validation with RE2 (the engine Envoy uses), plus the few patterns
// Go's regexp (the engine Traefik uses) rejects although RE2 accepts them.

// The wasm wrapper is used directly: re2-wasm's RE2 class rewrites JavaScript
// regexp syntax (e.g. `\u0041`) before compiling, which would accept patterns RE2 itself rejects.
// Loaded on the first regexp: its WebAssembly memory costs about 9 MiB of RSS, which a configuration without
// regexps does not need to pay.
type WrappedRE2Class = new (pattern: string, ignoreCase: boolean, multiline: boolean, dotAll: boolean) => WrappedRE2Instance;
let wrappedRE2: WrappedRE2Class | undefined;
function loadWrappedRE2(): WrappedRE2Class {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (wrappedRE2 ??= (require('re2-wasm/build/wasm/re2') as { WrappedRE2: WrappedRE2Class }).WrappedRE2);
}

interface WrappedRE2Instance {
  ok(): boolean;
  error(): string;
  match(input: string, start: number, getCapturingGroups: boolean): { index: number };
  delete(): void;
}

const cache = new Map<string, string | undefined>();
const CACHE_LIMIT = 5000;

/** Returns RE2's error message for `pattern`, or undefined if RE2 (and Go) accept it. */
export function checkRe2(pattern: string): string | undefined {
  if (cache.has(pattern)) return cache.get(pattern);
  const result = goOnlyRejection(pattern) ?? compileError(pattern);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, result);
  return result;
}

function compileError(pattern: string): string | undefined {
  // This RE2 build predates RE2's support for `(?<name>`, which Go and current Envoy accept.
  const re = new (loadWrappedRE2())(pattern.replace(/\(\?<(?![=!])/g, '(?P<'), false, false, false);
  try {
    return re.ok() ? undefined : re.error();
  } finally {
    re.delete();
  }
}

/** Go's regexp/syntax rejects `\C` and duplicate group names; this RE2 build accepts both. */
function goOnlyRejection(pattern: string): string | undefined {
  const names = new Set<string>();
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (pattern[i + 1] === 'C' && !inClass) return 'invalid escape sequence: \\C';
      if (pattern[i + 1] === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        if (end < 0) break;
        i = end + 1;
        continue;
      }
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(') {
      const m = /^\(\?P?<([^>]*)>/.exec(pattern.slice(i));
      if (m) {
        if (names.has(m[1]!)) return `duplicate capture group name: ${m[1]}`;
        names.add(m[1]!);
      }
    }
  }
  return undefined;
}

/**
 * Go `regexp.MatchString` semantics (unanchored search) for a pattern RE2 accepts.
 * Throws if the pattern does not compile. Meant for tests and diagnostics, not hot paths.
 */
export function re2Matches(pattern: string, input: string): boolean {
  const re = new (loadWrappedRE2())(pattern.replace(/\(\?<(?![=!])/g, '(?P<'), false, false, false);
  try {
    if (!re.ok()) throw new Error(`invalid RE2 regexp ${JSON.stringify(pattern)}: ${re.error()}`);
    return re.match(input, 0, false).index >= 0;
  } finally {
    re.delete();
  }
}

/** Go's `regexp.QuoteMeta`. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
