// The floor: a bare grpc-js server speaking just enough ADS to stream the same pre-encoded responses that
// traefik-xds serves (exported from its snapshot before and after a change) to the same clients. No model,
// no translation, no per-stream state machine: each response is encoded once and written to every stream.
// Our fan-out time is reported as a ratio to its time.
//   argv: snapshot files S0 S1 ... (exports of traefik-xds's snapshot: the initial state, then after each change)
//   IPC: {cmd: 'push', to: i} → writes what changed from the current state to S_i to every stream;
//        {cmd: 'rss', gc}; {cmd: 'stop'}
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import { encodeDeltaResource, encodeDeltaResponse, encodeSotwResponse } from '../src/xds/wire';
import { ADS_DELTA, ADS_SOTW, KINDS, KIND_BY_URL, type Kind } from './proto-lite';
import { PeakRss } from './memory';

interface Exported {
  typeUrl: string;
  version: string;
  resources: { name: string; version: string; any: string }[];
}
type Snap = Record<Kind, Exported>;

const snaps: Snap[] = process.argv.slice(2).map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as Snap);
const anyOf = (r: { any: string }) => Buffer.from(r.any, 'base64');

/**
 * A SotW response: listeners and clusters complete; other types, after the initial state, only the resources
 * that changed since `since` (what traefik-xds sends, xDS protocol "Grouping Resources into Responses").
 */
function sotwFor(s: Snap, k: Kind, nonce: string, since?: Snap): Buffer {
  const fullState = k === 'listeners' || k === 'clusters';
  const old = new Map((since && !fullState ? since[k].resources : []).map((r) => [r.name, r.version]));
  const sent = s[k].resources.filter((r) => old.get(r.name) !== r.version);
  return encodeSotwResponse(s[k].version, sent.map(anyOf), s[k].typeUrl, nonce);
}

function deltaFor(s: Snap, k: Kind, nonce: string, since?: Snap): Buffer {
  const old = new Map((since?.[k].resources ?? []).map((r) => [r.name, r.version]));
  const now = new Set(s[k].resources.map((r) => r.name));
  const changed = s[k].resources.filter((r) => old.get(r.name) !== r.version);
  const removed = [...old.keys()].filter((n) => !now.has(n));
  return encodeDeltaResponse(s[k].version, changed.map((r) => encodeDeltaResource(r.name, r.version, anyOf(r))), s[k].typeUrl, removed, nonce);
}

// The initial state, encoded once and shared by every stream.
const initial = { sotw: {} as Record<Kind, Buffer>, delta: {} as Record<Kind, Buffer> };
for (const k of KINDS) {
  initial.sotw[k] = sotwFor(snaps[0], k, 'floor-0');
  initial.delta[k] = deltaFor(snaps[0], k, 'floor-0');
}
let current = 0;
let pushes = 0;

/** The responses from the current state to S_to: each encoded once, whatever the number of streams. */
function pushOf(to: number): { sotw: Partial<Record<Kind, Buffer>>; delta: Partial<Record<Kind, Buffer>>; versions: Record<string, string> } {
  const from = snaps[current];
  const next = snaps[to];
  const nonce = `floor-${++pushes}`;
  const out = { sotw: {} as Partial<Record<Kind, Buffer>>, delta: {} as Partial<Record<Kind, Buffer>>, versions: {} as Record<string, string> };
  for (const k of KINDS) {
    if (from[k].version === next[k].version) continue;
    out.sotw[k] = sotwFor(next, k, nonce, from);
    out.delta[k] = deltaFor(next, k, nonce, from);
    out.versions[next[k].typeUrl] = next[k].version;
  }
  current = to;
  return out;
}

/** type_url and response_nonce of a DiscoveryRequest (4, 5) or DeltaDiscoveryRequest (2, 6). */
function requestHead(buf: Buffer, delta: boolean): { typeUrl: string; nonce: string } {
  const r = protobuf.Reader.create(buf);
  const out = { typeUrl: '', nonce: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === (delta ? 2 : 4)) out.typeUrl = r.string();
    else if (f === (delta ? 6 : 5)) out.nonce = r.string();
    else r.skipType(tag & 7);
  }
  return out;
}

const streams = { sotw: new Set<grpc.ServerDuplexStream<Buffer, Buffer>>(), delta: new Set<grpc.ServerDuplexStream<Buffer, Buffer>>() };

function handler(delta: boolean) {
  const mode = delta ? 'delta' : 'sotw';
  return (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    streams[mode].add(call);
    const forget = () => streams[mode].delete(call);
    call.on('data', (buf: Buffer) => {
      const h = requestHead(buf, delta);
      const k = KIND_BY_URL[h.typeUrl];
      if (k && !h.nonce) call.write(initial[mode][k]); // first request of the type; ACKs need no answer
    });
    call.on('end', () => {
      forget();
      call.end();
    });
    call.on('error', forget);
    call.on('cancelled', forget);
  };
}

const identity = (b: Buffer) => b;
const method = (p: string) => ({ path: p, requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity });
const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024, 'grpc.max_send_message_length': 1024 * 1024 * 1024, 'grpc.max_concurrent_streams': 100 });
server.addService(
  { StreamAggregatedResources: method(ADS_SOTW), DeltaAggregatedResources: method(ADS_DELTA) } as unknown as grpc.ServiceDefinition,
  { StreamAggregatedResources: handler(false), DeltaAggregatedResources: handler(true) } as unknown as grpc.UntypedServiceImplementation,
);

const peak = new PeakRss();
const send = (m: object) => process.send!(m);

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    send({ error: String(err) });
    process.exit(1);
  }
  send({ ready: true, port });
});

process.on('message', (m: { cmd: string; id: number; gc?: boolean; to?: number }) => {
  if (m.cmd === 'push') {
    const pushNs = process.hrtime.bigint();
    const p = pushOf(m.to!);
    for (const mode of ['sotw', 'delta'] as const) {
      for (const call of streams[mode]) for (const k of KINDS) if (p[mode][k]) call.write(p[mode][k]!);
    }
    send({ id: m.id, pushNs: String(pushNs), pushEndNs: String(process.hrtime.bigint()), versions: p.versions });
  } else if (m.cmd === 'rss') {
    if (m.gc) (global as any).gc?.();
    send({ id: m.id, rss: process.memoryUsage.rss(), peakRss: peak.take(), streams: streams.sotw.size + streams.delta.size });
  } else if (m.cmd === 'stop') {
    server.forceShutdown();
    send({ id: m.id, stopped: true });
    setTimeout(() => process.exit(0), 50);
  }
});
process.on('disconnect', () => process.exit(0));
