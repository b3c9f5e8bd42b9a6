// Path, PathPrefix, PathRegexp: the first positive one becomes the route's path specifier; any other
// (a second path condition, or a negated one) becomes a `:path` header matcher, which sees the query too.
import { quoteMeta, unanchored } from '../../regex';
import type { HeaderMatcher, RouteMatch } from '../../../envoy/types';
import type { RuleLeaf } from '../../../model/model';

type PathLeaf = Extract<RuleLeaf, { t: 'path' | 'pathPrefix' | 'pathRegexp' }>;

export function isPathLeaf(l: RuleLeaf): l is PathLeaf {
  return l.t === 'path' || l.t === 'pathPrefix' || l.t === 'pathRegexp';
}

/** Sets RouteMatch's path specifier from a positive path leaf. Exact for all three (safe_regex excludes the query). */
export function setPathSpecifier(match: RouteMatch, leaf: PathLeaf): void {
  if (leaf.t === 'path') match.path = leaf.path;
  else if (leaf.t === 'pathPrefix') match.prefix = leaf.prefix;
  else match.safe_regex = { regex: unanchored(leaf.re) };
}

/**
 * A path condition as a `:path` header matcher. `:path` includes the query string, so Path and PathPrefix
 * stay exact (the query is allowed after them); a PathRegexp may also match inside the query (`exact: false`).
 */
export function pathHeaderMatcher(leaf: PathLeaf, negated: boolean): { matcher: HeaderMatcher; exact: boolean } {
  let regex: string;
  let exact = true;
  if (leaf.t === 'path') regex = `${quoteMeta(leaf.path)}(?s:\\?.*)?`;
  else if (leaf.t === 'pathPrefix') regex = `${quoteMeta(leaf.prefix)}(?s:.*)`;
  else {
    regex = unanchored(leaf.re);
    exact = false;
  }
  const matcher: HeaderMatcher = { name: ':path', string_match: { safe_regex: { regex } } };
  if (negated) {
    matcher.invert_match = true;
    matcher.treat_missing_header_as_empty = true;
  }
  return { matcher, exact };
}
