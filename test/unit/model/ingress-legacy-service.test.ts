// Traefik 1.7 Service annotations (legacyAnnotations: v1.7; traefik-ingress.md §3.4): what the model builds.
import * as assert from 'node:assert/strict';
import { parseManifestText } from '../../../src/sources/manifests';
import { loadStaticConfig } from '../../../src/config/load';
import { modelOptionsOf } from '../../../src/pipeline';
import { buildModel } from '../../../src/model/build';
import { Diagnostics } from '../../../src/model/diagnostics';
import { defaultCookieName } from '../../../src/model/sticky-cookies';
import { apiBackendYaml } from '../../helpers/ingress-backend';

const LEGACY = 'providers:\n  kubernetesIngress:\n    legacyAnnotations: v1.7\n';
const V3 = 'providers:\n  kubernetesIngress: {}\n';

function yamlMap(m: Record<string, string>): string {
  return `{${Object.entries(m).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}

function manifests(svcAnnotations: Record<string, string>, ingAnnotations: Record<string, string> = {}, paths = ['/a']): string {
  return `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app, namespace: default, annotations: ${yamlMap(ingAnnotations)}}
spec:
  rules:
    - host: a.example.com
      http:
        paths:
${paths.map((p) => `          - {path: ${p}, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}`).join('\n')}
${apiBackendYaml('default', yamlMap(svcAnnotations))}`;
}

function build(text: string, config = LEGACY) {
  const diags = new Diagnostics();
  const { config: cfg } = loadStaticConfig({ text: config, file: 'config.yaml' });
  const { model } = buildModel(parseManifestText(text, 'input.yaml'), modelOptionsOf(cfg, diags), diags);
  return { routers: model.httpRouters, clusters: model.clusters, diags: diags.sorted() };
}

function target(r: ReturnType<typeof build>['routers'][number]) {
  assert.equal(r.action.type, 'forward');
  return (r.action as { targets: { cluster: string; sticky?: { name: string; secure: boolean; httpOnly: boolean; sameSite?: string } }[] }).targets[0]!;
}

describe('Traefik 1.7 Service annotations (legacy v1.7)', () => {
  it('names an unnamed affinity cookie after the 1.7 backend, as 1.7 did', () => {
    let { routers } = build(manifests({ 'ingress.kubernetes.io/affinity': 'true' }));
    assert.equal(target(routers[0]!).sticky?.name, defaultCookieName('a.example.com/a'));
    ({ routers } = build(manifests({ 'ingress.kubernetes.io/affinity': 'true' }, { 'ingress.kubernetes.io/priority': '7', 'traefik.frontend.entryPoints': 'web' })));
    assert.equal(target(routers[0]!).sticky?.name, defaultCookieName('7-web_a.example.com/a'));
  });

  it('reads the default backend\'s Service too (1.7 global-default-backend)', () => {
    const text = manifests({ 'ingress.kubernetes.io/affinity': 'true', 'ingress.kubernetes.io/circuit-breaker-expression': 'NetworkErrorRatio() > 0.5' })
      .replace(/spec:\n  rules:[\s\S]*?---/, 'spec:\n  defaultBackend: {service: {name: api, port: {number: 80}}}\n---');
    let r = build(text);
    assert.equal(r.routers.length, 1);
    assert.equal(r.routers[0]!.name, 'default-router');
    assert.equal(target(r.routers[0]!).sticky?.name, defaultCookieName('global-default-backend'));
    assert.deepEqual(r.routers[0]!.middlewares!.map((m) => m.name), ['app-legacy-circuitbreaker-default-0']);
    r = build(text.replace('affinity": "true"', 'responseforwarding-flushinterval": "x"'));
    assert.equal(r.routers.length, 0);
    assert.ok(r.diags.some((d) => d.kind === 'Ingress' && d.severity === 'error' && d.field === 'spec.defaultBackend.service.name' && /default backend is left out/.test(d.message)));
  });

  it('builds stickiness with the session-* attributes, and the deprecated label with _TRAEFIK_BACKEND', () => {
    let { routers } = build(manifests({
      'traefik.ingress.kubernetes.io/affinity': 'true', 'traefik.ingress.kubernetes.io/session-cookie-name': 'a b',
      'ingress.kubernetes.io/session-secure': 'true', 'ingress.kubernetes.io/session-http-only': 'T', 'ingress.kubernetes.io/session-same-site': 'strict',
    }));
    assert.deepEqual(target(routers[0]!).sticky && { ...target(routers[0]!).sticky, provenance: undefined },
      { name: 'a_b', secure: true, httpOnly: true, sameSite: 'strict', maxAge: 0, path: '/', provenance: undefined });
    ({ routers } = build(manifests({ 'traefik.backend.loadbalancer.sticky': 'TRUE' })));
    assert.equal(target(routers[0]!).sticky?.name, '_TRAEFIK_BACKEND');
    ({ routers } = build(manifests({ 'traefik.backend.loadbalancer.sticky': '1' })));
    assert.equal(target(routers[0]!).sticky, undefined, '1.7 compares the label with "true" only');
  });

  it('is off without legacyAnnotations: v1.7, and v3 service.sticky wins over affinity', () => {
    let r = build(manifests({ 'ingress.kubernetes.io/affinity': 'true', 'ingress.kubernetes.io/circuit-breaker-expression': 'NetworkErrorRatio() > 0.5' }), V3);
    assert.equal(target(r.routers[0]!).sticky, undefined);
    assert.deepEqual(r.routers[0]!.middlewares, []);
    r = build(manifests({ 'ingress.kubernetes.io/affinity': 'true', 'traefik.ingress.kubernetes.io/service.sticky.cookie.name': 'v3' }));
    assert.equal(target(r.routers[0]!).sticky?.name, 'v3');
    assert.ok(r.diags.some((d) => d.kind === 'Service' && d.severity === 'warning' && /take precedence/.test(d.message)));
  });

  it('adds circuit breaker → buffering → InFlightReq per path, before the rate limit, with diagnostics on the Service', () => {
    const { routers } = build(manifests({
      'traefik.backend.circuitbreaker': 'NetworkErrorRatio() > 0.5',
      'ingress.kubernetes.io/buffering': 'maxrequestbodybytes: 0x10\nmemrequestbodybytes: ~\nretryexpression: IsNetworkError()',
      'ingress.kubernetes.io/max-conn-amount': '+5',
      'traefik.ingress.kubernetes.io/max-conn-extractor-func': 'request.host',
    }, { 'ingress.kubernetes.io/rate-limit': '{extractorfunc: client.ip, rateset: {r: {period: 1s, average: 1, burst: 1}}}' }, ['/a', '/b']));
    assert.equal(routers.length, 2);
    for (const r of routers) assert.deepEqual(r.middlewares!.map((m) => m.type), ['circuitBreaker', 'buffering', 'inFlightReq', 'rateLimit']);
    const [a, b] = routers.map((r) => r.middlewares!);
    assert.notEqual(a![0]!.id, b![0]!.id, 'one instance per path, as 1.7 built one per backend');
    assert.deepEqual(a![0]!.config, { expression: 'NetworkErrorRatio() > 0.5' });
    assert.deepEqual(a![1]!.config, { maxRequestBodyBytes: 16, memRequestBodyBytes: 0, maxResponseBodyBytes: 0, memResponseBodyBytes: 0, retryExpression: 'IsNetworkError()' });
    assert.deepEqual(a![2]!.config, { amount: 5, sourceCriterion: { requestHost: true } });
    assert.deepEqual(a!.slice(0, 3).map((m) => m.subject.kind), ['Service', 'Service', 'Service']);
    assert.equal(a![3]!.subject.kind, 'Ingress');
  });

  it('drops a path whose Service fails 1.7 (flush interval, extractor), keeps it for what 1.7 only dropped (buffering)', () => {
    let r = build(manifests({ 'ingress.kubernetes.io/responseforwarding-flushinterval': 'soon' }));
    assert.equal(r.routers.length, 0);
    assert.ok(r.diags.some((d) => d.kind === 'Service' && d.severity === 'error' && d.field === 'metadata.annotations["ingress.kubernetes.io/responseforwarding-flushinterval"]'));
    assert.ok(r.diags.some((d) => d.kind === 'Ingress' && d.severity === 'error' && d.field === 'spec.rules[0].http.paths[0].backend.service.name'));
    r = build(manifests({ 'ingress.kubernetes.io/max-conn-amount': '0', 'ingress.kubernetes.io/max-conn-extractor-func': 'nonsense' }));
    assert.equal(r.routers.length, 1, 'amount 0 disables max-conn: 1.7 never built the extractor');
    assert.deepEqual(r.routers[0]!.middlewares, []);
    r = build(manifests({ 'ingress.kubernetes.io/max-conn-amount': '3', 'ingress.kubernetes.io/max-conn-extractor-func': 'nonsense' }));
    assert.equal(r.routers.length, 0);
    r = build(manifests({ 'ingress.kubernetes.io/buffering': '[1, 2]' }));
    assert.equal(r.routers.length, 1);
    assert.deepEqual(r.routers[0]!.middlewares, []);
    assert.ok(r.diags.some((d) => d.kind === 'Service' && d.severity === 'error' && /still serves/.test(d.message)));
  });

  it('applies the flush interval to the path\'s service', () => {
    const r = build(manifests({ 'ingress.kubernetes.io/responseforwarding-flushinterval': '2' }));
    assert.equal(r.routers.length, 1);
    assert.ok(r.diags.some((d) => d.field === 'spec.rules[0].http.paths[0].backend.responseForwarding.flushInterval' && /every 2s/.test(d.message)));
  });
});
