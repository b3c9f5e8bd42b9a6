// A small structural view of a Go/RE2 regex: its top-level atoms (literal characters, classes, groups, ...),
// enough to split a URL regex into scheme, host and path parts (RedirectRegex) and to reason about which
// characters a part can match. Anything it does not understand makes the caller refuse.
import { re2Matches } from '../../../model/rules';

export interface Atom {
  /** The atom's source text, quantifier included. */
  text: string;
  kind: 'lit' | 'class' | 'escape' | 'any' | 'group' | 'start' | 'end' | 'alt' | 'flags';
  /** lit: the character. */
  ch?: string;
  /** *, +, ?, {n,m} (with a lazy ?), or ''. */
  quant: string;
  /** group: inner text, capturing or not, its name. */
  inner?: string;
  capturing?: boolean;
  name?: string;
}

const QUANT = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/;

/** Splits a regex into top-level atoms; undefined when it uses syntax this view does not model. */
export function atoms(re: string): Atom[] | undefined {
  const out: Atom[] = [];
  let i = 0;
  while (i < re.length) {
    const start = i;
    const c = re[i]!;
    let atom: Omit<Atom, 'text' | 'quant'>;
    if (c === '\\') {
      const n = re[i + 1];
      if (n === undefined) return undefined;
      if (n === 'Q') {
        const end = re.indexOf('\\E', i + 2);
        const lit = end < 0 ? re.slice(i + 2) : re.slice(i + 2, end);
        for (const ch of lit) out.push({ text: ch.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'), kind: 'lit', ch, quant: '' });
        i = end < 0 ? re.length : end + 2;
        continue;
      }
      if (/[A-Za-z0-9]/.test(n)) {
        if (/[pP]/.test(n)) {
          const m = /^\\[pP](?:\{[^}]*\}|[A-Za-z])/.exec(re.slice(i));
          if (!m) return undefined;
          i += m[0].length;
        } else if (n === 'x') {
          const m = /^\\x(?:\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{2})/.exec(re.slice(i));
          if (!m) return undefined;
          i += m[0].length;
        } else i += 2;
        const t = re.slice(start, i);
        if (/^\\[bBAz]$/.test(t)) return undefined; // assertions
        atom = { kind: 'escape' };
        if (/^\\[tnrfv]$/.test(t)) atom = { kind: 'lit', ch: { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v' }[n]! };
        else if (/^\\x/.test(t)) atom = { kind: 'lit', ch: String.fromCodePoint(parseInt(t.replace(/^\\x\{?|\}$/g, ''), 16)) };
        else if (/^\\[0-7]/.test(t)) return undefined;
      } else {
        i += 2;
        atom = { kind: 'lit', ch: n };
      }
    } else if (c === '[') {
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') {
        if (re[j] === '\\') j += 2;
        else if (re[j] === '[' && re[j + 1] === ':') {
          const end = re.indexOf(':]', j + 2);
          if (end < 0) return undefined;
          j = end + 2;
        } else j++;
      }
      if (j >= re.length) return undefined;
      i = j + 1;
      atom = { kind: 'class' };
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < re.length; j++) {
        const d = re[j];
        if (d === '\\') {
          j++;
          continue;
        }
        if (d === '[') {
          let k = j + 1;
          if (re[k] === '^') k++;
          if (re[k] === ']') k++;
          while (k < re.length && re[k] !== ']') k += re[k] === '\\' ? 2 : 1;
          j = k;
          continue;
        }
        if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      if (j >= re.length) return undefined;
      const body = re.slice(i + 1, j);
      i = j + 1;
      if (!body.startsWith('?')) atom = { kind: 'group', inner: body, capturing: true };
      else {
        const named = /^\?P?<([A-Za-z0-9_]+)>/.exec(body);
        if (named) atom = { kind: 'group', inner: body.slice(named[0].length), capturing: true, name: named[1] };
        else if (/^\?[imsU-]*:/.test(body)) atom = { kind: 'group', inner: body.slice(body.indexOf(':') + 1), capturing: false };
        else if (/^\?[imsU-]+$/.test(body)) atom = { kind: 'flags' };
        else return undefined;
      }
    } else if (c === '.') {
      i++;
      atom = { kind: 'any' };
    } else if (c === '^') {
      i++;
      atom = { kind: 'start' };
    } else if (c === '$') {
      i++;
      atom = { kind: 'end' };
    } else if (c === '|') {
      i++;
      atom = { kind: 'alt' };
    } else if (c === ')' || c === '*' || c === '+' || c === '?' || c === '{') {
      // `{` not starting a repetition is a literal in Go; keep it simple and refuse.
      return undefined;
    } else {
      i++;
      atom = { kind: 'lit', ch: c };
    }
    const q = QUANT.exec(re.slice(i));
    const quant = q ? q[0] : '';
    i += quant.length;
    if (quant && (atom.kind === 'start' || atom.kind === 'end' || atom.kind === 'alt' || atom.kind === 'flags')) return undefined;
    out.push({ ...atom, text: re.slice(start, i), quant });
  }
  return out;
}

/** Number of capturing groups in a regex text (nested ones included). */
export function captureCount(re: string): number {
  let n = 0;
  const list = atoms(re);
  if (!list) return 0;
  for (const a of list) if (a.kind === 'group') n += (a.capturing ? 1 : 0) + captureCount(a.inner!);
  return n;
}

/** Names of the capturing groups, in order ('' for unnamed). */
export function captureNames(re: string): string[] {
  const out: string[] = [];
  for (const a of atoms(re) ?? []) {
    if (a.kind !== 'group') continue;
    if (a.capturing) out.push(a.name ?? '');
    out.push(...captureNames(a.inner!));
  }
  return out;
}

/** Splits a group body on its top-level `|`. */
function alternatives(re: string): string[] | undefined {
  const list = atoms(re);
  if (!list) return undefined;
  const out: string[] = [];
  let cur = '';
  for (const a of list) {
    if (a.kind === 'alt') {
      out.push(cur);
      cur = '';
    } else cur += a.text;
  }
  out.push(cur);
  return out;
}

/**
 * Whether the regex may match a string containing `ch` (conservative: true when unsure). Case-insensitive
 * flags are honoured by RE2 on the single atoms tested.
 */
export function mayMatchChar(re: string, ch: string): boolean {
  const alts = alternatives(re);
  if (!alts) return true;
  for (const alt of alts) {
    for (const a of atoms(alt) ?? [{ kind: 'any' } as Atom]) {
      if (a.kind === 'start' || a.kind === 'end' || a.kind === 'flags') continue;
      if (a.kind === 'group') {
        if (mayMatchChar(a.inner!, ch)) return true;
        continue;
      }
      if (a.kind === 'lit') {
        if (a.ch === ch) return true;
        continue;
      }
      const single = a.kind === 'any' ? '.' : a.text.slice(0, a.text.length - a.quant.length);
      try {
        if (re2Matches(`^(?:${single})$`, ch)) return true;
      } catch {
        return true;
      }
    }
  }
  return false;
}

/** A literal-and-groups view: each atom a literal string or a capture group's global index; undefined if other syntax. */
export type TemplatePart = string | { group: number };

export function template(list: Atom[], firstGroup: number): TemplatePart[] | undefined {
  const out: TemplatePart[] = [];
  let g = firstGroup;
  for (const a of list) {
    if (a.quant) return undefined;
    if (a.kind === 'lit') {
      const last = out[out.length - 1];
      if (typeof last === 'string') out[out.length - 1] = last + a.ch!;
      else out.push(a.ch!);
    } else if (a.kind === 'group' && a.capturing) {
      out.push({ group: g });
      g += 1 + captureCount(a.inner!);
    } else if (a.kind === 'end') {
      continue;
    } else return undefined;
  }
  return out;
}

/** Leading literal text of a list of atoms (up to the first non-literal or quantified atom). */
export function literalPrefix(list: Atom[]): string {
  let s = '';
  for (const a of list) {
    if (a.kind !== 'lit' || a.quant) break;
    s += a.ch;
  }
  return s;
}
