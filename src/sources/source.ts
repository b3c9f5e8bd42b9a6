// What the serve loop needs from a source: a first full load (after which the source is "synced"), then
// change notifications. Sources only load objects; they know nothing of Traefik semantics or Envoy.
import type { SourceSnapshot } from './types';

export interface Source {
  /** Loads everything once (a Kubernetes source lists every watched kind); resolves when synced. */
  start(onChange: () => void): Promise<void>;
  /** The current objects. Unchanged objects keep their identity across snapshots (used to spot what changed). */
  snapshot(): SourceSnapshot;
  /** Whether the first full load completed (readiness). */
  synced(): boolean;
  close(): Promise<void> | void;
}

/** Several sources merged into one object set (e.g. manifests and Kubernetes). */
export class MergedSource implements Source {
  constructor(private readonly sources: Source[]) {}

  async start(onChange: () => void): Promise<void> {
    await Promise.all(this.sources.map((s) => s.start(onChange)));
  }

  snapshot(): SourceSnapshot {
    const out: SourceSnapshot = { objects: [], problems: [] };
    for (const s of this.sources) {
      const x = s.snapshot();
      out.objects.push(...x.objects);
      out.problems.push(...x.problems);
    }
    return out;
  }

  synced(): boolean {
    return this.sources.every((s) => s.synced());
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close()));
  }
}
