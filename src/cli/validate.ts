// `traefik-xds validate`: only the diagnostics, one a line, compiler style, for CI pipelines.
import { loadManifests, SourceIOError } from '../sources/manifests';
import { runPipeline } from '../pipeline';
import { EXIT_DIAGNOSTIC_ERRORS, EXIT_OK, UsageError, loadConfigOrThrow, printDiagnosticLines } from './common';
import { manifestPathsOf } from './translate';

export interface ValidateArgs {
  paths: string[];
  config?: string;
  entrypoint: string[];
}

export function runValidate(args: ValidateArgs, out: NodeJS.WritableStream): number {
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
  diagnostics.merge(runPipeline(snapshot, config).diagnostics);
  printDiagnosticLines(diagnostics, out);
  return diagnostics.hasErrors() ? EXIT_DIAGNOSTIC_ERRORS : EXIT_OK;
}
