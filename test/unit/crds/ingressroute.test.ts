import assert from 'node:assert/strict';
import type { IngressRouteObj } from '../../../src/model/crds/types';
import { expectClean, expectDiag, manifest, parseYaml } from './helpers';

const FULL = `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: full.route
  namespace: apps
  labels: {app: web}
  annotations: {kubernetes.io/ingress.class: traefik}
spec:
  ingressClassName: traefik
  entryPoints: [web, websecure]
  parentRefs:
    - name: parent
      namespace: apps
  routes:
    - match: Host(\`example.com\`) && PathPrefix(\`/api\`)
      kind: Rule
      priority: 10
      middlewares:
        - name: strip
        - name: auth
          namespace: apps
      observability:
        accessLogs: true
        metrics: false
        tracing: true
        traceVerbosity: detailed
      services:
        - name: whoami
          kind: Service
          namespace: apps
          port: 80
          scheme: https
          strategy: p2c
          passHostHeader: false
          responseForwarding:
            flushInterval: 1ms
          serversTransport: mytransport
          sticky:
            cookie:
              name: srv
              secure: true
              httpOnly: true
              sameSite: lax
              maxAge: 3600
              path: /
              domain: example.com
          weight: 3
          middlewares:
            - name: svc-mw
          nativeLB: true
          nodePortLB: false
          healthCheck:
            scheme: http
            mode: grpc
            path: /health
            method: GET
            status: 200
            port: 8080
            interval: 10s
            unhealthyInterval: 1.5s
            timeout: 3
            hostname: backend.local
            followRedirects: false
            headers:
              X-Check: "1"
          passiveHealthCheck:
            failureWindow: 10s
            maxFailedAttempts: 3
        - name: wrr1
          kind: TraefikService
    - match: PathPrefix(\`/parent-only\`)
  tls:
    secretName: example-tls
    options:
      name: modern
      namespace: apps
    store:
      name: default
    certResolver: le
    domains:
      - main: example.com
        sans: [www.example.com]
`;

describe('crds/IngressRoute', () => {
  it('accepts a full example with every field (traefik.io)', () => {
    const obj = expectClean(FULL) as IngressRouteObj;
    assert.equal(obj.kind, 'IngressRoute');
    assert.equal(obj.group, 'traefik.io');
    assert.equal(obj.version, 'v1alpha1');
    assert.equal(obj.namespace, 'apps');
    assert.equal(obj.name, 'full.route');
    assert.deepEqual(obj.labels, { app: 'web' });
    assert.equal(obj.annotations['kubernetes.io/ingress.class'], 'traefik');
    assert.equal(obj.spec.routes.length, 2);
    const svc = obj.spec.routes[0].services![0];
    assert.equal(svc.port, 80);
    assert.equal(svc.healthCheck?.interval, '10s');
    assert.equal(svc.healthCheck?.timeout, 3);
    assert.equal(obj.spec.tls?.options?.name, 'modern');
    assert.equal(obj.raw.kind, 'IngressRoute');
  });

  it('accepts the seed example in traefik.containo.us, with a note about the removed group', () => {
    const p = parseYaml(`apiVersion: traefik.containo.us/v1alpha1
kind: IngressRoute
metadata:
  name: myingressroute
  namespace: default

spec:
  entryPoints:
    - web

  routes:
  - match: Host(\`foo\`) && PathPrefix(\`/bar\`)
    kind: Rule
    services:
    - name: whoami
      port: 80
`);
    assert.ok(p.obj);
    assert.equal(p.obj.group, 'traefik.containo.us');
    assert.deepEqual(p.errors, []);
    assert.equal(p.warnings.length, 0);
    expectDiag(p, 'info', 'apiVersion', /traefik.containo.us.*v2 rule syntax.*traefik.io\/v1alpha1 replaces it/);
  });

  it('accepts an empty tls block (it makes the routers TLS routers)', () => {
    const obj = expectClean(manifest('IngressRoute', 'routes:\n- match: Host(`a`)\ntls: {}')) as IngressRouteObj;
    assert.deepEqual(obj.spec.tls, {});
  });

  it('defaults the namespace to "default"', () => {
    const obj = expectClean(manifest('IngressRoute', 'routes:\n- match: Host(`a`)', { namespace: '' }));
    assert.equal(obj.namespace, 'default');
  });

  it('suggests the CRD spelling for the seed tables\' field names', () => {
    const p = parseYaml(
      manifest(
        'IngressRoute',
        `routes:
- match: Host(\`a\`)
  observability:
    accesslogs: true
  services:
  - name: s
    port: 80
    serverstransport: st
    healthCheck:
      followRedirect: true`,
      ),
    );
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.routes[0].observability.accesslogs', /unknown field "accesslogs"; did you mean "accessLogs"\?/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].serverstransport', /did you mean "serversTransport"\?/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].healthCheck.followRedirect', /did you mean "followRedirects"\?$/);
  });

  it('reports wrong types with file positions', () => {
    const p = parseYaml(manifest('IngressRoute', 'entryPoints: web\nroutes:\n- match: Host(`a`)\n  priority: "10"'));
    assert.equal(p.obj, undefined);
    const ep = expectDiag(p, 'error', 'spec.entryPoints', /expected a list, got the string "web"/);
    assert.equal(ep.source, 'test.yaml:7:16');
    assert.equal(ep.kind, 'IngressRoute');
    assert.equal(ep.namespace, 'default');
    assert.equal(ep.name, 'test');
    expectDiag(p, 'error', 'spec.routes[0].priority', /expected an integer, got the string "10" \(write 10, unquoted\)/);
  });

  it('reports missing required fields (routes, match, service name, tls options name)', () => {
    let p = parseYaml(manifest('IngressRoute', 'entryPoints: [web]'));
    expectDiag(p, 'error', 'spec.routes', /missing required field "routes"/);
    p = parseYaml(manifest('IngressRoute', 'routes:\n- kind: Rule\n  services:\n  - port: 80\ntls:\n  options: {namespace: x}'));
    expectDiag(p, 'error', 'spec.routes[0].match', /missing required field "match"/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].name', /missing required field "name"/);
    expectDiag(p, 'error', 'spec.tls.options.name', /missing required field "name"/);
    // A missing field is located at its nearest existing ancestor.
    assert.equal(p.errors.find((d) => d.field === 'spec.routes[0].match')?.source, 'test.yaml:8:5');
  });

  it('rejects bad enum values with a suggestion', () => {
    const p = parseYaml(
      manifest(
        'IngressRoute',
        `routes:
- match: Host(\`a\`)
  kind: rule
  observability: {traceVerbosity: verbose}
  services:
  - name: s
    port: 80
    kind: service
    strategy: roundrobin
    sticky: {cookie: {sameSite: strictest}}`,
      ),
    );
    expectDiag(p, 'error', 'spec.routes[0].kind', /unsupported value "rule": must be one of "Rule"; did you mean "Rule"\?/);
    expectDiag(p, 'error', 'spec.routes[0].observability.traceVerbosity', /must be one of "minimal", "detailed"/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].kind', /did you mean "Service"\?/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].strategy', /did you mean "RoundRobin"\?/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].sticky.cookie.sameSite', /unsupported value "strictest"/);
  });

  it('rejects bad durations but accepts fractions where Traefik\'s CRD has no pattern', () => {
    const p = parseYaml(
      manifest(
        'IngressRoute',
        `routes:
- match: Host(\`a\`)
  services:
  - name: s
    port: 80
    responseForwarding: {flushInterval: 100 ms}
    healthCheck: {interval: 1.5s, timeout: 5 seconds}
    passiveHealthCheck: {failureWindow: 1m30}`,
      ),
    );
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.routes[0].services[0].responseForwarding.flushInterval', /unknown unit|invalid duration/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].healthCheck.timeout', /duration/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].passiveHealthCheck.failureWindow', /missing unit in duration "1m30"/);
    assert.ok(!p.errors.some((d) => d.field?.endsWith('healthCheck.interval')), '1.5s is a valid paerser duration');
  });

  it('checks weight >= 0 and the priority maximum', () => {
    const p = parseYaml(manifest('IngressRoute', 'routes:\n- match: Host(`a`)\n  priority: 9223372036854775807\n  services:\n  - name: s\n    port: 80\n    weight: -1'));
    expectDiag(p, 'error', 'spec.routes[0].services[0].weight', /below the minimum 0/);
    expectDiag(p, 'error', 'spec.routes[0].priority', /above the maximum/);
  });

  it('warns on deprecated syntax, RoundRobin and quoted numeric ports, and keeps the object', () => {
    const p = parseYaml(
      manifest('IngressRoute', 'routes:\n- match: Host(`a`)\n  syntax: v2\n  services:\n  - name: s\n    port: "80"\n    strategy: RoundRobin'),
    );
    assert.ok(p.obj);
    assert.deepEqual(p.errors, []);
    expectDiag(p, 'warning', 'spec.routes[0].syntax', /deprecated: rewrite the rule in the v3 syntax/);
    expectDiag(p, 'warning', 'spec.routes[0].services[0].strategy', /"RoundRobin" is deprecated: use "wrr"/);
    expectDiag(p, 'warning', 'spec.routes[0].services[0].port', /port \*named\* "80"/);
  });

  it('rejects an invalid name (uppercase) with a suggestion', () => {
    const p = parseYaml(manifest('IngressRoute', 'routes:\n- match: Host(`a`)', { name: 'IngressRoute01' }));
    assert.equal(p.obj, undefined);
    const d = expectDiag(p, 'error', 'metadata.name', /invalid IngressRoute name "IngressRoute01": must be a lowercase RFC 1123 subdomain.*e\.g\. "ingressroute01"/);
    assert.equal(d.source, 'test.yaml:4:9');
  });
});
