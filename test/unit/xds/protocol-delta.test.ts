// Incremental (delta) xDS, ADS and the per-type CDS service, against a bare XdsServer: subscribe and
// unsubscribe, wildcard forms, reconnects with initial_resource_versions, removed_resources, NACK and ACK.
import { strict as assert } from 'node:assert';
import { TYPE, node, type Decoded } from '../../helpers/ads-client';
import { BareServer, CDS_METHODS, byName, deltaAck, drain, names, nextOf, versions } from './protocol-harness';
import { baseWorld, type World } from './protocol-fixtures';

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function withClusters(w: World, clusters: World['clusters']): World {
  return { ...w, clusters };
}

function removed(r: Decoded): string[] {
  return [...((r.removed_resources ?? []) as string[])].sort();
}

describe('xDS delta', () => {
  let s: BareServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('subscribe and unsubscribe named resources', async () => {
    s = await BareServer.start(baseWorld());
    const c = s.client(true);
    c.send({ node: node('n1'), type_url: TYPE.eds, resource_names_subscribe: ['a'] });
    const r1 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(r1), ['a']);
    assert.match(versions(r1).a, /^[0-9a-f]{16}$/, 'each resource carries its content hash');
    assert.ok(r1.nonce);
    assert.equal(byName(r1).get('a')!.cluster_name, 'a');
    deltaAck(c, r1);
    assert.ok(await c.quiet(200), 'an ACK is not answered');

    c.send({ type_url: TYPE.eds, resource_names_subscribe: ['b'] });
    const r2 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(r2), ['b'], 'only the newly subscribed resource is sent');
    deltaAck(c, r2);
    assert.deepEqual(s.status().types.endpoints?.subscribed, ['a', 'b']);

    c.send({ type_url: TYPE.eds, resource_names_unsubscribe: ['a'] });
    for (const r of await drain(c, 300)) assert.ok(!names(r).includes('a'), 'an unsubscribed resource is not sent');
    await until('the unsubscription', () => JSON.stringify(s!.status().types.endpoints?.subscribed) === '["b"]');

    s.publish(withClusters(baseWorld(), { a: { ip: '10.0.0.7' }, b: { ip: '10.0.0.8' } }));
    const r3 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(r3), ['b'], 'a change of an unsubscribed resource is not pushed');
    deltaAck(c, r3);
    assert.ok(await c.quiet(200));
  });

  it('wildcard: an explicit "*" and a legacy empty first request on CDS get every cluster, then only changes', async () => {
    s = await BareServer.start(baseWorld());
    const star = s.client(true);
    const legacy = s.client(true);
    star.send({ node: node('star'), type_url: TYPE.cds, resource_names_subscribe: ['*'] });
    legacy.send({ node: node('legacy'), type_url: TYPE.cds });
    const s1 = await nextOf(star, TYPE.cds);
    const l1 = await nextOf(legacy, TYPE.cds);
    assert.deepEqual(names(s1).sort(), ['a', 'b']);
    assert.deepEqual(names(l1).sort(), ['a', 'b']);
    deltaAck(star, s1);
    deltaAck(legacy, l1);
    assert.ok(await legacy.quiet(200));
    for (const st of s.registry.list()) assert.equal(st.types.clusters?.subscribed, '*');

    s.publish(withClusters(baseWorld(), { a: {}, b: {}, c: {} }));
    assert.deepEqual(names(await nextOf(star, TYPE.cds)), ['c'], 'delta: only what changed');
    assert.deepEqual(names(await nextOf(legacy, TYPE.cds)), ['c']);
  });

  it('a reconnect with initial_resource_versions gets only what changed', async () => {
    s = await BareServer.start(baseWorld());
    const c1 = s.client(true);
    c1.send({ node: node('n1'), type_url: TYPE.cds });
    const first = await nextOf(c1, TYPE.cds);
    const had = versions(first);
    deltaAck(c1, first);
    assert.ok(await c1.quiet(200));
    c1.close();

    // While disconnected: a changes, b is deleted, c is added.
    s.publish(withClusters(baseWorld(), { a: { timeout: 6 }, c: {} }));
    const c2 = s.client(true);
    c2.send({ node: node('n1'), type_url: TYPE.cds, initial_resource_versions: had });
    const r = await nextOf(c2, TYPE.cds);
    assert.deepEqual(names(r).sort(), ['a', 'c']);
    assert.notEqual(versions(r).a, had.a);
    assert.deepEqual(removed(r), ['b']);
    deltaAck(c2, r);

    // A client that already has everything current is sent no resource.
    const now = { ...had, ...versions(r) };
    delete now.b;
    const c3 = s.client(true);
    c3.send({ node: node('n2'), type_url: TYPE.cds, initial_resource_versions: now });
    for (const x of await drain(c3, 300)) {
      assert.deepEqual(names(x), [], 'nothing is resent');
      assert.deepEqual(removed(x), []);
    }
  });

  it('removed_resources: for deleted resources, and at once for subscribed names that do not exist', async () => {
    s = await BareServer.start(baseWorld());
    const c = s.client(true);
    c.send({ node: node('n1'), type_url: TYPE.cds, resource_names_subscribe: ['*'] });
    deltaAck(c, await nextOf(c, TYPE.cds));
    c.send({ type_url: TYPE.eds, resource_names_subscribe: ['a', 'b', 'nope'] });
    const e1 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(e1).sort(), ['a', 'b']);
    assert.deepEqual(removed(e1), ['nope'], 'a subscribed name that does not exist is answered as removed');
    deltaAck(c, e1);
    assert.ok(await c.quiet(200));

    s.publish(withClusters(baseWorld(), { a: {} }));
    const got = await drain(c, 300);
    const cds = got.filter((r) => r.type_url === TYPE.cds);
    const eds = got.filter((r) => r.type_url === TYPE.eds);
    assert.deepEqual(cds.flatMap(removed), ['b'], 'the deleted cluster is in removed_resources');
    assert.deepEqual(eds.flatMap(removed), ['b'], 'and its ClusterLoadAssignment');
    assert.deepEqual(got.flatMap(names), [], 'nothing else is sent');
  });

  it('a NACK is recorded and the rejected resources are not resent; an ACK records the version', async () => {
    s = await BareServer.start(baseWorld());
    const c = s.client(true);
    c.send({ node: node('n1'), type_url: TYPE.cds });
    const r1 = await nextOf(c, TYPE.cds);
    deltaAck(c, r1);
    await until('the ACK', () => s!.status().types.clusters?.ackedVersion !== undefined);
    assert.equal(s.status().types.clusters?.ackedVersion, r1.system_version_info);
    assert.equal(s.status().protocol, 'delta');

    s.publish(withClusters(baseWorld(), { a: { timeout: 4 }, b: {} }));
    const r2 = await nextOf(c, TYPE.cds);
    assert.deepEqual(names(r2), ['a']);
    c.send({ type_url: TYPE.cds, response_nonce: r2.nonce, error_detail: { code: 3, message: 'a: no thanks' } });
    await until('the NACK to be recorded', () => s!.status().types.clusters?.nack !== undefined);
    const rec = s.status().types.clusters!.nack!;
    assert.equal(rec.message, 'a: no thanks');
    assert.deepEqual(rec.resources, ['a']);
    assert.equal(s.nacks.length, 1);
    assert.ok(await c.quiet(300), 'the rejected resource is not resent');

    s.publish(withClusters(baseWorld(), { a: { timeout: 4 }, b: { timeout: 2 } }));
    const r3 = await nextOf(c, TYPE.cds);
    assert.deepEqual(names(r3), ['b'], 'the next change is delivered (without the rejected a)');
    deltaAck(c, r3);
    await until('the ACK to clear the NACK', () => s!.status().types.clusters?.nack === undefined);
    assert.ok(await c.quiet(200));
  });

  it('a stale nonce does not reject a subscription change', async () => {
    s = await BareServer.start(baseWorld());
    const c = s.client(true);
    c.send({ node: node('n1'), type_url: TYPE.eds, resource_names_subscribe: ['a'] });
    const r1 = await nextOf(c, TYPE.eds);
    s.publish(withClusters(baseWorld(), { a: { ip: '10.0.0.2' }, b: {} }));
    const r2 = await nextOf(c, TYPE.eds);
    assert.notEqual(r2.nonce, r1.nonce);
    c.send({ type_url: TYPE.eds, response_nonce: r1.nonce, resource_names_subscribe: ['b'] });
    const r3 = await nextOf(c, TYPE.eds);
    assert.deepEqual(names(r3), ['b']);
    assert.equal(s.status().types.endpoints?.ackedVersion, undefined, 'a stale nonce is no ACK');
  });

  it('wildcard plus an explicit name: unsubscribing the name is answered with that resource', async () => {
    s = await BareServer.start(baseWorld());
    const c = s.client(true);
    c.send({ node: node('n1'), type_url: TYPE.cds, resource_names_subscribe: ['*', 'a'] });
    const r1 = await nextOf(c, TYPE.cds);
    assert.deepEqual(names(r1).sort(), ['a', 'b']);
    deltaAck(c, r1);
    assert.ok(await c.quiet(200));

    c.send({ type_url: TYPE.cds, resource_names_unsubscribe: ['a'] });
    const r2 = await nextOf(c, TYPE.cds);
    // The spec requires an answer naming a; as the wildcard still covers a, it is sent (not removed).
    assert.deepEqual(names(r2), ['a']);
    assert.deepEqual(removed(r2), []);
  });

  it('DeltaClusters (per-type service) answers CDS', async () => {
    s = await BareServer.start(baseWorld());
    const c = s.client(true, CDS_METHODS.delta);
    c.send({ node: node('n1'), type_url: TYPE.cds, resource_names_subscribe: ['*'] });
    const r1 = await nextOf(c, TYPE.cds);
    assert.deepEqual(names(r1).sort(), ['a', 'b']);
    deltaAck(c, r1);
    assert.ok(await c.quiet(200));
    assert.equal(s.status().aggregated, false);
    s.publish(withClusters(baseWorld(), { a: {} }));
    const r2 = await nextOf(c, TYPE.cds);
    assert.deepEqual(removed(r2), ['b']);
    assert.deepEqual(names(r2), []);
  });
});
