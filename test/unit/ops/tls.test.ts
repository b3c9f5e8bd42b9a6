import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReloadingCertificateProvider, TlsConfigError, envoyXdsTransportSocket, isLoopbackHost, logCertificateExpiry, transportDecision } from '../../../src/xds/tls';
import { issue } from '../../../src/cli/certs';
import { buildBootstrap } from '../../../src/cli/bootstrap';
import { captureLog, pemBodyLines, testPki, tmpDir } from './helpers';

describe('ops: xDS transport policy', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['', '0.0.0.0', '::', '10.0.0.1', 'xds.example', '::ffff:10.0.0.1']) assert.ok(!isLoopbackHost(h), h);
  });

  it('TLS when configured, mTLS with a client CA', () => {
    assert.equal(transportDecision({ tls: { certFile: 'a', keyFile: 'b' }, insecure: false }, '0.0.0.0').mode, 'tls');
    assert.equal(transportDecision({ tls: { certFile: 'a', keyFile: 'b', clientCAFile: 'c' }, insecure: false }, '').mode, 'mtls');
  });

  it('plaintext on loopback without a word; elsewhere refused unless xds.insecure, which warns', () => {
    assert.deepEqual(transportDecision({ insecure: false }, '127.0.0.1'), { mode: 'plaintext' });
    const refused = transportDecision({ insecure: false }, '0.0.0.0');
    assert.match(refused.error!, /refusing to serve plaintext xDS on every interface.*xds\.tls.*xds\.insecure/s);
    const allowed = transportDecision({ insecure: true }, '10.1.2.3');
    assert.equal(allowed.error, undefined);
    assert.match(allowed.warning!, /PLAINTEXT xDS on 10\.1\.2\.3/);
  });
});

describe('ops: server certificate loading and reload', () => {
  const p = testPki();
  let dir: string;
  beforeEach(() => {
    dir = tmpDir('traefik-xds-tls-');
    fs.copyFileSync(p.file('server.crt'), path.join(dir, 'tls.crt'));
    fs.copyFileSync(p.file('server.key'), path.join(dir, 'tls.key'));
    fs.copyFileSync(p.file('ca.crt'), path.join(dir, 'ca.crt'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cfg = () => ({ certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key'), clientCAFile: path.join(dir, 'ca.crt') });

  it('refuses at startup a missing file, a key that does not match, or a bad CA, without printing key material', () => {
    assert.throws(() => new ReloadingCertificateProvider({ ...cfg(), certFile: path.join(dir, 'nope.crt') }), (e: Error) => e instanceof TlsConfigError && /nope\.crt: ENOENT/.test(e.message));
    fs.writeFileSync(path.join(dir, 'tls.key'), p.clients.edge.keyPem);
    assert.throws(() => new ReloadingCertificateProvider(cfg()), (e: Error) => {
      assert.ok(e instanceof TlsConfigError);
      assert.match(e.message, /keyFile .*tls\.key: does not match the certificate|is not a usable/);
      assert.deepEqual(pemBodyLines(p.clients.edge.keyPem).filter((l) => e.message.includes(l)), []);
      return true;
    });
    fs.copyFileSync(p.file('server.key'), path.join(dir, 'tls.key'));
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'not a certificate');
    assert.throws(() => new ReloadingCertificateProvider(cfg()), /clientCAFile .*not a PEM CA certificate/);
  });

  it('delivers the material to listeners on the next tick, then only valid changes', async () => {
    const log = captureLog();
    const prov = new ReloadingCertificateProvider(cfg(), log, 0);
    const got: string[] = [];
    prov.addIdentityCertificateListener((u) => got.push(u!.certificate.toString()));
    prov.addCaCertificateListener((u) => got.push(`ca:${u!.caCertificate.length}`));
    assert.deepEqual(got, [], 'not synchronously (grpc-js registers its watcher just after)');
    await new Promise((r) => setImmediate(r));
    assert.equal(got.length, 2);
    assert.equal(got[0], p.server.certPem);
    assert.equal(prov.refresh(), false, 'unchanged files');

    // A renewal caught half-way (new certificate, old key) is not installed.
    const renewed = issue(p.ca, { commonName: 'xds2', sans: ['localhost', '127.0.0.1'], usage: 'server', days: 2 });
    fs.writeFileSync(path.join(dir, 'tls.crt'), renewed.certPem);
    assert.equal(prov.refresh(), false);
    assert.equal(got.length, 2);
    assert.equal(log.lines.filter((l) => l.level === 'error').length, 1);
    prov.refresh();
    assert.equal(log.lines.filter((l) => l.level === 'error').length, 1, 'the same problem is logged once');

    // Completed: installed, listeners told, reload counted.
    let reloaded = 0;
    prov.onReload = () => reloaded++;
    fs.writeFileSync(path.join(dir, 'tls.key'), renewed.keyPem);
    assert.equal(prov.refresh(), true);
    assert.equal(got[2], renewed.certPem);
    assert.equal(reloaded, 1);
    assert.equal(prov.reloads, 1);
    assert.ok(log.lines.some((l) => l.msg === 'xds tls: certificate reloaded'));
    assert.deepEqual(pemBodyLines(renewed.keyPem).filter((l) => log.text().includes(l)), []);
    prov.close();
  });
});

describe('ops: server certificate expiry', () => {
  it('errors when expired, warns within a week, says nothing otherwise', () => {
    const log = captureLog();
    const now = Date.parse('2030-01-10T00:00:00Z');
    logCertificateExpiry(log, 'a.crt', 'Jan  9 00:00:00 2030 GMT', now);
    logCertificateExpiry(log, 'b.crt', 'Jan 12 00:00:00 2030 GMT', now);
    logCertificateExpiry(log, 'c.crt', 'Mar  1 00:00:00 2030 GMT', now);
    assert.deepEqual(log.lines.map((l) => `${l.level} ${l.certFile}`), ['error a.crt', 'warn b.crt']);
    assert.equal(log.lines[1].days, 2);
  });
});

describe('ops: Envoy side of xDS TLS (bootstrap)', () => {
  it('builds an UpstreamTlsContext with the CA, the client pair and the server name', () => {
    const ts = envoyXdsTransportSocket({ caFile: '/tls/ca.crt', certFile: '/tls/tls.crt', keyFile: '/tls/tls.key', serverName: 'traefik-xds.system.svc' }) as any;
    assert.equal(ts.name, 'envoy.transport_sockets.tls');
    assert.equal(ts.typed_config.sni, 'traefik-xds.system.svc');
    assert.deepEqual(ts.typed_config.common_tls_context.tls_certificates, [{ certificate_chain: { filename: '/tls/tls.crt' }, private_key: { filename: '/tls/tls.key' } }]);
    assert.deepEqual(ts.typed_config.common_tls_context.validation_context.match_typed_subject_alt_names, [{ san_type: 'DNS', matcher: { exact: 'traefik-xds.system.svc' } }]);
    assert.throws(() => envoyXdsTransportSocket({ caFile: 'a', certFile: 'b' }), /together/);
  });

  it('bootstrap --tls-* puts it on xds_cluster, in Envoy\'s canonical form; an IP server is matched as an IP SAN without SNI', () => {
    const b = buildBootstrap({ server: '10.0.0.5:18000', nodeId: 'n', nodeCluster: 'edge', tls: { caFile: '/ca.crt', certFile: '/c.crt', keyFile: '/c.key' } }) as any;
    const ts = b.static_resources.clusters[0].transport_socket;
    assert.equal(ts.typed_config['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
    assert.equal(ts.typed_config.sni, undefined);
    assert.deepEqual(ts.typed_config.common_tls_context.validation_context.match_typed_subject_alt_names, [{ san_type: 'IP_ADDRESS', matcher: { exact: '10.0.0.5' } }]);
    const plain = buildBootstrap({ server: '10.0.0.5:18000', nodeId: 'n', nodeCluster: 'edge' }) as any;
    assert.equal(plain.static_resources.clusters[0].transport_socket, undefined);
  });
});
