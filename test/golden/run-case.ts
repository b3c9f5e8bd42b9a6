// Runs one golden case directory through the same pipeline as `traefik-xds translate`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseManifestText } from '../../src/sources/manifests';
import { loadStaticConfig } from '../../src/config/load';
import { runPipeline } from '../../src/pipeline';
import { canonicalResources } from '../../src/envoy/canonical';
import { diagnosticsForOutput, redactSecrets } from '../../src/cli/output';
import type { EnvoyResources } from '../../src/envoy/resources';

export function runGoldenCase(dir: string): { doc: Record<string, unknown>; resources: EnvoyResources } {
  const input = fs.readFileSync(path.join(dir, 'input.yaml'), 'utf8');
  const configFile = path.join(dir, 'config.yaml');
  // Positions are reported against the bare file names so the expected output does not depend on the checkout path.
  const { config, diagnostics } = fs.existsSync(configFile)
    ? loadStaticConfig({ text: fs.readFileSync(configFile, 'utf8'), file: 'config.yaml' })
    : loadStaticConfig({});
  const snapshot = parseManifestText(input, 'input.yaml');
  const result = runPipeline(snapshot, config);
  diagnostics.merge(result.diagnostics);
  const resources = canonicalResources(result.resources);
  const doc = { ...redactSecrets(resources), diagnostics: diagnosticsForOutput(diagnostics.sorted()) };
  return { doc, resources };
}
