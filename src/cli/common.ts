// Shared CLI plumbing: exit codes, static config loading with overrides, and I/O errors.
import { loadStaticConfig, ConfigIOError } from '../config/load';
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
