// A model of Envoy's route selection, written from Envoy's documented behaviour, to check translated
// RouteConfigurations against Traefik's own matching (test/helpers/traefik-router.ts):
// virtual host by domain (exact, longest suffix wildcard, longest prefix wildcard, "*"), then the first route
// whose RouteMatch matches, or the first FieldMatcher whose predicate holds (generic matcher).
import { fullMatchRe2 } from './re2-cache';

export interface TestRequest {
  /** Host header as sent (may have a port or a trailing dot). */
  host: string;
  /** Path with the query string. */
  path: string;
  method: string;
  headers: Record<string, string[]>;
  /** Peer IP address. */
  peer: string;
}

const fullMatch = fullMatchRe2;

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const i = host.lastIndexOf(':');
  return i >= 0 ? host.slice(0, i) : host;
}

export function selectVirtualHost(rc: any, req: TestRequest): any | undefined {
  let host = req.host.toLowerCase();
  if (rc.ignore_port_in_host_matching) host = stripPort(host);
  const vhs: any[] = rc.virtual_hosts ?? [];
  const exact = vhs.find((v) => (v.domains ?? []).some((d: string) => d.toLowerCase() === host));
  if (exact) return exact;
  let best: any;
  let bestLen = -1;
  for (const v of vhs) for (const d of v.domains ?? []) {
    if (d.startsWith('*') && d.length > 1 && host.endsWith(d.slice(1).toLowerCase()) && host.length > d.length - 1 && d.length > bestLen) {
      best = v;
      bestLen = d.length;
    }
  }
  if (best) return best;
  for (const v of vhs) for (const d of v.domains ?? []) {
    if (d.endsWith('*') && d.length > 1 && host.startsWith(d.slice(0, -1).toLowerCase()) && d.length > bestLen) {
      best = v;
      bestLen = d.length;
    }
  }
  if (best) return best;
  return vhs.find((v) => (v.domains ?? []).includes('*'));
}

function headerValue(req: TestRequest, name: string): string | undefined {
  const n = name.toLowerCase();
  if (n === ':authority' || n === 'host') return req.host;
  if (n === ':path') return req.path;
  if (n === ':method') return req.method;
  const vals = Object.entries(req.headers).filter(([k]) => k.toLowerCase() === n).flatMap(([, v]) => v);
  return vals.length ? vals.join(',') : undefined; // Envoy joins repeated headers with ','
}

function queryFirst(req: TestRequest, key: string): string | undefined {
  const q = req.path.includes('?') ? req.path.slice(req.path.indexOf('?') + 1) : '';
  for (const part of q.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    if (k === key) return decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1));
  }
  return undefined;
}

function stringMatches(m: any, v: string): boolean {
  const value = m.ignore_case ? v.toLowerCase() : v;
  const lc = (s: string) => (m.ignore_case ? s.toLowerCase() : s);
  if (m.exact !== undefined) return value === lc(m.exact);
  if (m.prefix !== undefined) return value.startsWith(lc(m.prefix));
  if (m.suffix !== undefined) return value.endsWith(lc(m.suffix));
  if (m.contains !== undefined) return value.includes(lc(m.contains));
  if (m.safe_regex) return fullMatch(m.safe_regex.regex, v);
  throw new Error(`unsupported string matcher ${JSON.stringify(m)}`);
}

function headerMatches(h: any, req: TestRequest): boolean {
  let v = headerValue(req, h.name);
  if (v === undefined) {
    if (!h.treat_missing_header_as_empty) return false;
    v = '';
  }
  const r = stringMatches(h.string_match, v);
  return h.invert_match ? !r : r;
}

export function routeMatches(m: any, req: TestRequest): boolean {
  const path = req.path.split('?')[0];
  if (m.prefix !== undefined && !path.startsWith(m.prefix)) return false;
  if (m.path !== undefined && path !== m.path) return false;
  if (m.safe_regex && !fullMatch(m.safe_regex.regex, path)) return false;
  for (const h of m.headers ?? []) if (!headerMatches(h, req)) return false;
  for (const q of m.query_parameters ?? []) {
    const v = queryFirst(req, q.name);
    if (v === undefined || !stringMatches(q.string_match, v)) return false;
  }
  return true;
}

function ipInCidr(ip: string, cidr: { address_prefix: string; prefix_len: number }): boolean {
  const toBits = (a: string): string | undefined => {
    if (a.includes(':')) return undefined; // the tests use IPv4 peers
    return a.split('.').map((x) => Number(x).toString(2).padStart(8, '0')).join('');
  };
  const a = toBits(ip);
  const b = toBits(cidr.address_prefix);
  if (!a || !b) return false;
  return a.slice(0, cidr.prefix_len) === b.slice(0, cidr.prefix_len);
}

function inputValue(input: any, req: TestRequest): string | undefined {
  const t = input.typed_config;
  if (t['@type'].endsWith('HttpRequestHeaderMatchInput')) return headerValue(req, t.header_name);
  if (t['@type'].endsWith('HttpRequestQueryParamMatchInput')) return queryFirst(req, t.query_param);
  if (t['@type'].endsWith('DirectSourceIPInput')) return req.peer;
  throw new Error(`unsupported input ${t['@type']}`);
}

function predicateHolds(p: any, req: TestRequest): boolean {
  if (p.single_predicate) {
    const sp = p.single_predicate;
    const v = inputValue(sp.input, req);
    if (v === undefined) return false;
    if (sp.value_match) return stringMatches(sp.value_match, v);
    const cm = sp.custom_match.typed_config;
    return (cm.cidr_ranges ?? []).some((c: any) => ipInCidr(v, c));
  }
  if (p.and_matcher) return p.and_matcher.predicate.every((x: any) => predicateHolds(x, req));
  if (p.or_matcher) return p.or_matcher.predicate.some((x: any) => predicateHolds(x, req));
  if (p.not_matcher) return !predicateHolds(p.not_matcher, req);
  throw new Error(`unsupported predicate ${JSON.stringify(p)}`);
}

/** The route Envoy picks for the request, or undefined (404). */
export function envoyRoute(rc: any, req: TestRequest): any | undefined {
  const vh = selectVirtualHost(rc, req);
  if (!vh) return undefined;
  if (vh.matcher) {
    for (const fm of vh.matcher.matcher_list.matchers) {
      if (!predicateHolds(fm.predicate, req)) continue;
      const route = fm.on_match.action.typed_config;
      return routeMatches(route.match, req) ? route : undefined;
    }
    return undefined;
  }
  return (vh.routes ?? []).find((r: any) => routeMatches(r.match, req));
}
