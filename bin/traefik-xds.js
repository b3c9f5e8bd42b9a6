#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly through tsx, so a fresh clone needs only `npm ci`.
require('tsx/cjs');
require('../src/cli/main.ts').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`traefik-xds: internal error: ${err && err.stack || err}\n`); process.exitCode = 2; },
);
