import assert from 'node:assert/strict';
import type { ServersTransportObj, ServersTransportTCPObj } from '../../../src/model/crds/types';
import { expectClean, expectDiag, manifest, parseYaml } from './helpers';

describe('crds/ServersTransport', () => {
  it('accepts a full example with every current field', () => {
    const obj = expectClean(
      manifest(
        'ServersTransport',
        `serverName: example.org
insecureSkipVerify: false
rootCAs:
- secret: ca-secret
- configMap: ca-configmap
certificatesSecrets: [client-cert]
cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
minVersion: VersionTLS12
maxVersion: VersionTLS13
maxIdleConnsPerHost: -1
forwardingTimeouts:
  dialTimeout: 42s
  responseHeaderTimeout: 42
  idleConnTimeout: 1m30s
  readIdleTimeout: 42s
  pingTimeout: 500ms
disableHTTP2: true
peerCertSANs:
- {type: DNSName, value: backend.local}
- {type: URI, value: spiffe://cluster/ns/x}
spiffe:
  ids: [spiffe://trust-domain/id1]
  trustDomain: spiffe://trust-domain`,
        { name: 'mytransport' },
      ),
    ) as ServersTransportObj;
    assert.equal(obj.spec.forwardingTimeouts?.responseHeaderTimeout, 42);
    assert.equal(obj.spec.rootCAs?.[1].configMap, 'ca-configmap');
  });

  it('accepts the seed examples (traefik.io and traefik.containo.us)', () => {
    expectClean(manifest('ServersTransport', 'serverName: example.org\ninsecureSkipVerify: true', { name: 'mytransport' }));
    const p = parseYaml(
      manifest(
        'ServersTransport',
        `serverName: foobar
insecureSkipVerify: true
rootCAsSecrets:
  - foobar
  - foobar
certificatesSecrets:
  - foobar
  - foobar
maxIdleConnsPerHost: 1
forwardingTimeouts:
  dialTimeout: 42s
  responseHeaderTimeout: 42s
  idleConnTimeout: 42s
  readIdleTimeout: 42s
  pingTimeout: 42s
peerCertURI: foobar
disableHTTP2: true`,
        { group: 'traefik.containo.us', name: 'mytransport' },
      ),
    );
    assert.ok(p.obj);
    assert.deepEqual(p.errors, []);
    expectDiag(p, 'warning', 'spec.rootCAsSecrets', /use rootCAs\[\]\.secret instead/);
    expectDiag(p, 'warning', 'spec.peerCertURI', /use peerCertSANs/);
  });

  it('suggests rootCAs for the seed spelling "rootcas"', () => {
    const p = parseYaml(manifest('ServersTransport', 'rootcas: [{secret: ca}]'));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.rootcas', /unknown field "rootcas"; did you mean "rootCAs"\? \(names are case-sensitive\)/);
  });

  it('rejects a rootCA with both secret and configMap, bad durations, wrong types and out-of-range values', () => {
    const p = parseYaml(
      manifest(
        'ServersTransport',
        `rootCAs: [{secret: a, configMap: b}]
maxIdleConnsPerHost: -2
insecureSkipVerify: "false"
forwardingTimeouts:
  dialTimeout: 1.5s
  idleConnTimeout: 90 s
  pingTimeout: -15s`,
      ),
    );
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.rootCAs[0]', /cannot have both Secret and ConfigMap/);
    expectDiag(p, 'error', 'spec.maxIdleConnsPerHost', /below the minimum -1/);
    expectDiag(p, 'error', 'spec.insecureSkipVerify', /write false, unquoted/);
    expectDiag(p, 'error', 'spec.forwardingTimeouts.dialTimeout', /write "1500ms"/);
    expectDiag(p, 'error', 'spec.forwardingTimeouts.idleConnTimeout', /invalid duration/);
    expectDiag(p, 'error', 'spec.forwardingTimeouts.pingTimeout', /integer number of seconds: -15/);
  });
});

describe('crds/ServersTransportTCP', () => {
  it('accepts a full example with every field', () => {
    const obj = expectClean(
      manifest(
        'ServersTransportTCP',
        `dialTimeout: 30s
dialKeepAlive: 15
proxyProtocol: {version: 2}
terminationDelay: -1
tls:
  serverName: db.local
  insecureSkipVerify: false
  rootCAs: [{secret: ca}]
  certificatesSecrets: [client]
  peerCertSANs: [{type: DNSName, value: db.local}]
  spiffe: {ids: [spiffe://td/db], trustDomain: spiffe://td}`,
      ),
    ) as ServersTransportTCPObj;
    assert.equal(obj.spec.terminationDelay, -1);
  });

  it('warns on deprecated tls.rootCAsSecrets and tls.peerCertURI', () => {
    const p = parseYaml(manifest('ServersTransportTCP', 'tls:\n  rootCAsSecrets: [ca]\n  peerCertURI: spiffe://x'));
    assert.ok(p.obj);
    expectDiag(p, 'warning', 'spec.tls.rootCAsSecrets', /rootCAs/);
    expectDiag(p, 'warning', 'spec.tls.peerCertURI', /peerCertSANs/);
  });

  it('rejects bad durations (negative strings), HTTP-only fields and proxy protocol versions', () => {
    const p = parseYaml(manifest('ServersTransportTCP', 'terminationDelay: "-100ms"\nforwardingTimeouts: {dialTimeout: 1s}\nproxyProtocol: {version: 0}'));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.terminationDelay', /invalid duration "-100ms"/);
    expectDiag(p, 'error', 'spec.forwardingTimeouts', /unknown field "forwardingTimeouts"/);
    expectDiag(p, 'error', 'spec.proxyProtocol.version', /below the minimum 1/);
  });

  it('exists only in traefik.io: traefik.containo.us objects are skipped with an info', () => {
    const p = parseYaml(manifest('ServersTransportTCP', 'dialTimeout: 30s', { group: 'traefik.containo.us' }));
    assert.equal(p.obj, undefined);
    assert.deepEqual(p.errors, []);
    expectDiag(p, 'info', undefined, /kind ServersTransportTCP \(apiVersion traefik.containo.us\/v1alpha1\) is not read by traefik-xds; skipped \(traefik-xds reads ServersTransportTCP as traefik.io\/v1alpha1\)/);
  });
});
