// `traefik-xds dump` against a real server (startServe on loopback) and against hand-written fake servers:
// what it prints equals what `translate` prints for the same inputs, state of the world and delta; --watch
// follows rebuilds; failures exit 1 within the timeout. Every wait is bounded.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { parse } from 'yaml';
import { startServe, type Running } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { silentLogger } from '../../src/xds/stream-context';
import { runDump, type DumpArgs } from '../../src/cli/dump';
import { runTranslate } from '../../src/cli/translate';
import { redactSecrets } from '../../src/cli/output';
import { parseManifestText, loadManifests } from '../../src/sources/manifests';
import { runPipeline } from '../../src/pipeline';
import { canonicalResources } from '../../src/envoy/canonical';
import { decodeResource, encodeResource } from '../../src/envoy/json';
import { AdsClient, KIND_OF_TYPE, type XdsType } from '../../src/xds/client';
import type { StaticConfig } from '../../src/config/types';
import type { SourceSnapshot } from '../../src/sources/types';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REPO = path.resolve(__dirname, '../..');
const CONFIG_FILE = path.join(REPO, 'examples/traefik-xds.yaml');
const MANIFESTS = path.join(REPO, 'examples/manifests');
const KINDS = ['listeners', 'routes', 'clusters', 'endpoints', 'secrets'] as const;

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  /** --watch -o json: one document a line. */
  docs(): Json[] {
    return this.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
}

async function until(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function config(): StaticConfig {
  return loadStaticConfig({ file: CONFIG_FILE }).config;
}

function serve(cfg: StaticConfig = config()): Promise<Running> {
  return startServe({ config: cfg, paths: [MANIFESTS], log: silentLogger, address: '127.0.0.1:0', watch: false });
}

/** What `translate` prints for the examples, without the diagnostics. */
function translated(showSecrets = false): Json {
  const sink = new Sink();
  runTranslate({ paths: [MANIFESTS], config: CONFIG_FILE, entrypoint: [], output: 'json', showSecrets }, sink);
  const doc = JSON.parse(sink.text);
  delete doc.diagnostics;
  return doc;
}

/** The resources of the pipeline for a source snapshot, as `translate` prints them (secrets redacted). */
function expectedFor(snapshot: SourceSnapshot, profile: 'envoy' | 'grpc' = 'envoy'): Json {
  return JSON.parse(JSON.stringify(redactSecrets(canonicalResources(runPipeline(snapshot, config(), profile).resources))));
}

async function dump(args: Partial<DumpArgs> & { server: string }, signal?: AbortSignal): Promise<{ code: number; out: string; err: string; ms: number }> {
  const out = new Sink();
  const err = new Sink();
  const start = Date.now();
  const code = await runDump({ nodeId: 'debug', nodeCluster: 'gateway', output: 'json', timeout: 10, ...args }, out, err, { signal });
  return { code, out: out.text, err: err.text, ms: Date.now() - start };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

// ------------------------------------------------------------------------------ a hand-written ADS server

const SOTW = { req: 'envoy.service.discovery.v3.DiscoveryRequest', resp: 'envoy.service.discovery.v3.DiscoveryResponse' };
const DELTA = { req: 'envoy.service.discovery.v3.DeltaDiscoveryRequest', resp: 'envoy.service.discovery.v3.DeltaDiscoveryResponse' };
const URL = {
  lds: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  rds: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cds: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
};

interface FakeAds {
  port: number;
  requests: Json[];
  close(): void;
}

/** An ADS server answering through `answer(request)`: a SotW response in JSON form, or undefined for silence. */
async function fakeAds(answer: (req: Json) => Json | undefined): Promise<FakeAds> {
  const requests: Json[] = [];
  const id = (b: Buffer) => b;
  const method = (name: string): grpc.MethodDefinition<Buffer, Buffer> => ({
    path: `/envoy.service.discovery.v3.AggregatedDiscoveryService/${name}`,
    requestStream: true, responseStream: true,
    requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id,
  });
  const handler = (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', (buf: Buffer) => {
      const req = decodeResource(SOTW.req, buf);
      requests.push(req);
      const resp = answer(req);
      if (resp) call.write(Buffer.from(encodeResource(SOTW.resp, resp)));
    });
    call.on('error', () => undefined);
    call.on('end', () => call.end());
  };
  const server = new grpc.Server();
  server.addService({ StreamAggregatedResources: method('StreamAggregatedResources') } as grpc.ServiceDefinition, {
    StreamAggregatedResources: handler,
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { port, requests, close: () => server.forceShutdown() };
}

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const listenerTo = (name: string, route: string): Json => ({
  '@type': URL.lds,
  name,
  address: { socket_address: { address: '0.0.0.0', port_value: 10000 } },
  filter_chains: [{ filters: [{ name: 'hcm', typed_config: { '@type': HCM, stat_prefix: name, rds: { route_config_name: route, config_source: { ads: {} } } } }] }],
});

// -------------------------------------------------------------------------------------------- the tests

describe('e2e: traefik-xds dump', function () {
  this.timeout(30_000);
  let running: Running;
  let server: string;

  before(async () => {
    running = await serve();
    server = `127.0.0.1:${running.port}`;
  });
  after(async () => {
    await running?.stop(500);
  });

  for (const delta of [false, true]) {
    const mode = delta ? 'delta' : 'state of the world';

    it(`${mode}: prints exactly what translate prints (listeners, routes, clusters, endpoints, secrets)`, async () => {
      const r = await dump({ server, delta });
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      const doc = JSON.parse(r.out);
      const want = translated();
      assert.deepEqual(Object.keys(doc), [...KINDS]);
      for (const k of KINDS) assert.deepEqual(doc[k], want[k], k);
      assert.ok(want.listeners.length && want.routes.length && want.clusters.length && want.endpoints.length && want.secrets.length, 'the example covers every type');
    });

    it(`${mode}: YAML with --show-secrets equals translate --show-secrets`, async () => {
      const r = await dump({ server, delta, output: 'yaml', showSecrets: true });
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(parse(r.out), translated(true));
      assert.doesNotMatch(r.out, /\[redacted\]/);
    });

    it(`${mode}: --type prints only the types asked for (subscribing what they depend on)`, async () => {
      const r = await dump({ server, delta, type: 'rds,eds,sds' });
      assert.equal(r.code, 0, r.err);
      const doc = JSON.parse(r.out);
      const want = translated();
      assert.deepEqual(doc, { routes: want.routes, endpoints: want.endpoints, secrets: want.secrets });
    });

    it(`${mode}: the client ACKs every response (the server's view of the stream)`, async () => {
      const c = new AdsClient({ server, delta, node: { id: `ack-${delta}`, cluster: 'gateway' } }).start();
      try {
        await c.waitForComplete(5000);
        const subs = c.subscriptions();
        await until(() => {
          const st = running.registry.list().find((x) => x.node.id === `ack-${delta}`);
          if (!st) return false;
          return (['lds', 'rds', 'cds', 'eds', 'sds'] as XdsType[]).every((t) => {
            const ts = st.types[KIND_OF_TYPE[t]];
            if (!ts || ts.ackedVersion === undefined || ts.ackedVersion !== ts.sentVersion) return false;
            return JSON.stringify(ts.subscribed) === JSON.stringify(subs[t]);
          });
        }, 3000, () => JSON.stringify(running.registry.list().find((x) => x.node.id === `ack-${delta}`)?.types));
        assert.equal(c.stats.nacks, 0);
        assert.equal(c.stats.acks, c.stats.responses);
        assert.deepEqual(subs.rds, ['web/http', 'websecure/http', 'websecure/https/default']);
        // The example's certificate, and Traefik's generated default certificate (the store names none).
        assert.deepEqual(subs.sds, ['default/whoami-tls', 'traefik-xds/default-certificate']);
        assert.equal(subs.lds, '*');
      } finally {
        c.close();
      }
    });
  }

  it('--user-agent of a gRPC library gets the grpc profile (api_listener listeners: routes found through them)', async () => {
    const r = await dump({ server, userAgent: 'gRPC Node Pure JS' });
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    const want = expectedFor(loadManifests([MANIFESTS]), 'grpc');
    for (const k of KINDS) assert.deepEqual(doc[k], want[k], k);
    assert.ok(doc.listeners.every((l: Json) => l.api_listener), 'gRPC listeners are api_listeners');
    assert.ok(doc.routes.length > 0);
  });

  it('--node-cluster selects the fleet (a fleet matching it gets only its entry points)', async () => {
    const cfg = config();
    cfg.fleets = [{ name: 'edge', match: { nodeCluster: 'edge*', metadata: {} }, entryPoints: ['web'], profile: 'envoy' }];
    const own = await serve(cfg);
    try {
      const edge = await dump({ server: `127.0.0.1:${own.port}`, nodeCluster: 'edge-eu', delta: true });
      assert.equal(edge.code, 0, edge.err);
      const doc = JSON.parse(edge.out);
      assert.deepEqual(doc.listeners.map((l: Json) => l.name), ['web']);
      assert.deepEqual(doc.routes.map((r: Json) => r.name), ['web/http']);
      assert.deepEqual(doc.secrets, []);
      const other = await dump({ server: `127.0.0.1:${own.port}`, nodeCluster: 'gateway' });
      assert.equal(other.code, 0, other.err);
      assert.deepEqual(JSON.parse(other.out).listeners.map((l: Json) => l.name), ['web', 'websecure']);
    } finally {
      await own.stop(500);
    }
  });

  it('--metadata and --user-agent go into the node of the first request', async () => {
    const fake = await fakeAds(() => undefined);
    try {
      const r = await dump({ server: `127.0.0.1:${fake.port}`, timeout: 0.3, metadata: ['role=edge', 'zone=eu-1'], userAgent: 'gRPC Go', nodeId: 'n1', nodeCluster: 'c1' });
      assert.equal(r.code, 1);
      assert.deepEqual(fake.requests[0].node, {
        id: 'n1', cluster: 'c1', metadata: { role: 'edge', zone: 'eu-1' }, user_agent_name: 'gRPC Go', user_agent_version: 'traefik-xds-dump',
      });
    } finally {
      fake.close();
    }
  });

  for (const delta of [false, true]) {
    it(`--watch ${delta ? 'delta' : 'state of the world'}: prints every update; replaying them gives what translate gives for the new sources`, async () => {
      const own = await serve();
      const ac = new AbortController();
      const out = new Sink();
      const err = new Sink();
      const done = runDump({ server: `127.0.0.1:${own.port}`, nodeId: 'w', nodeCluster: 'gateway', output: 'json', watch: true, delta, timeout: 5 }, out, err, { signal: ac.signal });
      try {
        const state = () => replay(out.docs());
        const initial = expectedFor(loadManifests([MANIFESTS]));
        await until(() => same(state(), initial), 5000, () => `the initial state; got ${out.text.slice(0, 500)} ${err.text}`);
        for (const d of out.docs()) assert.deepEqual(Object.keys(d), ['type', 'version', 'changed', 'removed', 'resources']);

        // New sources: a canary endpoint moves, a host is added, and the TLS objects go away.
        const files = ['routes.yaml', 'whoami.yaml'].map((f) => {
          let text = fs.readFileSync(path.join(MANIFESTS, f), 'utf8');
          if (f === 'whoami.yaml') text = text.replace('10.0.1.21', '10.0.1.99');
          if (f === 'routes.yaml') text = text.replace('Host(`whoami.example.com`) && PathPrefix(`/api`)', 'Host(`new.example.com`) && PathPrefix(`/api`)');
          return parseManifestText(text, path.join(MANIFESTS, f));
        });
        const changed: SourceSnapshot = { objects: files.flatMap((s) => s.objects), problems: files.flatMap((s) => s.problems) };
        const before = out.docs().length;
        own.controller.update(changed);
        const want = expectedFor(changed);
        await until(() => same(state(), want), 5000, () => `the new state; got ${JSON.stringify(out.docs().slice(before)).slice(0, 2000)}`);

        const updates = out.docs().slice(before);
        const eds = updates.find((u) => u.type === 'eds' && u.changed.includes('default/whoami-canary/80'));
        assert.ok(eds, 'an EDS update for the moved endpoint');
        assert.match(JSON.stringify(eds.resources), /10\.0\.1\.99/);
        assert.ok(updates.some((u) => u.type === 'rds' && u.changed.includes('web/http')), 'an RDS update for the new host');
        assert.ok(updates.some((u) => u.type === 'sds' && u.removed.includes('default/whoami-tls')), 'the secret no listener uses any more is removed');
        assert.ok(updates.some((u) => u.type === 'rds' && u.removed.includes('websecure/https/default')), 'the route configuration of the removed TLS chain is removed');
        assert.ok(!out.text.includes('PRIVATE KEY'), 'secrets are redacted in --watch too');
      } finally {
        ac.abort();
        const code = await done;
        await own.stop(500);
        assert.equal(code, 0, err.text);
      }
    });
  }

  it('--watch exits 1 when the server goes away', async () => {
    const own = await serve();
    const out = new Sink();
    const err = new Sink();
    const done = runDump({ server: `127.0.0.1:${own.port}`, nodeId: 'w', nodeCluster: 'gateway', output: 'yaml', watch: true, timeout: 5 }, out, err);
    await until(() => out.text.includes('type: sds'), 5000, () => out.text);
    assert.match(out.text, /^---\ntype: /);
    await own.stop(100);
    const code = await Promise.race([done, new Promise<string>((r) => setTimeout(() => r('still running'), 5000))]);
    assert.equal(code, 1);
    assert.match(err.text, /traefik-xds dump: (stream failed|the server ended the stream)/);
  });

  it('a wrong server address exits 1 within the timeout, printing nothing', async () => {
    const port = await closedPort();
    for (const delta of [false, true]) {
      const r = await dump({ server: `127.0.0.1:${port}`, timeout: 3, delta });
      assert.equal(r.code, 1);
      assert.equal(r.out, '');
      assert.match(r.err, /^traefik-xds dump: stream failed: UNAVAILABLE/);
      assert.ok(r.ms < 3500, `took ${r.ms} ms`);
    }
    const w = await dump({ server: `127.0.0.1:${port}`, timeout: 3, watch: true });
    assert.equal(w.code, 1);
    assert.ok(w.ms < 3500, `--watch took ${w.ms} ms`);
  });

  it('a server that never answers: exit 1 after --timeout, saying what is missing', async () => {
    const fake = await fakeAds(() => undefined);
    try {
      const r = await dump({ server: `127.0.0.1:${fake.port}`, timeout: 1 });
      assert.equal(r.code, 1);
      assert.equal(r.out, '');
      assert.match(r.err, /incomplete after 1 s: lds: no listeners received yet; cds: no clusters received yet/);
      assert.ok(r.ms >= 900 && r.ms < 2500, `took ${r.ms} ms`);
      // Like Envoy: CDS first, then LDS, legacy wildcard, node on the first message only.
      assert.deepEqual(fake.requests.map((q) => [q.type_url, q.resource_names ?? [], !!q.node]), [[URL.cds, [], true], [URL.lds, [], false]]);
      assert.deepEqual(fake.requests[0].node, { id: 'debug', cluster: 'gateway', user_agent_name: 'envoy', user_agent_version: 'traefik-xds-dump' });
      const w = await dump({ server: `127.0.0.1:${fake.port}`, timeout: 1, watch: true });
      assert.equal(w.code, 1);
      assert.match(w.err, /no response within 1 s/);
    } finally {
      fake.close();
    }
  });

  it('a route configuration the server does not have: prints what it received, exit 1 naming it', async () => {
    const fake = await fakeAds((q) => {
      if (q.response_nonce) return undefined; // an ACK
      if (q.type_url === URL.cds) return { version_info: 'c1', type_url: URL.cds, nonce: 'c1' };
      if (q.type_url === URL.lds) return { version_info: 'l1', resources: [listenerTo('l', 'nowhere')], type_url: URL.lds, nonce: 'l1' };
      if (q.type_url === URL.rds) return { version_info: 'r1', type_url: URL.rds, nonce: 'r1' };
      return undefined;
    });
    try {
      const r = await dump({ server: `127.0.0.1:${fake.port}`, timeout: 1, type: 'lds,rds,cds' });
      assert.equal(r.code, 1);
      const doc = JSON.parse(r.out);
      assert.deepEqual(doc.listeners.map((l: Json) => l.name), ['l']);
      assert.deepEqual(doc.routes, []);
      assert.deepEqual(doc.clusters, []);
      assert.match(r.err, /incomplete after 1 s: rds: waiting for nowhere \(printed what was received\)/);
      // Every response was ACKed with its version and nonce; RDS asked for the name the listener uses.
      const acks = fake.requests.filter((q) => q.response_nonce).map((q) => [q.type_url, q.version_info, q.response_nonce]);
      assert.deepEqual(acks.sort(), [[URL.cds, 'c1', 'c1'], [URL.lds, 'l1', 'l1'], [URL.rds, 'r1', 'r1']].sort());
      assert.deepEqual(fake.requests.find((q) => q.type_url === URL.rds)?.resource_names, ['nowhere']);
    } finally {
      fake.close();
    }
  });

  it('a response it cannot decode is NACKed and reported', async () => {
    const fake = await fakeAds((q) => {
      if (q.response_nonce || q.type_url !== URL.cds) return undefined;
      return { version_info: 'c1', resources: [listenerTo('not-a-cluster', 'x')], type_url: URL.cds, nonce: 'n1' };
    });
    try {
      const r = await dump({ server: `127.0.0.1:${fake.port}`, timeout: 1, type: 'cds' });
      assert.equal(r.code, 1);
      assert.match(r.err, /rejected \(NACKed\) a cds response, version c1: a resource of type .*Listener in a .*Cluster response/);
      assert.match(r.err, /cds: no clusters received yet \(last response rejected: /);
      const nack = fake.requests.find((q) => q.response_nonce === 'n1');
      assert.ok(nack?.error_detail?.message, 'a NACK with error_detail');
      assert.equal(nack.version_info ?? '', '', 'a NACK keeps the last accepted version (none)');
    } finally {
      fake.close();
    }
  });

  it('the command, spawned: `node bin/traefik-xds.js dump ...` prints what translate prints and exits 0', async () => {
    const child = spawn(process.execPath, ['bin/traefik-xds.js', 'dump', '--server', server, '--node-id', 'spawned', '--node-cluster', 'gateway', '-o', 'json', '--delta', '--timeout', '10'], { cwd: REPO });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    clearTimeout(kill);
    assert.equal(code, 0, err);
    const doc = JSON.parse(out);
    const want = translated();
    for (const k of KINDS) assert.deepEqual(doc[k], want[k], k);
  });
});

/** Folds --watch documents into the state they describe. */
function replay(docs: Json[]): Json {
  const maps = new Map<string, Map<string, Json>>();
  for (const d of docs) {
    const kind = KIND_OF_TYPE[d.type as XdsType];
    let m = maps.get(kind);
    if (!m) maps.set(kind, (m = new Map()));
    for (const n of d.removed) m.delete(n);
    d.changed.forEach((n: string, i: number) => m!.set(n, d.resources[i]));
  }
  const out: Json = {};
  for (const k of KINDS) out[k] = [...(maps.get(k)?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return out;
}

function same(a: Json, b: Json): boolean {
  return KINDS.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}
