// Test helpers: TCP routers from rule text, a Dispatch for an entry point, and an evaluator of the xds
// matcher predicates Envoy's filter_chain_matcher runs (network inputs, string matchers, the IP matcher).
import { defaultPriority, parseRule, toPredicate } from '../../../src/model/rules';
import { cidrHolds, compareRouters, regexpMatches, type Conn, type Dispatch } from '../../../src/translate/tcp/dispatch';
import type { RulePred, TcpMiddleware, TcpRouter } from '../../../src/model/model';

const subject = { kind: 'IngressRouteTCP', namespace: 'default', name: 'test' };

export function router(
  name: string,
  rule: string,
  opts: { priority?: number; tls?: 'passthrough' | 'terminate'; middlewares?: TcpMiddleware[]; close?: boolean } = {},
): TcpRouter {
  const parsed = parseRule(rule, { syntax: 'v3', protocol: 'tcp' });
  if (!parsed.ok) throw new Error(`${rule}: ${parsed.error.message}`);
  let n = parsed.ast;
  while (n.kind === 'not') n = n.operand;
  const catchAll = n.kind === 'matcher' && n.name === 'HostSNI' && n.args.length === 1 && n.args[0]!.value === '*';
  return {
    name,
    provenance: { kind: 'IngressRouteTCP', namespace: 'default', name: 'test', field: 'spec.routes[0]', subject },
    entryPoints: ['ep'],
    rule,
    pred: toPredicate(parsed.ast) as RulePred,
    catchAll,
    priority: BigInt(opts.priority ?? defaultPriority(rule, 'tcp')),
    tls: opts.tls ? { passthrough: opts.tls === 'passthrough', options: 'default' } : undefined,
    middlewares: opts.middlewares ?? [],
    action: opts.close ? { type: 'close', reason: 'test' } : { type: 'forward', targets: [{ cluster: `c-${name}`, weight: 1 }] },
  };
}

export function dispatchOf(routers: TcpRouter[], https?: { domains: string[]; catchAll: boolean }): Dispatch {
  return {
    entryPoint: 'ep',
    plainRouters: routers.filter((r) => !r.tls).sort(compareRouters),
    tlsRouters: routers.filter((r) => r.tls).sort(compareRouters),
    httpsDomains: https?.domains ?? [],
    httpsCatchAll: https?.catchAll ?? false,
    httpsChainFor: () => (https ? 'https/default' : undefined),
  };
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function inputValue(input: Json, c: Conn): string | undefined {
  switch (input.name) {
    case 'envoy.matching.inputs.server_name':
      return c.tls && c.sni ? c.sni : undefined;
    case 'envoy.matching.inputs.transport_protocol':
      return c.tls ? 'tls' : 'raw_buffer';
    case 'envoy.matching.inputs.application_protocol':
      return c.tls && c.alpn.length ? c.alpn.map((p) => `'${p}'`).join(',') : undefined;
    case 'envoy.matching.inputs.source_ip':
      return c.ip;
    default:
      throw new Error(`unknown input ${input.name}`);
  }
}

function stringMatches(m: Json, v: string): boolean {
  if (m.exact !== undefined) return m.ignore_case ? v.toLowerCase() === m.exact.toLowerCase() : v === m.exact;
  if (m.safe_regex) return regexpMatches(`^(?:${m.safe_regex.regex})$`, v);
  throw new Error(`unexpected string matcher ${JSON.stringify(m)}`);
}

/** Evaluates an xds.type.matcher.v3 Predicate (JSON) against a connection, as Envoy's matcher does. */
export function evalXdsPredicate(p: Json, c: Conn): boolean {
  if (p.and_matcher) return p.and_matcher.predicate.every((x: Json) => evalXdsPredicate(x, c));
  if (p.or_matcher) return p.or_matcher.predicate.some((x: Json) => evalXdsPredicate(x, c));
  if (p.not_matcher) return !evalXdsPredicate(p.not_matcher, c);
  const s = p.single_predicate;
  const v = inputValue(s.input, c);
  if (v === undefined) return false;
  if (s.value_match) return stringMatches(s.value_match, v);
  if (s.custom_match?.name === 'envoy.matching.matchers.ip') {
    return s.custom_match.typed_config.cidr_ranges.some((r: Json) => cidrHolds(`${r.address_prefix}/${r.prefix_len}`, v));
  }
  throw new Error(`unexpected predicate ${JSON.stringify(p)}`);
}

/** The chain a filter_chain_matcher (matcher_list) selects, or undefined (connection closed). */
export function evalXdsMatcher(m: Json, c: Conn): string | undefined {
  for (const fm of m.matcher_list?.matchers ?? []) if (evalXdsPredicate(fm.predicate, c)) return fm.on_match.action.name;
  return m.on_no_match?.action?.name;
}
