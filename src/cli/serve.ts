// `traefik-xds serve`: watch the manifests and serve Envoy fleets over xDS until SIGTERM/SIGINT.
import { startServe } from '../serve/run';
import { createLogger } from '../log';
import { UsageError, loadConfigOrThrow } from './common';
import { manifestPathsOf } from './translate';
import { SourceIOError } from '../sources/manifests';
import type { Level } from '../log';

export interface ServeArgs {
  paths: string[];
  config?: string;
  entrypoint: string[];
  address?: string;
}

export async function runServe(args: ServeArgs, out: NodeJS.WritableStream): Promise<number> {
  const { config, diagnostics } = loadConfigOrThrow(args.config, args.entrypoint);
  const log = createLogger(config.logLevel as Level);
  for (const d of diagnostics.sorted()) log[d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warn' : 'info']('static configuration', { ...d });
  const paths = args.paths.length ? args.paths : manifestPathsOf(config);
  if (paths.length === 0) throw new UsageError('no manifest path given (pass PATH..., or set providers.manifests in --config)');
  let running;
  try {
    const admin = config.admin.address;
    running = await startServe({
      config, paths, log, address: args.address, watch: config.providers.manifests?.watch ?? true,
      adminAddress: `${admin.host.includes(':') ? `[${admin.host}]` : admin.host || '127.0.0.1'}:${admin.port}`,
    });
  } catch (e) {
    if (e instanceof SourceIOError) throw new UsageError(e.message);
    throw e;
  }
  const addr = `${config.xds.address.host || '127.0.0.1'}:${running.port}`;
  out.write(
    `traefik-xds is serving xDS on ${addr} (ADS, state of the world and delta).\n` +
    `Point an Envoy at it:\n` +
    `  npx traefik-xds bootstrap --server ${addr} --node-id envoy-1 --node-cluster gateway > envoy.yaml && envoy -c envoy.yaml\n` +
    `Look at what it serves:\n` +
    `  npx traefik-xds dump --server ${addr} --node-id debug --node-cluster gateway\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log.info('shutting down', { signal: sig });
      void running!.stop(5000).then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
