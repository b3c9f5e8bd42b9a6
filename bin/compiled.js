'use strict';
// The precompiled JavaScript of src/ (and bench/) that scripts/build-node.ts writes into dist/node/ at install.
// Running it instead of compiling the TypeScript through tsx in the process saves about 25 MiB of memory
// (tsx's esbuild worker thread, the compiled sources with their inline source maps) and the start-up compile.
// It is used only while it matches the sources file for file (path, size, modification time): after an edit,
// or before any build, callers run the sources through tsx as before.
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const OUT_DIR = path.join(REPO, 'dist', 'node');
const MANIFEST = path.join(OUT_DIR, 'manifest.json');

/** The TypeScript files under `root` (a folder of the repository), relative paths with `/`; bench/_* are scratch. */
function sourceFiles(root, repo = REPO) {
  const out = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(repo, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !(rel === 'bench' && e.name.startsWith('_'))) out.push(r);
    }
  };
  walk(root);
  return out.sort();
}

/** Size and modification time of every source file under `roots`, keyed by relative path. */
function sourceState(roots, repo = REPO) {
  const state = {};
  for (const root of roots) {
    for (const rel of sourceFiles(root, repo)) {
      const st = fs.statSync(path.join(repo, rel));
      state[rel] = [st.size, st.mtimeMs];
    }
  }
  return state;
}

/** True when the build's manifest (dist/node's) lists exactly the current files under `roots`, unchanged. */
function isFresh(roots, repo = REPO, manifestFile = MANIFEST) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch {
    return false;
  }
  const built = manifest && manifest.sources;
  if (!built || typeof built !== 'object') return false;
  const now = sourceState(roots, repo);
  const prefixes = roots.map((r) => `${r}/`);
  const builtHere = Object.keys(built).filter((k) => prefixes.some((p) => k.startsWith(p)));
  if (builtHere.length !== Object.keys(now).length) return false;
  for (const [rel, [size, mtime]] of Object.entries(now)) {
    const b = built[rel];
    if (!Array.isArray(b) || b[0] !== size || b[1] !== mtime) return false;
  }
  return true;
}

/** The compiled file of `rel` (`src/cli/main.ts`), or undefined when the build is missing or stale for `roots`. */
function compiledFile(rel, roots = ['src']) {
  if (process.env.TRAEFIK_XDS_FROM_SOURCE === '1') return undefined;
  if (!isFresh(roots)) return undefined;
  const file = path.join(OUT_DIR, rel.replace(/\.ts$/, '.js'));
  return fs.existsSync(file) ? file : undefined;
}

module.exports = { REPO, OUT_DIR, MANIFEST, sourceFiles, sourceState, isFresh, compiledFile };
