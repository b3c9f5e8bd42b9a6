// File watching end to end: `startServe` with `watch: true` on a temporary folder; a connected raw ADS
// client sees edits, new files and deleted files, and sees nothing for bad edits or unchanged rewrites.
import { strict as assert } from 'node:assert';
import { BACKENDS, Served, connectEnvoy, ingressRoute, nextRoutes, routeTable } from './watch-harness';

describe('serve: file watching', () => {
  let s: Served | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  const start = () => Served.start({
    'backends.yaml': BACKENDS,
    'routes.yaml': ingressRoute('app', 'web', 'Host(`app.example.com`) && PathPrefix(`/api`)'),
  });

  it('an edited manifest (a changed PathPrefix) reaches a connected client', async () => {
    s = await start();
    const k = await connectEnvoy(s, 'n1');
    assert.ok(k.routeNames.includes('web/http'));
    assert.deepEqual(routeTable(k.rds), ['web/http app.example.com /api']);

    s.write('routes.yaml', ingressRoute('app', 'web', 'Host(`app.example.com`) && PathPrefix(`/v2`)'));
    const rds = await nextRoutes(k);
    assert.deepEqual(routeTable(rds), ['web/http app.example.com /v2']);
    assert.notEqual(rds.version_info, k.cds.version_info);
    assert.ok(await k.c.quiet(300), 'one change, one push');
  });

  it('a new file adds its routes, and deleting it removes them', async () => {
    s = await start();
    const k = await connectEnvoy(s, 'n1');

    s.write('extra.yaml', ingressRoute('extra', 'web', 'Host(`extra.example.com`)'));
    const added = await nextRoutes(k);
    assert.deepEqual(routeTable(added), ['web/http app.example.com /api', 'web/http extra.example.com /']);

    s.remove('extra.yaml');
    const removed = await nextRoutes(k);
    assert.deepEqual(routeTable(removed), ['web/http app.example.com /api']);
    assert.equal(removed.version_info, k.rds.version_info);
  });

  it('rewriting a file without changing it (touch) rebuilds but pushes nothing', async () => {
    s = await start();
    const k = await connectEnvoy(s, 'n1');
    s.touch('routes.yaml');
    const report = await s.nextBuild();
    assert.deepEqual(report.published, [], 'the identical snapshot is not published');
    assert.ok(await k.c.quiet(300), 'nothing is pushed');

    s.write('routes.yaml', ingressRoute('app', 'web', 'Host(`app.example.com`) && PathPrefix(`/api`)'));
    assert.deepEqual((await s.nextBuild()).published, []);
    assert.ok(await k.c.quiet(300));
  });

  it('a YAML syntax error changes nothing for the client and is reported', async () => {
    s = await start();
    const k = await connectEnvoy(s, 'n1');
    s.write('routes.yaml', 'apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {name: app\nspec: [\n');
    const report = await s.nextBuild();
    assert.deepEqual(report.published, []);
    assert.ok(await k.c.quiet(300), 'routes unchanged: nothing pushed');
    const diags = s.run.controller.currentDiagnostics();
    assert.ok(diags.some((d) => d.severity === 'error' && /YAML/.test(d.message) && (d.source ?? '').includes('routes.yaml')),
      `a YAML diagnostic on routes.yaml, got ${JSON.stringify(diags)}`);

    // Fixing the file is picked up.
    s.write('routes.yaml', ingressRoute('app', 'web', 'Host(`app.example.com`) && PathPrefix(`/fixed`)'));
    assert.deepEqual(routeTable(await nextRoutes(k)), ['web/http app.example.com /fixed']);
    assert.ok(!s.run.controller.currentDiagnostics().some((d) => /YAML/.test(d.message)), 'the YAML diagnostic is gone');
  });

  it('an IngressRoute edited to an unparseable rule changes nothing for the client and is reported', async () => {
    s = await start();
    const k = await connectEnvoy(s, 'n1');
    s.write('routes.yaml', ingressRoute('app', 'web', 'Host(`app.example.com`) && PathPrefix(`/v2`'));
    const report = await s.nextBuild();
    assert.deepEqual(report.published, []);
    assert.ok(await k.c.quiet(300), 'routes unchanged: nothing pushed');
    const diags = s.run.controller.currentDiagnostics();
    assert.ok(diags.some((d) => d.severity === 'error' && d.kind === 'IngressRoute' && d.name === 'app'),
      `an error on IngressRoute app, got ${JSON.stringify(diags)}`);
  });
});
