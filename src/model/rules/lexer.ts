// Tokenizer for rule strings, following Go's scanner (Traefik parses rules with go/parser).
// Beyond the few tokens the rule language uses, it recognises enough of Go's
// lexical grammar (numbers, rune literals, comments, operators, automatic
// semicolons) for errors to point at the right place.

import { RuleFailure } from './types';

export type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'semi' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text (for `semi`: ';' or '\n'; for `eof`: ''). */
  text: string;
  offset: number;
  end: number;
  /** Decoded value of a string literal. */
  value?: string;
  /** Set on a semicolon Go inserts at a line end, a line comment, or the end of the rule. */
  auto?: boolean;
}

// Longest first, so that `&&` wins over `&` and `...` over `.`.
const OPERATORS = [
  '...', '&^=', '<<=', '>>=',
  '&&', '||', '==', '!=', '<=', '>=', '&^', '<<', '>>', '<-', ':=', '++', '--',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '~',
  '!', '(', ')', ',', '&', '|', '=', '<', '>', '+', '-', '*', '/', '%', '^', '.', '[', ']', '{', '}', ':', ';',
];

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };

const LETTER = /^[\p{L}_]$/u;
const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}_]$/u;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return cp >= 0x21 && cp < 0x7f ? `'${ch}'` : `U+${hex}`;
}

export class Lexer {
  private pos = 0;
  /** Go inserts a semicolon at the next line end after these tokens. */
  private semiPending = false;
  private done = false;

  constructor(private readonly src: string) {
    // Go skips a byte order mark only at the very start of the source.
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  next(): Token {
    if (this.done) return { kind: 'eof', text: '', offset: this.src.length, end: this.src.length };
    const autoSemi = this.skipSpace();
    if (autoSemi) return autoSemi;
    const src = this.src;
    const start = this.pos;
    if (start >= src.length) {
      this.done = true;
      return { kind: 'eof', text: '', offset: start, end: start };
    }
    const ch = this.charAt(start);
    let tok: Token;
    if (LETTER.test(ch)) {
      tok = this.scanIdent();
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[start + 1] ?? ''))) {
      tok = this.scanNumber();
    } else if (ch === '`') {
      tok = this.scanRawString();
    } else if (ch === '"') {
      tok = this.scanString();
    } else if (ch === "'") {
      throw new RuleFailure(`single quotes are not allowed at position ${start}: use backquotes or double quotes`, start);
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, start));
      if (!op) throw new RuleFailure(`unexpected character ${describeChar(ch)} at position ${start}`, start);
      this.pos = start + op.length;
      tok = op === ';' ? { kind: 'semi', text: ';', offset: start, end: this.pos } : { kind: 'op', text: op, offset: start, end: this.pos };
    }
    this.semiPending =
      tok.kind === 'ident' || tok.kind === 'string' || tok.kind === 'number' ||
      (tok.kind === 'op' && [')', ']', '}', '++', '--'].includes(tok.text));
    return tok;
  }

  /** The character (whole code point) at `i`, rejecting what Go's scanner rejects. */
  private charAt(i: number): string {
    const code = this.src.charCodeAt(i);
    if (code === 0) throw new RuleFailure(`illegal character NUL at position ${i}`, i);
    if (code === 0xfeff) throw new RuleFailure(`illegal byte order mark at position ${i}`, i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = this.src.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) return this.src.slice(i, i + 2);
    }
    if (code >= 0xd800 && code <= 0xdfff) throw new RuleFailure(`invalid character (unpaired surrogate) at position ${i}`, i);
    return this.src[i]!;
  }

  private checkChars(from: number, to: number): void {
    for (let j = from; j < to; ) j += this.charAt(j).length;
  }

  /** Skips blanks and comments; returns the semicolon Go would insert, if any. */
  private skipSpace(): Token | undefined {
    const src = this.src;
    for (;;) {
      const i = this.pos;
      if (i >= src.length) {
        if (this.semiPending) return this.autoSemi(i);
        return undefined;
      }
      const c = src[i];
      if (c === '\n') {
        if (this.semiPending) return this.autoSemi(i, 1);
        this.pos++;
      } else if (c === ' ' || c === '\t' || c === '\r') {
        this.pos++;
      } else if (c === '/' && src[i + 1] === '/') {
        if (this.semiPending) return this.autoSemi(i);
        let j = i + 2;
        while (j < src.length && src[j] !== '\n') j += this.charAt(j).length;
        this.pos = j;
      } else if (c === '/' && src[i + 1] === '*') {
        const close = src.indexOf('*/', i + 2);
        const stop = close < 0 ? src.length : close;
        this.checkChars(i + 2, stop);
        // A block comment spanning a line end counts as a line end.
        if (this.semiPending && (close < 0 || src.slice(i, close).includes('\n'))) return this.autoSemi(i);
        if (close < 0) throw new RuleFailure(`unterminated comment starting at ${i}`, i);
        this.pos = close + 2;
      } else {
        return undefined;
      }
    }
  }

  private autoSemi(at: number, consume = 0): Token {
    this.semiPending = false;
    this.pos = at + consume;
    return { kind: 'semi', text: '\n', offset: at, end: at + consume, auto: true };
  }

  private scanIdent(): Token {
    const start = this.pos;
    let i = start;
    while (i < this.src.length) {
      const ch = this.charAt(i);
      if (!LETTER_OR_DIGIT.test(ch)) break;
      i += ch.length;
    }
    this.pos = i;
    return { kind: 'ident', text: this.src.slice(start, i), offset: start, end: i };
  }

  private scanNumber(): Token {
    // Loose: numbers are never valid in a rule, only their extent matters for the error.
    const start = this.pos;
    let i = start;
    while (i < this.src.length) {
      const c = this.src[i]!;
      if (/[0-9a-zA-Z_.]/.test(c)) {
        i++;
        if (/[eEpP]/.test(c) && /[+-]/.test(this.src[i] ?? '')) i++;
      } else break;
    }
    this.pos = i;
    return { kind: 'number', text: this.src.slice(start, i), offset: start, end: i };
  }

  private scanRawString(): Token {
    const start = this.pos;
    const close = this.src.indexOf('`', start + 1);
    const stop = close < 0 ? this.src.length : close;
    this.checkChars(start + 1, stop);
    if (close < 0) throw new RuleFailure(`unterminated string starting at ${start}`, start);
    this.pos = close + 1;
    // Go discards carriage returns from raw string values.
    const value = this.src.slice(start + 1, close).replace(/\r/g, '');
    return { kind: 'string', text: this.src.slice(start, close + 1), offset: start, end: close + 1, value };
  }

  private scanString(): Token {
    const src = this.src;
    const start = this.pos;
    const bytes: number[] = [];
    let i = start + 1;
    for (;;) {
      if (i >= src.length || src[i] === '\n') throw new RuleFailure(`unterminated string starting at ${start}`, start);
      const ch = this.charAt(i);
      if (ch === '"') {
        i++;
        break;
      }
      if (ch !== '\\') {
        pushUtf8(bytes, ch.codePointAt(0)!);
        i += ch.length;
        continue;
      }
      i = this.scanEscape(i, bytes, start);
    }
    this.pos = i;
    let value: string;
    try {
      value = utf8Decoder.decode(Uint8Array.from(bytes));
    } catch {
      // Go strings may hold arbitrary bytes, but Envoy's configuration cannot carry them.
      throw new RuleFailure(`string starting at ${start} is not valid UTF-8 after decoding its escapes`, start);
    }
    return { kind: 'string', text: src.slice(start, i), offset: start, end: i, value };
  }

  /** Decodes the escape at `at` (the backslash) into `bytes`; returns the index after it. */
  private scanEscape(at: number, bytes: number[], stringStart: number): number {
    const src = this.src;
    const c = src[at + 1];
    if (c === undefined || c === '\n') throw new RuleFailure(`unterminated string starting at ${stringStart}`, stringStart);
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      bytes.push(simple);
      return at + 2;
    }
    let digits: number, base: number, max: number, first: number;
    if (c >= '0' && c <= '7') [digits, base, max, first] = [3, 8, 255, at + 1];
    else if (c === 'x') [digits, base, max, first] = [2, 16, 255, at + 2];
    else if (c === 'u') [digits, base, max, first] = [4, 16, 0x10ffff, at + 2];
    else if (c === 'U') [digits, base, max, first] = [8, 16, 0x10ffff, at + 2];
    else {
      this.charAt(at + 1);
      throw new RuleFailure(`unknown escape sequence '\\${String.fromCodePoint(src.codePointAt(at + 1)!)}' at position ${at}`, at);
    }
    let x = 0;
    for (let k = 0; k < digits; k++) {
      const d = src[first + k];
      if (d === undefined || d === '\n') throw new RuleFailure(`escape sequence not terminated at position ${at}`, at);
      const v = parseInt(d, base);
      if (Number.isNaN(v) || (base === 8 && d > '7')) {
        throw new RuleFailure(`illegal character ${describeChar(this.charAt(first + k))} in escape sequence at position ${first + k}`, first + k);
      }
      x = x * base + v;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) {
      throw new RuleFailure(`escape sequence at position ${at} is an invalid Unicode code point`, at);
    }
    // \NNN and \xNN are single bytes; \u and \U are code points.
    if (max === 255) bytes.push(x);
    else pushUtf8(bytes, x);
    return first + digits;
  }
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}
