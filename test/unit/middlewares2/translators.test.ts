// ForwardAuth, Errors, Headers CORS / host checks and IPAllowList strategies: the translators' decisions.
import * as assert from 'node:assert/strict';
import { translateForwardAuth } from '../../../src/translate/http/middlewares/forward-auth';
import { translateErrors, ERROR_PAGE_HEADER } from '../../../src/translate/http/middlewares/errors';
import { translateHeaders } from '../../../src/translate/http/middlewares/headers';
import { translateIPAllowList } from '../../../src/translate/http/middlewares/ip-allow-list';
import { parseForwardAuthAddress, type ForwardAuthAddress } from '../../../src/model/forward-auth';
import { fullMatchRe2 } from '../../helpers/re2-cache';
import type { MiddlewareData, ResolvedMiddleware } from '../../../src/model/middlewares';
import type { MiddlewareOutput, MiddlewareTranslateContext } from '../../../src/translate/http/middlewares/types';
import type { HeaderMatcher } from '../../../src/envoy/types';

function mw(type: string, config: unknown, data: MiddlewareData = {}): ResolvedMiddleware {
  return {
    id: 'default/m', namespace: 'default', name: 'm', type: type as ResolvedMiddleware['type'], config, data,
    subject: { kind: 'Middleware', namespace: 'default', name: 'm' }, via: [],
  };
}

const plain: MiddlewareTranslateContext = { tls: false, entryPoint: { name: 'web' } };
const errors = (o: MiddlewareOutput) => o.issues.filter((i) => i.severity === 'error').map((i) => i.message);

function faData(address: string, appendPath = false): MiddlewareData {
  const a = parseForwardAuthAddress(address) as ForwardAuthAddress;
  return { forwardAuth: { cluster: 'auth', address: a, appendPath } };
}

describe('middlewares2/forwardAuth', () => {
  it('parses the address as Go does (default ports, path kept as written)', () => {
    assert.deepEqual(parseForwardAuthAddress('http://auth:4181'), { scheme: 'http', host: 'auth', port: 4181, path: '', query: '', hostIsIP: false });
    assert.deepEqual(parseForwardAuthAddress('https://[2001:db8::1]/v?x=1'), { scheme: 'https', host: '2001:db8::1', port: 443, path: '/v', query: 'x=1', hostIsIP: true });
    assert.match((parseForwardAuthAddress('ftp://x') as { error: string }).error, /unsupported protocol scheme/);
  });

  it('translates a root address to an ext_authz HTTP service with Traefik\'s X-Forwarded-* headers', () => {
    const out = translateForwardAuth(mw('forwardAuth', { address: 'http://auth:4181' }, faData('http://auth:4181')), plain);
    assert.deepEqual(errors(out), []);
    const authz = out.filters!.at(-1)!.typedConfig as any;
    assert.equal(authz.http_service.server_uri.cluster, 'auth');
    assert.equal(authz.http_service.path_prefix, undefined);
    const keys = authz.http_service.authorization_request.headers_to_add.map((h: { key: string }) => h.key);
    assert.deepEqual(keys, ['X-Forwarded-For', 'X-Forwarded-Method', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-Uri', 'X-Forwarded-Port', 'X-Real-Ip', 'X-Forwarded-Server']);
    // Untrusted entry point: the client's X-Forwarded-* never reach the auth server.
    assert.ok(authz.disallowed_headers.patterns.some((p: { exact: string }) => p.exact === 'x-forwarded-for'));
    assert.deepEqual(authz.status_on_error, { code: 'InternalServerError' });
  });

  it('refuses a fixed verify path unless the Middleware opts in, and never sends a query', () => {
    const fixed = translateForwardAuth(mw('forwardAuth', { address: 'http://a/api/verify' }, faData('http://a/api/verify')), plain);
    assert.match(errors(fixed)[0]!, /cannot call the fixed URL/);
    const opted = translateForwardAuth(mw('forwardAuth', { address: 'http://a/api/authz/ext-authz/' }, faData('http://a/api/authz/ext-authz/', true)), plain);
    assert.deepEqual(errors(opted), []);
    assert.equal((opted.filters!.at(-1)!.typedConfig as any).http_service.path_prefix, '/api/authz/ext-authz');
    const query = translateForwardAuth(mw('forwardAuth', { address: 'http://a/?x=1' }, faData('http://a/?x=1', true)), plain);
    assert.match(errors(query)[0]!, /query string/);
  });

  it('puts the signin policy and the header stripping before ext_authz', () => {
    const out = translateForwardAuth(mw('forwardAuth', { address: 'http://a', authSigninURL: 'https://l/', authResponseHeaders: ['X-User'] }, faData('http://a')), plain);
    assert.deepEqual(out.filters!.map((f) => f.kind), ['signin', 'strip', 'ext_authz']);
    assert.deepEqual((out.filters![1]!.typedConfig as any).mutations.request_mutations, [{ remove: 'x-user' }]);
  });

  it('keeps the client\'s X-Forwarded-* from a trusted entry point with trustForwardHeader', () => {
    const ctx: MiddlewareTranslateContext = { tls: true, entryPoint: { name: 'web', forwardedHeaders: { insecure: true, trustedIPs: [] } } };
    const out = translateForwardAuth(mw('forwardAuth', { address: 'http://a', trustForwardHeader: true }, faData('http://a')), ctx);
    const authz = out.filters!.at(-1)!.typedConfig as any;
    assert.equal(authz.disallowed_headers, undefined);
    const add = Object.fromEntries(authz.http_service.authorization_request.headers_to_add.map((h: { key: string; value: string }) => [h.key, h.value]));
    assert.equal(add['X-Forwarded-For'], '%REQ(X-FORWARDED-FOR)%');
    assert.equal(add['X-Forwarded-Proto'], 'https');
  });
});

describe('middlewares2/errors', () => {
  const data: MiddlewareData = { errorService: { cluster: 'pages', passHostHeader: true } };
  it('redirects each caught status to its page with the (rewritten) status, 1xx never caught', () => {
    const out = translateErrors(mw('errors', { status: ['100-101', '500-502'], statusRewrites: { '502': 503 }, query: '{status}-{originalStatus}.html' }, data), plain);
    assert.deepEqual(errors(out), []);
    const map = (out.filter!.typedConfig as any).custom_response_matcher.matcher_tree.exact_match_map.map;
    assert.deepEqual(Object.keys(map), ['500', '501', '502']);
    const p502 = map['502'].action.typed_config;
    assert.deepEqual(p502.redirect_action, { path_redirect: '/503-502.html', strip_query: true });
    assert.equal(p502.status_code, 503);
    const extra = out.route!.extraRoutes![0]!;
    assert.deepEqual(extra.match.headers, [{ name: ERROR_PAGE_HEADER, string_match: { exact: 'default/m' } }]);
    assert.deepEqual(extra.enableFilterKinds, ['custom_response']);
  });

  it('refuses a fragment in the query and a rewrite to a status Envoy cannot return', () => {
    assert.match(errors(translateErrors(mw('errors', { status: ['500'], query: '/e#x' }, data), plain))[0]!, /fragment/);
    assert.match(errors(translateErrors(mw('errors', { status: ['500'], statusRewrites: { '500': 101 } }, data), plain))[0]!, /cannot be returned/);
  });
});

function matches(h: HeaderMatcher, headers: Record<string, string>): boolean {
  let v = headers[h.name!];
  if (v === undefined && h.treat_missing_header_as_empty) v = '';
  if (v === undefined) return false;
  const ok = h.string_match!.exact !== undefined ? v === h.string_match!.exact : fullMatchRe2(h.string_match!.safe_regex!.regex!, v);
  return h.invert_match ? !ok : ok;
}

describe('middlewares2/headers: CORS and host checks', () => {
  it('gives CORS its own filter with a per-route CorsPolicy that answers every preflight', () => {
    const out = translateHeaders(mw('headers', { accessControlAllowOriginList: ['https://a.example'], accessControlAllowCredentials: true, accessControlExposeHeaders: ['*'] }), plain);
    const policy = (out.filter!.perRoute as any).config;
    assert.deepEqual(policy.allow_origin_string_match, [{ exact: 'https://a.example' }]);
    assert.equal(policy.allow_credentials, true);
    assert.equal(policy.expose_headers, undefined); // "*" with credentials: Traefik sends none
    assert.equal(policy.forward_not_matching_preflights, false);
  });

  it('rejects exactly the hosts unrolled/secure rejects (first non-empty proxy header, else Host)', () => {
    const ctx: MiddlewareTranslateContext = { tls: false, entryPoint: { name: 'web', forwardedHeaders: { insecure: true, trustedIPs: [] } } };
    const out = translateHeaders(mw('headers', { allowedHosts: ['a.example', 'B.example:8080'], hostsProxyHeaders: ['X-Forwarded-Host', 'X-Host'] }), ctx);
    const when = out.route!.directResponse!.when;
    const allowed = ['a.example', 'b.example:8080'];
    const traefikRejects = (h: Record<string, string>) => {
      const host = (h['x-forwarded-host'] || h['x-host'] || h[':authority'])!;
      return !allowed.includes(host.toLowerCase());
    };
    const values = [undefined, '', 'a.example', 'A.EXAMPLE', 'evil.example', 'b.example:8080', 'b.example'];
    for (const xfh of values) for (const xh of values) for (const auth of ['a.example', 'evil.example', 'B.Example:8080']) {
      const h: Record<string, string> = { ':authority': auth };
      if (xfh !== undefined) h['x-forwarded-host'] = xfh;
      if (xh !== undefined) h['x-host'] = xh;
      const envoyRejects = when.some((alt) => alt.every((m) => matches(m, h)));
      assert.equal(envoyRejects, traefikRejects(h), JSON.stringify(h));
    }
  });

  it('checks Host itself when X-Forwarded-Host comes from an untrusted peer (Traefik replaced it)', () => {
    const out = translateHeaders(mw('headers', { allowedHosts: ['a.example'], hostsProxyHeaders: ['X-Forwarded-Host'] }), plain);
    assert.deepEqual(out.route!.directResponse!.when.map((alt) => alt.map((m) => m.name)), [[':authority']]);
  });
});

describe('middlewares2/ipAllowList strategies', () => {
  it('widens or drops IPv6 ranges longer than ipv6Subnet (the client address is masked first)', () => {
    const out = translateIPAllowList(mw('ipAllowList', { sourceRange: ['2001:db8:1:2::/96', '2001:db8:1:3::1/128', '10.0.0.0/8'], ipStrategy: { ipv6Subnet: 64 } }), plain);
    const principals = (out.filter!.typedConfig as any).rules.policies['default/m'].principals.map((p: any) => `${p.direct_remote_ip.address_prefix}/${p.direct_remote_ip.prefix_len}`);
    assert.deepEqual(principals, ['10.0.0.0/8', '2001:db8:1:2::/64']);
  });

  it('denies everything when the entry point deletes X-Forwarded-For, and checks the trusted peer otherwise', () => {
    const denyAll = translateIPAllowList(mw('ipAllowList', { sourceRange: ['10.0.0.0/8'], ipStrategy: { depth: 1 } }), plain);
    assert.deepEqual((denyAll.filter!.typedConfig as any).rules, { action: 'ALLOW' });
    const ctx: MiddlewareTranslateContext = { tls: false, entryPoint: { name: 'web', forwardedHeaders: { insecure: false, trustedIPs: ['192.0.2.1'] } } };
    const some = translateIPAllowList(mw('ipAllowList', { sourceRange: ['10.0.0.0/8'], ipStrategy: { depth: 1 } }), ctx);
    const p = (some.filter!.typedConfig as any).rules.policies['default/m'].principals[0];
    assert.deepEqual(p.and_ids.ids[0], { direct_remote_ip: { address_prefix: '192.0.2.1', prefix_len: 32 } });
    assert.equal(p.and_ids.ids[1].header.name, 'x-forwarded-for');
  });
});
