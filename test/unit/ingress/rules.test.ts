// Ingress host + path → Traefik rule string (traefik-ingress.md §1.5), Go %q quoting, and the default
// priority len(rule) of §1.6; plus the strictPrefixMatching request table of upstream
// TestStrictPrefixMatchingRule, driven end to end (Ingress → Envoy RouteConfiguration → Envoy's route selection).
import * as assert from 'node:assert/strict';
import { goQuote } from '../../../src/model/ingress-annotations';
import { ingressRule } from '../../../src/model/ingress-routers';
import { defaultPriority } from '../../../src/model/rules';
import { loadStaticConfig } from '../../../src/config/load';
import { parseManifestText } from '../../../src/sources/manifests';
import { runPipeline } from '../../../src/pipeline';
import { canonicalize } from '../../../src/envoy/json';
import { envoyRoute } from '../../helpers/envoy-router';
import type { IngressPath } from '../../../src/model/crds/ingress';
import { apiBackendYaml } from '../../helpers/ingress-backend';

const backend = { service: { name: 'api', port: { number: 80 } } };
const path = (p: string | undefined, pathType?: IngressPath['pathType']): IngressPath => ({ ...(p !== undefined ? { path: p } : {}), ...(pathType ? { pathType } : {}), backend });

describe('ingress/rules: rule strings and priorities (§1.5, §1.6)', () => {
  it('formats host and path as Traefik does, for every pathType', () => {
    const table: [string, IngressPath, string | undefined, string][] = [
      ['foo.com', path('/bar', 'Prefix'), undefined, 'Host("foo.com") && PathPrefix("/bar")'],
      ['foo.com', path('/bar', 'Exact'), undefined, 'Host("foo.com") && Path("/bar")'],
      ['foo.com', path('/bar', 'ImplementationSpecific'), undefined, 'Host("foo.com") && PathPrefix("/bar")'],
      ['foo.com', path('/bar'), undefined, 'Host("foo.com") && PathPrefix("/bar")'],
      ['foo.com', path('/bar', 'ImplementationSpecific'), 'Path', 'Host("foo.com") && Path("/bar")'],
      ['foo.com', path('/b.*r', 'ImplementationSpecific'), 'PathRegexp', 'Host("foo.com") && PathRegexp("/b.*r")'],
      // pathmatcher applies to ImplementationSpecific only.
      ['foo.com', path('/bar', 'Prefix'), 'Path', 'Host("foo.com") && PathPrefix("/bar")'],
      ['foo.com', path('/bar', 'Exact'), 'PathPrefix', 'Host("foo.com") && Path("/bar")'],
      ['', path('/bar', 'Prefix'), undefined, 'PathPrefix("/bar")'],
      ['foo.com', path(undefined, 'Prefix'), undefined, 'Host("foo.com")'],
      ['foo.com', path('', 'Prefix'), undefined, 'Host("foo.com")'],
      ['', path(undefined), undefined, ''],
      ['*.foo.com', path('/bar', 'Prefix'), undefined, 'Host("*.foo.com") && PathPrefix("/bar")'],
    ];
    for (const [host, p, matcher, want] of table) assert.equal(ingressRule(host, p, matcher, 'v3', false), want, `${host} ${JSON.stringify(p)} ${matcher}`);
  });

  it('writes the v2 wildcard host as a gorilla/mux HostRegexp template', () => {
    assert.equal(ingressRule('*.foo.com', path('/bar', 'Prefix'), undefined, 'v2', false), 'HostRegexp("{subdomain:[a-zA-Z0-9-]+}.foo.com") && PathPrefix("/bar")');
    assert.equal(ingressRule('foo.com', path('/bar', 'Prefix'), undefined, 'v2', false), 'Host("foo.com") && PathPrefix("/bar")');
  });

  it('rewrites every PathPrefix with strictPrefixMatching, except "/"', () => {
    const strict = (p: IngressPath, m?: string) => ingressRule('a.example.com', p, m, 'v3', true);
    assert.equal(strict(path('/foo', 'Prefix')), 'Host("a.example.com") && (Path("/foo") || PathPrefix("/foo/"))');
    assert.equal(strict(path('/foo/', 'Prefix')), 'Host("a.example.com") && (Path("/foo") || PathPrefix("/foo/"))');
    assert.equal(strict(path('/foo', 'ImplementationSpecific')), 'Host("a.example.com") && (Path("/foo") || PathPrefix("/foo/"))');
    assert.equal(strict(path('/', 'Prefix')), 'Host("a.example.com") && PathPrefix("/")');
    assert.equal(strict(path('/foo', 'Exact')), 'Host("a.example.com") && Path("/foo")');
    assert.equal(strict(path('/foo', 'ImplementationSpecific'), 'PathRegexp'), 'Host("a.example.com") && PathRegexp("/foo")');
  });

  it('gives the §1.6 priorities: len(rule) in bytes, quotes included', () => {
    const r1 = ingressRule('shop.example.com', path('/api', 'Prefix'), undefined, 'v3', false);
    const r2 = ingressRule('shop.example.com', path('/healthz', 'Exact'), undefined, 'v3', false);
    const r3 = ingressRule('a.example.com', path('/foo', 'Prefix'), undefined, 'v3', true);
    assert.equal(r1, 'Host("shop.example.com") && PathPrefix("/api")');
    assert.equal(defaultPriority(r1, 'http'), 46);
    assert.equal(defaultPriority(r2, 'http'), 44);
    assert.equal(defaultPriority(r3, 'http'), 62);
    // Exact vs Prefix on the same path: Prefix is 6 bytes longer, so Traefik prefers it.
    assert.equal(defaultPriority(ingressRule('a.com', path('/x', 'Prefix'), undefined, 'v3', false), 'http')
      - defaultPriority(ingressRule('a.com', path('/x', 'Exact'), undefined, 'v3', false), 'http'), 6);
    // A wildcard and an exact host with a one-letter first label tie (§1.5): the reason for the tie-break.
    assert.equal(defaultPriority(ingressRule('*.a.com', path('/x', 'Prefix'), undefined, 'v3', false), 'http'),
      defaultPriority(ingressRule('b.a.com', path('/x', 'Prefix'), undefined, 'v3', false), 'http'));
    // Escapes count: a '"' in a path is two bytes, a non-ASCII letter its UTF-8 length.
    assert.equal(defaultPriority(ingressRule('', path('/a"b', 'Prefix'), undefined, 'v3', false), 'http'), 'PathPrefix("/a\\"b")'.length);
    assert.equal(defaultPriority(ingressRule('', path('/é', 'Prefix'), undefined, 'v3', false), 'http'), 'PathPrefix("/")'.length + 2);
  });

  it('quotes like Go %q (strconv.Quote)', () => {
    assert.equal(goQuote('/plain'), '"/plain"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\x07\b\f\n\r\t\v'), '"\\a\\b\\f\\n\\r\\t\\v"');
    assert.equal(goQuote('\x01\x1f\x7f'), '"\\x01\\x1f\\x7f"');
    // Printable non-ASCII stays; other runes get \u / \U.
    assert.equal(goQuote('é日本😀'), '"é日本😀"');
    assert.equal(goQuote('\u0085\u00a0\u00ad\u200b\u2028\ufeff'), '"\\u0085\\u00a0\\u00ad\\u200b\\u2028\\ufeff"');
    assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
    assert.equal(goQuote(' '), '" "');
    assert.equal(goQuote(''), '""');
  });
});

/**
 * Upstream TestStrictPrefixMatchingRule (v3.7), as requests through the translated Envoy configuration: each
 * Ingress path (pathType Prefix) with strictPrefixMatching on, and whether a request path reaches it.
 */
describe('ingress/rules: strictPrefixMatching, request by request (upstream TestStrictPrefixMatchingRule)', () => {
  // Upstream's rows (taken from the Kubernetes Ingress documentation examples), then a few of ours.
  const rows: [string, string, boolean][] = [
    ['/foo', '/foo', true],
    ['/foo', '/foo/', true],
    ['/foo/', '/foo', true],
    ['/foo/', '/foo/', true],
    ['/aaa/bb', '/aaa/bbb', false],
    ['/aaa/bbb', '/aaa/bbb', true],
    ['/aaa/bbb/', '/aaa/bbb', true],
    ['/aaa/bbb', '/aaa/bbb/', true],
    ['/aaa/bbb', '/aaa/bbb/ccc', true],
    ['/aaa/bbb', '/aaa/bbbxyz', false],
    ['/', '/aaa/ccc', true],
    ['/aaa', '/aaa/ccc', true],
    ['/...', '/aaa', false],
    ['/...', '/.../', true],
    // Ours: the character-wise prefix is gone, and the query takes no part in matching.
    ['/foo', '/foobar', false],
    ['/foo', '/fo', false],
    ['/foo', '/foo?x=1', true],
    ['/foo', '/foobar?x=/', false],
  ];
  const table = [...new Set(rows.map((r) => r[0]))].map((p) => ({ path: p, requests: rows.filter((r) => r[0] === p).map((r) => [r[1], r[2]] as [string, boolean]) }));

  function routeConfig(ingressPath: string, strict: boolean): unknown {
    const manifests = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app, namespace: default}
spec:
  rules:
    - host: a.example.com
      http:
        paths:
          - {path: "${ingressPath}", pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
${apiBackendYaml()}`;
    const { config, diagnostics } = loadStaticConfig({
      text: `entryPoints: {web: {address: ":80"}}\nproviders:\n  kubernetesIngress: {strictPrefixMatching: ${strict}}\n`, file: 'config.yaml',
    });
    assert.ok(!diagnostics.hasErrors(), JSON.stringify(diagnostics.items));
    const result = runPipeline(parseManifestText(manifests, 'in.yaml'), config);
    assert.ok(!result.diagnostics.hasErrors(), JSON.stringify(result.diagnostics.items));
    const rc = result.resources.routes.find((r) => r.name === 'web/http');
    assert.ok(rc, 'route configuration web/http');
    return canonicalize('envoy.config.route.v3.RouteConfiguration', rc);
  }

  const request = (p: string) => ({ host: 'a.example.com', path: p, method: 'GET', headers: {}, peer: '10.1.1.1' });

  for (const { path: ingressPath, requests } of table) {
    it(`Prefix ${ingressPath}`, () => {
      const rc = routeConfig(ingressPath, true);
      for (const [reqPath, matched] of requests) {
        assert.equal(envoyRoute(rc, request(reqPath)) !== undefined, matched, `request ${reqPath} against strict Prefix ${ingressPath}`);
      }
    });
  }

  it('without the option, Prefix matches character-wise (/foo matches /foobar), as Traefik', () => {
    const rc = routeConfig('/foo', false);
    assert.ok(envoyRoute(rc, request('/foobar')));
    assert.ok(envoyRoute(rc, request('/foo/bar')));
    assert.ok(!envoyRoute(rc, request('/fo')));
  });
});
