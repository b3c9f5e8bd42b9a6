// Collects the buffers of sent responses soon after a burst of sends. grpc-js copies every response into a
// framed buffer of its own per stream (a new client at 1,000 routes costs 1.1 MiB of them, a pushed route
// configuration 0.3 MiB per client); once HTTP/2 has written them they are garbage outside V8's heap, which V8
// collects only when such memory has grown by about 64 MiB since its last full collection: each burst (clients
// connecting, a push to every client) left that much on top of what was in flight. A full collection runs when
// array-buffer memory is `thresholdBytes` above what the last one left and has stopped growing (buffers still in
// flight cannot be freed; collecting while they are handed over would only pause the sends), or twice that during
// a long burst, at most every `minIntervalMs` (a collection of the 1,000-route heap takes tens of milliseconds).
// The memory goes back to the system when glibc maps large buffers (MALLOC_MMAP_THRESHOLD_, bin/traefik-xds.js).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export interface ReclaimOptions {
  thresholdBytes: number;
  /**
   * A full collection's pause grows with the heap (hundreds of milliseconds at 10,000 routes, which would stall
   * the very writes whose buffers it frees): the threshold is at least this fraction of the heap in use.
   */
  heapFraction: number;
  checkMs: number;
  minIntervalMs: number;
}

export const DEFAULT_RECLAIM: ReclaimOptions = { thresholdBytes: 16 * 2 ** 20, heapFraction: 1 / 8, checkMs: 50, minIntervalMs: 500 };

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

export interface BufferReclaimer {
  /** Collections run so far. */
  readonly collections: number;
  stop(): void;
}

/**
 * Starts watching array-buffer memory (process.memoryUsage().arrayBuffers, sampled every `checkMs`). Returns
 * undefined when no full collection can be requested from JavaScript. `sample` and `collect` are for tests.
 */
export function startBufferReclaim(
  o: Partial<ReclaimOptions> = {},
  sample: () => number = () => process.memoryUsage().arrayBuffers,
  collect: Collect | undefined = fullCollection(),
  heapUsed: () => number = () => v8.getHeapStatistics().used_heap_size,
): BufferReclaimer | undefined {
  const opts = { ...DEFAULT_RECLAIM, ...o };
  if (!collect) return undefined;
  let base = sample();
  let last = base;
  let lastCollection = 0;
  let collections = 0;
  const timer = setInterval(() => {
    const now = sample();
    const growing = now > last + opts.thresholdBytes / 8; // sends still being handed over
    last = now;
    if (now < base) base = now; // freed by V8's own collections
    // During a long burst (clients connecting for seconds) what is already sent is collected too.
    const over = now - base;
    if (over < opts.thresholdBytes) return;
    const threshold = Math.max(opts.thresholdBytes, heapUsed() * opts.heapFraction);
    if (over < threshold || (growing && over < 2 * threshold) || Date.now() - lastCollection < opts.minIntervalMs) return;
    collect();
    collections++;
    lastCollection = Date.now();
    base = last = sample();
  }, opts.checkMs);
  timer.unref();
  return {
    get collections() {
      return collections;
    },
    stop: () => clearInterval(timer),
  };
}
