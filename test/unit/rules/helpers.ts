import assert from 'node:assert/strict';
import { parseRule, toPredicate, type Pred, type RuleError, type RuleNode, type RuleParseOptions } from '../../../src/model/rules';

export const V3_HTTP: RuleParseOptions = { syntax: 'v3', protocol: 'http' };
export const V2_HTTP: RuleParseOptions = { syntax: 'v2', protocol: 'http' };
export const V3_TCP: RuleParseOptions = { syntax: 'v3', protocol: 'tcp' };
export const V2_TCP: RuleParseOptions = { syntax: 'v2', protocol: 'tcp' };

export function ast(rule: string, opts: RuleParseOptions = V3_HTTP): RuleNode {
  const r = parseRule(rule, opts);
  if (!r.ok) assert.fail(`expected ${JSON.stringify(rule)} to parse, got ${JSON.stringify(r.error)}`);
  return r.ast;
}

export function pred(rule: string, opts: RuleParseOptions = V3_HTTP): Pred {
  return toPredicate(ast(rule, opts));
}

export function err(rule: string, opts: RuleParseOptions = V3_HTTP): RuleError {
  const r = parseRule(rule, opts);
  if (r.ok) assert.fail(`expected ${JSON.stringify(rule)} to be rejected, got ${JSON.stringify(toPredicate(r.ast))}`);
  return r.error;
}

/** Asserts the rule is rejected with a message containing `fragment` at `offset`. */
export function rejects(rule: string, fragment: string | RegExp, offset?: number, opts: RuleParseOptions = V3_HTTP): RuleError {
  const e = err(rule, opts);
  if (typeof fragment === 'string') assert.ok(e.message.includes(fragment), `message ${JSON.stringify(e.message)} should contain ${JSON.stringify(fragment)}`);
  else assert.match(e.message, fragment);
  if (offset !== undefined) assert.equal(e.offset, offset, `offset for ${JSON.stringify(rule)} (${e.message})`);
  return e;
}
