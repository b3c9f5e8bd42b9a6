// Public API of the Traefik rule language model.

export type {
  BinaryNode,
  CallNode,
  DNFResult,
  Leaf,
  LeafType,
  Literal,
  MatcherNode,
  NotNode,
  ParseResult,
  Pred,
  RuleArg,
  RuleError,
  RuleNode,
  RuleParseOptions,
  RuleProtocol,
  RuleSyntax,
  SyntaxNode,
} from './types';
export { matcherValues, parseRule, parseSyntax } from './parser';
export { matcherNames, spellings } from './matchers';
export { leafKey, literalsOf, negate, tlsHostsOf, toDNF, toPredicate } from './predicate';
export { defaultPriority, MAX_PRIORITY, priorityError, ruleByteLength } from './priority';
export { checkRe2, quoteMeta, re2Matches } from './re2';
export { normalizeClientIP } from './ip';
