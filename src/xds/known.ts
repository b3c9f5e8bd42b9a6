// What a client holds of one resource type, name → version, as both stream kinds track it: delta streams to
// send only what differs, state-of-the-world streams to do the same for the types whose responses need not
// carry the whole state (everything but listeners and clusters).
import type { EncodedResource } from './snapshot';

/**
 * What a client has of one type: name → version. Usually exactly the resources of one type snapshot (one
 * map shared by every stream in step, not a copy each: 1,000 streams × 10,000 routes), plus differences.
 */
export class Known {
  /** The client has every resource of this map, at its version... */
  private base?: ReadonlyMap<string, EncodedResource>;
  /** ...except these names: another version, or null when it does not have it. */
  private readonly diff = new Map<string, string | null>();

  constructor(initial: Record<string, string> = {}) {
    for (const [name, version] of Object.entries(initial)) this.diff.set(name, version);
  }

  get(name: string): string | undefined {
    const d = this.diff.get(name);
    if (d !== undefined) return d ?? undefined;
    return this.base?.get(name)?.version;
  }

  set(name: string, version: string): void {
    if (this.base?.get(name)?.version === version) this.diff.delete(name);
    else this.diff.set(name, version);
  }

  delete(name: string): void {
    if (this.base?.has(name)) this.diff.set(name, null);
    else this.diff.delete(name);
  }

  /** Every name the client has (unsorted). */
  names(): string[] {
    const out: string[] = [];
    if (this.base) for (const n of this.base.keys()) if (!this.diff.has(n)) out.push(n);
    for (const [n, v] of this.diff) if (v !== null) out.push(n);
    return out;
  }

  /** The client now has exactly `resources`. */
  rebase(resources: ReadonlyMap<string, EncodedResource>): void {
    this.base = resources;
    this.diff.clear();
  }

  /** The map the client has exactly, if any. */
  exactly(): ReadonlyMap<string, EncodedResource> | undefined {
    return this.diff.size === 0 ? this.base : undefined;
  }

  /** The map the client has apart from the differences (undefined: nothing but the differences). */
  baseMap(): ReadonlyMap<string, EncodedResource> | undefined {
    return this.base;
  }

  /** The names whose version differs from the base map's (few: what the base does not say). */
  differences(): IterableIterator<string> {
    return this.diff.keys();
  }

  /** The client has nothing. */
  empty(): boolean {
    return !this.base && this.diff.size === 0;
  }
}
