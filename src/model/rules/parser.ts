// Rule parser. Traefik parses a rule as a Go expression (go/parser.ParseExpr) and
// interprets it with vulcand/predicate: `&&`, `||`, prefix `!`, parentheses and
// calls whose arguments are string literals. Then every matcher's arguments are
// checked (pkg/rules CheckRule, then the matcher's own validation), left to right.

import { Lexer, type Token } from './lexer';
import { resolveMatcher, unknownMatcherMessage } from './matchers';
import {
  RuleFailure,
  type CallNode,
  type ParseResult,
  type RuleArg,
  type RuleError,
  type RuleNode,
  type RuleParseOptions,
  type SyntaxNode,
} from './types';

const UNSUPPORTED_BINARY = new Set(['&', '|', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '^', '<<', '>>', '&^']);

function describeToken(tok: Token): string {
  switch (tok.kind) {
    case 'eof':
      return 'end of rule';
    case 'semi':
      return tok.auto ? (tok.end > tok.offset ? 'newline' : 'end of line') : "';'";
    case 'string':
      return `string ${tok.text.length > 40 ? tok.text.slice(0, 37) + '...' : tok.text}`;
    case 'number':
      return `number ${tok.text}`;
    default:
      return `'${tok.text}'`;
  }
}

/** Deeper nesting (parentheses, `!`) is refused rather than risking the JS stack. */
const MAX_NESTING = 500;

class SyntaxParser {
  private readonly lexer: Lexer;
  private tok: Token;
  private depth = 0;

  constructor(private readonly src: string) {
    this.lexer = new Lexer(src);
    this.tok = this.lexer.next();
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private peek(): Token {
    return this.tok;
  }

  private isOp(text: string): boolean {
    return this.tok.kind === 'op' && this.tok.text === text;
  }

  /** At the end of the rule, including the semicolon Go inserts there. */
  private atEnd(): boolean {
    const t = this.tok;
    return t.kind === 'eof' || (t.kind === 'semi' && !!t.auto && t.end === t.offset && t.offset >= this.src.trimEnd().length);
  }

  private unexpected(hint?: string): never {
    const t = this.tok;
    if (this.atEnd()) {
      throw new RuleFailure(`unexpected end of rule at position ${t.offset}${hint ? `: ${hint}` : ''}`, t.offset);
    }
    if (t.kind === 'semi' && t.auto) {
      throw new RuleFailure(
        `unexpected ${describeToken(t)} at position ${t.offset}: in Go syntax a line cannot end right after a string or ')' ` +
          `unless the rule is complete; end the line with '&&', '||' or ',' instead`,
        t.offset,
      );
    }
    if (t.kind === 'op' && UNSUPPORTED_BINARY.has(t.text)) {
      const better = t.text === '&' ? " (use '&&')" : t.text === '|' ? " (use '||')" : '';
      throw new RuleFailure(`unsupported operator '${t.text}' at position ${t.offset}${better}`, t.offset);
    }
    throw new RuleFailure(`unexpected ${describeToken(t)} at position ${t.offset}${hint ? `: ${hint}` : ''}`, t.offset);
  }

  parseRule(): SyntaxNode {
    if (this.tok.kind === 'eof') throw new RuleFailure('empty rule', 0);
    const node = this.parseOr();
    // go/parser.ParseExpr accepts one semicolon inserted at a line end, then needs the end.
    if (this.tok.kind === 'semi' && this.tok.auto) {
      const semi = this.advance();
      const after = this.peek();
      if (after.kind !== 'eof') {
        throw new RuleFailure(
          `unexpected ${describeToken(after)} at position ${after.offset}: the rule already ended at the line end at position ${semi.offset} ` +
            `(in Go syntax, put '&&' or '||' at the end of a line, not at the start of the next)`,
          after.offset,
        );
      }
    }
    if (this.peek().kind !== 'eof') this.unexpected();
    return node;
  }

  private parseOr(): SyntaxNode {
    let left = this.parseAnd();
    while (this.isOp('||')) {
      const op = this.advance();
      left = { kind: 'or', left, right: this.parseAnd(), offset: op.offset };
    }
    return left;
  }

  private parseAnd(): SyntaxNode {
    let left = this.parseUnary();
    while (this.isOp('&&')) {
      const op = this.advance();
      left = { kind: 'and', left, right: this.parseUnary(), offset: op.offset };
    }
    return left;
  }

  private nest(at: number): void {
    if (++this.depth > MAX_NESTING) throw new RuleFailure(`rule is nested too deeply (more than ${MAX_NESTING} levels) at position ${at}`, at);
  }

  private parseUnary(): SyntaxNode {
    if (this.isOp('!')) {
      const op = this.advance();
      this.nest(op.offset);
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'not', operand, offset: op.offset };
    }
    if (this.tok.kind === 'op' && ['-', '+', '^', '*', '&', '<-', '~'].includes(this.tok.text)) {
      throw new RuleFailure(`unsupported operator '${this.tok.text}' at position ${this.tok.offset}`, this.tok.offset);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): SyntaxNode {
    const t = this.tok;
    if (this.isOp('(')) {
      this.advance();
      this.nest(t.offset);
      const inner = this.parseOr();
      if (!this.isOp(')')) this.unexpected(`missing ')' for the '(' at position ${t.offset}`);
      this.advance();
      this.depth--;
      return inner;
    }
    if (t.kind === 'ident') return this.parseCall();
    if (t.kind === 'string') {
      throw new RuleFailure(`unexpected ${describeToken(t)} at position ${t.offset}: a string can only be a matcher argument`, t.offset);
    }
    return this.unexpected();
  }

  private parseCall(): CallNode {
    const first = this.advance();
    let name = first.text;
    // `a.Host(...)` is valid Go; predicate looks the dotted name up (and finds nothing).
    while (this.isOp('.')) {
      this.advance();
      if (this.tok.kind !== 'ident') this.unexpected();
      name += '.' + this.advance().text;
    }
    if (!this.isOp('(')) {
      throw new RuleFailure(`expected '(' after ${JSON.stringify(name)} at position ${this.tok.offset}, matchers are called like Host(\`example.com\`)`, this.tok.offset);
    }
    const open = this.advance();
    const args: RuleArg[] = [];
    // Go's call syntax: args separated by ',', an optional '...' after the last one, an optional trailing ','.
    while (!this.isOp(')')) {
      const a = this.tok;
      if (a.kind !== 'string') {
        if (a.kind === 'eof' || a.kind === 'semi') this.unexpected(`missing ')' for the '(' at position ${open.offset}`);
        if (a.kind === 'op' && a.text === ',') this.unexpected();
        throw new RuleFailure(
          `argument ${args.length + 1} of ${name} must be a string literal (backquoted or double-quoted), found ${describeToken(a)} at position ${a.offset}`,
          a.offset,
        );
      }
      this.advance();
      args.push({ value: a.value!, offset: a.offset, end: a.end, quote: a.text[0] === '`' ? '`' : '"' });
      const ellipsis = this.isOp('...');
      if (ellipsis) this.advance();
      if (this.isOp(',')) this.advance();
      else if (!this.isOp(')')) this.unexpected(this.atEnd() ? `missing ')' for the '(' at position ${open.offset}` : "expected ',' or ')'");
      if (ellipsis && !this.isOp(')')) this.unexpected("'...' is only allowed after the last argument");
    }
    const close = this.advance();
    return { kind: 'call', name, args, offset: first.offset, end: close.end };
  }
}

function toRuleError(e: unknown): RuleError {
  if (e instanceof RuleFailure) return { message: e.message, offset: e.offset };
  if (e instanceof RangeError) return { message: 'rule is too large to process', offset: 0 };
  // Not expected: report rather than throw, the parser's contract is to never throw.
  return { message: `internal error while parsing rule: ${e instanceof Error ? e.message : String(e)}`, offset: 0 };
}

/** Parses the expression structure only, without resolving matcher names. */
export function parseSyntax(rule: string): { ok: true; tree: SyntaxNode } | { ok: false; error: RuleError } {
  try {
    if (typeof rule !== 'string') return { ok: false, error: { message: 'rule must be a string', offset: 0 } };
    return { ok: true, tree: new SyntaxParser(rule).parseRule() };
  } catch (e) {
    return { ok: false, error: toRuleError(e) };
  }
}

function calls(node: SyntaxNode, out: CallNode[] = []): CallNode[] {
  if (node.kind === 'call') out.push(node);
  else if (node.kind === 'not') calls(node.operand, out);
  else {
    calls(node.left, out);
    calls(node.right, out);
  }
  return out;
}

function resolve(node: SyntaxNode, opts: RuleParseOptions): RuleNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: resolve(node.left, opts), right: resolve(node.right, opts), offset: node.offset };
    case 'not':
      return { kind: 'not', operand: resolve(node.operand, opts), offset: node.offset };
    case 'call': {
      const spec = resolveMatcher(node.name, opts.syntax, opts.protocol)!;
      // Traefik's CheckRule, then the matcher's argument count, then its own checks.
      if (node.args.length === 0) throw new RuleFailure(`no args for matcher ${spec.name}`, node.offset);
      const empty = node.args.find((a) => a.value === '');
      if (empty) throw new RuleFailure(`empty args for matcher ${spec.name}`, empty.offset);
      if (spec.arity && !spec.arity.includes(node.args.length)) {
        const max = Math.max(...spec.arity);
        const want = spec.arity.length === 1 ? `${max} argument${max === 1 ? '' : 's'}` : `${spec.arity.join(' or ')} arguments`;
        const at = node.args.length > max ? node.args[max]!.offset : node.offset;
        throw new RuleFailure(`matcher ${spec.name} needs ${want}, got ${node.args.length}`, at);
      }
      const meaning = spec.build(node.args);
      return { kind: 'matcher', name: spec.name, spelled: node.name, args: node.args, offset: node.offset, end: node.end, meaning };
    }
  }
}

/**
 * Parses and validates a rule as Traefik would for the given syntax and protocol.
 * Never throws: any problem is returned as `{ ok: false, error: { message, offset } }`.
 */
export function parseRule(rule: string, opts: RuleParseOptions): ParseResult {
  try {
    const parsed = parseSyntax(rule);
    if (!parsed.ok) return parsed;
    // Names are looked up while the expression is interpreted, before any argument check.
    for (const call of calls(parsed.tree)) {
      if (!resolveMatcher(call.name, opts.syntax, opts.protocol)) {
        throw new RuleFailure(unknownMatcherMessage(call.name, opts.syntax, opts.protocol), call.offset);
      }
    }
    return { ok: true, ast: resolve(parsed.tree, opts) };
  } catch (e) {
    return { ok: false, error: toRuleError(e) };
  }
}

/**
 * Lower-cased argument values of every matcher with the given canonical name, in rule
 * order and regardless of negation: Traefik's `Tree.ParseMatchers`, which backs
 * `ParseDomains` (`Host`) and `ParseHostSNI` (`HostSNI`, e.g. "a TCP rule with a HostSNI
 * other than `*` needs TLS", which looks at the first value only).
 */
export function matcherValues(ast: RuleNode, name: string): string[] {
  if (ast.kind === 'matcher') return ast.name === name ? ast.args.map((a) => a.value.toLowerCase()) : [];
  if (ast.kind === 'not') return matcherValues(ast.operand, name);
  return [...matcherValues(ast.left, name), ...matcherValues(ast.right, name)];
}
