// The Kubernetes source end to end: real @kubernetes/client-node informers against the test API server,
// the serve loop, and an ADS client following like Envoy.
import { strict as assert } from 'node:assert';
import { FakeApiServer, type Obj } from './fake-apiserver';
import { K8sServed, TYPE, findRaw, sleep, until, type LogLine } from './harness';
import { app, ingressRoute, service, slice, tlsSecret } from './fixtures';
import { objectChanges } from '../../src/serve/controller';
import type { RawObject, SourceSnapshot } from '../../src/sources/types';

/** Each snapshot that tells what changed tells what comparing every object with the previous one finds. */
function assertChangesExact(taken: SourceSnapshot[]): number {
  let told = 0;
  for (let i = 1; i < taken.length; i++) {
    const c = taken[i].changes;
    if (!c || c.since !== taken[i - 1].generation) continue;
    const want = objectChanges(taken[i - 1].objects, taken[i].objects);
    assert.deepEqual(new Set(c.added), new Set(want.added), `snapshot ${i}: added`);
    assert.deepEqual(new Set(c.removed), new Set(want.removed), `snapshot ${i}: removed`);
    told++;
  }
  return told;
}

describe('kubernetes source: serve loop against the test API server', () => {
  let api: FakeApiServer;
  let s: K8sServed | undefined;

  beforeEach(async () => {
    api = await FakeApiServer.start({ token: 'test-token' });
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined;
    await api.close();
  });

  describe('startup', () => {
    it('serves nothing until every watched kind has listed, then builds one snapshot', async () => {
      for (const o of app()) api.put(o);
      api.listDelay.set('secrets', 400);
      const t0 = Date.now();
      let resolved = false;
      const started = K8sServed.start(api).then((x) => {
        resolved = true;
        return x;
      });
      await until(() => api.requests.some((r) => r.verb === 'list' && r.path.endsWith('/services')), 'the first lists');
      assert.equal(resolved, false, 'startServe waits for the slow Secret list');
      s = await started;
      assert.ok(Date.now() - t0 >= 380, 'it resolved only after the Secret list answered');
      assert.equal(s.source.synced(), true);
      assert.equal(s.run.controller.ready, true);
      assert.equal(new Set(s.recorder.taken).size, 1, 'one snapshot, taken after the sync');
      // Every kind was listed: 10 traefik.io + 9 traefik.containo.us + Service, EndpointSlice, Secret, ConfigMap, Node.
      const listed = new Set(api.requests.filter((r) => r.verb === 'list').map((r) => r.path));
      assert.equal(listed.size, 24, [...listed].join('\n'));
      assert.ok(listed.has('/api/v1/nodes'));
      const e = await s.envoy();
      assert.deepEqual(e.routeTable(), ['web/http app.example.com /']);
      assert.deepEqual(e.endpoints(), { 'default/whoami/80': ['10.0.0.11:8080'] });
    });

    it('asks for bookmarks and resumes a dropped watch from the last bookmark without listing again', async () => {
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api);
      await until(() => api.openWatches('services') === 1, 'the Service watch');
      const watch = api.requests.find((r) => r.verb === 'watch' && r.path === '/api/v1/services')!;
      assert.equal(watch.query.allowWatchBookmarks, 'true');
      assert.ok(Number(watch.query.timeoutSeconds) > 0, 'a server-side watch timeout is set');
      // Unrelated writes move the resourceVersion on; a bookmark tells the informer.
      api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'other' }, data: { a: '1' } });
      await until(() => api.openWatches() === 24 && api.bookmark() > 0, 'bookmarks sent');
      const rv = String(api.resourceVersion);
      const lists = api.requests.filter((r) => r.verb === 'list').length;
      await sleep(50);
      api.dropWatches();
      await until(() => api.requests.some((r) => r.verb === 'watch' && r.path === '/api/v1/services' && r.query.resourceVersion === rv), 'a watch resumed from the bookmark');
      assert.equal(api.requests.filter((r) => r.verb === 'list').length, lists, 'no relist');
    });

    it('keeps unchanged objects identical across snapshots', async () => {
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api);
      const before = s.source.snapshot().objects;
      api.put(ingressRoute('other', 'Host(`other.example.com`)'));
      await s.input((objs) => !!findRaw(objs, 'IngressRoute', 'other'), 'the new IngressRoute');
      const after = s.source.snapshot().objects;
      for (const o of before) assert.ok(after.includes(o), `${o.kind} ${o.metadata.name} kept its identity`);
      assert.equal(s.source.snapshot(), s.source.snapshot(), 'no change, same snapshot');
    });

    it('tells what changed since the previous snapshot, exactly what comparing every object finds, and keeps each kind sorted', async () => {
      for (const o of app()) api.put(o);
      for (const ns of ['team-b', 'team-a']) for (const i of [3, 1, 2]) api.put(service(`svc-${i}`, ns));
      s = await K8sServed.start(api);
      const keyOf = (o: RawObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      const check = (prev: SourceSnapshot, next: SourceSnapshot) => {
        const services = next.objects.filter((o) => o.kind === 'Service').map(keyOf);
        assert.deepEqual(services, [...services].sort(), 'Services sorted by namespace/name');
        assert.ok(next.changes, 'changes told');
        assert.equal(next.changes.since, prev.generation);
        const want = objectChanges(prev.objects, next.objects);
        assert.deepEqual(new Set(next.changes.added), new Set(want.added), 'added');
        assert.deepEqual(new Set(next.changes.removed), new Set(want.removed), 'removed');
        return want;
      };
      let prev = s.source.snapshot();
      api.put(slice('whoami', ['10.0.0.99']));
      await s.input((objs) => JSON.stringify(findRaw(objs, 'EndpointSlice', 'whoami-abc')).includes('10.0.0.99'), 'the new endpoints');
      let next = s.source.snapshot();
      let c = check(prev, next);
      assert.deepEqual([c.added.length, c.removed.length], [1, 1], 'one EndpointSlice replaced');
      prev = next;
      api.put(service('svc-0', 'team-a'));
      api.remove('v1', 'Service', 'team-b', 'svc-2');
      await s.input((objs) => !!objs.find((o) => o.kind === 'Service' && keyOf(o) === 'team-a/svc-0') && !objs.find((o) => keyOf(o) === 'team-b/svc-2'), 'added and deleted');
      next = s.source.snapshot();
      c = check(prev, next);
      assert.deepEqual([c.added.map(keyOf), c.removed.map(keyOf)], [['team-a/svc-0'], ['team-b/svc-2']]);
      assert.ok(assertChangesExact(s.recorder.taken) >= 2, 'the serve loop was told the changes');
    });

    it('closing during the first sync ends start() (no hang, not synced)', async () => {
      api.forbidden = [{ verb: 'list', resource: 'services' }];
      const logs: LogLine[] = [];
      const { source } = K8sServed.makeSource(api, {}, logs);
      const started = source.start(() => undefined);
      await until(() => api.requests.some((r) => r.status === 403), 'a refused list');
      await source.close();
      await Promise.race([started, sleep(1000).then(() => assert.fail('start() did not return'))]);
      assert.equal(source.synced(), false);
      await sleep(100); // requests sent before close() may still arrive
      const n = api.requests.length;
      await sleep(300);
      assert.deepEqual(api.requests.slice(n).map((r) => `${r.verb} ${r.path} ${r.status}`), [], 'no retry or reconnection after close');
    });

    it('lists page by page', async () => {
      for (let i = 0; i < 7; i++) api.put(ingressRoute(`r${i}`, `Host(\`r${i}.example.com\`)`));
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api, { source: { pageSize: 3 } });
      const pages = api.requests.filter((r) => r.verb === 'list' && r.path === '/apis/traefik.io/v1alpha1/ingressroutes');
      assert.equal(pages.length, 3);
      assert.equal(pages[0].query.limit, '3');
      assert.ok(pages[1].query.continue && pages[2].query.continue);
      assert.equal(s.source.snapshot().objects.filter((o) => o.kind === 'IngressRoute').length, 8);
    });
  });

  describe('add, update and delete reach the controller, for every kind', () => {
    const kinds: { kind: string; apiVersion: string; body: (v: string) => Record<string, unknown>; ns?: string }[] = [
      ...['traefik.io', 'traefik.containo.us'].flatMap((g) => [
        { kind: 'IngressRoute', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { routes: [{ match: `Host(\`${v}.example.com\`)`, kind: 'Rule', services: [{ name: 'whoami', port: 80 }] }] } }) },
        { kind: 'IngressRouteTCP', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { routes: [{ match: `HostSNI(\`${v}.example.com\`)`, services: [{ name: 'whoami', port: 80 }] }] } }) },
        { kind: 'IngressRouteUDP', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { entryPoints: [v], routes: [{ services: [{ name: 'whoami', port: 80 }] }] } }) },
        { kind: 'Middleware', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { headers: { customRequestHeaders: { 'X-Marker': v } } } }) },
        { kind: 'MiddlewareTCP', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { inFlightConn: { amount: v.length } } }) },
        { kind: 'TraefikService', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { weighted: { services: [{ name: v, port: 80 }] } } }) },
        { kind: 'ServersTransport', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { serverName: v } }) },
        { kind: 'TLSOption', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { sniStrict: v.length > 2 } }) },
        { kind: 'TLSStore', apiVersion: `${g}/v1alpha1`, body: (v: string) => ({ spec: { defaultCertificate: { secretName: v } } }) },
      ]),
      { kind: 'ServersTransportTCP', apiVersion: 'traefik.io/v1alpha1', body: (v: string) => ({ spec: { dialTimeout: `${v.length}s` } }) },
      { kind: 'Service', apiVersion: 'v1', body: (v: string) => ({ spec: { ports: [{ name: v, port: 80 }] } }) },
      { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', body: (v: string) => ({ metadata: { labels: { 'kubernetes.io/service-name': v } }, addressType: 'IPv4', endpoints: [] }) },
      { kind: 'Secret', apiVersion: 'v1', body: (v: string) => ({ type: 'Opaque', data: { value: Buffer.from(v).toString('base64') } }) },
      { kind: 'ConfigMap', apiVersion: 'v1', body: (v: string) => ({ data: { 'ca.crt': v } }) },
      { kind: 'Node', apiVersion: 'v1', ns: '', body: (v: string) => ({ status: { addresses: [{ type: 'InternalIP', address: v === 'one' ? '10.1.0.1' : '10.1.0.2' }] } }) },
    ];

    it('covers all 24 watched kinds (10 traefik.io, 9 traefik.containo.us, 5 core)', () => {
      assert.equal(kinds.length, 24);
    });

    for (const k of kinds) {
      it(`${k.kind} (${k.apiVersion})`, async () => {
        s = await K8sServed.start(api);
        const make = (v: string): Obj => {
          const b = k.body(v) as Obj;
          return { ...b, apiVersion: k.apiVersion, kind: k.kind, metadata: { name: 'obj', ...(k.ns === '' ? {} : { namespace: 'default' }), ...(b.metadata ?? {}) } };
        };
        // The controller was given exactly the version the API server stored.
        const has = (stored: Obj) => (objs: ReturnType<K8sServed['lastInput']>) =>
          findRaw(objs, k.kind, 'obj', k.apiVersion)?.metadata.resourceVersion === stored.metadata.resourceVersion;
        const builds = () => s!.run.controller.lastReport!.at;
        const v1 = api.put(make('one'));
        await s.input(has(v1), `${k.kind} added`);
        const v2 = api.put(make('three'));
        await s.input(has(v2), `${k.kind} updated`);
        assert.equal(JSON.stringify(findRaw(s.lastInput(), k.kind, 'obj', k.apiVersion)!.body).includes(JSON.stringify(v2.metadata.uid)), true);
        const before = builds();
        api.remove(k.apiVersion, k.kind, k.ns === '' ? undefined : 'default', 'obj');
        await s.input((objs) => !findRaw(objs, k.kind, 'obj', k.apiVersion), `${k.kind} deleted`);
        await until(() => builds() >= before, 'a rebuild');
      });
    }
  });

  describe('changes reach a connected xDS client', () => {
    it('IngressRoute: add, update, delete (traefik.io and traefik.containo.us)', async () => {
      api.put(service('whoami'));
      api.put(slice('whoami', ['10.0.0.11']));
      s = await K8sServed.start(api);
      const e = await s.envoy();
      assert.deepEqual(e.routeTable(), []);
      api.put(ingressRoute('app', 'Host(`app.example.com`)'));
      await e.until(() => e.routeTable().includes('web/http app.example.com /'), 'the route');
      api.put(ingressRoute('app', 'Host(`app.example.com`) && PathPrefix(`/v2`)'));
      await e.until(() => e.routeTable().join() === 'web/http app.example.com /v2', 'the updated route');
      api.put(ingressRoute('legacy', 'Host(`legacy.example.com`)', { group: 'traefik.containo.us' }));
      await e.until(() => e.routeTable().includes('web/http legacy.example.com /'), 'the traefik.containo.us route');
      api.remove('traefik.io/v1alpha1', 'IngressRoute', 'default', 'app');
      await e.until(() => e.routeTable().join() === 'web/http legacy.example.com /', 'the traefik.io route removed');
      api.remove('traefik.containo.us/v1alpha1', 'IngressRoute', 'default', 'legacy');
      await e.until(() => e.routeTable().length === 0, 'no route left');
    });

    it('Service: add, update (nativeLB follows the ClusterIP), delete', async () => {
      api.put(ingressRoute('app', 'Host(`app.example.com`)', { serviceExtra: { nativeLB: true } }));
      s = await K8sServed.start(api);
      const e = await s.envoy();
      assert.deepEqual(e.routeTable(), [], 'no Service yet: the route is not served');
      api.put(service('whoami'));
      await e.until(() => e.endpoints()['default/whoami/80']?.join() === '10.96.0.10:80', 'the ClusterIP endpoint');
      assert.deepEqual(e.routeTable(), ['web/http app.example.com /']);
      api.put(service('whoami', 'default', 80, { clusterIP: '10.96.0.20' }));
      await e.until(() => e.endpoints()['default/whoami/80']?.join() === '10.96.0.20:80', 'the new ClusterIP');
      api.remove('v1', 'Service', 'default', 'whoami');
      await e.until(() => e.routeTable().length === 0 && e.of(TYPE.cds).length === 0, 'route and cluster gone');
    });

    it('EndpointSlice churn updates only the endpoints', async () => {
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api);
      const e = await s.envoy();
      assert.deepEqual(e.endpoints(), { 'default/whoami/80': ['10.0.0.11:8080'] });
      const mark = e.mark();
      const versions = { cds: e.pushes.filter((p) => p.type === TYPE.cds).at(-1)!.version, rds: e.pushes.filter((p) => p.type === TYPE.rds).at(-1)!.version };
      api.put(slice('whoami', ['10.0.0.11', '10.0.0.12']));
      await e.until(() => e.endpoints()['default/whoami/80'].length === 2, 'a second endpoint');
      api.put(slice('whoami', ['10.0.0.12'], 'default', 'whoami-abc'));
      api.put(slice('whoami', ['10.0.0.13'], 'default', 'whoami-def'));
      await e.until(() => e.endpoints()['default/whoami/80'].join() === '10.0.0.12:8080,10.0.0.13:8080', 'endpoints from two slices');
      api.remove('discovery.k8s.io/v1', 'EndpointSlice', 'default', 'whoami-def');
      await e.until(() => e.endpoints()['default/whoami/80'].join() === '10.0.0.12:8080', 'the slice removed');
      await sleep(300);
      const types = new Set(e.pushesSince(mark).map((p) => p.type));
      assert.deepEqual([...types], [TYPE.eds], 'only EDS was pushed');
      assert.equal(e.pushes.filter((p) => p.type === TYPE.cds).at(-1)!.version, versions.cds);
      assert.equal(e.pushes.filter((p) => p.type === TYPE.rds).at(-1)!.version, versions.rds);
    });

    it('Secret: a TLS certificate appears over SDS and goes with its Secret (the generated default stays)', async () => {
      for (const o of app()) api.put(o);
      api.put(ingressRoute('secure', 'Host(`whoami.example.com`)', { entryPoints: ['websecure'], tls: { secretName: 'whoami-tls' } }));
      s = await K8sServed.start(api);
      const e = await s.envoy();
      const chains = () => (e.of(TYPE.lds).find((l) => l.name === 'websecure')?.filter_chains ?? []).length;
      // No Secret yet: the TLS chain serves Traefik's generated default certificate only.
      assert.equal(chains(), 2);
      assert.ok(!e.text().includes('default/whoami-tls'));
      api.put(tlsSecret());
      await e.until(() => e.text().includes('default/whoami-tls'), 'the certificate of the Secret, over SDS');
      api.remove('v1', 'Secret', 'default', 'whoami-tls');
      await e.until(() => !e.text().includes('default/whoami-tls'), 'the certificate gone with its Secret');
      assert.equal(chains(), 2, 'the TLS chain stays, with the generated default certificate');
    });

    it('Node: nodePortLB endpoints follow the nodes', async () => {
      api.put(service('whoami', 'default', 80, { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }] }));
      api.put(ingressRoute('app', 'Host(`app.example.com`)', { serviceExtra: { nodePortLB: true } }));
      s = await K8sServed.start(api);
      const e = await s.envoy();
      const node = (name: string, ip: string): Obj => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
      api.put(node('n1', '10.1.0.1'));
      await e.until(() => e.endpoints()['default/whoami/80']?.join() === '10.1.0.1:30080', 'the node endpoint');
      api.put(node('n2', '10.1.0.2'));
      await e.until(() => e.endpoints()['default/whoami/80']?.length === 2, 'two nodes');
      api.put(node('n1', '10.1.0.3'));
      await e.until(() => e.endpoints()['default/whoami/80']?.join() === '10.1.0.2:30080,10.1.0.3:30080', 'the changed address');
      api.remove('v1', 'Node', undefined, 'n2');
      await e.until(() => e.endpoints()['default/whoami/80']?.join() === '10.1.0.3:30080', 'the node removed');
    });
  });

  describe('filters', () => {
    it('namespaces: one informer set per namespace, Nodes cluster-wide, other namespaces invisible', async () => {
      for (const o of app('apps', 'apps.example.com')) api.put(o);
      for (const o of app('team', 'team.example.com')) api.put(o);
      for (const o of app('other', 'other.example.com')) api.put(o);
      s = await K8sServed.start(api, { crd: { namespaces: ['apps', 'team'] } });
      const lists = api.requests.filter((r) => r.verb === 'list').map((r) => r.path);
      assert.ok(lists.includes('/apis/traefik.io/v1alpha1/namespaces/apps/ingressroutes'));
      assert.ok(lists.includes('/api/v1/namespaces/team/secrets'));
      assert.ok(lists.includes('/api/v1/nodes'));
      assert.ok(!lists.some((p) => p.includes('/namespaces/other/')), 'nothing listed in other');
      assert.ok(!lists.some((p) => /\/(services|secrets|ingressroutes)$/.test(p) && !p.includes('/namespaces/')), 'no cluster-wide list of namespaced kinds');
      const e = await s.envoy();
      assert.deepEqual(e.routeTable(), ['web/http apps.example.com /', 'web/http team.example.com /']);
      api.put(ingressRoute('app2', 'Host(`more.example.com`)', { ns: 'other' }));
      api.put(ingressRoute('app2', 'Host(`more.example.com`)', { ns: 'team' }));
      await e.until(() => e.routeTable().includes('web/http more.example.com /'), 'the route in team');
      assert.ok(!findRaw(s.source.snapshot().objects.filter((o) => o.metadata.namespace === 'other'), 'IngressRoute', 'app2'));
    });

    it('disableClusterScopeResources: no Node informer', async () => {
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api, { crd: { disableClusterScopeResources: true } });
      assert.ok(!api.requests.some((r) => r.path.includes('/nodes')));
    });

    it('labelSelector: server-side on Traefik kinds only; objects come and go with their labels', async () => {
      api.put(service('whoami'));
      api.put(slice('whoami', ['10.0.0.11']));
      api.put(ingressRoute('a', 'Host(`a.example.com`)', { labels: { team: 'edge' } }));
      api.put(ingressRoute('b', 'Host(`b.example.com`)', { labels: { team: 'core' } }));
      s = await K8sServed.start(api, { crd: { labelSelector: 'team=edge' } });
      const q = (p: string) => api.requests.find((r) => r.verb === 'list' && r.path === p)!.query;
      assert.equal(q('/apis/traefik.io/v1alpha1/ingressroutes').labelSelector, 'team=edge');
      assert.equal(q('/apis/traefik.containo.us/v1alpha1/middlewares').labelSelector, 'team=edge');
      assert.equal(q('/api/v1/services').labelSelector, undefined, 'not on Services');
      assert.equal(q('/api/v1/secrets').labelSelector, 'owner!=helm', 'Helm release secrets are skipped, as Traefik does');
      const e = await s.envoy();
      assert.deepEqual(e.routeTable(), ['web/http a.example.com /']);
      api.put(ingressRoute('b', 'Host(`b.example.com`)', { labels: { team: 'edge' } }));
      await e.until(() => e.routeTable().length === 2, 'b gained the label');
      api.put(ingressRoute('a', 'Host(`a.example.com`)', { labels: { team: 'core' } }));
      await e.until(() => e.routeTable().join() === 'web/http b.example.com /', 'a lost the label');
    });

    it('ingressClass: the annotation (or spec.ingressClassName) selects IngressRoutes, with Traefik\'s rule for "" and "traefik"', async () => {
      api.put(service('whoami'));
      api.put(slice('whoami', ['10.0.0.11']));
      const cls = (name: string, c?: string, byName = false) => ingressRoute(name, `Host(\`${name}.example.com\`)`,
        byName ? { ingressClassName: c } : c === undefined ? {} : { annotations: { 'kubernetes.io/ingress.class': c } });
      api.put(cls('none'));
      api.put(cls('traefik', 'traefik'));
      api.put(cls('internal', 'internal'));
      api.put(cls('internal2', 'internal', true));
      s = await K8sServed.start(api);
      const e = await s.envoy();
      assert.deepEqual(e.routeTable(), ['web/http none.example.com /', 'web/http traefik.example.com /'], 'ingressClass "": no class or "traefik"');
      await s.stop();
      s = await K8sServed.start(api, { crd: { ingressClass: 'internal' } });
      const e2 = await s.envoy('envoy-2');
      assert.deepEqual(e2.routeTable(), ['web/http internal.example.com /', 'web/http internal2.example.com /']);
      api.put(cls('none', 'internal'));
      await e2.until(() => e2.routeTable().length === 3, 'the annotation added');
    });
  });

  describe('failures', () => {
    it('a 410 Gone mid-stream: the informer lists again and no update is lost', async () => {
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api);
      const e = await s.envoy();
      await until(() => api.openWatches() === 24, 'every watch open');
      const lists = api.requests.filter((r) => r.verb === 'list' && r.path === '/apis/traefik.io/v1alpha1/ingressroutes').length;
      api.expireWatches(); // ERROR 410 on every stream, history compacted
      api.put(ingressRoute('app', 'Host(`app.example.com`) && PathPrefix(`/after-410`)'));
      api.put(slice('whoami', ['10.0.0.99']));
      await e.until(() => e.routeTable().join() === 'web/http app.example.com /after-410', 'the update made during the relist');
      await e.until(() => e.endpoints()['default/whoami/80']?.join() === '10.0.0.99:8080', 'the endpoints');
      assert.ok(api.requests.filter((r) => r.verb === 'list' && r.path === '/apis/traefik.io/v1alpha1/ingressroutes').length > lists, 'listed again');
      assertChangesExact(s.recorder.taken);
    });

    it('a 410 Gone answer to a resumed watch (HTTP status): relist, and the update made while disconnected arrives', async () => {
      api.goneAs = 'http';
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api);
      const e = await s.envoy();
      await until(() => api.openWatches() === 24, 'every watch open');
      await api.stop();
      api.put(ingressRoute('app', 'Host(`app.example.com`) && PathPrefix(`/missed`)'));
      api.compact();
      await api.restart();
      await e.until(() => e.routeTable().join() === 'web/http app.example.com /missed', 'the missed update', 8000);
      assert.ok(api.requests.some((r) => r.verb === 'watch' && r.status === 410), 'a watch was answered 410');
    });

    it('the API server goes away: the last snapshot keeps serving; when it is back, changes flow again', async () => {
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api);
      const e = await s.envoy();
      await until(() => api.openWatches() === 24, 'every watch open');
      await api.stop();
      await until(() => s!.logs.some((l) => l.level === 'warn' && /cannot watch .*last good snapshot keeps serving/.test(l.msg)), 'the lost connection logged');
      await sleep(400); // several failed reconnections
      assert.deepEqual(e.routeTable(), ['web/http app.example.com /'], 'still served');
      assert.equal(s.source.synced(), true, 'still ready');
      assert.ok(s.source.snapshot().objects.length >= 3, 'the objects are kept');
      // The same data, plus one change made while we were away.
      api.put(ingressRoute('app', 'Host(`app.example.com`) && PathPrefix(`/back`)'));
      await api.restart();
      await e.until(() => e.routeTable().join() === 'web/http app.example.com /back', 'the change made while away', 8000);
      api.put(slice('whoami', ['10.0.0.50']));
      await e.until(() => e.endpoints()['default/whoami/80']?.join() === '10.0.0.50:8080', 'a change after the reconnection');
      assert.ok(s.logs.some((l) => l.msg === 'Kubernetes API: watching again'));
    });

    it('a 403 names the verb, resource and namespace it needed, and startup waits until RBAC is fixed', async () => {
      for (const o of app('apps')) api.put(o);
      api.forbidden = [{ verb: 'list', resource: 'secrets', namespace: 'apps' }];
      const logs: { level: string; msg: string }[] = [];
      const started = K8sServed.start(api, { crd: { namespaces: ['apps'] } }).then((x) => {
        s = x;
        logs.push(...x.logs);
        return x;
      });
      await until(() => api.requests.some((r) => r.status === 403), 'a 403');
      await sleep(100);
      assert.equal(s, undefined, 'not started while a list is refused');
      api.forbidden = [];
      await started;
      const line = s!.logs.find((l) => l.level === 'error' && /forbidden/.test(l.msg));
      assert.ok(line, 'an error line');
      assert.match(line!.msg, /cannot list resource "secrets" in API group "" in namespace "apps"/);
      assert.equal(s!.logs.filter((l) => l.level === 'error' && /forbidden/.test(l.msg)).length, 1, 'logged once for the streak');
    });

    it('a 403 on watch says "watch"', async () => {
      for (const o of app()) api.put(o);
      api.forbidden = [{ verb: 'watch', resource: 'configmaps' }];
      s = await K8sServed.start(api);
      await until(() => s!.logs.some((l) => /cannot watch resource "configmaps" in API group "" at the cluster scope/.test(l.msg)), 'the watch refusal');
    });

    it('an API group that is not installed is skipped with one info line and picked up when it appears', async () => {
      await api.close();
      api = await FakeApiServer.start({ token: 'test-token', groups: ['traefik.io'] });
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api);
      const info = s.logs.filter((l) => l.level === 'info' && /traefik\.containo\.us/.test(l.msg));
      assert.equal(info.length, 1, JSON.stringify(info));
      assert.match(info[0].msg, /not installed/);
      assert.ok(!api.requests.some((r) => r.path.startsWith('/apis/traefik.containo.us/v1alpha1/') && r.verb === 'list'));
      const e = await s.envoy();
      api.install('traefik.containo.us');
      api.put(ingressRoute('legacy', 'Host(`legacy.example.com`)', { group: 'traefik.containo.us' }));
      await e.until(() => e.routeTable().includes('web/http legacy.example.com /'), 'the new group\'s route');
    });

    it('a wrong token: 401 is reported', async () => {
      for (const o of app()) api.put(o);
      api.token = 'other';
      const p = K8sServed.start(api).then((x) => (s = x));
      await until(() => api.requests.some((r) => r.status === 401), 'a 401');
      await sleep(100);
      api.token = 'test-token';
      await p;
      assert.ok(s!.logs.some((l) => l.level === 'error' && /unauthorized \(401\).*check the token/.test(l.msg)), 'the 401 is explained');
    });
  });

  describe('throttleDuration', () => {
    it('coalesces change notifications on top of the debounce', async () => {
      for (const o of app()) api.put(o);
      s = await K8sServed.start(api, { crd: { throttleDuration: '400ms' }, debounce: { quietMs: 5, maxMs: 20 } });
      const e = await s.envoy();
      const taken = s.recorder.taken.length;
      for (let i = 0; i < 10; i++) {
        api.put(ingressRoute('app', `Host(\`app.example.com\`) && PathPrefix(\`/v${i}\`)`));
        await sleep(40);
      }
      await e.until(() => e.routeTable().join() === 'web/http app.example.com /v9', 'the last version');
      const rebuilds = s.recorder.taken.length - taken;
      assert.ok(rebuilds <= 3, `10 changes over ~400 ms gave ${rebuilds} rebuilds`);
    });
  });
});
