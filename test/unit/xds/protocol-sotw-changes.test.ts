// State of the world: what a push carries per type. Listeners and clusters are the complete state; routes,
// endpoints and secrets carry only what differs from what the client acknowledged (xDS protocol, "Grouping
// Resources into Responses"), plus what it newly subscribed to. Subscription changes, NACKs and pushes that
// overtake an ACK must still leave the client with every subscribed resource at its current version. And
// streams with the same subscription share one encoding of a response (memory at 1,000 streams).
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { TYPE, node, type Decoded } from '../../helpers/ads-client';
import type { RawXdsClient } from '../../helpers/ads-client';
import { BareServer, ENVOY_KEY, ack, byName, drain, names, nack, nextOf } from './protocol-harness';
import { baseWorld, world, type World } from './protocol-fixtures';
import { SotwStream } from '../../../src/xds/sotw';
import { SnapshotCache } from '../../../src/xds/cache';
import { ClientRegistry } from '../../../src/xds/clients';
import { buildSnapshot } from '../../../src/xds/snapshot';
import { silentLogger, type StreamContext } from '../../../src/xds/stream-context';
import { ResponseParts, type SotwRequest } from '../../../src/xds/wire';

const THREE: World = {
  clusters: { a: {}, b: {}, c: {} },
  routes: { 'web/http': { cluster: 'a' }, 'api/http': { cluster: 'b' } },
  listeners: { web: { port: 8080, route: 'web/http' }, api: { port: 8081, route: 'api/http' } },
};

function ipOf(resp: Decoded, name: string): string {
  return byName(resp).get(name)!.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address;
}

/** Subscribes to EDS `names` on a new ADS stream and acknowledges the first response. */
async function edsClient(s: BareServer, id: string, resourceNames: string[]): Promise<{ c: RawXdsClient; first: Decoded }> {
  const c = s.client();
  c.send({ node: node(id), type_url: TYPE.eds, resource_names: resourceNames });
  const first = await nextOf(c, TYPE.eds);
  ack(c, first, resourceNames);
  assert.ok(await c.quiet(150), 'an ACK is not answered');
  return { c, first };
}

describe('xDS state of the world: only what changed for routes, endpoints and secrets', () => {
  let s: BareServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('a push carries only the changed endpoints and routes; clusters and listeners stay complete', async () => {
    s = await BareServer.start(THREE);
    const c = s.client();
    c.send({ node: node('n1'), type_url: TYPE.cds });
    ack(c, await nextOf(c, TYPE.cds));
    c.send({ type_url: TYPE.eds, resource_names: ['a', 'b', 'c'] });
    const e1 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e1), ['a', 'b', 'c'], 'the first response has every subscribed resource');
    ack(c, e1, ['a', 'b', 'c']);
    c.send({ type_url: TYPE.lds });
    ack(c, await nextOf(c, TYPE.lds));
    c.send({ type_url: TYPE.rds, resource_names: ['web/http', 'api/http'] });
    const r1 = await nextOf(c, TYPE.rds);
    assert.deepEqual(names(r1), ['api/http', 'web/http']);
    ack(c, r1, ['web/http', 'api/http']);
    assert.ok(await c.quiet(200));

    // b's endpoints, api/http's prefix and c's connect timeout change.
    s.publish({
      clusters: { a: {}, b: { ip: '10.2.2.2' }, c: { timeout: 9 } },
      routes: { 'web/http': { cluster: 'a' }, 'api/http': { cluster: 'b', prefix: '/api' } },
      listeners: THREE.listeners,
    });
    const got = await drain(c, 300);
    assert.deepEqual(got.map((r) => `${r.type_url.split('.').at(-1)}: ${names(r).join(',')}`), [
      'Cluster: a,b,c', // full state, clusters first (make-before-break)
      'ClusterLoadAssignment: b',
      'RouteConfiguration: api/http',
    ]);
    const [cds2, e2, r2] = got;
    assert.equal(byName(cds2).get('c')!.connect_timeout, '9s');
    assert.equal(ipOf(e2, 'b'), '10.2.2.2');
    assert.equal(byName(r2).get('api/http')!.virtual_hosts[0].routes[0].match.prefix, '/api');
    assert.notEqual(e2.version_info, e1.version_info);
    // version_info names the whole state the client has once it applied the response.
    assert.equal(s.status().types.endpoints?.sentVersion, e2.version_info);
    ack(c, e2, ['a', 'b', 'c']);
    ack(c, r2, ['web/http', 'api/http']);
    ack(c, cds2);
    assert.ok(await c.quiet(200));

    // A client reconnecting with that version has everything: nothing is resent.
    const again = s.client();
    again.send({ node: node('n1'), type_url: TYPE.eds, version_info: e2.version_info, resource_names: ['a', 'b', 'c'] });
    assert.ok(await again.quiet(300), 'the version of a partial response stands for the complete state');
    // Unchanged content publishes nothing.
    s.publish(world({ clusters: { a: {}, b: { ip: '10.2.2.2' }, c: { timeout: 9 } }, routes: { 'web/http': { cluster: 'a' }, 'api/http': { cluster: 'b', prefix: '/api' } }, listeners: THREE.listeners }));
    assert.ok(await c.quiet(200));
  });

  it('a new cluster: the complete CDS first, then the EDS subscription change gets just its assignment', async () => {
    s = await BareServer.start(baseWorld());
    const c = s.client();
    c.send({ node: node('n1'), type_url: TYPE.cds });
    ack(c, await nextOf(c, TYPE.cds));
    c.send({ type_url: TYPE.eds, resource_names: ['a', 'b'] });
    const e1 = await nextOf(c, TYPE.eds);
    ack(c, e1, ['a', 'b']);
    assert.ok(await c.quiet(200));

    s.publish({ ...baseWorld(), clusters: { a: {}, b: {}, n: { ip: '10.7.7.7' } } });
    const cds = await nextOf(c, TYPE.cds);
    assert.deepEqual(names(cds), ['a', 'b', 'n']);
    assert.ok(await c.quiet(200), 'n was not subscribed yet: no EDS push');
    ack(c, cds);
    c.send({ type_url: TYPE.eds, version_info: e1.version_info, response_nonce: e1.nonce, resource_names: ['a', 'b', 'n'] });
    const e2 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e2), ['n'], 'the newly subscribed assignment, not the unchanged ones');
    assert.equal(ipOf(e2, 'n'), '10.7.7.7');
  });

  it('subscription changes: a name subscribed again is sent again, even unchanged', async () => {
    s = await BareServer.start(THREE);
    const { c, first } = await edsClient(s, 'n1', ['a']);
    assert.deepEqual(names(first), ['a']);

    c.send({ type_url: TYPE.eds, version_info: first.version_info, response_nonce: first.nonce, resource_names: ['a', 'b'] });
    const e2 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e2), ['b'], 'only the newly subscribed name');
    ack(c, e2, ['a', 'b']);

    // Unsubscribing is answered (with nothing to add); the client drops b.
    c.send({ type_url: TYPE.eds, version_info: e2.version_info, response_nonce: e2.nonce, resource_names: ['a'] });
    const e3 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e3), []);
    assert.equal(e3.version_info, first.version_info, 'the state is a alone again');
    ack(c, e3, ['a']);

    c.send({ type_url: TYPE.eds, version_info: e3.version_info, response_nonce: e3.nonce, resource_names: ['a', 'b'] });
    const e4 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e4), ['b'], 'b is sent again: the client dropped it');
    assert.equal(e4.version_info, e2.version_info);
    ack(c, e4, ['a', 'b']);

    // From named to "*": every resource of the type, since the client was never sent c.
    c.send({ type_url: TYPE.eds, version_info: e4.version_info, response_nonce: e4.nonce, resource_names: ['*'] });
    const e5 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e5), ['a', 'b', 'c']);
    assert.equal(e5.version_info, s.cache.get(ENVOY_KEY)!.types.endpoints.version, "a wildcard stream's version is its type snapshot's");
    ack(c, e5, ['*']);
    assert.ok(await c.quiet(200));
    s.publish({ ...THREE, clusters: { a: {}, b: {}, c: { ip: '10.3.3.3' } } });
    assert.deepEqual(names(await nextOf(c, TYPE.eds)), ['c'], 'a wildcard stream gets only what changed too');
  });

  it('after a NACK the rejected resources are not resent as such, and the next push carries them again', async () => {
    s = await BareServer.start(THREE);
    const { c, first } = await edsClient(s, 'n1', ['a', 'b', 'c']);

    s.publish({ ...THREE, clusters: { a: { ip: '10.1.1.1' }, b: {}, c: {} } });
    const e2 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e2), ['a']);
    nack(c, e2, first.version_info, 'a: rejected by the test', ['a', 'b', 'c']);
    assert.ok(await c.quiet(300), 'the rejected version is not sent again');
    const st = s.status().types.endpoints!;
    assert.equal(st.nack?.version, e2.version_info);
    assert.deepEqual(st.nack?.resources, ['a'], 'the NACK names the resources of the rejected response');
    assert.equal(st.ackedVersion, first.version_info);

    // b changes: the push also carries a, which the client does not have at this version.
    s.publish({ ...THREE, clusters: { a: { ip: '10.1.1.1' }, b: { ip: '10.2.2.2' }, c: {} } });
    const e3 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e3), ['a', 'b']);
    assert.equal(ipOf(e3, 'a'), '10.1.1.1');
    ack(c, e3, ['a', 'b', 'c']);
    assert.ok(await c.quiet(200));
    assert.equal(s.status().types.endpoints?.nack, undefined, 'the ACK clears the NACK');

    // Consistent again: the next push carries only what changed.
    s.publish({ ...THREE, clusters: { a: { ip: '10.1.1.1' }, b: { ip: '10.2.2.2' }, c: { ip: '10.3.3.3' } } });
    assert.deepEqual(names(await nextOf(c, TYPE.eds)), ['c']);
  });

  it('a NACK then a subscription change: the answer carries the rejected resource too', async () => {
    s = await BareServer.start(THREE);
    const { c, first } = await edsClient(s, 'n1', ['a']);
    s.publish({ ...THREE, clusters: { a: { ip: '10.1.1.1' }, b: {}, c: {} } });
    const e2 = await nextOf(c, TYPE.eds);
    nack(c, e2, first.version_info, 'no', ['a', 'b']);
    const e3 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e3), ['a', 'b'], 'b is new; a is what the client rejected, at the current version');
    assert.equal(ipOf(e3, 'a'), '10.1.1.1');
  });

  it('a push that overtakes the ACK of the previous one carries both changes', async () => {
    s = await BareServer.start(THREE);
    const { c } = await edsClient(s, 'n1', ['a', 'b', 'c']);
    s.publish({ ...THREE, clusters: { a: { ip: '10.1.1.1' }, b: {}, c: {} } });
    const e2 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e2), ['a']);
    s.publish({ ...THREE, clusters: { a: { ip: '10.1.1.1' }, b: { ip: '10.2.2.2' }, c: {} } });
    const e3 = await nextOf(c, TYPE.eds);
    // e2 is not acknowledged (its ACK, now stale, would be ignored): e3 alone must make the client whole.
    assert.deepEqual(names(e3), ['a', 'b']);
    ack(c, e2, ['a', 'b', 'c']); // stale
    ack(c, e3, ['a', 'b', 'c']);
    assert.ok(await c.quiet(200));
    s.publish({ ...THREE, clusters: { a: { ip: '10.1.1.1' }, b: { ip: '10.2.2.2' }, c: { ip: '10.3.3.3' } } });
    assert.deepEqual(names(await nextOf(c, TYPE.eds)), ['c']);
  });

  it('a removed endpoint assignment is not signalled (it goes with its cluster), and one that comes back is sent', async () => {
    s = await BareServer.start(THREE);
    const { c } = await edsClient(s, 'n1', ['a', 'b', 'c']);
    s.publish({ ...THREE, clusters: { a: {}, b: {} } });
    const e2 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e2), [], 'nothing to add; SotW cannot remove c');
    ack(c, e2, ['a', 'b', 'c']);
    assert.ok(await c.quiet(200));
    s.publish(THREE);
    assert.deepEqual(names(await nextOf(c, TYPE.eds)), ['c']);
  });

  describe('shared encodings', () => {
    /** A SotwStream on a fake call: what it writes is recorded, requests are delivered synchronously. */
    function fakeStream(ctx: StreamContext): { request(r: Partial<SotwRequest>): void; writes: (Buffer | ResponseParts)[] } {
      const writes: (Buffer | ResponseParts)[] = [];
      const call = Object.assign(new EventEmitter(), { write: (b: Buffer | ResponseParts) => (writes.push(b), true), end() {}, destroy() {} });
      new SotwStream(call as never, ctx);
      return {
        writes,
        request: (r) => call.emit('data', { versionInfo: '', resourceNames: [], typeUrl: TYPE.eds, responseNonce: '', ...r }),
      };
    }

    it('streams with the same subscription are written the same response head, initially and on a push', () => {
      const cache = new SnapshotCache();
      let id = 0;
      const ctx: StreamContext = { cache, registry: new ClientRegistry(), fleets: [], log: silentLogger, nextStreamId: () => ++id };
      cache.set(ENVOY_KEY, buildSnapshot(world(THREE)));
      const nodeInfo = { id: 'x', cluster: 'gateway', metadata: {}, userAgentName: 'envoy', userAgentVersion: '' };
      const streams = [fakeStream(ctx), fakeStream(ctx), fakeStream(ctx)];
      for (const [i, f] of streams.entries()) f.request({ node: { ...nodeInfo, id: `n${i}` }, resourceNames: i === 2 ? ['a', 'b'] : ['c', 'b', 'a'] });
      const heads = streams.map((f) => (f.writes[0] as ResponseParts).head);
      assert.ok(streams.every((f) => f.writes[0] instanceof ResponseParts), 'responses are a shared head and a tail');
      assert.equal(heads[0], heads[1], 'the same names in another order: one encoding');
      assert.notEqual(heads[0], heads[2], 'another subscription: another response');

      for (const f of streams) {
        const parts = f.writes[0] as ResponseParts;
        const nonce = /** the tail starts with field 5 (nonce) */ parts.tail.subarray(2, 2 + parts.tail[1]).toString();
        f.request({ responseNonce: nonce, resourceNames: f === streams[2] ? ['a', 'b'] : ['a', 'b', 'c'] });
      }
      assert.ok(streams.every((f) => f.writes.length === 1), 'ACKs are not answered');
      cache.set(ENVOY_KEY, buildSnapshot(world({ ...THREE, clusters: { a: {}, b: { ip: '10.2.2.2' }, c: {} } }), cache.get(ENVOY_KEY)));
      const pushed = streams.map((f) => f.writes[1] as ResponseParts);
      assert.ok(pushed.every((p) => p instanceof ResponseParts));
      assert.equal(pushed[0].head, pushed[1].head, 'one encoding of the push for the streams in the same state');
      assert.ok(pushed[0].head.length < heads[0].length / 2, `the push is one assignment of three (${pushed[0].head.length} of ${heads[0].length} bytes)`);
      assert.notEqual(pushed[0].tail, pushed[1].tail, 'each stream has its own nonce');
    });
  });
});
