// Collects garbage soon after the bursts that make it, so the process's memory stays near what it holds:
// - Sent buffers. Responses are mostly written without a copy (xds/framed-writer.ts), but those grpc-js writes
//   itself (when the HTTP/2 stream is out of reach) are copied into a framed buffer per stream; once written they
//   are garbage held outside V8's heap, which V8 collects only when such memory has grown by about 64 MiB since
//   its last full collection. A full collection runs when array-buffer memory is `thresholdBytes` above what the
//   last one left and has stopped growing (buffers still in flight cannot be freed; collecting while they are
//   handed over would only pause the sends), or twice that during a long burst.
// - A rebuild's garbage. Each rebuild replaces the model, the translation and the snapshot; what it replaced is
//   old-generation garbage (about 8 MiB per IngressRoute change at 1,000 routes), which V8 leaves until its heap
//   limit, far above: the process grew by that much at every change until then. A full collection runs when the
//   heap in use is `heapThresholdBytes` above what the last collection left, once sends are not growing.
// Both at most every `minIntervalMs`. A full collection pauses in proportion to the heap (tens of milliseconds at
// 1,000 routes, hundreds at 10,000): both thresholds are at least `heapFraction` of the heap in use.
// The memory goes back to the system when glibc maps large buffers (MALLOC_MMAP_THRESHOLD_, bin/traefik-xds.js).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { responseWriteEvents } from '../xds/framed-writer';

export interface ReclaimOptions {
  /** Array-buffer memory (sent responses) above what the last collection left that makes one worth it. */
  thresholdBytes: number;
  /** Heap in use above what the last collection left that makes one worth it. */
  heapThresholdBytes: number;
  /**
   * A full collection's pause grows with the heap (hundreds of milliseconds at 10,000 routes, which would stall
   * the very writes whose buffers it frees): the threshold is at least this fraction of the heap in use.
   */
  heapFraction: number;
  checkMs: number;
  minIntervalMs: number;
}

export const DEFAULT_RECLAIM: ReclaimOptions = { thresholdBytes: 16 * 2 ** 20, heapThresholdBytes: 8 * 2 ** 20, heapFraction: 1 / 8, checkMs: 50, minIntervalMs: 500 };

type Collect = () => void;

/** V8's full collection: `gc` when node runs with --expose-gc, else the same function taken from a new context. */
function fullCollection(): Collect | undefined {
  const g = (globalThis as { gc?: Collect }).gc;
  if (typeof g === 'function') return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    const f = vm.runInNewContext('gc') as unknown;
    return typeof f === 'function' ? (f as Collect) : undefined;
  } catch {
    return undefined;
  }
}

export interface Reclaimer {
  /** Collections run so far. */
  readonly collections: number;
  stop(): void;
}

/**
 * Starts watching array-buffer memory (process.memoryUsage().arrayBuffers), the heap in use and the send
 * activity (a counter that moves while responses are being written), sampled every `checkMs`. Returns undefined
 * when no full collection can be requested from JavaScript. The probes after `o` are for tests.
 */
export function startReclaim(
  o: Partial<ReclaimOptions> = {},
  sample: () => number = () => process.memoryUsage().arrayBuffers,
  collect: Collect | undefined = fullCollection(),
  heapUsed: () => number = () => v8.getHeapStatistics().used_heap_size,
  sendActivity: () => number = responseWriteEvents,
): Reclaimer | undefined {
  const opts = { ...DEFAULT_RECLAIM, ...o };
  if (!collect) return undefined;
  let base = sample();
  let last = base;
  let lastActivity = sendActivity();
  let heapBase = heapUsed();
  let lastCollection = 0;
  let collections = 0;
  const timer = setInterval(() => {
    const now = sample();
    const activity = sendActivity();
    // Sends still being handed over: written without copies (framed-writer.ts), they show as write activity;
    // copied by grpc-js, as array-buffer memory growing.
    const sending = activity !== lastActivity;
    lastActivity = activity;
    const growing = sending || now > last + opts.thresholdBytes / 8;
    last = now;
    if (now < base) base = now; // freed by V8's own collections
    const heap = heapUsed();
    if (heap < heapBase) heapBase = heap;
    if (Date.now() - lastCollection < opts.minIntervalMs) return;
    const floor = heap * opts.heapFraction;
    // During a long burst (clients connecting for seconds) what is already sent is collected too.
    const over = now - base;
    const threshold = Math.max(opts.thresholdBytes, floor);
    const buffers = over >= threshold && (!growing || over >= 2 * threshold);
    const rebuilt = !growing && heap - heapBase >= Math.max(opts.heapThresholdBytes, floor);
    if (!buffers && !rebuilt) return;
    collect();
    collections++;
    lastCollection = Date.now();
    base = last = sample();
    heapBase = heapUsed();
  }, opts.checkMs);
  timer.unref();
  return {
    get collections() {
      return collections;
    },
    stop: () => clearInterval(timer),
  };
}
