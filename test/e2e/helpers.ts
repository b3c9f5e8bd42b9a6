// Shared helpers of the end-to-end tests with real gRPC xDS clients (@grpc/grpc-js-xds): tiny gRPC backends
// that answer with their own name, xDS clients pointed at our server through a per-channel bootstrap,
// Kubernetes manifests for Services and EndpointSlices, and bounded waits. Everything listens on 127.0.0.1.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { ClientRegistry, NackEvent } from '../../src/xds/clients';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpcXds = require('@grpc/grpc-js-xds') as { register(): void };
let registered = false;

/** Registers the `xds:` resolver and the xDS load-balancing policies once per process. */
export function registerXds(): void {
  if (registered) return;
  grpcXds.register();
  registered = true;
}

// ---------------------------------------------------------------------------------------- backends

/** What every backend answers: its name and the method path it received. */
export interface Reply {
  backend: string;
  method: string;
}

const json = {
  serialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString('utf8')),
};

/** Method paths the backends serve: two methods of `e2e.Echo`, one of `e2e.Other`. */
export const METHODS = ['/e2e.Echo/Who', '/e2e.Echo/Secret', '/e2e.Other/Who'] as const;
export type Method = (typeof METHODS)[number];

function serviceDefinition(): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of METHODS) {
    def[m] = {
      path: m,
      requestStream: false,
      responseStream: false,
      requestSerialize: json.serialize,
      requestDeserialize: json.deserialize,
      responseSerialize: json.serialize,
      responseDeserialize: json.deserialize,
    };
  }
  return def as grpc.ServiceDefinition;
}

export interface Backend {
  name: string;
  port: number;
  server: grpc.Server;
  close(): Promise<void>;
}

/** A gRPC server on 127.0.0.1 (any port) answering every method with `{backend: name, method}`. */
export async function startBackend(name: string): Promise<Backend> {
  const server = new grpc.Server();
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const m of METHODS) {
    handlers[m] = (call: grpc.ServerUnaryCall<unknown, Reply>, cb: grpc.sendUnaryData<Reply>) => cb(null, { backend: name, method: call.getPath() });
  }
  server.addService(serviceDefinition(), handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return {
    name,
    port,
    server,
    close: () => new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      // Calls still open after a moment (none expected) do not hold the test up.
      setTimeout(() => server.forceShutdown(), 1000).unref();
    }),
  };
}

// ---------------------------------------------------------------------------------------- xDS clients

export interface NodeIdentity {
  id: string;
  cluster: string;
}

/** The bootstrap of one channel: our server, insecure, this node (grpc-js-xds requires `locality`). */
export function bootstrapJson(xdsPort: number, node: NodeIdentity): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: [] }],
    node: { id: node.id, cluster: node.cluster, locality: {} },
  });
}

/** A channel to `xds:///<host>` using the given bootstrap, with unary JSON calls. */
export class XdsTestClient {
  readonly client: grpc.Client;

  constructor(readonly host: string, bootstrap: string) {
    registerXds();
    this.client = new grpc.Client(`xds:///${host}`, grpc.credentials.createInsecure(), {
      'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': bootstrap,
    });
  }

  /** One unary call; rejects with the gRPC error. `deadlineMs` bounds it. */
  call(method: Method, metadata: Record<string, string> = {}, deadlineMs = 5000): Promise<Reply> {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(metadata)) md.set(k, v);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<unknown, Reply>(method, json.serialize, json.deserialize, {}, md,
        { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res!)));
    });
  }

  /** `n` calls in sequence; the count of answers per backend. */
  async tally(method: Method, n: number, metadata: Record<string, string> = {}): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const r = await this.call(method, metadata);
      out[r.backend] = (out[r.backend] ?? 0) + 1;
    }
    return out;
  }

  close(): void {
    this.client.close();
  }
}

// ---------------------------------------------------------------------------------------- waits

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `probe` until it returns a value that is not undefined, at most `timeoutMs`; throws with the last
 * observation (or error) otherwise. A probe that throws counts as "not yet".
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs?: number; intervalMs?: number; abort?: () => void } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    // Fail fast: `abort` throws (e.g. on a NACK) and ends the wait at once.
    opts.abort?.();
    try {
      const v = await probe();
      if (v !== undefined) return v;
      last = 'no result';
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(opts.intervalMs ?? 100);
  }
}

/** Waits until `n` consecutive calls all reach `backend`; returns the tally of the successful probe. */
export function waitForBackend(
  c: XdsTestClient,
  method: Method,
  backend: string,
  opts: { n?: number; metadata?: Record<string, string>; timeoutMs?: number; abort?: () => void } = {},
): Promise<Record<string, number>> {
  const n = opts.n ?? 20;
  return waitFor(`${n} calls ${method} on ${c.host} all answered by ${backend}`, async () => {
    const t = await c.tally(method, n, opts.metadata);
    if (t[backend] === n) return t;
    throw new Error(`tally ${JSON.stringify(t)}`);
  }, { timeoutMs: opts.timeoutMs, abort: opts.abort });
}

// ---------------------------------------------------------------------------------------- NACKs

/** Collects every NACK the server records; `assertNone` checks both the events and each client's per-type status. */
export class NackWatch {
  readonly events: NackEvent[] = [];

  constructor(private readonly registry: ClientRegistry) {
    registry.onNack((e) => this.events.push(e));
  }

  problems(): string[] {
    const out = this.events.map((e) => `NACK from ${e.client.node.id} on ${e.kind} version ${e.version}: ${e.message}`);
    for (const c of this.registry.list()) {
      for (const [kind, st] of Object.entries(c.types)) {
        if (st?.nack) out.push(`client ${c.node.id} (stream ${c.streamId}) has a NACK on ${kind}: ${st.nack.message}`);
      }
    }
    return out;
  }

  assertNone(): void {
    const p = this.problems();
    if (p.length) throw new Error(`the gRPC client NACKed:\n  ${p.join('\n  ')}`);
  }
}

// ---------------------------------------------------------------------------------------- manifests

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A Service with one port named `grpc`, and an EndpointSlice sending it to 127.0.0.1:<port> of each backend. */
export function serviceManifest(name: string, backends: Backend[], namespace = 'default'): string {
  return `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  ports:
    - name: grpc
      port: 50051
${backends.map((b, i) => `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-${i}
  namespace: ${namespace}
  labels:
    kubernetes.io/service-name: ${name}
addressType: IPv4
ports:
  - name: grpc
    port: ${b.port}
endpoints:
  - addresses: ["127.0.0.1"]
    conditions: {ready: true}
`).join('')}`;
}

export interface RouteSpec {
  match: string;
  priority?: number;
  services: { name: string; weight?: number }[];
}

/** An IngressRoute on entry point `web` with the given routes (services on port 50051). */
export function ingressRouteManifest(name: string, routes: RouteSpec[], namespace = 'default'): string {
  const rs = routes.map((r) => `    - match: ${JSON.stringify(r.match)}
      kind: Rule
${r.priority !== undefined ? `      priority: ${r.priority}\n` : ''}      services:
${r.services.map((s) => `        - name: ${s.name}
          port: 50051
${s.weight !== undefined ? `          weight: ${s.weight}\n` : ''}`).join('')}`).join('');
  return `---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  entryPoints: [web]
  routes:
${rs}`;
}

/**
 * Rewrites a manifest in place (what `kubectl`-style tools and most scripts do). The watcher re-reads a file
 * after a short quiet time, so it does not see it half written.
 */
export function writeManifest(file: string, text: string): void {
  fs.writeFileSync(file, text);
}

/** Replaces a file's content in one step (write aside, then rename), as editors and ConfigMap updates do. */
export function writeAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
