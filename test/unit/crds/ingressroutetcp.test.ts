import assert from 'node:assert/strict';
import type { IngressRouteTCPObj, IngressRouteUDPObj } from '../../../src/model/crds/types';
import { expectClean, expectDiag, manifest, parseYaml } from './helpers';

describe('crds/IngressRouteTCP', () => {
  it('accepts a full example with every field', () => {
    const obj = expectClean(
      manifest(
        'IngressRouteTCP',
        `ingressClassName: traefik
entryPoints: [tcpep]
routes:
- match: HostSNI(\`db.example.com\`)
  priority: 5
  middlewares:
  - name: limit
    namespace: default
  services:
  - name: postgres
    namespace: default
    port: 5432
    weight: 2
    serversTransport: tcp-transport
    tls: true
    nativeLB: false
    nodePortLB: true
tls:
  secretName: db-cert
  passthrough: false
  options: {name: opt, namespace: default}
  store: {name: default}
  certResolver: le
  domains:
  - main: db.example.com
    sans: [db2.example.com]`,
        { name: 'ingressroute.tcp' },
      ),
    ) as IngressRouteTCPObj;
    assert.equal(obj.spec.routes[0].services?.[0].port, 5432);
    assert.equal(obj.spec.tls?.options?.name, 'opt');
  });

  it('accepts the seed example in traefik.containo.us', () => {
    const p = parseYaml(
      manifest('IngressRouteTCP', 'entryPoints:\n  - tcpep\nroutes:\n- match: HostSNI(`bar`)\n  services:\n    - name: whoamitcp\n      port: 8080', {
        group: 'traefik.containo.us',
        name: 'ingressroute.tcp',
      }),
    );
    assert.ok(p.obj);
    assert.deepEqual(p.errors, []);
  });

  it('requires match, service name and port', () => {
    const p = parseYaml(manifest('IngressRouteTCP', 'routes:\n- services:\n  - weight: 1'));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.routes[0].match', /missing required field "match"/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].name', /missing required field "name"/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].port', /missing required field "port"/);
  });

  it('rejects unknown fields (no kind on TCP services), wrong types and bad enums', () => {
    const p = parseYaml(
      manifest('IngressRouteTCP', 'routes:\n- match: HostSNI(`*`)\n  syntax: v1\n  services:\n  - name: s\n    port: 80\n    kind: Service\n    tls: "true"\ntls:\n  passThrough: true'),
    );
    expectDiag(p, 'error', 'spec.routes[0].services[0].kind', /unknown field "kind"$/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].tls', /expected a boolean, got the string "true"/);
    expectDiag(p, 'error', 'spec.routes[0].syntax', /must be one of "v3", "v2"/);
    expectDiag(p, 'error', 'spec.tls.passThrough', /did you mean "passthrough"\? \(names are case-sensitive\)/);
  });

  it('warns on deprecated terminationDelay, proxyProtocol and syntax (seed example), keeping the object', () => {
    const p = parseYaml(
      manifest(
        'IngressRouteTCP',
        `routes:
- match: HostSNI(\`*\`)
  syntax: v2
  services:
  - name: foo
    port: 8080
    weight: 10
    terminationDelay: 400
    proxyProtocol:
      version: 1`,
      ),
    );
    assert.ok(p.obj);
    expectDiag(p, 'warning', 'spec.routes[0].services[0].terminationDelay', /ServersTransportTCP/);
    expectDiag(p, 'warning', 'spec.routes[0].services[0].proxyProtocol', /ServersTransportTCP/);
    expectDiag(p, 'warning', 'spec.routes[0].syntax', /v3 syntax/);
  });

  it('checks the proxyProtocol version range', () => {
    const p = parseYaml(manifest('IngressRouteTCP', 'routes:\n- match: HostSNI(`*`)\n  services:\n  - {name: s, port: 1, proxyProtocol: {version: 3}}'));
    expectDiag(p, 'error', 'spec.routes[0].services[0].proxyProtocol.version', /above the maximum 2/);
  });

  it('rejects an invalid name', () => {
    const p = parseYaml(manifest('IngressRouteTCP', 'routes:\n- match: HostSNI(`*`)', { name: 'tcp_route' }));
    expectDiag(p, 'error', 'metadata.name', /RFC 1123 subdomain.*e\.g\. "tcp-route"/);
  });
});

describe('crds/IngressRouteUDP', () => {
  it('accepts a full example with every field', () => {
    const obj = expectClean(
      manifest(
        'IngressRouteUDP',
        `ingressClassName: traefik
entryPoints: [fooudp]
routes:
- services:
  - name: foo
    namespace: default
    port: 8080
    weight: 10
    nativeLB: true
    nodePortLB: false
  - name: bar
    port: dns`,
        { name: 'ingressrouteudpfoo' },
      ),
    ) as IngressRouteUDPObj;
    assert.equal(obj.spec.routes[0].services?.[1].port, 'dns');
  });

  it('accepts traefik.containo.us', () => {
    const p = parseYaml(manifest('IngressRouteUDP', 'routes:\n- services:\n  - {name: a, port: 53}', { group: 'traefik.containo.us' }));
    assert.ok(p.obj);
  });

  it('requires port although a seed example omits it for ExternalName services (the CRD requires it)', () => {
    const p = parseYaml(manifest('IngressRouteUDP', 'entryPoints:\n  - foo\nroutes:\n- services:\n  - name: external-svc', { name: 'test.route' }));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.routes[0].services[0].port', /missing required field "port"/);
  });

  it('rejects rule fields UDP does not have, and wrong types', () => {
    const p = parseYaml(manifest('IngressRouteUDP', 'routes:\n- match: HostSNI(`*`)\n  services:\n  - {name: a, port: 53, weight: "1"}'));
    expectDiag(p, 'error', 'spec.routes[0].match', /unknown field "match"/);
    expectDiag(p, 'error', 'spec.routes[0].services[0].weight', /expected an integer/);
  });
});
