// The serve loop over xDS: fleets (by node cluster) get their own entry points and are updated
// independently; versions are content hashes shared by servers serving the same content.
import { strict as assert } from 'node:assert';
import { TYPE, node, type Decoded } from '../helpers/ads-client';
import { BACKENDS, ENTRY_POINTS, Served, connectEnvoy, ingressRoute, nextRoutes, resourceNames, routeTable } from './watch-harness';

const FLEETS = `${ENTRY_POINTS}
fleets:
  - name: edge
    match: {nodeCluster: edge}
    entryPoints: [web]
  - name: inner
    match: {nodeCluster: inner}
    entryPoints: [internal]
`;

function deltaVersions(r: Decoded): Record<string, string> {
  const out: Record<string, string> = {};
  for (const x of (r.resources ?? []) as Decoded[]) out[x.name as string] = x.version as string;
  return out;
}

describe('serve: fleets and versions over xDS', () => {
  const served: Served[] = [];
  afterEach(async () => {
    for (const s of served.splice(0)) await s.stop();
  });

  const files = {
    'backends.yaml': BACKENDS,
    'web.yaml': ingressRoute('public', 'web', 'Host(`www.example.com`) && PathPrefix(`/shop`)'),
    'internal.yaml': ingressRoute('private', 'internal', 'Host(`admin.example.com`) && PathPrefix(`/ops`)'),
  };

  it('two fleets get their own listeners, and a change to one fleet\'s entry point is not pushed to the other', async () => {
    const s = await Served.start(files, FLEETS);
    served.push(s);
    const edge = await connectEnvoy(s, 'edge-1', 'edge');
    const inner = await connectEnvoy(s, 'inner-1', 'inner');
    assert.deepEqual(resourceNames(edge.lds), ['web']);
    assert.deepEqual(resourceNames(inner.lds), ['internal']);
    assert.deepEqual(routeTable(edge.rds), ['web/http www.example.com /shop']);
    assert.deepEqual(routeTable(inner.rds), ['internal/http admin.example.com /ops']);
    const fleets = s.run.registry.list().map((c) => `${c.node.id}=${c.fleet.key}`).sort();
    assert.deepEqual(fleets, ['edge-1=edge/envoy', 'inner-1=inner/envoy']);

    s.write('internal.yaml', ingressRoute('private', 'internal', 'Host(`admin.example.com`) && PathPrefix(`/ops2`)'));
    const report = await s.nextBuild();
    assert.ok(report.published.includes('inner/envoy'), 'the inner fleet\'s snapshot changed');
    assert.ok(!report.published.includes('edge/envoy'), 'the edge fleet\'s snapshot did not');
    assert.deepEqual(routeTable(await nextRoutes(inner)), ['internal/http admin.example.com /ops2']);
    assert.ok(await edge.c.quiet(300), 'the edge fleet is not pushed anything');

    s.write('web.yaml', ingressRoute('public', 'web', 'Host(`www.example.com`) && PathPrefix(`/store`)'));
    const report2 = await s.nextBuild();
    assert.ok(report2.published.includes('edge/envoy') && !report2.published.includes('inner/envoy'), JSON.stringify(report2.published));
    assert.deepEqual(routeTable(await nextRoutes(edge)), ['web/http www.example.com /store']);
    assert.ok(await inner.c.quiet(300), 'and the other way round');
  });

  it('versions are content hashes: two servers on the same manifests give the same versions', async () => {
    const a = await Served.start(files, ENTRY_POINTS, false);
    served.push(a);
    const b = await Served.start(files, ENTRY_POINTS, false);
    served.push(b);

    const da = a.client(true);
    const db = b.client(true);
    da.send({ node: node('n1'), type_url: TYPE.cds });
    db.send({ node: node('n2'), type_url: TYPE.cds });
    const ra = await da.next(5000);
    const rb = await db.next(5000);
    assert.ok(Object.keys(deltaVersions(ra)).length > 0);
    assert.deepEqual(deltaVersions(ra), deltaVersions(rb), 'per-resource versions');

    const ka = await connectEnvoy(a, 'x');
    const kb = await connectEnvoy(b, 'y');
    assert.equal(ka.cds.version_info, kb.cds.version_info);
    assert.equal(ka.lds.version_info, kb.lds.version_info);
    assert.equal(ka.rds.version_info, kb.rds.version_info);
    assert.equal(a.run.cache.get('default/envoy')!.version, b.run.cache.get('default/envoy')!.version);
  });
});
