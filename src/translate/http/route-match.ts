// One DNF conjunct of a Traefik rule (without its host part, which picks the virtual host) → Envoy RouteMatch.
import { isPathLeaf, pathHeaderMatcher, setPathSpecifier } from './matchers/path';
import { methodMatcher } from './matchers/method';
import { headerMatcher, headerRegexpMatcher } from './matchers/header';
import { queryMatcher, queryRegexpMatcher } from './matchers/query';
import { hostRegexpGuard, exactHostGuard, wildcardHostGuard } from './matchers/host';
import type { HeaderMatcher, QueryParameterMatcher, RouteMatch } from '../../envoy/types';
import type { RuleLiteral } from '../../model/model';
import { clientIPPredicate, not, queryPredicate, type Predicate } from './generic-matcher';

/** The conjunct cannot be expressed in a RouteMatch: the whole router is refused. */
export class UnsupportedMatch extends Error {}

export interface MatchResult {
  match: RouteMatch;
  /** Conditions a RouteMatch cannot hold (ClientIP, negated Query): the virtual host needs the generic matcher. */
  extra: Predicate[];
  /** How the Envoy match differs from Traefik's, for warning diagnostics. */
  approximations: string[];
}

/**
 * Builds the RouteMatch of a conjunct. `hostGuards` are the host literals the virtual host placement
 * could not express by itself (wildcard depth, HostRegexp, negated hosts).
 */
export function buildRouteMatch(literals: RuleLiteral[], hostGuards: RuleLiteral[]): MatchResult {
  const match: RouteMatch = {};
  const headers: HeaderMatcher[] = [];
  const query: QueryParameterMatcher[] = [];
  const approximations: string[] = [];
  const extra: Predicate[] = [];
  let pathSet = false;

  for (const { leaf, negated } of hostGuards) {
    if (leaf.t === 'host') {
      if (leaf.host === '*') continue;
      headers.push(leaf.host.startsWith('*.') ? wildcardHostGuard(leaf.host, negated) : exactHostGuard(leaf.host, negated));
    } else if (leaf.t === 'hostRegexp') {
      headers.push(hostRegexpGuard(leaf.re, negated));
      // A leading (?i) (v2 host templates) makes upper-case letters match in Traefik too.
      if (!/^\(\?[a-zA-Z]*i[a-zA-Z]*\)/.test(leaf.re) && /[A-Z]/.test(leaf.re.replace(/\\./g, '').replace(/\(\?[a-zA-Z]+[:)]/g, ''))) {
        approximations.push(`HostRegexp(\`${leaf.re}\`) has upper-case letters: Traefik lower-cases the host first, so they never match there, while Envoy matches case-insensitively`);
      }
    }
  }

  // Positive path conditions first, so the first one becomes the path specifier.
  const ordered = [...literals.filter((l) => !l.negated), ...literals.filter((l) => l.negated)];
  for (const { leaf, negated } of ordered) {
    if (isPathLeaf(leaf)) {
      if (!negated && !pathSet) {
        setPathSpecifier(match, leaf);
        pathSet = true;
      } else {
        const h = pathHeaderMatcher(leaf, negated);
        headers.push(h.matcher);
        if (!h.exact && leaf.t === 'pathRegexp') approximations.push(`a second path condition PathRegexp(\`${leaf.re}\`) is matched against the path with its query string`);
      }
      continue;
    }
    switch (leaf.t) {
      case 'method':
        headers.push(methodMatcher(leaf.method, negated));
        break;
      case 'header':
        headers.push(headerMatcher(leaf.name, leaf.value, negated));
        approximations.push(`Header(\`${leaf.name}\`): when a request carries the header several times, Envoy matches their comma-joined value, Traefik each value`);
        break;
      case 'headerRegexp':
        headers.push(headerRegexpMatcher(leaf.name, leaf.re, negated));
        approximations.push(`HeaderRegexp(\`${leaf.name}\`): when a request carries the header several times, Envoy matches their comma-joined value, Traefik each value`);
        break;
      case 'query':
      case 'queryRegexp': {
        const q = leaf.t === 'query' ? queryMatcher(leaf.name, leaf.value) : queryRegexpMatcher(leaf.name, leaf.re);
        // A RouteMatch cannot negate a query parameter: the generic matcher can.
        if (negated) extra.push(not(queryPredicate(q)));
        else query.push(q);
        approximations.push(`${leaf.t === 'query' ? 'Query' : 'QueryRegexp'}(\`${leaf.name}\`): Envoy looks at the first value of the parameter only, Traefik at every value`);
        break;
      }
      case 'clientIP': {
        // Traefik's ClientIP tests the peer address: DirectSourceIPInput through the generic matcher.
        const p = clientIPPredicate([leaf.cidr]);
        extra.push(negated ? not(p) : p);
        break;
      }
      case 'host':
      case 'hostRegexp':
        break; // handled by the virtual host placement and hostGuards
      default:
        throw new UnsupportedMatch(`matcher ${leaf.t} is not an HTTP matcher`);
    }
  }
  if (!pathSet) match.prefix = '/';
  if (headers.length) match.headers = headers;
  if (query.length) match.query_parameters = query;
  return { match, extra, approximations };
}
