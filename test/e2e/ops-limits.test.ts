// Limits and shutdown of the xDS server: a client that never reads its stream, oversized requests, streams
// per connection, ping floods, and draining (in process and through SIGTERM to the CLI).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as http2 from 'node:http2';
import { spawn, type ChildProcess } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { XdsServer, type XdsServerOptions } from '../../src/xds/server';
import { SnapshotCache } from '../../src/xds/cache';
import { ClientRegistry } from '../../src/xds/clients';
import { buildSnapshot } from '../../src/xds/snapshot';
import { encodeResource } from '../../src/envoy/json';
import type { EnvoyResources } from '../../src/envoy/resources';
import { OpsClient, TYPE, captureLog, node, tmpDir, waitFor, BACKENDS } from '../unit/ops/helpers';

const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const KEY = 'default/envoy';

/** ~`kb` KiB of clusters whose names change with `gen` (so every snapshot is a new CDS response). */
function bigWorld(gen: number, kb = 100): EnvoyResources {
  const n = Math.ceil((kb * 1024) / 180);
  const clusters = Array.from({ length: n }, (_, i) => ({ name: `c-${gen}-${i}-${'x'.repeat(140)}`, type: 'STATIC', connect_timeout: '1s' }));
  return { listeners: [], routes: [], clusters, endpoints: [], secrets: [] } as unknown as EnvoyResources;
}

class Bare {
  readonly cache = new SnapshotCache();
  readonly registry = new ClientRegistry();
  readonly log = captureLog();
  readonly server: XdsServer;
  readonly slow: (string | undefined)[] = [];
  readonly pingViolations: string[] = [];
  port = 0;
  private gen = 0;
  private id = 0;

  constructor(opts: XdsServerOptions = {}) {
    this.server = new XdsServer(
      { cache: this.cache, registry: this.registry, fleets: [], log: this.log, nextStreamId: () => ++this.id },
      { ...opts, onSlowClient: (k) => this.slow.push(k), onPingViolation: (p) => this.pingViolations.push(p) },
    );
  }

  async start(): Promise<this> {
    this.port = await this.server.listen('127.0.0.1:0');
    this.publish();
    return this;
  }

  publish(kb = 100): void {
    this.cache.set(KEY, buildSnapshot(bigWorld(++this.gen, kb), this.cache.get(KEY)));
  }
}

function frame(msg: Uint8Array): Buffer {
  const b = Buffer.alloc(5 + msg.length);
  b.writeUInt32BE(msg.length, 1);
  Buffer.from(msg).copy(b, 5);
  return b;
}

/** A raw HTTP/2 ADS stream that subscribes to CDS and then never reads (its flow-control window fills up). */
function nonReadingClient(port: number): { session: http2.ClientHttp2Session; stream: http2.ClientHttp2Stream; closed: Promise<number> } {
  const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 65535 } });
  session.on('error', () => undefined);
  const stream = session.request({ ':method': 'POST', ':path': ADS_PATH, 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined);
  stream.write(frame(encodeResource('envoy.service.discovery.v3.DiscoveryRequest', { node: node('slow-1', 'gateway'), type_url: TYPE.cds })));
  stream.pause();
  const closed = new Promise<number>((resolve) => stream.on('close', () => resolve(stream.rstCode ?? -1)));
  return { session, stream, closed };
}

describe('ops e2e: xDS server limits', function () {
  this.timeout(30000);
  const cleanup: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('disconnects a client that never reads its stream once its queue passes the bound, and releases the memory', async () => {
    const LIMIT = 1024 * 1024;
    const s = await new Bare({ limits: { maxQueuedBytesPerStream: LIMIT } }).start();
    cleanup.push(() => s.server.shutdown(100));
    const slow = nonReadingClient(s.port);
    cleanup.push(() => void slow.session.destroy());
    // A healthy client on the same server keeps up with every snapshot.
    const healthy = new OpsClient(`127.0.0.1:${s.port}`);
    cleanup.push(() => healthy.close());
    healthy.send({ node: node('healthy-1', 'gateway'), type_url: TYPE.cds });
    await healthy.next();
    await waitFor(() => s.registry.list().length === 2, 5000, 'both streams registered');

    let published = 0;
    let rst = -2;
    void slow.closed.then((c) => (rst = c));
    while (rst === -2 && published < 40) {
      s.publish(50);
      published++;
      const r = await healthy.next(5000);
      healthy.send({ type_url: TYPE.cds, version_info: r.version_info, response_nonce: r.nonce });
      await new Promise((res) => setTimeout(res, 20));
    }
    await Promise.race([slow.closed, new Promise((res) => setTimeout(res, 3000))]);
    assert.equal(rst, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, `reset with ENHANCE_YOUR_CALM (gRPC: RESOURCE_EXHAUSTED) after ${published} snapshots`);
    assert.ok(published >= 2 && published < 40, `cut after a bounded number of snapshots (${published})`);
    const line = s.log.lines.find((l) => /slow client disconnected/.test(l.msg));
    assert.ok(line, 'logged with the reason');
    assert.equal(line.node, 'slow-1');
    assert.ok((line.queuedBytes as number) <= LIMIT && (line.limitBytes as number) === LIMIT, JSON.stringify(line));
    assert.ok((line.queuedResponses as number) >= 2, 'several responses were queued before the cut');
    assert.deepEqual(s.slow, [KEY]);
    await waitFor(() => s.registry.list().length === 1, 3000, 'the slow stream to leave the registry');
    assert.equal(s.registry.list()[0].node.id, 'healthy-1');
    assert.equal(s.cache.watcherCount(KEY), 1);
    // The healthy client still gets updates.
    s.publish();
    assert.equal((await healthy.next(5000)).type_url, TYPE.cds);
    assert.equal(healthy.error, undefined);
  });

  it('refuses an inbound message over xds.maxMessageBytes with RESOURCE_EXHAUSTED', async () => {
    const s = await new Bare({ maxMessageBytes: 2048 }).start();
    cleanup.push(() => s.server.shutdown(100));
    s.publish(1);
    const c = new OpsClient(`127.0.0.1:${s.port}`);
    cleanup.push(() => c.close());
    c.send({ node: node('big', 'gateway'), type_url: TYPE.eds, resource_names: Array.from({ length: 100 }, (_, i) => `cluster-${i}-${'y'.repeat(40)}`) });
    const err = await c.failure();
    assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
  });

  it('announces its streams-per-connection limit and closes connections that flood pings', async () => {
    const s = await new Bare({ limits: { maxConcurrentStreams: 3, minPingIntervalMs: 1000, maxPingStrikes: 2 } }).start();
    cleanup.push(() => s.server.shutdown(100));
    const session = http2.connect(`http://127.0.0.1:${s.port}`);
    cleanup.push(() => void session.destroy());
    session.on('error', () => undefined);
    await new Promise<void>((resolve) => session.once('remoteSettings', () => resolve()));
    assert.equal(session.remoteSettings.maxConcurrentStreams, 3);
    const goaway = new Promise<{ code: number; data: string }>((resolve) => session.once('goaway', (code, _last, data) => resolve({ code, data: data?.toString() ?? '' })));
    for (let i = 0; i < 5; i++) session.ping(() => undefined);
    const g = await Promise.race([goaway, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no GOAWAY')), 3000))]);
    assert.equal(g.code, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    assert.equal(g.data, 'too_many_pings');
    assert.equal(s.pingViolations.length, 1);
    assert.ok(s.log.lines.some((l) => /too many pings/.test(l.msg)));
    // Pings at a polite rate are fine.
    const polite = http2.connect(`http://127.0.0.1:${s.port}`);
    cleanup.push(() => void polite.destroy());
    let politeGoaway = false;
    polite.on('goaway', () => (politeGoaway = true));
    await new Promise<void>((resolve) => polite.once('remoteSettings', () => resolve()));
    polite.ping(() => undefined);
    await new Promise((r) => setTimeout(r, 1100));
    polite.ping(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(politeGoaway, false);
  });

  it('drains on shutdown: streams end with UNAVAILABLE at once, new connections are refused, a stuck stream is cut at the grace period', async () => {
    const s = await new Bare().start();
    const reading = new OpsClient(`127.0.0.1:${s.port}`);
    cleanup.push(() => reading.close());
    reading.send({ node: node('r1', 'gateway'), type_url: TYPE.cds });
    await reading.next();
    const stuck = nonReadingClient(s.port);
    cleanup.push(() => void stuck.session.destroy());
    for (let i = 0; i < 5; i++) s.publish(); // ~500 KiB queued on the stuck stream
    await waitFor(() => s.registry.list().length === 2, 5000, 'both streams');
    assert.equal(s.server.openStreams, 2);
    const t0 = Date.now();
    const done = s.server.shutdown(1500);
    const err = await reading.failure(1000);
    assert.equal(err.code, grpc.status.UNAVAILABLE);
    assert.match(err.details, /shutting down/);
    assert.ok(Date.now() - t0 < 1000, 'the reading client is told at once');
    const late = new OpsClient(`127.0.0.1:${s.port}`);
    cleanup.push(() => late.close());
    late.send({ node: node('late', 'gateway'), type_url: TYPE.cds });
    assert.equal((await late.failure(3000)).code, grpc.status.UNAVAILABLE);
    await done;
    const took = Date.now() - t0;
    assert.ok(took >= 1300 && took < 3000, `bounded by the grace period (${took} ms)`);
    await stuck.closed;
  });
});

describe('ops e2e: SIGTERM drains the serve command', function () {
  this.timeout(40000);
  let child: ChildProcess | undefined;
  let dir: string;
  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops accepting, ends streams with UNAVAILABLE and exits 0 well within the grace period', async () => {
    dir = tmpDir('traefik-xds-sigterm-');
    fs.writeFileSync(path.join(dir, 'backends.yaml'), BACKENDS);
    fs.writeFileSync(path.join(dir, 'config.yaml'), 'entryPoints:\n  web: {address: ":8080"}\nadmin: {address: "127.0.0.1:0"}\nlogLevel: info\n');
    const bin = path.resolve(__dirname, '../../bin/traefik-xds.js');
    child = spawn(process.execPath, [bin, 'serve', '--config', path.join(dir, 'config.yaml'), '--address', '127.0.0.1:0', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    await waitFor(() => /serving xDS on 127\.0\.0\.1:(\d+)/.test(stdout), 20000, `the server to start (stderr: ${stderr})`);
    const port = Number(/serving xDS on 127\.0\.0\.1:(\d+)/.exec(stdout)![1]);
    const c = new OpsClient(`127.0.0.1:${port}`);
    try {
      c.send({ node: node('n1', 'gateway'), type_url: TYPE.cds });
      await c.next(5000);
      const t0 = Date.now();
      child.kill('SIGTERM');
      const err = await c.failure(3000);
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 6000))]);
      assert.equal(code, 0, stderr);
      assert.ok(Date.now() - t0 < 5000, 'no need to wait for the grace period: the stream drained');
      const logs = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(logs.some((l) => l.msg === 'shutting down: draining xDS streams' && l.signal === 'SIGTERM' && l.streams === 1), stderr);
      assert.ok(logs.some((l) => l.msg === 'stopped'));
      for (const l of logs) assert.ok(typeof l.level === 'string' && typeof l.time === 'string', 'structured JSON lines');
    } finally {
      c.close();
    }
  });
});
