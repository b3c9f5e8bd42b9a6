// Shared types of the Traefik rule language: syntax tree, canonical predicate tree, errors.

export type RuleSyntax = 'v2' | 'v3';
export type RuleProtocol = 'http' | 'tcp';

export interface RuleParseOptions {
  syntax: RuleSyntax;
  protocol: RuleProtocol;
}

/** A rule error. `offset` is a 0-based index into the rule string (JS string index, i.e. UTF-16 code units). */
export interface RuleError {
  message: string;
  offset: number;
}

export type ParseResult = { ok: true; ast: RuleNode } | { ok: false; error: RuleError };

/** Internal control flow for errors; never escapes the public functions. */
export class RuleFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'RuleFailure';
  }
}

// ---------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------

export interface RuleArg {
  /** Decoded value of the Go string literal. */
  value: string;
  /** Offset of the opening quote and the index just past the closing quote. */
  offset: number;
  end: number;
  quote: '`' | '"';
}

export interface BinaryNode<N> {
  kind: 'and' | 'or';
  left: N;
  right: N;
  /** Offset of the operator. */
  offset: number;
}

export interface NotNode<N> {
  kind: 'not';
  operand: N;
  /** Offset of the `!`. */
  offset: number;
}

/** A call as written, before the name is resolved against a matcher set. */
export interface CallNode {
  kind: 'call';
  /** Name as written; a selector such as `a.Host` is kept dotted. */
  name: string;
  args: RuleArg[];
  offset: number;
  end: number;
}

export type SyntaxNode = BinaryNode<SyntaxNode> | NotNode<SyntaxNode> | CallNode;

export interface MatcherNode {
  kind: 'matcher';
  /** Canonical matcher name (e.g. `PathPrefix` even when written `pathprefix`). */
  name: string;
  /** Name as written in the rule. */
  spelled: string;
  args: RuleArg[];
  offset: number;
  end: number;
  /** What the matcher means, as a canonical predicate (before any enclosing `!`). */
  meaning: Pred;
}

export type RuleNode = BinaryNode<RuleNode> | NotNode<RuleNode> | MatcherNode;

// ---------------------------------------------------------------------------
// Canonical predicate tree
// ---------------------------------------------------------------------------
// Every `re` has Go's unanchored `regexp.MatchString` semantics.
// Host-like values are matched against the canonical request host / SNI
// (lower-cased, port-less); `host`/`hostSNI` values `*` and `*.x` are
// Traefik v3 wildcards (`*` matches everything, `*.x` exactly one extra label).

export type Leaf =
  | { t: 'host'; host: string }
  /** `fromHost` is set when the regexp stands for a `Host(...)` value that has no plain-host form. */
  | { t: 'hostRegexp'; re: string; fromHost?: string }
  | { t: 'path'; path: string }
  | { t: 'pathPrefix'; prefix: string }
  | { t: 'pathRegexp'; re: string }
  | { t: 'method'; method: string }
  | { t: 'header'; name: string; value: string }
  | { t: 'headerRegexp'; name: string; re: string }
  /** `firstValueOnly`: v2 semantics (gorilla checks only the first value of the key). */
  | { t: 'query'; name: string; value: string; firstValueOnly?: true }
  | { t: 'queryRegexp'; name: string; re: string; firstValueOnly?: true }
  | { t: 'clientIP'; cidr: string }
  | { t: 'hostSNI'; host: string }
  | { t: 'hostSNIRegexp'; re: string }
  | { t: 'alpn'; protocol: string };

export type LeafType = Leaf['t'];

export type Pred = { t: 'and'; items: Pred[] } | { t: 'or'; items: Pred[] } | { t: 'not'; item: Leaf } | Leaf;

export interface Literal {
  leaf: Leaf;
  negated: boolean;
}

export type DNFResult = { conjuncts: Literal[][] } | { tooLarge: true };
