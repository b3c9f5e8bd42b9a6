// Matcher sets per syntax and protocol, and name resolution as Traefik does it
// (pkg/rules/parser.go registers each name in 4 spellings).

import type { MatcherSpec } from './matcher-kit';
import { HTTP_V2_MATCHERS } from './matchers-http-v2';
import { HTTP_V3_MATCHERS } from './matchers-http-v3';
import { TCP_V2_MATCHERS, TCP_V3_MATCHERS } from './matchers-tcp';
import type { RuleProtocol, RuleSyntax } from './types';

export type { MatcherSpec } from './matcher-kit';

const SETS: Record<RuleProtocol, Record<RuleSyntax, MatcherSpec[]>> = {
  http: { v2: HTTP_V2_MATCHERS, v3: HTTP_V3_MATCHERS },
  tcp: { v2: TCP_V2_MATCHERS, v3: TCP_V3_MATCHERS },
};

/** canonical, all-lower, all-upper, and `cases.Title` of the lower-cased name. */
export function spellings(name: string): string[] {
  const lower = name.toLowerCase();
  return [...new Set([name, lower, name.toUpperCase(), lower.charAt(0).toUpperCase() + lower.slice(1)])];
}

const lookups = new Map<string, Map<string, MatcherSpec>>();

function lookup(syntax: RuleSyntax, protocol: RuleProtocol): Map<string, MatcherSpec> {
  const key = `${protocol}/${syntax}`;
  let m = lookups.get(key);
  if (!m) {
    m = new Map();
    for (const spec of SETS[protocol][syntax]) for (const s of spellings(spec.name)) m.set(s, spec);
    lookups.set(key, m);
  }
  return m;
}

export function matcherNames(syntax: RuleSyntax, protocol: RuleProtocol): string[] {
  return SETS[protocol][syntax].map((s) => s.name);
}

export function resolveMatcher(name: string, syntax: RuleSyntax, protocol: RuleProtocol): MatcherSpec | undefined {
  return lookup(syntax, protocol).get(name);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function closest(name: string, candidates: string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(lower.length / 3)) ? best : undefined;
}

/** The error message for a name that does not resolve. */
export function unknownMatcherMessage(name: string, syntax: RuleSyntax, protocol: RuleProtocol): string {
  const names = matcherNames(syntax, protocol);
  const suggestion = closest(name, names);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  const otherSyntax: RuleSyntax = syntax === 'v3' ? 'v2' : 'v3';
  const otherProtocol: RuleProtocol = protocol === 'http' ? 'tcp' : 'http';
  if (resolveMatcher(name, otherSyntax, protocol)) {
    return `matcher "${name}" is not available in ${syntax} syntax (it is a ${otherSyntax} matcher)${hint}`;
  }
  if (resolveMatcher(name, syntax, otherProtocol) || resolveMatcher(name, otherSyntax, otherProtocol)) {
    return `matcher "${name}" is a ${otherProtocol.toUpperCase()} matcher, not available in ${protocol.toUpperCase()} rules${hint}`;
  }
  const spelledOtherwise = names.find((n) => n.toLowerCase() === name.toLowerCase());
  if (spelledOtherwise) {
    return `unknown matcher "${name}" (did you mean "${spelledOtherwise}"? accepted spellings: ${spellings(spelledOtherwise).join(', ')})`;
  }
  return `unknown matcher "${name}"${hint}`;
}
