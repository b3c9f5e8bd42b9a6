// Lowering of a parsed rule to the canonical predicate tree, and DNF expansion.

import type { DNFResult, Leaf, Literal, Pred, RuleNode } from './types';

export type { DNFResult, Leaf, LeafType, Literal, Pred } from './types';

function isLeaf(p: Pred): p is Leaf {
  return p.t !== 'and' && p.t !== 'or' && p.t !== 'not';
}

/** n-ary and/or with nested same-kind nodes flattened and single items unwrapped. */
function join(t: 'and' | 'or', parts: Pred[]): Pred {
  const items: Pred[] = [];
  for (const p of parts) {
    if (p.t === t) items.push(...p.items);
    else items.push(p);
  }
  return items.length === 1 ? items[0]! : { t, items };
}

/** `!p` with the negation pushed to the leaves (De Morgan), as Traefik's `invert` does. */
export function negate(p: Pred): Pred {
  switch (p.t) {
    case 'and':
      return join('or', p.items.map(negate));
    case 'or':
      return join('and', p.items.map(negate));
    case 'not':
      return p.item;
    default:
      return { t: 'not', item: p };
  }
}

/** Lowers a rule AST (either syntax) to the canonical predicate tree; `!` only ever wraps a leaf. */
export function toPredicate(ast: RuleNode): Pred {
  // Iterative over left spines: long `a && b && c ...` chains make deep left-leaning trees.
  switch (ast.kind) {
    case 'matcher':
      return ast.meaning;
    case 'not':
      return negate(toPredicate(ast.operand));
    default: {
      const rights: RuleNode[] = [];
      let node: RuleNode = ast;
      while ((node.kind === 'and' || node.kind === 'or') && node.kind === ast.kind) {
        rights.push(node.right);
        node = node.left;
      }
      const parts = [toPredicate(node), ...rights.reverse().map(toPredicate)];
      return join(ast.kind, parts);
    }
  }
}

/** A stable identity for a leaf (field order independent). */
const leafKeys = new WeakMap<Leaf, string>();

export function leafKey(leaf: Leaf): string {
  // Asked several times per literal (dedupe, contradictions); leaves are never modified once built.
  let key = leafKeys.get(leaf);
  if (key === undefined) {
    const rec = leaf as unknown as Record<string, unknown>;
    key = JSON.stringify(Object.keys(rec).sort().map((k) => [k, rec[k]]));
    leafKeys.set(leaf, key);
  }
  return key;
}

function literalKey(l: Literal): string {
  return (l.negated ? '!' : '') + leafKey(l.leaf);
}

function isWildcard(host: string): boolean {
  return host.startsWith('*.');
}

/** Whether a request host can satisfy both positive host-like leaves (exact hosts and `*.x` wildcards). */
function hostsCompatible(a: string, b: string): boolean {
  if (a === '*' || b === '*') return true;
  if (a === b) return true;
  if (isWildcard(a) && isWildcard(b)) return false; // one label + suffix: the suffixes must be equal
  if (isWildcard(a)) return wildcardCovers(a, b);
  if (isWildcard(b)) return wildcardCovers(b, a);
  return false;
}

function wildcardCovers(wildcard: string, host: string): boolean {
  const dot = host.indexOf('.');
  return dot >= 0 && host.slice(dot) === wildcard.slice(1);
}

/** True when no request can satisfy every literal of the conjunct, for the cases that are cheap to see. */
function contradictory(conj: Literal[]): boolean {
  const positive = new Set<string>();
  const negative = new Set<string>();
  const hosts: string[] = [];
  const snis: string[] = [];
  const methods = new Set<string>();
  const paths = new Set<string>();
  const prefixes: string[] = [];
  for (const l of conj) {
    const key = leafKey(l.leaf);
    (l.negated ? negative : positive).add(key);
    const leaf = l.leaf;
    if (l.negated) {
      // `!Host(*)` / `!HostSNI(*)` never match.
      if ((leaf.t === 'host' || leaf.t === 'hostSNI') && leaf.host === '*') return true;
      continue;
    }
    if (leaf.t === 'host') hosts.push(leaf.host);
    else if (leaf.t === 'hostSNI') snis.push(leaf.host);
    else if (leaf.t === 'method') methods.add(leaf.method);
    else if (leaf.t === 'path') paths.add(leaf.path);
    else if (leaf.t === 'pathPrefix') prefixes.push(leaf.prefix);
  }
  for (const k of positive) if (negative.has(k)) return true;
  if (methods.size > 1 || paths.size > 1) return true;
  for (const group of [hosts, snis]) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) if (!hostsCompatible(group[i]!, group[j]!)) return true;
    }
  }
  const [path] = paths;
  if (path !== undefined && prefixes.some((p) => !path.startsWith(p))) return true;
  return false;
}

/** Conjunct with duplicate literals removed, or undefined when it is contradictory. */
function tidy(conj: Literal[]): Literal[] | undefined {
  const seen = new Set<string>();
  const out: Literal[] = [];
  for (const l of conj) {
    const k = literalKey(l);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(l);
    }
  }
  return contradictory(out) ? undefined : out;
}

function dedupeConjuncts(conjuncts: Literal[][]): Literal[][] {
  const seen = new Set<string>();
  return conjuncts.filter((c) => {
    const k = c.map(literalKey).sort().join('\n');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

class TooLarge extends Error {}

/**
 * Disjunctive normal form: OR of conjuncts (AND of possibly negated leaves).
 * Contradictory conjuncts (x && !x, two different exact hosts or SNIs, two methods,
 * two exact paths, a path outside a required prefix, `!Host(*)`) are dropped, so an
 * empty `conjuncts` list means the rule can never match. Gives up with `tooLarge`
 * once more than `maxConjuncts` conjuncts would be needed.
 */
export function toDNF(pred: Pred, maxConjuncts = 64): DNFResult {
  const expand = (p: Pred): Literal[][] => {
    if (isLeaf(p)) return [[{ leaf: p, negated: false }]];
    if (p.t === 'not') return [[{ leaf: p.item, negated: true }]];
    if (p.t === 'or') {
      const all = dedupeConjuncts(p.items.flatMap(expand));
      if (all.length > maxConjuncts) throw new TooLarge();
      return all;
    }
    let acc: Literal[][] = [[]];
    for (const item of p.items) {
      const next: Literal[][] = [];
      for (const right of expand(item)) {
        for (const left of acc) {
          const merged = tidy([...left, ...right]);
          if (merged) next.push(merged);
        }
        if (next.length > maxConjuncts * maxConjuncts) throw new TooLarge();
      }
      acc = dedupeConjuncts(next);
      if (acc.length > maxConjuncts) throw new TooLarge();
      if (acc.length === 0) return [];
    }
    return acc;
  };
  try {
    const conjuncts = expand(pred)
      .map(tidy)
      .filter((c): c is Literal[] => c !== undefined);
    return { conjuncts: dedupeConjuncts(conjuncts) };
  } catch (e) {
    if (e instanceof TooLarge) return { tooLarge: true };
    throw e;
  }
}

/** Every leaf of a predicate, with whether it sits under a `!`. */
export function literalsOf(pred: Pred): Literal[] {
  if (pred.t === 'and' || pred.t === 'or') return pred.items.flatMap(literalsOf);
  if (pred.t === 'not') return [{ leaf: pred.item, negated: true }];
  return [{ leaf: pred, negated: false }];
}

/**
 * Host names a rule binds TLS options to: every `Host(...)` value, lower-cased (v2 and v3;
 * `HostRegexp` does not count). Traefik's `ParseDomains` ignores negation, so `!Host(x)`
 * counts too; pass `{ includeNegated: false }` for positive hosts only.
 */
export function tlsHostsOf(pred: Pred, opts: { includeNegated?: boolean } = {}): string[] {
  const includeNegated = opts.includeNegated ?? true;
  const out: string[] = [];
  for (const { leaf, negated } of literalsOf(pred)) {
    if (negated && !includeNegated) continue;
    const host = leaf.t === 'host' ? leaf.host : leaf.t === 'hostRegexp' ? leaf.fromHost : undefined;
    if (host !== undefined && !out.includes(host)) out.push(host.toLowerCase());
  }
  return out;
}
