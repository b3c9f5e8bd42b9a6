// The admin server in operation (health, readiness, /metrics, the JSON API) and the redaction of secret key
// material across every output: logs, diagnostics, /api/clients (a NACK quoting a key), config dumps,
// metrics, and the translate command.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startServe, type Running } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { issue } from '../../src/cli/certs';
import { main } from '../../src/cli/main';
import { OpsClient, TYPE, captureLog, httpGet, node, pemBodyLines, testPki, tlsManifests, tmpDir, waitFor } from '../unit/ops/helpers';

type Json = Record<string, any>;

const CONFIG = `
entryPoints:
  web: {address: ":8080"}
  websecure: {address: ":8443"}
`;

describe('ops e2e: admin API, metrics and redaction', function () {
  this.timeout(30000);
  const p = testPki();
  const site = issue(p.ca, { commonName: 'site', sans: ['site.example.com'], usage: 'server', days: 2 });
  const other = issue(p.ca, { commonName: 'other', sans: ['other.example.com'], usage: 'server', days: 2 });
  /** Every private key the outputs must not show. */
  const keys = [site.keyPem, other.keyPem];
  let dir: string;
  let run: Running;
  const log = captureLog();
  let c: OpsClient;

  const leaks = (text: string) => keys.flatMap((k) => pemBodyLines(k)).filter((l) => text.includes(l)).concat(
    keys.map((k) => Buffer.from(k).toString('base64').slice(40, 100)).filter((b) => text.includes(b)),
  );

  before(async () => {
    dir = tmpDir('traefik-xds-admin-');
    fs.writeFileSync(path.join(dir, 'site.yaml'), tlsManifests(site));
    // A Secret whose key does not match its certificate, used by a route: a diagnostic about a key.
    fs.writeFileSync(path.join(dir, 'broken.yaml'), `
apiVersion: v1
kind: Secret
metadata: {name: broken-tls, namespace: default}
type: kubernetes.io/tls
stringData:
  tls.crt: ${JSON.stringify(site.certPem)}
  tls.key: ${JSON.stringify(other.keyPem)}
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: broken, namespace: default}
spec:
  entryPoints: [websecure]
  routes:
    - match: Host(\`broken.example.com\`)
      kind: Rule
      services: [{name: whoami, port: 80}]
  tls:
    secretName: broken-tls
`);
    const { config } = loadStaticConfig({ text: CONFIG });
    run = await startServe({ config, paths: [dir], log, address: '127.0.0.1:0', adminAddress: '127.0.0.1:0', watch: false });
    c = new OpsClient(`127.0.0.1:${run.port}`);
    // Like Envoy: CDS, LDS, then SDS for the names the listeners use; ACK all but SDS, which is NACKed
    // with an error quoting the private key (Envoy can quote resource content in errors).
    c.send({ node: node('envoy-1', 'gateway'), type_url: TYPE.cds });
    const cds = await c.next();
    c.send({ type_url: TYPE.cds, version_info: cds.version_info, response_nonce: cds.nonce });
    c.send({ type_url: TYPE.lds });
    const lds = await c.next();
    c.send({ type_url: TYPE.lds, version_info: lds.version_info, response_nonce: lds.nonce });
    const secretNames = [...run.cache.get('default/envoy')!.types.secrets.resources.keys()];
    c.send({ type_url: TYPE.sds, resource_names: secretNames });
    const sds = await c.next();
    assert.equal(sds.type_url, TYPE.sds);
    c.send({
      type_url: TYPE.sds, version_info: '', response_nonce: sds.nonce, resource_names: secretNames,
      error_detail: { code: 3, message: `Failed to load private key from <inline>: ${site.keyPem} (bad)` },
    });
    await waitFor(() => log.lines.some((l) => l.msg === 'xds: NACK'), 5000, 'the NACK to be logged');
  });

  after(async () => {
    c?.close();
    await run?.stop(300);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('health and readiness', async () => {
    assert.equal((await httpGet(run.adminPort!, '/healthz')).status, 200);
    const ready = await httpGet(run.adminPort!, '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.body), { ready: true, sourcesSynced: true, snapshotBuilt: true });
  });

  it('/metrics in Prometheus text format, with the xDS traffic that happened', async () => {
    const m = await httpGet(run.adminPort!, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.type!, /^text\/plain; version=0\.0\.4/);
    for (const re of [
      /traefik_xds_build_duration_seconds_count 1/,
      /traefik_xds_snapshot_info\{fleet="default",profile="envoy",version="[0-9a-f]{16}"\} 1/,
      /traefik_xds_connected_streams\{fleet="default",profile="envoy",protocol="sotw"\} 1/,
      /traefik_xds_subscribed_streams\{fleet="default",profile="envoy",type="secrets"\} 1/,
      /traefik_xds_responses_total\{type="clusters"\} 1/,
      /traefik_xds_acks_total\{type="listeners"\} 1/,
      /traefik_xds_nacks_total\{fleet="default",profile="envoy",type="secrets"\} 1/,
      /traefik_xds_nacked_streams\{fleet="default",profile="envoy",type="secrets"\} 1/,
      /traefik_xds_diagnostics\{severity="error"\} [1-9]/,
      /traefik_xds_source_synced 1/,
      /traefik_xds_ready 1/,
      /traefik_xds_process_resident_memory_bytes \d+/,
    ]) assert.match(m.body, re);
    assert.deepEqual(leaks(m.body), []);
  });

  it('/api/clients: each node with its fleet, profile and per-type state, NACKs with the error (scrubbed) and the CRDs', async () => {
    const r = await httpGet(run.adminPort!, '/api/clients');
    assert.equal(r.status, 200);
    const clients = JSON.parse(r.body).clients as Json[];
    assert.equal(clients.length, 1);
    const cl = clients[0];
    assert.equal(cl.node.id, 'envoy-1');
    assert.equal(cl.fleet.key, 'default/envoy');
    assert.equal(cl.fleet.profile, 'envoy');
    assert.ok(cl.types.clusters.ackedVersion && cl.types.clusters.ackedVersion === cl.types.clusters.sentVersion);
    const nack = cl.types.secrets.nack;
    assert.ok(nack, 'the SDS NACK is shown');
    assert.match(nack.message, /Failed to load private key from <inline>: \[redacted\]/);
    assert.ok(nack.objects.some((o: string) => o.startsWith('IngressRoute default/secure')), JSON.stringify(nack.objects));
    assert.deepEqual(leaks(r.body), []);
  });

  it('/api/diagnostics reports the broken Secret without its key', async () => {
    const r = await httpGet(run.adminPort!, '/api/diagnostics');
    const ds = JSON.parse(r.body).diagnostics as Json[];
    assert.ok(ds.some((d) => d.severity === 'error' && d.name === 'broken' && /broken-tls: tls\.key does not belong/.test(d.message)), r.body);
    assert.deepEqual(leaks(r.body), []);
  });

  it('/api/config_dump?fleet=NAME: the fleet\'s resources in Envoy\'s JSON form, private keys redacted', async () => {
    const r = await httpGet(run.adminPort!, '/api/config_dump?fleet=default');
    assert.equal(r.status, 200);
    const dump = JSON.parse(r.body);
    assert.equal(dump.fleet, 'default/envoy');
    assert.ok(dump.listeners.some((l: Json) => l.name === 'websecure'));
    assert.ok(dump.secrets.length >= 1);
    for (const s of dump.secrets) {
      assert.equal(s.tls_certificate.private_key.inline_string, '[redacted]');
      if (String(s.name).includes('site-tls')) assert.match(s.tls_certificate.certificate_chain.inline_string, /BEGIN CERTIFICATE/, 'certificates are public');
    }
    assert.deepEqual(leaks(r.body), []);
    assert.equal((await httpGet(run.adminPort!, '/api/config_dump?fleet=nope')).status, 404);
  });

  it('logs: the NACK is logged with its mapped objects, and no line carries key material', () => {
    const nack = log.lines.find((l) => l.msg === 'xds: NACK')!;
    assert.equal(nack.type, 'secrets');
    assert.match(String(nack.error), /\[redacted\]/);
    assert.deepEqual(leaks(log.text()), []);
  });

  it('translate prints the same resources with keys redacted (unless --show-secrets)', async () => {
    let out = '';
    const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
    const err = { write: () => true } as unknown as NodeJS.WritableStream;
    await main(['translate', '-e', 'web=:8080', '-e', 'websecure=:8443', dir], sink, err);
    assert.match(out, /private_key:\s+inline_string: "?\[redacted\]/);
    assert.deepEqual(leaks(out), []);
  });
});
