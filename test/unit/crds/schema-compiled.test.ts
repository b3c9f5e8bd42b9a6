// validateAgainst reads each schema through a compiled view (one shape, built once per schema object): the
// reports must be those of reading the schema literal itself, including its odd corners.
import assert from 'node:assert/strict';
import { Schema, SchemaReport, validateAgainst } from '../../../src/model/crds/schema';

function run(schema: Schema, value: unknown): string[] {
  const out: string[] = [];
  const report: SchemaReport = { error: (p, m) => out.push(`E ${p}: ${m}`), warn: (p, m) => out.push(`W ${p}: ${m}`) };
  validateAgainst(schema, value, 'spec', report);
  return out;
}

describe('schema validation (compiled view)', () => {
  it('gives the same reports on every use of one schema object, in order', () => {
    const schema: Schema = {
      type: 'object', required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^[a-z]+$' },
        old: { type: 'string', 'x-traefik-xds-deprecated': 'use name' },
        mode: { type: 'string', enum: ['a', 'b'], 'x-traefik-xds-deprecated-values': { b: 'use a' } },
        list: { type: 'array', items: { type: 'integer', minimum: 1 } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    const value = { name: 'X1', old: 'v', mode: 'b', list: [0, null, 2], labels: { k: 1 }, nmae: 'typo' };
    const want = [
      'E spec.name: "X1" does not match the pattern ^[a-z]+$',
      'W spec.old: "old" is deprecated: use name',
      'W spec.mode: value "b" is deprecated: use a',
      'E spec.list[0]: 0 is below the minimum 1',
      'E spec.list[1]: expected an integer, got null (empty list item)',
      'E spec.labels.k: expected a string, got the integer 1 (quote it: "1")',
      'E spec.nmae: unknown field "nmae"',
    ];
    assert.deepEqual(run(schema, value), want);
    assert.deepEqual(run(schema, value), want);
    assert.deepEqual(run(schema, { ...value, name: undefined }).slice(0, 1), ['E spec.name: missing required field "name"']);
  });

  it('handles a schema that contains itself', () => {
    const node: Schema = { type: 'object', properties: { v: { type: 'integer' } } };
    node.properties!.child = node;
    assert.deepEqual(run(node, { v: 1, child: { v: 'x', child: { w: 1 } } }), [
      'E spec.child.v: expected an integer, got the string "x"',
      'E spec.child.child.w: unknown field "w"; did you mean "v"?',
    ]);
  });

  it('treats keys that name inherited properties as the schema literal did (no own property, no error)', () => {
    const schema: Schema = { type: 'object', properties: { a: { type: 'string' } } };
    assert.deepEqual(run(schema, { constructor: 'x', toString: 1 }), []);
  });

  it('compiles a pattern only when a value meets it', () => {
    const schema: Schema = { type: 'object', properties: { bad: { type: 'string', pattern: '(' }, ok: { type: 'string' } } };
    assert.deepEqual(run(schema, { ok: 'fine' }), []);
    assert.throws(() => run(schema, { bad: 'x' }), SyntaxError);
  });
});
