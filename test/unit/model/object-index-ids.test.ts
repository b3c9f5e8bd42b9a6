// byTraefikId: lookups of `ns-name@kubernetescrd` references, as Traefik's Normalize(namespace-name) finds them.
import { strict as assert } from 'node:assert';
import { byTraefikId } from '../../../src/model/object-index';

type Obj = { namespace: string; name: string; tag: string };
const obj = (namespace: string, name: string, tag = `${namespace}/${name}`): Obj => ({ namespace, name, tag });
const collection = (...objs: Obj[]) => new Map(objs.map((o) => [`${o.namespace}/${o.name}`, o]));

describe('byTraefikId', () => {
  it('finds objects by Normalize(namespace-name), several with one id in key order', () => {
    // a-b/c, a/b-c and a/b.c all have the id a-b-c (Normalize splits on every rune that is not a letter or digit).
    const coll = collection(obj('a', 'b.c'), obj('team', 'mw'), obj('a', 'b-c'), obj('a-b', 'c'));
    const ids = byTraefikId(coll);
    assert.deepEqual(ids.get('team-mw')?.map((o) => o.tag), ['team/mw']);
    // Key order by code units, as ObjectIndex.sorted: '-' (0x2d) < '.' (0x2e) < '/' (0x2f).
    assert.deepEqual(ids.get('a-b-c')?.map((o) => o.tag), ['a-b/c', 'a/b-c', 'a/b.c']);
    assert.equal(ids.get('missing'), undefined);
  });

  it('is made once per collection, and a new collection gets its own', () => {
    const coll = collection(obj('ns', 'x'));
    assert.equal(byTraefikId(coll), byTraefikId(coll));
    const other = collection(obj('ns', 'y'));
    assert.deepEqual([...byTraefikId(other).keys()], ['ns-y']);
  });

  it('reads the collection size on every lookup, cached or not (how a recorded IngressRoute learns it read the whole collection)', () => {
    const real = collection(obj('ns', 'x'));
    let sizeReads = 0;
    const view = new Proxy(real, {
      get(target, prop) {
        if (prop === 'size') sizeReads++;
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    byTraefikId(view);
    byTraefikId(view);
    assert.ok(sizeReads >= 2, `size read ${sizeReads} times`);
  });
});
