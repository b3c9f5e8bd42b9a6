// Header / HeaderRegexp. Traefik tests each header line; Envoy tests the comma-joined value of all lines
// with that name, so requests carrying the header several times can differ (reported as approximate).
import { unanchored } from '../../regex';
import type { HeaderMatcher } from '../../../envoy/types';

export function headerMatcher(name: string, value: string, negated: boolean): HeaderMatcher {
  return negate({ name: name.toLowerCase(), string_match: { exact: value } }, negated);
}

export function headerRegexpMatcher(name: string, re: string, negated: boolean): HeaderMatcher {
  return negate({ name: name.toLowerCase(), string_match: { safe_regex: { regex: unanchored(re) } } }, negated);
}

function negate(m: HeaderMatcher, negated: boolean): HeaderMatcher {
  if (negated) {
    // Traefik's !Header(k, v) is true when k is absent; Envoy needs treat_missing_header_as_empty for that.
    m.invert_match = true;
    m.treat_missing_header_as_empty = true;
  }
  return m;
}
