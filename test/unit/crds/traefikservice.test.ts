import assert from 'node:assert/strict';
import type { TraefikServiceObj } from '../../../src/model/crds/types';
import { expectClean, expectDiag, manifest, parseYaml } from './helpers';

describe('crds/TraefikService', () => {
  it('accepts a full weighted example', () => {
    const obj = expectClean(
      manifest(
        'TraefikService',
        `weighted:
  services:
  - name: svc1
    port: 80
    weight: 1
    sticky: {cookie: {name: lvl2}}
  - name: wrr2
    kind: TraefikService
    weight: 2
  sticky:
    cookie:
      name: lvl1
      secure: true
      httpOnly: true
      sameSite: Strict
      maxAge: 10
      path: /app
      domain: example.com`,
        { name: 'wrr1' },
      ),
    ) as TraefikServiceObj;
    assert.equal(obj.spec.weighted?.services?.length, 2);
    assert.equal(obj.spec.weighted?.sticky?.cookie?.sameSite, 'Strict');
  });

  it('accepts a full mirroring example (main service inline)', () => {
    const obj = expectClean(
      manifest(
        'TraefikService',
        `mirroring:
  name: whoami
  port: 80
  kind: Service
  mirrorBody: false
  maxBodySize: 1024
  mirrors:
  - name: whoami2
    port: 8080
    percent: 20
  - name: mirror2
    kind: TraefikService
    percent: 10`,
        { name: 'mirror1' },
      ),
    ) as TraefikServiceObj;
    assert.equal(obj.spec.mirroring?.name, 'whoami');
    assert.equal(obj.spec.mirroring?.mirrors?.[0].percent, 20);
  });

  it('accepts highestRandomWeight and failover', () => {
    expectClean(manifest('TraefikService', 'highestRandomWeight:\n  services:\n  - {name: a, port: 80, weight: 2}\n  - {name: b, port: 80}'));
    const obj = expectClean(
      manifest(
        'TraefikService',
        `failover:
  service: {name: main, port: 80, healthCheck: {path: /health, interval: 10s}}
  fallback: {name: backup, kind: TraefikService}
  errors:
    status: ["500-599"]
    maxRequestBodyBytes: -1`,
      ),
    ) as TraefikServiceObj;
    assert.equal(obj.spec.failover?.fallback.kind, 'TraefikService');
  });

  it('accepts the seed v2 example (traefik.containo.us) with RoundRobin deprecation warnings', () => {
    const p = parseYaml(
      manifest('TraefikService', 'weighted:\n  services:\n    - name: svc1\n      port: 80\n      weight: 1\n      strategy: RoundRobin', {
        group: 'traefik.containo.us',
        name: 'wrr1',
      }),
    );
    assert.ok(p.obj);
    assert.deepEqual(p.errors, []);
    expectDiag(p, 'warning', 'spec.weighted.services[0].strategy', /use "wrr"/);
  });

  it('rejects an empty spec ("unspecified service type") and warns when several types are set', () => {
    let p = parseYaml(manifest('TraefikService', '{}'));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec', /unspecified service type/);
    p = parseYaml(manifest('TraefikService', 'weighted: {services: [{name: a, port: 80}]}\nmirroring: {name: b, port: 80}'));
    assert.ok(p.obj);
    expectDiag(p, 'warning', 'spec', /only weighted is used/);
  });

  it('reports missing required fields', () => {
    let p = parseYaml(manifest('TraefikService', 'mirroring:\n  port: 80\n  mirrors: [{percent: 10}]'));
    expectDiag(p, 'error', 'spec.mirroring.name', /missing required field "name"/);
    expectDiag(p, 'error', 'spec.mirroring.mirrors[0].name', /missing required field "name"/);
    p = parseYaml(manifest('TraefikService', 'failover:\n  service: {name: a, port: 80}'));
    expectDiag(p, 'error', 'spec.failover.fallback', /missing required field "fallback"/);
    expectDiag(p, 'error', 'spec.failover.errors', /missing required field "errors"/);
  });

  it('rejects bad enums, percents, unknown fields and durations', () => {
    const p = parseYaml(
      manifest(
        'TraefikService',
        `weighted:
  services:
  - name: a
    port: 80
    kind: TraefikServices
    passiveHealthCheck: {failureWindow: 10 s}
  stickyness: {}`,
      ),
    );
    expectDiag(p, 'error', 'spec.weighted.services[0].kind', /did you mean "TraefikService"\?/);
    expectDiag(p, 'error', 'spec.weighted.services[0].passiveHealthCheck.failureWindow', /duration/);
    expectDiag(p, 'error', 'spec.weighted.stickyness', /did you mean "sticky"\?/);
    const q = parseYaml(manifest('TraefikService', 'mirroring: {name: a, port: 80, mirrors: [{name: b, port: 80, percent: 101}]}'));
    expectDiag(q, 'error', 'spec.mirroring.mirrors[0].percent', /above the maximum 100/);
  });

  it('rejects an invalid name', () => {
    const p = parseYaml(manifest('TraefikService', 'weighted: {services: [{name: a, port: 80}]}', { name: '-wrr' }));
    expectDiag(p, 'error', 'metadata.name', /RFC 1123 subdomain/);
  });
});
