// `npm run bench [-- options]`: translation, incremental changes, memory and push convergence on generated
// corpora, against the transport floor. Everything runs on 127.0.0.1, each part in processes of its own:
//   bench/translate.ts       one process per corpus size (full builds, incremental changes, peak RSS)
//   bench/fanout-server.ts   traefik-xds (startServe) with the corpus, its RSS measured alone
//   bench/floor-server.ts    a bare grpc-js server streaming the same pre-encoded responses
//   bench/fanout-clients.ts  worker processes holding the raw ADS clients
// Results: bench/results/<name>.json and .md (docs/performance.md explains them).
//
// Options: --quick (100 and 1,000 routes, up to 1,000 clients at 1,000 routes), --sizes=100,1000,10000,
// --clients=10,100,1000, --protocols=sotw,delta, --changes=endpointslice,ingressroute, --no-translate,
// --no-fanout, --no-floor, --floor-all (the floor also at 10,000 routes × 1,000 clients), --repeat=N, --workers=N,
// --connect-concurrency=N, --name=NAME, --out=DIR, --from-source (the server and the translation benchmark through
// tsx, not the compiled build).
import { fork, execSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summary, type Summary } from './stats';
import { renderMarkdown } from './report';
import { buildNode } from '../scripts/build-node';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiledFile } = require('../bin/compiled.js') as { compiledFile(rel: string, roots: string[]): string | undefined };

const ROOT = path.resolve(__dirname, '..');
const args = new Map<string, string>();
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  if (m) args.set(m[1], m[2] ?? 'true');
}
const quick = args.has('quick');
const list = (k: string, d: string) => (args.get(k) ?? d).split(',').filter(Boolean);
const sizes = list('sizes', quick ? '100,1000' : '100,1000,10000').map(Number);
const protocols = list('protocols', 'sotw,delta') as ('sotw' | 'delta')[];
const changeKinds = list('changes', 'endpointslice,ingressroute');
const workersCount = Number(args.get('workers') ?? 4);
/** Clients connecting at the same time, over all workers (each waits for its full state before the next). */
const connectConcurrency = Number(args.get('connect-concurrency') ?? 20);
const connectBatch = (workers: number) => Math.max(1, Math.floor(connectConcurrency / workers));
const outDir = path.resolve(ROOT, args.get('out') ?? 'bench/results');
const name = args.get('name') ?? (quick ? 'quick' : 'full');

/** Clients per corpus size. */
function clientCounts(routes: number): number[] {
  if (args.has('clients')) return list('clients', '').map(Number);
  if (quick) return routes >= 1000 ? [100, 1000] : [10, 100];
  return [10, 100, 1000];
}
const fullIterations = (routes: number) => (routes <= 100 ? 20 : routes <= 1000 ? 11 : 5);
const changeIterations = (routes: number) => (quick ? 8 : routes <= 1000 ? 20 : 10);
const repeats = (routes: number, clients: number) => Number(args.get('repeat') ?? (quick ? 3 : routes >= 10000 && clients >= 1000 ? 3 : 5));

const log = (...a: unknown[]) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const nsToMs = (a: bigint, b: bigint) => Number(a - b) / 1e6;

// ---------------------------------------------------------------- child processes

const NODE_ARGS = ['-r', 'tsx/cjs', '--expose-gc'];
/**
 * The server under test runs as `serve` is deployed: the compiled build (scripts/build-node.ts, rebuilt at start
 * when stale) without tsx, with the Node options bin/traefik-xds.js documents. --from-source: through tsx.
 */
/** The Node options and environment bin/traefik-xds.js documents for `serve` (applied by npm start and k8s/Dockerfile). */
const SERVE_NODE_ARGS = ['--max-semi-space-size=4'];
const SERVE_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' };
const serverProcess = { script: 'fanout-server.ts', nodeArgs: [...NODE_ARGS, ...SERVE_NODE_ARGS], mode: 'tsx' };
/** The translation benchmark runs the code as the server does (compiled, the same options), when it can. */
const translateProcess = { script: 'translate.ts', nodeArgs: NODE_ARGS, env: process.env, mode: 'tsx' };

class Child {
  readonly proc: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (m: any) => void>();
  private readyWaiter?: (m: any) => void;
  readyMessage?: any;
  constructor(script: string, argv: string[], extraNodeArgs: string[] = [], nodeArgs = NODE_ARGS, env: NodeJS.ProcessEnv = process.env) {
    this.proc = fork(path.resolve(__dirname, script), argv, { execArgv: [...nodeArgs, ...extraNodeArgs], env, cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: any) => {
      if (m.ready || m.error) {
        this.readyMessage = m;
        this.readyWaiter?.(m);
        return;
      }
      const f = this.pending.get(m.id);
      this.pending.delete(m.id);
      f?.(m);
    });
  }
  ready(timeoutMs: number): Promise<any> {
    if (this.readyMessage) return Promise.resolve(this.readyMessage);
    return withTimeout(new Promise((r) => (this.readyWaiter = r)), timeoutMs, 'child start');
  }
  request(msg: object, timeoutMs = 120_000): Promise<any> {
    const id = this.nextId++;
    return withTimeout(new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.proc.send({ ...msg, id });
    }), timeoutMs, JSON.stringify(msg).slice(0, 80));
  }
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
  /** Asks the process to stop and waits for it to exit (a CPU profile is written on exit), then kills it. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((r) => (this.proc.exitCode !== null ? r() : this.proc.once('exit', () => r())));
    await this.request({ cmd: 'stop' }, 30_000).catch(() => undefined);
    await withTimeout(exited, 30_000, 'exit').catch(() => undefined);
    this.kill();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms)))]).finally(() => clearTimeout(t));
}

const children: Child[] = [];
const spawnChild = (script: string, argv: string[] = [], extra: string[] = [], nodeArgs = NODE_ARGS, env: NodeJS.ProcessEnv = process.env) => {
  const c = new Child(script, argv, extra, nodeArgs, env);
  children.push(c);
  return c;
};
process.on('exit', () => children.forEach((c) => c.kill()));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

/** Runs bench/translate.ts for one size and returns its RESULT. */
function runTranslate(routes: number): Promise<any> {
  return new Promise((resolve, reject) => {
    const p = fork(path.resolve(__dirname, translateProcess.script), [String(routes), String(fullIterations(routes)), String(changeIterations(routes))], {
      execArgv: translateProcess.nodeArgs, env: translateProcess.env, cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 15 * 60_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`translate ${routes} exited with ${code}`));
      resolve(JSON.parse(line.slice(7)));
    });
  });
}

// ---------------------------------------------------------------- fan-out

class Workers {
  constructor(readonly list: Child[]) {}
  static async start(n: number): Promise<Workers> {
    const list = Array.from({ length: n }, () => spawnChild('fanout-clients.ts'));
    await Promise.all(list.map((c) => c.ready(60_000)));
    return new Workers(list);
  }
  /** Spreads `count` clients over the workers; resolves when every client has every type. */
  async connect(address: string, count: number, delta: boolean, timeoutMs: number) {
    const per = this.list.map((_, i) => Math.floor(count / this.list.length) + (i < count % this.list.length ? 1 : 0));
    const start = Date.now();
    const rs = await Promise.all(this.list.map((w, i) => per[i] === 0
      ? { connected: 0, failed: 0, maxResponseBytes: 0, errors: [] }
      : w.request({ cmd: 'connect', address, count: per[i], delta, prefix: `w${i}`, batch: connectBatch(this.list.length), timeoutMs }, timeoutMs + 30_000)));
    return {
      ms: Date.now() - start,
      connected: rs.reduce((a, r) => a + r.connected, 0),
      failed: rs.reduce((a, r) => a + r.failed, 0),
      maxResponseBytes: Math.max(...rs.map((r) => r.maxResponseBytes)),
      errors: rs.flatMap((r) => r.errors),
    };
  }
  /** When the last client acknowledged the given versions (hrtime ns), or why not. */
  async expect(versions: Record<string, string>, sinceNs: string, timeoutMs: number): Promise<{ ok: boolean; lastAckNs?: bigint; missing: number }> {
    const rs = await Promise.all(this.list.map((w) => w.request({ cmd: 'expect', versions, sinceNs, timeoutMs }, timeoutMs + 30_000)));
    const missing = rs.reduce((a, r) => a + (r.missing ?? 0), 0);
    const acks = rs.filter((r) => r.lastAckNs).map((r) => BigInt(r.lastAckNs));
    return { ok: missing === 0, missing, lastAckNs: acks.length ? acks.reduce((a, b) => (a > b ? a : b)) : undefined };
  }
  async close(): Promise<void> {
    await Promise.all(this.list.map((w) => w.request({ cmd: 'close' }, 60_000)));
  }
}

interface ChangeSample {
  totalMs: number;
  fromDebounceEndMs: number;
  fromPublishMs: number;
  buildMs: number;
  enqueueMs: number;
}

async function startServer(routes: number): Promise<{ server: Child; ready: any; idle: any }> {
  const server = spawnChild(serverProcess.script, [String(routes)], (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), serverProcess.nodeArgs, { ...SERVE_ENV, ...process.env });
  const ready = await server.ready(20 * 60_000);
  if (ready.error) throw new Error(ready.error);
  await new Promise((r) => setTimeout(r, 300));
  const idle = await server.request({ cmd: 'rss', gc: true });
  return { server, ready, idle };
}

/**
 * Per protocol, one server for every client count, in ascending order (a process's RSS does not come back down
 * after a peak: rows in ascending order each report their own). Each row: connect the clients, measure memory,
 * apply each change kind a few times and time the last ACK; then the same clients against the floor.
 */
async function fanoutForSize(routes: number, workers: Workers): Promise<any[]> {
  const out: any[] = [];
  // Snapshots for the floor: S0, then after each change kind in turn (S1 after the first, S2 after the second...).
  const floorFiles: string[] = [];
  if (!args.has('no-floor')) {
    const { server } = await startServer(routes);
    floorFiles.push((await server.request({ cmd: 'export' })).file);
    for (const kind of changeKinds) {
      await server.request({ cmd: 'change', kind, app: 3, gen: 1000 });
      floorFiles.push((await server.request({ cmd: 'export' })).file);
    }
    await server.stop();
  }
  let gen = 1;
  const timeoutFor = (clients: number) => Math.max(60_000, routes * clients * 0.2);
  for (const protocol of protocols) {
    const { server, ready, idle } = await startServer(routes);
    const address = `127.0.0.1:${ready.port}`;
    for (const clients of clientCounts(routes)) {
      const row: any = { routes, protocol, clients };
      row.server = { corpusMs: ready.corpusMs, firstBuildMs: Math.round(ready.firstBuildMs), largestResource: ready.largestResource };
      await server.request({ cmd: 'rss' }); // starts a new peak phase
      const conn = await workers.connect(address, clients, protocol === 'delta', timeoutFor(clients));
      const afterConnect = await server.request({ cmd: 'rss' });
      const connected = await server.request({ cmd: 'rss', gc: true });
      row.connect = { ms: conn.ms, connected: conn.connected, failed: conn.failed, errors: conn.errors, maxResponseBytes: conn.maxResponseBytes, streams: connected.streams };
      row.rss = {
        idleMiB: mib(idle.rss), connectedMiB: mib(connected.rss), perClientKiB: Math.round(((connected.rss - idle.rss) / clients / 1024) * 10) / 10,
        peakConnectMiB: mib(afterConnect.peakRss),
        peakConnectParts: { heapUsedMiB: mib(afterConnect.peakHeapUsed), arrayBuffersMiB: mib(afterConnect.peakArrayBuffers) }, heapIdleMiB: mib(idle.heapUsed), heapConnectedMiB: mib(connected.heapUsed),
        heapPerClientKiB: Math.round(((connected.heapUsed - idle.heapUsed) / clients / 1024) * 10) / 10,
      };
      log(`${routes} routes, ${clients} ${protocol} clients: connected ${conn.connected} in ${conn.ms} ms, RSS ${row.rss.idleMiB} → ${row.rss.connectedMiB} MiB (peak ${row.rss.peakConnectMiB}: heap up to ${row.rss.peakConnectParts.heapUsedMiB}, array buffers up to ${row.rss.peakConnectParts.arrayBuffersMiB}) (heap ${row.rss.heapPerClientKiB} KiB/client), largest response ${mib(conn.maxResponseBytes)} MiB`);
      row.changes = {};
      const kinds = changeKinds.filter((k) => !(k === 'ingressroute' && routes >= 10000 && clients >= 1000 && !args.has('changes')));
      const profileDir = process.env.BENCH_PROFILE_DIR;
      if (profileDir) await server.request({ cmd: 'profile', start: true });
      for (const kind of kinds) {
        const samples: ChangeSample[] = [];
        const failures: string[] = [];
        for (let r = 0; r < repeats(routes, clients); r++) {
          const app = (gen * 7919 + 11) % routes;
          const c = await server.request({ cmd: 'change', kind, app, gen: gen++ }, 60_000);
          if (!c.ok || c.failed) {
            failures.push(c.failed ?? 'no build');
            continue;
          }
          const e = await workers.expect(c.versions, c.changeNs, timeoutFor(clients));
          if (!e.ok || !e.lastAckNs) {
            failures.push(`${e.missing} clients did not acknowledge`);
            continue;
          }
          const last = e.lastAckNs;
          samples.push({
            totalMs: nsToMs(last, BigInt(c.changeNs)),
            fromDebounceEndMs: nsToMs(last, BigInt(c.buildStartNs)),
            fromPublishMs: nsToMs(last, BigInt(c.setStartNs)),
            buildMs: nsToMs(BigInt(c.setStartNs), BigInt(c.buildStartNs)),
            enqueueMs: nsToMs(BigInt(c.setEndNs), BigInt(c.setStartNs)),
          });
          await new Promise((res) => setTimeout(res, 200));
        }
        const pick = (k: keyof ChangeSample): Summary => summary(samples.map((s) => s[k]));
        row.changes[kind] = {
          totalMs: pick('totalMs'), fromDebounceEndMs: pick('fromDebounceEndMs'), fromPublishMs: pick('fromPublishMs'),
          buildMs: pick('buildMs'), enqueueMs: pick('enqueueMs'), failures,
        };
        log(`  ${kind}: change→last ACK median ${row.changes[kind].totalMs.median} ms (build ${row.changes[kind].buildMs.median}, to the streams ${row.changes[kind].enqueueMs.median}, publication→last ACK ${row.changes[kind].fromPublishMs.median})${failures.length ? `, ${failures.length} failed: ${failures[0]}` : ''}`);
      }
      if (profileDir) log(`  profile: ${(await server.request({ cmd: 'profile', start: false, dir: profileDir })).file}`);
      const afterPush = await server.request({ cmd: 'rss' });
      row.rss.peakPushMiB = mib(afterPush.peakRss);
      row.rss.peakPushParts = { heapUsedMiB: mib(afterPush.peakHeapUsed), arrayBuffersMiB: mib(afterPush.peakArrayBuffers) };
      log(`  peak RSS pushing ${row.rss.peakPushMiB} MiB (sampled every 5 ms: heap in use up to ${row.rss.peakPushParts.heapUsedMiB} MiB, array buffers up to ${row.rss.peakPushParts.arrayBuffersMiB} MiB)`);
      await workers.close();

      // The floor at 10,000 routes with 1,000 clients would double the longest part of the run (connecting 1,000
      // clients to an 11 MiB state takes minutes on two cores): only with --floor-all.
      const floorHere = floorFiles.length && !(routes >= 10000 && clients >= 1000 && !args.has('floor-all'));
      if (floorHere) {
        row.floor = {};
        const floor = spawnChild('floor-server.ts', floorFiles);
        const fr = await floor.ready(120_000);
        const fconn = await workers.connect(`127.0.0.1:${fr.port}`, clients, protocol === 'delta', timeoutFor(clients));
        let state = 0;
        const push = async (to: number) => {
          const p = await floor.request({ cmd: 'push', to });
          state = to;
          return { p, e: await workers.expect(p.versions, p.pushNs, timeoutFor(clients)) };
        };
        for (const kind of kinds) {
          const k = changeKinds.indexOf(kind); // its change goes from S_k to S_k+1
          if (state !== k) await push(k);
          const ms: number[] = [];
          const failures: string[] = [];
          for (let r = 0; r < repeats(routes, clients); r++) {
            const { p, e } = await push(state === k ? k + 1 : k);
            if (!e.ok || !e.lastAckNs) failures.push(`${e.missing} clients did not acknowledge`);
            else ms.push(nsToMs(e.lastAckNs, BigInt(p.pushNs)));
            await new Promise((res) => setTimeout(res, 200));
          }
          const f: any = { ms: summary(ms), failures, connectMs: fconn.ms };
          f.ratio = Math.round((row.changes[kind].fromDebounceEndMs.median / f.ms.median) * 100) / 100;
          f.ratioFromPublish = Math.round((row.changes[kind].fromPublishMs.median / f.ms.median) * 100) / 100;
          row.floor[kind] = f;
          log(`  floor ${kind}: push→last ACK median ${f.ms.median} ms; ours / floor ${f.ratioFromPublish} from publication (${f.ratio} from the debounce end)`);
        }
        row.floorPeakRssMiB = mib((await floor.request({ cmd: 'rss' })).peakRss);
        await workers.close();
        await floor.stop();
      }
      out.push(row);
    }
    await server.stop();
  }
  for (const f of floorFiles) fs.rmSync(f, { force: true });
  return out;
}

// ---------------------------------------------------------------- machine, targets, output

function machine() {
  const cpus = os.cpus();
  const sh = (c: string) => {
    try {
      return execSync(c, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return undefined;
    }
  };
  return {
    cpu: cpus[0]?.model, cores: cpus.length, memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`, node: process.version,
    grpcJs: JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@grpc/grpc-js/package.json'), 'utf8')).version,
    commit: sh('git rev-parse --short HEAD'), dirty: !!sh('git status --porcelain --untracked-files=no'),
  };
}

function targets(result: any): any[] {
  const t: any[] = [];
  const tr = (n: number) => result.translation.find((x: any) => x.routes === n);
  const add = (target: string, value: number | undefined, limit: number, unit: string, p99?: number) =>
    value !== undefined && t.push({ target, value, p99, limit, unit, met: value <= limit });
  add('full rebuild, 1,000 routes (median)', tr(1000)?.full.ms.median, 100, 'ms', tr(1000)?.full.ms.p99);
  add('full rebuild, 10,000 routes (median)', tr(10000)?.full.ms.median, 1000, 'ms', tr(10000)?.full.ms.p99);
  add('EndpointSlice change published, 10,000 routes (median, from the end of the debounce window)', tr(10000)?.changes.endpointslice.ms.median, 10, 'ms', tr(10000)?.changes.endpointslice.ms.p99);
  const fo = (routes: number, clients: number, protocol: string) => result.fanout.find((x: any) => x.routes === routes && x.clients === clients && x.protocol === protocol);
  for (const protocol of protocols) {
    const a = fo(1000, 100, protocol);
    if (a) add(`server RSS, 1,000 routes, 100 ${protocol} clients (peak while connecting and pushing)`, Math.max(a.rss.connectedMiB, a.rss.peakConnectMiB, a.rss.peakPushMiB ?? 0), 150, 'MiB');
    const b = fo(10000, 1000, protocol);
    if (b) add(`server RSS, 10,000 routes, 1,000 ${protocol} clients (peak while connecting and pushing)`, Math.max(b.rss.connectedMiB, b.rss.peakConnectMiB, b.rss.peakPushMiB ?? 0), 1024, 'MiB');
    const c = fo(1000, 1000, protocol);
    if (c?.changes.endpointslice) add(`EndpointSlice change → all 1,000 ${protocol} clients ACKed, 1,000 routes (debounce included)`, c.changes.endpointslice.totalMs.median, 2000, 'ms', c.changes.endpointslice.totalMs.p99);
    // The fan-out proper: from the snapshot's publication to the last ACK, against the floor's push to last ACK
    // (the build before it is the translation targets' business; the table also gives the ratio from the debounce end).
    for (const row of result.fanout.filter((x: any) => x.protocol === protocol && x.floor)) {
      for (const [kind, f] of Object.entries(row.floor) as [string, any][]) {
        if (Number.isFinite(f.ratioFromPublish)) add(`fan-out / floor (from publication), ${row.routes} routes, ${row.clients} ${protocol} clients, ${kind} change`, f.ratioFromPublish, 2, '×');
      }
    }
  }
  return t;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const result: any = {
    name, mode: quick ? 'quick' : 'full', startedAt, machine: machine(), loadAverage: { start: os.loadavg() },
    settings: {
      sizes, protocols, changes: changeKinds, workers: workersCount, connectConcurrency: connectBatch(workersCount) * workersCount,
      debounce: { quietMs: 100, maxMs: 1000 }, malloc: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_'))),
    },
    translation: [], fanout: [],
  };
  if (!args.has('from-source')) {
    await buildNode();
    const server = compiledFile('bench/fanout-server.ts', ['src', 'bench']);
    const translate = compiledFile('bench/translate.ts', ['src', 'bench']);
    if (server && translate) {
      Object.assign(serverProcess, { script: server, nodeArgs: ['--expose-gc', ...SERVE_NODE_ARGS], mode: 'compiled' });
      Object.assign(translateProcess, { script: translate, nodeArgs: ['--expose-gc', ...SERVE_NODE_ARGS], env: { ...SERVE_ENV, ...process.env }, mode: 'compiled' });
    } else log('the compiled build is stale (sources edited while it ran): the benchmark runs through tsx');
  }
  result.settings.server = { mode: serverProcess.mode, nodeArgs: serverProcess.nodeArgs, env: SERVE_ENV };
  result.settings.translation = { mode: translateProcess.mode, nodeArgs: translateProcess.nodeArgs };
  log(`mode ${result.mode}, sizes ${sizes.join(', ')}; server and translation ${serverProcess.mode} (${serverProcess.nodeArgs.join(' ')}); load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (!args.has('no-translate')) {
    for (const routes of sizes) {
      log(`translation: ${routes} routes`);
      const r = await runTranslate(routes);
      result.translation.push(r);
      log(`  full build median ${r.full.ms.median} ms (p99 ${r.full.ms.p99}); EndpointSlice ${r.changes.endpointslice.ms.median} ms, IngressRoute ${r.changes.ingressroute.ms.median} ms, Middleware ${r.changes.middleware.ms.median} ms; peak RSS ${r.memory.peakFullBuildsMiB} MiB`);
    }
  }
  if (!args.has('no-fanout')) {
    const workers = await Workers.start(workersCount);
    for (const routes of sizes) result.fanout.push(...(await fanoutForSize(routes, workers)));
    for (const w of workers.list) w.kill();
  }
  result.loadAverage.end = os.loadavg();
  result.finishedAt = new Date().toISOString();
  result.targets = targets(result);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, `${name}.md`), renderMarkdown(result));
  log(`wrote ${path.relative(ROOT, path.join(outDir, `${name}.json`))} and .md`);
  process.stdout.write(renderMarkdown(result));
}

main().then(() => process.exit(0), (e) => {
  log(`failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
