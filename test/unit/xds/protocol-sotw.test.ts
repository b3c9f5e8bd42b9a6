// State-of-the-world xDS (ADS and the per-type CDS service) against a bare XdsServer whose snapshots the
// tests publish: ACK/NACK, stale nonces, reconnects, full-state removals, make-before-break, wildcard and
// named subscriptions, and malformed streams. Every wait is bounded; nothing asserts on timing.
import { strict as assert } from 'node:assert';
import { TYPE, node, type Decoded } from '../../helpers/ads-client';
import { BareServer, CDS_METHODS, ack, byName, drain, names, nack, nextOf } from './protocol-harness';
import { baseWorld, type World } from './protocol-fixtures';

/** Polls a condition (the server handles requests asynchronously) for at most `ms`. */
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

function routePrefix(resp: Decoded, name: string): string {
  return byName(resp).get(name)!.virtual_hosts[0].routes[0].match.prefix;
}

describe('xDS state of the world', () => {
  let s: BareServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  describe('ACK / NACK', () => {
    it('answers the first request with version_info, a nonce and the subscribed resources', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.cds });
      const cds = await nextOf(c, TYPE.cds);
      assert.ok(cds.version_info, 'version_info is set');
      assert.ok(cds.nonce, 'nonce is set');
      assert.deepEqual(names(cds).sort(), ['a', 'b']);
      assert.equal(byName(cds).get('a')!['@type'], TYPE.cds);

      c.send({ type_url: TYPE.rds, resource_names: ['web/http'] });
      const rds = await nextOf(c, TYPE.rds);
      assert.deepEqual(names(rds), ['web/http']);
      assert.notEqual(rds.nonce, cds.nonce, 'every response has its own nonce');

      const st = s.status();
      assert.equal(st.protocol, 'sotw');
      assert.equal(st.aggregated, true);
      assert.equal(st.types.clusters?.sentVersion, cds.version_info);
      assert.equal(st.types.clusters?.subscribed, '*');
      assert.deepEqual(st.types.routes?.subscribed, ['web/http']);
    });

    it('an ACK gets no response and is recorded as the acknowledged version', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.cds });
      const cds = await nextOf(c, TYPE.cds);
      ack(c, cds);
      assert.ok(await c.quiet(300), 'an ACK is not answered');
      assert.equal(s.status().types.clusters?.ackedVersion, cds.version_info);
      assert.equal(s.status().types.clusters?.nack, undefined);
    });

    it('a NACK is recorded with its message, and the rejected version is not sent again', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.cds });
      const v1 = await nextOf(c, TYPE.cds);
      ack(c, v1);
      assert.ok(await c.quiet(200));

      const w = baseWorld();
      s.publish(withClusters(w, { a: { timeout: 7 }, b: {} }));
      const v2 = await nextOf(c, TYPE.cds);
      assert.notEqual(v2.version_info, v1.version_info);
      nack(c, v2, v1.version_info, 'cluster a: rejected by the test');
      await until('the NACK to be recorded', () => s!.status().types.clusters?.nack !== undefined);

      const rec = s.status().types.clusters!.nack!;
      assert.equal(rec.message, 'cluster a: rejected by the test');
      assert.equal(rec.version, v2.version_info, 'the NACK is recorded against the rejected version');
      assert.equal(rec.nonce, v2.nonce);
      assert.deepEqual([...rec.resources].sort(), ['a', 'b']);
      assert.equal(s.status().types.clusters?.ackedVersion, v1.version_info, 'the last good version stays acknowledged');
      assert.equal(s.nacks.length, 1);
      assert.equal(s.nacks[0].kind, 'clusters');
      assert.equal(s.nacks[0].message, 'cluster a: rejected by the test');

      assert.ok(await c.quiet(300), 'the rejected version is not sent again');
      // Publishing the same content again changes nothing either.
      s.publish(withClusters(baseWorld(), { a: { timeout: 7 }, b: {} }));
      assert.ok(await c.quiet(200));
    });

    it('after a NACK, the next changed snapshot is delivered, and its ACK clears the NACK', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.cds });
      const v1 = await nextOf(c, TYPE.cds);
      ack(c, v1);
      s.publish(withClusters(baseWorld(), { a: { timeout: 7 }, b: {} }));
      const v2 = await nextOf(c, TYPE.cds);
      nack(c, v2, v1.version_info, 'no');
      await until('the NACK to be recorded', () => s!.status().types.clusters?.nack !== undefined);
      assert.ok(await c.quiet(200));

      s.publish(withClusters(baseWorld(), { a: { timeout: 9 }, b: {} }));
      const v3 = await nextOf(c, TYPE.cds);
      assert.notEqual(v3.version_info, v2.version_info);
      assert.notEqual(v3.version_info, v1.version_info);
      assert.equal(byName(v3).get('a')!.connect_timeout, '9s');
      ack(c, v3);
      await until('the ACK to be recorded', () => s!.status().types.clusters?.ackedVersion === v3.version_info);
      assert.equal(s.status().types.clusters?.nack, undefined);
      assert.ok(await c.quiet(200));
    });

    it('a request with a stale nonce is ignored: no response and no state change', async () => {
      s = await BareServer.start({ ...baseWorld(), routes: { 'web/http': { cluster: 'a' }, 'api/http': { cluster: 'b' } } });
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.rds, resource_names: ['web/http'] });
      const r1 = await nextOf(c, TYPE.rds);
      // A new response supersedes r1 before the client answered it.
      s.publish({ ...baseWorld(), routes: { 'web/http': { cluster: 'a', prefix: '/v2' }, 'api/http': { cluster: 'b' } } });
      const r2 = await nextOf(c, TYPE.rds);
      assert.equal(routePrefix(r2, 'web/http'), '/v2');

      // Late answers to r1 (a subscription change, then a NACK) carry a stale nonce.
      c.send({ type_url: TYPE.rds, version_info: r1.version_info, response_nonce: r1.nonce, resource_names: ['web/http', 'api/http'] });
      c.send({ type_url: TYPE.rds, version_info: '', response_nonce: r1.nonce, resource_names: ['web/http'], error_detail: { code: 3, message: 'late' } });
      assert.ok(await c.quiet(300), 'no response to a stale nonce');
      const st = s.status().types.routes!;
      assert.deepEqual(st.subscribed, ['web/http'], 'the subscription did not change');
      assert.equal(st.nack, undefined, 'the stale NACK was not recorded');
      assert.equal(st.ackedVersion, undefined);
      assert.equal(st.sentNonce, r2.nonce);
      assert.equal(s.nacks.length, 0);

      // The current nonce is still honoured.
      ack(c, r2, ['web/http']);
      await until('the ACK to be recorded', () => s!.status().types.routes?.ackedVersion === r2.version_info);
      assert.ok(await c.quiet(200));
    });
  });

  describe('reconnects', () => {
    it('a client reconnecting with the version it has gets no needless resend, and later changes still arrive', async () => {
      const w: World = { ...baseWorld(), routes: { 'web/http': { cluster: 'a' }, 'api/http': { cluster: 'b' } } };
      s = await BareServer.start(w);
      const c1 = s.client();
      c1.send({ node: node('n1'), type_url: TYPE.cds });
      const cds = await nextOf(c1, TYPE.cds);
      ack(c1, cds);
      c1.send({ type_url: TYPE.rds, resource_names: ['web/http'] });
      const rds = await nextOf(c1, TYPE.rds);
      ack(c1, rds, ['web/http']);
      assert.ok(await c1.quiet(200));
      c1.close();

      // A new stream: the client sends what it has (version and, as Envoy keeps it, the old stream's nonce).
      const c2 = s.client();
      c2.send({ node: node('n1'), type_url: TYPE.cds, version_info: cds.version_info, response_nonce: cds.nonce });
      c2.send({ type_url: TYPE.rds, version_info: rds.version_info, response_nonce: rds.nonce, resource_names: ['web/http'] });
      assert.ok(await c2.quiet(300), 'nothing is resent to a client that has the current versions');
      await until('the new stream to be registered', () => s!.registry.list().some((x) => x.types.routes !== undefined));

      // A subscription change on that stream (still carrying the old stream's last nonce) is answered.
      c2.send({ type_url: TYPE.rds, version_info: rds.version_info, response_nonce: rds.nonce, resource_names: ['web/http', 'api/http'] });
      const rds2 = await nextOf(c2, TYPE.rds);
      assert.deepEqual(names(rds2), ['api/http'], 'RDS is not full state: only the newly subscribed route configuration');
      ack(c2, rds2, ['web/http', 'api/http']);

      // And a configuration change is pushed.
      s.publish(withClusters(w, { a: { timeout: 8 }, b: {} }));
      const cds2 = await nextOf(c2, TYPE.cds);
      assert.notEqual(cds2.version_info, cds.version_info);
      assert.equal(byName(cds2).get('a')!.connect_timeout, '8s');
    });

    it('a client reconnecting with an outdated version (and the old stream\'s nonce) gets the current state', async () => {
      s = await BareServer.start(baseWorld());
      const c1 = s.client();
      c1.send({ node: node('n1'), type_url: TYPE.cds });
      const old = await nextOf(c1, TYPE.cds);
      ack(c1, old);
      assert.ok(await c1.quiet(200));
      c1.close();
      s.publish(withClusters(baseWorld(), { a: {}, b: {}, c: {} }));

      const c2 = s.client();
      c2.send({ node: node('n1'), type_url: TYPE.cds, version_info: old.version_info, response_nonce: old.nonce });
      const cur = await nextOf(c2, TYPE.cds);
      assert.notEqual(cur.version_info, old.version_info);
      assert.deepEqual(names(cur).sort(), ['a', 'b', 'c']);
    });
  });

  describe('full state and make-before-break', () => {
    it('a removed cluster or listener disappears from the next CDS/LDS response', async () => {
      const w: World = {
        clusters: { a: {}, b: {} },
        routes: { 'web/http': { cluster: 'a' }, 'api/http': { cluster: 'a' } },
        listeners: { web: { port: 8080, route: 'web/http' }, api: { port: 8081, route: 'api/http' } },
      };
      s = await BareServer.start(w);
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.cds });
      const cds = await nextOf(c, TYPE.cds);
      ack(c, cds);
      c.send({ type_url: TYPE.lds });
      const lds = await nextOf(c, TYPE.lds);
      assert.deepEqual(names(lds).sort(), ['api', 'web']);
      ack(c, lds);
      assert.ok(await c.quiet(200));

      s.publish({ clusters: { a: {} }, routes: { 'web/http': { cluster: 'a' } }, listeners: { web: { port: 8080, route: 'web/http' } } });
      const got = await drain(c, 300);
      const lastCds = got.filter((r) => r.type_url === TYPE.cds).at(-1);
      const lastLds = got.filter((r) => r.type_url === TYPE.lds).at(-1);
      assert.ok(lastCds, 'a CDS response was pushed');
      assert.ok(lastLds, 'an LDS response was pushed');
      assert.deepEqual(names(lastCds), ['a'], 'full state: b is absent, so deleted');
      assert.deepEqual(names(lastLds), ['web']);
    });

    it('ADS: a cluster the routes stopped using is kept until the client acknowledged those routes', async () => {
      s = await BareServer.start({ clusters: { a: {}, b: {} }, routes: { 'web/http': { cluster: 'b' } }, listeners: { web: { port: 8080, route: 'web/http' } } });
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.cds });
      ack(c, await nextOf(c, TYPE.cds));
      c.send({ type_url: TYPE.lds });
      ack(c, await nextOf(c, TYPE.lds));
      c.send({ type_url: TYPE.rds, resource_names: ['web/http'] });
      ack(c, await nextOf(c, TYPE.rds), ['web/http']);
      assert.ok(await c.quiet(200));

      // The route moves from b to the new cluster c; b is deleted.
      s.publish({ clusters: { a: {}, c: {} }, routes: { 'web/http': { cluster: 'c' } }, listeners: { web: { port: 8080, route: 'web/http' } } });
      const cds1 = await c.next(3000);
      const rds1 = await c.next(3000);
      assert.equal(cds1.type_url, TYPE.cds, 'clusters are pushed before the routes that use them');
      assert.equal(rds1.type_url, TYPE.rds);
      assert.deepEqual(names(cds1).sort(), ['a', 'b', 'c'], 'c is added, b is still there');
      assert.equal(byName(rds1).get('web/http')!.virtual_hosts[0].routes[0].route.cluster, 'c');

      ack(c, cds1);
      const early = await drain(c, 300);
      assert.deepEqual(early.map((r) => `${r.type_url} ${names(r).join(',')}`), [], 'b is not removed before the routes are acknowledged');

      ack(c, rds1, ['web/http']);
      const cds2 = await nextOf(c, TYPE.cds);
      assert.deepEqual(names(cds2).sort(), ['a', 'c'], 'b is removed once nothing the client uses refers to it');
      ack(c, cds2);
      assert.ok(await c.quiet(200));
    });
  });

  describe('subscriptions', () => {
    it('EDS is named: only requested names are sent, and a requested name that appears later is pushed', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.eds, resource_names: ['a'] });
      const e1 = await nextOf(c, TYPE.eds);
      assert.deepEqual(names(e1), ['a']);
      assert.equal(byName(e1).get('a')!.cluster_name, 'a');
      ack(c, e1, ['a']);

      c.send({ type_url: TYPE.eds, version_info: e1.version_info, response_nonce: e1.nonce, resource_names: ['a', 'z'] });
      const e2 = await nextOf(c, TYPE.eds);
      assert.deepEqual(names(e2), [], 'z does not exist yet, and a is not resent (EDS is not full state)');
      assert.notEqual(e2.version_info, '', 'the answer still has a version to acknowledge');
      ack(c, e2, ['a', 'z']);
      assert.ok(await c.quiet(200));

      s.publish(withClusters(baseWorld(), { a: {}, b: {}, z: { ip: '10.9.9.9' } }));
      const e3 = await nextOf(c, TYPE.eds);
      assert.ok(names(e3).includes('z'), 'z is pushed when it appears');
      assert.deepEqual(names(e3), ['z'], 'b was never requested, and a did not change');
      assert.equal(byName(e3).get('z')!.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address, '10.9.9.9');
      assert.deepEqual(s.status().types.endpoints?.subscribed, ['a', 'z']);
    });

    it('CDS wildcard: a legacy empty resource_names and an explicit "*" both get every cluster, now and later', async () => {
      s = await BareServer.start(baseWorld());
      const legacy = s.client();
      const star = s.client();
      legacy.send({ node: node('legacy'), type_url: TYPE.cds });
      star.send({ node: node('star'), type_url: TYPE.cds, resource_names: ['*'] });
      const l1 = await nextOf(legacy, TYPE.cds);
      const s1 = await nextOf(star, TYPE.cds);
      assert.deepEqual(names(l1).sort(), ['a', 'b']);
      assert.deepEqual(names(s1).sort(), ['a', 'b']);
      ack(legacy, l1);
      ack(star, s1, ['*']);
      assert.ok(await legacy.quiet(200), 'the legacy wildcard ACK (empty names again) is still wildcard, not an unsubscription');

      s.publish(withClusters(baseWorld(), { a: {}, b: {}, c: {} }));
      assert.deepEqual(names(await nextOf(legacy, TYPE.cds)).sort(), ['a', 'b', 'c']);
      assert.deepEqual(names(await nextOf(star, TYPE.cds)).sort(), ['a', 'b', 'c']);
      for (const st of s.registry.list()) assert.equal(st.types.clusters?.subscribed, '*');
    });

    it('LDS legacy wildcard gets every listener', async () => {
      s = await BareServer.start({ ...baseWorld(), routes: { 'web/http': { cluster: 'a' } }, listeners: { web: { port: 8080, route: 'web/http' }, alt: { port: 8081, route: 'web/http' } } });
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.lds });
      assert.deepEqual(names(await nextOf(c, TYPE.lds)).sort(), ['alt', 'web']);
    });

    it('after a client has named resources, an empty resource_names unsubscribes from all of them', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client();
      c.send({ node: node('n1'), type_url: TYPE.cds, resource_names: ['a'] });
      const r1 = await nextOf(c, TYPE.cds);
      assert.deepEqual(names(r1), ['a'], 'named CDS (as gRPC clients do): only a');
      ack(c, r1, ['a']);

      c.send({ type_url: TYPE.cds, version_info: r1.version_info, response_nonce: r1.nonce, resource_names: [] });
      const r2 = await nextOf(c, TYPE.cds);
      assert.deepEqual(names(r2), [], 'an empty full-state response: nothing subscribed');
      ack(c, r2, []);
      assert.ok(await c.quiet(200));
      assert.deepEqual(s.status().types.clusters?.subscribed, []);

      s.publish(withClusters(baseWorld(), { a: { timeout: 3 }, b: { timeout: 3 }, c: {} }));
      assert.ok(await c.quiet(300), 'changes to resources nobody subscribes to are not pushed');
    });
  });

  describe('malformed streams', () => {
    it('a first request without node fails the stream with INVALID_ARGUMENT', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client();
      c.send({ type_url: TYPE.cds });
      const err = await c.failure(3000);
      assert.equal(err.code, 3);
      assert.match(err.details ?? err.message, /node/);
      assert.equal(s.registry.list().length, 0);
    });

    it('a request for an unknown type URL is not answered and does not break the stream', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client();
      c.send({ node: node('n1'), type_url: 'type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration' });
      assert.ok(await c.quiet(300), 'an unknown type is not answered');
      assert.equal(c.error, undefined);
      c.send({ type_url: TYPE.cds });
      assert.deepEqual(names(await nextOf(c, TYPE.cds)).sort(), ['a', 'b']);
    });
  });

  describe('per-type services', () => {
    it('StreamClusters answers CDS (full state, no ADS ordering)', async () => {
      s = await BareServer.start(baseWorld());
      const c = s.client(false, CDS_METHODS.sotw);
      c.send({ node: node('n1'), type_url: TYPE.cds });
      const r1 = await nextOf(c, TYPE.cds);
      assert.deepEqual(names(r1).sort(), ['a', 'b']);
      ack(c, r1);
      assert.ok(await c.quiet(200));
      assert.equal(s.status().aggregated, false);
      assert.equal(s.status().protocol, 'sotw');

      s.publish(withClusters(baseWorld(), { a: {} }));
      assert.deepEqual(names(await nextOf(c, TYPE.cds)), ['a']);
    });
  });
});
