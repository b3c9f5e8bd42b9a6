// `traefik-xds validate`: only the diagnostics, one a line, compiler style, for CI pipelines.
import { runPipeline } from '../pipeline';
import { EXIT_DIAGNOSTIC_ERRORS, EXIT_OK, loadInputsOrThrow, printDiagnosticLines } from './common';

export interface ValidateArgs {
  paths: string[];
  config?: string;
  entrypoint: string[];
}

export function runValidate(args: ValidateArgs, out: NodeJS.WritableStream): number {
  const { config, diagnostics, snapshot } = loadInputsOrThrow(args.config, args.entrypoint, args.paths);
  diagnostics.merge(runPipeline(snapshot, config).diagnostics);
  printDiagnosticLines(diagnostics, out);
  return diagnostics.hasErrors() ? EXIT_DIAGNOSTIC_ERRORS : EXIT_OK;
}
