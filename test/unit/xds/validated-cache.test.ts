// Resources validated before are found by content (any previous snapshot, any Controller): same bytes, same
// versions, no second validation or encoding; invalid content is never remembered. The route configuration's
// text is put together from its virtual hosts' texts and must be JSON.stringify's.
import { strict as assert } from 'node:assert';
import { checkEnvoyResources } from '../../../src/pipeline';
import { buildSnapshot, buildValidatedSnapshot, routeConfigurationText, PUSH_ORDER } from '../../../src/xds/snapshot';
import { clearValidatedCache } from '../../../src/xds/validated-cache';
import { baseWorld, routeConfiguration, world } from './protocol-fixtures';
import type { EnvoyResources } from '../../../src/envoy/resources';
import type { Cluster, RouteConfiguration } from '../../../src/envoy/types';

/** A world whose route configuration has `n` virtual hosts; a fresh object graph on every call. */
function hosts(n: number, prefix = '/'): EnvoyResources {
  const r = world(baseWorld());
  const rc = routeConfiguration(r.routes[0].name!, { cluster: 'a' });
  rc.virtual_hosts = Array.from({ length: n }, (_, i) => ({
    name: `host-${i}`,
    domains: [`h${i}.example.com`],
    routes: [{ name: `r${i}`, match: { prefix }, route: { cluster: i % 2 ? 'a' : 'b' } }],
  }));
  r.routes = [rc];
  return r;
}

function bytesOf(s: NonNullable<ReturnType<typeof buildValidatedSnapshot>['snapshot']>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PUSH_ORDER) for (const [name, e] of s.types[k].resources) out[`${k}/${name}`] = `${e.version} ${Buffer.from(e.any).toString('base64')}`;
  return out;
}

describe('resources validated before, by content', () => {
  beforeEach(() => clearValidatedCache());

  it('a new build of the same content (new objects, no previous snapshot) validates and encodes nothing again', () => {
    const a = buildValidatedSnapshot(hosts(20));
    assert.deepEqual(a.problems, []);
    assert.ok(a.snapshot!.encodedCount > 0);
    const fresh = hosts(20);
    const b = buildValidatedSnapshot(fresh);
    assert.deepEqual(b.problems, []);
    assert.equal(b.snapshot!.encodedCount, 0);
    assert.equal(b.snapshot!.version, a.snapshot!.version);
    assert.equal(b.snapshot!.version, buildSnapshot(fresh).version);
    assert.deepEqual(bytesOf(b.snapshot!), bytesOf(a.snapshot!));
    // The JSON kept for dumps is the new build's.
    assert.equal(b.snapshot!.types.routes.resources.get(fresh.routes[0].name!)!.json, fresh.routes[0]);
  });

  it('changed content is validated and encoded, and emptying the table brings back a full validation', () => {
    buildValidatedSnapshot(hosts(20));
    const changed = buildValidatedSnapshot(hosts(20, '/x'));
    assert.equal(changed.snapshot!.encodedCount, 1, 'only the route configuration');
    clearValidatedCache();
    const cold = buildValidatedSnapshot(hosts(20, '/x'));
    assert.equal(cold.snapshot!.encodedCount, buildSnapshot(hosts(20, '/x')).encodedCount);
    assert.deepEqual(bytesOf(cold.snapshot!), bytesOf(changed.snapshot!));
  });

  it('invalid content is never remembered: reported again, exactly as checkEnvoyResources does', () => {
    const bad = () => {
      const r = hosts(3);
      (r.clusters[0] as Cluster).connect_timeout = '-1s';
      (r.routes[0] as RouteConfiguration).virtual_hosts![1].domains = [];
      return r;
    };
    for (let i = 0; i < 2; i++) {
      const got = buildValidatedSnapshot(bad());
      assert.equal(got.snapshot, undefined);
      assert.deepEqual(got.problems, checkEnvoyResources(bad()));
      assert.ok(got.problems.some((p) => /connect_timeout/.test(p.path ?? '')), JSON.stringify(got.problems));
    }
  });

  it('a reference to a missing resource is caught even when every resource is found by content', () => {
    buildValidatedSnapshot(hosts(4));
    const r = hosts(4);
    r.clusters = r.clusters.filter((c) => (c as Cluster).name !== 'b');
    r.endpoints = r.endpoints.filter((e) => e.cluster_name !== 'b');
    const got = buildValidatedSnapshot(r);
    assert.equal(got.snapshot, undefined);
    assert.ok(got.problems.some((p) => p.resource === 'snapshot' && /"b"|\bb\b/.test(p.message)), JSON.stringify(got.problems));
  });
});

describe('routeConfigurationText', () => {
  it('is JSON.stringify of the route configuration, with each virtual host’s own text', () => {
    const rc = hosts(5).routes[0] as RouteConfiguration;
    const t = routeConfigurationText(rc);
    assert.equal(t.text, JSON.stringify(rc));
    assert.deepEqual(t.hosts, rc.virtual_hosts!.map((v) => JSON.stringify(v)));
  });

  it('keeps the field order (virtual_hosts first, in the middle, last) and odd strings', () => {
    const vh = (i: number) => ({ name: `v${i}`, domains: [`"virtual_hosts":[] \u0000 ${i}`], routes: [] });
    const shapes: object[] = [
      { virtual_hosts: [vh(1), vh(2)], name: 'a', ignore_port_in_host_matching: true },
      { name: 'b', virtual_hosts: [vh(1), vh(2), vh(3)], request_headers_to_remove: ['virtual_hosts'] },
      { name: 'c', ignore_port_in_host_matching: true, virtual_hosts: [vh(1), vh(2)] },
    ];
    for (const rc of shapes) {
      const t = routeConfigurationText(rc);
      assert.equal(t.text, JSON.stringify(rc));
      assert.equal(t.hosts?.length, (rc as { virtual_hosts: unknown[] }).virtual_hosts.length);
    }
  });

  it('falls back to the whole text when the split does not apply', () => {
    const nested = {
      name: 'n',
      virtual_hosts: [{ name: 'x', domains: ['*'] }, { name: 'y', domains: ['y'] }],
      typed_per_filter_config: { f: { '@type': 'type.googleapis.com/google.protobuf.Struct', value: { virtual_hosts: [] } } },
    };
    for (const rc of [nested, { name: 'one', virtual_hosts: [{ name: 'x' }] }, { name: 'none' }, { name: 'odd', virtual_hosts: [{ name: 'x' }, null] }]) {
      const t = routeConfigurationText(rc);
      assert.equal(t.text, JSON.stringify(rc));
      assert.equal(t.hosts, undefined);
    }
  });
});
