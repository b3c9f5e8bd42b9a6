// The expression language of Traefik's CircuitBreaker (`expression`) and Buffering (`retryExpression`)
// middlewares: vulcand/predicate over Go expression syntax (go/parser.ParseExpr), with the functions and
// operators each oxy package registers. Traefik refuses the middleware when the expression does not
// parse or does not type-check, so this parser reproduces both steps and reports the same cases as errors:
//
// - syntax: `||` (lowest), `&&`, then one comparison `== != < <= > >=`; parentheses; calls `Fn(args)`;
//   literals: Go INT (read with strconv.Atoi, so only decimal digits), FLOAT (strconv.ParseFloat; decimal
//   forms here), STRING ("…" or `…`). Unary operators (`!`, `-`) and any other operator are not supported
//   by the predicate parser (no NOT operator is registered), so they are errors.
// - typing (reflection in predicate): `&&`/`||` join predicates only; a comparison takes a function result
//   on the left and a literal of exactly its Go type on the right (a float ratio against `1` is an error,
//   an int against `1.0` too); function arguments are literals of the parameter types; the whole
//   expression must be a predicate.
//
// The result is a small tree the translators map to Envoy (circuit-breaker.ts, buffering.ts).

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** `text`: the literal as written (for messages). */
export type Literal = ({ kind: 'int'; value: number } | { kind: 'float'; value: number } | { kind: 'string'; value: string }) & { text: string };

export type OxyPredicate =
  | { t: 'and' | 'or'; args: OxyPredicate[] }
  /** A function result compared with a literal, e.g. NetworkErrorRatio() > 0.5. */
  | { t: 'cmp'; fn: string; args: number[]; op: CmpOp; value: number | string; text: string }
  /** A function that is itself a predicate (Buffering's IsNetworkError()). */
  | { t: 'call'; fn: string };

type GoType = 'int' | 'int64' | 'float64' | 'string';

export interface FunctionSig {
  params: GoType[];
  /** What the function returns: a predicate, or a value of this Go type to compare. */
  returns: GoType | 'predicate';
}

export interface Dialect {
  functions: Record<string, FunctionSig>;
  /** Comparisons each result type supports (Buffering compares strings with == and != only). */
  ops: Partial<Record<GoType, CmpOp[]>>;
}

const ALL_OPS: CmpOp[] = ['==', '!=', '<', '<=', '>', '>='];

/** vulcand/oxy cbreaker (oxy v2.2: RequestThreshold included). */
export const CIRCUIT_BREAKER_DIALECT: Dialect = {
  functions: {
    LatencyAtQuantileMS: { params: ['float64'], returns: 'int' },
    NetworkErrorRatio: { params: [], returns: 'float64' },
    ResponseCodeRatio: { params: ['int', 'int', 'int', 'int'], returns: 'float64' },
    RequestThreshold: { params: [], returns: 'int64' },
  },
  ops: { int: ALL_OPS, int64: ALL_OPS, float64: ALL_OPS },
};

/** vulcand/oxy buffer (retry predicate). */
export const BUFFER_RETRY_DIALECT: Dialect = {
  functions: {
    RequestMethod: { params: [], returns: 'string' },
    IsNetworkError: { params: [], returns: 'predicate' },
    Attempts: { params: [], returns: 'int' },
    ResponseCode: { params: [], returns: 'int' },
  },
  ops: { int: ALL_OPS, string: ['==', '!='] },
};

// ---------------------------------------------------------------------------------------------------------
// Lexer

type Token =
  | { t: 'op'; v: string; at: number }
  | { t: 'ident'; v: string; at: number }
  | { t: 'lit'; lit: Literal; at: number }
  | { t: 'end'; at: number };

class SyntaxError_ extends Error {}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && (c === '_' || /\p{L}/u.test(c));
}
function isIdentPart(c: string | undefined): boolean {
  return c !== undefined && (isIdentStart(c) || /\p{Nd}/u.test(c));
}

const MAX_INT64 = (1n << 63n) - 1n;

function lexNumber(s: string, i: number): { lit: Literal; end: number } {
  const start = i;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X' || s[i + 1] === 'o' || s[i + 1] === 'O' || s[i + 1] === 'b' || s[i + 1] === 'B')) {
    throw new SyntaxError_(`number ${JSON.stringify(s.slice(i, i + 6))}…: only decimal numbers are read (strconv.Atoi / ParseFloat)`);
  }
  while (isDigit(s[i])) i++;
  let isFloat = false;
  if (s[i] === '.') {
    isFloat = true;
    i++;
    while (isDigit(s[i])) i++;
  }
  if (s[i] === 'e' || s[i] === 'E') {
    isFloat = true;
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    if (!isDigit(s[i])) throw new SyntaxError_(`exponent has no digits at offset ${i}`);
    while (isDigit(s[i])) i++;
  }
  if (s[i] === '_' || s[i] === 'i' || isIdentPart(s[i])) {
    throw new SyntaxError_(`unsupported number syntax ${JSON.stringify(s.slice(start, i + 1))}`);
  }
  const text = s.slice(start, i);
  if (isFloat) return { lit: { kind: 'float', value: Number(text), text }, end: i };
  // A Go INT literal with a leading 0 is octal: 8 and 9 are syntax errors; strconv.Atoi then reads the
  // digits as decimal.
  if (text.length > 1 && text[0] === '0' && /[89]/.test(text)) throw new SyntaxError_(`invalid digit in octal literal ${text}`);
  if (BigInt(text) > MAX_INT64) throw new SyntaxError_(`integer ${text} is out of range`);
  return { lit: { kind: 'int', value: Number(text), text }, end: i };
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

function lexString(s: string, i: number): { lit: Literal; end: number } {
  const start = i;
  const quote = s[i];
  let out = '';
  i++;
  if (quote === '`') {
    const close = s.indexOf('`', i);
    if (close < 0) throw new SyntaxError_('raw string literal not terminated');
    return { lit: { kind: 'string', value: s.slice(i, close).replace(/\r/g, ''), text: s.slice(i - 1, close + 1) }, end: close + 1 };
  }
  while (i < s.length && s[i] !== '"') {
    const c = s[i];
    if (c === '\n') throw new SyntaxError_('newline in string');
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = s[i + 1];
    if (e !== undefined && ESCAPES[e] !== undefined) {
      out += ESCAPES[e];
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex)) throw new SyntaxError_('invalid escape in string');
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + n;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = s.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) throw new SyntaxError_('invalid escape in string');
      out += String.fromCharCode(parseInt(oct, 8));
      i += 4;
    } else throw new SyntaxError_('unknown escape sequence in string');
  }
  if (s[i] !== '"') throw new SyntaxError_('string literal not terminated');
  return { lit: { kind: 'string', value: out, text: s.slice(start, i + 1) }, end: i + 1 };
}

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (['&&', '||', '==', '!=', '<=', '>='].includes(two)) {
      out.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if ('()<>,!'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(s[i + 1]))) {
      const { lit, end } = lexNumber(s, i);
      out.push({ t: 'lit', lit, at: i });
      i = end;
      continue;
    }
    if (c === '"' || c === '`') {
      const { lit, end } = lexString(s, i);
      out.push({ t: 'lit', lit, at: i });
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (isIdentPart(s[j])) j++;
      out.push({ t: 'ident', v: s.slice(i, j), at: i });
      i = j;
      continue;
    }
    throw new SyntaxError_(`unexpected ${JSON.stringify(c)} at offset ${i}${c === "'" ? ' (rune literals are not supported)' : ''}`);
  }
  out.push({ t: 'end', at: s.length });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Parser (Go precedence: || < && < comparisons, all left-associative)

type Node =
  | { n: 'bin'; op: string; x: Node; y: Node }
  | { n: 'unary'; op: string; x: Node }
  | { n: 'call'; fn: string; args: Node[] }
  | { n: 'paren'; x: Node }
  | { n: 'lit'; lit: Literal }
  | { n: 'ident'; name: string };

const PREC: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3 };

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.i];
  }

  private expect(v: string): void {
    const t = this.peek();
    if (t.t !== 'op' || t.v !== v) throw new SyntaxError_(`expected ${JSON.stringify(v)} at offset ${t.at}`);
    this.i++;
  }

  parse(): Node {
    const e = this.binary(1);
    const t = this.peek();
    if (t.t !== 'end') throw new SyntaxError_(`unexpected ${t.t === 'op' || t.t === 'ident' ? JSON.stringify(t.v) : 'literal'} at offset ${t.at}`);
    return e;
  }

  private binary(minPrec: number): Node {
    let x = this.unary();
    for (;;) {
      const t = this.peek();
      const p = t.t === 'op' ? PREC[t.v] : undefined;
      if (p === undefined || p < minPrec) return x;
      this.i++;
      const y = this.binary(p + 1);
      x = { n: 'bin', op: (t as { v: string }).v, x, y };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.t === 'op' && t.v === '!') {
      this.i++;
      return { n: 'unary', op: '!', x: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.peek();
    if (t.t === 'lit') {
      this.i++;
      return { n: 'lit', lit: t.lit };
    }
    if (t.t === 'op' && t.v === '(') {
      this.i++;
      const x = this.binary(1);
      this.expect(')');
      return { n: 'paren', x };
    }
    if (t.t === 'ident') {
      this.i++;
      const next = this.peek();
      if (next.t === 'op' && next.v === '(') {
        this.i++;
        const args: Node[] = [];
        if (!(this.peek().t === 'op' && (this.peek() as { v: string }).v === ')')) {
          for (;;) {
            args.push(this.binary(1));
            const sep = this.peek();
            if (sep.t === 'op' && sep.v === ',') {
              this.i++;
              // Go allows a trailing comma before ")".
              if (this.peek().t === 'op' && (this.peek() as { v: string }).v === ')') break;
              continue;
            }
            break;
          }
        }
        this.expect(')');
        return { n: 'call', fn: t.v, args };
      }
      return { n: 'ident', name: t.v };
    }
    throw new SyntaxError_(`expected an operand at offset ${t.at}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation (what vulcand/predicate builds from the tree, with the dialect's reflection checks)

type Value =
  | { v: 'pred'; p: OxyPredicate }
  | { v: 'mapper'; fn: string; args: number[]; argText: string[]; type: GoType }
  | { v: 'lit'; lit: Literal };

class TypeError_ extends Error {}

function goTypeOfLiteral(l: Literal): GoType {
  return l.kind === 'int' ? 'int' : l.kind === 'float' ? 'float64' : 'string';
}

function describe(v: Value): string {
  if (v.v === 'pred') return 'a predicate';
  if (v.v === 'mapper') return `${v.fn}() (${v.type})`;
  return `the ${goTypeOfLiteral(v.lit)} literal ${JSON.stringify(v.lit.value)}`;
}

function evalNode(d: Dialect, n: Node): Value {
  switch (n.n) {
    case 'paren':
      return evalNode(d, n.x);
    case 'unary':
      throw new TypeError_(`the "${n.op}" operator is not supported`);
    case 'lit':
      return { v: 'lit', lit: n.lit };
    case 'ident':
      throw new TypeError_(`${n.name} is not defined (only function calls and literals are allowed)`);
    case 'call': {
      const sig = d.functions[n.fn];
      if (!sig) throw new TypeError_(`unsupported function: ${n.fn} (known: ${Object.keys(d.functions).join(', ')})`);
      if (n.args.length !== sig.params.length) throw new TypeError_(`${n.fn} takes ${sig.params.length} argument(s), not ${n.args.length}`);
      const args = n.args.map((a, i) => {
        // predicate evaluates arguments without unwrapping parentheses or operators: literals only.
        if (a.n !== 'lit') throw new TypeError_(`argument ${i + 1} of ${n.fn} must be a literal`);
        const want = sig.params[i];
        const got = goTypeOfLiteral(a.lit);
        if (got !== want) throw new TypeError_(`argument ${i + 1} of ${n.fn} must be ${want === 'int' ? 'an' : 'a'} ${want} literal, not ${got} (${JSON.stringify(a.lit.value)})`);
        return a.lit.value as number;
      });
      if (sig.returns === 'predicate') return { v: 'pred', p: { t: 'call', fn: n.fn } };
      return { v: 'mapper', fn: n.fn, args, argText: n.args.map((a) => (a as { lit: Literal }).lit.text), type: sig.returns };
    }
    case 'bin': {
      const x = evalNode(d, n.x);
      const y = evalNode(d, n.y);
      if (n.op === '&&' || n.op === '||') {
        if (x.v !== 'pred' || y.v !== 'pred') throw new TypeError_(`"${n.op}" joins conditions, not ${describe(x.v !== 'pred' ? x : y)}`);
        const t = n.op === '&&' ? 'and' : 'or';
        const flat = (p: OxyPredicate) => (p.t === t ? p.args : [p]);
        return { v: 'pred', p: { t, args: [...flat(x.p), ...flat(y.p)] } };
      }
      const op = n.op as CmpOp;
      if (x.v !== 'mapper') throw new TypeError_(`the left side of "${op}" must be a function such as NetworkErrorRatio(), not ${describe(x)}`);
      const allowed = d.ops[x.type] ?? [];
      if (!allowed.includes(op)) throw new TypeError_(`${x.fn}() cannot be compared with "${op}"`);
      if (y.v !== 'lit') throw new TypeError_(`the right side of "${op}" must be a literal, not ${describe(y)}`);
      const want: GoType = x.type === 'int64' ? 'int' : x.type;
      if (goTypeOfLiteral(y.lit) !== want) {
        throw new TypeError_(`${x.fn}() is compared with ${describe(y)}: it needs ${want === 'int' ? 'an' : 'a'} ${want} literal${want === 'float64' ? ' such as 0.5 (with a decimal point)' : want === 'int' ? ' (no decimal point)' : ''}`);
      }
      return { v: 'pred', p: { t: 'cmp', fn: x.fn, args: x.args, op, value: y.lit.value, text: `${x.fn}(${x.argText.join(', ')}) ${op} ${y.lit.text}` } };
    }
  }
}

/** Parses and type-checks an oxy expression; an error says why Traefik would refuse it. */
export function parseOxyExpression(src: string, dialect: Dialect): OxyPredicate | { error: string } {
  try {
    if (src.trim() === '') return { error: 'the expression is empty' };
    const tree = new Parser(lex(src)).parse();
    const v = evalNode(dialect, tree);
    if (v.v !== 'pred') return { error: `the expression is ${describe(v)}, not a condition (compare it, e.g. "> 0.5")` };
    return v.p;
  } catch (e) {
    if (e instanceof SyntaxError_) return { error: `syntax error: ${e.message}` };
    if (e instanceof TypeError_) return { error: e.message };
    throw e;
  }
}

/** The expression printed back (for messages). */
export function formatOxy(p: OxyPredicate): string {
  switch (p.t) {
    case 'and':
    case 'or':
      return p.args.map((a) => (a.t === 'or' && p.t === 'and' ? `(${formatOxy(a)})` : formatOxy(a))).join(p.t === 'and' ? ' && ' : ' || ');
    case 'call':
      return `${p.fn}()`;
    case 'cmp':
      return p.text;
  }
}
