// Query / QueryRegexp. Envoy looks at the first value of a key only; Traefik at every value (approximate).
import { unanchored } from '../../regex';
import type { QueryParameterMatcher } from '../../../envoy/types';

/** Traefik v3 `Query(k)` means value "" (`?k` or `?k=`), so it is an exact match on "", not a presence test. */
export function queryMatcher(name: string, value: string): QueryParameterMatcher {
  return { name, string_match: { exact: value } };
}

export function queryRegexpMatcher(name: string, re: string): QueryParameterMatcher {
  return { name, string_match: { safe_regex: { regex: unanchored(re) } } };
}
