import assert from 'node:assert/strict';
import {
  DURATION_PATTERN,
  Schema,
  SchemaReport,
  checkTraefikDuration,
  duration,
  editDistance,
  intOrString,
  looseDuration,
  parseGoDuration,
  pruneNulls,
  suggest,
  validateAgainst,
} from '../../../src/model/crds/schema';

interface Collected {
  ok: boolean;
  errors: { path: string; message: string }[];
  warnings: { path: string; message: string }[];
}

function run(schema: Schema, value: unknown, path = 'spec'): Collected {
  const errors: Collected['errors'] = [];
  const warnings: Collected['warnings'] = [];
  const report: SchemaReport = {
    error: (p, m) => errors.push({ path: p, message: m }),
    warn: (p, m) => warnings.push({ path: p, message: m }),
  };
  const ok = validateAgainst(schema, value, path, report);
  return { ok, errors, warnings };
}

const sample: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string' },
    port: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
    weight: { type: 'integer', minimum: 0, maximum: 100 },
    enabled: { type: 'boolean' },
    mode: { type: 'string', enum: ['wrr', 'p2c', 'RoundRobin'], 'x-traefik-xds-deprecated-values': { RoundRobin: 'use "wrr"' } },
    tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' } },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    old: { type: 'string', 'x-traefik-xds-deprecated': 'use name instead' },
    followRedirects: { type: 'boolean' },
    rootCAs: { type: 'array', items: { type: 'string' } },
  },
};

describe('crds/schema: validateAgainst', () => {
  it('accepts a valid value', () => {
    const r = run(sample, { name: 'a', port: 'web', weight: 3, enabled: true, mode: 'wrr', tags: ['x'], headers: { A: 'b' } });
    assert.equal(r.ok, true);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
  });

  it('reports wrong types with the field path and a hint', () => {
    const r = run(sample, { name: 80, enabled: 'yes', weight: '3', tags: 'x' });
    assert.equal(r.ok, false);
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    assert.match(byPath['spec.name'], /expected a string, got the integer 80 \(quote it: "80"\)/);
    assert.match(byPath['spec.enabled'], /expected a boolean, got the string "yes" \(write true, unquoted\)/);
    assert.match(byPath['spec.weight'], /expected an integer, got the string "3" \(write 3, unquoted\)/);
    assert.match(byPath['spec.tags'], /expected a list/);
  });

  it('rejects non-integers for integer fields', () => {
    const r = run(sample, { name: 'a', weight: 1.5 });
    assert.match(r.errors[0].message, /expected an integer, got the number 1.5/);
  });

  it('reports unknown fields with a did-you-mean (case-insensitive first, then edit distance)', () => {
    const r = run(sample, { name: 'a', followRedirect: true, rootcas: [], nme: 'x', completelyDifferent: 1 });
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    assert.equal(byPath['spec.followRedirect'], 'unknown field "followRedirect"; did you mean "followRedirects"?');
    assert.equal(byPath['spec.rootcas'], 'unknown field "rootcas"; did you mean "rootCAs"? (names are case-sensitive)');
    assert.match(byPath['spec.nme'], /did you mean "name"/);
    assert.equal(byPath['spec.completelyDifferent'], 'unknown field "completelyDifferent"');
  });

  it('reports missing required fields at the missing path', () => {
    const r = run(sample, { port: 80 });
    assert.deepEqual(r.errors, [{ path: 'spec.name', message: 'missing required field "name"' }]);
  });

  it('checks enums, with a suggestion, and warns on deprecated values', () => {
    const bad = run(sample, { name: 'a', mode: 'WRR' });
    assert.match(bad.errors[0].message, /unsupported value "WRR": must be one of "wrr", "p2c", "RoundRobin"; did you mean "wrr"\?/);
    const dep = run(sample, { name: 'a', mode: 'RoundRobin' });
    assert.equal(dep.ok, true);
    assert.deepEqual(dep.warnings, [{ path: 'spec.mode', message: 'value "RoundRobin" is deprecated: use "wrr"' }]);
  });

  it('checks int-or-string', () => {
    assert.equal(run(sample, { name: 'a', port: 8080 }).ok, true);
    assert.equal(run(sample, { name: 'a', port: 'http' }).ok, true);
    const r = run(sample, { name: 'a', port: true });
    assert.match(r.errors[0].message, /expected an integer or a string, got the boolean true/);
    assert.equal(run(sample, { name: 'a', port: 1.5 }).ok, false);
  });

  it('checks minimum and maximum', () => {
    assert.match(run(sample, { name: 'a', weight: -1 }).errors[0].message, /-1 is below the minimum 0/);
    assert.match(run(sample, { name: 'a', weight: 101 }).errors[0].message, /101 is above the maximum 100/);
  });

  it('checks patterns on list items with indexed paths', () => {
    const r = run(sample, { name: 'a', tags: ['ok', 'NOT'] });
    assert.deepEqual(r.errors.map((e) => e.path), ['spec.tags[1]']);
    assert.match(r.errors[0].message, /does not match the pattern/);
  });

  it('validates map values with additionalProperties and quotes odd keys in paths', () => {
    const r = run(sample, { name: 'a', headers: { 'X-Ok': 'v', 'X.Dotted': 3 } });
    assert.deepEqual(r.errors.map((e) => e.path), ['spec.headers["X.Dotted"]']);
  });

  it('warns on deprecated fields', () => {
    const r = run(sample, { name: 'a', old: 'x' });
    assert.equal(r.ok, true);
    assert.deepEqual(r.warnings, [{ path: 'spec.old', message: '"old" is deprecated: use name instead' }]);
  });

  it('treats null fields as absent (the API server prunes them) but null list items as errors', () => {
    assert.equal(run(sample, { name: 'a', port: null }).ok, true);
    assert.equal(run(sample, { name: null }).ok, false);
    const r = run(sample, { name: 'a', tags: [null] });
    assert.equal(r.errors[0].path, 'spec.tags[0]');
    assert.deepEqual(pruneNulls({ a: null, b: [1, { c: null, d: 2 }] }), { b: [1, { d: 2 }] });
  });

  it('ignores unknown fields of lenient objects (x-kubernetes-preserve-unknown-fields)', () => {
    const lenient: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } };
    assert.equal(run(lenient, { a: 'x', whatever: { deep: 1 } }).ok, true);
    assert.equal(run(lenient, { a: 1 }).ok, false);
  });

  it('checks base64 (format: byte)', () => {
    const s: Schema = { type: 'string', format: 'byte' };
    assert.equal(run(s, 'aGVsbG8=').ok, true);
    assert.match(run(s, 'not base64!').errors[0].message, /not valid base64/);
  });

  it('evaluates the CEL rules it knows', () => {
    const s: Schema = {
      type: 'string',
      'x-kubernetes-validations': [{ rule: "self.startsWith('/')", message: "must start with a '/'" }],
    };
    assert.equal(run(s, '/x').ok, true);
    assert.deepEqual(run(s, 'x').errors, [{ path: 'spec', message: "must start with a '/'" }]);
  });
});

describe('crds/schema: durations', () => {
  it('parses Go durations like time.ParseDuration', () => {
    assert.deepEqual(parseGoDuration('1m30s'), { ns: 90e9 });
    assert.deepEqual(parseGoDuration('1.5s'), { ns: 1.5e9 });
    assert.deepEqual(parseGoDuration('-100ms'), { ns: -100e6 });
    assert.deepEqual(parseGoDuration('10µs'), { ns: 10e3 });
    assert.deepEqual(parseGoDuration('0'), { ns: 0 });
    assert.deepEqual(parseGoDuration('1m30'), { error: 'missing unit in duration "1m30"' });
    assert.deepEqual(parseGoDuration('5d'), { error: 'unknown unit "d" in duration "5d"' });
    assert.deepEqual(parseGoDuration(''), { error: 'invalid duration ""' });
    assert.deepEqual(parseGoDuration('.s'), { error: 'invalid duration ".s"' });
  });

  it('accepts what paerser accepts: bare integers are seconds', () => {
    assert.equal(checkTraefikDuration('10'), undefined);
    assert.equal(checkTraefikDuration('-1'), undefined);
    assert.equal(checkTraefikDuration('1.5s'), undefined);
    assert.match(checkTraefikDuration('ten seconds')!, /invalid duration|unknown unit/);
  });

  it('patterned IntOrString durations reject fractions and signs, with an equivalent to write', () => {
    const s = duration();
    assert.equal(s.pattern, DURATION_PATTERN);
    assert.equal(run(s, '30s').ok, true);
    assert.equal(run(s, '1m30s').ok, true);
    assert.equal(run(s, 42).ok, true);
    assert.equal(run(s, -1).ok, true, 'integers are not matched against the pattern');
    const frac = run(s, '1.5s');
    assert.match(frac.errors[0].message, /invalid duration "1.5s".*write "1500ms"/);
    const neg = run(s, '-2s');
    assert.match(neg.errors[0].message, /integer number of seconds: -2/);
    const unitless = run(s, '1m30');
    assert.match(unitless.errors[0].message, /missing unit in duration "1m30"/);
  });

  it('unpatterned durations accept any paerser duration', () => {
    const s = looseDuration();
    assert.equal(run(s, '1.5s').ok, true);
    assert.equal(run(s, '-1s').ok, true);
    assert.equal(run(s, 10).ok, true);
    assert.match(run(s, '10 seconds').errors[0].message, /duration/);
  });

  it('plain-string durations (flushInterval) accept "" as unset and Go durations', () => {
    const s: Schema = { type: 'string', 'x-traefik-xds-duration': true };
    assert.equal(run(s, '').ok, true);
    assert.equal(run(s, '-1ms').ok, true);
    assert.equal(run(s, '100').ok, true);
    assert.equal(run(s, '100 ms').ok, false);
  });

  it('int-or-string helper carries the Kubernetes anyOf', () => {
    assert.deepEqual(intOrString().anyOf, [{ type: 'integer' }, { type: 'string' }]);
  });
});

describe('crds/schema: suggestions', () => {
  it('prefers a case-insensitive match, then the closest name', () => {
    assert.equal(suggest('accesslogs', ['accessLogs', 'metrics']), 'accessLogs');
    assert.equal(suggest('followRedirect', ['followRedirects', 'hostname']), 'followRedirects');
    assert.equal(suggest('serverstransport', ['serversTransport', 'scheme']), 'serversTransport');
    assert.equal(suggest('zzz', ['name', 'port']), undefined);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});
