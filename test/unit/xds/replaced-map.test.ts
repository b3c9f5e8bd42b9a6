// replaceResources (the EndpointSlice fast path) shares the type's map instead of copying it and updates the
// type's version from the replaced resources alone: the snapshot must still be, resource for resource and
// version for version, the one built from scratch.
import { strict as assert } from 'node:assert';
import { buildSnapshot, replaceResources, PUSH_ORDER, type Snapshot } from '../../../src/xds/snapshot';
import { ReplacedMap, keysReplacedBetween } from '../../../src/xds/replaced-map';
import type { EnvoyResources } from '../../../src/envoy/resources';
import { TYPE, node } from '../../helpers/ads-client';
import { BareServer, ENVOY_KEY, ack, byName, deltaAck, names, nextOf } from './protocol-harness';
import { baseWorld, cluster, loadAssignment } from './protocol-fixtures';

function resources(ips: string[]): EnvoyResources {
  const names = ips.map((_, i) => `c${String(i).padStart(3, '0')}`);
  return {
    listeners: [],
    routes: [],
    clusters: names.map((n) => cluster(n)),
    endpoints: names.map((n, i) => loadAssignment(n, { ip: ips[i] })),
    secrets: [],
  } as unknown as EnvoyResources;
}

function entriesOf(s: Snapshot, kind: (typeof PUSH_ORDER)[number]): [string, string][] {
  return [...s.types[kind].resources].map(([n, r]) => [n, r.version]);
}

describe('xds/replaced-map and replaceResources', () => {
  it('gives, change after change, the snapshot built from scratch, sharing the base map until a quarter is replaced', () => {
    const ips = Array.from({ length: 40 }, (_, i) => `10.0.0.${i + 1}`);
    let snap = buildSnapshot(resources(ips));
    let baseMap = snap.types.endpoints.resources;
    const seenKinds = new Set<string>();
    for (let step = 0; step < 14; step++) {
      const i = (step * 7) % 40;
      ips[i] = `10.1.${step}.${i + 1}`;
      const next = replaceResources(snap, 'endpoints', [resources(ips).endpoints[i]]);
      const scratch = buildSnapshot(resources(ips));
      assert.equal(next.version, scratch.version, `snapshot version after step ${step}`);
      for (const kind of PUSH_ORDER) {
        assert.equal(next.types[kind].version, scratch.types[kind].version, `${kind} version after step ${step}`);
        assert.deepEqual(entriesOf(next, kind), entriesOf(scratch, kind), `${kind} entries, in order, after step ${step}`);
      }
      assert.equal(next.types.clusters, snap.types.clusters, 'the other types are shared');
      assert.equal(next.encodedCount, 1);
      const m = next.types.endpoints.resources;
      seenKinds.add(m instanceof ReplacedMap ? 'replaced' : 'plain');
      if (m instanceof ReplacedMap) assert.equal(m.base, baseMap, 'replacements accumulate over the same base');
      else baseMap = m; // flattened: the base of the next replacements
      assert.deepEqual(m.get(`c${String(i).padStart(3, '0')}`)!.json, resources(ips).endpoints[i]);
      assert.equal(m.get('missing'), undefined);
      assert.equal(m.has('missing'), false);
      assert.equal(m.size, 40);
      snap = next;
    }
    // 14 steps touch 14 of 40 names (7 is prime to 40): at the 11th (past a quarter), the map is flattened.
    assert.deepEqual([...seenKinds].sort(), ['plain', 'replaced']);
  });

  it('returns the same snapshot when nothing changed, and re-sorts when a name is new', () => {
    const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    const snap = buildSnapshot(resources(ips));
    assert.equal(replaceResources(snap, 'endpoints', [resources(ips).endpoints[1]]), snap);
    const extra = loadAssignment('b-new', { ip: '10.9.9.9' });
    const next = replaceResources(snap, 'endpoints', [extra]);
    const scratch = buildSnapshot({ ...resources(ips), endpoints: [...resources(ips).endpoints, extra] } as EnvoyResources);
    assert.deepEqual(entriesOf(next, 'endpoints'), entriesOf(scratch, 'endpoints'));
    assert.equal(next.types.endpoints.version, scratch.types.endpoints.version);
  });

  it('type versions tell apart sets that differ by a removed, an added or a changed resource', () => {
    const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    const all = buildSnapshot(resources(ips)).types.endpoints.version;
    const fewer = buildSnapshot({ ...resources(ips), endpoints: resources(ips).endpoints.slice(1) } as EnvoyResources).types.endpoints.version;
    const changed = buildSnapshot(resources(['10.0.0.1', '10.0.0.2', '10.0.0.4'])).types.endpoints.version;
    const none = buildSnapshot(resources([])).types.endpoints.version;
    assert.equal(new Set([all, fewer, changed, none]).size, 4);
    assert.match(all, /^[0-9a-f]{16}$/);
  });

  it('iterates in the base order with the replaced values, and refuses a key the base does not have', () => {
    const base = new Map([['a', 1], ['b', 2], ['c', 3], ['d', 4], ['e', 5], ['f', 6], ['g', 7], ['h', 8]]);
    const m = ReplacedMap.withReplaced(base, new Map([['c', 30]]));
    assert.ok(m instanceof ReplacedMap);
    assert.deepEqual([...m], [['a', 1], ['b', 2], ['c', 30], ['d', 4], ['e', 5], ['f', 6], ['g', 7], ['h', 8]]);
    assert.deepEqual([...m.keys()], [...base.keys()]);
    assert.deepEqual([...m.values()], [1, 2, 30, 4, 5, 6, 7, 8]);
    const seen: string[] = [];
    m.forEach((v, k) => seen.push(`${k}=${v}`));
    assert.deepEqual(seen, ['a=1', 'b=2', 'c=30', 'd=4', 'e=5', 'f=6', 'g=7', 'h=8']);
    assert.equal(base.get('c'), 3, 'the base is not modified');
    const m2 = ReplacedMap.withReplaced(m, new Map([['g', 70]]));
    assert.ok(m2 instanceof ReplacedMap && m2.base === base);
    assert.deepEqual([...m2.values()], [1, 2, 30, 4, 5, 6, 70, 8]);
    assert.deepEqual([...m.values()], [1, 2, 30, 4, 5, 6, 7, 8], 'the earlier map is unchanged');
    const flat = ReplacedMap.withReplaced(m2, new Map([['a', 10]]));
    assert.ok(flat instanceof Map, 'three of eight replaced: flattened');
    assert.deepEqual([...flat.values()], [10, 2, 30, 4, 5, 6, 70, 8]);
    assert.throws(() => ReplacedMap.withReplaced(base, new Map([['z', 0]])), /z is not a key/);
  });

  it('keysReplacedBetween: the replaced keys of either map over the same base, else unknown', () => {
    const base = new Map(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].map((k, i) => [k, i] as [string, number]));
    const x = ReplacedMap.withReplaced(base, new Map([['b', 10]]));
    const y = ReplacedMap.withReplaced(x, new Map([['e', 40]]));
    const z = ReplacedMap.withReplaced(base, new Map([['g', 60]]));
    assert.deepEqual([...keysReplacedBetween(base, x)!], ['b']);
    assert.deepEqual([...keysReplacedBetween(x, y)!].sort(), ['b', 'e']);
    assert.deepEqual([...keysReplacedBetween(z, y)!].sort(), ['b', 'e', 'g'], 'siblings: both sides');
    assert.equal(keysReplacedBetween(x, base), undefined, 'to a plain map: unknown');
    assert.equal(keysReplacedBetween(new Map(base), x), undefined, 'another base: unknown');
  });

  it('streams pushed a replaced snapshot send exactly the replaced assignments (SotW wildcard and named, delta)', async () => {
    const s = await BareServer.start({ ...baseWorld(), clusters: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => [n, {}])) });
    try {
      const wildcard = s.client();
      wildcard.send({ node: node('w'), type_url: TYPE.eds, resource_names: ['*'] });
      const named = s.client();
      named.send({ node: node('n'), type_url: TYPE.eds, resource_names: ['a', 'b'] });
      const delta = s.client(true);
      delta.send({ node: node('d'), type_url: TYPE.eds, resource_names_subscribe: ['*'] });
      const w1 = await nextOf(wildcard, TYPE.eds);
      const n1 = await nextOf(named, TYPE.eds);
      const d1 = await nextOf(delta, TYPE.eds);
      ack(wildcard, w1, ['*']);
      ack(named, n1, ['a', 'b']);
      deltaAck(delta, d1);
      assert.ok(await delta.quiet(150));
      const all = names(w1).sort();
      assert.deepEqual(all, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
      const other = 'c';
      for (const [step, name] of [[1, 'b'], [2, other]] as const) {
        const before = s.cache.get(ENVOY_KEY)!;
        const next = replaceResources(before, 'endpoints', [loadAssignment(name, { ip: `10.7.${step}.1` })]);
        assert.ok(next.types.endpoints.resources instanceof ReplacedMap, 'the fast path form');
        s.cache.set(ENVOY_KEY, next);
        const w = await nextOf(wildcard, TYPE.eds);
        assert.deepEqual(names(w), [name], `wildcard, step ${step}`);
        assert.equal(w.version_info, next.types.endpoints.version);
        ack(wildcard, w, ['*']);
        const d = await nextOf(delta, TYPE.eds);
        assert.deepEqual(names(d), [name], `delta, step ${step}`);
        assert.equal((byName(d).get(name) as { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { address: string } } } }[] }[] }).endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address, `10.7.${step}.1`);
        deltaAck(delta, d);
        if (name === 'b') {
          const n = await nextOf(named, TYPE.eds);
          assert.deepEqual(names(n), ['b']);
          ack(named, n, ['a', 'b']);
        }
        // Every ACK read before the next change (a push that overtakes an ACK carries both changes).
        assert.ok(await wildcard.quiet(150));
      }
      assert.ok(await named.quiet(200), 'a change to a name it did not subscribe to is not sent');
    } finally {
      await s.stop();
    }
  });
});
