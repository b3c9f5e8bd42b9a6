// xDS over mTLS end to end: certificates from `certs`, the real serve loop, grpc-js clients with and without
// certificates, nodes claiming fleets they are (not) entitled to, SDS per fleet, and certificate reload.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { startServe, type Running } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { issue } from '../../src/cli/certs';
import { runDumpCommand } from '../../src/cli/dump';
import { OpsClient, TYPE, captureLog, clientCreds, httpGet, node, testPki, tlsManifests, tmpDir, waitFor, type Pki } from '../unit/ops/helpers';

type Json = Record<string, any>;

function configText(p: Pki, tlsDir: string, mtls = true): string {
  return `
entryPoints:
  web: {address: ":8080"}
  websecure: {address: ":8443"}
xds:
  tls:
    certFile: ${path.join(tlsDir, 'tls.crt')}
    keyFile: ${path.join(tlsDir, 'tls.key')}
${mtls ? `    clientCAFile: ${p.file('ca.crt')}` : ''}
fleets:
  - name: edge
    match: {nodeCluster: edge}
    entryPoints: [web, websecure]
    clientCertificate: {san: "spiffe://test.local/ns/edge/*"}
  - name: inner
    match: {nodeCluster: inner}
    entryPoints: [web]
    clientCertificate: {san: "*.nodes.test.local"}
`;
}

function secretNames(lds: Json): string[] {
  const out = new Set<string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (k === 'tls_certificate_sds_secret_configs') for (const c of v as Json[]) out.add(c.name);
        walk(v);
      }
    }
  };
  walk(lds.resources);
  return [...out].sort();
}

async function subscribe(c: OpsClient, id: string, cluster: string): Promise<{ cds: Json; lds: Json }> {
  c.send({ node: node(id, cluster), type_url: TYPE.cds });
  const cds = await c.next();
  c.send({ type_url: TYPE.cds, version_info: cds.version_info, response_nonce: cds.nonce });
  c.send({ type_url: TYPE.lds });
  const lds = await c.next();
  c.send({ type_url: TYPE.lds, version_info: lds.version_info, response_nonce: lds.nonce });
  return { cds, lds };
}

describe('ops e2e: xDS over mTLS', function () {
  this.timeout(30000);
  const p = testPki();
  const site = issue(p.ca, { commonName: 'site.example.com', sans: ['site.example.com'], usage: 'server', days: 2 });
  let dir: string;
  let tlsDir: string;
  let run: Running;
  const log = captureLog();
  const clients: OpsClient[] = [];
  let address: string;
  const connect = (creds: grpc.ChannelCredentials) => {
    const c = new OpsClient(address, creds);
    clients.push(c);
    return c;
  };

  before(async () => {
    dir = tmpDir('traefik-xds-mtls-');
    tlsDir = tmpDir('traefik-xds-mtls-files-');
    fs.copyFileSync(p.file('server.crt'), path.join(tlsDir, 'tls.crt'));
    fs.copyFileSync(p.file('server.key'), path.join(tlsDir, 'tls.key'));
    fs.writeFileSync(path.join(dir, 'site.yaml'), tlsManifests(site));
    const { config, diagnostics } = loadStaticConfig({ text: configText(p, tlsDir) });
    assert.deepEqual(diagnostics.items.filter((d) => d.severity === 'error'), []);
    run = await startServe({ config, paths: [dir], log, address: '127.0.0.1:0', adminAddress: '127.0.0.1:0', watch: false, tlsRefreshMs: 100 });
    address = `localhost:${run.port}`;
  });

  after(async () => {
    for (const c of clients) c.close();
    await run?.stop(500);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(tlsDir, { recursive: true, force: true });
  });

  it('serves a node whose certificate matches its fleet, with the secrets its listeners use', async () => {
    const c = connect(clientCreds(p, 'edge'));
    const { lds } = await subscribe(c, 'edge-1', 'edge');
    assert.deepEqual(lds.resources.map((l: Json) => l.name).sort(), ['web', 'websecure']);
    const names = secretNames(lds);
    assert.ok(names.some((n) => n.includes('site-tls')), names.join(','));
    c.send({ type_url: TYPE.sds, resource_names: names });
    const sds = await c.next();
    assert.deepEqual(sds.resources.map((s: Json) => s.name), names);
    const siteSecret = sds.resources.find((x: Json) => x.name.includes('site-tls'));
    assert.equal(siteSecret.tls_certificate.private_key.inline_string, site.keyPem, 'the key reaches the entitled node');
    assert.equal(run.registry.list().find((x) => x.node.id === 'edge-1')?.fleet.key, 'edge/envoy');
  });

  it('`dump --tls-ca --tls-cert --tls-key` reads the fleet over mTLS; without a certificate it fails (exit 1)', async () => {
    const { PassThrough } = await import('node:stream');
    const run1 = async (args: Record<string, unknown>) => {
      const out = new PassThrough();
      const err = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d));
      err.resume();
      const code = await runDumpCommand({ server: address, nodeId: 'dump-1', nodeCluster: 'edge', type: 'lds', timeout: 5, output: 'json', ...args } as any, out, err);
      return { code, text };
    };
    const ok = await run1({ tlsCa: p.file('ca.crt'), tlsCert: p.file('edge.crt'), tlsKey: p.file('edge.key') });
    assert.equal(ok.code, 0);
    assert.deepEqual(JSON.parse(ok.text).listeners.map((l: Json) => l.name).sort(), ['web', 'websecure']);
    const refused = await run1({ tlsCa: p.file('ca.crt'), timeout: 2 });
    assert.equal(refused.code, 1);
  });

  it('refuses a client without a certificate, with one from another CA, and plaintext', async () => {
    const noCert = connect(clientCreds(p));
    noCert.send({ node: node('anon', 'edge'), type_url: TYPE.cds });
    assert.equal((await noCert.failure()).code, grpc.status.UNAVAILABLE);
    const stranger = connect(clientCreds(p, 'stranger'));
    stranger.send({ node: node('stranger', 'edge'), type_url: TYPE.cds });
    assert.equal((await stranger.failure()).code, grpc.status.UNAVAILABLE);
    const plain = connect(grpc.credentials.createInsecure());
    plain.send({ node: node('plain', 'edge'), type_url: TYPE.cds });
    assert.equal((await plain.failure()).code, grpc.status.UNAVAILABLE);
    assert.ok(!run.registry.list().some((x) => ['anon', 'stranger', 'plain'].includes(x.node.id)));
    await waitFor(() => log.lines.some((l) => l.msg === 'xds tls: handshake failed'), 3000, 'a handshake failure log');
    const metrics = await httpGet(run.adminPort!, '/metrics');
    assert.match(metrics.body, /traefik_xds_tls_handshake_failures_total [1-9]/);
  });

  it('answers PERMISSION_DENIED to a node claiming a fleet it is not entitled to, and logs it', async () => {
    const c = connect(clientCreds(p, 'edge'));
    c.send({ node: node('edge-pretending', 'inner'), type_url: TYPE.cds });
    const err = await c.failure();
    assert.equal(err.code, grpc.status.PERMISSION_DENIED);
    assert.match(err.details, /not allowed in fleet "inner"/);
    const line = log.lines.find((l) => l.msg === 'xds: node refused (PERMISSION_DENIED)' && l.node === 'edge-pretending');
    assert.ok(line, 'logged');
    assert.equal(line.fleet, 'inner');
    assert.deepEqual(line.certificateSans, ['URI:spiffe://test.local/ns/edge/sa/envoy']);
    assert.ok(!run.registry.list().some((x) => x.node.id === 'edge-pretending'));
    // Announcing a cluster no fleet matches does not land it in the (all-serving) default fleet either.
    const drifter = connect(clientCreds(p, 'edge'));
    drifter.send({ node: node('edge-drifting', 'nowhere'), type_url: TYPE.cds });
    const err2 = await drifter.failure();
    assert.equal(err2.code, grpc.status.PERMISSION_DENIED);
    assert.match(err2.details, /matches no configured fleet/);
    const metrics = await httpGet(run.adminPort!, '/metrics');
    assert.match(metrics.body, /traefik_xds_stream_refusals_total\{fleet="inner",reason="san_mismatch"\} 1/);
    assert.match(metrics.body, /traefik_xds_stream_refusals_total\{fleet="default",reason="no_fleet"\} 1/);
  });

  it('withholds secrets from a fleet whose listeners do not use them, even when asked by name', async () => {
    const c = connect(clientCreds(p, 'inner'));
    const { lds } = await subscribe(c, 'inner-1', 'inner');
    assert.deepEqual(lds.resources.map((l: Json) => l.name), ['web']);
    assert.deepEqual(secretNames(lds), []);
    assert.equal(run.cache.get('inner/envoy')!.types.secrets.resources.size, 0);
    const wanted = [...run.cache.get('edge/envoy')!.types.secrets.resources.keys()];
    assert.ok(wanted.length >= 1);
    c.send({ type_url: TYPE.sds, resource_names: [...wanted, '*'] });
    const sds = await c.next();
    assert.equal(sds.type_url, TYPE.sds);
    assert.deepEqual(sds.resources ?? [], [], 'nothing, even with a wildcard');
    assert.ok(!JSON.stringify(sds).includes('PRIVATE KEY'));
  });

  it('reloads the server certificate when its files change, without dropping streams', async () => {
    const c = connect(clientCreds(p, 'edge'));
    await subscribe(c, 'edge-reload', 'edge');
    const serialOf = () => new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: run.port, ca: p.ca.certPem, cert: p.clients.edge.certPem, key: p.clients.edge.keyPem, servername: 'localhost', ALPNProtocols: ['h2'] }, () => {
        const serial = s.getPeerCertificate().serialNumber;
        s.destroy();
        resolve(serial);
      });
      s.on('error', reject);
    });
    const before = await serialOf();
    const renewed = issue(p.ca, { commonName: 'xds-renewed', sans: ['localhost', '127.0.0.1'], usage: 'server', days: 2 });
    // Key first, then certificate: in between the pair does not match and must not be installed.
    fs.writeFileSync(path.join(tlsDir, 'tls.key'), renewed.keyPem);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await serialOf(), before, 'the half-written pair is ignored');
    fs.writeFileSync(path.join(tlsDir, 'tls.crt'), renewed.certPem);
    await waitFor(() => (run.tls?.provider.reloads ?? 0) >= 1, 5000, 'a reload');
    const after = await serialOf();
    assert.notEqual(after, before);
    assert.ok(log.lines.some((l) => l.msg === 'xds tls: certificate reloaded'));
    assert.ok(log.lines.some((l) => /not usable; still serving the previous certificate/.test(l.msg)));
    // The stream opened before the reload still works: a new subscription is answered on it.
    c.send({ type_url: TYPE.rds, resource_names: ['web/http'] });
    const rds = await c.next();
    assert.equal(rds.type_url, TYPE.rds);
    assert.equal(c.error, undefined);
    // New connections use the new certificate.
    const fresh = connect(clientCreds(p, 'edge'));
    await subscribe(fresh, 'edge-after-reload', 'edge');
    assert.match((await httpGet(run.adminPort!, '/metrics')).body, /traefik_xds_tls_reloads_total 1/);
  });
});

describe('ops e2e: TLS without client certificates', function () {
  this.timeout(30000);
  it('serves clients without a certificate, does not enforce SAN patterns, and says so at startup', async () => {
    const p = testPki();
    const dir = tmpDir('traefik-xds-tlsonly-');
    const tlsDir = tmpDir('traefik-xds-tlsonly-files-');
    fs.copyFileSync(p.file('server.crt'), path.join(tlsDir, 'tls.crt'));
    fs.copyFileSync(p.file('server.key'), path.join(tlsDir, 'tls.key'));
    fs.writeFileSync(path.join(dir, 'site.yaml'), tlsManifests(issue(p.ca, { commonName: 's', sans: ['site.example.com'], usage: 'server', days: 2 })));
    const { config } = loadStaticConfig({ text: configText(p, tlsDir, false) });
    const log = captureLog();
    const run = await startServe({ config, paths: [dir], log, address: '127.0.0.1:0', watch: false });
    const c = new OpsClient(`localhost:${run.port}`, clientCreds(p));
    try {
      const { lds } = await subscribe(c, 'anon-inner', 'inner');
      assert.deepEqual(lds.resources.map((l: Json) => l.name), ['web']);
      assert.ok(log.lines.some((l) => l.level === 'warn' && /clientCertificate\.san but xds\.tls\.clientCAFile is not set/.test(l.msg)));
      assert.equal(log.lines.find((l) => l.msg === 'xDS server listening')?.transport, 'tls');
    } finally {
      c.close();
      await run.stop(300);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(tlsDir, { recursive: true, force: true });
    }
  });

  it('refuses to start plaintext on a non-loopback address without xds.insecure (before binding anything)', async () => {
    const { config } = loadStaticConfig({ text: 'xds: {address: "0.0.0.0:0"}\n' });
    await assert.rejects(startServe({ config, paths: [], log: captureLog() }), /refusing to serve plaintext xDS on every interface/);
    const { config: bad } = loadStaticConfig({ text: `xds: {address: "127.0.0.1:0", tls: {certFile: /nonexistent.crt, keyFile: /nonexistent.key}}\n` });
    await assert.rejects(startServe({ config: bad, paths: [], log: captureLog() }), /xds\.tls\.certFile \/nonexistent\.crt: ENOENT/);
  });
});
