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
}

export async function startServe(o: ServeOptions): Promise<Running> {
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
  const debouncer = new Debouncer(() => controller!.update(source.snapshot()), o.debounce?.quietMs ?? 100, o.debounce?.maxMs ?? 1000);
  // Nothing is served before the first full load: streams wait for their snapshot until then.
  await source.start(() => debouncer.poke());
  controller.update(source.snapshot());
  const report = controller.lastReport!;
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  o.log.info('sources loaded', { objects: source.snapshot().objects.length, errors, warnings: report.diagnostics.filter((d) => d.severity === 'warning').length });
  for (const d of report.diagnostics) if (d.severity !== 'info') o.log.warn('diagnostic', { ...d });
  const xds = new XdsServer(
    { cache, registry, fleets: o.config.fleets, log: o.log, nextStreamId: () => ++streamId },
    { maxMessageBytes: o.config.xds.maxMessageBytes },
  );
  const address = o.address ?? formatAddress({ ...o.config.xds.address, host: o.config.xds.address.host || '0.0.0.0' });
  const port = await xds.listen(address);
  o.log.info('xDS server listening', { address, port });
  let admin: http.Server | undefined;
  if (o.adminAddress !== undefined) {
    const a = splitHostPort(o.adminAddress);
    admin = await startAdmin({ controller, cache, registry, source }, a.host, a.port);
    o.log.info('admin server listening', { address: `${a.host}:${(admin.address() as AddressInfo).port}` });
  }
  return {
    xds, port, controller, cache, registry, source, admin,
    adminPort: admin ? (admin.address() as AddressInfo).port : undefined,
    async stop(graceMs = 2000) {
      await source.close();
      admin?.closeAllConnections();
      admin?.close();
      debouncer.cancel();
      await xds.shutdown(graceMs);
    },
  };
}
