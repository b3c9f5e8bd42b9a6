// Parsed rules by (syntax, protocol, rule text). Parsing, the predicate tree and its DNF are pure functions
// of the text, and a rebuild (any change to any object) sees the same rules again: each is parsed once.
// The results are shared, so callers must treat them as read-only (they all do).
import { parseRule } from './parser';
import { toDNF, toPredicate } from './predicate';
import type { DNFResult, ParseResult, Pred, RuleProtocol, RuleSyntax } from './types';

export interface CompiledRule {
  /** The parse outcome; the syntax tree itself is not kept (it weighs more than all the rest). */
  parsed: { ok: true } | Extract<ParseResult, { ok: false }>;
  /** Set when parsed.ok. */
  pred?: Pred;
  /** toDNF(pred) with the default bound; set when parsed.ok. */
  dnf?: DNFResult;
}

const MAX_ENTRIES = 200_000;
const compiled = new Map<string, CompiledRule>();

export function compileRule(rule: string, syntax: RuleSyntax, protocol: RuleProtocol): CompiledRule {
  const key = `${syntax}\0${protocol}\0${rule}`;
  let c = compiled.get(key);
  if (!c) {
    const parsed = parseRule(rule, { syntax, protocol });
    if (parsed.ok) {
      const pred = toPredicate(parsed.ast);
      c = { parsed: { ok: true }, pred, dnf: toDNF(pred) };
    } else {
      c = { parsed };
    }
    if (compiled.size >= MAX_ENTRIES) compiled.clear(); // rules come and go: never grow without bound
    compiled.set(key, c);
  }
  return c;
}
