// SDS scoping: each fleet's snapshot holds exactly the secrets its own listeners and clusters reference:
// none for a fleet without a TLS entry point, none for the grpc profile, and a node can only ever be served
// from its own fleet's snapshot.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startServe, type Running } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { issue } from '../../src/cli/certs';
import { fleetOf } from '../../src/xds/fleets';
import { snapshotResources } from '../../src/xds/snapshot';
import { referencedSecretNames, unreferencedSecrets } from '../../src/xds/authz';
import { OpsClient, TYPE, captureLog, testPki, tlsManifests, tmpDir, waitFor } from '../unit/ops/helpers';

const CONFIG = `
entryPoints:
  web: {address: ":8080"}
  websecure: {address: ":8443"}
fleets:
  - name: gateway
    match: {nodeCluster: gateway}
    entryPoints: [web, websecure]
  - name: internal
    match: {nodeCluster: internal}
    entryPoints: [web]
    profile: envoy
  - name: mesh
    match: {nodeCluster: mesh}
    entryPoints: [web, websecure]
    profile: grpc
`;

describe('ops e2e: secrets are served only to fleets that use them', function () {
  this.timeout(30000);
  let run: Running;
  let dir: string;
  const log = captureLog();
  const clients: OpsClient[] = [];

  before(async () => {
    const p = testPki();
    dir = tmpDir('traefik-xds-sds-');
    fs.writeFileSync(path.join(dir, 'site.yaml'), tlsManifests(issue(p.ca, { commonName: 'site', sans: ['site.example.com'], usage: 'server', days: 2 })));
    const { config } = loadStaticConfig({ text: CONFIG });
    run = await startServe({ config, paths: [dir], log, address: '127.0.0.1:0', watch: false });
    // Every fleet key gets its snapshot once a node of it is known.
    for (const [cluster, ua] of [['gateway', 'envoy'], ['internal', 'envoy'], ['mesh', 'gRPC Node Pure JS'], ['gateway', 'gRPC Go']]) {
      run.cache.watch(fleetOf({ id: 'x', cluster, metadata: {}, userAgentName: ua, userAgentVersion: '' }, config.fleets), { onSnapshot() {} });
    }
  });

  after(async () => {
    for (const c of clients) c.close();
    await run?.stop(300);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('per fleet and profile: secrets exactly when a listener uses them, every one of them referenced', () => {
    const secrets: Record<string, boolean> = {};
    for (const key of ['default/envoy', ...run.cache.keys().map((k) => k.key)]) {
      const r = snapshotResources(run.cache.get(key)!);
      secrets[key] = r.secrets.length > 0;
      assert.deepEqual(unreferencedSecrets(r), [], `${key}: every secret is used by its own listeners or clusters`);
      assert.equal(referencedSecretNames(r).size, r.secrets.length, `${key}: every referenced secret is there`);
    }
    assert.deepEqual(secrets, { 'default/envoy': true, 'gateway/envoy': true, 'internal/envoy': false, 'mesh/grpc': false, 'gateway/grpc': false });
    assert.ok(!log.lines.some((l) => /snapshot holds secrets/.test(l.msg)), 'the runtime check stays quiet');
  });

  it('a gRPC client in a fleet with TLS listeners, asking SDS by name, gets nothing', async () => {
    const name = [...run.cache.get('gateway/envoy')!.types.secrets.resources.keys()][0];
    const c = new OpsClient(`127.0.0.1:${run.port}`);
    clients.push(c);
    c.send({ node: { id: 'g', cluster: 'gateway', user_agent_name: 'gRPC Go' }, type_url: TYPE.sds, resource_names: [name] });
    const r = await c.next();
    assert.equal(r.type_url, TYPE.sds);
    assert.deepEqual(r.resources ?? [], []);
    await waitFor(() => run.registry.list().some((x) => x.node.id === 'g'));
    assert.equal(run.registry.list().find((x) => x.node.id === 'g')!.fleet.key, 'gateway/grpc');
  });
});
