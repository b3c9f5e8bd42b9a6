// The middleware framework pieces added for middlewares (2): conditional answers in chain order, service-level
// middlewares on weighted clusters, entry-point middlewares, and credentials redacted in dumps.
import * as assert from 'node:assert/strict';
import { buildHttpRouting } from '../../../src/translate/http/route-config';
import { Diagnostics } from '../../../src/model/diagnostics';
import { parseRule, toDNF, toPredicate } from '../../../src/model/rules';
import { redactSecrets, REDACTED } from '../../../src/cli/output';
import type { HttpRouter, RuleLiteral } from '../../../src/model/model';
import type { ResolvedMiddleware } from '../../../src/model/middlewares';

function mw(name: string, type: string, config: unknown): ResolvedMiddleware {
  return {
    id: `default/${name}`, namespace: 'default', name, type: type as ResolvedMiddleware['type'], config,
    data: type === 'basicAuth' ? { users: ['alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g='] } : {},
    subject: { kind: 'Middleware', namespace: 'default', name }, via: [],
  };
}

function router(middlewares: ResolvedMiddleware[], extra: Partial<HttpRouter> = {}): HttpRouter {
  const rule = 'Host(`app.example.com`)';
  const p = parseRule(rule, { syntax: 'v3', protocol: 'http' });
  if (!p.ok) throw new Error(p.error.message);
  const dnf = toDNF(toPredicate(p.ast));
  if ('tooLarge' in dnf) throw new Error('too large');
  return {
    name: 'r', provenance: { kind: 'IngressRoute', namespace: 'default', name: 'app', field: 'spec.routes[0]', subject: { kind: 'IngressRoute', namespace: 'default', name: 'app' } },
    ingressRoute: { namespace: 'default', name: 'app', routeIndex: 0 }, entryPoints: ['web'], rule,
    conjuncts: dnf.conjuncts as RuleLiteral[][], priority: 10n, middlewares, tlsHosts: [],
    action: { type: 'forward', targets: [{ cluster: 'c', weight: 1, passHostHeader: true }] },
    ...extra,
  } as HttpRouter;
}

const auth = mw('auth', 'basicAuth', { secret: 'users' });
const redirect = mw('redir', 'redirectRegex', { regex: '^http://app\\.example\\.com/old/(.*)', replacement: 'http://app.example.com/new/${1}' });
const allow = mw('allow', 'ipAllowList', { sourceRange: ['10.0.0.0/8'] });

describe('middlewares2/chain: conditional answers, weighted services, entry points', () => {
  it('places a conditional redirect before the forwarding route, with only the earlier filters', () => {
    const r = buildHttpRouting('web/http', [router([allow, redirect, auth])], new Diagnostics(), false, { name: 'web', host: '', port: 80, protocol: 'tcp' });
    const routes = r.routeConfiguration.virtual_hosts![0]!.routes!;
    assert.deepEqual(routes.map((x) => x.name), ['default/app/r0/mw1/get', 'default/app/r0/mw1', 'default/app/r0']);
    assert.deepEqual(Object.keys(routes[0]!.typed_per_filter_config ?? {}), ['traefik.mw.default.allow.rbac']);
    assert.deepEqual(Object.keys(routes[2]!.typed_per_filter_config ?? {}).sort(), ['traefik.mw.default.allow.rbac', 'traefik.mw.default.auth.basic_auth']);
    assert.equal(routes[2]!.route?.cluster, 'c');
  });

  it('enables a weighted service\'s filters on its ClusterWeight, after the router\'s in the HCM', () => {
    const rt = router([auth], {
      action: { type: 'forward', targets: [{ cluster: 'a', weight: 1, passHostHeader: true }, { cluster: 'b', weight: 1, passHostHeader: true, middlewares: [allow] }] },
    });
    const r = buildHttpRouting('web/http', [rt], new Diagnostics());
    assert.deepEqual(r.httpFilters.map((f) => f.name), ['traefik.mw.default.auth.basic_auth', 'traefik.mw.default.allow.rbac']);
    const route = r.routeConfiguration.virtual_hosts![0]!.routes![0]!;
    assert.deepEqual(Object.keys(route.typed_per_filter_config ?? {}), ['traefik.mw.default.auth.basic_auth']);
    const [a, b] = route.route!.weighted_clusters!.clusters!;
    assert.equal(a!.typed_per_filter_config, undefined);
    assert.deepEqual(Object.keys(b!.typed_per_filter_config ?? {}), ['traefik.mw.default.allow.rbac']);
  });

  it('prepends entry-point middlewares on their entry point only, and refuses the router where they failed', () => {
    const rt = router([auth], { entryPointMiddlewares: { web: [allow], broken: { error: 'middleware "x@file" does not exist' } } });
    const web = buildHttpRouting('web/http', [rt], new Diagnostics(), false, { name: 'web', host: '', port: 80, protocol: 'tcp' });
    assert.deepEqual(web.httpFilters.map((f) => f.name), ['traefik.mw.default.allow.rbac', 'traefik.mw.default.auth.basic_auth']);
    const other = buildHttpRouting('other/http', [rt], new Diagnostics(), false, { name: 'other', host: '', port: 81, protocol: 'tcp' });
    assert.deepEqual(other.httpFilters.map((f) => f.name), ['traefik.mw.default.auth.basic_auth']);
    const diags = new Diagnostics();
    const broken = buildHttpRouting('broken/http', [rt], diags, false, { name: 'broken', host: '', port: 82, protocol: 'tcp' });
    assert.equal(broken.routeConfiguration.virtual_hosts?.length ?? 0, 0);
    assert.match(diags.items.find((d) => d.severity === 'error')!.message, /entry point broken cannot be resolved/);
  });

  it('refuses a host check on a header an earlier middleware sets (Envoy matches the original request)', () => {
    const setHeader = mw('set', 'headers', { customRequestHeaders: { 'X-Forwarded-Host': 'app.example.com' } });
    const check = mw('check', 'headers', { allowedHosts: ['app.example.com'], hostsProxyHeaders: ['X-Forwarded-Host'] });
    const diags = new Diagnostics();
    const ctx = { name: 'web', host: '', port: 80, protocol: 'tcp' as const, forwardedHeaders: { insecure: true, trustedIPs: [] } };
    const r = buildHttpRouting('web/http', [router([setHeader, check])], diags, false, ctx);
    assert.equal(r.routeConfiguration.virtual_hosts?.length ?? 0, 0);
    assert.ok(diags.items.some((d) => d.severity === 'error' && /request header x-forwarded-host/.test(d.message)));
  });

  it('redacts basic_auth users in listeners and routes', () => {
    const users = { inline_string: 'alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' };
    const out = redactSecrets({
      listeners: [{ name: 'l', filter_chains: [{ filters: [{ name: 'hcm', typed_config: { http_filters: [{ name: 'b', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.basic_auth.v3.BasicAuth', users } }] } as any }] }] }],
      routes: [{ name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ typed_per_filter_config: { b: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute', users } } }] }] }] as any,
      clusters: [], endpoints: [], secrets: [],
    });
    const text = JSON.stringify(out);
    assert.ok(!text.includes('W6ph5Mm5'), text);
    assert.equal((text.match(new RegExp(REDACTED.replace(/[[\]]/g, '\\$&'), 'g')) ?? []).length, 2);
  });
});
