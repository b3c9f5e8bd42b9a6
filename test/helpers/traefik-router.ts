// Traefik's own request matching, from traefik-semantics.md §9: every router of the entry point sorted by
// priority (ties by name, the tie-break traefik-xds documents), the first whose rule holds wins.
import { searchRe2 as re2Matches } from './re2-cache';
import type { HttpRouter, RuleLeaf } from '../../src/model/model';
import type { TestRequest } from './envoy-router';

/** Lower-cased, without its port; Host also ignores a trailing dot, HostRegexp sees it. */
function portlessHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[')) h = h.slice(1, h.indexOf(']'));
  else if (h.lastIndexOf(':') >= 0) h = h.slice(0, h.lastIndexOf(':'));
  return h;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  if (ip.includes(':') || net.includes(':')) return false;
  const bits = (a: string) => a.split('.').map((x) => Number(x).toString(2).padStart(8, '0')).join('');
  return bits(ip).slice(0, Number(len)) === bits(net).slice(0, Number(len));
}

function queryValues(req: TestRequest, key: string): string[] {
  const q = req.path.includes('?') ? req.path.slice(req.path.indexOf('?') + 1) : '';
  return q.split('&').filter(Boolean).map((p) => (p.includes('=') ? [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] : [p, '']))
    .filter(([k]) => decodeURIComponent(k) === key).map(([, v]) => decodeURIComponent(v));
}

function headerValues(req: TestRequest, name: string): string[] {
  return Object.entries(req.headers).filter(([k]) => k.toLowerCase() === name.toLowerCase()).flatMap(([, v]) => v);
}

export function leafHolds(leaf: RuleLeaf, req: TestRequest): boolean {
  const raw = portlessHost(req.host);
  const host = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  const path = req.path.split('?')[0];
  switch (leaf.t) {
    case 'host':
      if (leaf.host === '*') return true;
      if (leaf.host.startsWith('*.')) {
        const dot = host.indexOf('.');
        return dot > 0 && host.slice(dot) === leaf.host.slice(1);
      }
      return host === leaf.host;
    case 'hostRegexp': return re2Matches(leaf.re, raw);
    case 'path': return path === leaf.path;
    case 'pathPrefix': return path.startsWith(leaf.prefix);
    case 'pathRegexp': return re2Matches(leaf.re, path);
    case 'method': return req.method === leaf.method;
    case 'header': return headerValues(req, leaf.name).some((v) => v === leaf.value);
    case 'headerRegexp': return headerValues(req, leaf.name).some((v) => re2Matches(leaf.re, v));
    case 'query': return queryValues(req, leaf.name).some((v) => v === leaf.value);
    case 'queryRegexp': return queryValues(req, leaf.name).some((v) => re2Matches(leaf.re, v));
    case 'clientIP': return ipInCidr(req.peer, leaf.cidr);
    default: throw new Error(`not an HTTP leaf: ${leaf.t}`);
  }
}

export function traefikRouter(routers: HttpRouter[], req: TestRequest): HttpRouter | undefined {
  const sorted = [...routers].sort((a, b) => (a.priority !== b.priority ? (a.priority > b.priority ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.find((r) => r.conjuncts.some((c) => c.every((l) => leafHolds(l.leaf, req) !== l.negated)));
}
