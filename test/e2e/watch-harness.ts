// `startServe` on a temporary folder of manifests (127.0.0.1:0, short debounce), with helpers to edit the
// files, wait for the controller's next build, and connect a raw SotW ADS client the way Envoy does
// (CDS and LDS wildcard, then RDS for the route configurations the listeners name), acknowledging each.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strict as assert } from 'node:assert';
import { startServe, type Running } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { silentLogger } from '../../src/xds/stream-context';
import type { BuildReport } from '../../src/serve/controller';
import { RawXdsClient, TYPE, collect, mergeResources, node, type Decoded } from '../helpers/ads-client';

/** One Service `whoami` with one ready endpoint. */
export { BACKENDS } from '../unit/ops/helpers';

export function ingressRoute(name: string, entryPoint: string, match: string): string {
  return `
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: ${name}, namespace: default}
spec:
  entryPoints: [${entryPoint}]
  routes:
    - match: ${JSON.stringify(match)}
      kind: Rule
      services: [{name: whoami, port: 80}]
`;
}

export const ENTRY_POINTS = `
entryPoints:
  web:
    address: ":8080"
  internal:
    address: ":9090"
`;

export class Served {
  private readonly builds: BuildReport[] = [];
  private waiters: ((r: BuildReport) => void)[] = [];
  private readonly clients: RawXdsClient[] = [];

  private constructor(readonly dir: string, readonly run: Running) {
    run.controller.onBuild((r) => {
      const w = this.waiters.shift();
      if (w) w(r);
      else this.builds.push(r);
    });
  }

  /** Writes the files into a new temporary folder and serves it. */
  static async start(files: Record<string, string>, configText = ENTRY_POINTS, watch = true): Promise<Served> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traefik-xds-watch-'));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const { config, diagnostics } = loadStaticConfig({ text: configText });
    assert.deepEqual(diagnostics.items.filter((d) => d.severity === 'error'), [], 'the static configuration is valid');
    const run = await startServe({ config, paths: [dir], log: silentLogger, address: '127.0.0.1:0', watch, debounce: { quietMs: 20, maxMs: 200 } });
    assert.deepEqual(run.controller.currentDiagnostics().filter((d) => d.severity === 'error'), [], 'the manifests are valid');
    return new Served(dir, run);
  }

  get address(): string {
    return `127.0.0.1:${this.run.port}`;
  }

  write(name: string, text: string): void {
    fs.writeFileSync(path.join(this.dir, name), text);
  }

  remove(name: string): void {
    fs.unlinkSync(path.join(this.dir, name));
  }

  /** Changes the file's mtime only. */
  touch(name: string): void {
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(this.dir, name), t, t);
  }

  /** The controller's next build report (after a file change went through the watcher and the debouncer). */
  nextBuild(timeoutMs = 5000): Promise<BuildReport> {
    const b = this.builds.shift();
    if (b) return Promise.resolve(b);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`no rebuild within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (r: BuildReport) => {
        clearTimeout(t);
        resolve(r);
      };
      this.waiters.push(done);
    });
  }

  client(delta = false): RawXdsClient {
    const c = new RawXdsClient(this.address, delta);
    this.clients.push(c);
    return c;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    await this.run.stop(200);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}


export function resourceNames(resp: Decoded): string[] {
  return ((resp.resources ?? []) as Decoded[]).map((r) => r.name as string);
}

/** "domain prefix" for every route of every virtual host of a SotW RDS response (path prefixes only). */
export function routeTable(rds: Decoded): string[] {
  const out: string[] = [];
  for (const rc of (rds.resources ?? []) as Decoded[]) {
    for (const vh of (rc.virtual_hosts ?? []) as Decoded[]) {
      for (const r of (vh.routes ?? []) as Decoded[]) out.push(`${rc.name} ${vh.domains[0]} ${r.match.prefix ?? r.match.path ?? JSON.stringify(r.match.safe_regex)}`);
    }
  }
  return out.sort();
}

export interface Connected {
  c: RawXdsClient;
  cds: Decoded;
  lds: Decoded;
  /** The route configurations the client holds, as one SotW response (the last one's version and nonce). */
  rds: Decoded;
  routeNames: string[];
}

function ackOf(c: RawXdsClient, r: Decoded, names: string[] = []): void {
  c.send({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names: names });
}

async function expectType(c: RawXdsClient, typeUrl: string): Promise<Decoded> {
  const r = await c.next(5000);
  assert.equal(r.type_url, typeUrl);
  return r;
}

/** Connects like Envoy: CDS, LDS, then RDS for every route configuration the listeners use; all acknowledged. */
export async function connectEnvoy(s: Served, id: string, cluster = 'gateway'): Promise<Connected> {
  const c = s.client();
  c.send({ node: node(id, cluster), type_url: TYPE.cds });
  const cds = await expectType(c, TYPE.cds);
  ackOf(c, cds);
  c.send({ type_url: TYPE.lds });
  const lds = await expectType(c, TYPE.lds);
  ackOf(c, lds);
  const routeNames = [...new Set(collect(lds.resources, 'route_config_name') as string[])].sort();
  c.send({ type_url: TYPE.rds, resource_names: routeNames });
  const rds = await expectType(c, TYPE.rds);
  ackOf(c, rds, routeNames);
  return { c, cds, lds, rds, routeNames };
}

/**
 * Waits for the next RDS response (acknowledging it); fails on any other type. Returns what the client then holds:
 * a response may carry only the changed route configurations, the others stay.
 */
export async function nextRoutes(k: Connected, timeoutMs = 5000): Promise<Decoded> {
  const r = await k.c.next(timeoutMs);
  assert.equal(r.type_url, TYPE.rds, `expected RDS, got ${r.type_url}`);
  ackOf(k.c, r, k.routeNames);
  const held = mergeResources(new Map(((k.rds.resources ?? []) as Decoded[]).map((x) => [x.name as string, x])), r, k.routeNames);
  k.rds = { ...r, resources: [...held.values()].sort((a, b) => String(a.name).localeCompare(String(b.name))) };
  return k.rds;
}
