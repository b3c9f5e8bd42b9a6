// Building blocks shared by the matcher families.

import { checkRe2, quoteMeta } from './re2';
import { compileTemplate, TemplateError, type TemplateOptions } from './templates';
import { RuleFailure, type Leaf, type Pred, type RuleArg } from './types';

export interface MatcherSpec {
  /** Canonical name. */
  name: string;
  /** Allowed argument counts; omitted = any number (at least one). */
  arity?: number[];
  /** Validates the arguments (Traefik's checks) and returns the matcher's meaning. Throws RuleFailure. */
  build(args: RuleArg[]): Pred;
}

export function fail(message: string, at: RuleArg | number): never {
  throw new RuleFailure(message, typeof at === 'number' ? at : at.offset);
}

/** A user regexp, validated by RE2 (and Go's extra rejections). */
export function userRegexp(matcher: string, arg: RuleArg): string {
  const err = checkRe2(arg.value);
  if (err) fail(`${matcher} matcher: RE2 rejects regexp \`${arg.value}\`: ${err}`, arg);
  return arg.value;
}

export function template(matcher: string, arg: RuleArg, tpl: string, opts: TemplateOptions): string {
  try {
    return compileTemplate(tpl, opts).regex;
  } catch (e) {
    if (e instanceof TemplateError) fail(`${matcher} matcher: ${e.message}`, arg);
    throw e;
  }
}

export function anyOf(items: Pred[]): Pred {
  return items.length === 1 ? items[0]! : { t: 'or', items };
}

export function allOf(items: Pred[]): Pred {
  return items.length === 1 ? items[0]! : { t: 'and', items };
}

/** Matches no string at all (an empty character class). */
export const NEVER_REGEXP = '[^\\x00-\\x{10FFFF}]';

function literalsRegexp(values: string[]): string {
  const alts = [...new Set(values.filter((v) => v !== ''))].map(quoteMeta);
  return alts.length === 0 ? NEVER_REGEXP : `^(?:${alts.join('|')})$`;
}

function trimDot(s: string): string {
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** Whether `h` reads as a Traefik v3 host expression with a well-formed wildcard (`*` or `*.x`). */
function isWellFormedWildcard(h: string): boolean {
  return h === '*' || /^\*\.[^*]+$/.test(h);
}

/**
 * Exact regexp for Traefik's `DomainMatchHostExpression(domain, expr)` when `expr`
 * starts with `*`: the domain's first label is replaced by `*` and compared.
 * `requestDot` adds the request-side trailing dot Traefik's Host matcher tolerates.
 */
function starExpressionRegexp(expr: string, requestDot: boolean): string | undefined {
  const rest = expr.slice(1);
  if (rest !== '' && rest[0] !== '.') return undefined; // can never equal "*" + ".<labels>"
  const label = rest === '' ? '[^.]+' : '[^.]*';
  return `^${label}${quoteMeta(rest)}${requestDot ? '\\.' : ''}$`;
}

/**
 * v3 `Host(value)` (value already lower-cased): a plain or wildcard host leaf
 * when one expresses it (the trailing dot is trimmed: Traefik matches `a.com`
 * and `a.com.` either way), otherwise the exact regexp of what Traefik matches.
 */
export function v3HostLeaf(value: string): Leaf {
  if (value === '*') return { t: 'host', host: '*' };
  const trimmed = trimDot(value);
  if (!value.startsWith('*')) {
    if (trimmed !== '') return { t: 'host', host: trimmed };
    return { t: 'hostRegexp', re: literalsRegexp([value, value + '.']), fromHost: value };
  }
  if (trimmed !== '*' && isWellFormedWildcard(trimmed)) return { t: 'host', host: trimmed };
  // Odd star expressions (`*foo`, `*.`): spell out Traefik's three comparisons.
  const alts = [
    starExpressionRegexp(value, false),
    value.endsWith('.') && value.length > 1 ? starExpressionRegexp(value.slice(0, -1), false) : undefined,
    starExpressionRegexp(value, true),
  ].filter((x): x is string => x !== undefined);
  return { t: 'hostRegexp', re: alts.length ? [...new Set(alts)].join('|') : NEVER_REGEXP, fromHost: value };
}

/** v2 `Host(value)` (lower-cased): plain equality, `*` has no special meaning. */
export function v2HostLeaf(value: string): Leaf {
  const trimmed = trimDot(value);
  if (!value.startsWith('*') && trimmed !== '') return { t: 'host', host: trimmed };
  const variants = [value, value + '.'];
  if (value.endsWith('.')) variants.push(trimmed);
  return { t: 'hostRegexp', re: literalsRegexp(variants), fromHost: value };
}

/** v3 `HostSNI(value)` once validated (lower-cased; Traefik trims one trailing dot). */
export function v3HostSNILeaf(value: string): Leaf {
  if (value === '*') return { t: 'hostSNI', host: '*' };
  const trimmed = trimDot(value);
  if (trimmed === '') return { t: 'hostSNIRegexp', re: NEVER_REGEXP };
  if (!trimmed.startsWith('*') || isWellFormedWildcard(trimmed)) return { t: 'hostSNI', host: trimmed };
  return { t: 'hostSNIRegexp', re: starExpressionRegexp(trimmed, false) ?? NEVER_REGEXP };
}
