// The traefik-xds server under test, in a process of its own (so that the clients' memory is not counted):
// startServe on 127.0.0.1:0 with the default debounce (quiet 100 ms, at most 1 s), fed by an in-memory
// source holding a generated corpus. The runner drives it over IPC:
//   {cmd: 'rss', gc}                       → memory now (after a full GC when asked) and the peak since the last 'rss'
//   {cmd: 'change', kind, app, gen}        → applies one change; answers once the new snapshot is published, with
//                                            the timestamps of each step and the new version of each changed type
//   {cmd: 'export'}                        → writes the current snapshot's encoded resources for the floor server
//   {cmd: 'stop'}
// Timestamps are process.hrtime (CLOCK_MONOTONIC), comparable with the client processes'.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session } from 'node:inspector';
import { startServe } from '../src/serve/run';
import { loadStaticConfig } from '../src/config/load';
import { silentLogger } from '../src/xds/stream-context';
import { TYPE_URLS, PUSH_ORDER, type Snapshot } from '../src/xds/snapshot';
import type { Source } from '../src/sources/source';
import type { RawObject, SourceSnapshot } from '../src/sources/types';
import type { BuildReport } from '../src/serve/controller';
import { STATIC_CONFIG, SnapshotSeries, changedObject, generateCorpus, type ChangeKind } from './corpus';
import { PeakRss } from './memory';

/** Gives snapshots as the Kubernetes source does: numbered, each telling what changed since the one before. */
class BenchSource implements Source {
  private onChange: () => void = () => undefined;
  private readonly series: SnapshotSeries;
  constructor(objects: RawObject[]) {
    this.series = new SnapshotSeries(objects);
  }
  get objects(): RawObject[] {
    return this.series.current.objects;
  }
  async start(onChange: () => void): Promise<void> {
    this.onChange = onChange;
  }
  snapshot(): SourceSnapshot {
    return this.series.current;
  }
  synced(): boolean {
    return true;
  }
  close(): void {}
  replace(next: RawObject): void {
    this.series.replace(next);
    this.onChange();
  }
}

const now = () => process.hrtime.bigint();
let profiler: Session | undefined;
const send = (m: object) => process.send!(m);

function typeVersions(s: Snapshot | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (s) for (const k of PUSH_ORDER) out[TYPE_URLS[k]] = s.types[k].version;
  return out;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  const peak = new PeakRss();
  // What makes up a peak: the V8 heap in use and the array buffers (sent responses) at their highest, sampled.
  const parts = { heapUsed: 0, arrayBuffers: 0 };
  const partsTimer = setInterval(() => {
    const m = process.memoryUsage();
    parts.heapUsed = Math.max(parts.heapUsed, m.heapUsed);
    parts.arrayBuffers = Math.max(parts.arrayBuffers, m.arrayBuffers);
  }, 5);
  partsTimer.unref();
  const t0 = Date.now();
  const corpus = generateCorpus(n);
  const corpusMs = Date.now() - t0;
  const { config } = loadStaticConfig({ text: STATIC_CONFIG });
  const source = new BenchSource(corpus.objects);
  const run = await startServe({ config, source, log: silentLogger, address: '127.0.0.1:0', ...(process.env.BENCH_NO_RECLAIM ? { reclaim: false as const } : {}) });
  const key = 'default/envoy';
  // Instrumentation: when the debounce window ended (the build starts) and when the snapshot went to the streams.
  let buildStart = 0n;
  let setStart = 0n;
  let setEnd = 0n;
  const update = run.controller.update.bind(run.controller);
  run.controller.update = (s: SourceSnapshot) => {
    buildStart = now();
    return update(s);
  };
  const set = run.cache.set.bind(run.cache);
  run.cache.set = (k: string, snap: Snapshot) => {
    setStart = now();
    const r = set(k, snap);
    setEnd = now();
    return r;
  };
  let waiter: ((r: BuildReport) => void) | undefined;
  run.controller.onBuild((r) => {
    const w = waiter;
    waiter = undefined;
    w?.(r);
  });
  const first = run.controller.lastReport!;
  send({
    ready: true, port: run.port, corpusMs, firstBuildMs: first.durationMs,
    diagnostics: first.diagnostics.length,
    largestResource: Math.max(...PUSH_ORDER.flatMap((k) => [...run.cache.get(key)!.types[k].resources.values()].map((r) => r.any.length))),
  });

  process.on('message', async (m: { cmd: string; id: number } & Record<string, any>) => {
    if (m.cmd === 'rss') {
      if (m.gc) for (let i = 0; i < 2; i++) (global as any).gc?.();
      const mem = process.memoryUsage();
      send({
        id: m.id, rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, peakRss: peak.take(), streams: run.xds.openStreams,
        peakHeapUsed: parts.heapUsed, peakArrayBuffers: parts.arrayBuffers,
      });
      parts.heapUsed = parts.arrayBuffers = 0;
    } else if (m.cmd === 'change') {
      const before = run.cache.get(key);
      const next = changedObject(m.kind as ChangeKind, m.app, n, m.gen);
      const built = new Promise<BuildReport>((resolve) => (waiter = resolve));
      const changeAt = now();
      source.replace(next);
      const report = await Promise.race([built, new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000))]);
      const after = run.cache.get(key);
      const versions: Record<string, string> = {};
      const b = typeVersions(before);
      for (const [url, v] of Object.entries(typeVersions(after))) if (b[url] !== v) versions[url] = v;
      send({
        id: m.id, ok: !!report, changeNs: String(changeAt), buildStartNs: String(buildStart), setStartNs: String(setStart),
        setEndNs: String(setEnd), durationMs: report?.durationMs, fastPath: report?.fastPath ?? false,
        encodedResources: report?.encodedResources, encodedBytes: report?.encodedBytes, failed: report?.failed, versions,
      });
    } else if (m.cmd === 'export') {
      const s = run.cache.get(key)!;
      const out: Record<string, { typeUrl: string; version: string; resources: { name: string; version: string; any: string }[] }> = {};
      for (const k of PUSH_ORDER) {
        out[k] = {
          typeUrl: TYPE_URLS[k], version: s.types[k].version,
          resources: [...s.types[k].resources.values()].map((r) => ({ name: r.name, version: r.version, any: Buffer.from(r.any).toString('base64') })),
        };
      }
      const file = path.join(os.tmpdir(), `traefik-xds-bench-snapshot-${process.pid}-${m.id}.json`);
      fs.writeFileSync(file, JSON.stringify(out));
      send({ id: m.id, file });
    } else if (m.cmd === 'profile') {
      // Development aid: CPU profile of what happens between 'profile' start and stop (BENCH_PROFILE_DIR).
      if (m.start) {
        profiler ??= new Session();
        profiler.connect();
        await new Promise((r) => profiler!.post('Profiler.enable', () => profiler!.post('Profiler.start', r)));
        send({ id: m.id });
      } else {
        profiler!.post('Profiler.stop', (_err, res) => {
          const file = path.join(m.dir, `server-${n}-${Date.now()}.cpuprofile`);
          fs.writeFileSync(file, JSON.stringify(res.profile));
          profiler!.disconnect();
          send({ id: m.id, file });
        });
      }
    } else if (m.cmd === 'stop') {
      await run.stop(500);
      send({ id: m.id, stopped: true });
      setTimeout(() => process.exit(0), 50);
    }
  });
}

process.on('disconnect', () => process.exit(0));
main().catch((e) => {
  send({ error: String((e as Error).stack ?? e) });
  process.exit(1);
});
