import { strict as assert } from 'node:assert';
import { startReclaim } from '../../../src/serve/reclaim';

const MiB = 2 ** 20;
/** The heap in use as the reclaimer sees it: small, so the fixed threshold applies (the test process's own heap varies). */
const SMALL_HEAP = () => 0;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for `cond` (a loaded machine delays timers), up to 2 s. */
async function until(cond: () => boolean): Promise<void> {
  for (let t = 0; t < 400 && !cond(); t++) await wait(5);
}

/** A reclaimer over a scripted array-buffer figure; the fake collection brings it back to `afterCollect`. */
function scripted(start: number, afterCollect = start, heapUsed = 0) {
  const s = { value: start, collections: 0 };
  const r = startReclaim({ thresholdBytes: 16 * MiB, checkMs: 5, minIntervalMs: 30 }, () => s.value, () => {
    s.collections++;
    s.value = afterCollect;
  }, () => heapUsed)!;
  return { s, r };
}

describe('serve: reclaiming sent buffers after bursts (reclaim.ts)', () => {
  it('collects once array buffers are 16 MiB above what the last collection left and stopped growing', async () => {
    const { s, r } = scripted(2 * MiB);
    try {
      s.value = 10 * MiB; // below the threshold: nothing
      await wait(40);
      assert.equal(s.collections, 0);
      s.value = 30 * MiB; // a burst of sends
      await until(() => s.collections > 0);
      assert.equal(s.collections, 1, 'the burst is over (the figure stays): one collection');
      assert.equal(r.collections, 1);
      await wait(40);
      assert.equal(s.collections, 1, 'nothing left above the threshold: no further collection');
    } finally {
      r.stop();
    }
  });

  it('on a large heap, waits for garbage worth an eighth of it (a full collection pauses in proportion to the heap)', async () => {
    const { s, r } = scripted(2 * MiB, 2 * MiB, 400 * MiB);
    try {
      s.value = 40 * MiB; // 38 MiB over: above 16 MiB, below 400 / 8 = 50 MiB
      await wait(60);
      assert.equal(s.collections, 0);
      s.value = 60 * MiB; // 58 MiB over
      await until(() => s.collections > 0);
      assert.equal(s.collections, 1);
    } finally {
      r.stop();
    }
  });

  it('does not collect while buffers are still being handed over, unless the burst passes twice the threshold', async () => {
    // Each sample sees the figure grown by 3 MiB (sends being handed over) until `stopAt`; the fake collection
    // counts whether the figure was still growing.
    const run = async (stopAt: number) => {
      const s = { value: 0, whileGrowing: 0 };
      const r = startReclaim({ thresholdBytes: 16 * MiB, checkMs: 2, minIntervalMs: 10_000 }, () => {
        if (s.value < stopAt) s.value += 3 * MiB;
        return s.value;
      }, () => {
        if (s.value < stopAt) s.whileGrowing++;
        s.value = stopAt; // stop the growth either way
      }, SMALL_HEAP)!;
      try {
        while (s.value < stopAt) await wait(5);
        return s.whileGrowing;
      } finally {
        r.stop();
      }
    };
    assert.equal(await run(30 * MiB), 0, 'a burst that stays under 32 MiB: no collection while it grows');
    assert.equal(await run(300 * MiB), 1, 'a long burst: collected once 32 MiB above the base');
  });

  it('collects once a burst stops growing', async () => {
    const s = { value: 0, collections: 0 };
    const r = startReclaim({ thresholdBytes: 16 * MiB, checkMs: 2, minIntervalMs: 10_000 }, () => {
      if (s.value < 24 * MiB) s.value += 3 * MiB;
      return s.value;
    }, () => {
      s.collections++;
    }, SMALL_HEAP)!;
    try {
      await until(() => s.collections > 0);
      await wait(20);
      assert.equal(s.collections, 1);
    } finally {
      r.stop();
    }
  });

  it('collects at most once per minIntervalMs, and a figure brought down by V8 becomes the new base', async () => {
    const s = { value: 0, collections: 0 };
    const r = startReclaim({ thresholdBytes: 16 * MiB, checkMs: 5, minIntervalMs: 10_000 }, () => s.value, () => {
      s.collections++; // a collection that frees nothing (the buffers are still referenced)
    }, SMALL_HEAP)!;
    try {
      s.value = 40 * MiB;
      await until(() => s.collections > 0);
      await wait(60);
      assert.equal(s.collections, 1, 'a second collection waits for the interval');
    } finally {
      r.stop();
    }
    const t = scripted(50 * MiB);
    try {
      s.value = 0;
      t.s.value = 8 * MiB; // V8 freed them itself: 8 MiB is the new base, not 42 MiB below it
      await wait(30);
      t.s.value = 20 * MiB; // 12 MiB above the new base
      await wait(30);
      assert.equal(t.s.collections, 0);
      t.s.value = 25 * MiB;
      await until(() => t.s.collections > 0);
      assert.equal(t.s.collections, 1);
    } finally {
      t.r.stop();
    }
  });

  it('collects a rebuild\'s garbage: once the heap in use is 8 MiB (or an eighth of it) above what the last collection left', async () => {
    const heap = { value: 60 * MiB };
    const s = { value: 2 * MiB, collections: 0 };
    const r = startReclaim({ checkMs: 5, minIntervalMs: 30 }, () => s.value, () => {
      s.collections++;
      heap.value = 62 * MiB; // what the collection left: the new base
    }, () => heap.value)!;
    try {
      heap.value = 66 * MiB; // 6 MiB of garbage: below 8 MiB
      await wait(40);
      assert.equal(s.collections, 0);
      heap.value = 69 * MiB; // 9 MiB
      await until(() => s.collections > 0);
      assert.equal(s.collections, 1);
      heap.value = 68 * MiB; // 6 MiB above the new base (62)
      await wait(60);
      assert.equal(s.collections, 1, 'measured from what the collection left');
      heap.value = 90 * MiB;
      await until(() => s.collections > 1);
      assert.equal(s.collections, 2);
    } finally {
      r.stop();
    }
    // A large heap: an eighth of it (400 MiB / 8 = 50 MiB) before a full collection is worth its pause.
    const big = { value: 400 * MiB, collections: 0 };
    const rb = startReclaim({ checkMs: 5, minIntervalMs: 30 }, () => 0, () => void big.collections++, () => big.value)!;
    try {
      big.value = 440 * MiB;
      await wait(40);
      assert.equal(big.collections, 0);
      big.value = 460 * MiB;
      await until(() => big.collections > 0);
      assert.equal(big.collections, 1);
    } finally {
      rb.stop();
    }
  });

  it('leaves a rebuild\'s garbage while sends are being handed over (collecting would pause them)', async () => {
    const heap = { value: 60 * MiB };
    const s = { value: 0, collections: 0 };
    const r = startReclaim({ checkMs: 2, minIntervalMs: 30 }, () => {
      if (s.value < 30 * MiB) s.value += 3 * MiB; // a push being handed over, 30 MiB in all (under 32: no buffer collection)
      return s.value;
    }, () => void s.collections++, () => heap.value)!;
    try {
      heap.value = 80 * MiB;
      while (s.value < 30 * MiB) {
        assert.equal(s.collections, 0, 'no collection while the buffers grow');
        await wait(2);
      }
      await until(() => s.collections > 0);
      assert.equal(s.collections, 1, 'collected once the sends settled');
    } finally {
      r.stop();
    }
  });

  it('holds its collections while responses are being written (written without copies, they do not grow array buffers)', async () => {
    const heap = { value: 60 * MiB };
    const s = { collections: 0, samples: 0, writes: 0, collectedWhileWriting: 0 };
    // Each of the first 20 samples sees writes done since the previous one (a push being written), then none.
    const writing = () => s.samples < 20;
    const r = startReclaim({ checkMs: 2, minIntervalMs: 10 }, () => 0, () => {
      s.collections++;
      if (writing()) s.collectedWhileWriting++;
    }, () => heap.value, () => {
      s.samples++;
      if (writing()) s.writes++;
      return s.writes;
    })!;
    try {
      heap.value = 90 * MiB; // 30 MiB above the start: worth a collection
      await until(() => s.collections > 0);
      assert.equal(s.collectedWhileWriting, 0, 'no collection while writes go on');
      assert.equal(s.collections, 1, 'collected once they stopped');
    } finally {
      r.stop();
    }
  });

  it('stop() ends the watching', async () => {
    const { s, r } = scripted(0);
    r.stop();
    s.value = 100 * MiB;
    await wait(30);
    assert.equal(s.collections, 0);
  });

  it('finds a full collection without --expose-gc, and it frees unreferenced array buffers', async () => {
    const r = startReclaim({ checkMs: 60_000 });
    assert.ok(r, 'a collection function is available');
    r.stop();
    // The same function the reclaimer uses: a new context's gc once --expose-gc is set (or the global one).
    const gc = (globalThis as { gc?: () => void }).gc ?? (require('node:vm') as typeof import('node:vm')).runInNewContext('gc');
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let sink = 0;
    (() => {
      const bufs = Array.from({ length: 32 }, () => Buffer.alloc(MiB, 1));
      sink += bufs.length;
    })();
    const held = process.memoryUsage().arrayBuffers;
    assert.ok(held - base >= 30 * MiB && sink === 32, 'allocated');
    gc();
    gc();
    const after = process.memoryUsage().arrayBuffers;
    assert.ok(after - base < 8 * MiB, `32 MiB of dropped buffers freed (${Math.round((held - after) / MiB)} MiB)`);
  });
});
