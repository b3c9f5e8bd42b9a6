// TCP matchers (Traefik pkg/muxer/tcp/matcher.go and matcher_v2.go).

import { isASCII } from './go-strings';
import { anyOf, fail, template, userRegexp, v3HostSNILeaf, type MatcherSpec } from './matcher-kit';
import { clientIPCidr } from './matchers-http-v3';
import type { Leaf, RuleArg } from './types';

const ACME_TLS_ALPN = 'acme-tls/1';

const HOST_OR_IP_V3 = /^(\*\.)?[0-9A-Za-z_.\-:]+$/;
const HOST_OR_IP_V2 = /^[0-9A-Za-z_.\-:]+$/;

function alpn(matcher: string, arg: RuleArg): Leaf {
  if (arg.value === ACME_TLS_ALPN) fail(`${matcher} matcher: protocol "${ACME_TLS_ALPN}" is not allowed`, arg);
  return { t: 'alpn', protocol: arg.value };
}

export const TCP_V3_MATCHERS: MatcherSpec[] = [
  {
    name: 'HostSNI',
    arity: [1],
    build: ([h]) => {
      if (h!.value !== '*' && !HOST_OR_IP_V3.test(h!.value)) {
        fail(`HostSNI matcher: ${JSON.stringify(h!.value)} is not a valid hostname`, h!);
      }
      return v3HostSNILeaf(h!.value.toLowerCase());
    },
  },
  {
    name: 'HostSNIRegexp',
    arity: [1],
    build: ([h]) => {
      if (!isASCII(h!.value)) fail(`HostSNIRegexp matcher: ${JSON.stringify(h!.value)} is not a valid hostname (non-ASCII)`, h!);
      return { t: 'hostSNIRegexp', re: userRegexp('HostSNIRegexp', h!) };
    },
  },
  { name: 'ClientIP', arity: [1], build: ([ip]) => ({ t: 'clientIP', cidr: clientIPCidr('ClientIP', ip!) }) },
  { name: 'ALPN', arity: [1], build: ([p]) => alpn('ALPN', p!) },
];

export const TCP_V2_MATCHERS: MatcherSpec[] = [
  {
    name: 'HostSNI',
    build: (args) => {
      for (const a of args) {
        if (a.value !== '*' && !HOST_OR_IP_V2.test(a.value)) fail(`HostSNI matcher: ${JSON.stringify(a.value)} is not a valid hostname or IP`, a);
      }
      // Only a leading `*` matches connections without SNI; a later `*` needs a non-empty SNI.
      if (args[0]!.value === '*') return { t: 'hostSNI', host: '*' };
      return anyOf(
        args.map((a): Leaf => {
          if (a.value === '*') return { t: 'hostSNIRegexp', re: '(?s).' };
          // Equality with the value or the value minus one trailing dot; SNIs never end with a dot.
          const host = a.value.toLowerCase().replace(/\.$/, '');
          return host === '' ? { t: 'hostSNIRegexp', re: '[^\\x00-\\x{10FFFF}]' } : { t: 'hostSNI', host };
        }),
      );
    },
  },
  {
    name: 'HostSNIRegexp',
    // v2 templates: no ASCII check and no separate check of variable patterns (preparePattern).
    build: (args) =>
      anyOf(
        args.map((a): Leaf => ({
          t: 'hostSNIRegexp',
          re: template('HostSNIRegexp', a, a.value, { defaultPattern: '[^.]+', caseInsensitive: true, prefix: false, checkVariablePatterns: false }),
        })),
      ),
  },
  { name: 'ClientIP', build: (args) => anyOf(args.map((a): Leaf => ({ t: 'clientIP', cidr: clientIPCidr('ClientIP', a) }))) },
  {
    name: 'ALPN',
    build: (args) => anyOf(args.map((a) => alpn('ALPN', a))),
  },
];
