// Snapshots per fleet key (`fleet/profile`), and the streams waiting on each. The cache only stores and
// notifies: building a snapshot is asked of the `provide` callback (the serve loop), never done here.
import type { FleetKey } from './fleets';
import type { Snapshot } from './snapshot';

export interface SnapshotWatcher {
  onSnapshot(snapshot: Snapshot): void;
}

export class SnapshotCache {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly watchers = new Map<string, Set<SnapshotWatcher>>();
  private readonly known = new Map<string, FleetKey>();

  /** `provide` is called once per new fleet key so the owner can build and `set` its snapshot. */
  constructor(private readonly provide: (key: FleetKey) => void = () => undefined) {}

  get(key: string): Snapshot | undefined {
    return this.snapshots.get(key);
  }

  /** Every fleet key a node has asked for so far: the serve loop rebuilds each of them on change. */
  keys(): FleetKey[] {
    return [...this.known.values()];
  }

  /** Publishes a snapshot; returns false (and notifies nobody) when its version is the current one. */
  set(key: string, snapshot: Snapshot): boolean {
    const cur = this.snapshots.get(key);
    if (cur && cur.version === snapshot.version) return false;
    this.snapshots.set(key, snapshot);
    for (const w of [...(this.watchers.get(key) ?? [])]) w.onSnapshot(snapshot);
    return true;
  }

  watch(fk: FleetKey, w: SnapshotWatcher): Snapshot | undefined {
    if (!this.known.has(fk.key)) {
      this.known.set(fk.key, fk);
      this.provide(fk);
    }
    let set = this.watchers.get(fk.key);
    if (!set) this.watchers.set(fk.key, (set = new Set()));
    set.add(w);
    return this.snapshots.get(fk.key);
  }

  unwatch(key: string, w: SnapshotWatcher): void {
    this.watchers.get(key)?.delete(w);
  }

  watcherCount(key?: string): number {
    if (key) return this.watchers.get(key)?.size ?? 0;
    let n = 0;
    for (const s of this.watchers.values()) n += s.size;
    return n;
  }
}
