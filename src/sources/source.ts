// What the serve loop needs from a source: a first full load (after which the source is "synced"), then
// change notifications. Sources only load objects; they know nothing of Traefik semantics or Envoy.
import type { RawObject, SourceSnapshot } from './types';

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
  private last?: { parts: SourceSnapshot[]; merged: SourceSnapshot };
  private generation = 0;

  constructor(private readonly sources: Source[]) {}

  async start(onChange: () => void): Promise<void> {
    await Promise.all(this.sources.map((s) => s.start(onChange)));
  }

  snapshot(): SourceSnapshot {
    const parts = this.sources.map((s) => s.snapshot());
    const prev = this.last;
    if (prev && parts.every((p, i) => p === prev.parts[i])) return prev.merged;
    const merged: SourceSnapshot = { objects: [], problems: [], generation: ++this.generation };
    for (const x of parts) {
      for (const o of x.objects) merged.objects.push(o);
      for (const p of x.problems) merged.problems.push(p);
    }
    // What changed is known when every source either gave the same snapshot or told what changed since it.
    if (prev && parts.every((p, i) => p === prev.parts[i] || (p.changes && p.changes.since === prev.parts[i].generation))) {
      const added: RawObject[] = [];
      const removed: RawObject[] = [];
      for (const [i, p] of parts.entries()) {
        if (p === prev.parts[i]) continue;
        for (const o of p.changes!.added) added.push(o);
        for (const o of p.changes!.removed) removed.push(o);
      }
      merged.changes = { since: prev.merged.generation!, added, removed };
    }
    this.last = { parts, merged };
    return merged;
  }

  synced(): boolean {
    return this.sources.every((s) => s.synced());
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close()));
  }
}
