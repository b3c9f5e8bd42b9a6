// The v3 Ingress annotation decoder (traefik-ingress.md §2.1), on the behaviours pinned by upstream
// pkg/provider/kubernetes/ingress/annotations_test.go and the paerser rules it relies on.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { loadStaticConfig } from '../../../src/config/load';
import { parseManifestText } from '../../../src/sources/manifests';
import { runPipeline } from '../../../src/pipeline';
import { AnnotationError, decodeRouterAnnotations, decodeServiceAnnotations } from '../../../src/model/ingress-annotations';
import { apiBackendYaml } from '../../helpers/ingress-backend';

const P = 'traefik.ingress.kubernetes.io/';

function routerOf(a: Record<string, string>) {
  const { keys: _keys, ...rest } = decodeRouterAnnotations(a);
  return rest;
}

function serviceOf(a: Record<string, string>) {
  const { keys: _keys, ...rest } = decodeServiceAnnotations(a);
  return rest;
}

function decodeError(f: () => unknown): AnnotationError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof AnnotationError, `expected an AnnotationError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a decode error');
}

describe('ingress/annotations: the v3 decoder (paerser rules, §2.1)', () => {
  it('decodes every router annotation of upstream Test_parseRouterConfig', () => {
    const got = routerOf({
      'ingress.kubernetes.io/foo': 'bar',
      [`${P}foo`]: 'bar',
      [`${P}router.pathmatcher`]: 'foobar',
      [`${P}router.entrypoints`]: 'foobar,foobar',
      [`${P}router.middlewares`]: 'foobar,foobar',
      [`${P}router.priority`]: '42',
      [`${P}router.rulesyntax`]: 'foobar',
      [`${P}router.tls`]: 'true',
      [`${P}router.tls.certresolver`]: 'foobar',
      [`${P}router.tls.domains.0.main`]: 'foobar',
      [`${P}router.tls.domains.0.sans`]: 'foobar,foobar',
      [`${P}router.tls.domains.1.main`]: 'foobar',
      [`${P}router.tls.domains.1.sans`]: 'foobar,foobar',
      [`${P}router.tls.options`]: 'foobar',
      [`${P}router.observability.accessLogs`]: 'true',
      [`${P}router.observability.metrics`]: 'true',
      [`${P}router.observability.tracing`]: 'true',
    });
    assert.deepEqual(got, {
      entryPoints: ['foobar', 'foobar'],
      middlewares: ['foobar', 'foobar'],
      priority: 42n,
      pathMatcher: 'foobar',
      ruleSyntax: 'foobar',
      tls: {
        certResolver: 'foobar',
        options: 'foobar',
        domains: [{ main: 'foobar', sans: ['foobar', 'foobar'] }, { main: 'foobar', sans: ['foobar', 'foobar'] }],
      },
      observability: { accesslogs: true, metrics: true, tracing: true },
    });
  });

  it('decodes every service annotation of upstream Test_parseServiceConfig (sticky path defaults to /)', () => {
    assert.deepEqual(serviceOf({
      'ingress.kubernetes.io/foo': 'bar',
      [`${P}foo`]: 'bar',
      [`${P}service.serversscheme`]: 'protocol',
      [`${P}service.serverstransport`]: 'foobar@file',
      [`${P}service.passhostheader`]: 'true',
      [`${P}service.nativelb`]: 'true',
      [`${P}service.sticky.cookie`]: 'true',
      [`${P}service.sticky.cookie.httponly`]: 'true',
      [`${P}service.sticky.cookie.name`]: 'foobar',
      [`${P}service.sticky.cookie.secure`]: 'true',
      [`${P}service.sticky.cookie.samesite`]: 'none',
      [`${P}service.sticky.cookie.domain`]: 'foo.com',
      [`${P}service.sticky.cookie.path`]: 'foobar',
    }), {
      serversScheme: 'protocol',
      serversTransport: 'foobar@file',
      passHostHeader: true,
      nativeLB: true,
      sticky: { cookie: { name: 'foobar', secure: true, httpOnly: true, sameSite: 'none', domain: 'foo.com', path: 'foobar' } },
    });
    assert.deepEqual(serviceOf({ [`${P}service.sticky.cookie`]: 'true' }), { passHostHeader: true, sticky: { cookie: { path: '/' } } });
    assert.deepEqual(serviceOf({ [`${P}service.middlewares`]: 'middleware1,middleware2' }), { passHostHeader: true, middlewares: ['middleware1', 'middleware2'] });
    // No annotation: passHostHeader keeps its default.
    assert.deepEqual(serviceOf({}), { passHostHeader: true });
  });

  it('reads only keys with the exact traefik.ingress.kubernetes.io/ prefix, and only router.* / service.* under it', () => {
    assert.deepEqual(routerOf({
      'ingress.kubernetes.io/router.priority': '1', // 1.7 style: ignored
      'Traefik.ingress.kubernetes.io/router.priority': '2', // the prefix is case-sensitive
      [`${P}router`]: 'x', // no field: Traefik filters on "traefik.router."
      [`${P}foo.bar`]: 'x',
      [`${P}service.nativelb`]: 'notabool', // service keys are not read on the Ingress
    }), {});
    // Router keys on a Service are ignored too.
    assert.deepEqual(serviceOf({ [`${P}router.priority`]: 'x' }), { passHostHeader: true });
  });

  it('matches field names case-insensitively, the root included', () => {
    assert.deepEqual(routerOf({
      [`${P}Router.EntryPoints`]: 'websecure',
      [`${P}router.PRIORITY`]: '7',
      [`${P}router.TLS.Options`]: 'default',
      [`${P}router.observability.AccessLogs`]: 'false',
    }), { entryPoints: ['websecure'], priority: 7n, tls: { options: 'default' }, observability: { accesslogs: false } });
    assert.deepEqual(serviceOf({ [`${P}service.Sticky.Cookie.HttpOnly`]: 'TRUE', [`${P}service.PassHostHeader`]: 'False' }),
      { passHostHeader: false, sticky: { cookie: { path: '/', httpOnly: true } } });
  });

  it('rewrites .N. list indexes, whatever their order, and keeps the annotation key of each field', () => {
    const a = decodeRouterAnnotations({
      [`${P}router.tls.domains.1.main`]: 'b.com',
      [`${P}router.tls.domains.0.sans`]: 'x.a.com',
      [`${P}router.tls.domains.0.main`]: 'a.com',
    });
    assert.deepEqual(a.tls?.domains, [{ main: 'a.com', sans: ['x.a.com'] }, { main: 'b.com' }]);
    assert.equal(a.keys['tls.domains.1.main'], `${P}router.tls.domains.1.main`);
  });

  it('creates a group from "true" (any case) or an empty value, and implicitly from a sub-key', () => {
    assert.deepEqual(routerOf({ [`${P}router.tls`]: 'TRUE' }).tls, {});
    assert.deepEqual(routerOf({ [`${P}router.tls`]: '' }).tls, {});
    assert.deepEqual(routerOf({ [`${P}router.tls.options`]: 'default' }).tls, { options: 'default' });
    assert.deepEqual(routerOf({ [`${P}router.observability.tracing`]: 'false' }).observability, { tracing: false });
    assert.deepEqual(serviceOf({ [`${P}service.sticky.cookie.name`]: 'x' }).sticky, { cookie: { path: '/', name: 'x' } });
  });

  it('drops a group with any other non-empty value, with its sub-keys unread (no parse error under it)', () => {
    assert.deepEqual(routerOf({ [`${P}router.tls`]: 'false', [`${P}router.tls.options`]: 'x' }), {});
    assert.deepEqual(routerOf({ [`${P}router.tls`]: '1', [`${P}router.tls.options`]: 'x' }), {}, '"1" is not "true" for a group');
    assert.deepEqual(routerOf({ [`${P}router.observability`]: 'no', [`${P}router.observability.tracing`]: 'notabool' }), {});
    assert.deepEqual(serviceOf({ [`${P}service.sticky.cookie`]: 'no', [`${P}service.sticky.cookie.maxage`]: 'abc', [`${P}service.sticky.cookie.name`]: 'x' }),
      { passHostHeader: true });
    assert.deepEqual(serviceOf({ [`${P}service.sticky`]: 'false', [`${P}service.sticky.cookie.name`]: 'x' }), { passHostHeader: true });
    // An unknown field under a disabled group is still an error (paerser finds fields before filling).
    decodeError(() => decodeRouterAnnotations({ [`${P}router.tls`]: 'false', [`${P}router.tls.option`]: 'x' }));
  });

  it('parses booleans with Go ParseBool exactly', () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(serviceOf({ [`${P}service.nativelb`]: v }).nativeLB, true, v);
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(serviceOf({ [`${P}service.nativelb`]: v }).nativeLB, false, v);
    for (const v of ['yes', 'no', 'tRUE', ' true', 'on', '']) {
      const e = decodeError(() => decodeServiceAnnotations({ [`${P}service.nativelb`]: v }));
      assert.equal(e.annotation, `${P}service.nativelb`);
    }
  });

  it('parses integers as base-10 int64, and fails on anything else', () => {
    assert.equal(routerOf({ [`${P}router.priority`]: '+42' }).priority, 42n);
    assert.equal(routerOf({ [`${P}router.priority`]: '-3' }).priority, -3n);
    assert.equal(routerOf({ [`${P}router.priority`]: '9223372036854775807' }).priority, 9223372036854775807n);
    for (const v of ['4.2', '0x10', '1_000', '', ' 1', '9223372036854775808', 'abc']) {
      const e = decodeError(() => decodeRouterAnnotations({ [`${P}router.priority`]: v }));
      assert.equal(e.annotation, `${P}router.priority`, v);
    }
    assert.equal(serviceOf({ [`${P}service.sticky.cookie.maxage`]: '3600' }).sticky?.cookie?.maxAge, 3600);
    decodeError(() => decodeServiceAnnotations({ [`${P}service.sticky.cookie.maxage`]: 'abc' }));
  });

  it('fails on unknown fields, naming the annotation', () => {
    for (const k of ['router.entrypoint', 'router.tls.domains.0.foo', 'router..priority', 'router.priority.x']) {
      const e = decodeError(() => decodeRouterAnnotations({ [`${P}${k}`]: 'x' }));
      assert.equal(e.annotation, `${P}${k}`);
    }
    const e = decodeError(() => decodeServiceAnnotations({ [`${P}service.sticky.cookie.nam`]: 'x' }));
    assert.match(e.message, /unknown field "service\.sticky\.cookie\.nam"/);
  });

  it('splits lists on commas, trims items and keeps empty ones, as paerser does', () => {
    assert.deepEqual(routerOf({ [`${P}router.entrypoints`]: ' web , websecure ' }).entryPoints, ['web', 'websecure']);
    assert.deepEqual(routerOf({ [`${P}router.middlewares`]: 'a@file,,b@file,' }).middlewares, ['a@file', '', 'b@file', '']);
    assert.deepEqual(routerOf({ [`${P}router.entrypoints`]: '' }).entryPoints, []);
    assert.deepEqual(serviceOf({ [`${P}service.middlewares`]: 'm1@kubernetescrd , m2@kubernetescrd' }).middlewares, ['m1@kubernetescrd', 'm2@kubernetescrd']);
  });

  it('keeps the last of two spellings of one field (keys sorted, lower case after upper case)', () => {
    assert.equal(routerOf({ [`${P}router.Priority`]: '1', [`${P}router.priority`]: '2' }).priority, 2n);
  });
});

describe('ingress/annotations: the default sticky cookie name of an Ingress service', () => {
  // Traefik's cookie.GenerateName (pkg/server/cookie): "_" + the first 5 hex digits of
  // sha1("_TRAEFIK_BACKEND_" + qualified service name), the Ingress provider qualifying with "@kubernetes".
  const traefikName = (service: string) => `_${createHash('sha1').update(`_TRAEFIK_BACKEND_${service}`).digest('hex').slice(0, 5)}`;

  it('hashes Normalize(ns-svc-port)@kubernetes, and default-backend@kubernetes for the default backend', () => {
    const manifests = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app, namespace: shop}
spec:
  rules:
    - host: a.example.com
      http:
        paths:
          - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fallback, namespace: shop}
spec:
  defaultBackend: {service: {name: api, port: {number: 80}}}
${apiBackendYaml('shop', '{traefik.ingress.kubernetes.io/service.sticky.cookie: "true"}')}`;
    const { config } = loadStaticConfig({ text: 'providers:\n  kubernetesIngress: {}\n', file: 'c.yaml' });
    const { model } = runPipeline(parseManifestText(manifests, 'in.yaml'), config);
    const cookieOf = (ingress: string) => {
      const r = model.httpRouters.find((x) => x.provenance.name === ingress);
      assert.ok(r && r.action.type === 'forward', ingress);
      return r.action.targets[0]?.sticky?.name;
    };
    // The port name as written in the Ingress is part of the service name.
    assert.equal(cookieOf('app'), traefikName('shop-api-http@kubernetes'));
    assert.equal(cookieOf('fallback'), traefikName('default-backend@kubernetes'));
    assert.notEqual(cookieOf('app'), traefikName('shop-api-http@kubernetescrd'));
  });
});
