import * as assert from 'node:assert/strict';
import { buildRouteConfiguration } from '../../../src/translate/http/route-config';
import { Diagnostics } from '../../../src/model/diagnostics';
import { parseRule, toDNF, toPredicate } from '../../../src/model/rules';
import type { HttpRouter, RuleLiteral } from '../../../src/model/model';

function router(name: string, rule: string, priority?: number): HttpRouter {
  const p = parseRule(rule, { syntax: 'v3', protocol: 'http' });
  if (!p.ok) throw new Error(p.error.message);
  const dnf = toDNF(toPredicate(p.ast));
  if ('tooLarge' in dnf) throw new Error('too large');
  return {
    name,
    provenance: { kind: 'IngressRoute', namespace: 'default', name, field: 'spec.routes[0]', subject: { kind: 'IngressRoute', namespace: 'default', name } },
    ingressRoute: { namespace: 'default', name, routeIndex: 0 },
    entryPoints: ['web'],
    rule,
    conjuncts: dnf.conjuncts as RuleLiteral[][],
    priority: BigInt(priority ?? Buffer.byteLength(rule)),
    middlewares: [],
    tlsHosts: [],
    action: { type: 'forward', targets: [{ cluster: `c-${name}`, weight: 1, passHostHeader: true }] },
  };
}

function routesOf(rc: ReturnType<typeof buildRouteConfiguration>): Record<string, string[]> {
  return Object.fromEntries((rc.virtual_hosts ?? []).map((vh) => [vh.name!, (vh.routes ?? []).map((r) => r.route!.cluster!)]));
}

describe('translate/route-config: Traefik priority across Envoy virtual hosts (traefik-to-envoy.md §2.2)', () => {
  it('copies a host-less router into every virtual host at its priority position', () => {
    const rc = buildRouteConfiguration('web/http', [
      router('a', 'Host(`a.example.com`)'),
      router('b', 'Host(`b.example.com`) && PathPrefix(`/b`)'),
      router('all', 'PathPrefix(`/x`)', 1000),
    ], new Diagnostics());
    assert.deepEqual(routesOf(rc), {
      'a.example.com': ['c-all', 'c-a'],
      'b.example.com': ['c-all', 'c-b'],
      '*': ['c-all'],
    });
  });

  it('orders by priority, then by router name for ties', () => {
    const rc = buildRouteConfiguration('web/http', [
      router('zz', 'Host(`a.example.com`) && Path(`/1`)'),
      router('aa', 'Host(`a.example.com`) && Path(`/2`)'),
      router('low', 'Host(`a.example.com`) && Path(`/3`)', 1),
    ], new Diagnostics());
    assert.deepEqual(routesOf(rc)['a.example.com'], ['c-aa', 'c-zz', 'c-low']);
  });

  it('never emits the same domain in two virtual hosts, and at most one "*"', () => {
    const rc = buildRouteConfiguration('web/http', [
      router('a', 'Host(`A.example.com`)'),
      router('b', 'Host(`a.example.com`) && Path(`/b`)'),
      router('c', 'PathPrefix(`/c`)'),
      router('d', 'HostRegexp(`.*`)'),
    ], new Diagnostics());
    const domains = (rc.virtual_hosts ?? []).flatMap((v) => v.domains ?? []);
    assert.equal(new Set(domains).size, domains.length);
    assert.equal(domains.filter((d) => d === '*').length, 1);
  });

  it('keeps a one-label wildcard exact with an :authority guard and copies it into the exact hosts it covers', () => {
    const rc = buildRouteConfiguration('web/http', [
      router('w', 'Host(`*.example.com`)'),
      router('e', 'Host(`x.example.com`) && Path(`/e`)'),
      router('deep', 'Host(`a.b.example.com`) && Path(`/deep`)'),
    ], new Diagnostics());
    const r = routesOf(rc);
    assert.deepEqual(r['x.example.com'], ['c-e', 'c-w']);
    assert.deepEqual(r['a.b.example.com'], ['c-deep'], 'a.b.example.com is two labels deep: the wildcard does not cover it');
    const wild = rc.virtual_hosts!.find((v) => v.name === '*.example.com')!;
    assert.equal(wild.routes![0].match!.headers![0].name, ':authority');
  });

  it('drops conjuncts that can never match and skips an exact host a negation excludes', () => {
    const rc = buildRouteConfiguration('web/http', [
      router('a', 'Host(`a.example.com`)'),
      router('not-a', '!Host(`a.example.com`) && PathPrefix(`/n`)'),
    ], new Diagnostics());
    const r = routesOf(rc);
    assert.deepEqual(r['a.example.com'], ['c-a']);
    assert.deepEqual(r['*'], ['c-not-a']);
  });

  it('expresses ClientIP with the generic matcher, in priority order, only in the virtual hosts that need it', () => {
    const d = new Diagnostics();
    const rc = buildRouteConfiguration('web/http', [
      router('ip', 'ClientIP(`10.0.0.0/8`) && PathPrefix(`/internal`)'),
      router('ok', 'PathPrefix(`/`)'),
      router('host', 'Host(`a.example.com`)'),
    ], d);
    const star = rc.virtual_hosts!.find((v) => v.name === '*') as any;
    assert.equal(star.routes, undefined);
    const actions = star.matcher.matcher_list.matchers.map((m: any) => m.on_match.action.typed_config.route.cluster);
    assert.deepEqual(actions, ['c-ip', 'c-ok']);
    assert.ok(JSON.stringify(star.matcher.matcher_list.matchers[0].predicate).includes('10.0.0.0'));
    const a = rc.virtual_hosts!.find((v) => v.name === 'a.example.com') as any;
    assert.ok(a.matcher, 'the host-less ClientIP router is copied into a.example.com, which then needs the matcher too');
    assert.ok(!d.hasErrors());
  });
});
