// Router priorities (Traefik pkg/muxer/{http,tcp}/mux.go GetRulePriority,
// pkg/server/router maxUserPriority).

import { spellings } from './matchers';
import { parseSyntax } from './parser';
import type { RuleProtocol, SyntaxNode } from './types';

/** Highest priority a user may set: Go's `math.MaxInt - 1000` on 64-bit platforms. */
export const MAX_PRIORITY = 9223372036854775807n - 1000n;

const HOST_SNI_SPELLINGS = new Set(spellings('HostSNI'));

/** Go `len(rule)`: the UTF-8 byte length of the rule exactly as written. */
export function ruleByteLength(rule: string): number {
  return Buffer.byteLength(rule, 'utf8');
}

/**
 * Priority used when a router sets none (0): the rule's byte length. For TCP, a rule
 * that is a single `HostSNI` call with the single value `*` gets -1 so that it is tried
 * last. Traefik checks this on the parsed tree, so spacing, quoting, parentheses, any
 * of the 4 name spellings and even a leading `!` (which only flags the leaf) still give -1.
 */
export function defaultPriority(rule: string, protocol: RuleProtocol): number {
  if (protocol === 'tcp' && isCatchAllHostSNI(rule)) return -1;
  return ruleByteLength(rule);
}

function isCatchAllHostSNI(rule: string): boolean {
  const parsed = parseSyntax(rule);
  if (!parsed.ok) return false;
  let node: SyntaxNode = parsed.tree;
  while (node.kind === 'not') node = node.operand;
  return node.kind === 'call' && HOST_SNI_SPELLINGS.has(node.name) && node.args.length === 1 && node.args[0]!.value === '*';
}

/** Error message for a user-set priority Traefik refuses, or undefined if it is acceptable. */
export function priorityError(priority: bigint | number): string | undefined {
  if (typeof priority === 'number' && !Number.isInteger(priority)) return `priority ${priority} is not an integer`;
  const p = BigInt(priority);
  if (p > MAX_PRIORITY) return `the router priority ${p} exceeds the max user-defined priority ${MAX_PRIORITY}`;
  if (p < -9223372036854775808n) return `the router priority ${p} is below the minimum ${-9223372036854775808n}`;
  return undefined;
}
