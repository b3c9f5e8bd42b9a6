// providers.kubernetesIngress on the Kubernetes source: Ingress and IngressClass informers against the test API
// server (alone, without kubernetesCRD), what reaches an ADS client, and the status.loadBalancer writer
// (ingressEndpoint), written by the Lease leader only and never for manifests on disk.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeApiServer, type Obj } from './fake-apiserver';
import { K8sServed, captureLog, sleep, until, type LogLine, type StartOptions } from './harness';
import { ingress, ingressClass, ingressRoute, service, slice } from './fixtures';
import { KubeClient, kubeConnectionOf } from '../../src/sources/kubernetes-client';
import { LeaderElector } from '../../src/sources/leader';
import { attachIngressStatus, IngressStatusWriter } from '../../src/sources/ingress-status';
import { attachKubernetesWriters } from '../../src/sources/kubernetes-writers';
import { startServe } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { KubernetesSource } from '../../src/sources/kubernetes';
import { MergedSource } from '../../src/sources/source';
import { ManifestWatcher } from '../../src/sources/watch';

const TIMING = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 40 };

function clientOf(api: FakeApiServer): KubeClient {
  return new KubeClient(kubeConnectionOf({ endpoint: api.url, token: 'test-token', certAuthFilePath: '' }, {}).kubeConfig, 2000);
}

/** The whoami Service and its EndpointSlice in `ns`. */
function backend(ns = 'default'): Obj[] {
  return [service('whoami', ns), slice('whoami', ['10.0.0.11'], ns)];
}

const statusPuts = (api: FakeApiServer) => api.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/status'));
const statusOf = (api: FakeApiServer, name: string, ns = 'default') => api.get('networking.k8s.io/v1', 'Ingress', ns, name)?.status?.loadBalancer?.ingress;

describe('kubernetes source: Ingress provider', () => {
  let api: FakeApiServer;
  const closers: (() => unknown)[] = [];

  beforeEach(async () => {
    api = await FakeApiServer.start({ token: 'test-token' });
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await api.close();
  });

  async function serve(o: StartOptions): Promise<K8sServed> {
    const s = await K8sServed.start(api, o);
    closers.push(() => s.stop());
    return s;
  }

  function leader(identity: string): LeaderElector {
    const l = new LeaderElector({ client: clientOf(api), log: captureLog([]), namespace: 'traefik-xds', name: 'traefik-xds-events', identity, ...TIMING });
    l.start();
    closers.push(() => l.stop());
    return l;
  }

  function writer(s: K8sServed, l?: LeaderElector): IngressStatusWriter {
    const w = attachIngressStatus(s.source, s.run.controller, captureLog(s.logs), l);
    closers.push(() => w.close());
    return w;
  }

  describe('watching', () => {
    it('alone (no kubernetesCRD): watches Ingresses, IngressClasses and what they use, and routes add, update and delete', async () => {
      for (const o of backend()) api.put(o);
      api.put(ingress('web', 'web.example.com', '/app'));
      const s = await serve({ crd: null, ingress: {} });
      const listed = [...new Set(api.requests.filter((r) => r.verb === 'list').map((r) => r.path))].sort();
      assert.deepEqual(listed, [
        '/api/v1/nodes', '/api/v1/secrets', '/api/v1/services',
        '/apis/discovery.k8s.io/v1/endpointslices', '/apis/networking.k8s.io/v1/ingressclasses', '/apis/networking.k8s.io/v1/ingresses',
      ]);
      assert.ok(!api.requests.some((r) => r.path.startsWith('/apis/traefik.')), 'no Traefik CRD discovery or list');
      const e = await s.envoy();
      await e.until(() => e.routeTable().some((r) => r.endsWith('web.example.com /app')), 'the Ingress route');
      assert.deepEqual(e.endpoints(), { 'default/whoami/80': ['10.0.0.11:8080'] });
      // Update: the path changes.
      api.put(ingress('web', 'web.example.com', '/v2'));
      await e.until(() => e.routeTable().some((r) => r.endsWith('web.example.com /v2')), 'the new path');
      assert.ok(!e.routeTable().some((r) => r.endsWith('/app')), 'the old path is gone');
      // Delete.
      api.remove('networking.k8s.io/v1', 'Ingress', 'default', 'web');
      await e.until(() => !e.text().includes('web.example.com'), 'the route gone');
    });

    it('an IngressClass created after its Ingress makes the Ingress routed', async () => {
      for (const o of backend()) api.put(o);
      api.put(ingress('classed', 'classed.example.com', '/', { ingressClassName: 'traefik' }));
      api.put(ingressClass('nginx', 'k8s.io/ingress-nginx'));
      const s = await serve({ crd: null, ingress: {} });
      const e = await s.envoy();
      await sleep(100);
      assert.ok(!e.text().includes('classed.example.com'), 'no IngressClass traefik yet: ignored');
      api.put(ingressClass('traefik'));
      await e.until(() => e.text().includes('classed.example.com'), 'routed once the class exists');
      api.remove('networking.k8s.io/v1', 'IngressClass', undefined, 'traefik');
      await e.until(() => !e.text().includes('classed.example.com'), 'ignored again when the class goes');
    });

    it('labelSelector applies server-side to Ingresses only; relabelling routes an Ingress', async () => {
      for (const o of backend()) api.put(o);
      api.put(ingress('a', 'a.example.com', '/', { labels: { expose: 'yes' } }));
      api.put(ingress('b', 'b.example.com', '/'));
      const s = await serve({ crd: null, ingress: { labelSelector: 'expose=yes' } });
      const ingList = api.requests.find((r) => r.verb === 'list' && r.path.endsWith('/ingresses'))!;
      assert.equal(ingList.query.labelSelector, 'expose=yes');
      for (const r of api.requests.filter((x) => (x.verb === 'list' || x.verb === 'watch') && /\/(services|endpointslices|nodes|ingressclasses)$/.test(x.path))) {
        assert.equal(r.query.labelSelector, undefined, `${r.path} is not filtered`);
      }
      const e = await s.envoy();
      await e.until(() => e.text().includes('a.example.com'), 'a routed');
      assert.ok(!e.text().includes('b.example.com'), 'b filtered out');
      api.put(ingress('b', 'b.example.com', '/', { labels: { expose: 'yes' } }));
      await e.until(() => e.text().includes('b.example.com'), 'b routed once labelled');
    });

    it('each provider\'s throttleDuration paces the kinds it reads', async () => {
      for (const o of backend()) api.put(o);
      api.put(ingress('web', 'web.example.com', '/v0'));
      const s = await serve({ crd: {}, ingress: { throttleDuration: '400ms' }, debounce: { quietMs: 5, maxMs: 20 } });
      const e = await s.envoy();
      let taken = s.recorder.taken.length;
      for (let i = 1; i <= 10; i++) {
        api.put(ingress('web', 'web.example.com', `/v${i}`));
        await sleep(40);
      }
      await e.until(() => e.routeTable().some((r) => r.endsWith('web.example.com /v10')), 'the last version');
      const ingressRebuilds = s.recorder.taken.length - taken;
      assert.ok(ingressRebuilds <= 3, `10 Ingress changes over ~400 ms gave ${ingressRebuilds} rebuilds`);
      // IngressRoutes follow kubernetesCRD's throttleDuration (0): each change is seen on its own.
      await sleep(450);
      taken = s.recorder.taken.length;
      for (let i = 0; i < 5; i++) {
        api.put(ingressRoute('r', `Host(\`r.example.com\`) && PathPrefix(\`/v${i}\`)`));
        await sleep(60);
      }
      await e.until(() => e.routeTable().some((r) => r.endsWith('r.example.com /v4')), 'the last IngressRoute');
      assert.ok(s.recorder.taken.length - taken >= 4, `5 IngressRoute changes gave ${s.recorder.taken.length - taken} rebuilds`);
    });

    it('with both providers, informers cover the union of their namespaces; Ingresses only in the Ingress provider\'s', async () => {
      for (const ns of ['crd-ns', 'ing-ns']) for (const o of backend(ns)) api.put(o);
      api.put(ingress('web', 'web.example.com', '/', { ns: 'ing-ns' }));
      const s = await serve({ crd: { namespaces: ['crd-ns'], allowCrossNamespace: true }, ingress: { namespaces: ['ing-ns'] } });
      const listed = new Set(api.requests.filter((r) => r.verb === 'list').map((r) => r.path));
      assert.ok(listed.has('/api/v1/namespaces/crd-ns/services') && listed.has('/api/v1/namespaces/ing-ns/services'), 'Services of both');
      assert.ok(listed.has('/apis/networking.k8s.io/v1/namespaces/ing-ns/ingresses'));
      assert.ok(!listed.has('/apis/networking.k8s.io/v1/namespaces/crd-ns/ingresses'), 'Ingresses only where the Ingress provider looks');
      assert.ok(listed.has('/apis/traefik.io/v1alpha1/namespaces/crd-ns/ingressroutes'));
      assert.ok(!listed.has('/apis/traefik.io/v1alpha1/namespaces/ing-ns/ingressroutes'), 'CRDs only where the CRD provider looks');
      // Each provider's model looks its Services up in its own namespaces.
      api.put(ingressRoute('app', 'Host(`crd.example.com`)', { ns: 'crd-ns' }));
      api.put(ingressRoute('peek', 'Host(`peek.example.com`)', { ns: 'crd-ns', serviceExtra: { namespace: 'ing-ns' } }));
      const e = await s.envoy();
      await until(() => s.run.controller.currentDiagnostics().some((d) => d.name === 'peek' && /namespace "ing-ns" is not within watched namespaces/.test(d.message)),
        'the CRD provider refuses a Service of ing-ns');
      await e.until(() => e.text().includes('crd.example.com') && e.text().includes('web.example.com') && Object.keys(e.endpoints()).length === 2, 'both routes');
      assert.deepEqual(e.endpoints(), { 'crd-ns/whoami/80': ['10.0.0.11:8080'], 'ing-ns/whoami/80': ['10.0.0.11:8080'] });
      assert.ok(!e.text().includes('peek.example.com'), 'the CRD provider does not see ing-ns');
      // EndpointSlice changes in the Ingress provider's namespace reach the client.
      api.put(slice('whoami', ['10.0.0.12'], 'ing-ns'));
      await e.until(() => e.endpoints()['ing-ns/whoami/80']?.[0] === '10.0.0.12:8080', 'the new endpoint');
      assert.equal(s.run.controller.lastReport!.fastPath, true, 'by the EndpointSlice fast path');
    });
  });

  describe('status.loadBalancer (ingressEndpoint)', () => {
    it('the leader writes ip and hostname on the status subresource, once; equal status is not written again', async () => {
      for (const o of backend()) api.put(o);
      const before = api.put(ingress('web', 'web.example.com', '/'));
      api.put(ingress('other', 'other.example.com', '/', { annotations: { 'kubernetes.io/ingress.class': 'nginx' } }));
      const s = await serve({ crd: null, ingress: { ingressEndpoint: { ip: '192.0.2.10', hostname: 'lb.example.com' } } });
      const l = leader('a');
      const w = writer(s, l);
      await until(() => statusOf(api, 'web'), 'the status written');
      assert.deepEqual(statusOf(api, 'web'), [{ ip: '192.0.2.10', hostname: 'lb.example.com' }]);
      const puts = statusPuts(api);
      assert.deepEqual(puts.map((r) => `${r.path} ${r.status}`), ['/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status 200']);
      assert.equal(puts[0].body.metadata.resourceVersion, before.metadata.resourceVersion, 'the write is conditional on the version it was computed from');
      const after = api.get('networking.k8s.io/v1', 'Ingress', 'default', 'web')!;
      assert.deepEqual(after.spec, before.spec);
      assert.equal(after.metadata.generation, before.metadata.generation, 'a status write leaves the generation alone');
      assert.equal(statusOf(api, 'other'), undefined, 'an Ingress of another class gets no status');
      // The write comes back as a MODIFIED event and rebuilds; an unrelated change rebuilds too: nothing is written.
      api.put(service('unrelated'));
      await s.input((objs) => objs.some((o) => o.kind === 'Service' && o.metadata.name === 'unrelated'), 'the unrelated change');
      await sleep(150);
      await w.idle();
      assert.equal(statusPuts(api).length, 1, 'equal status: no write');
      assert.equal(w.writes, 1);
      // Someone else changes the status: it is put back.
      const cur = api.get('networking.k8s.io/v1', 'Ingress', 'default', 'web')!;
      api.put({ ...cur, status: { loadBalancer: { ingress: [{ ip: '10.9.9.9' }] } } });
      await until(() => statusOf(api, 'web')?.[0]?.ip === '192.0.2.10', 'the status restored');
      assert.equal(statusPuts(api).length, 2);
    });

    it('publishedService of type LoadBalancer: the Service status is copied, and written again when it changes', async () => {
      for (const o of backend()) api.put(o);
      api.put(ingress('web', 'web.example.com', '/'));
      api.put({ ...service('envoy', 'edge', 80, { type: 'LoadBalancer' }) }); // no status yet: no update
      const s = await serve({ crd: null, ingress: { ingressEndpoint: { publishedService: 'edge/envoy' } } });
      const w = writer(s, leader('a'));
      await sleep(300);
      await w.idle();
      assert.equal(statusPuts(api).length, 0, 'no load balancer status yet: nothing written');
      const svc = api.get('v1', 'Service', 'edge', 'envoy')!;
      api.put({ ...svc, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] }] } } });
      await until(() => statusOf(api, 'web'), 'the status written');
      assert.deepEqual(statusOf(api, 'web'), [{ ip: '203.0.113.7', ports: [{ port: 80, protocol: 'TCP' }] }]);
      const svc2 = api.get('v1', 'Service', 'edge', 'envoy')!;
      api.put({ ...svc2, status: { loadBalancer: { ingress: [{ hostname: 'elb.example.net' }] } } });
      await until(() => statusOf(api, 'web')?.[0]?.hostname === 'elb.example.net', 'the status re-written');
      assert.deepEqual(statusOf(api, 'web'), [{ hostname: 'elb.example.net' }]);
      assert.equal(statusPuts(api).length, 2);
    });

    it('only the leader writes; a replica that takes over writes what is missing', async () => {
      for (const o of backend()) api.put(o);
      api.put(ingress('web', 'web.example.com', '/'));
      const other = leader('other');
      await until(() => other.isLeader(), 'the other replica leads');
      const s = await serve({ crd: null, ingress: { ingressEndpoint: { ip: '192.0.2.10' } } });
      const mine = leader('mine');
      writer(s, mine);
      await sleep(300);
      assert.equal(mine.isLeader(), false);
      assert.equal(statusPuts(api).length, 0, 'not the leader: no write');
      await other.stop();
      await until(() => mine.isLeader(), 'this replica took over', 3000);
      await until(() => statusOf(api, 'web'), 'the new leader wrote the status');
      assert.deepEqual(statusOf(api, 'web'), [{ ip: '192.0.2.10' }]);
    });

    it('a 409 conflict (the Ingress changed since it was read) is left to the next build', async () => {
      const cur = api.put(ingress('web', 'web.example.com', '/'));
      const stale = JSON.parse(JSON.stringify(cur));
      api.put(ingress('web', 'web.example.com', '/v2')); // the informer's copy is now behind
      let fresh = false;
      const logs: LogLine[] = [];
      const w = new IngressStatusWriter({
        client: clientOf(api), log: captureLog(logs),
        lookup: () => (fresh ? api.get('networking.k8s.io/v1', 'Ingress', 'default', 'web') : stale) as any,
      });
      const desired = [{ namespace: 'default', name: 'web', uid: cur.metadata.uid, ingress: [{ ip: '192.0.2.10' }] }];
      w.update(desired);
      await until(() => statusPuts(api).length === 1, 'one attempt');
      await w.idle();
      assert.equal(statusPuts(api)[0].status, 409);
      assert.equal(statusOf(api, 'web'), undefined);
      assert.ok(!logs.some((l) => l.level === 'warn' || l.level === 'error'), 'a conflict is no problem worth a warning');
      fresh = true;
      w.update(desired); // the build the change caused
      await until(() => statusOf(api, 'web'), 'written on the next build');
      assert.deepEqual(statusPuts(api).map((r) => r.status), [409, 200]);
      // Another object with the same name (new uid): not the one the model saw, nothing written.
      w.update([{ ...desired[0], uid: 'another-uid', ingress: [{ ip: '192.0.2.99' }] }]);
      await sleep(50);
      await w.idle();
      assert.equal(statusPuts(api).length, 2);
      w.close();
    });

    it('a 403 names the missing permission; the write succeeds once it is granted', async () => {
      for (const o of backend()) api.put(o);
      api.put(ingress('web', 'web.example.com', '/'));
      api.forbidden = [{ verb: 'update', resource: 'ingresses/status' }];
      const s = await serve({ crd: null, ingress: { ingressEndpoint: { ip: '192.0.2.10' } } });
      writer(s);
      await until(() => s.logs.some((l) => l.level === 'warn' && /forbidden \(RBAC\).*cannot update resource "ingresses\/status" in API group "networking.k8s.io" in namespace "default"/.test(l.msg)), 'the RBAC message');
      api.forbidden = [];
      // A spec change: the build it causes writes the status.
      api.put(ingress('web', 'web.example.com', '/v2'));
      await until(() => statusOf(api, 'web'), 'written after the change');
    });

    it('serve wiring: the leader writes status with TRAEFIK_XDS_EVENTS=false too; off without ingressEndpoint', async () => {
      for (const o of backend()) api.put(o);
      api.put(ingress('web', 'web.example.com', '/'));
      const s = await serve({ crd: null, ingress: { ingressEndpoint: { hostname: 'lb.example.com' } } });
      const env = { POD_NAMESPACE: 'traefik-xds', POD_NAME: 'replica-a', TRAEFIK_XDS_EVENTS: 'false' };
      const off = attachKubernetesWriters(s.source, s.run.controller, undefined, captureLog(s.logs), env);
      closers.push(() => off.close());
      assert.equal(off.leader, undefined, 'neither Events nor status: no election');
      const on = attachKubernetesWriters(s.source, s.run.controller, loadStaticConfig({ text: K8sServed.configText(api, { crd: null, ingress: { ingressEndpoint: { hostname: 'lb.example.com' } } }) }).config.providers.kubernetesIngress, captureLog(s.logs), env);
      closers.push(() => on.close());
      assert.ok(on.leader && on.ingressStatus && !on.events);
      await until(() => statusOf(api, 'web'), 'the status written', 5000);
      assert.deepEqual(statusOf(api, 'web'), [{ hostname: 'lb.example.com' }]);
      assert.equal(api.get('coordination.k8s.io/v1', 'Lease', 'traefik-xds', 'traefik-xds-events')?.spec.holderIdentity, 'replica-a');
    });

    it('no write for Ingresses from manifests on disk', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingress-status-'));
      closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'ingress.yaml');
      // The same namespace/name as an API object, and one that exists on disk only.
      fs.writeFileSync(file, [ingress('disk', 'disk.example.com', '/'), ...backend()].map((o) => JSON.stringify(o)).join('\n---\n'));
      api.put(ingress('api', 'api.example.com', '/'));
      const logs: LogLine[] = [];
      const { config } = loadStaticConfig({ text: K8sServed.configText(api, { crd: null, ingress: { ingressEndpoint: { ip: '192.0.2.10' } } }) });
      const kube = new KubernetesSource({ ingress: config.providers.kubernetesIngress, log: captureLog(logs), env: {}, backoff: { initialMs: 30, maxMs: 300 }, requestTimeoutMs: 2000 });
      const run = await startServe({
        config, source: new MergedSource([new ManifestWatcher([file], { watch: false }), kube]), log: captureLog(logs),
        address: '127.0.0.1:0', debounce: { quietMs: 20, maxMs: 200 },
      });
      closers.push(() => run.stop(200));
      const targets = run.controller.currentModel()!.ingressStatus!.map((t) => t.name).sort();
      assert.deepEqual(targets, ['api', 'disk'], 'both have a desired status');
      const w = attachIngressStatus(kube, run.controller, captureLog(logs));
      closers.push(() => w.close());
      await until(() => statusOf(api, 'api'), 'the API Ingress gets its status');
      await sleep(100);
      await w.idle();
      assert.deepEqual(statusPuts(api).map((r) => r.path), ['/apis/networking.k8s.io/v1/namespaces/default/ingresses/api/status'], 'nothing for the file');
    });
  });
});
