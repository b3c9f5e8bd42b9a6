// The performance paths give exactly what the plain ones give: one-pass validation and encoding (with
// RouteConfigurations encoded virtual host by virtual host), response heads shared by streams, the delta
// streams' shared "in step" state, and the EndpointSlice fast path's in-place index update.
import { strict as assert } from 'node:assert';
import { checkEnvoyResources } from '../../../src/pipeline';
import { buildSnapshot, buildValidatedSnapshot, PUSH_ORDER, TYPE_URLS } from '../../../src/xds/snapshot';
import { encodeResource } from '../../../src/envoy/json';
import { RESOURCE_TYPE_NAMES, type EnvoyResources } from '../../../src/envoy/resources';
import {
  ResponseParts, encodeAny, encodeDeltaResponse, encodeDeltaResponseHead, encodeDeltaResponseTail, encodeSotwResponse, encodeSotwResponseHead,
  encodeSotwResponseTail, serializeResponse,
} from '../../../src/xds/wire';
import { objectChanges } from '../../../src/serve/controller';
import { TYPE, node } from '../../helpers/ads-client';
import { BareServer, deltaAck, drain, names, nextOf } from './protocol-harness';
import { baseWorld, routeConfiguration, world } from './protocol-fixtures';
import type { RawObject } from '../../../src/sources/types';
import type { RouteConfiguration } from '../../../src/envoy/types';

/** A world whose route configuration has many virtual hosts (the split encoding applies from two). */
function manyHosts(n: number, change?: number): EnvoyResources {
  const r = world(baseWorld());
  const rc = routeConfiguration(r.routes[0].name!, { cluster: 'a' });
  rc.virtual_hosts = Array.from({ length: n }, (_, i) => ({
    name: `host-${i}`,
    domains: [`h${i}.example.com`],
    routes: [{ name: `r${i}`, match: { prefix: i === change ? '/changed' : '/' }, route: { cluster: i % 2 ? 'a' : 'b' } }],
  }));
  r.routes = [rc];
  return r;
}

function assertSameBytes(r: EnvoyResources, snap: NonNullable<ReturnType<typeof buildValidatedSnapshot>['snapshot']>): void {
  for (const kind of PUSH_ORDER) {
    for (const res of r[kind] as object[]) {
      const name = (res as { name?: string; cluster_name?: string }).name ?? (res as { cluster_name: string }).cluster_name;
      const got = snap.types[kind].resources.get(name)!;
      assert.deepEqual(Buffer.from(got.any), Buffer.from(encodeAny(TYPE_URLS[kind], encodeResource(RESOURCE_TYPE_NAMES[kind], res))), `${kind}/${name}`);
    }
  }
}

describe('performance paths', () => {
  describe('buildValidatedSnapshot', () => {
    it('gives the bytes and versions of buildSnapshot, and re-encodes only the virtual hosts that changed', () => {
      const r1 = manyHosts(50);
      const a = buildValidatedSnapshot(r1);
      assert.deepEqual(a.problems, []);
      const b = buildSnapshot(r1);
      assert.equal(a.snapshot!.version, b.version);
      assertSameBytes(r1, a.snapshot!);

      const r2 = manyHosts(50, 17);
      const c = buildValidatedSnapshot(r2, a.snapshot);
      assert.equal(c.snapshot!.encodedCount, 1, 'only the route configuration');
      assert.ok(c.snapshot!.encodedBytes < 300, `one virtual host and the rest re-encoded, not ${c.snapshot!.encodedBytes} bytes`);
      assertSameBytes(r2, c.snapshot!);
      assert.equal(c.snapshot!.version, buildSnapshot(r2).version);
      assert.equal(c.snapshot!.types.clusters.resources.get('a'), a.snapshot!.types.clusters.resources.get('a'), 'unchanged resources are reused');
    });

    it('reports the problems checkEnvoyResources reports, in the same order, and builds nothing', () => {
      const bad = manyHosts(5);
      (bad.routes[0] as RouteConfiguration).virtual_hosts![3].domains = [];
      (bad.routes[0] as RouteConfiguration).virtual_hosts![1].routes![0].route = { cluster: 'missing' };
      (bad.clusters[0] as { connect_timeout?: string }).connect_timeout = '-1s';
      const got = buildValidatedSnapshot(bad, buildValidatedSnapshot(manyHosts(5)).snapshot);
      assert.equal(got.snapshot, undefined);
      assert.deepEqual(got.problems, checkEnvoyResources(bad));
      assert.ok(got.problems.some((p) => p.resource === 'snapshot' && /missing/.test(p.message)), JSON.stringify(got.problems));
    });
  });

  it('response heads and tails are the whole responses, byte for byte', () => {
    const anys = [Uint8Array.from([1, 2, 3]), Uint8Array.from([4])];
    assert.deepEqual(Buffer.concat([encodeSotwResponseHead('v1', anys, TYPE.cds), encodeSotwResponseTail('n-1')]), encodeSotwResponse('v1', anys, TYPE.cds, 'n-1'));
    assert.deepEqual(
      Buffer.concat([encodeDeltaResponseHead('v2', anys, TYPE.eds), encodeDeltaResponseTail(['x', 'y'], 'n-2')]),
      encodeDeltaResponse('v2', anys, TYPE.eds, ['x', 'y'], 'n-2'),
    );
  });

  it('serializeResponse joins the parts (in a reused buffer) and passes encoded responses through', () => {
    const head = encodeSotwResponseHead('v1', [Uint8Array.from([9, 9])], TYPE.eds);
    const whole = encodeSotwResponse('v1', [Uint8Array.from([9, 9])], TYPE.eds, 'n-3');
    const a = Buffer.from(serializeResponse(new ResponseParts(head, encodeSotwResponseTail('n-3'))));
    assert.deepEqual(a, whole);
    assert.equal(serializeResponse(whole), whole);
    const b = serializeResponse(new ResponseParts(head, encodeSotwResponseTail('n-4')));
    assert.deepEqual(Buffer.from(b), encodeSotwResponse('v1', [Uint8Array.from([9, 9])], TYPE.eds, 'n-4'));
    assert.equal(new ResponseParts(head, encodeSotwResponseTail('n-4')).length, b.length);
  });

  it('objectChanges finds what a set comparison finds', () => {
    const objs = Array.from({ length: 40 }, (_, i) => ({ kind: 'Service', metadata: { name: `s${i}` } }) as unknown as RawObject);
    const bySets = (p: RawObject[], n: RawObject[]) => ({ added: n.filter((o) => !p.includes(o)), removed: p.filter((o) => !n.includes(o)) });
    const fresh = (i: number) => ({ ...objs[i] });
    const cases: RawObject[][] = [
      objs.slice(),
      objs.map((o, i) => (i === 7 ? fresh(7) : o)),
      objs.map((o, i) => (i === 3 ? objs[5] : i === 5 ? objs[3] : o)), // two objects swapped: nothing changed
      [...objs.slice(0, 10), fresh(10), ...objs.slice(11, 39)], // one replaced, one gone
      objs.map((o, i) => (i % 2 ? fresh(i) : o)),
    ];
    for (const next of cases) {
      const got = objectChanges(objs, next);
      const want = bySets(objs, next);
      assert.deepEqual(new Set(got.added), new Set(want.added));
      assert.deepEqual(new Set(got.removed), new Set(want.removed));
    }
  });

  describe('delta streams in step', () => {
    let s: BareServer | undefined;
    afterEach(async () => {
      await s?.stop();
      s = undefined;
    });

    it('each wildcard stream gets exactly what changed, removals included, snapshot after snapshot', async () => {
      s = await BareServer.start(baseWorld());
      const clients = [s.client(true), s.client(true), s.client(true)];
      for (const [i, c] of clients.entries()) {
        c.send({ node: node(`n${i}`), type_url: TYPE.eds, resource_names_subscribe: ['*'] });
        for (const r of await drain(c, 300)) deltaAck(c, r);
      }
      const steps: [Parameters<BareServer['publish']>[0], string[], string[]][] = [
        [{ ...baseWorld(), clusters: { a: { ip: '10.9.9.9' }, b: {} } }, ['a'], []],
        [{ ...baseWorld(), clusters: { a: { ip: '10.9.9.9' } } }, [], ['b']],
        [{ ...baseWorld(), clusters: { a: { ip: '10.9.9.9' }, b: { ip: '10.1.1.1' }, c: {} } }, ['b', 'c'], []],
      ];
      for (const [w, changed, gone] of steps) {
        s.publish(w);
        for (const c of clients) {
          const eds = await nextOf(c, TYPE.eds);
          assert.deepEqual(names(eds).sort(), changed);
          assert.deepEqual([...((eds.removed_resources ?? []) as string[])].sort(), gone);
          deltaAck(c, eds);
          assert.deepEqual(await drain(c, 150), [], 'one response per change');
        }
      }
      // A newcomer starts from nothing and gets everything, the others nothing more.
      const late = s.client(true);
      late.send({ node: node('late'), type_url: TYPE.eds, resource_names_subscribe: ['*'] });
      assert.deepEqual(names(await nextOf(late, TYPE.eds)).sort(), ['a', 'b', 'c']);
      for (const c of clients) assert.ok(await c.quiet(150));
    });
  });
});
