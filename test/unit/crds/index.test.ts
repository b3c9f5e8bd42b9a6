import assert from 'node:assert/strict';
import { Diagnostics } from '../../../src/model/diagnostics';
import { KIND_DEFINITIONS, KNOWN_KINDS, checkObjectName, parentPath, parseObject } from '../../../src/model/crds';
import type { RawObject } from '../../../src/sources/types';
import { expectDiag, manifest, parseRaw, parseYaml } from './helpers';

/** A minimal valid spec per Traefik kind. */
const MINIMAL: Record<string, string> = {
  IngressRoute: 'routes:\n- match: Host(`a`)',
  IngressRouteTCP: 'routes:\n- match: HostSNI(`*`)',
  IngressRouteUDP: 'routes:\n- services: [{name: a, port: 53}]',
  Middleware: 'addPrefix: {prefix: /a}',
  MiddlewareTCP: 'inFlightConn: {amount: 1}',
  TraefikService: 'weighted: {services: [{name: a, port: 80}]}',
  ServersTransport: '{}',
  ServersTransportTCP: '{}',
  TLSOption: '{}',
  TLSStore: '{}',
};

describe('crds/index: KNOWN_KINDS and parseObject', () => {
  it('lists the ten Traefik kinds in traefik.io, nine in traefik.containo.us, and the core kinds', () => {
    assert.deepEqual([...KNOWN_KINDS['traefik.io']].sort(), Object.keys(MINIMAL).sort());
    assert.deepEqual(
      [...KNOWN_KINDS['traefik.containo.us']].sort(),
      Object.keys(MINIMAL).filter((k) => k !== 'ServersTransportTCP').sort(),
    );
    assert.deepEqual([...KNOWN_KINDS.core].sort(), ['ConfigMap', 'Endpoints', 'Node', 'Secret', 'Service']);
    assert.deepEqual([...KNOWN_KINDS['discovery.k8s.io']], ['EndpointSlice']);
    for (const kinds of Object.values(KNOWN_KINDS)) for (const k of kinds) assert.ok(KIND_DEFINITIONS[k], k);
  });

  for (const group of ['traefik.io', 'traefik.containo.us'] as const) {
    for (const kind of KNOWN_KINDS[group]) {
      it(`${group}: ${kind} accepts a minimal spec, rejects an unknown spec field and a bad name`, () => {
        const ok = parseYaml(manifest(kind, MINIMAL[kind], { group }));
        assert.ok(ok.obj, `${kind} should parse`);
        assert.equal(ok.obj.group, group);
        assert.equal(ok.obj.kind, kind);
        assert.deepEqual(ok.errors, []);

        const unknown = parseYaml(manifest(kind, MINIMAL[kind] === '{}' ? 'bogusField: 1' : `${MINIMAL[kind]}\nbogusField: 1`, { group }));
        assert.equal(unknown.obj, undefined);
        expectDiag(unknown, 'error', 'spec.bogusField', /unknown field "bogusField"/);

        const badName = parseYaml(manifest(kind, MINIMAL[kind], { group, name: 'Bad_Name' }));
        assert.equal(badName.obj, undefined);
        expectDiag(badName, 'error', 'metadata.name', /invalid .* name "Bad_Name"/);
      });
    }
  }

  it('skips unknown kinds and versions with an info, suggesting known spellings', () => {
    let p = parseYaml('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: traefik}\n');
    assert.equal(p.obj, undefined);
    assert.deepEqual(p.errors, []);
    const d = expectDiag(p, 'info', undefined, /^kind Deployment \(apiVersion apps\/v1\) is not read by traefik-xds; skipped$/);
    assert.equal(d.kind, 'Deployment');
    assert.equal(d.name, 'traefik');
    assert.equal(d.source, 'test.yaml:1:1');

    p = parseYaml(manifest('IngressRoute', MINIMAL.IngressRoute).replace('traefik.io/v1alpha1', 'traefik.io/v1beta1'));
    expectDiag(p, 'info', undefined, /apiVersion traefik.io\/v1beta1\) is not read.*reads IngressRoute as traefik.io\/v1alpha1 or traefik.containo.us\/v1alpha1/);

    p = parseYaml(manifest('Ingressroute', MINIMAL.IngressRoute));
    expectDiag(p, 'info', undefined, /kind Ingressroute .*did you mean IngressRoute\?/);

    // Ingress is read now (the Kubernetes Ingress provider); an API group it never lived in is still skipped.
    p = parseYaml('apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec: {}\n');
    assert.ok(p.obj, 'networking.k8s.io/v1 Ingress is read');
    p = parseYaml('apiVersion: batch/v1\nkind: Ingress\nmetadata: {name: x}\n');
    expectDiag(p, 'info', undefined, /kind Ingress \(apiVersion batch\/v1\) is not read/);
  });

  it('requires metadata.name (generateName is not supported) and apiVersion/kind', () => {
    let p = parseYaml('apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata: {generateName: mw-}\nspec: {addPrefix: {prefix: /a}}\n');
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'metadata.name', /missing required field "name" \(generateName is not supported/);
    p = parseYaml('kind: Middleware\nmetadata: {name: a}\nspec: {}\n');
    expectDiag(p, 'error', 'apiVersion', /missing apiVersion/);
    p = parseYaml('apiVersion: v1\nmetadata: {name: a}\n');
    expectDiag(p, 'error', 'kind', /missing kind/);
  });

  it('validates the namespace and the label/annotation values', () => {
    const p = parseYaml(`apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: a
  namespace: My.Namespace
  labels: {version: 2}
  annotations: {enabled: true}
spec: {addPrefix: {prefix: /a}}
`);
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'metadata.namespace', /RFC 1123 label/);
    expectDiag(p, 'error', 'metadata.labels.version', /expected a string, got the integer 2 \(quote it: "2"\)/);
    expectDiag(p, 'error', 'metadata.annotations.enabled', /quote it/);
  });

  it('reports every error of a dropped object, and keeps objects that only have warnings', () => {
    const p = parseYaml(manifest('IngressRoute', 'routes:\n- kind: Rules\n  priority: x\n  syntax: v2', { name: 'Bad' }));
    assert.equal(p.obj, undefined);
    assert.deepEqual(p.errors.map((e) => e.field).sort(), ['metadata.name', 'spec.routes[0].kind', 'spec.routes[0].match', 'spec.routes[0].priority']);
    assert.equal(p.warnings.length, 1);
  });

  it('works without positions (objects from the API) and with origin only', () => {
    const body = { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: { name: 'a' }, spec: { addPrefix: { prefix: 1 } } };
    const raw: RawObject = { apiVersion: body.apiVersion, kind: body.kind, metadata: body.metadata, body };
    const d = new Diagnostics();
    assert.equal(parseObject(raw, d), undefined);
    assert.equal(d.items.length, 1);
    assert.equal(d.items[0].source, undefined);
    assert.equal(d.items[0].namespace, 'default');
    const p = parseRaw({ ...raw, origin: { file: 'x.yaml', line: 7 } });
    assert.equal(p.errors[0].source, 'x.yaml:7:1');
  });

  it('returns a typed object without nulls', () => {
    const p = parseYaml(manifest('IngressRoute', 'entryPoints: null\nroutes:\n- match: Host(`a`)\n  middlewares:\ntls:'));
    assert.ok(p.obj);
    assert.deepEqual(p.obj.spec, { routes: [{ match: 'Host(`a`)' }] });
    expectDiag(p, 'warning', 'spec.tls', /write "tls: \{\}"/);
  });

  it('checks names with the Kubernetes rules', () => {
    assert.equal(checkObjectName('ingressroute.tcp', 'subdomain'), undefined);
    assert.match(checkObjectName('IngressRoute01', 'subdomain')!, /e\.g\. "ingressroute01"/);
    assert.match(checkObjectName('a'.repeat(254), 'subdomain')!, /253/);
    assert.equal(checkObjectName('whoami-1', 'label1035'), undefined);
    assert.match(checkObjectName('1whoami', 'label1035')!, /RFC 1035/);
    assert.match(checkObjectName('a.b', 'label1123')!, /RFC 1123 label/);
  });

  it('walks field paths up to their parents', () => {
    assert.equal(parentPath('spec.routes[0].services[1].port'), 'spec.routes[0].services[1]');
    assert.equal(parentPath('spec.routes[0]'), 'spec.routes');
    assert.equal(parentPath('data["tls.crt"]'), 'data');
    assert.equal(parentPath('spec'), '');
  });
});
