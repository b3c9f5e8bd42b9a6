import * as assert from 'node:assert/strict';
import { TYPE, mergeResources, type Decoded } from '../../helpers/ads-client';

// The test ADS client's view of a type across SotW responses: RDS/EDS/SDS responses may carry only the changed
// resources (src/xds/sotw.ts), LDS/CDS ones the whole state.
describe('test helper ads-client: mergeResources', () => {
  const held = new Map<string, Decoded>([['a', { name: 'a', v: 1 }], ['b', { name: 'b', v: 1 }]]);

  it('keeps the RDS/EDS/SDS resources a response does not carry, replaces those it does', () => {
    for (const type of [TYPE.rds, TYPE.sds]) {
      const out = mergeResources(held, { type_url: type, resources: [{ name: 'b', v: 2 }] });
      assert.deepEqual([...out.values()], [{ name: 'a', v: 1 }, { name: 'b', v: 2 }]);
    }
    const eds = mergeResources(new Map([['c1', { cluster_name: 'c1' }]]), { type_url: TYPE.eds, resources: [{ cluster_name: 'c2' }] });
    assert.deepEqual([...eds.keys()], ['c1', 'c2']);
  });

  it('drops what is no longer subscribed to, and takes LDS/CDS responses as the whole state', () => {
    assert.deepEqual([...mergeResources(held, { type_url: TYPE.rds, resources: [] }, ['b']).keys()], ['b']);
    assert.deepEqual([...mergeResources(held, { type_url: TYPE.lds, resources: [{ name: 'b' }] }).keys()], ['b']);
    assert.deepEqual([...held.keys()], ['a', 'b'], 'the held view is not modified');
  });
});
