// Differential test of HTTP routing fidelity: for many requests, the route Envoy would pick in our translated
// RouteConfiguration (a model of Envoy's documented matching, test/helpers/envoy-router.ts) must belong to
// the router Traefik would pick (test/helpers/traefik-router.ts), or both must answer 404.
import * as assert from 'node:assert/strict';
import { buildRouteConfiguration } from '../../../src/translate/http/route-config';
import { Diagnostics } from '../../../src/model/diagnostics';
import { parseRule, toDNF, toPredicate, defaultPriority } from '../../../src/model/rules';
import { canonicalize } from '../../../src/envoy/json';
import { envoyRoute, type TestRequest } from '../../helpers/envoy-router';
import { traefikRouter } from '../../helpers/traefik-router';
import type { HttpRouter, RuleLiteral } from '../../../src/model/model';

function router(name: string, rule: string, opts: { priority?: number; syntax?: 'v2' | 'v3' } = {}): HttpRouter {
  const p = parseRule(rule, { syntax: opts.syntax ?? 'v3', protocol: 'http' });
  if (!p.ok) throw new Error(`${rule}: ${p.error.message}`);
  const dnf = toDNF(toPredicate(p.ast));
  if ('tooLarge' in dnf) throw new Error('too large');
  return {
    name,
    provenance: { kind: 'IngressRoute', namespace: 'd', name, field: 'spec.routes[0]', subject: { kind: 'IngressRoute', namespace: 'd', name } },
    ingressRoute: { namespace: 'd', name, routeIndex: 0 },
    entryPoints: ['web'],
    rule,
    conjuncts: dnf.conjuncts as RuleLiteral[][],
    priority: BigInt(opts.priority ?? defaultPriority(rule, 'http')),
    middlewares: [],
    tlsHosts: [],
    action: { type: 'forward', targets: [{ cluster: `c-${name}`, weight: 1, passHostHeader: true }] },
  };
}

const HOSTS = ['a.example.com', 'A.Example.COM:8080', 'a.example.com.', 'b.example.com', 'x.example.com', 'x.y.example.com',
  'example.com', 'other.org', 'api.other.org:443', 'API.other.org', '10.0.0.5'];
const PATHS = ['/', '/api', '/api/v1/users', '/apix', '/admin', '/x', '/x?debug', '/x?debug=1', '/static/app.js',
  '/users/42', '/users/abc', '/internal/z', '/v1/7/items'];
const METHODS = ['GET', 'POST'];
const HEADERS: Record<string, string[]>[] = [{}, { 'X-Tenant': ['acme'] }, { 'x-debug': ['1'] }];
const PEERS = ['10.1.2.3', '192.168.1.1', '203.0.113.9'];

function* requests(): Generator<TestRequest> {
  for (const host of HOSTS) for (const path of PATHS) for (const method of METHODS) for (const headers of HEADERS) for (const peer of PEERS) {
    yield { host, path, method, headers, peer };
  }
}

function check(routers: HttpRouter[]): number {
  const d = new Diagnostics();
  const rc = canonicalize('envoy.config.route.v3.RouteConfiguration', buildRouteConfiguration('web/http', routers, d));
  assert.ok(!d.hasErrors(), JSON.stringify(d.items));
  let n = 0;
  for (const req of requests()) {
    const want = traefikRouter(routers, req)?.name;
    const got = envoyRoute(rc, req)?.name?.split('/')[1];
    assert.equal(got, want, `request ${JSON.stringify(req)}: Envoy picks ${got ?? '404'}, Traefik ${want ?? '404'}`);
    n++;
  }
  return n;
}

describe('translate: Envoy picks the router Traefik picks (differential, thousands of requests)', function () {
  this.timeout(60000);

  it('hosts, host-less rules and priorities across virtual hosts', () => {
    check([
      router('host-a', 'Host(`a.example.com`)'),
      router('host-a-api', 'Host(`a.example.com`) && PathPrefix(`/api`)'),
      router('api-anywhere', 'PathPrefix(`/api/v1`)'),
      router('static', 'PathPrefix(`/static`)', { priority: 1 }),
      router('other', 'Host(`other.org`) || Host(`api.other.org`)'),
    ]);
  });

  it('one-label wildcards, Host(`*`) and HostRegexp (case, ports, trailing dots)', () => {
    check([
      router('wild', 'Host(`*.example.com`)'),
      router('exact-x', 'Host(`x.example.com`) && Path(`/x`)'),
      router('regexp', 'HostRegexp(`^api\\.other\\.org$`)'),
      router('star-admin', 'Host(`*`) && Path(`/admin`)'),
    ]);
  });

  it('negations pushed to the leaves, methods, headers and queries', () => {
    check([
      router('not-post', 'Host(`a.example.com`) && !(Method(`POST`) || Header(`X-Debug`, `1`))'),
      router('tenant', 'Header(`X-Tenant`, `acme`) && PathPrefix(`/api`)'),
      router('debug-flag', 'Path(`/x`) && Query(`debug`)'),
      router('debug-one', 'Path(`/x`) && Query(`debug`, `1`)'),
      router('not-other', '!Host(`other.org`) && PathPrefix(`/users`)'),
    ]);
  });

  it('regexes are unanchored as in Go, v2 templates are anchored as in gorilla/mux', () => {
    check([
      router('php', 'PathRegexp(`\\.js$`)'),
      router('users-num', 'PathRegexp(`^/users/[0-9]+$`)'),
      router('v2-template', 'PathPrefix(`/v1/{id:[0-9]+}`)', { syntax: 'v2' }),
      router('v2-hosts', 'Host(`b.example.com`, `example.com`)', { syntax: 'v2' }),
      router('v2-hostregexp', 'HostRegexp(`{sub:[a-z]+}.example.com`)', { syntax: 'v2' }),
    ]);
  });

  it('ClientIP and negated Query through the generic matcher', () => {
    check([
      router('internal', 'ClientIP(`10.0.0.0/8`) && PathPrefix(`/internal`)'),
      router('not-private', '!ClientIP(`192.168.0.0/16`) && Host(`a.example.com`)'),
      router('no-debug', 'Path(`/x`) && !Query(`debug`)'),
      router('everything', 'PathPrefix(`/`)', { priority: 1 }),
    ]);
  });
});
