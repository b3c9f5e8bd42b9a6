// envoy/: the compose demo stays consistent with the code (no Docker engine needed).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse, parseAllDocuments } from 'yaml';
import { main } from '../../../src/cli/main';
import { BOOTSTRAP_TYPE } from '../../../src/cli/bootstrap';
import { validateResource } from '../../../src/envoy/validate';
import { loadStaticConfig } from '../../../src/config/load';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REPO = path.resolve(__dirname, '../../..');
const ENVOY = path.join(REPO, 'envoy');
const read = (f: string) => fs.readFileSync(path.join(ENVOY, f), 'utf8');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const code = await main(args, out, err);
  return { code, out: o, err: e };
}

describe('envoy/ demo files', () => {
  const bootstrapText = read('bootstrap.yaml');
  const bootstrap = parse(bootstrapText) as Json;
  const compose = parse(read('compose.yaml')) as Json;

  it('bootstrap.yaml is exactly what the command in its header prints, and a valid Envoy bootstrap', async () => {
    const m = /^# Made by: traefik-xds (bootstrap .*)$/m.exec(bootstrapText);
    assert.ok(m, 'bootstrap.yaml says how it was made');
    const r = await run(m[1].split(' '));
    assert.equal(r.code, 0, r.err);
    assert.equal(bootstrapText, r.out, 'regenerate envoy/bootstrap.yaml with the command in its header');
    assert.deepEqual(validateResource(BOOTSTRAP_TYPE, bootstrap), []);
  });

  it('the compose static config is the examples one, serving xDS on 0.0.0.0 with insecure: true', () => {
    const c = loadStaticConfig({ file: path.join(ENVOY, 'traefik-xds.compose.yaml') });
    const e = loadStaticConfig({ file: path.join(REPO, 'examples/traefik-xds.yaml') });
    assert.deepEqual(c.diagnostics.sorted().filter((d) => d.severity === 'error'), []);
    assert.equal(c.config.xds.address.host, '0.0.0.0');
    assert.equal(c.config.xds.insecure, true);
    assert.equal(c.config.xds.address.port, e.config.xds.address.port);
    const eps = (x: typeof c) => Object.values(x.config.entryPoints).map((ep) => [ep.name, ep.addressText]);
    assert.deepEqual(eps(c), eps(e));
    assert.equal(c.config.providers.manifests?.directory, path.join(ENVOY, 'manifests'));
  });

  it('its manifests translate without errors, to a DNS cluster on the whoami compose service', async () => {
    const r = await run(['translate', '--config', path.join(ENVOY, 'traefik-xds.compose.yaml'), '-o', 'json']);
    assert.equal(r.code, 0, r.out);
    const doc = JSON.parse(r.out);
    assert.deepEqual(doc.diagnostics.filter((d: Json) => d.severity === 'error'), []);
    assert.deepEqual(doc.listeners.map((l: Json) => l.address.socket_address.port_value), [8080, 8443]);
    const addrs = doc.clusters.map((c: Json) => c.load_assignment?.endpoints[0].lb_endpoints[0].endpoint.address.socket_address);
    assert.deepEqual(addrs, [{ address: 'whoami', port_value: 80 }]);
    assert.ok(compose.services.whoami, 'a whoami service');
    assert.equal(compose.services.whoami.image, 'traefik/whoami');
    // The ExternalName in the manifests is the compose service name.
    const objs = parseAllDocuments(fs.readFileSync(path.join(ENVOY, 'manifests/whoami.yaml'), 'utf8')).map((d) => d.toJS() as Json);
    assert.equal(objs.find((o) => o.kind === 'Service')?.spec.externalName, 'whoami');
  });

  it('compose runs Envoy v1.33 on the bootstrap, maps the entry points, and reaches the traefik-xds service', () => {
    const envoy = compose.services.envoy as Json;
    assert.equal(envoy.image, 'envoyproxy/envoy:v1.33-latest');
    assert.ok(envoy.ports.includes('8080:8080'));
    assert.ok(envoy.ports.includes('8443:8443'));
    const cfg = envoy.command[envoy.command.indexOf('-c') + 1];
    assert.ok(envoy.volumes.includes(`./bootstrap.yaml:${cfg}:ro`), 'the bootstrap is mounted where -c points');
    const sock = bootstrap.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    assert.ok(compose.services[sock.address], `bootstrap.yaml points at ${sock.address}, a compose service`);
    const xds = compose.services[sock.address] as Json;
    assert.equal(xds.image, 'node:20');
    assert.match(xds.command.join(' '), /npm ci .*serve --config envoy\/traefik-xds\.compose\.yaml/);
    assert.ok(xds.volumes.includes('..:/app'));
    const c = loadStaticConfig({ file: path.join(ENVOY, 'traefik-xds.compose.yaml') });
    assert.equal(sock.port_value, c.config.xds.address.port);
    // Envoy's admin listens inside the container and is published on the host's loopback only.
    assert.equal(bootstrap.admin.address.socket_address.address, '0.0.0.0');
    assert.ok(envoy.ports.includes(`127.0.0.1:${bootstrap.admin.address.socket_address.port_value}:9901`));
  });

  it('README says how to try it, that the tests need no Docker engine, and why the RE2 limit is raised', () => {
    const readme = read('README.md');
    assert.match(readme, /docker compose -f envoy\/compose\.yaml up/);
    assert.match(readme, /No Docker engine .* is needed for the\s+tests/);
    assert.match(readme, /re2\.max_program_size\.error_level/);
  });
});
