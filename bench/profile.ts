// CPU profile of the controller on a generated corpus, for finding what a build spends its time on.
//   node -r tsx/cjs --expose-gc bench/profile.ts <routes> <builds> <full|full-cold|endpointslice|ingressroute|middleware> [out.cpuprofile]
// `full`: a new Controller each time, every object with a fresh identity (a first load); `full-cold`: the same with
// the table of resources validated before (by content) emptied first, so every resource is validated; the others: one
// change of that kind at a time on a long-lived Controller (as `serve` runs). The profile covers only the
// measured builds; open it in Chrome DevTools (Performance) or VS Code.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session } from 'node:inspector';
import { loadStaticConfig } from '../src/config/load';
import { Controller } from '../src/serve/controller';
import { SnapshotCache } from '../src/xds/cache';
import { clearValidatedCache } from '../src/xds/validated-cache';
import { silentLogger } from '../src/xds/stream-context';
import { tuneV8ForRebuilds } from '../src/serve/v8-tuning';
import { STATIC_CONFIG, freshIdentities, changedObject, generateCorpus, replaceObject, snapshotOf, type ChangeKind } from './corpus';

tuneV8ForRebuilds(); // as the server does at start (serve/run.ts)
const n = Number(process.argv[2] ?? 1000);
const builds = Number(process.argv[3] ?? 5);
const mode = process.argv[4] ?? 'full';
const out = process.argv[5] ?? path.join(os.tmpdir(), `traefik-xds-${mode}-${n}.cpuprofile`);

const corpus = generateCorpus(n);
const { config } = loadStaticConfig({ text: STATIC_CONFIG });
const ctl = new Controller(config, new SnapshotCache(), silentLogger);
let objects = corpus.objects;
ctl.update(snapshotOf(objects));
let gen = 0;
const build = () => {
  if (mode === 'full-cold') clearValidatedCache();
  if (mode === 'full' || mode === 'full-cold') return new Controller(config, new SnapshotCache(), silentLogger).update(snapshotOf(freshIdentities(corpus.objects)));
  objects = replaceObject(objects, changedObject(mode as ChangeKind, (gen * 7919 + 11) % n, n, ++gen));
  return ctl.update(snapshotOf(objects));
};
build();
build(); // warm-up

const session = new Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.start', () => {
  for (let i = 0; i < builds; i++) {
    const cpu = process.cpuUsage();
    const r = build();
    const used = process.cpuUsage(cpu);
    console.log(`build ${r.durationMs.toFixed(1)} ms (cpu ${((used.user + used.system) / 1000).toFixed(1)} ms), re-encoded ${r.encodedResources} resources / ${r.encodedBytes} bytes${r.fastPath ? ', fast path' : ''}`);
  }
  session.post('Profiler.stop', (err, res) => {
    if (err) throw err;
    fs.writeFileSync(out, JSON.stringify(res.profile));
    console.log(`wrote ${out}`);
    session.disconnect();
  });
}));
