// `traefik-xds serve`: watch the manifests and serve Envoy fleets over xDS until SIGTERM/SIGINT.
import { startServe } from '../serve/run';
import { createLogger } from '../log';
import { UsageError, loadConfigOrThrow, manifestPathsOf } from './common';
import { SourceIOError } from '../sources/manifests';
import { MergedSource, type Source } from '../sources/source';
import { ManifestWatcher } from '../sources/watch';
import type { Level } from '../log';
import { redactingLogger } from '../admin/redact';
import { TlsConfigError } from '../xds/tls';

export interface ServeArgs {
  paths: string[];
  config?: string;
  entrypoint: string[];
  address?: string;
}

export async function runServe(args: ServeArgs, out: NodeJS.WritableStream): Promise<number> {
  const { config, diagnostics } = loadConfigOrThrow(args.config, args.entrypoint);
  const log = redactingLogger(createLogger(config.logLevel as Level));
  for (const d of diagnostics.sorted()) log[d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warn' : 'info']('static configuration', { ...d });
  const paths = args.paths.length ? args.paths : manifestPathsOf(config);
  const crd = config.providers.kubernetesCRD;
  const ingress = config.providers.kubernetesIngress;
  // providers.kubernetesIngress reads the API along with kubernetesCRD, alone, or when it names an endpoint;
  // with manifests only, it reads their Ingresses.
  const kubeIngress = ingress && (crd || paths.length === 0 || ingress.endpoint) ? ingress : undefined;
  if (paths.length === 0 && !crd && !kubeIngress) throw new UsageError('no manifest path given (pass PATH..., or set providers.manifests, providers.kubernetesCRD or providers.kubernetesIngress in --config)');
  // The Kubernetes source (loaded only when configured: @kubernetes/client-node is large), merged with the manifests when both are set.
  let kube: import('../sources/kubernetes').KubernetesSource | undefined;
  let source: Source | undefined;
  if (crd || kubeIngress) {
    try {
      // A lazy require, not import(): under tsx's CommonJS hook a dynamic import() bypasses it.
      kube = (require('../sources/kubernetes') as typeof import('../sources/kubernetes')).createKubernetesSource(crd, log, process.env, kubeIngress);
    } catch (e) {
      if ((e as Error).name === 'KubeConfigError') throw new UsageError((e as Error).message);
      throw e;
    }
    source = paths.length ? new MergedSource([new ManifestWatcher(paths, { watch: config.providers.manifests?.watch ?? true }), kube]) : kube;
  }
  let running;
  try {
    const admin = config.admin.address;
    running = await startServe({
      config, paths, source, log, address: args.address, watch: config.providers.manifests?.watch ?? true,
      adminAddress: `${admin.host.includes(':') ? `[${admin.host}]` : admin.host || '127.0.0.1'}:${admin.port}`,
    });
  } catch (e) {
    if (e instanceof SourceIOError || e instanceof TlsConfigError) throw new UsageError(e.message);
    throw e;
  }
  // Problems as Kubernetes Events on the offending objects, and Ingress status (the Lease leader writes both).
  const writers = kube ? (require('../sources/kubernetes-writers') as typeof import('../sources/kubernetes-writers')).attachKubernetesWriters(kube, running.controller, kubeIngress, log) : undefined;
  const addr = `${config.xds.address.host || '127.0.0.1'}:${running.port}`;
  const t = config.xds.tls;
  const tlsFlags = t ? ` --tls-ca CA.crt${t.clientCAFile ? ' --tls-cert NODE.crt --tls-key NODE.key' : ''}` : '';
  out.write(
    `traefik-xds is serving xDS on ${addr} (ADS, state of the world and delta${t ? `, ${t.clientCAFile ? 'mTLS' : 'TLS'}` : ''}).\n` +
    `Point an Envoy at it:\n` +
    `  npx traefik-xds bootstrap --server ${addr} --node-id envoy-1 --node-cluster gateway${tlsFlags} > envoy.yaml && envoy -c envoy.yaml\n` +
    `Look at what it serves:\n` +
    `  npx traefik-xds dump --server ${addr} --node-id debug --node-cluster gateway\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      // Drain: stop accepting, end each stream with UNAVAILABLE once its responses have left, cut the rest after 5 s.
      log.info('shutting down: draining xDS streams', { signal: sig, streams: running!.xds.openStreams, graceMs: 5000 });
      const t0 = Date.now();
      for (const s of ['SIGTERM', 'SIGINT']) process.once(s, () => process.exit(1)); // a second signal: now
      void (writers?.close() ?? Promise.resolve()).then(() => running!.stop(5000)).then(() => {
        log.info('stopped', { drainMs: Date.now() - t0 });
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
