// Shared CLI plumbing: exit codes, static config loading with overrides, and I/O errors.
import { loadStaticConfig, ConfigIOError } from '../config/load';
import { loadManifests, SourceIOError } from '../sources/manifests';
import { formatDiagnosticLine, type Diagnostics } from '../model/diagnostics';
import type { StaticConfig } from '../config/types';

export const EXIT_OK = 0;
export const EXIT_DIAGNOSTIC_ERRORS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export function loadConfigOrThrow(file: string | undefined, entryPointOverrides: string[]): { config: StaticConfig; diagnostics: Diagnostics } {
  try {
    return loadStaticConfig({ file, entryPointOverrides });
  } catch (e) {
    if (e instanceof ConfigIOError) throw new UsageError(e.message);
    throw e;
  }
}

export function printDiagnosticLines(d: Diagnostics, out: NodeJS.WritableStream): void {
  for (const x of d.sorted()) out.write(formatDiagnosticLine(x) + '\n');
}

/** The static configuration and the manifests a `translate`/`validate` run reads (PATH..., else providers.manifests). */
export function loadInputsOrThrow(configFile: string | undefined, entryPointOverrides: string[], argPaths: string[]) {
  const { config, diagnostics } = loadConfigOrThrow(configFile, entryPointOverrides);
  const paths = argPaths.length ? argPaths : manifestPathsOf(config);
  if (paths.length === 0) throw new UsageError('no manifest path given (pass PATH..., or set providers.manifests in --config)');
  try {
    return { config, diagnostics, snapshot: loadManifests(paths) };
  } catch (e) {
    if (e instanceof SourceIOError) throw new UsageError(e.message);
    throw e;
  }
}

export function manifestPathsOf(config: { providers: { manifests?: { directory?: string; filename?: string } } }): string[] {
  const m = config.providers.manifests;
  if (!m) return [];
  return [m.filename, m.directory].filter((x): x is string => !!x);
}
