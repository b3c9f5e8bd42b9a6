// Sticky cookies (traefik-semantics.md §11.2, traefik-to-envoy.md §5.3).
//
// WRR level (`weighted.sticky.cookie`, pins a child service). The bundled Envoy API has no
// `WeightedCluster.use_hash_policy`, and a hash would not reproduce Traefik's pinning anyway. So traefik-xds
// writes Traefik's own cookie: every weighted branch adds the `Set-Cookie` Traefik would write for the child
// it stands for (ClusterWeight.response_headers_to_add, Go's attribute order, value = 16 hex of
// sha256(child name)), and for each child an earlier route matches that cookie value (a `cookie` header
// regex) and forwards to that child only, without writing the cookie again, as Traefik does. Nested sticky
// levels multiply these routes; past MAX_COOKIE_ROUTES the innermost levels lose their stickiness (warning).
//
// Server level (`sticky.cookie` on a Kubernetes Service reference, pins a server): Envoy's stateful session
// filter with a cookie session state, per route or per weighted branch, non-strict (a cookie naming a server
// that is gone is ignored and rewritten, as Traefik does). Its cookie is Envoy's (the server address), with
// only name, path and ttl settable in the bundled API: the other attributes are approximations.
import { T } from '../type-urls';
import { stickyCookieValue } from '../../model/sticky-cookies';
import type { HeaderMatcher, HeaderValueOption, HttpFilter } from '../../envoy/types';
import type { ServiceNode, StickyCookie, WeightedChild, WeightedNode } from '../../model/model';
import type { Pins } from './service-tree';
import type { DiagnosticSubject } from '../../model/diagnostics';

/** The HCM filter instance of server-level stickiness (disabled by default, enabled per route). */
export const STICKY_FILTER = 'traefik.sticky.stateful_session';

const STATEFUL_SESSION = 'type.googleapis.com/envoy.extensions.filters.http.stateful_session.v3.StatefulSession';
const STATEFUL_SESSION_PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.stateful_session.v3.StatefulSessionPerRoute';
const COOKIE_SESSION_STATE = 'type.googleapis.com/envoy.extensions.http.stateful_session.cookie.v3.CookieBasedSessionState';
const FILTER_CONFIG = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

/** Cookie routes (all cookie states but "no valid cookie") allowed per Traefik route before stickiness is cut. */
export const MAX_COOKIE_ROUTES = 32;

/** A note on a model object: how the translation differs from Traefik (reported as a warning). */
export interface ServiceNote {
  subject: DiagnosticSubject;
  field?: string;
  message: string;
}

// ---------------------------------------------------------------------------------------- WRR level

/** The Set-Cookie header value Go's http.Cookie.String() writes for this cookie. */
export function setCookieHeader(c: StickyCookie, value: string): string {
  let s = `${c.name}=${value}`;
  if (c.path) s += `; Path=${c.path}`;
  if (c.domain) s += `; Domain=${c.domain}`;
  if (c.maxAge > 0) s += `; Max-Age=${c.maxAge}`;
  else if (c.maxAge < 0) s += '; Max-Age=0';
  if (c.httpOnly) s += '; HttpOnly';
  if (c.secure) s += '; Secure';
  if (c.sameSite) s += `; SameSite=${c.sameSite[0].toUpperCase()}${c.sameSite.slice(1)}`;
  return s;
}

export function setCookieOption(c: StickyCookie, value: string): HeaderValueOption {
  return { header: { key: 'set-cookie', value: setCookieHeader(c, value) }, append_action: 'APPEND_IF_EXISTS_OR_ADD' } as HeaderValueOption;
}

function escapeRe(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`);
}

/**
 * Matches a request whose Cookie header carries `name=value` as Go reads it (pairs split on `;`, blanks
 * trimmed, the value possibly in double quotes). Envoy joins several Cookie headers with `; `.
 */
export function cookieMatcher(name: string, value: string): HeaderMatcher {
  const n = escapeRe(name);
  return {
    name: 'cookie',
    string_match: { safe_regex: { regex: `(?:.*;)?[ \\t]*${n}[ \\t]*=[ \\t]*(?:${value}|"${value}")[ \\t]*(?:;.*)?` } },
  } as HeaderMatcher;
}

/** The sticky WRR levels of a tree in pre-order (each once), with their depth. Mirror targets are not walked. */
export function stickyLevels(root: ServiceNode): { node: WeightedNode; depth: number }[] {
  const out: { node: WeightedNode; depth: number }[] = [];
  const seen = new Set<ServiceNode>();
  const walk = (n: ServiceNode, depth: number): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.type === 'weighted') {
      if (n.sticky && n.children.length) out.push({ node: n, depth });
      for (const c of n.children) walk(c.node, depth + 1);
    } else if (n.type === 'mirroring') walk(n.main, depth + 1);
  };
  walk(root, 0);
  return out;
}

class TooManyStates extends Error {}

/**
 * Every cookie state a request can be in: for each sticky level it reaches, pinned to one child by a valid
 * cookie, or not pinned. Sorted so that, matched in order, the first state whose cookies a request carries
 * is the one Traefik would follow (levels in pre-order, pinned before unpinned): the empty state is last.
 * Throws TooManyStates past `cap`.
 */
function cookieStates(root: ServiceNode, unsticky: Set<WeightedNode>, cap: number): Pins[] {
  const levels = stickyLevels(root).map((l) => l.node).filter((n) => !unsticky.has(n));
  const keyOf = (p: Pins) => levels.map((n) => (p.has(n) ? n.children.indexOf(p.get(n)!) : -1)).join(',');
  const merge = (a: Pins, b: Pins): Pins | undefined => {
    const out = new Map(a);
    for (const [n, c] of b) {
      const prev = out.get(n);
      if (prev && prev !== c) return undefined; // one cookie cannot pin one level to two children
      out.set(n, c);
    }
    return out;
  };
  const dedupe = (list: Pins[]): Pins[] => {
    const seen = new Set<string>();
    const out = list.filter((p) => {
      const k = keyOf(p);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (out.length > cap) throw new TooManyStates();
    return out;
  };
  const product = (lists: Pins[][]): Pins[] => {
    let acc: Pins[] = [new Map()];
    for (const list of lists) {
      const next: Pins[] = [];
      for (const a of acc) for (const b of list) {
        const m = merge(a, b);
        if (m) next.push(m);
      }
      acc = dedupe(next);
    }
    return acc;
  };
  const states = (n: ServiceNode): Pins[] => {
    if (n.type === 'upstream') return [new Map()];
    if (n.type === 'mirroring') return states(n.main);
    const free = product(n.children.map((c) => states(c.node)));
    if (!n.sticky || !n.children.length || unsticky.has(n)) return free;
    const pinned: Pins[] = [];
    for (const c of n.children as WeightedChild[]) {
      for (const s of states(c.node)) {
        const m = merge(s, new Map([[n, c]]));
        if (m) pinned.push(m);
      }
    }
    return dedupe([...pinned, ...free]);
  };
  const all = states(root);
  const rank = (p: Pins) => levels.map((n) => (p.has(n) ? n.children.indexOf(p.get(n)!) : Number.MAX_SAFE_INTEGER));
  return all.sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return 0;
  });
}

/**
 * The cookie states of a route, most specific first (the last one has no pin). When there would be more than
 * MAX_COOKIE_ROUTES + 1, the innermost sticky levels are balanced without their cookie: they are returned in
 * `unsticky` (each deserves a warning).
 */
export function stickyStates(root: ServiceNode): { states: Pins[]; unsticky: Set<WeightedNode> } {
  const unsticky = new Set<WeightedNode>();
  const levels = stickyLevels(root).sort((a, b) => b.depth - a.depth);
  for (;;) {
    try {
      return { states: cookieStates(root, unsticky, MAX_COOKIE_ROUTES + 1), unsticky };
    } catch (e) {
      if (!(e instanceof TooManyStates)) throw e;
      const next = levels.find((l) => !unsticky.has(l.node));
      if (!next) throw e;
      unsticky.add(next.node);
    }
  }
}

/** The cookie matchers of a state, outermost level first. */
export function stateMatchers(root: ServiceNode, pins: Pins): HeaderMatcher[] {
  return stickyLevels(root)
    .filter((l) => pins.has(l.node))
    .map((l) => cookieMatcher(l.node.sticky!.name, stickyCookieValue(pins.get(l.node)!.name)));
}

// ---------------------------------------------------------------------------------------- server level

/** The disabled-by-default HCM filter; routes enable it with their cookie. */
export function statefulSessionFilter(): HttpFilter {
  return { name: STICKY_FILTER, typed_config: { '@type': STATEFUL_SESSION }, disabled: true } as HttpFilter;
}

/**
 * The per-route (or per weighted branch) config that pins requests to a server with this cookie, or
 * undefined when Traefik's cookie never pins anything (negative maxAge: it expires at once).
 */
export function statefulSessionPerRoute(c: StickyCookie): { '@type': string; [k: string]: unknown } | undefined {
  if (c.maxAge < 0) return undefined;
  const cookie: Record<string, unknown> = { name: c.name };
  if (c.maxAge > 0) cookie.ttl = `${c.maxAge}s`;
  if (c.path) cookie.path = c.path;
  return {
    '@type': STATEFUL_SESSION_PER_ROUTE,
    stateful_session: {
      session_state: { name: 'envoy.http.stateful_session.cookie', typed_config: { '@type': COOKIE_SESSION_STATE, cookie } },
    },
  };
}

/** Enables the filter on a route whose weighted branches carry their own session configs (the others: none). */
export function statefulSessionEnabled(): { '@type': string; [k: string]: unknown } {
  return { '@type': FILTER_CONFIG, config: {} };
}

/** How Envoy's server-level stickiness differs from Traefik's for this cookie. */
export function serverStickyNotes(c: StickyCookie): ServiceNote[] {
  const subject = c.provenance.subject;
  const at = (f: string) => `${c.provenance.field}.${f}`;
  const out: ServiceNote[] = [];
  if (c.maxAge < 0) {
    out.push({ subject, field: at('maxAge'), message: 'approximated: a negative maxAge makes Traefik\'s cookie expire at once, so no request is ever pinned; Envoy pins none either, but sets no cookie' });
    return out;
  }
  out.push({ subject, field: c.provenance.field, message: 'approximated: Envoy pins the server with its own stateful-session cookie, whose value is the server address (base64) instead of Traefik\'s hash: sessions pinned by Traefik are balanced again once' });
  if (!c.httpOnly) out.push({ subject, field: at('httpOnly'), message: 'approximated: httpOnly false cannot be expressed: Envoy always marks its session cookie HttpOnly' });
  const lost: string[] = [];
  if (c.secure) lost.push('Secure');
  if (c.sameSite) lost.push(`SameSite=${c.sameSite}`);
  if (c.domain) lost.push(`Domain=${c.domain}`);
  if (lost.length) {
    out.push({ subject, field: at(c.secure ? 'secure' : c.sameSite ? 'sameSite' : 'domain'), message: `approximated: the bundled Envoy API sets only the name, path and max age of a stateful-session cookie: it is sent without ${lost.join(', ')}` });
  }
  if (c.path !== '/') {
    out.push({ subject, field: at('path'), message: `approximated: Envoy reads and sets its session cookie only on requests under the cookie path "${c.path}" (browsers only send it there; Traefik also sets it on other paths)` });
  }
  return out;
}

/** Notes every sticky cookie gets, whatever its level (Traefik behaviour traefik-xds reproduces as Go does). */
export function cookieNotes(c: StickyCookie): ServiceNote[] {
  if (!c.droppedDomain) return [];
  return [{ subject: c.provenance.subject, field: `${c.provenance.field}.domain`, message: `cookie domain "${c.droppedDomain}" is not a valid domain: the cookie is sent without a Domain attribute, as Traefik (Go) does` }];
}
