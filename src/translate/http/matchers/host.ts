// Host / HostRegexp literals that cannot be expressed by virtual-host domains become `:authority` guards.
import { quoteMeta, unanchored } from '../../regex';
import type { HeaderMatcher } from '../../../envoy/types';

const OPTIONAL_PORT = '(?::[0-9]+)?';

/** `*.a.com` in Traefik replaces exactly one label; Envoy's `*.a.com` domain matches any depth. */
export function wildcardHostGuard(wildcard: string, negated: boolean): HeaderMatcher {
  const suffix = wildcard.slice(1); // ".a.com"
  return authority(`(?i)[^.]+${quoteMeta(suffix)}\\.?${OPTIONAL_PORT}`, negated);
}

/** An exact host, case-insensitive, trailing dot and port tolerated (Traefik strips both). */
export function exactHostGuard(host: string, negated: boolean): HeaderMatcher {
  return authority(`(?i)${quoteMeta(host)}\\.?${OPTIONAL_PORT}`, negated);
}

/**
 * HostRegexp: Traefik matches the lower-cased, port-less host, unanchored. Envoy sees the raw `:authority`;
 * `(?i)` covers case and the trailing `.*` absorbs a port (a `$` in the user's regex then needs the port absent).
 */
export function hostRegexpGuard(re: string, negated: boolean): HeaderMatcher {
  return authority(`(?i)${unanchored(re)}`, negated);
}

function authority(regex: string, negated: boolean): HeaderMatcher {
  const m: HeaderMatcher = { name: ':authority', string_match: { safe_regex: { regex } } };
  if (negated) {
    m.invert_match = true;
    m.treat_missing_header_as_empty = true;
  }
  return m;
}

/** Does a Traefik host pattern (`a.com`, `*.a.com`) match this concrete host name? */
export function hostPatternMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) {
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot) === pattern.slice(1);
  }
  return pattern === host;
}
