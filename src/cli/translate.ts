// `traefik-xds translate`: manifests → the Envoy resources that would serve them, plus diagnostics.
import { loadManifests, SourceIOError } from '../sources/manifests';
import { runPipeline } from '../pipeline';
import { diagnosticsForOutput, formatDocument, redactSecrets } from './output';
import { EXIT_DIAGNOSTIC_ERRORS, EXIT_OK, UsageError, loadConfigOrThrow } from './common';
import { canonicalResources } from '../envoy/canonical';

export interface TranslateArgs {
  paths: string[];
  config?: string;
  entrypoint: string[];
  output: 'yaml' | 'json';
  showSecrets: boolean;
}

export function runTranslate(args: TranslateArgs, out: NodeJS.WritableStream): number {
  const { config, diagnostics } = loadConfigOrThrow(args.config, args.entrypoint);
  const paths = args.paths.length ? args.paths : manifestPathsOf(config);
  if (paths.length === 0) throw new UsageError('no manifest path given (pass PATH..., or set providers.manifests in --config)');
  let snapshot;
  try {
    snapshot = loadManifests(paths);
  } catch (e) {
    if (e instanceof SourceIOError) throw new UsageError(e.message);
    throw e;
  }
  const result = runPipeline(snapshot, config);
  diagnostics.merge(result.diagnostics);
  const resources = canonicalResources(result.resources);
  const doc = {
    ...(args.showSecrets ? resources : redactSecrets(resources)),
    diagnostics: diagnosticsForOutput(diagnostics.sorted()),
  };
  out.write(formatDocument(doc, args.output));
  return diagnostics.hasErrors() ? EXIT_DIAGNOSTIC_ERRORS : EXIT_OK;
}

export function manifestPathsOf(config: { providers: { manifests?: { directory?: string; filename?: string } } }): string[] {
  const m = config.providers.manifests;
  if (!m) return [];
  return [m.filename, m.directory].filter((x): x is string => !!x);
}
