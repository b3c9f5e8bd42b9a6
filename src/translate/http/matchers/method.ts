// Method: Traefik upper-cases the rule value and compares case-sensitively; `:method` is exact.
import type { HeaderMatcher } from '../../../envoy/types';

export function methodMatcher(method: string, negated: boolean): HeaderMatcher {
  const m: HeaderMatcher = { name: ':method', string_match: { exact: method } };
  if (negated) {
    m.invert_match = true;
    m.treat_missing_header_as_empty = true;
  }
  return m;
}
