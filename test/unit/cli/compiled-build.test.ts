import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildNode } from '../../../scripts/build-node';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const compiled = require('../../../bin/compiled.js') as {
  REPO: string;
  sourceState(roots: string[], repo?: string): Record<string, [number, number]>;
  isFresh(roots: string[], repo?: string, manifest?: string): boolean;
};

describe('the compiled build (scripts/build-node.ts, bin/compiled.js)', function () {
  this.timeout(60_000);

  describe('freshness: the build is used only while it matches the sources', () => {
    let repo: string;
    let manifest: string;
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      fs.writeFileSync(path.join(repo, rel), text);
    };
    const record = () => fs.writeFileSync(manifest, JSON.stringify({ sources: compiled.sourceState(['src', 'bench'], repo) }));
    beforeEach(() => {
      repo = fs.mkdtempSync(path.join(os.tmpdir(), 'traefik-xds-compiled-'));
      manifest = path.join(repo, 'manifest.json');
      write('src/a.ts', 'export const a = 1;\n');
      write('src/sub/b.ts', 'export const b = 2;\n');
      write('bench/run.ts', 'export {};\n');
      record();
    });
    afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

    it('is fresh right after the build, per tree', () => {
      assert.equal(compiled.isFresh(['src'], repo, manifest), true);
      assert.equal(compiled.isFresh(['src', 'bench'], repo, manifest), true);
    });

    it('is stale when a source changed (size or time), was added or removed; scratch bench/_* files do not count', () => {
      write('bench/_scratch.ts', 'x');
      assert.equal(compiled.isFresh(['src', 'bench'], repo, manifest), true, 'bench/_* ignored');
      write('src/sub/b.ts', 'export const b = 3;\n'); // same size, new time
      fs.utimesSync(path.join(repo, 'src/sub/b.ts'), new Date(), new Date(Date.now() + 5000));
      assert.equal(compiled.isFresh(['src'], repo, manifest), false, 'edited');
      record();
      write('src/c.ts', 'export {};\n');
      assert.equal(compiled.isFresh(['src'], repo, manifest), false, 'added');
      record();
      fs.rmSync(path.join(repo, 'src/a.ts'));
      assert.equal(compiled.isFresh(['src'], repo, manifest), false, 'removed');
      record();
      write('bench/run.ts', 'export const changed = true;\n');
      assert.equal(compiled.isFresh(['src'], repo, manifest), true, 'a bench edit does not make src stale');
      assert.equal(compiled.isFresh(['src', 'bench'], repo, manifest), false);
    });

    it('is stale without a manifest or with a broken one', () => {
      fs.writeFileSync(manifest, '{');
      assert.equal(compiled.isFresh(['src'], repo, manifest), false);
      fs.rmSync(manifest);
      assert.equal(compiled.isFresh(['src'], repo, manifest), false);
    });
  });

  describe('the build itself', () => {
    let out: string;
    before(async () => {
      out = fs.mkdtempSync(path.join(compiled.REPO, 'dist', 'node-test-'));
      fs.rmSync(out, { recursive: true });
      const r = await buildNode({ outDir: out });
      assert.equal(r.built, true);
    });
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it('writes one .js per source with its manifest', () => {
      for (const f of ['src/cli/main.js', 'src/envoy/proto.js', 'src/serve/run.js', 'bench/fanout-server.js']) {
        assert.ok(fs.existsSync(path.join(out, f)), f);
      }
      const m = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
      assert.ok(m.sources['src/cli/main.ts'], 'the manifest lists the sources');
    });

    it('keeps __dirname meaning the source folder (dist/dashboard here, generated/envoy.json in the translate below)', () => {
      const dashboard = require(path.join(out, 'src/admin/dashboard.js')) as { DASHBOARD_DIR: string };
      assert.equal(dashboard.DASHBOARD_DIR, path.join(compiled.REPO, 'dist', 'dashboard'));
    });

    it('runs without tsx and prints what the sources print (translate of examples/)', () => {
      const argv = ['translate', '--config', path.join(compiled.REPO, 'examples/traefik-xds.yaml'), '-o', 'json'];
      const script = `require(${JSON.stringify(path.join(out, 'src/cli/main.js'))}).main(${JSON.stringify(argv)})`
        + `.then((c) => { process.exitCode = c; process.stderr.write('tsx loaded: ' + Object.keys(require.cache).some((k) => /[\\/]tsx[\\/]/.test(k)) + '\\n'); })`;
      const built = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: compiled.REPO, maxBuffer: 64 * 2 ** 20 });
      assert.match(built.stderr, /tsx loaded: false/);
      const source = spawnSync(process.execPath, ['bin/traefik-xds.js', ...argv], {
        encoding: 'utf8', cwd: compiled.REPO, env: { ...process.env, TRAEFIK_XDS_FROM_SOURCE: '1' }, maxBuffer: 64 * 2 ** 20,
      });
      assert.equal(built.status, source.status, `${built.stderr}\n${source.stderr}`);
      assert.ok(JSON.parse(built.stdout).listeners.length > 0, 'listeners translated');
      assert.equal(built.stdout, source.stdout);
    });
  });
});
