// cloneJson copies JSON-shaped data exactly as structuredClone does, sharing nothing with the original.
import { strict as assert } from 'node:assert';
import { cloneJson } from '../../../src/translate/clone';

describe('cloneJson', () => {
  it('gives structuredClone’s copy (key order, undefined values, nesting) and shares no object', () => {
    const v = {
      prefix: '/a', headers: [{ name: ':method', string_match: { exact: 'GET' } }], skip: undefined, n: 0, f: false,
      nested: { list: [[1, 2], [], { x: null }], empty: {} }, bare: Object.assign(Object.create(null), { k: 'v' }),
    };
    const c = cloneJson(v);
    assert.deepStrictEqual(c, structuredClone(v));
    assert.deepEqual(Object.keys(c), Object.keys(v));
    assert.ok('skip' in c);
    assert.notEqual(c.headers, v.headers);
    assert.notEqual(c.headers[0].string_match, v.headers[0].string_match);
    assert.notEqual(c.nested.list[0], v.nested.list[0]);
    c.headers[0].string_match.exact = 'POST';
    assert.equal(v.headers[0].string_match.exact, 'GET');
  });

  it('hands anything but plain objects and arrays to structuredClone', () => {
    const d = new Date(0);
    const c = cloneJson({ d, b: Uint8Array.from([1, 2]) });
    assert.ok(c.d instanceof Date && c.d !== d && c.d.getTime() === 0);
    assert.ok(c.b instanceof Uint8Array);
    assert.deepEqual([...c.b], [1, 2]);
    assert.equal(cloneJson('s'), 's');
    assert.equal(cloneJson(null), null);
  });
});
