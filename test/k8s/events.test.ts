// Problems as Kubernetes Events: posted once per problem, on the object from the API (uid and all), rate
// limited, written by the Lease leader only; and the Lease election itself.
import { strict as assert } from 'node:assert';
import { FakeApiServer } from './fake-apiserver';
import { K8sServed, captureLog, sleep, until, type LogLine } from './harness';
import { app, ingressRoute, service, slice } from './fixtures';
import { KubeClient, kubeConnectionOf } from '../../src/sources/kubernetes-client';
import { EventPublisher, startKubernetesEvents, reasonOf, type KubernetesEvents } from '../../src/sources/kubernetes-events';
import { LeaderElector } from '../../src/sources/leader';
import type { Diagnostic } from '../../src/model/diagnostics';

function clientOf(api: FakeApiServer): KubeClient {
  return new KubeClient(kubeConnectionOf({ endpoint: api.url, token: 'test-token', certAuthFilePath: '' }, {}).kubeConfig, 2000);
}

const eventPosts = (api: FakeApiServer) => api.requests.filter((r) => r.verb === 'create' && r.path.endsWith('/events'));
const createdEvents = (api: FakeApiServer) => eventPosts(api).filter((r) => r.status === 201);

describe('kubernetes events', () => {
  let api: FakeApiServer;
  const closers: (() => unknown)[] = [];

  beforeEach(async () => {
    api = await FakeApiServer.start({ token: 'test-token' });
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await api.close();
  });

  describe('from the serve loop', () => {
    let s: K8sServed;
    let ev: KubernetesEvents;

    async function serve(): Promise<void> {
      s = await K8sServed.start(api);
      closers.push(() => s.stop());
      ev = startKubernetesEvents({
        client: s.source.client, log: captureLog(s.logs), env: {}, namespace: 'traefik-xds', identity: 'replica-a',
        lookup: (k, ns, n) => s.source.objectFor(k, ns, n),
        leaderElection: { leaseDurationMs: 1000, renewDeadlineMs: 800, retryPeriodMs: 50 },
      })!;
      closers.push(() => ev.close());
      ev.publisher.update(s.run.controller.currentDiagnostics());
      s.run.controller.onBuild((r) => ev.publisher.update(r.diagnostics));
    }

    it('an error on an IngressRoute becomes one Warning Event on it, not re-posted on rebuilds', async () => {
      for (const o of app()) api.put(o);
      const broken = api.put(ingressRoute('broken', 'Host(`broken.example.com`)', { service: 'nope' }));
      await serve();
      await until(() => createdEvents(api).length === 1, 'one Event');
      const e = api.list('v1', 'Event', 'default')[0];
      assert.equal(e.type, 'Warning');
      assert.equal(e.reason, 'ReferenceNotFound');
      assert.match(e.message, /spec\.routes\[0\]\.services\[0\].*kubernetes service not found: default\/nope/);
      assert.deepEqual(
        { ...e.involvedObject },
        { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', name: 'broken', namespace: 'default', uid: broken.metadata.uid, resourceVersion: broken.metadata.resourceVersion },
      );
      assert.equal(e.source.component, 'traefik-xds');
      assert.equal(e.reportingComponent, 'traefik-xds');
      assert.equal(e.reportingInstance, 'replica-a');
      assert.equal(e.count, 1);
      assert.ok(e.firstTimestamp && e.lastTimestamp);
      // Unrelated changes rebuild; the unchanged problem is not posted again.
      const builds = s.run.controller.lastReport!.at;
      for (let i = 0; i < 3; i++) {
        api.put(slice('whoami', [`10.0.0.${20 + i}`]));
        await sleep(60);
      }
      await until(() => s.run.controller.lastReport!.at > builds, 'rebuilds');
      await sleep(200);
      assert.equal(eventPosts(api).length, 1, 'posted once');
      assert.equal(api.requests.filter((r) => r.path.includes('/events') && r.verb === 'patch').length, 0);
    });

    it('a fixed problem gets one Normal "Resolved" Event; a problem that comes back bumps its Event', async () => {
      for (const o of app()) api.put(o);
      api.put(ingressRoute('broken', 'Host(`broken.example.com`)', { service: 'nope' }));
      await serve();
      await until(() => createdEvents(api).length === 1, 'the Warning');
      api.put(service('nope'));
      api.put(slice('nope', ['10.0.0.30']));
      await until(() => createdEvents(api).length === 2, 'the Resolved event');
      const resolved = api.list('v1', 'Event', 'default').find((e) => e.reason === 'Resolved')!;
      assert.equal(resolved.type, 'Normal');
      assert.equal(resolved.involvedObject.name, 'broken');
      await sleep(200);
      assert.equal(eventPosts(api).length, 2, 'one Resolved only');
      // The problem again: same Event name, so the create answers 409 and the Event is bumped.
      api.remove('v1', 'Service', 'default', 'nope');
      await until(() => api.requests.some((r) => r.verb === 'patch' && r.path.includes('/events/') && r.status === 200), 'the Event bumped');
      assert.equal(api.list('v1', 'Event', 'default').filter((e) => e.reason === 'ReferenceNotFound').length, 1, 'still one Event object');
    });

    it('objects that did not come from the Kubernetes API get no Event', async () => {
      for (const o of app()) api.put(o);
      await serve();
      const d: Diagnostic = { severity: 'error', kind: 'IngressRoute', namespace: 'default', name: 'from-a-file', message: 'kubernetes service not found: default/x' };
      ev.publisher.update([d]);
      await sleep(100);
      assert.equal(eventPosts(api).length, 0);
    });

    it('info diagnostics (e.g. an ingress class that does not match) make no Event', async () => {
      for (const o of app()) api.put(o);
      api.put(ingressRoute('elsewhere', 'Host(`x.example.com`)', { annotations: { 'kubernetes.io/ingress.class': 'other' } }));
      await serve();
      await sleep(200);
      assert.ok(s.run.controller.currentDiagnostics().some((d) => d.severity === 'info' && d.name === 'elsewhere'));
      assert.equal(eventPosts(api).length, 0);
    });
  });

  describe('publisher', () => {
    const diag = (name: string, message = `kubernetes service not found: default/${name}`): Diagnostic => ({ severity: 'error', kind: 'IngressRoute', namespace: 'default', name, field: 'spec.routes[0].services[0]', message });

    function publisher(o: Partial<ConstructorParameters<typeof EventPublisher>[0]> = {}, logs: LogLine[] = []): EventPublisher {
      const p = new EventPublisher({
        client: clientOf(api), log: captureLog(logs), identity: 'test',
        lookup: (kind, ns, name) => api.get('traefik.io/v1alpha1', kind, ns, name),
        ...o,
      });
      closers.push(() => p.close());
      return p;
    }

    it('is rate limited by a token bucket', async () => {
      const names = Array.from({ length: 10 }, (_, i) => `r${i}`);
      for (const n of names) api.put(ingressRoute(n, `Host(\`${n}.example.com\`)`));
      const p = publisher({ rate: { perSecond: 8, burst: 3 } });
      const t0 = Date.now();
      p.update(names.map((n) => diag(n)));
      await sleep(100);
      assert.equal(createdEvents(api).length, 3, 'the burst');
      await until(() => createdEvents(api).length === 10, 'all ten', 4000);
      const took = Date.now() - t0;
      assert.ok(took >= 800, `7 more at 8/s take about 875 ms, took ${took}`);
    });

    it('a 403 on Events names the verb, resource and namespace', async () => {
      api.put(ingressRoute('a', 'Host(`a.example.com`)'));
      api.forbidden = [{ verb: 'create', resource: 'events' }];
      const logs: LogLine[] = [];
      const p = publisher({}, logs);
      p.update([diag('a')]);
      await until(() => logs.some((l) => l.level === 'error'), 'the error');
      assert.match(logs.find((l) => l.level === 'error')!.msg, /cannot create resource "events" in API group "" in namespace "default"/);
    });

    it('refreshes lasting problems (count and lastTimestamp)', async () => {
      api.put(ingressRoute('a', 'Host(`a.example.com`)'));
      const p = publisher({ refreshMs: 200 });
      p.update([diag('a')]);
      await until(() => createdEvents(api).length === 1, 'the Event');
      await until(() => api.list('v1', 'Event', 'default')[0]?.count === 2, 'a refresh', 3000);
      assert.equal(createdEvents(api).length, 1);
    });

    it('a recreated object (new uid) gets its own Event', async () => {
      api.put(ingressRoute('a', 'Host(`a.example.com`)'));
      const p = publisher();
      p.update([diag('a')]);
      await until(() => createdEvents(api).length === 1, 'the Event');
      api.remove('traefik.io/v1alpha1', 'IngressRoute', 'default', 'a');
      api.put(ingressRoute('a', 'Host(`a.example.com`)'));
      p.update([diag('a')]);
      await until(() => createdEvents(api).length === 2, 'a second Event');
      const uids = new Set(api.list('v1', 'Event', 'default').map((e) => e.involvedObject.uid));
      assert.equal(uids.size, 2);
    });

    it('only the leader writes; a new leader does not duplicate Events', async () => {
      api.put(ingressRoute('a', 'Host(`a.example.com`)'));
      api.put(ingressRoute('b', 'Host(`b.example.com`)'));
      const timing = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 40 };
      const la = new LeaderElector({ client: clientOf(api), log: captureLog([]), namespace: 'traefik-xds', name: 'events', identity: 'a', ...timing });
      la.start();
      closers.push(() => la.stop());
      await until(() => la.isLeader(), 'a leads');
      const lb = new LeaderElector({ client: clientOf(api), log: captureLog([]), namespace: 'traefik-xds', name: 'events', identity: 'b', ...timing });
      lb.start();
      closers.push(() => lb.stop());
      const pa = publisher({ leader: la, identity: 'a' });
      const pb = publisher({ leader: lb, identity: 'b' });
      pa.update([diag('a')]);
      pb.update([diag('a')]);
      await until(() => createdEvents(api).length === 1, 'the leader posted');
      await sleep(200);
      assert.equal(lb.isLeader(), false);
      assert.equal(eventPosts(api).length, 1, 'b did not write');
      // b learns of a second problem while a is still leading; then a steps down.
      pa.update([diag('a'), diag('b')]);
      pb.update([diag('a'), diag('b')]);
      await until(() => createdEvents(api).length === 2, 'a posted the second one');
      await la.stop();
      pa.close();
      await until(() => lb.isLeader(), 'b took over', 3000);
      await until(() => pb.problems().every((p) => p.written), 'b caught up');
      assert.equal(api.list('v1', 'Event', 'default').length, 2, 'no duplicate Event objects');
      assert.equal(createdEvents(api).length, 2);
      assert.equal(api.requests.filter((r) => r.verb === 'create' && r.path.endsWith('/events') && r.status === 409).length, 2, 'b found both already posted');
      assert.equal(api.list('v1', 'Event', 'default').filter((e) => e.reportingInstance === 'a').length, 2);
    });
  });

  describe('leader election (coordination.k8s.io/v1 Lease)', () => {
    const timing = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 40 };

    function elector(identity: string): LeaderElector {
      const e = new LeaderElector({ client: clientOf(api), log: captureLog([]), namespace: 'traefik-xds', name: 'lease', identity, ...timing });
      closers.push(() => e.stop());
      return e;
    }

    it('one leader at a time; a released lease is taken over at once', async () => {
      const a = elector('a');
      const b = elector('b');
      a.start();
      await until(() => a.isLeader(), 'a leads');
      b.start();
      await sleep(300);
      assert.equal(b.isLeader(), false);
      const lease = api.get('coordination.k8s.io/v1', 'Lease', 'traefik-xds', 'lease')!;
      assert.equal(lease.spec.holderIdentity, 'a');
      assert.equal(lease.spec.leaseDurationSeconds, 1);
      assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      const t0 = Date.now();
      await a.stop();
      assert.equal(api.get('coordination.k8s.io/v1', 'Lease', 'traefik-xds', 'lease')!.spec.holderIdentity, '');
      await until(() => b.isLeader(), 'b leads');
      assert.ok(Date.now() - t0 < 500, 'without waiting for the lease to expire');
      assert.equal(api.get('coordination.k8s.io/v1', 'Lease', 'traefik-xds', 'lease')!.spec.leaseTransitions, 1);
    });

    it('a holder that stops renewing loses the lease after its duration', async () => {
      api.put({
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'lease', namespace: 'traefik-xds' },
        spec: { holderIdentity: 'crashed', leaseDurationSeconds: 1, renewTime: new Date().toISOString(), leaseTransitions: 3 },
      });
      const b = elector('b');
      const t0 = Date.now();
      b.start();
      await sleep(500);
      assert.equal(b.isLeader(), false, 'the lease is still valid');
      await until(() => b.isLeader(), 'b takes over', 3000);
      assert.ok(Date.now() - t0 >= 1000, 'after the lease duration');
      const lease = api.get('coordination.k8s.io/v1', 'Lease', 'traefik-xds', 'lease')!;
      assert.equal(lease.spec.holderIdentity, 'b');
      assert.equal(lease.spec.leaseTransitions, 4);
    });

    it('a leader that cannot renew steps down', async () => {
      const a = elector('a');
      a.start();
      await until(() => a.isLeader(), 'a leads');
      api.forbidden = [{ resource: 'leases' }];
      await until(() => !a.isLeader(), 'a steps down', 3000);
    });
  });

  it('reasons are short CamelCase words', () => {
    const d = (message: string, field?: string, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({ severity, kind: 'IngressRoute', name: 'x', message, field });
    assert.equal(reasonOf(d('kubernetes service not found: default/x')), 'ReferenceNotFound');
    assert.equal(reasonOf(d('no servers found for default/x (no ready endpoint; set allowEmptyServices to serve 503 instead)')), 'NoEndpoints');
    assert.equal(reasonOf(d('"ipWhiteList" is deprecated: use ipAllowList', 'spec.ipWhiteList', 'warning')), 'Deprecated');
    assert.equal(reasonOf(d('unknown field "foo"', 'spec.foo')), 'InvalidSpec');
    assert.equal(reasonOf(d('middleware default/m is in another namespace: cross-namespace references need allowCrossNamespace')), 'CrossNamespaceForbidden');
    assert.equal(reasonOf(d('IngressRouteTCP is not translated by this version of traefik-xds yet', undefined, 'warning')), 'Unsupported');
  });
});
