// V8 settings of the serving process, applied at start (they are read by each collection, so they take effect
// when set at run time).
import * as v8 from 'node:v8';

/**
 * Keeps the hidden classes (maps) that optimised code relies on for 16 old-generation collections instead of
 * V8's 2. A rebuild makes many short-lived objects; once none is alive, a full collection (reclaim.ts runs one
 * after each rebuild) frees their maps, and V8 then discards every optimised function that checks them: the
 * next rebuild ran those unoptimised and compiled them again. Retained, the maps are reused by the next
 * rebuild's objects, which have the same shapes; the heap in use after 15 rebuilds is the same with it and
 * without (docs/performance.md, *Memory* and *Targets*).
 */
export function tuneV8ForRebuilds(): void {
  v8.setFlagsFromString('--retain-maps-for-n-gc=16');
}
