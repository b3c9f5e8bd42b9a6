// A map that shares a large base map and replaces the values of some of its keys: what a type snapshot's
// resources become when an EndpointSlice change replaces a few ClusterLoadAssignments of thousands, without
// copying the thousands.

/**
 * `base` with the values of `replaced`'s keys (every one a key of `base`) taken from `replaced`. Iterates in
 * `base`'s order, so a sorted base stays sorted. Read-only: replacing more makes a new one (`withReplaced`).
 */
export class ReplacedMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    readonly base: ReadonlyMap<string, V>,
    readonly replaced: ReadonlyMap<string, V>,
  ) {}

  /**
   * `map` with `values` replacing those of their keys, all of which must be keys of `map`. The replacements
   * accumulate over the same base until they are a quarter of it; then the result is a plain map again, so
   * lookups stay one or two map reads and the cost of a replacement stays proportional to its size.
   */
  static withReplaced<V>(map: ReadonlyMap<string, V>, values: ReadonlyMap<string, V>): ReadonlyMap<string, V> {
    const base = map instanceof ReplacedMap ? (map.base as ReadonlyMap<string, V>) : map;
    const replaced = new Map(map instanceof ReplacedMap ? (map.replaced as ReadonlyMap<string, V>) : undefined);
    for (const [k, v] of values) {
      if (!base.has(k)) throw new Error(`ReplacedMap: ${k} is not a key of the base map`);
      replaced.set(k, v);
    }
    if (replaced.size * 4 <= base.size) return new ReplacedMap(base, replaced);
    const flat = new Map<string, V>();
    for (const [k, v] of base) flat.set(k, replaced.has(k) ? replaced.get(k)! : v);
    return flat;
  }

  get size(): number {
    return this.base.size;
  }

  has(key: string): boolean {
    return this.base.has(key);
  }

  get(key: string): V | undefined {
    return this.replaced.has(key) ? this.replaced.get(key) : this.base.get(key);
  }

  *entries(): IterableIterator<[string, V]> {
    const r = this.replaced;
    for (const [k, v] of this.base) yield [k, r.has(k) ? r.get(k)! : v];
  }

  keys(): IterableIterator<string> {
    return this.base.keys();
  }

  *values(): IterableIterator<V> {
    const r = this.replaced;
    for (const [k, v] of this.base) yield r.has(k) ? r.get(k)! : v;
  }

  forEach(f: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) f.call(thisArg, v, k, this);
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}

/**
 * The keys whose values may differ from `from` to `to` when both are the same base with replacements (a
 * snapshot and one replaced from it by the EndpointSlice fast path): the replaced keys of either; undefined
 * when that is not known and every key must be compared. Both then have the same keys (the base's).
 */
export function keysReplacedBetween<V>(from: ReadonlyMap<string, V>, to: ReadonlyMap<string, V>): Iterable<string> | undefined {
  if (!(to instanceof ReplacedMap)) return undefined;
  if (from === to.base) return to.replaced.keys();
  if (!(from instanceof ReplacedMap) || from.base !== to.base) return undefined;
  const keys = new Set(to.replaced.keys());
  for (const k of from.replaced.keys()) keys.add(k);
  return keys;
}
