// `traefik-xds dump`: the gRPC debug client. Subscribes over ADS like an Envoy (src/xds/client.ts) and prints
// what the server sends in the form `translate` prints: once everything asked for has arrived, or, with
// --watch, every update until interrupted. Exit codes: 0 ok, 1 incomplete / timeout / stream error, 2 usage.
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { AdsClient, KIND_OF_TYPE, XDS_TYPES, formatSeconds, type AdsUpdate, type XdsType } from '../xds/client';
import { emptyResources, type EnvoyResources } from '../envoy/resources';
import type { Secret } from '../envoy/types';
import { formatDocument, redactSecrets } from './output';
import { parseServerAddress } from './bootstrap';
import { EXIT_OK, UsageError } from './common';

export const EXIT_INCOMPLETE = 1;
export const DEFAULT_TIMEOUT_SECONDS = 10;

export interface DumpArgs {
  server: string;
  nodeId: string;
  nodeCluster: string;
  /** Comma-separated lds,rds,cds,eds,sds (default all). */
  type?: string;
  delta?: boolean;
  watch?: boolean;
  output?: 'yaml' | 'json';
  /** Seconds (default 10): how long to wait for everything (with --watch: for the first response). */
  timeout?: string | number;
  showSecrets?: boolean;
  /** key=value, repeatable. */
  metadata?: string[];
  userAgent?: string;
  /** TLS to the server: the CA that signed its certificate (PEM file). */
  tlsCa?: string;
  /** mTLS: client certificate and key (PEM files). */
  tlsCert?: string;
  tlsKey?: string;
  /** The name the server certificate must carry (default: the --server host). */
  tlsServerName?: string;
}

/** Channel credentials for --tls-*: plaintext when none is given. */
export function dumpCredentials(args: Pick<DumpArgs, 'tlsCa' | 'tlsCert' | 'tlsKey' | 'tlsServerName'>): { credentials?: grpc.ChannelCredentials; channelOptions?: grpc.ChannelOptions } {
  if (!args.tlsCa && !args.tlsCert && !args.tlsKey) return {};
  if (!!args.tlsCert !== !!args.tlsKey) throw new UsageError('--tls-cert and --tls-key go together');
  const read = (f: string) => {
    try {
      return fs.readFileSync(f);
    } catch (e) {
      throw new UsageError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const credentials = grpc.credentials.createSsl(args.tlsCa ? read(args.tlsCa) : null, args.tlsKey ? read(args.tlsKey) : null, args.tlsCert ? read(args.tlsCert) : null);
  return { credentials, channelOptions: args.tlsServerName ? { 'grpc.ssl_target_name_override': args.tlsServerName } : undefined };
}

export interface DumpOptions {
  /** Ends --watch (exit 0). */
  signal?: AbortSignal;
}

export function parseTypes(s: string | undefined): XdsType[] {
  if (s === undefined) return [...XDS_TYPES];
  const items = s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`--type ${JSON.stringify(s)}: name at least one of ${XDS_TYPES.join(',')}`);
  for (const t of items) {
    if (!(XDS_TYPES as readonly string[]).includes(t)) throw new UsageError(`--type: unknown type ${JSON.stringify(t)} (expected ${XDS_TYPES.join(',')})`);
  }
  return XDS_TYPES.filter((t) => items.includes(t));
}

export function parseMetadata(items: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items ?? []) {
    const i = it.indexOf('=');
    if (i <= 0) throw new UsageError(`--metadata ${JSON.stringify(it)}: expected KEY=VALUE`);
    out[it.slice(0, i)] = it.slice(i + 1);
  }
  return out;
}

export function parseTimeout(v: string | number | undefined): number {
  if (v === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n <= 0 || (typeof v === 'string' && v.trim() === '')) throw new UsageError(`--timeout ${JSON.stringify(String(v))}: expected a positive number of seconds`);
  return Math.round(n * 1000);
}

/** The document printed once everything has arrived: the requested collections only. */
export function dumpDocument(resources: EnvoyResources, types: readonly XdsType[], showSecrets: boolean): Partial<EnvoyResources> {
  const r = showSecrets ? resources : redactSecrets(resources);
  const doc: Partial<EnvoyResources> = {};
  for (const t of XDS_TYPES) {
    if (!types.includes(t)) continue;
    const k = KIND_OF_TYPE[t];
    (doc as Record<string, unknown>)[k] = r[k];
  }
  return doc;
}

/** One --watch document: {type, version, changed, removed, resources}. */
export function updateDocument(u: AdsUpdate, showSecrets: boolean): object {
  let resources: object[] = u.resources;
  if (u.type === 'sds' && !showSecrets) resources = redactSecrets({ ...emptyResources(), secrets: u.resources as Secret[] }).secrets;
  return { type: u.type, version: u.version, changed: u.changed, removed: u.removed, resources };
}

function writeStreamDocument(out: NodeJS.WritableStream, doc: object, format: 'yaml' | 'json'): void {
  if (format === 'json') out.write(JSON.stringify(doc) + '\n');
  else out.write('---\n' + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }));
}

/**
 * Runs the client until done. Usage errors throw UsageError (exit 2); everything after the arguments are
 * accepted is reported on `err` and in the exit code. Never waits longer than --timeout without output
 * (unless --watch, which runs until `signal` aborts or the stream fails).
 */
export async function runDump(args: DumpArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream, opts: DumpOptions = {}): Promise<number> {
  parseServerAddress(args.server);
  if (!args.nodeId) throw new UsageError('--node-id must not be empty');
  if (!args.nodeCluster) throw new UsageError('--node-cluster must not be empty');
  const types = parseTypes(args.type);
  const metadata = parseMetadata(args.metadata);
  const timeoutMs = parseTimeout(args.timeout);
  const format = args.output ?? 'yaml';
  const showSecrets = !!args.showSecrets;
  const say = (msg: string) => err.write(`traefik-xds dump: ${msg}\n`);

  const client = new AdsClient({
    server: args.server,
    node: { id: args.nodeId, cluster: args.nodeCluster, metadata, userAgentName: args.userAgent || 'envoy', userAgentVersion: 'traefik-xds-dump' },
    delta: !!args.delta,
    types,
    ...dumpCredentials(args),
  });
  client.on('error', () => undefined); // reported through client.failure below
  client.on('response', (r) => {
    if (!r.accepted) say(`rejected (NACKed) a ${r.type} response, version ${r.version || '(none)'}: ${r.error}`);
  });
  try {
    return args.watch ? await watch(client, types, out, say, timeoutMs, format, showSecrets, opts.signal) : await once(client, types, out, say, timeoutMs, format, showSecrets);
  } finally {
    client.close();
  }
}

async function once(
  client: AdsClient, types: XdsType[], out: NodeJS.WritableStream, say: (m: string) => void,
  timeoutMs: number, format: 'yaml' | 'json', showSecrets: boolean,
): Promise<number> {
  client.start();
  try {
    await client.waitForComplete(timeoutMs);
  } catch (e) {
    const received = client.stats.responses > 0;
    if (received) out.write(formatDocument(dumpDocument(client.resources(), types, showSecrets), format));
    say(`${(e as Error).message}${received ? ' (printed what was received)' : ''}`);
    return EXIT_INCOMPLETE;
  }
  out.write(formatDocument(dumpDocument(client.resources(), types, showSecrets), format));
  return EXIT_OK;
}

async function watch(
  client: AdsClient, types: XdsType[], out: NodeJS.WritableStream, say: (m: string) => void,
  timeoutMs: number, format: 'yaml' | 'json', showSecrets: boolean, signal?: AbortSignal,
): Promise<number> {
  if (signal?.aborted) return EXIT_OK;
  const wanted = new Set(types);
  client.on('update', (u) => {
    if (wanted.has(u.type)) writeStreamDocument(out, updateDocument(u, showSecrets), format);
  });
  return new Promise<number>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (code: number) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      client.off('close', onClose);
      resolve(code);
    };
    const onAbort = () => finish(EXIT_OK);
    const onClose = () => {
      if (signal?.aborted) return finish(EXIT_OK);
      say(client.failure?.message ?? 'the stream closed');
      finish(EXIT_INCOMPLETE);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('close', onClose);
    // Bounded: a server that never answers is an error; one that answers but leaves something out is worth a word.
    timer = setTimeout(() => {
      if (client.stats.responses === 0) {
        say(`no response within ${formatSeconds(timeoutMs)}`);
        finish(EXIT_INCOMPLETE);
      } else if (!client.isComplete()) {
        say(`still incomplete after ${formatSeconds(timeoutMs)} (watching on): ${client.pending().join('; ')}`);
      }
    }, timeoutMs);
    client.start();
  });
}

/** The CLI entry: --watch stops on SIGINT/SIGTERM with exit 0. */
export async function runDumpCommand(args: DumpArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  if (!args.watch) return runDump(args, out, err);
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await runDump(args, out, err, { signal: ac.signal });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
