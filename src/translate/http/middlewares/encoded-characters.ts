// EncodedCharacters (v3.7): Traefik answers 400 when the escaped request path contains a disallowed
// percent-encoding (%2F/%2f, %5C/%5c, %00, %3B/%3b, %25, %3F/%3f, %23; all disallowed by default). It scans
// the escaped path left to right, one %XX triplet at a time; in a validly encoded path every "%" starts a
// triplet, so "the path part of :path contains %XX" is the same test.
//
// Envoy form: a fault filter instance that aborts with 400 the requests whose :path matches
//   [^?]*%(?:2[Ff]|…).*       (the triplet before the query string; safe_regex is a full match)
// HTTPFault.headers restricts the abort to matching requests. Being a filter, it keeps its place in the
// router's middleware order (a BasicAuth listed before it still answers 401 first), and it applies to the
// routers that use the middleware only; the HCM-wide path_with_escaped_slashes_action would do neither.
import { abortAll } from './in-flight-req';
import { fieldOf, type MiddlewareTranslator } from './types';

const CHARACTERS: { field: string; hex: string; what: string }[] = [
  { field: 'allowEncodedSlash', hex: '2F', what: '%2F' },
  { field: 'allowEncodedBackSlash', hex: '5C', what: '%5C' },
  { field: 'allowEncodedNullCharacter', hex: '00', what: '%00' },
  { field: 'allowEncodedSemicolon', hex: '3B', what: '%3B' },
  { field: 'allowEncodedPercent', hex: '25', what: '%25' },
  { field: 'allowEncodedQuestionMark', hex: '3F', what: '%3F' },
  { field: 'allowEncodedHash', hex: '23', what: '%23' },
];

/** RE2 for one triplet, case-insensitive in its letter as Traefik lists both cases (%2F and %2f). */
function tripletPattern(hex: string): string {
  return hex.replace(/[A-F]/g, (ch) => `[${ch}${ch.toLowerCase()}]`);
}

/** The full-match :path regex for the denied triplets. */
export function deniedPathRegex(hexes: string[]): string {
  return `[^?]*%(?:${hexes.map(tripletPattern).join('|')}).*`;
}

export const translateEncodedCharacters: MiddlewareTranslator = (mw) => {
  const c = mw.config ?? {};
  const denied = CHARACTERS.filter((x) => c[x.field] !== true);
  if (denied.length === 0) {
    return { issues: [{ severity: 'info', field: fieldOf(mw), message: 'every encoded character is allowed: Traefik checks nothing, and no filter is emitted' }] };
  }
  return {
    filter: {
      kind: 'fault',
      typedConfig: abortAll(400, `traefik_xds.${mw.namespace}.${mw.name}.fault`, [{ name: ':path', string_match: { safe_regex: { regex: deniedPathRegex(denied.map((x) => x.hex)) } } }]),
    },
    issues: [{
      severity: 'info',
      field: fieldOf(mw),
      message: `requests whose path contains ${denied.map((x) => x.what).join(', ')} are answered 400 by a fault filter (its body reads "fault filter abort"; Traefik's 400 has an empty body). Envoy's path normalization runs first and decodes only unreserved characters, so these escapes reach the check as in Traefik`,
    }],
  };
};
