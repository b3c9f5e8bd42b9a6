import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { main } from '../../../src/cli/main';
import { parseClientSpec, sanEntry } from '../../../src/cli/certs';
import { UsageError } from '../../../src/cli/common';
import { tmpDir } from './helpers';

function sink(): NodeJS.WritableStream & { text: string } {
  const s = { text: '', write(c: string | Uint8Array) { s.text += String(c); return true; } };
  return s as unknown as NodeJS.WritableStream & { text: string };
}

describe('ops: traefik-xds certs', () => {
  let dir: string;
  before(() => {
    dir = tmpDir('traefik-xds-certs-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('classifies SANs and validates client specs', () => {
    assert.equal(sanEntry('10.0.0.1').type, 7);
    assert.equal(sanEntry('::1').type, 7);
    assert.equal(sanEntry('spiffe://td/ns/a/sa/b').type, 6);
    assert.equal(sanEntry('xds.example.svc').type, 2);
    assert.throws(() => sanEntry('bad name!'), UsageError);
    assert.deepEqual(parseClientSpec('edge'), { name: 'edge', sans: ['spiffe://traefik-xds/node/edge'] });
    assert.deepEqual(parseClientSpec('app=spiffe://td/x, app.internal'), { name: 'app', sans: ['spiffe://td/x', 'app.internal'] });
    assert.throws(() => parseClientSpec('../x'), UsageError);
    assert.throws(() => parseClientSpec('x='), UsageError);
  });

  it('writes a CA, a server and client certificates that verify, keys private to the owner, and prints the matching config', async () => {
    const out = sink();
    const err = sink();
    const code = await main(['certs', '--out', dir, '--server-name', 'traefik-xds.system.svc', '--client', 'edge', '--client', 'inner=spiffe://td/ns/inner/sa/envoy,10.1.2.3'], out, err);
    assert.equal(code, 0, err.text);
    const ca = new X509Certificate(fs.readFileSync(path.join(dir, 'ca.crt')));
    assert.ok(ca.ca);
    const server = new X509Certificate(fs.readFileSync(path.join(dir, 'server.crt')));
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
    assert.equal(server.subjectAltName, 'DNS:traefik-xds.system.svc, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.ok(server.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'serverAuth');
    const inner = new X509Certificate(fs.readFileSync(path.join(dir, 'client-inner.crt')));
    assert.ok(inner.verify(ca.publicKey));
    assert.equal(inner.subjectAltName, 'URI:spiffe://td/ns/inner/sa/envoy, IP Address:10.1.2.3');
    assert.ok(inner.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'clientAuth');
    // Key and certificate pairs match (TLS accepts them).
    for (const n of ['server', 'client-edge', 'client-inner']) {
      tls.createSecureContext({ cert: fs.readFileSync(path.join(dir, `${n}.crt`)), key: fs.readFileSync(path.join(dir, `${n}.key`)) });
    }
    for (const f of ['ca.key', 'server.key', 'client-edge.key', 'client-inner.key']) assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
    assert.match(out.text, /clientCAFile: .*ca\.crt/);
    assert.match(out.text, /clientCertificate: \{san: "spiffe:\/\/traefik-xds\/node\/edge"\}/);
    assert.match(out.text, /bootstrap --server traefik-xds\.system\.svc:18000 .*--tls-ca/s);
    assert.ok(!out.text.includes('PRIVATE KEY'));
  });

  it('reuses the CA to add a client, and refuses to overwrite one without --force', async () => {
    const caBefore = fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8');
    const err = sink();
    assert.equal(await main(['certs', '--out', dir, '--client', 'extra'], sink(), err), 0, err.text);
    assert.equal(fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'), caBefore);
    const extra = new X509Certificate(fs.readFileSync(path.join(dir, 'client-extra.crt')));
    assert.ok(extra.verify(new X509Certificate(caBefore).publicKey));
    const err2 = sink();
    assert.equal(await main(['certs', '--out', dir, '--client', 'extra'], sink(), err2), 2);
    assert.match(err2.text, /client-extra\.crt exists/);
  });
});
