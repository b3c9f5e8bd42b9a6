// Globs for fleet matching (node cluster, node id, certificate SAN): `*` any run of characters
// (including none), `?` one character, `[abc]` / `[a-z]` / `[!a-z]` a class, `\x` a literal x.
// Anchored: the whole string must match.

export function compileGlob(pattern: string): RegExp | { error: string } {
  let re = '^';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '*') {
      re += '[\\s\\S]*';
      i++;
    } else if (c === '?') {
      re += '[\\s\\S]';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= pattern.length) return { error: `invalid glob "${pattern}": trailing "\\"` };
      re += escapeRe(pattern[i + 1]);
      i += 2;
    } else if (c === '[') {
      const cls = readClass(pattern, i);
      if ('error' in cls) return cls;
      re += cls.re;
      i = cls.end;
    } else {
      re += escapeRe(c);
      i++;
    }
  }
  return new RegExp(re + '$', 'u');
}

function readClass(pattern: string, start: number): { re: string; end: number } | { error: string } {
  let i = start + 1;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  const parts: string[] = [];
  let first = true;
  while (i < pattern.length && (pattern[i] !== ']' || first)) {
    first = false;
    let lo = pattern[i];
    if (lo === '\\') {
      if (i + 1 >= pattern.length) break;
      lo = pattern[++i];
    }
    i++;
    if (pattern[i] === '-' && i + 1 < pattern.length && pattern[i + 1] !== ']') {
      let hi = pattern[i + 1];
      i += 2;
      if (hi === '\\') {
        if (i >= pattern.length) break;
        hi = pattern[i++];
      }
      if (hi < lo) return { error: `invalid glob "${pattern}": range "${lo}-${hi}" is reversed` };
      parts.push(`${escapeClass(lo)}-${escapeClass(hi)}`);
    } else {
      parts.push(escapeClass(lo));
    }
  }
  if (i >= pattern.length) return { error: `invalid glob "${pattern}": "[" is not closed` };
  if (parts.length === 0) return { error: `invalid glob "${pattern}": empty character class` };
  return { re: `[${negate ? '^' : ''}${parts.join('')}]`, end: i + 1 };
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeClass(c: string): string {
  return c.replace(/[\]\\^-]/g, '\\$&');
}

/** Whether `value` matches `pattern`; an invalid pattern matches nothing. */
export function globMatch(pattern: string, value: string): boolean {
  const re = compileGlob(pattern);
  return re instanceof RegExp && re.test(value);
}
