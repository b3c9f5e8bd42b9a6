// End to end with the real proxyless gRPC xDS client (@grpc/grpc-js-xds 1.14): our server serves the `grpc`
// profile translated from IngressRoutes on disk, grpc-js channels target `xds:///<host>`, and RPCs reach
// real gRPC backends on 127.0.0.1 that answer with their own name. Every wait is a bounded poll; no test
// asserts on timing. Each test also checks that no client NACKed anything.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startServe, type Running } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { silentLogger } from '../../src/xds/stream-context';
import { XdsStreamBase } from '../../src/xds/stream-base';
import { serializeResponse, type ResponseParts } from '../../src/xds/wire';
import { decodeResource } from '../../src/envoy/json';
import {
  Backend, NackWatch, XdsTestClient, bootstrapJson, ingressRouteManifest, serviceManifest, startBackend, tempDir,
  waitFor, waitForBackend, writeAtomic, writeManifest,
} from './helpers';

const FLEET_CLUSTER = 'e2e-grpc';
const FLEET_KEY = 'grpc-e2e/grpc';

const STATIC_CONFIG = `
entryPoints:
  web:
    address: ":8080"
fleets:
  - name: grpc-e2e
    match: {nodeCluster: "${FLEET_CLUSTER}"}
    profile: grpc
`;

const EDS_TYPE = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';

interface SentResponse {
  typeUrl: string;
  version: string;
  names: string[];
}

/**
 * Records every DiscoveryResponse the server writes to the streams of one node (decoded from the bytes handed
 * to grpc-js), so a test can assert what a real client was sent. Returns the list and a function undoing it.
 */
function recordResponses(nodeId: string): { sent: SentResponse[]; stop(): void } {
  const sent: SentResponse[] = [];
  const proto = XdsStreamBase.prototype as unknown as { write(this: { status?: { node: { id: string } } }, buf: Buffer | ResponseParts): boolean };
  const original = proto.write;
  proto.write = function (buf) {
    if (this.status?.node.id === nodeId) {
      const d = decodeResource('envoy.service.discovery.v3.DiscoveryResponse', Buffer.from(serializeResponse(buf))) as {
        type_url: string; version_info: string; resources?: { name?: string; cluster_name?: string }[];
      };
      sent.push({ typeUrl: d.type_url, version: d.version_info, names: (d.resources ?? []).map((r) => r.name ?? r.cluster_name ?? '?') });
    }
    return original.call(this, buf);
  };
  return { sent, stop: () => void (proto.write = original) };
}

/** Binomial check: `k` successes of `n` with probability `p`, within 5 standard deviations (false failure < 1e-6). */
function assertNearRatio(k: number, n: number, p: number, what: string): void {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(k - mean) <= 5 * sd, `${what}: ${k} of ${n}, expected about ${mean} (±${(5 * sd).toFixed(1)})`);
}

describe('e2e: grpc-js-xds clients on the grpc profile', function () {
  this.timeout(60000);

  let dir: string;
  let running: Running;
  let nacks: NackWatch;
  const backends: Record<string, Backend> = {};
  const clients: XdsTestClient[] = [];
  let bootstrap: string;

  const abort = () => nacks.assertNone();
  const client = (host: string, boot = bootstrap) => {
    const c = new XdsTestClient(host, boot);
    clients.push(c);
    return c;
  };
  const file = (name: string) => path.join(dir, name);

  before(async () => {
    for (const n of ['a', 'b', 'c', 'd']) backends[n] = await startBackend(n);
    dir = tempDir('traefik-xds-e2e-');
    fs.writeFileSync(file('services.yaml'), ['a', 'b', 'c', 'd'].map((n) => serviceManifest(`svc-${n}`, [backends[n]])).join(''));
    fs.writeFileSync(file('route.yaml'), ingressRouteManifest('route', [
      { match: 'Host(`route.e2e.test`)', services: [{ name: 'svc-a' }] },
      { match: 'Host(`route.e2e.test`) && PathPrefix(`/e2e.Other/`)', services: [{ name: 'svc-b' }] },
      { match: 'Host(`route.e2e.test`) && Path(`/e2e.Echo/Secret`)', services: [{ name: 'svc-c' }] },
      { match: 'Host(`route.e2e.test`) && Header(`x-route`, `canary`)', priority: 1000, services: [{ name: 'svc-d' }] },
    ]));
    fs.writeFileSync(file('split.yaml'), ingressRouteManifest('split', [
      { match: 'Host(`split.e2e.test`)', services: [{ name: 'svc-a', weight: 3 }, { name: 'svc-b', weight: 1 }] },
    ]));
    fs.writeFileSync(file('edit.yaml'), ingressRouteManifest('edit', [
      { match: 'Host(`edit.e2e.test`)', services: [{ name: 'svc-a' }] },
    ]));
    fs.writeFileSync(file('stable.yaml'), ingressRouteManifest('stable', [
      { match: 'Host(`stable.e2e.test`)', services: [{ name: 'svc-c' }] },
    ]));

    const { config, diagnostics } = loadStaticConfig({ text: STATIC_CONFIG, file: 'e2e.yaml' });
    assert.deepEqual(diagnostics.items.filter((d) => d.severity === 'error'), []);
    running = await startServe({
      config, paths: [dir], log: silentLogger, address: '127.0.0.1:0', watch: true, debounce: { quietMs: 20, maxMs: 200 },
    });
    nacks = new NackWatch(running.registry);
    assert.deepEqual(running.controller.lastReport?.diagnostics.filter((d) => d.severity === 'error'), [],
      'the test manifests translate without errors');
    bootstrap = bootstrapJson(running.port, { id: 'e2e-client', cluster: FLEET_CLUSTER });
  });

  afterEach(() => nacks?.assertNone());

  after(async () => {
    for (const c of clients) c.close();
    await running?.stop(500);
    await Promise.all(Object.values(backends).map((b) => b.close()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('routes RPCs by path prefix, exact method path and metadata header', async () => {
    const c = client('route.e2e.test');
    await waitForBackend(c, '/e2e.Echo/Who', 'a', { abort });
    assert.deepEqual(await c.tally('/e2e.Other/Who', 20), { b: 20 }, 'PathPrefix(`/e2e.Other/`) → b');
    assert.deepEqual(await c.tally('/e2e.Echo/Secret', 20), { c: 20 }, 'Path(`/e2e.Echo/Secret`) → c');
    assert.deepEqual(await c.tally('/e2e.Echo/Who', 20), { a: 20 }, 'the host route → a');
    assert.deepEqual(await c.tally('/e2e.Echo/Secret', 20, { 'x-route': 'canary' }), { d: 20 }, 'Header(`x-route`, `canary`) (priority 1000) → d');
    assert.deepEqual(await c.tally('/e2e.Other/Who', 20, { 'x-route': 'other' }), { b: 20 }, 'another header value does not match');

    // The node got the grpc profile of its fleet, and acknowledged every type it was sent.
    const mine = running.registry.list().filter((s) => s.node.id === 'e2e-client');
    assert.equal(mine.length, 1, 'one ADS stream for the node');
    assert.equal(mine[0].fleet.key, FLEET_KEY);
    for (const kind of ['listeners', 'routes', 'clusters', 'endpoints'] as const) {
      const st = mine[0].types[kind];
      assert.ok(st?.ackedVersion, `${kind} acknowledged (${JSON.stringify(st)})`);
    }
    assert.deepEqual(
      (mine[0].types.listeners?.subscribed as string[]).slice().sort(), ['route.e2e.test'],
      'the client asks for the listener named by its target host');
    assert.equal(mine[0].types.secrets, undefined, 'no SDS');
  });

  it('splits RPCs by weight (3:1) over 400 calls', async () => {
    const c = client('split.e2e.test');
    await waitFor('both sides of the split answer', async () => {
      const t = await c.tally('/e2e.Echo/Who', 40);
      return t.a && t.b ? t : undefined;
    }, { abort });
    const t = await c.tally('/e2e.Echo/Who', 400);
    assert.equal((t.a ?? 0) + (t.b ?? 0), 400, `only a and b answer: ${JSON.stringify(t)}`);
    assertNearRatio(t.a ?? 0, 400, 0.75, 'svc-a (weight 3 of 4)');
  });

  it('an edited manifest moves traffic: another target service, then other weights', async () => {
    const c = client('edit.e2e.test');
    await waitForBackend(c, '/e2e.Echo/Who', 'a', { abort });

    writeManifest(file('edit.yaml'), ingressRouteManifest('edit', [{ match: 'Host(`edit.e2e.test`)', services: [{ name: 'svc-b' }] }]));
    await waitForBackend(c, '/e2e.Echo/Who', 'b', { abort });

    // 3:1 → 1:3 on the split host: poll until b has the majority (under 3:1 that is a ~1e-8 event for 100 calls).
    const s = client('split.e2e.test');
    await waitFor('the split host to answer', async () => (await s.tally('/e2e.Echo/Who', 1)), { abort });
    writeManifest(file('split.yaml'), ingressRouteManifest('split', [
      { match: 'Host(`split.e2e.test`)', services: [{ name: 'svc-a', weight: 1 }, { name: 'svc-b', weight: 3 }] },
    ]));
    await waitFor('the split to favour b', async () => {
      const t = await s.tally('/e2e.Echo/Who', 100);
      return (t.b ?? 0) > 50 ? t : undefined;
    }, { abort });
    const t = await s.tally('/e2e.Echo/Who', 400);
    assertNearRatio(t.b ?? 0, 400, 0.75, 'svc-b (weight 3 of 4) after the edit');
  });

  it('a bad edit changes nothing: a YAML syntax error, then a rule that no longer parses', async () => {
    const c = client('stable.e2e.test');
    await waitForBackend(c, '/e2e.Echo/Who', 'c', { abort });
    const version = running.cache.get(FLEET_KEY)?.version;
    assert.ok(version, 'the fleet has a snapshot');

    // 1. Not YAML any more: the file's last valid objects stay.
    writeManifest(file('stable.yaml'), 'apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {name: stable\n  namespace: [default\n');
    await waitFor('the YAML error to be reported', () =>
      running.controller.currentDiagnostics().find((d) => d.severity === 'error' && d.kind === 'File' && (d.source ?? '').includes('stable.yaml')), { abort });
    assert.equal(running.cache.get(FLEET_KEY)?.version, version, 'the snapshot did not change');
    assert.deepEqual(await c.tally('/e2e.Echo/Who', 50), { c: 50 }, 'traffic still goes to c');

    // 2. Valid YAML, but the rule does not parse (and the service changed): the previous IngressRoute stays.
    writeManifest(file('stable.yaml'), ingressRouteManifest('stable', [{ match: 'Host(`stable.e2e.test`', services: [{ name: 'svc-a' }] }]));
    await waitFor('the rule error to be reported', () =>
      running.controller.currentDiagnostics().find((d) => d.severity === 'error' && d.kind === 'IngressRoute' && d.name === 'stable'), { abort });
    assert.equal(running.cache.get(FLEET_KEY)?.version, version, 'the snapshot did not change');
    assert.deepEqual(await c.tally('/e2e.Echo/Who', 50), { c: 50 }, 'traffic still goes to c');

    // 3. A good edit afterwards is served as usual.
    writeManifest(file('stable.yaml'), ingressRouteManifest('stable', [{ match: 'Host(`stable.e2e.test`)', services: [{ name: 'svc-d' }] }]));
    await waitForBackend(c, '/e2e.Echo/Who', 'd', { abort });
    assert.equal(running.controller.currentDiagnostics().filter((d) => d.severity === 'error').length, 0, 'the errors are gone');
  });

  // Editors and ConfigMap updates replace files by rename; Node 20's recursive fs.watch on Linux goes deaf to a
  // file after that, which is why src/sources/watch.ts watches directories one by one.
  it('an atomic save (write aside, then rename) is served, and so is the next one', async () => {
    const c = client('edit.e2e.test');
    for (const target of ['c', 'd']) {
      writeAtomic(file('edit.yaml'), ingressRouteManifest('edit', [{ match: 'Host(`edit.e2e.test`)', services: [{ name: `svc-${target}` }] }]));
      await waitForBackend(c, '/e2e.Echo/Who', target, { abort });
    }
  });

  // State of the world: EDS responses carry only what changed (the client keeps the other assignments).
  it('an EndpointSlice change sends the SotW client only the changed ClusterLoadAssignment, and traffic follows', async () => {
    const rec = recordResponses('e2e-eds');
    const services = (c: Backend) => ['a', 'b', 'c', 'd'].map((n) => serviceManifest(`svc-${n}`, [n === 'c' ? c : backends[n]])).join('');
    try {
      const c = client('route.e2e.test', bootstrapJson(running.port, { id: 'e2e-eds', cluster: FLEET_CLUSTER }));
      await waitForBackend(c, '/e2e.Echo/Secret', 'c', { abort });
      await waitForBackend(c, '/e2e.Echo/Who', 'a', { abort });
      const mine = () => running.registry.list().find((s) => s.node.id === 'e2e-eds')!;
      const subscribed = await waitFor('the client to subscribe to the four clusters\' assignments and acknowledge them', () => {
        const st = mine()?.types.endpoints;
        return st && Array.isArray(st.subscribed) && st.subscribed.length === 4 && st.ackedVersion === st.sentVersion ? st.subscribed : undefined;
      }, { abort });
      const edsSoFar = rec.sent.filter((r) => r.typeUrl === EDS_TYPE);
      assert.deepEqual([...new Set(edsSoFar.flatMap((r) => r.names))].sort(), [...subscribed].sort(), 'every subscribed assignment was sent');
      const svcC = subscribed.filter((n) => n.includes('svc-c'));
      assert.equal(svcC.length, 1, `one assignment for svc-c among ${subscribed.join(', ')}`);
      const before = rec.sent.length;

      // svc-c's EndpointSlice now points at backend d: one assignment changes, nothing else.
      writeManifest(file('services.yaml'), services(backends.d));
      await waitForBackend(c, '/e2e.Echo/Secret', 'd', { abort });
      await waitFor('the change to be acknowledged', () => {
        const st = mine().types.endpoints!;
        return rec.sent.length > before && st.ackedVersion === st.sentVersion ? true : undefined;
      }, { abort });
      const pushed = rec.sent.slice(before);
      assert.deepEqual(pushed.map((r) => ({ typeUrl: r.typeUrl, names: r.names })), [{ typeUrl: EDS_TYPE, names: svcC }],
        'one EDS response with the changed assignment alone (not the three unchanged ones, no other type)');
      assert.deepEqual(await c.tally('/e2e.Echo/Who', 20), { a: 20 }, 'the assignments not resent still route');
      assert.deepEqual(await c.tally('/e2e.Other/Who', 20), { b: 20 });
      assert.deepEqual(await c.tally('/e2e.Echo/Secret', 20, { 'x-route': 'canary' }), { d: 20 });
    } finally {
      rec.stop();
      writeManifest(file('services.yaml'), services(backends.c));
    }
    await waitFor('svc-c back on backend c', () => running.cache.get(FLEET_KEY) && clients.length ? true : undefined);
    await waitForBackend(clients.at(-1)!, '/e2e.Echo/Secret', 'c', { abort });
  });

  it('a node of no configured fleet gets the grpc profile from its gRPC user agent', async () => {
    const boot = bootstrapJson(running.port, { id: 'e2e-auto', cluster: 'somewhere-else' });
    const c = client('route.e2e.test', boot);
    await waitForBackend(c, '/e2e.Other/Who', 'b', { abort });
    const mine = running.registry.list().filter((s) => s.node.id === 'e2e-auto');
    assert.equal(mine.length, 1);
    assert.equal(mine[0].fleet.profile, 'grpc');
    assert.notEqual(mine[0].fleet.key, FLEET_KEY);
  });
});
