// A TCP rule (or part of Traefik's dispatch) as an xds matcher predicate over the network inputs Envoy's
// listener offers: ServerNameInput (SNI), TransportProtocolInput, ApplicationProtocolInput (the client's
// ALPN list as `'h2','http/1.1'`) and SourceIPInput with the `envoy.matching.matchers.ip` CIDR matcher.
import { quoteMeta } from '../regex';
import { regexpMatches } from './dispatch';
import { typed } from '../../envoy/types';
import type { EnvoyTypeMap } from '../../envoy/types';
import type { RuleLeaf, RulePred } from '../../model/model';

export type XdsPredicate = EnvoyTypeMap['xds.type.matcher.v3.Matcher.MatcherList.Predicate'];
type StringMatcher = EnvoyTypeMap['xds.type.matcher.v3.StringMatcher'];

/** A predicate, or a constant when the connection kind already decides it. */
export type Pred = XdsPredicate | boolean;

const INPUT = {
  sni: ['envoy.matching.inputs.server_name', 'envoy.extensions.matching.common_inputs.network.v3.ServerNameInput'],
  transport: ['envoy.matching.inputs.transport_protocol', 'envoy.extensions.matching.common_inputs.network.v3.TransportProtocolInput'],
  alpn: ['envoy.matching.inputs.application_protocol', 'envoy.extensions.matching.common_inputs.network.v3.ApplicationProtocolInput'],
  sourceIp: ['envoy.matching.inputs.source_ip', 'envoy.extensions.matching.common_inputs.network.v3.SourceIPInput'],
} as const;

function input(which: keyof typeof INPUT) {
  const [name, type] = INPUT[which];
  return { name, typed_config: { '@type': `type.googleapis.com/${type}` } };
}

function single(which: keyof typeof INPUT, value: StringMatcher): XdsPredicate {
  return { single_predicate: { input: input(which), value_match: value } };
}

const regex = (re: string): StringMatcher => ({ safe_regex: { google_re2: {}, regex: re } });

export function transportIs(t: 'tls' | 'raw_buffer'): XdsPredicate {
  return single('transport', { exact: t });
}

/** The client address is in one of the CIDRs (normalised `addr/len`). */
export function sourceIn(cidrs: string[], statPrefix: string): XdsPredicate {
  return {
    single_predicate: {
      input: input('sourceIp'),
      custom_match: {
        name: 'envoy.matching.matchers.ip',
        typed_config: typed('envoy.extensions.matching.input_matchers.ip.v3.Ip', {
          cidr_ranges: cidrs.map((c) => {
            const [address_prefix, len] = c.split('/');
            return { address_prefix, prefix_len: Number(len) };
          }),
          stat_prefix: statPrefix,
        }),
      },
    },
  };
}

export function and(items: Pred[]): Pred {
  if (items.some((x) => x === false)) return false;
  const rest = items.filter((x): x is XdsPredicate => x !== true);
  if (rest.length === 0) return true;
  return rest.length === 1 ? rest[0]! : { and_matcher: { predicate: rest } };
}

export function or(items: Pred[]): Pred {
  if (items.some((x) => x === true)) return true;
  const rest = items.filter((x): x is XdsPredicate => x !== false);
  if (rest.length === 0) return false;
  return rest.length === 1 ? rest[0]! : { or_matcher: { predicate: rest } };
}

export function not(p: Pred): Pred {
  if (typeof p === 'boolean') return !p;
  return { not_matcher: p };
}

/** SNI is one label under the wildcard's suffix (Traefik's `*.x`); Envoy's own wildcards match any depth. */
export function sniMatches(host: string): XdsPredicate {
  // ignore_case has no effect on safe_regex: the pattern says it (Traefik lower-cases the SNI).
  if (host.startsWith('*.')) return single('sni', regex(`(?i)[^.]+${quoteMeta(host.slice(1))}`));
  return single('sni', { exact: host, ignore_case: true });
}

/**
 * One leaf. `plain`: a non-TLS connection, for which Traefik matches with an empty SNI and no ALPN (only
 * ClientIP is left to test). Traefik matches HostSNIRegexp against '' when there is no SNI, whereas Envoy's
 * matcher sees no input at all: a regexp that matches '' is therefore "no SNI, or the regexp".
 */
function leafPredicate(l: RuleLeaf, plain: boolean, statPrefix: string): Pred {
  switch (l.t) {
    case 'hostSNI':
      if (l.host === '*') return true;
      return plain ? false : sniMatches(l.host);
    case 'hostSNIRegexp': {
      const empty = regexpMatches(l.re, '');
      if (plain) return empty;
      const re = single('sni', regex(`(?s:.*)(?:${l.re})(?s:.*)`));
      return empty ? or([not(single('sni', regex('(?s).+'))), re]) : re;
    }
    case 'alpn':
      return plain ? false : single('alpn', regex(`(?s:.*,)?'${quoteMeta(l.protocol)}'(?s:,.*)?`));
    case 'clientIP':
      return sourceIn([l.cidr], statPrefix);
    default:
      return false;
  }
}

export function rulePredicate(p: RulePred, plain: boolean, statPrefix: string): Pred {
  switch (p.t) {
    case 'and':
      return and(p.items.map((x) => rulePredicate(x, plain, statPrefix)));
    case 'or':
      return or(p.items.map((x) => rulePredicate(x, plain, statPrefix)));
    case 'not':
      return not(leafPredicate(p.item, plain, statPrefix));
    default:
      return leafPredicate(p, plain, statPrefix);
  }
}
