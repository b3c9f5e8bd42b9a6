// `traefik-xds translate`: manifests → the Envoy resources that would serve them, plus diagnostics.
import { runPipeline } from '../pipeline';
import { diagnosticsForOutput, formatDocument, redactSecrets } from './output';
import { EXIT_DIAGNOSTIC_ERRORS, EXIT_OK, loadInputsOrThrow } from './common';
import { canonicalResources } from '../envoy/canonical';

export interface TranslateArgs {
  paths: string[];
  config?: string;
  entrypoint: string[];
  output: 'yaml' | 'json';
  showSecrets: boolean;
}

export function runTranslate(args: TranslateArgs, out: NodeJS.WritableStream): number {
  const { config, diagnostics, snapshot } = loadInputsOrThrow(args.config, args.entrypoint, args.paths);
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
