// `traefik-xds serve` with providers.kubernetesCRD, as a child process against the test API server: it syncs,
// serves, becomes the Event leader, posts an Event for a broken IngressRoute, and releases its Lease on SIGTERM;
// with providers.kubernetesIngress alone, it routes Ingresses from the API and writes their status.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { FakeApiServer } from './fake-apiserver';
import { until } from './harness';
import { app, ingress, ingressRoute, service, slice } from './fixtures';

const BIN = path.join(__dirname, '..', '..', 'bin', 'traefik-xds.js');

function getJson(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(t) }));
    }).on('error', reject);
  });
}

describe('traefik-xds serve with providers.kubernetesCRD', () => {
  let api: FakeApiServer;
  let dir: string;
  let child: ChildProcess | undefined;

  before(async () => {
    api = await FakeApiServer.start({ token: 'cli-token' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traefik-xds-cli-'));
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('syncs, serves, posts Events as the leader and releases the Lease on SIGTERM', async function () {
    this.timeout(40_000);
    for (const o of app()) api.put(o);
    api.put(ingressRoute('broken', 'Host(`broken.example.com`)', { service: 'nope' }));
    const cfg = path.join(dir, 'traefik-xds.yaml');
    fs.writeFileSync(cfg, [
      'entryPoints: {web: {address: ":8080"}}',
      `providers: {kubernetesCRD: {endpoint: "${api.url}", token: cli-token}}`,
      'xds: {address: "127.0.0.1:0"}',
      'admin: {address: "127.0.0.1:0"}',
    ].join('\n'));
    let stdout = '';
    let stderr = '';
    child = spawn(process.execPath, [BIN, 'serve', '--config', cfg], {
      env: { PATH: process.env.PATH, HOME: dir, POD_NAME: 'cli-pod', POD_NAMESPACE: 'traefik-xds' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((r) => child!.on('exit', (code) => r(code)));
    await until(() => /serving xDS on/.test(stdout), `the serve banner (stderr: ${stderr.slice(-2000)})`, 30_000);
    const adminLine = stderr.split('\n').find((l) => l.includes('admin server listening'))!;
    const admin = JSON.parse(adminLine).address as string;
    const ready = await getJson(`http://${admin}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true, sourcesSynced: true, snapshotBuilt: true });
    // The Lease, then the Event for the broken IngressRoute.
    await until(() => api.get('coordination.k8s.io/v1', 'Lease', 'traefik-xds', 'traefik-xds-events')?.spec.holderIdentity === 'cli-pod', 'the Lease', 10_000);
    await until(() => api.list('v1', 'Event', 'default').find((e) => e.involvedObject.name === 'broken'), 'the Event', 10_000);
    const diags = await getJson(`http://${admin}/api/diagnostics`);
    assert.ok(diags.body.diagnostics.some((d: any) => d.name === 'broken' && d.severity === 'error'));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    assert.equal(code, 0, `exit code (stderr: ${stderr.slice(-2000)})`);
    assert.equal(api.get('coordination.k8s.io/v1', 'Lease', 'traefik-xds', 'traefik-xds-events')!.spec.holderIdentity, '', 'released');
  });

  it('providers.kubernetesIngress alone: routes Ingresses from the API and writes their status as the leader', async function () {
    this.timeout(40_000);
    for (const o of [service('whoami'), slice('whoami', ['10.0.0.11'])]) api.put(o);
    api.put(ingress('web', 'web.example.com', '/'));
    const cfg = path.join(dir, 'ingress.yaml');
    fs.writeFileSync(cfg, [
      'entryPoints: {web: {address: ":8080"}}',
      `providers: {kubernetesIngress: {endpoint: "${api.url}", token: cli-token, ingressEndpoint: {ip: 192.0.2.10}}}`,
      'xds: {address: "127.0.0.1:0"}',
      'admin: {address: "127.0.0.1:0"}',
    ].join('\n'));
    let stdout = '';
    let stderr = '';
    const firstRequest = api.requests.length; // the API server is shared with the test above
    const p = spawn(process.execPath, [BIN, 'serve', '--config', cfg], {
      env: { PATH: process.env.PATH, HOME: dir, POD_NAME: 'cli-ingress', POD_NAMESPACE: 'traefik-xds' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = p;
    p.stdout!.on('data', (c) => (stdout += c));
    p.stderr!.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
    await until(() => /serving xDS on/.test(stdout), `the serve banner (stderr: ${stderr.slice(-2000)})`, 30_000);
    await until(() => api.get('networking.k8s.io/v1', 'Ingress', 'default', 'web')?.status?.loadBalancer?.ingress, 'the Ingress status', 10_000);
    assert.deepEqual(api.get('networking.k8s.io/v1', 'Ingress', 'default', 'web')!.status.loadBalancer.ingress, [{ ip: '192.0.2.10' }]);
    const mine = api.requests.slice(firstRequest);
    assert.ok(mine.some((r) => r.verb === 'list' && r.path === '/apis/networking.k8s.io/v1/ingresses'));
    assert.ok(!mine.some((r) => r.path.startsWith('/apis/traefik.')), 'no Traefik CRDs without kubernetesCRD');
    const adminLine = stderr.split('\n').find((l) => l.includes('admin server listening'))!;
    const admin = JSON.parse(adminLine).address as string;
    const routers = await getJson(`http://${admin}/api/diagnostics`);
    assert.ok(!routers.body.diagnostics.some((d: any) => d.name === 'web' && d.severity !== 'info'), JSON.stringify(routers.body.diagnostics));
    p.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    assert.equal(code, 0, `exit code (stderr: ${stderr.slice(-2000)})`);
  });

  it('without any Kubernetes configuration: a usage error (exit 2) that says what to set', async function () {
    this.timeout(30_000);
    const cfg = path.join(dir, 'nok8s.yaml');
    fs.writeFileSync(cfg, 'providers: {kubernetesCRD: {}}\nxds: {address: "127.0.0.1:0"}\nadmin: {address: "127.0.0.1:0"}\n');
    const p = spawn(process.execPath, [BIN, 'serve', '--config', cfg], { env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (c) => (err += c));
    const code = await Promise.race([new Promise<number | null>((r) => p.on('exit', (c) => r(c))), new Promise<null>((r) => setTimeout(() => r(null), 25_000))]);
    if (code === null) p.kill('SIGKILL');
    assert.equal(code, 2, err);
    assert.match(err, /set providers\.kubernetesCRD\.endpoint, run inside a cluster/);
  });
});
