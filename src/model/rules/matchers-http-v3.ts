// HTTP matchers, v3 syntax (Traefik pkg/muxer/http/matcher.go).

import { canonicalHeaderKey, goToUpper, isASCII } from './go-strings';
import { normalizeClientIP } from './ip';
import { fail, userRegexp, v3HostLeaf, type MatcherSpec } from './matcher-kit';
import type { RuleArg } from './types';

function startsWithSlash(matcher: string, arg: RuleArg): string {
  if (!arg.value.startsWith('/')) fail(`${matcher} matcher: path ${JSON.stringify(arg.value)} does not start with a '/'`, arg);
  return arg.value;
}

export function clientIPCidr(matcher: string, arg: RuleArg): string {
  const cidr = normalizeClientIP(arg.value);
  if (!cidr) fail(`${matcher} matcher: ${JSON.stringify(arg.value)} is not a valid IP or CIDR`, arg);
  return cidr;
}

export const HTTP_V3_MATCHERS: MatcherSpec[] = [
  {
    name: 'Host',
    arity: [1],
    build: ([h]) => {
      // `*` (match all) is accepted before the ASCII check, as in Traefik.
      if (h!.value !== '*' && !isASCII(h!.value)) {
        fail(`Host matcher: invalid value ${JSON.stringify(h!.value)}, non-ASCII characters are not allowed`, h!);
      }
      return v3HostLeaf(h!.value.toLowerCase());
    },
  },
  {
    name: 'HostRegexp',
    arity: [1],
    build: ([h]) => {
      if (!isASCII(h!.value)) fail(`HostRegexp matcher: invalid value ${JSON.stringify(h!.value)}, non-ASCII characters are not allowed`, h!);
      return { t: 'hostRegexp', re: userRegexp('HostRegexp', h!) };
    },
  },
  { name: 'Path', arity: [1], build: ([p]) => ({ t: 'path', path: startsWithSlash('Path', p!) }) },
  { name: 'PathPrefix', arity: [1], build: ([p]) => ({ t: 'pathPrefix', prefix: startsWithSlash('PathPrefix', p!) }) },
  { name: 'PathRegexp', arity: [1], build: ([p]) => ({ t: 'pathRegexp', re: userRegexp('PathRegexp', p!) }) },
  { name: 'Method', arity: [1], build: ([m]) => ({ t: 'method', method: goToUpper(m!.value) }) },
  {
    name: 'Header',
    arity: [2],
    build: ([k, v]) => ({ t: 'header', name: canonicalHeaderKey(k!.value), value: v!.value }),
  },
  {
    name: 'HeaderRegexp',
    arity: [2],
    build: ([k, v]) => ({ t: 'headerRegexp', name: canonicalHeaderKey(k!.value), re: userRegexp('HeaderRegexp', v!) }),
  },
  {
    name: 'Query',
    arity: [1, 2],
    // One argument means "present with an empty value" (`?k` or `?k=`), not "present".
    build: ([k, v]) => ({ t: 'query', name: k!.value, value: v?.value ?? '' }),
  },
  {
    name: 'QueryRegexp',
    arity: [1, 2],
    build: ([k, v]) =>
      v === undefined ? { t: 'query', name: k!.value, value: '' } : { t: 'queryRegexp', name: k!.value, re: userRegexp('QueryRegexp', v) },
  },
  { name: 'ClientIP', arity: [1], build: ([ip]) => ({ t: 'clientIP', cidr: clientIPCidr('ClientIP', ip!) }) },
];
