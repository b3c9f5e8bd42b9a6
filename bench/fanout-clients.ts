// A worker process holding many raw ADS clients (each with its own HTTP/2 connection, as separate Envoys
// have), driven by the benchmark runner over IPC. Every client subscribes to everything (CDS and LDS
// wildcard, EDS, RDS and SDS with "*"), acknowledges each response at once, and records when it sent each
// ACK (process.hrtime: CLOCK_MONOTONIC, comparable between processes of one machine).
//
// IPC requests (each answered with the same `id`):
//   {cmd: 'connect', address, count, delta, prefix, batch, timeoutMs}  → {connected, failed, initialMs, maxResponseBytes}
//   {cmd: 'expect', versions: {typeUrl: version}, sinceNs, timeoutMs} → {ok, acked, missing, firstAckNs, lastAckNs}
//   {cmd: 'close'}                                                     → {closed}
import * as grpc from '@grpc/grpc-js';
import { ADS_DELTA, ADS_SOTW, KINDS, TYPE_URLS, deltaRequest, readResponseHead, sotwRequest } from './proto-lite';

const identity = (b: Buffer) => b;
const MAX_MESSAGE = 1024 * 1024 * 1024;

class BenchClient {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  /** typeUrl → version → when its ACK was sent. */
  readonly acks = new Map<string, Map<string, bigint>>();
  maxResponseBytes = 0;
  responses = 0;
  error?: Error;
  onAck?: () => void;

  constructor(address: string, readonly delta: boolean, id: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
      // One connection per client, as separate Envoys have (grpc-js otherwise shares subchannels).
      'grpc.use_local_subchannel_pool': 1,
    });
    this.call = this.client.makeBidiStreamRequest(delta ? ADS_DELTA : ADS_SOTW, identity, identity);
    this.call.on('data', (buf: Buffer) => this.onResponse(buf));
    this.call.on('error', (e: Error) => {
      this.error = e;
      this.onAck?.();
    });
    this.call.on('end', () => undefined);
    const n = { id, cluster: 'bench' };
    KINDS.forEach((kind, i) => {
      const typeUrl = TYPE_URLS[kind];
      const wildcardByEmpty = kind === 'listeners' || kind === 'clusters';
      this.call.write(delta
        ? deltaRequest({ node: i === 0 ? n : undefined, typeUrl, subscribe: ['*'] })
        : sotwRequest({ node: i === 0 ? n : undefined, typeUrl, names: wildcardByEmpty ? [] : ['*'] }));
    });
  }

  private onResponse(buf: Buffer): void {
    this.responses++;
    if (buf.length > this.maxResponseBytes) this.maxResponseBytes = buf.length;
    const head = readResponseHead(buf, this.delta);
    const typeUrl = head.typeUrl;
    const wildcardByEmpty = typeUrl === TYPE_URLS.listeners || typeUrl === TYPE_URLS.clusters;
    this.call.write(this.delta
      ? deltaRequest({ typeUrl, nonce: head.nonce })
      : sotwRequest({ typeUrl, version: head.version, nonce: head.nonce, names: wildcardByEmpty ? [] : ['*'] }));
    const at = process.hrtime.bigint();
    let m = this.acks.get(typeUrl);
    if (!m) this.acks.set(typeUrl, (m = new Map()));
    m.set(head.version, at);
    if (m.size > 8) m.delete(m.keys().next().value!);
    this.onAck?.();
  }

  /** Every type answered at least once. */
  initialised(): boolean {
    return this.acks.size === KINDS.length;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

let clients: BenchClient[] = [];

function send(msg: object): void {
  process.send!(msg);
}

async function connect(m: { id: number; address: string; count: number; delta: boolean; prefix: string; batch: number; timeoutMs: number }): Promise<void> {
  const start = process.hrtime.bigint();
  const deadline = Date.now() + m.timeoutMs;
  let failed = 0;
  for (let i = 0; i < m.count; i += m.batch) {
    const batch: BenchClient[] = [];
    for (let k = i; k < Math.min(m.count, i + m.batch); k++) batch.push(new BenchClient(m.address, m.delta, `${m.prefix}-${k}`));
    clients.push(...batch);
    await new Promise<void>((resolve) => {
      const check = () => {
        if (batch.every((c) => c.initialised() || c.error) || Date.now() > deadline) {
          clearInterval(t);
          resolve();
        }
      };
      const t = setInterval(check, 5);
    });
    failed += batch.filter((c) => !c.initialised()).length;
  }
  send({
    id: m.id,
    connected: clients.filter((c) => c.initialised()).length,
    failed,
    errors: [...new Set(clients.filter((c) => c.error).map((c) => c.error!.message))].slice(0, 3),
    initialMs: Number(process.hrtime.bigint() - start) / 1e6,
    maxResponseBytes: Math.max(0, ...clients.map((c) => c.maxResponseBytes)),
  });
}

function expect(m: { id: number; versions: Record<string, string>; sinceNs: string; timeoutMs: number }): void {
  const wanted = Object.entries(m.versions);
  const since = BigInt(m.sinceNs);
  const ackOf = (c: BenchClient): bigint | undefined => {
    let last = 0n;
    for (const [typeUrl, version] of wanted) {
      const t = c.acks.get(typeUrl)?.get(version);
      if (t === undefined || t < since) return undefined; // an older ACK of the same version does not count
      if (t > last) last = t;
    }
    return last;
  };
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    for (const c of clients) c.onAck = undefined;
    const times = clients.map(ackOf).filter((t): t is bigint => t !== undefined);
    const sorted = times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    send({
      id: m.id,
      ok: sorted.length === clients.length,
      acked: sorted.length,
      missing: clients.length - sorted.length,
      firstAckNs: sorted.length ? String(sorted[0]) : undefined,
      lastAckNs: sorted.length ? String(sorted[sorted.length - 1]) : undefined,
      errors: clients.filter((c) => c.error).length,
    });
  };
  const pending = new Set(clients.filter((c) => ackOf(c) === undefined && !c.error));
  const timer = setTimeout(finish, m.timeoutMs);
  if (pending.size === 0) return finish();
  for (const c of pending) {
    c.onAck = () => {
      if (ackOf(c) !== undefined || c.error) {
        pending.delete(c);
        c.onAck = undefined;
        if (pending.size === 0) finish();
      }
    };
  }
}

process.on('message', (m: { cmd: string; id: number } & Record<string, any>) => {
  if (m.cmd === 'connect') void connect(m as any);
  else if (m.cmd === 'expect') expect(m as any);
  else if (m.cmd === 'close') {
    for (const c of clients) c.close();
    clients = [];
    setTimeout(() => send({ id: m.id, closed: true }), 200);
  } else if (m.cmd === 'exit') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
send({ ready: true });
