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
 * End-of-text anchors (`$`, `\z`) outside character classes, rewritten to allow a `:port` before the end:
 * Traefik matches the host without its port, Envoy sees `:authority` with it.
 */
export function allowPortAtEnd(re: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      const next = re[i + 1] ?? '';
      if (!inClass && next === 'z') out += `${OPTIONAL_PORT}\\z`;
      else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a leading ']' (or '^]') is a literal inside the class
      if (re[i + 1] === '^') out += re[++i];
      if (re[i + 1] === ']') out += re[++i];
      continue;
    }
    out += c === '$' ? `${OPTIONAL_PORT}$` : c;
  }
  return out;
}

/**
 * HostRegexp: Traefik matches the lower-cased, port-less host, unanchored. Envoy sees the raw `:authority`:
 * `(?i)` covers the case, the trailing `.*` absorbs a port, and end anchors are moved past an optional port.
 */
export function hostRegexpGuard(re: string, negated: boolean): HeaderMatcher {
  return authority(`(?i)${unanchored(allowPortAtEnd(re))}`, negated);
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
