// Snapshots: resources encoded once per content version and reused by the next build; versions are content
// hashes, so identical content gives identical versions in any server, and republishing it pushes nothing.
import { strict as assert } from 'node:assert';
import { buildSnapshot, withEndpoints, type Snapshot } from '../../../src/xds/snapshot';
import { SnapshotCache } from '../../../src/xds/cache';
import { TYPE, node } from '../../helpers/ads-client';
import { assertValidEnvoy } from '../../helpers/envoy-check';
import { BareServer, ENVOY_KEY, ack, deltaAck, nextOf, versions } from './protocol-harness';
import { baseWorld, loadAssignment, world, type World } from './protocol-fixtures';

function resourceCount(s: Snapshot): number {
  return Object.values(s.types).reduce((n, t) => n + t.resources.size, 0);
}

describe('xDS snapshots and versions', () => {
  it('buildSnapshot(r2, buildSnapshot(r1)) re-encodes only the changed resources', () => {
    const r1 = world(baseWorld());
    assertValidEnvoy(r1);
    const s1 = buildSnapshot(r1);
    assert.equal(s1.encodedCount, resourceCount(s1), 'a first build encodes everything');
    assert.equal(s1.encodedCount, 6); // 2 clusters, 2 assignments, 1 route configuration, 1 listener

    // Cluster a changes (its assignment does not), c is added with its assignment.
    const w2: World = { ...baseWorld(), clusters: { a: { timeout: 9 }, b: {}, c: {} } };
    const r2 = world(w2);
    assertValidEnvoy(r2);
    const s2 = buildSnapshot(r2, s1);
    assert.equal(s2.encodedCount, 3, 'cluster a, cluster c and assignment c');
    assert.ok(s2.encodedBytes > 0);
    // Unchanged resources are the very same encodings.
    assert.equal(s2.types.clusters.resources.get('b'), s1.types.clusters.resources.get('b'));
    assert.equal(s2.types.endpoints.resources.get('a'), s1.types.endpoints.resources.get('a'));
    assert.equal(s2.types.listeners.resources.get('web'), s1.types.listeners.resources.get('web'));
    assert.equal(s2.types.routes.resources.get('web/http')!.any, s1.types.routes.resources.get('web/http')!.any);
    assert.notEqual(s2.types.clusters.resources.get('a')!.version, s1.types.clusters.resources.get('a')!.version);
    // Type versions move only for the types that changed.
    assert.equal(s2.types.listeners.version, s1.types.listeners.version);
    assert.equal(s2.types.routes.version, s1.types.routes.version);
    assert.notEqual(s2.types.clusters.version, s1.types.clusters.version);
    assert.notEqual(s2.version, s1.version);
    // The previous snapshot is untouched.
    assert.equal(s1.types.clusters.resources.size, 2);

    const s3 = buildSnapshot(world(w2), s2);
    assert.equal(s3.encodedCount, 0, 'identical content: nothing is encoded');
    assert.equal(s3.version, s2.version);
  });

  it('withEndpoints re-encodes only the changed ClusterLoadAssignments and shares everything else', () => {
    const s1 = buildSnapshot(world(baseWorld()));
    const s2 = withEndpoints(s1, [loadAssignment('a', { ip: '10.1.1.1' }), loadAssignment('b')]);
    assert.equal(s2.encodedCount, 1);
    assert.equal(s2.types.clusters, s1.types.clusters);
    assert.equal(s2.types.listeners, s1.types.listeners);
    assert.equal(s2.types.endpoints.resources.get('b'), s1.types.endpoints.resources.get('b'));
    assert.notEqual(s2.version, s1.version);
  });

  it('versions are content hashes: the same content gives the same versions in two servers', async () => {
    const a = await BareServer.start(baseWorld());
    const b = await BareServer.start(baseWorld());
    try {
      assert.equal(a.cache.get(ENVOY_KEY)!.version, b.cache.get(ENVOY_KEY)!.version);
      const da = a.client(true);
      const db = b.client(true);
      da.send({ node: node('n1'), type_url: TYPE.cds });
      db.send({ node: node('other-node'), type_url: TYPE.cds });
      const ra = await nextOf(da, TYPE.cds);
      const rb = await nextOf(db, TYPE.cds);
      assert.deepEqual(versions(ra), versions(rb), 'per-resource versions');
      assert.equal(Object.keys(versions(ra)).length, 2);

      const sa = a.client();
      const sb = b.client();
      sa.send({ node: node('n1'), type_url: TYPE.rds, resource_names: ['web/http'] });
      sb.send({ node: node('n2'), type_url: TYPE.rds, resource_names: ['web/http'] });
      assert.equal((await nextOf(sa, TYPE.rds)).version_info, (await nextOf(sb, TYPE.rds)).version_info, 'SotW version_info');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('republishing identical content is dropped by the cache and pushes nothing', async () => {
    const s = await BareServer.start(baseWorld());
    try {
      const sotw = s.client();
      const delta = s.client(true);
      sotw.send({ node: node('n1'), type_url: TYPE.cds });
      delta.send({ node: node('n2'), type_url: TYPE.cds });
      ack(sotw, await nextOf(sotw, TYPE.cds));
      deltaAck(delta, await nextOf(delta, TYPE.cds));

      const before = s.cache.get(ENVOY_KEY)!;
      const rebuilt = buildSnapshot(world(baseWorld()), before);
      assert.equal(rebuilt.version, before.version);
      assert.equal(s.cache.set(ENVOY_KEY, rebuilt), false, 'the cache drops a snapshot with the current version');
      // Even a snapshot built from scratch (no reuse) has the same version.
      assert.equal(new SnapshotCache().set(ENVOY_KEY, buildSnapshot(world(baseWorld()))), true);
      assert.equal(buildSnapshot(world(baseWorld())).version, before.version);
      assert.ok(await sotw.quiet(300), 'nothing pushed (SotW)');
      assert.ok(await delta.quiet(100), 'nothing pushed (delta)');
    } finally {
      await s.stop();
    }
  });
});
