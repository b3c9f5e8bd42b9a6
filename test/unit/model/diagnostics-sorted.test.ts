// Diagnostics.sorted removes exact duplicates only: its key joins the fields with control characters, so
// fields that differ only by being absent or empty, or that hold those characters, must stay apart.
import { strict as assert } from 'node:assert';
import { Diagnostics, type Diagnostic } from '../../../src/model/diagnostics';

function withItems(items: Diagnostic[]): Diagnostics {
  const d = new Diagnostics();
  d.merge(items);
  return d;
}

describe('Diagnostics.sorted', () => {
  it('removes exact duplicates, keeping one of each', () => {
    const a: Diagnostic = { severity: 'warning', kind: 'Middleware', namespace: 'ns', name: 'm', field: 'spec', message: 'approximated: x' };
    const got = withItems([a, { ...a }, { ...a, message: 'approximated: y' }, { ...a }]).sorted();
    assert.deepEqual(got.map((d) => d.message), ['approximated: x', 'approximated: y']);
  });

  it('keeps apart what differs by an absent or empty field, or by where a field boundary falls', () => {
    const base: Diagnostic = { severity: 'error', kind: 'IngressRoute', message: 'm' };
    const items: Diagnostic[] = [
      base,
      { ...base, namespace: '' },
      { ...base, name: '' },
      { ...base, field: 'a\u0000b', message: 'm' },
      { ...base, field: 'a', message: 'b\u0000m' },
      { ...base, field: 'a\u0001', message: 'm' },
      { ...base, field: 'a', message: '\u0001m' },
      { ...base, field: 'a\u0000b', message: 'm' }, // a duplicate of the fourth
    ];
    assert.equal(withItems(items).sorted().length, 7);
  });
});
