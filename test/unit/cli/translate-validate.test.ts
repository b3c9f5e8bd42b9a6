// The translate and validate commands: output shape, redaction, exit codes, and no stack traces on bad input.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { main } from '../../../src/cli/main';
import { assertValidEnvoy } from '../../helpers/envoy-check';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const code = await main(args, out, err);
  return { code, out: o, err: e };
}

const EXAMPLES = path.join(__dirname, '../../../examples');

describe('cli: translate and validate', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txds-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('translate prints valid Envoy resources for the bundled examples, keys redacted, exit 0', async () => {
    const r = await run(['translate', '--config', path.join(EXAMPLES, 'traefik-xds.yaml')]);
    assert.equal(r.code, 0, r.err);
    const doc = parse(r.out);
    assert.deepEqual(Object.keys(doc), ['listeners', 'routes', 'clusters', 'endpoints', 'secrets', 'diagnostics']);
    assertValidEnvoy(doc);
    assert.ok(doc.secrets.length > 0);
    for (const s of doc.secrets) assert.equal(s.tls_certificate.private_key.inline_string, '[redacted]');
    assert.doesNotMatch(r.out, /PRIVATE KEY/);
  });

  it('translate --show-secrets prints the private key; -o json prints JSON', async () => {
    const r = await run(['translate', '--config', path.join(EXAMPLES, 'traefik-xds.yaml'), '--show-secrets', '-o', 'json']);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.out);
    assert.match(doc.secrets[0].tls_certificate.private_key.inline_string, /BEGIN (RSA |EC )?PRIVATE KEY/);
  });

  it('is deterministic: two runs print the same bytes', async () => {
    const a = await run(['translate', '--config', path.join(EXAMPLES, 'traefik-xds.yaml')]);
    const b = await run(['translate', '--config', path.join(EXAMPLES, 'traefik-xds.yaml')]);
    assert.equal(a.out, b.out);
  });

  it('exit 1 with the diagnostic (and still the output) on a YAML syntax error; no stack trace', async () => {
    const f = path.join(dir, 'bad.yaml');
    fs.writeFileSync(f, 'apiVersion: v1\nkind: Service\nmetadata: {name: a\n');
    const r = await run(['translate', f]);
    assert.equal(r.code, 1);
    const doc = parse(r.out);
    assert.equal(doc.diagnostics[0].severity, 'error');
    assert.match(doc.diagnostics[0].source, /bad\.yaml:\d+:\d+$/);
    assert.doesNotMatch(r.out + r.err, /at .*\.ts:\d+/);
  });

  it('validate prints compiler-style lines and exits 1 on errors, 0 when clean', async () => {
    const f = path.join(dir, 'route.yaml');
    fs.writeFileSync(f, [
      'apiVersion: traefik.io/v1alpha1',
      'kind: IngressRoute',
      'metadata: {name: foo, namespace: default}',
      'spec:',
      '  routes:',
      '    - match: Host(`a`) &&',
      '      services: [{name: whoami, port: 80}]',
    ].join('\n'));
    const bad = await run(['validate', f]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /route\.yaml:6:\d+: error: IngressRoute default\/foo: spec\.routes\[0\]\.match: invalid rule/);
    const good = await run(['validate', path.join(EXAMPLES, 'manifests')]);
    assert.equal(good.code, 0, good.out);
  });

  it('exit 2 on usage and I/O errors', async () => {
    assert.equal((await run(['translate', path.join(dir, 'does-not-exist')])).code, 2);
    assert.equal((await run(['translate', '--config', path.join(dir, 'nope.yaml'), dir])).code, 2);
    assert.equal((await run(['translate', '-o', 'xml', dir])).code, 2);
    assert.equal((await run(['frobnicate'])).code, 2);
    assert.equal((await run(['translate'])).code, 2);
  });
});
