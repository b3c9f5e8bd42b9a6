// The path middlewares of one route, composed into the single rewrite Envoy allows per route
// (RouteAction.regex_rewrite: one pattern, every match replaced, the query string kept).
import { quoteMeta } from '../regex';
import type { PathOp } from './middlewares/types';

export interface RegexRewrite {
  pattern: { regex: string };
  substitution: string;
}

/** RE2 substitution text for a literal (a backslash would start a group reference). */
function literal(s: string): string {
  return s.replace(/\\/g, '\\\\');
}

function stripPattern(op: Extract<PathOp, { t: 'strip' | 'stripRegex' }>): string {
  // Alternation is leftmost-first in RE2, as "first listed prefix/regex that matches" is in Traefik;
  // `/?` and the leading "/" of the substitution reproduce Traefik's ensure-leading-slash.
  const alts = op.t === 'strip' ? op.prefixes.map(quoteMeta) : op.regexes.map((r) => `(?:${r})`);
  return `^(?:${alts.join('|')})/?(.*)`;
}

function single(op: PathOp): RegexRewrite {
  switch (op.t) {
    case 'strip':
    case 'stripRegex':
      return { pattern: { regex: stripPattern(op) }, substitution: '/\\1' };
    case 'add':
      return { pattern: { regex: '^(.*)$' }, substitution: `${literal(op.prefix)}\\1` };
    case 'replace':
      return { pattern: { regex: '^.*$' }, substitution: literal(op.path) };
    case 'replaceRegex':
      return { pattern: { regex: op.regex }, substitution: op.replacement };
  }
}

/** Composes the route's path operations in order; an error when no single Envoy rewrite expresses them. */
export function composePathOps(ops: PathOp[]): RegexRewrite | undefined | { error: string } {
  if (ops.length === 0) return undefined;
  // A ReplacePath discards whatever came before it.
  const lastReplace = ops.map((o) => o.t).lastIndexOf('replace');
  let seq = lastReplace >= 0 ? ops.slice(lastReplace) : ops;
  // Consecutive AddPrefix collapse: add(a) then add(b) = add(b + a).
  const merged: PathOp[] = [];
  for (const op of seq) {
    const prev = merged[merged.length - 1];
    if (op.t === 'add' && prev?.t === 'add') merged[merged.length - 1] = { t: 'add', prefix: op.prefix + prev.prefix };
    else merged.push(op);
  }
  seq = merged;
  if (seq.length === 1) return single(seq[0]);
  if (seq.length === 2) {
    const [a, b] = seq;
    if ((a.t === 'strip' || a.t === 'stripRegex') && b.t === 'add') {
      return { pattern: { regex: stripPattern(a) }, substitution: `${literal(b.prefix)}/\\1` };
    }
    if (a.t === 'replace' && b.t === 'add') return single({ t: 'replace', path: b.prefix + a.path });
  }
  return { error: `the path middlewares of this route (${seq.map((o) => o.t).join(' then ')}) cannot be composed into the one path rewrite Envoy applies per route` };
}
