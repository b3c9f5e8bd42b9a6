// Runs one golden case directory through the same pipeline as `traefik-xds translate`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseManifestText } from '../../src/sources/manifests';
import { loadStaticConfig } from '../../src/config/load';
import { runPipeline } from '../../src/pipeline';
import { canonicalResources } from '../../src/envoy/canonical';
import { diagnosticsForOutput, redactSecrets } from '../../src/cli/output';
import type { EnvoyResources } from '../../src/envoy/resources';
import type { Profile } from '../../src/translate/options';

export function runGoldenCase(dir: string): { doc: Record<string, unknown>; resources: EnvoyResources } {
  const input = fs.readFileSync(path.join(dir, 'input.yaml'), 'utf8');
  const configFile = path.join(dir, 'config.yaml');
  // Positions are reported against the bare file names so the expected output does not depend on the checkout path.
  const { config, diagnostics } = fs.existsSync(configFile)
    ? loadStaticConfig({ text: fs.readFileSync(configFile, 'utf8'), file: 'config.yaml' })
    : loadStaticConfig({});
  const snapshot = parseManifestText(input, 'input.yaml');
  // Optional profile.txt (`grpc`) selects the translation profile; the default is envoy.
  const profileFile = path.join(dir, 'profile.txt');
  const profile = fs.existsSync(profileFile) ? (fs.readFileSync(profileFile, 'utf8').trim() as Profile) : 'envoy';
  if (profile !== 'envoy' && profile !== 'grpc') throw new Error(`${profileFile}: unknown profile ${JSON.stringify(profile)}`);
  const result = runPipeline(snapshot, config, profile);
  diagnostics.merge(result.diagnostics);
  const resources = canonicalResources(result.resources);
  const doc = { ...redactSecrets(resources), diagnostics: diagnosticsForOutput(diagnostics.sorted()) };
  return { doc, resources };
}
