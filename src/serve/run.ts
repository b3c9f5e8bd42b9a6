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

export interface Running {
  xds: XdsServer;
  port: number;
  controller: Controller;
  cache: SnapshotCache;
  registry: ClientRegistry;
  watcher: ManifestWatcher;
  stop(graceMs?: number): Promise<void>;
}

export interface ServeOptions {
  config: StaticConfig;
  paths: string[];
  log: Logger;
  /** Overrides xds.address (tests use 127.0.0.1:0). */
  address?: string;
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
  const debouncer = new Debouncer(() => controller!.update(watcher.snapshot()), o.debounce?.quietMs ?? 100, o.debounce?.maxMs ?? 1000);
  const watcher = new ManifestWatcher(o.paths, () => debouncer.poke());
  controller.update(watcher.load());
  const report = controller.lastReport!;
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  o.log.info('sources loaded', { objects: watcher.snapshot().objects.length, errors, warnings: report.diagnostics.filter((d) => d.severity === 'warning').length });
  for (const d of report.diagnostics) if (d.severity !== 'info') o.log.warn('diagnostic', { ...d });
  if (o.watch !== false) watcher.start();
  const xds = new XdsServer(
    { cache, registry, fleets: o.config.fleets, log: o.log, nextStreamId: () => ++streamId },
    { maxMessageBytes: o.config.xds.maxMessageBytes },
  );
  const address = o.address ?? formatAddress({ ...o.config.xds.address, host: o.config.xds.address.host || '0.0.0.0' });
  const port = await xds.listen(address);
  o.log.info('xDS server listening', { address, port });
  return {
    xds, port, controller, cache, registry, watcher,
    async stop(graceMs = 2000) {
      watcher.close();
      debouncer.cancel();
      await xds.shutdown(graceMs);
    },
  };
}
