// Resources already validated and encoded, by type and content hash, for the whole process: a rebuild that
// produces a resource with the same content as one validated before (any fleet, any earlier snapshot, a
// restarted Controller) reuses its bytes and references instead of reading, checking and encoding it again.
// Validation and encoding are pure functions of (type, content), so this is exact; only valid resources are
// kept. Bounded: two generations, the young one rotated out when it holds more than a budget of bytes, so
// what no recent build used is dropped after two rotations and the cache holds a few snapshots' worth at most.
import type { FoundReference } from '../envoy/consistency';
import type { ResourceKind } from '../envoy/resources';

export interface ValidatedEntry {
  /** google.protobuf.Any bytes. */
  any: Uint8Array;
  /** Length of the JSON text the content hash was computed from. */
  bytes: number;
  /** The names the resource uses (consistency checks). */
  refs: FoundReference[];
  /** RouteConfigurations encoded virtual host by virtual host: each part by the hash of its JSON. */
  parts?: Map<string, { bytes: Uint8Array; refs: FoundReference[] }>;
}

/** Never less than this many bytes per generation; otherwise a few times the largest snapshot seen. */
const MIN_BUDGET = 4 * 2 ** 20;
const SNAPSHOTS_PER_GENERATION = 3;

/** A table per type, by content hash (a key joining the two was a string built for each of thousands of lookups). */
type Generation = Record<ResourceKind, Map<string, ValidatedEntry>>;
const generation = (): Generation => ({ listeners: new Map(), routes: new Map(), clusters: new Map(), endpoints: new Map(), secrets: new Map() });

let young = generation();
let old = generation();
let youngBytes = 0;
let budget = MIN_BUDGET;

/** Roughly the memory an entry keeps: its bytes, its parts' bytes, its references (a share of its JSON text). */
export const weightOf = (e: { any: Uint8Array; bytes: number; parts?: unknown }) => e.any.length * (e.parts ? 2 : 1) + e.bytes / 4;

export function cachedValidated(kind: ResourceKind, version: string): ValidatedEntry | undefined {
  const y = young[kind].get(version);
  if (y) return y;
  const o = old[kind].get(version);
  if (o) rememberValidated(kind, version, o); // still in use: keep it through the next rotation
  return o;
}

/** Records a resource that passed validation (its type's protos and rules) with these bytes. */
export function rememberValidated(kind: ResourceKind, version: string, e: ValidatedEntry): void {
  if (youngBytes > budget) {
    old = young;
    young = generation();
    youngBytes = 0;
  }
  young[kind].set(version, e);
  youngBytes += weightOf(e);
}

/**
 * Sizes the generations to the snapshots being built (called with each snapshot's total weight): a generation
 * must hold a whole snapshot's entries, or a build would rotate out entries it has not reached yet.
 */
export function noteSnapshotSize(weight: number): void {
  budget = Math.max(budget, MIN_BUDGET, SNAPSHOTS_PER_GENERATION * weight);
}

/** Empties the cache (benchmarks measuring a cold validation; tests). */
export function clearValidatedCache(): void {
  young = generation();
  old = generation();
  youngBytes = 0;
}
