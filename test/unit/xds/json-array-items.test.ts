// jsonArrayItems: the items of an array in JSON.stringify's output, found by scanning, must be exactly what
// JSON.stringify writes for each item (route configurations are split into virtual hosts this way).
import * as assert from 'node:assert/strict';
import { jsonArrayItems } from '../../../src/xds/json-array-items';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters that could fool a scanner: quotes, backslashes, brackets, commas, controls, surrogates.
const TRICKY = ['"', '\\', '\\"', '[', ']', '{', '}', ',', ':', '\n', '\u0000', '\u2028', '\ud83d\ude00', '\ud800', 'a', ' '];

function randomString(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 8);
  for (let i = 0; i < n; i++) s += TRICKY[Math.floor(r() * TRICKY.length)];
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 4 : 6));
  switch (k) {
    case 0: return randomString(r);
    case 1: return Math.floor(r() * 1000) - 500;
    case 2: return r() < 0.5 ? true : null;
    case 3: return r() * 10;
    case 4: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 4); i > 0; i--) o[randomString(r)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

describe('xds/json-array-items: splitting JSON.stringify output into its items', () => {
  it('finds exactly the items JSON.stringify writes, for random arrays of tricky values', () => {
    const r = rng(20261122);
    for (let c = 0; c < 3000; c++) {
      const items = Array.from({ length: Math.floor(r() * 6) }, () => randomValue(r, 0));
      const prefix = `{"name":${JSON.stringify(randomString(r))},"virtual_hosts":`;
      const text = `${prefix}${JSON.stringify(items)},"rest":${JSON.stringify(randomValue(r, 2))}}`;
      assert.deepEqual(jsonArrayItems(text, prefix.length), items.map((i) => JSON.stringify(i)), text);
    }
  });

  it('returns undefined where there is no array, or the text ends inside it', () => {
    assert.equal(jsonArrayItems('{"a":1}', 0), undefined);
    assert.equal(jsonArrayItems('[1,2', 0), undefined);
    assert.equal(jsonArrayItems('["unterminated]', 0), undefined);
    assert.deepEqual(jsonArrayItems('[]', 0), []);
    assert.deepEqual(jsonArrayItems('x[{"a":[1,2]},"]"]', 1), ['{"a":[1,2]}', '"]"']);
  });
});
