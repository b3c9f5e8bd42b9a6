// The generic matcher (VirtualHost.matcher) for virtual hosts whose rules test what a RouteMatch cannot:
// the client address (ClientIP) and negated query parameters. Each Envoy route becomes one FieldMatcher, in
// Traefik's order, whose predicate holds the route's whole condition (first match wins, as with `routes`);
// the route keeps its own RouteMatch too, which Envoy evaluates again on the chosen route.
import { quoteMeta } from '../regex';
import { cidrRange } from './middlewares/ip-allow-list';
import type { HeaderMatcher, QueryParameterMatcher, Route, RouteMatch, VirtualHost } from '../../envoy/types';

type Json = Record<string, unknown>;
export type Predicate = Json;

const HEADER_INPUT = 'type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput';
const QUERY_INPUT = 'type.googleapis.com/envoy.type.matcher.v3.HttpRequestQueryParamMatchInput';
const SOURCE_IP_INPUT = 'type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DirectSourceIPInput';
const IP_MATCHER = 'type.googleapis.com/envoy.extensions.matching.input_matchers.ip.v3.Ip';
const ROUTE = 'type.googleapis.com/envoy.config.route.v3.Route';

function xdsString(m: Json): Json {
  if (typeof m.exact === 'string') return { exact: m.exact };
  if (typeof m.prefix === 'string') return { prefix: m.prefix };
  if (typeof m.suffix === 'string') return { suffix: m.suffix };
  const re = (m.safe_regex as { regex?: string } | undefined)?.regex;
  if (re !== undefined) return { safe_regex: { google_re2: {}, regex: re } };
  throw new Error(`string matcher ${JSON.stringify(m)} has no generic-matcher form`);
}

function headerInput(name: string): Json {
  return { name: 'request-headers', typed_config: { '@type': HEADER_INPUT, header_name: name } };
}

function single(input: Json, valueMatch: Json): Predicate {
  return { single_predicate: { input, value_match: valueMatch } };
}

export function not(p: Predicate): Predicate {
  return { not_matcher: p };
}

export function and(ps: Predicate[]): Predicate {
  return ps.length === 1 ? ps[0] : { and_matcher: { predicate: ps } };
}

/** ClientIP(cidr...) on the peer address (Traefik's RemoteAddr strategy, not X-Forwarded-For). */
export function clientIPPredicate(cidrs: string[]): Predicate {
  return {
    single_predicate: {
      input: { name: 'direct-source-ip', typed_config: { '@type': SOURCE_IP_INPUT } },
      custom_match: { name: 'ip', typed_config: { '@type': IP_MATCHER, cidr_ranges: cidrs.map(cidrRange), stat_prefix: 'traefik_clientip' } },
    },
  };
}

export function queryPredicate(q: QueryParameterMatcher): Predicate {
  return single({ name: 'query-param', typed_config: { '@type': QUERY_INPUT, query_param: q.name } }, xdsString(q.string_match as Json));
}

function headerPredicate(h: HeaderMatcher): Predicate {
  const p = single(headerInput(h.name!), xdsString(h.string_match as Json));
  // A missing header gives the input no value, so the inner predicate is false and its negation true:
  // Traefik's `!Header(k, v)` on a request without k.
  return h.invert_match ? not(p) : p;
}

/** The RouteMatch as a predicate (its path through `:path`, which carries the query: hence the query-aware forms). */
function routeMatchPredicates(m: RouteMatch): Predicate[] {
  const out: Predicate[] = [];
  const path = headerInput(':path');
  if (m.prefix !== undefined) out.push(single(path, { prefix: m.prefix }));
  else if (m.path !== undefined) out.push(single(path, { safe_regex: { google_re2: {}, regex: `${quoteMeta(m.path)}(?s:\\?.*)?` } }));
  // The path regex is already an unanchored full match; on `:path` it may also match in the query, and the
  // route's own RouteMatch then re-checks the path alone.
  else if (m.safe_regex?.regex !== undefined) out.push(single(path, { safe_regex: { google_re2: {}, regex: m.safe_regex.regex } }));
  for (const h of m.headers ?? []) out.push(headerPredicate(h));
  for (const q of m.query_parameters ?? []) out.push(queryPredicate(q));
  return out;
}

/** A route plus the conditions its RouteMatch cannot hold. */
export interface MatchedRoute {
  route: Route;
  extra: Predicate[];
}

/** Turns a virtual host's ordered routes into a matcher list (the vhost then has no `routes`). */
export function toMatcherVirtualHost(vh: VirtualHost, routes: MatchedRoute[]): VirtualHost {
  const matchers = routes.map(({ route, extra }) => ({
    predicate: and([...routeMatchPredicates(route.match ?? {}), ...extra]),
    on_match: { action: { name: 'route', typed_config: { '@type': ROUTE, ...route } } },
  }));
  const out: VirtualHost = { ...vh };
  delete out.routes;
  (out as Json).matcher = { matcher_list: { matchers } };
  return out;
}
