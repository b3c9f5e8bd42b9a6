// Compiles src/ and bench/ (TypeScript) into dist/node/ (CommonJS for Node 20, one .js per .ts, linked source
// maps), with a manifest of the sources it was built from. bin/traefik-xds.js and the benchmark's server run
// this build while it matches the sources (bin/compiled.js) and the sources through tsx otherwise: the server
// process then holds neither tsx's esbuild worker nor the sources compiled in memory (about 25 MiB less).
// Runs on postinstall and before the tests; skips the work when the manifest matches the sources.
//
// Usage: node --import tsx scripts/build-node.ts [--force]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const compiled = require('../bin/compiled.js') as {
  REPO: string;
  OUT_DIR: string;
  MANIFEST: string;
  sourceState(roots: string[]): Record<string, [number, number]>;
  isFresh(roots: string[]): boolean;
};

export const ROOTS = ['src', 'bench'];

/**
 * The output lives two levels below the repository (dist/node/src/...), so `__dirname` and `__filename` are
 * given back their source values (relative to the output, so the tree may move): paths such as
 * `path.resolve(__dirname, '../../generated/envoy.json')` then mean the same file in both forms. Prepended on
 * the first line, so line numbers stay those of the source.
 */
function sourceLocation(outDir: string): Plugin {
  return {
    name: 'source-location',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = fs.readFileSync(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(text)) return { contents: text, loader: 'ts' };
        const rel = path.relative(compiled.REPO, args.path);
        const fromOut = path.relative(path.join(outDir, path.dirname(rel)), path.join(compiled.REPO, path.dirname(rel))).split(path.sep).join('/');
        const fix = `var __dirname = require("path").join(__dirname, ${JSON.stringify(fromOut)}), __filename = require("path").join(__dirname, ${JSON.stringify(path.basename(args.path))}); `;
        return { contents: fix + text, loader: 'ts' };
      });
    },
  };
}

/**
 * Compiles into a new folder beside `outDir` (dist/node) and swaps it in, so a reader never sees half a build.
 * Skipped when dist/node matches the sources, unless `force` (or another `outDir`: tests).
 */
export async function buildNode(o: { force?: boolean; outDir?: string } = {}): Promise<{ built: boolean; files: number }> {
  const outDir = o.outDir ?? compiled.OUT_DIR;
  if (!o.force && outDir === compiled.OUT_DIR && compiled.isFresh(ROOTS)) return { built: false, files: 0 };
  const sources = compiled.sourceState(ROOTS); // before reading: a file edited meanwhile makes the build stale
  const files = Object.keys(sources);
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    await build({
      absWorkingDir: compiled.REPO,
      entryPoints: files,
      outdir: tmp,
      outbase: '.',
      bundle: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      tsconfig: path.join(compiled.REPO, 'tsconfig.json'),
      logLevel: 'warning',
      plugins: [sourceLocation(outDir)],
    });
    fs.writeFileSync(path.join(tmp, path.basename(compiled.MANIFEST)), JSON.stringify({ sources }));
    const old = `${outDir}.old-${process.pid}`;
    if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
    try {
      fs.renameSync(tmp, outDir);
    } catch (e) {
      // Another build swapped its own in meanwhile: keep that one.
      if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { built: true, files: files.length };
}

if (require.main === module) {
  const t0 = Date.now();
  buildNode({ force: process.argv.includes('--force') }).then(
    (r) => {
      if (r.built) process.stdout.write(`build-node: ${r.files} files → ${path.relative(process.cwd(), compiled.OUT_DIR) || compiled.OUT_DIR} in ${Date.now() - t0} ms\n`);
    },
    (e) => {
      process.stderr.write(`build-node: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
