// What Traefik does with one connection on a TCP entry point (pkg/server/router/tcp/router.go ServeTCP;
// traefik-semantics.md §9.6, traefik-to-envoy.md §8.1), as a function: the reference every Envoy layout
// of the entry point is built from and checked against.
//
// Non-TLS connection: the first plain TCP router (priority order) whose rule matches with no SNI and no ALPN,
// else the HTTP handler. TLS connection: an HTTPS router with a specific host for the SNI, else the first
// TCP TLS router if it is not the catch-all ``HostSNI(`*`)``, else the HTTPS catch-all, else that TCP
// catch-all, else the HTTPS handler (404 with the default certificate).
import { re2Matches } from '../../model/rules/re2';
import { ipAllowed } from './ip-allowlist';
import { inFlightClosesAll } from './inflight-conn';
import { parseAddress, parseCidr, cidrContains } from './ip';
import type { HttpRouter, RuleLeaf, RulePred, TcpRouter } from '../../model/model';

/** A connection as Traefik's TCP muxer sees it: SNI lower-cased ('' = none), ALPN offered, client IP. */
export interface Conn {
  tls: boolean;
  sni: string;
  alpn: string[];
  ip: string;
}

export type Outcome =
  | { k: 'http' }
  /** An HTTPS filter chain of the HTTP translation, by name. */
  | { k: 'https'; chain: string }
  | { k: 'tcp'; router: string }
  | { k: 'close' };

export function outcomeKey(o: Outcome): string {
  switch (o.k) {
    case 'https':
      return `https:${o.chain}`;
    case 'tcp':
      return `tcp:${o.router}`;
    default:
      return o.k;
  }
}

export interface Dispatch {
  entryPoint: string;
  /** Plain TCP routers, in Traefik's order. */
  plainRouters: TcpRouter[];
  /** TLS TCP routers (terminating or passthrough), in Traefik's order. */
  tlsRouters: TcpRouter[];
  /** Hosts of HTTPS routers that select them by SNI (exact or `*.x`). */
  httpsDomains: string[];
  /** Some HTTPS router has no host (Traefik adds a `HostSNI(*)` TLS route for it). */
  httpsCatchAll: boolean;
  /** The HTTPS filter chain Envoy's HTTP translation uses for an SNI; undefined when HTTPS is not served. */
  httpsChainFor: (sni: string) => string | undefined;
}

/** Traefik's order: priority descending; equal priorities by router name (Traefik leaves that order unspecified). */
export function compareRouters(a: TcpRouter, b: TcpRouter): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A value Traefik's `HostSNI` accepts: `^(\*\.)?[[:word:].\-:]+$`. */
export const HOST_SNI_VALUE = /^(\*\.)?[0-9A-Za-z_.\-:]+$/;

/** `HostSNI(host)` semantics once validated: `*` always; else a non-empty SNI equal to host, or one label under `*.x`. */
export function hostSNIMatches(host: string, sni: string): boolean {
  if (host === '*') return true;
  if (sni === '') return false;
  if (host.startsWith('*.')) {
    const dot = sni.indexOf('.');
    return dot > 0 && sni.slice(dot) === host.slice(1);
  }
  return sni === host;
}

const reCache = new Map<string, boolean>();

/** Go's unanchored regexp.MatchString (cached: the RE2 build compiles on every call). */
export function regexpMatches(re: string, s: string): boolean {
  const k = `${re}\u0000${s}`;
  let v = reCache.get(k);
  if (v === undefined) {
    if (reCache.size > 50_000) reCache.clear();
    v = re2Matches(re, s);
    reCache.set(k, v);
  }
  return v;
}

export function cidrHolds(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseAddress(ip);
  return !!c && !!a && cidrContains(c, a);
}

function evalLeaf(l: RuleLeaf, c: Conn): boolean {
  switch (l.t) {
    case 'hostSNI':
      return hostSNIMatches(l.host, c.sni);
    case 'hostSNIRegexp':
      return regexpMatches(l.re, c.sni);
    case 'clientIP':
      return cidrHolds(l.cidr, c.ip);
    case 'alpn':
      return c.alpn.includes(l.protocol);
    default:
      return false; // HTTP matchers never appear in TCP rules
  }
}

export function evalPred(p: RulePred, c: Conn): boolean {
  switch (p.t) {
    case 'and':
      return p.items.every((x) => evalPred(x, c));
    case 'or':
      return p.items.some((x) => evalPred(x, c));
    case 'not':
      return !evalLeaf(p.item, c);
    default:
      return evalLeaf(p, c);
  }
}

/** What a router that won the connection does with it (its middlewares included). */
export function routerOutcome(r: TcpRouter, ip: string): Outcome {
  if (r.action.type === 'close') return { k: 'close' };
  for (const m of r.middlewares) {
    if (m.type === 'ipAllowList' && !ipAllowed(m, ip)) return { k: 'close' };
    if (m.type === 'inFlightConn' && inFlightClosesAll(m)) return { k: 'close' };
  }
  return { k: 'tcp', router: r.name };
}

export interface DispatchResult {
  outcome: Outcome;
  /** The TCP router that took the connection, if one did. */
  winner?: TcpRouter;
}

function httpsSpecific(d: Dispatch, sni: string): boolean {
  return sni !== '' && d.httpsDomains.some((h) => hostSNIMatches(h, sni));
}

/** Traefik's ServeTCP for one connection (ACME TLS-ALPN and Postgres STARTTLS aside). */
export function traefikDispatch(d: Dispatch, c: Conn): DispatchResult {
  if (!c.tls) {
    const plain: Conn = { tls: false, sni: '', alpn: [], ip: c.ip };
    const r = d.plainRouters.find((x) => evalPred(x.pred, plain));
    return r ? { outcome: routerOutcome(r, c.ip), winner: r } : { outcome: { k: 'http' } };
  }
  const https = (sni: string): Outcome => {
    const chain = d.httpsChainFor(sni);
    return chain ? { k: 'https', chain } : { k: 'close' };
  };
  if (httpsSpecific(d, c.sni) && d.httpsChainFor(c.sni)) return { outcome: https(c.sni) };
  const r = d.tlsRouters.find((x) => evalPred(x.pred, c));
  if (r && !r.catchAll) return { outcome: routerOutcome(r, c.ip), winner: r };
  if (d.httpsCatchAll && d.httpsChainFor(c.sni)) return { outcome: https(c.sni) };
  if (r) return { outcome: routerOutcome(r, c.ip), winner: r };
  // Traefik answers with its HTTPS handler (a 404 with the default certificate) when it has one.
  return { outcome: https(c.sni) };
}

/** The hosts HTTPS routers bind TLS to (Traefik's ParseDomains: every Host value, negated ones too). */
export function httpsDomainsOf(routers: HttpRouter[]): { domains: string[]; catchAll: boolean } {
  const domains = new Set<string>();
  let catchAll = false;
  for (const r of routers) {
    const hosts = new Set<string>();
    for (const conj of r.conjuncts) {
      for (const l of conj) {
        const leaf = l.leaf;
        if (leaf.t === 'host') hosts.add(leaf.host.toLowerCase());
        else if (leaf.t === 'hostRegexp' && leaf.fromHost !== undefined) hosts.add(leaf.fromHost.toLowerCase());
      }
    }
    if (hosts.size === 0) catchAll = true;
    for (const h of hosts) {
      if (h === '*') catchAll = true;
      else if (HOST_SNI_VALUE.test(h)) domains.add(h.replace(/\.$/, ''));
    }
  }
  return { domains: [...domains].sort(), catchAll };
}
