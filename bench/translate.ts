// Translation benchmark for one corpus size, in a process of its own (its peak RSS is the corpus's):
//   1. full builds: a fresh Controller each time, every object with a fresh identity (so every object is parsed,
//      every route translated; resources validated and encoded before are found by content, as in a running
//      server), median and p99, peak RSS; and the same with that content-keyed table emptied first (every
//      resource validated and encoded: a first load's work);
//   2. incremental changes on one long-lived Controller: one EndpointSlice (the fast path), one IngressRoute,
//      one Middleware: time to the new snapshot and what was re-encoded.
// Usage: node -r tsx/cjs --expose-gc bench/translate.ts <routes> <full-iterations> <change-iterations>
// Prints one line `RESULT <json>`.
import { performance } from 'node:perf_hooks';
import { loadStaticConfig } from '../src/config/load';
import { Controller, type BuildReport } from '../src/serve/controller';
import { SnapshotCache } from '../src/xds/cache';
import { silentLogger } from '../src/xds/stream-context';
import { PUSH_ORDER, TYPE_URLS, buildValidatedSnapshot, type Snapshot } from '../src/xds/snapshot';
import { clearValidatedCache } from '../src/xds/validated-cache';
import { encodeSotwResponse } from '../src/xds/wire';
import { buildModel } from '../src/model/build';
import { Diagnostics } from '../src/model/diagnostics';
import { translate } from '../src/translate';
import { modelOptionsOf, translateOptionsOf } from '../src/pipeline';
import { STATIC_CONFIG, freshIdentities, SnapshotSeries, changedObject, generateCorpus, snapshotOf, type ChangeKind } from './corpus';
import { PeakRss } from './memory';
import { tuneV8ForRebuilds } from '../src/serve/v8-tuning';
import { summary } from './stats';

tuneV8ForRebuilds(); // as the server does at start (serve/run.ts)
const n = Number(process.argv[2] ?? 1000);
const fullIterations = Number(process.argv[3] ?? 5);
const changeIterations = Number(process.argv[4] ?? 10);
const gc = () => (global as any).gc?.();
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

const peak = new PeakRss();
const t0 = performance.now();
const corpus = generateCorpus(n);
const corpusMs = performance.now() - t0;
gc();
const rssCorpus = process.memoryUsage.rss();
const peakCorpus = peak.take();
const { config } = loadStaticConfig({ text: STATIC_CONFIG });

function snapshotFacts(s: Snapshot) {
  const types: Record<string, { resources: number; bytes: number; sotwResponseBytes: number; largestResource: number }> = {};
  let largestResponse = { type: '', bytes: 0 };
  for (const k of PUSH_ORDER) {
    const rs = [...s.types[k].resources.values()];
    const response = encodeSotwResponse(s.types[k].version, rs.map((r) => r.any), TYPE_URLS[k], 'nonce-0000000000').length;
    types[k] = { resources: rs.length, bytes: rs.reduce((a, r) => a + r.any.length, 0), sotwResponseBytes: response, largestResource: Math.max(0, ...rs.map((r) => r.any.length)) };
    if (response > largestResponse.bytes) largestResponse = { type: k, bytes: response };
  }
  return { types, totalBytes: Object.values(types).reduce((a, t) => a + t.bytes, 0), largestSotwResponse: largestResponse };
}

function diagnosticFacts(r: BuildReport) {
  const bySeverity: Record<string, number> = {};
  for (const d of r.diagnostics) bySeverity[d.severity] = (bySeverity[d.severity] ?? 0) + 1;
  const traefikServiceRefused = r.diagnostics.filter((d) => d.severity === 'error' && d.kind === 'IngressRoute' && /TraefikService/.test(d.message)).length;
  const traefikServiceErrors = r.diagnostics.filter((d) => d.severity === 'error' && d.kind === 'TraefikService').length;
  const messages = new Map<string, number>();
  for (const d of r.diagnostics) {
    if (d.severity === 'info') continue;
    const m = `${d.severity}: ${d.kind}: ${d.message.replace(/app-\d{5}/g, 'app-N').replace(/team-\d+/g, 'team-N').slice(0, 160)}`;
    messages.set(m, (messages.get(m) ?? 0) + 1);
  }
  return { bySeverity, traefikServiceRefused, traefikServiceErrors, top: [...messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([m, c]) => ({ count: c, message: m })) };
}

// 1. First build in the process (nothing cached, code not yet optimised by the JIT), then full builds.
const first = new Controller(config, new SnapshotCache(), silentLogger);
const firstReport = first.update(snapshotOf(corpus.objects));
const firstCache = (first as unknown as { cache: SnapshotCache }).cache;
const snap = firstCache.get('default/envoy')!;
const facts = snapshotFacts(snap);
const diagnostics = diagnosticFacts(firstReport);
const peakFirst = peak.take();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
const full: number[] = [];
const fullCpu: number[] = [];
for (let i = 0; i < fullIterations; i++) {
  // Fresh identities: the parse and certificate caches (keyed by object) miss, as on a first load.
  const objects = freshIdentities(corpus.objects);
  gc();
  await sleep(100); // lets the collector finish sweeping: it would otherwise run inside the measured build
  const cpu = process.cpuUsage();
  const r = new Controller(config, new SnapshotCache(), silentLogger).update(snapshotOf(objects));
  const used = process.cpuUsage(cpu);
  if (r.failed) throw new Error(r.failed);
  full.push(r.durationMs);
  fullCpu.push((used.user + used.system) / 1000);
}
// The same with nothing validated before: every resource read, checked against the protos and encoded.
const fullCold: number[] = [];
for (let i = 0; i < fullIterations; i++) {
  const objects = freshIdentities(corpus.objects);
  clearValidatedCache();
  gc();
  await sleep(100);
  const r = new Controller(config, new SnapshotCache(), silentLogger).update(snapshotOf(objects));
  if (r.failed) throw new Error(r.failed);
  fullCold.push(r.durationMs);
}
const peakFull = peak.take();

// Phases of one full build (the Controller does the same steps).
const phases = (() => {
  const objects = freshIdentities(corpus.objects);
  gc();
  const diags = new Diagnostics();
  const a = performance.now();
  const built = buildModel(snapshotOf(objects), modelOptionsOf(config, diags), diags);
  const b = performance.now();
  const t = translate(built.model, translateOptionsOf(config, 'envoy', []));
  const c = performance.now();
  const v = buildValidatedSnapshot(t.resources);
  const d = performance.now();
  clearValidatedCache();
  const e = performance.now();
  const cold = buildValidatedSnapshot(t.resources);
  const f = performance.now();
  if (!v.snapshot || !cold.snapshot) throw new Error(`invalid snapshot: ${JSON.stringify(v.problems[0] ?? cold.problems[0])}`);
  return { modelMs: b - a, translateMs: c - b, validateEncodeMs: d - c, validateEncodeColdMs: f - e };
})();

// 2. Incremental changes on one controller (as `serve` runs: same objects, changes one at a time). The IngressRoute
// and Middleware changes are measured again on a controller that rebuilds every IngressRoute (nothing memoised).
async function measureChanges(kinds: ChangeKind[], incremental: boolean): Promise<Record<string, any>> {
  const ctl = new Controller(config, new SnapshotCache(), silentLogger, { incremental });
  const series = new SnapshotSeries(corpus.objects);
  ctl.update(series.current);
  const out: Record<string, unknown> = {};
  for (const kind of kinds) {
    const ms: number[] = [];
    const bytes: number[] = [];
    const resources: number[] = [];
    let fastPath = 0;
    let reused = 0;
    for (let k = 0; k < changeIterations + 2; k++) {
      const app = (k * 7919 + 11) % n;
      const next = series.replace(changedObject(kind, app, n, 1 + k));
      await sleep(20); // changes come at least a debounce window apart; the collector runs in between, as in `serve`
      const r = ctl.update(next);
      if (r.failed) throw new Error(r.failed);
      if (k < 2) continue; // warm-up
      ms.push(r.durationMs);
      bytes.push(r.encodedBytes);
      resources.push(r.encodedResources);
      if (r.fastPath) fastPath++;
      reused += r.reusedIngressRoutes ?? 0;
    }
    out[kind] = { ms: summary(ms), encodedBytes: summary(bytes), encodedResources: summary(resources), fastPath: `${fastPath}/${ms.length}`, reusedIngressRoutesPerChange: ms.length ? reused / ms.length : 0 };
  }
  return out;
}
const changes = await measureChanges(['endpointslice', 'ingressroute', 'middleware'], true);
const changesRebuilt = await measureChanges(['ingressroute', 'middleware'], false);
const peakChanges = peak.take();
gc();

const result = {
  routes: n,
  corpus: { ...corpus.stats, generateMs: Math.round(corpusMs) },
  firstBuildMs: firstReport.durationMs,
  full: { ms: summary(full), cpuMs: summary(fullCpu), coldValidationMs: summary(fullCold), phasesMs: phases },
  changes,
  changesNothingMemoised: changesRebuilt,
  snapshot: { ...facts, encodedResources: firstReport.encodedResources, encodedBytes: firstReport.encodedBytes },
  diagnostics,
  memory: {
    method: peak.method,
    rssAfterCorpusMiB: mib(rssCorpus),
    peakCorpusMiB: mib(peakCorpus),
    peakFirstBuildMiB: mib(peakFirst),
    peakFullBuildsMiB: mib(peakFull),
    peakChangesMiB: mib(peakChanges),
    rssEndMiB: mib(process.memoryUsage.rss()),
    heapEndMiB: mib(process.memoryUsage().heapUsed),
  },
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

void main();
