// The serve loop on the Kubernetes source against the test API server: `startServe` with a KubernetesSource
// whose endpoint is the fake server (real client-node informers over HTTP on 127.0.0.1), a recording of what the
// controller was given, captured logs, and an ADS client that follows like Envoy (CDS and LDS wildcard, EDS
// for the clusters, RDS for the listeners' route configurations, every response acknowledged).
import { strict as assert } from 'node:assert';
import * as grpc from '@grpc/grpc-js';
import { startServe, type Running } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { KubernetesSource, type KubernetesSourceOptions } from '../../src/sources/kubernetes';
import { encodeResource, decodeResource } from '../../src/envoy/json';
import type { Source } from '../../src/sources/source';
import type { SourceSnapshot, RawObject } from '../../src/sources/types';
import type { Logger } from '../../src/xds/stream-context';
import type { FakeApiServer, Obj } from './fake-apiserver';
import YAML from 'yaml';
import { TYPE, collect, mergeResources } from '../helpers/ads-client';

export { TYPE };
type TypeUrl = (typeof TYPE)[keyof typeof TYPE];

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export function captureLog(lines: LogLine[], echo = !!process.env.K8S_TEST_LOG): Logger {
  const w = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, fields });
    if (echo) process.stderr.write(`${level} ${msg} ${fields ? JSON.stringify(fields) : ''}\n`);
  };
  return { debug: w('debug'), info: w('info'), warn: w('warn'), error: w('error') };
}

/** Polls `f` until it returns a truthy value, failing after `timeoutMs` with `what`. */
export async function until<T>(f: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(15);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** YAML documents → objects for the fake API server. */
export function objs(text: string): Obj[] {
  return YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean) as Obj[];
}

/** Records every snapshot the serve loop takes from the source (what the controller was given). */
class RecordingSource implements Source {
  readonly taken: SourceSnapshot[] = [];
  constructor(readonly inner: KubernetesSource) {}
  start(onChange: () => void) {
    return this.inner.start(onChange);
  }
  snapshot() {
    const s = this.inner.snapshot();
    this.taken.push(s);
    return s;
  }
  synced() {
    return this.inner.synced();
  }
  close() {
    return this.inner.close();
  }
}

export const ENTRY_POINTS = `
entryPoints:
  web: {address: ":8080"}
  websecure: {address: ":8443"}
`;

export interface StartOptions {
  /** providers.kubernetesCRD keys besides endpoint and token; null: no kubernetesCRD provider. */
  crd?: Record<string, unknown> | null;
  /** providers.kubernetesIngress keys besides endpoint and token; unset: no Ingress provider. */
  ingress?: Record<string, unknown>;
  entryPoints?: string;
  source?: Partial<KubernetesSourceOptions>;
  /** Resolve once startServe resolves (default) or hand back the promise (startup tests). */
  debounce?: { quietMs: number; maxMs: number };
}

export class K8sServed {
  readonly logs: LogLine[] = [];
  private readonly clients: AdsFollower[] = [];

  private constructor(readonly api: FakeApiServer, readonly run: Running, readonly source: KubernetesSource, readonly recorder: RecordingSource, logs: LogLine[]) {
    this.logs = logs;
  }

  static configText(api: FakeApiServer, o: StartOptions = {}): string {
    const conn = { endpoint: api.url, token: 'test-token' };
    const crd = o.crd === null ? '' : `  kubernetesCRD: ${JSON.stringify({ ...conn, ...(o.crd ?? {}) })}\n`;
    const ingress = o.ingress ? `  kubernetesIngress: ${JSON.stringify({ ...conn, ...o.ingress })}\n` : '';
    return `${o.entryPoints ?? ENTRY_POINTS}\nproviders:\n${crd}${ingress}`;
  }

  static makeSource(api: FakeApiServer, o: StartOptions, logs: LogLine[]) {
    const { config, diagnostics } = loadStaticConfig({ text: K8sServed.configText(api, o) });
    assert.deepEqual(diagnostics.items.filter((d) => d.severity === 'error'), [], 'the static configuration is valid');
    const source = new KubernetesSource({
      provider: config.providers.kubernetesCRD, ingress: config.providers.kubernetesIngress, log: captureLog(logs), env: {},
      backoff: { initialMs: 30, maxMs: 300 }, discoveryPollMs: 100, requestTimeoutMs: 2000, ...o.source,
    });
    return { config, source };
  }

  static async start(api: FakeApiServer, o: StartOptions = {}): Promise<K8sServed> {
    const logs: LogLine[] = [];
    const { config, source } = K8sServed.makeSource(api, o, logs);
    const recorder = new RecordingSource(source);
    const run = await startServe({
      config, source: recorder, log: captureLog(logs), address: '127.0.0.1:0', debounce: o.debounce ?? { quietMs: 20, maxMs: 200 },
    });
    return new K8sServed(api, run, source, recorder, logs);
  }

  get address(): string {
    return `127.0.0.1:${this.run.port}`;
  }

  /** The last object set the controller was given. */
  lastInput(): RawObject[] {
    const t = this.recorder.taken;
    return t.length ? t[t.length - 1].objects : [];
  }

  /** Waits until the controller was given an object set satisfying `pred`. */
  async input(pred: (objects: RawObject[]) => boolean, what: string, timeoutMs = 5000): Promise<RawObject[]> {
    return until(() => (pred(this.lastInput()) ? this.lastInput() : undefined), what, timeoutMs);
  }

  async envoy(id = 'envoy-1'): Promise<AdsFollower> {
    const c = new AdsFollower(this.address, id);
    this.clients.push(c);
    await c.ready();
    return c;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    await this.run.stop(200);
  }
}

export function findRaw(objects: RawObject[], kind: string, name: string, apiVersion?: string): RawObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name && (!apiVersion || o.apiVersion === apiVersion));
}

// ---------------------------------------------------------------------------------------------------------
// An ADS (state of the world) client that follows like Envoy

const REQ = 'envoy.service.discovery.v3.DiscoveryRequest';
const RESP = 'envoy.service.discovery.v3.DiscoveryResponse';

export interface Push {
  type: TypeUrl;
  version: string;
  /** The resources the response carried. */
  names: string[];
  seq: number;
}

export class AdsFollower {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  readonly resources = new Map<string, Map<string, any>>();
  readonly pushes: Push[] = [];
  private readonly subscribed = new Map<string, string[]>();
  private readonly last = new Map<string, { version: string; nonce: string }>();
  private seq = 0;
  error?: Error;

  constructor(address: string, readonly id: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure());
    this.call = this.client.makeBidiStreamRequest('/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources', (b: Buffer) => b, (b: Buffer) => b);
    this.call.on('data', (buf: Buffer) => this.onResponse(decodeResource(RESP, buf) as any));
    this.call.on('error', (e: Error) => {
      this.error = e;
    });
    this.send({ node: { id, cluster: 'gateway', user_agent_name: 'envoy' }, type_url: TYPE.cds });
    this.send({ type_url: TYPE.lds });
  }

  private send(req: Record<string, unknown>): void {
    this.call.write(Buffer.from(encodeResource(REQ, req)));
  }

  private onResponse(r: any): void {
    const type = r.type_url as TypeUrl;
    // Listeners and clusters come as the whole state; other types may come as the changed resources only
    // (xDS "Grouping Resources into Responses"): the client keeps the others it subscribes to.
    const m = mergeResources(this.resources.get(type) ?? new Map(), r);
    this.resources.set(type, m);
    this.pushes.push({ type, version: r.version_info, names: (r.resources ?? []).map((res: any) => res.name ?? res.cluster_name).sort(), seq: ++this.seq });
    this.last.set(type, { version: r.version_info, nonce: r.nonce });
    this.send({ type_url: type, version_info: r.version_info, response_nonce: r.nonce, resource_names: this.subscribed.get(type) ?? [] });
    if (type === TYPE.cds) {
      const eds = [...m.values()].filter((c) => c.eds_cluster_config).map((c) => c.eds_cluster_config.service_name ?? c.name).sort();
      this.subscribe(TYPE.eds, eds);
    }
    if (type === TYPE.lds) {
      const names = [...new Set(collect([...m.values()], 'route_config_name') as string[])].sort();
      this.subscribe(TYPE.rds, names);
    }
  }

  private subscribe(type: TypeUrl, names: string[]): void {
    const prev = this.subscribed.get(type);
    if (prev && JSON.stringify(prev) === JSON.stringify(names)) return;
    this.subscribed.set(type, names);
    // Resources no longer subscribed to are forgotten (Envoy drops them with their cluster or listener).
    const held = this.resources.get(type);
    if (held) for (const n of [...held.keys()]) if (!names.includes(n)) held.delete(n);
    const l = this.last.get(type);
    this.send({ type_url: type, resource_names: names, ...(l ? { version_info: l.version, response_nonce: l.nonce } : {}) });
  }

  /** Waits for the first CDS and LDS responses (and EDS/RDS when subscribed to). */
  async ready(timeoutMs = 5000): Promise<void> {
    await until(() => {
      if (!this.resources.has(TYPE.cds) || !this.resources.has(TYPE.lds)) return false;
      for (const t of [TYPE.eds, TYPE.rds]) if ((this.subscribed.get(t) ?? []).length && !this.resources.has(t)) return false;
      return true;
    }, 'the first xDS responses', timeoutMs);
  }

  of(type: TypeUrl): any[] {
    return [...(this.resources.get(type)?.values() ?? [])];
  }

  /** Everything the client holds, as one JSON text (for "does the config mention X" checks). */
  text(): string {
    return JSON.stringify([...this.resources.entries()].map(([t, m]) => [t, [...m.values()]]));
  }

  /** "<route config> <domain> <prefix or path>" for every route. */
  routeTable(): string[] {
    const out: string[] = [];
    for (const rc of this.of(TYPE.rds)) {
      for (const vh of rc.virtual_hosts ?? []) {
        for (const r of vh.routes ?? []) out.push(`${rc.name} ${vh.domains[0]} ${r.match.prefix ?? r.match.path ?? JSON.stringify(r.match.safe_regex ?? r.match)}`);
      }
    }
    return out.sort();
  }

  /** Endpoint addresses per cluster, `ip:port`, sorted. */
  endpoints(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const cla of this.of(TYPE.eds)) {
      out[cla.cluster_name] = (cla.endpoints ?? []).flatMap((l: any) => (l.lb_endpoints ?? []).map((e: any) => {
        const a = e.endpoint.address.socket_address;
        return `${a.address}:${a.port_value}`;
      })).sort();
    }
    return out;
  }

  mark(): number {
    return this.seq;
  }

  pushesSince(mark: number): Push[] {
    return this.pushes.filter((p) => p.seq > mark);
  }

  async until<T>(f: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
    return until(() => {
      if (this.error) throw new Error(`xDS stream failed: ${this.error.message}`);
      return f();
    }, what, timeoutMs);
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

