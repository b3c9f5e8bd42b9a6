#!/usr/bin/env node
'use strict';
// Runs the JavaScript that `npm ci` compiles into dist/node/ (scripts/build-node.ts) while it matches the
// sources, and the TypeScript sources through tsx otherwise (before a build, after an edit, or with
// TRAEFIK_XDS_FROM_SOURCE=1): a fresh clone needs only `npm ci`, an edited tree never runs stale code.
//
// Memory (docs/performance.md): run `serve` as `node --max-semi-space-size=4 bin/traefik-xds.js serve ...` and, on
// glibc (Linux), with MALLOC_MMAP_THRESHOLD_=131072 in the environment; npm start, k8s/Dockerfile and the benchmark
// do. V8's young generation otherwise grows to 2 x 16 MiB under a full build's allocations and stays resident
// (about 20 MiB more, no measurable build time saved); glibc otherwise raises its mmap threshold after the first
// large buffer is freed, so the buffers of every later send come from its heap and are kept once freed (30-60 MiB
// after 100 clients connected). Neither can be set from inside the process.
const { compiledFile } = require('./compiled.js');

const entry = compiledFile('src/cli/main.ts');
if (!entry) require('tsx/cjs');
require(entry || '../src/cli/main.ts').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`traefik-xds: internal error: ${err && err.stack || err}\n`); process.exitCode = 2; },
);
