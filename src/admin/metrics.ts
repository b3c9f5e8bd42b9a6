// Prometheus metrics (prom-client), served on the admin server's /metrics. One registry per server
// instance (tests run several). Labels are fleet names, profiles, resource types, severities and fixed
// reasons: never node-supplied free text, error messages or anything derived from secrets.
import * as client from 'prom-client';
import type * as http from 'node:http';
import type { ResourceKind } from '../envoy/resources';
import type { BuildReport, Controller } from '../serve/controller';
import type { Source } from '../sources/source';
import type { SnapshotCache } from '../xds/cache';
import type { ClientRegistry, NackEvent } from '../xds/clients';
import type { XdsMetrics } from '../xds/stream-context';
import { PUSH_ORDER } from '../xds/snapshot';

const P = 'traefik_xds_';

export interface MetricsDeps {
  cache: SnapshotCache;
  registry: ClientRegistry;
  controller: Controller;
  source: Source;
  /** Process metrics (CPU, memory, event loop, GC). */
  defaultMetrics?: boolean;
}

function splitKey(key: string): { fleet: string; profile: string } {
  const i = key.lastIndexOf('/');
  return i < 0 ? { fleet: key, profile: '' } : { fleet: key.slice(0, i), profile: key.slice(i + 1) };
}

export class Metrics implements XdsMetrics {
  readonly register = new client.Registry();
  private readonly buildDuration: client.Histogram<string>;
  private readonly builds: client.Counter<'result'>;
  private readonly publishes: client.Counter<'fleet' | 'profile'>;
  private readonly responses: client.Counter<'type'>;
  private readonly acks: client.Counter<'type'>;
  private readonly nacks: client.Counter<'fleet' | 'profile' | 'type'>;
  private readonly staleNonces: client.Counter<'type'>;
  private readonly sourceEvents: client.Counter<string>;
  private readonly debounced: client.Counter<string>;
  private readonly diagnostics: client.Gauge<'severity'>;
  private readonly refusals: client.Counter<'fleet' | 'reason'>;
  private readonly slowClients: client.Counter<'fleet' | 'profile'>;
  private readonly pingViolations: client.Counter<string>;
  private readonly tlsReloads: client.Counter<string>;
  private readonly handshakeFailures: client.Counter<string>;
  private readonly tlsExpiry: client.Gauge<string>;
  private readonly lastBuild: client.Gauge<string>;
  private lastReport?: BuildReport;

  constructor(private readonly d: MetricsDeps) {
    const r = [this.register];
    if (d.defaultMetrics !== false) client.collectDefaultMetrics({ register: this.register, prefix: P });
    this.buildDuration = new client.Histogram({
      name: `${P}build_duration_seconds`, help: 'Time to rebuild the model and every fleet snapshot after a (debounced) change.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r,
    });
    this.builds = new client.Counter({ name: `${P}builds_total`, help: 'Rebuilds, by result: published (a fleet snapshot changed), unchanged, failed (a snapshot failed validation; the last good one is kept).', labelNames: ['result'], registers: r });
    this.publishes = new client.Counter({ name: `${P}snapshot_publishes_total`, help: 'Snapshots published, per fleet and profile.', labelNames: ['fleet', 'profile'], registers: r });
    this.responses = new client.Counter({ name: `${P}responses_total`, help: 'Discovery responses sent, per resource type.', labelNames: ['type'], registers: r });
    this.acks = new client.Counter({ name: `${P}acks_total`, help: 'ACKs received, per resource type.', labelNames: ['type'], registers: r });
    this.nacks = new client.Counter({ name: `${P}nacks_total`, help: 'NACKs received (a client rejected a response), per fleet and resource type. The errors are in /api/clients and the logs.', labelNames: ['fleet', 'profile', 'type'], registers: r });
    this.staleNonces = new client.Counter({ name: `${P}stale_nonces_total`, help: 'Requests answering a superseded response (ignored), per resource type.', labelNames: ['type'], registers: r });
    this.sourceEvents = new client.Counter({ name: `${P}source_events_total`, help: 'Change notifications from the sources.', registers: r });
    this.debounced = new client.Counter({ name: `${P}debounced_events_total`, help: 'Source changes absorbed by the debouncer (coalesced into another change\'s rebuild).', registers: r });
    this.diagnostics = new client.Gauge({ name: `${P}diagnostics`, help: 'Diagnostics of the last build, per severity (details: /api/diagnostics).', labelNames: ['severity'], registers: r });
    this.refusals = new client.Counter({ name: `${P}stream_refusals_total`, help: 'Streams refused with PERMISSION_DENIED, per fleet claimed and reason (no_certificate, san_mismatch).', labelNames: ['fleet', 'reason'], registers: r });
    this.slowClients = new client.Counter({ name: `${P}slow_client_disconnects_total`, help: 'Streams reset because the client did not read its responses (send queue over its bound).', labelNames: ['fleet', 'profile'], registers: r });
    this.pingViolations = new client.Counter({ name: `${P}ping_policy_violations_total`, help: 'Connections closed for pinging too often.', registers: r });
    this.tlsReloads = new client.Counter({ name: `${P}tls_reloads_total`, help: 'Server certificate reloads (xds.tls files changed).', registers: r });
    this.handshakeFailures = new client.Counter({ name: `${P}tls_handshake_failures_total`, help: 'Failed TLS handshakes on the xDS port (no or an untrusted client certificate, plaintext).', registers: r });
    this.tlsExpiry = new client.Gauge({ name: `${P}tls_certificate_expiry_timestamp_seconds`, help: 'notAfter of the served xDS server certificate (Unix time).', registers: r });
    this.lastBuild = new client.Gauge({ name: `${P}last_build_timestamp_seconds`, help: 'When the last rebuild finished (Unix time).', registers: r });
    for (const severity of ['error', 'warning', 'info']) this.diagnostics.set({ severity }, 0);

    const cache = d.cache;
    const registry = d.registry;
    new client.Gauge({
      name: `${P}snapshot_info`, help: 'The snapshot served to each fleet: 1, labelled with its version (a content hash).',
      labelNames: ['fleet', 'profile', 'version'], registers: r,
      collect() {
        this.reset();
        for (const k of cache.keys()) {
          const s = cache.get(k.key);
          if (s) this.set({ fleet: k.fleet, profile: k.profile, version: s.version }, 1);
        }
      },
    });
    new client.Gauge({
      name: `${P}snapshot_resources`, help: 'Resources in each fleet\'s snapshot, per type.', labelNames: ['fleet', 'profile', 'type'], registers: r,
      collect() {
        this.reset();
        for (const k of cache.keys()) {
          const s = cache.get(k.key);
          if (s) for (const t of PUSH_ORDER) this.set({ fleet: k.fleet, profile: k.profile, type: t }, s.types[t].resources.size);
        }
      },
    });
    new client.Gauge({
      name: `${P}connected_streams`, help: 'Open xDS streams, per fleet, profile and protocol (sotw, delta).', labelNames: ['fleet', 'profile', 'protocol'], registers: r,
      collect() {
        this.reset();
        for (const c of registry.list()) this.inc({ ...splitKey(c.fleet.key), protocol: c.protocol });
      },
    });
    new client.Gauge({
      name: `${P}subscribed_streams`, help: 'Open xDS streams subscribed to each resource type, per fleet and profile.', labelNames: ['fleet', 'profile', 'type'], registers: r,
      collect() {
        this.reset();
        for (const c of registry.list()) for (const t of Object.keys(c.types)) this.inc({ ...splitKey(c.fleet.key), type: t });
      },
    });
    new client.Gauge({
      name: `${P}nacked_streams`, help: 'Open streams whose last response of a type was rejected and not yet replaced by an accepted one.', labelNames: ['fleet', 'profile', 'type'], registers: r,
      collect() {
        this.reset();
        for (const c of registry.list()) for (const [t, st] of Object.entries(c.types)) if (st?.nack) this.inc({ ...splitKey(c.fleet.key), type: t });
      },
    });
    const source = d.source;
    const controller = d.controller;
    new client.Gauge({
      name: `${P}source_synced`, help: '1 once the sources have loaded everything (Kubernetes informers synced, files read).', registers: r,
      collect() {
        this.set(source.synced() ? 1 : 0);
      },
    });
    new client.Gauge({
      name: `${P}ready`, help: '1 when /readyz answers 200: sources synced and a snapshot built.', registers: r,
      collect() {
        this.set(source.synced() && controller.ready ? 1 : 0);
      },
    });
    registry.onNack((e) => this.onNack(e));
    controller.onBuild((rep) => this.onBuild(rep));
    if (controller.lastReport) this.onBuild(controller.lastReport);
  }

  // ---- XdsMetrics (called by the streams)
  response(kind: ResourceKind): void {
    this.responses.inc({ type: kind });
  }
  ack(kind: ResourceKind): void {
    this.acks.inc({ type: kind });
  }
  /** Counted from the registry's NACK events instead, which know the fleet. */
  nack(_kind: ResourceKind): void {}
  staleNonce(kind: ResourceKind): void {
    this.staleNonces.inc({ type: kind });
  }

  // ---- everything else
  onBuild(rep: BuildReport): void {
    if (rep === this.lastReport) return;
    this.lastReport = rep;
    this.buildDuration.observe(rep.durationMs / 1000);
    this.lastBuild.set(rep.at / 1000);
    this.builds.inc({ result: rep.failed ? 'failed' : rep.published.length ? 'published' : 'unchanged' });
    for (const k of rep.published) this.publishes.inc(splitKey(k));
    const count: Record<string, number> = { error: 0, warning: 0, info: 0 };
    for (const d of rep.diagnostics) count[d.severity] = (count[d.severity] ?? 0) + 1;
    for (const [severity, n] of Object.entries(count)) this.diagnostics.set({ severity }, n);
  }

  onNack(e: NackEvent): void {
    this.nacks.inc({ ...splitKey(e.client.fleet.key), type: e.kind });
  }

  sourceEvent(): void {
    this.sourceEvents.inc();
  }

  debouncedEvents(n: number): void {
    if (n > 0) this.debounced.inc(n);
  }

  refused(fleet: string, reason: string): void {
    this.refusals.inc({ fleet, reason });
  }

  slowClient(fleetKey: string): void {
    this.slowClients.inc(splitKey(fleetKey));
  }

  pingViolation(): void {
    this.pingViolations.inc();
  }

  handshakeFailure(): void {
    this.handshakeFailures.inc();
  }

  tlsReloaded(): void {
    this.tlsReloads.inc();
  }

  tlsCertificateExpiry(notAfter: string | undefined): void {
    const t = notAfter ? Date.parse(notAfter) : NaN;
    if (!Number.isNaN(t)) this.tlsExpiry.set(t / 1000);
  }

  /** The /metrics handler (Prometheus text format). */
  handler(): (req: http.IncomingMessage, res: http.ServerResponse) => void {
    return (_req, res) => {
      this.register.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': this.register.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        (e: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`metrics collection failed: ${e.message}\n`);
        },
      );
    };
  }
}
