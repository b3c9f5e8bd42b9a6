// `traefik-xds serve`: wires the manifests source, the controller, the snapshot cache and the xDS server.
import { ManifestWatcher } from '../sources/watch';
import { SnapshotCache } from '../xds/cache';
import { ClientRegistry } from '../xds/clients';
import { XdsServer } from '../xds/server';
import { Controller } from './controller';
import { Debouncer } from './debounce';
import { formatAddress } from '../config/entrypoints';
import type { Logger } from '../xds/stream-context';
import type { StaticConfig } from '../config/types';
import type { Source } from '../sources/source';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAdmin } from '../admin/server';
import { Metrics } from '../admin/metrics';
import { dashboardRoutes } from '../admin/dashboard';
import { redactingLogger } from '../admin/redact';
import { logCertificateExpiry, serverCredentials, transportDecision, TlsConfigError, type ServerTls } from '../xds/tls';
import { createAuthorizer, unreferencedSecrets } from '../xds/authz';
import { snapshotResources } from '../xds/snapshot';
import type { XdsLimits } from '../xds/limits';
import { startReclaim, type Reclaimer, type ReclaimOptions } from './reclaim';
import { tuneV8ForRebuilds } from './v8-tuning';

function splitHostPort(a: string): { host: string; port: number } {
  const i = a.lastIndexOf(':');
  return { host: a.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(a.slice(i + 1)) };
}

export interface Running {
  xds: XdsServer;
  port: number;
  controller: Controller;
  cache: SnapshotCache;
  registry: ClientRegistry;
  source: Source;
  admin?: http.Server;
  adminPort?: number;
  metrics: Metrics;
  /** Set when xds.tls is configured. */
  tls?: ServerTls;
  /** Collects sent responses' buffers after bursts (unset when disabled or unavailable). */
  reclaimer?: Reclaimer;
  stop(graceMs?: number): Promise<void>;
}

export interface ServeOptions {
  config: StaticConfig;
  /** Manifest files and directories (the manifests source); ignored when `source` is given. */
  paths?: string[];
  /** Another source (Kubernetes, or several merged). */
  source?: Source;
  log: Logger;
  /** Overrides xds.address (tests use 127.0.0.1:0). */
  address?: string;
  /** Admin server address (`host:port`, port 0 for any); unset: no admin server (the CLI passes admin.address). */
  adminAddress?: string;
  debounce?: { quietMs: number; maxMs: number };
  watch?: boolean;
  /** How often xds.tls files are checked for changes (default 30 s). */
  tlsRefreshMs?: number;
  /** xDS resource limits (send queue per stream, streams per connection, keepalive; xds/limits.ts). */
  limits?: Partial<XdsLimits>;
  /** Collecting sent buffers and rebuilds' garbage after bursts (reclaim.ts); false: left to V8. */
  reclaim?: Partial<ReclaimOptions> | false;
}

export async function startServe(o: ServeOptions): Promise<Running> {
  // Every log line is scrubbed of key material, whatever a source, a diagnostic or a NACK carried.
  o = { ...o, log: redactingLogger(o.log) };
  tuneV8ForRebuilds();
  // Transport first: a server that may not start should not load anything.
  const address = o.address ?? formatAddress({ ...o.config.xds.address, host: o.config.xds.address.host || '0.0.0.0' });
  const transport = transportDecision(o.config.xds, address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, ''));
  if (transport.error) throw new TlsConfigError(transport.error);
  const tls = o.config.xds.tls ? serverCredentials(o.config.xds.tls, o.log, o.tlsRefreshMs) : undefined;
  let controller: Controller | undefined;
  const cache = new SnapshotCache((fk) => controller?.provide(fk));
  controller = new Controller(o.config, cache, o.log);
  const registry = new ClientRegistry();
  let streamId = 0;
  registry.onNack((e) => {
    o.log.warn('xds: NACK', {
      node: e.client.node.id, fleet: e.client.fleet.key, type: e.kind, version: e.version, error: e.message,
      resources: e.resources.slice(0, 20),
      objects: controller?.objectsOf(e.kind, e.resources).slice(0, 20),
    });
  });
  const source = o.source ?? new ManifestWatcher(o.paths ?? [], { watch: o.watch });
  const metrics = new Metrics({ cache, registry, controller, source });
  let events = 0;
  const debouncer = new Debouncer(() => {
    metrics.debouncedEvents(events - 1); // the changes that rode along with the first one
    events = 0;
    controller!.update(source.snapshot());
  }, o.debounce?.quietMs ?? 100, o.debounce?.maxMs ?? 1000);
  // SDS scoping: a fleet's snapshot holds only the secrets its own listeners and clusters use (translate
  // guarantees it; this checks every published snapshot and says so loudly if that ever breaks).
  // Only when listeners, clusters or secrets changed: the walk is over every listener and cluster, too slow
  // for the EndpointSlice fast path at 10,000 routes.
  const secretsChecked = new Map<string, string>();
  controller.onBuild((rep) => {
    for (const key of rep.published) {
      const snap = cache.get(key);
      const stamp = snap && `${snap.types.listeners.version}/${snap.types.clusters.version}/${snap.types.secrets.version}`;
      if (!snap || secretsChecked.get(key) === stamp) continue;
      secretsChecked.set(key, stamp!);
      const extra = unreferencedSecrets(snapshotResources(snap));
      if (extra.length) o.log.error('xds: snapshot holds secrets none of its listeners or clusters use', { fleet: key, secrets: extra });
    }
  });
  // The admin server answers while the first load runs (/healthz ok, /readyz 503 until a snapshot is built).
  let admin: http.Server | undefined;
  if (o.adminAddress !== undefined) {
    const a = splitHostPort(o.adminAddress);
    const routes = new Map([['/metrics', metrics.handler()], ...dashboardRoutes({ controller, cache, registry, source })]);
    admin = await startAdmin({ controller, cache, registry, source, routes }, a.host, a.port);
    o.log.info('admin server listening', { address: `${a.host}:${(admin.address() as AddressInfo).port}` });
  }
  const abandon = async () => {
    tls?.provider.close();
    debouncer.cancel();
    admin?.closeAllConnections();
    admin?.close();
    await source.close();
  };
  // Nothing is served before the first full load: streams wait for their snapshot until then.
  try {
    await source.start(() => {
      events++;
      metrics.sourceEvent();
      debouncer.poke();
    });
  } catch (e) {
    await abandon();
    throw e;
  }
  controller.update(source.snapshot());
  const report = controller.lastReport!;
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  o.log.info('sources loaded', { objects: source.snapshot().objects.length, errors, warnings: report.diagnostics.filter((d) => d.severity === 'warning').length });
  for (const d of report.diagnostics) if (d.severity !== 'info') o.log.warn('diagnostic', { ...d });
  const authorize = createAuthorizer({ fleets: o.config.fleets, mtls: !!tls?.mtls, log: o.log, onDeny: (f, r) => metrics.refused(f, r) });
  const xds = new XdsServer(
    { cache, registry, fleets: o.config.fleets, log: o.log, metrics, authorize, nextStreamId: () => ++streamId },
    {
      maxMessageBytes: o.config.xds.maxMessageBytes, credentials: tls?.credentials, limits: o.limits,
      onSlowClient: (k) => metrics.slowClient(k ?? 'unknown/unknown'), onPingViolation: () => metrics.pingViolation(),
      onHandshakeFailure: () => metrics.handshakeFailure(),
    },
  );
  if (tls) {
    const certFile = o.config.xds.tls!.certFile;
    metrics.tlsCertificateExpiry(tls.provider.notAfter);
    logCertificateExpiry(o.log, certFile, tls.provider.notAfter);
    tls.provider.onReload = () => {
      metrics.tlsReloaded();
      metrics.tlsCertificateExpiry(tls.provider.notAfter);
      logCertificateExpiry(o.log, certFile, tls.provider.notAfter);
    };
  }
  let port: number;
  try {
    port = await xds.listen(address);
  } catch (e) {
    await abandon();
    throw e;
  }
  const reclaimer = o.reclaim === false ? undefined : startReclaim(o.reclaim);
  if (transport.warning) o.log.warn(transport.warning, { address });
  o.log.info('xDS server listening', {
    address, port, transport: transport.mode,
    ...(tls ? { certFile: o.config.xds.tls!.certFile, notAfter: tls.provider.notAfter, clientCAFile: o.config.xds.tls!.clientCAFile } : {}),
    fleetsRequiringCertificates: o.config.fleets.filter((f) => f.clientCertificate).map((f) => f.name),
  });
  if (tls && !tls.mtls && o.config.fleets.some((f) => f.clientCertificate)) {
    o.log.warn('xds: fleets have clientCertificate.san but xds.tls.clientCAFile is not set: client certificates are not requested and the patterns are not enforced');
  }
  return {
    xds, port, controller, cache, registry, source, admin, metrics, tls, reclaimer,
    adminPort: admin ? (admin.address() as AddressInfo).port : undefined,
    async stop(graceMs = 2000) {
      await source.close();
      debouncer.cancel();
      // Readiness goes first (a load balancer stops sending new nodes), then the streams drain.
      controller!.ready = false;
      await xds.shutdown(graceMs);
      reclaimer?.stop();
      tls?.provider.close();
      admin?.closeAllConnections();
      admin?.close();
    },
  };
}
