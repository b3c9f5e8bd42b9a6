import assert from 'node:assert/strict';
import { compileGlob, globMatch } from '../../../src/config/glob';
import { matchLabelSelector, parseLabelSelector } from '../../../src/config/labelselector';
import type { LabelRequirement } from '../../../src/config/labelselector';

describe('config/glob', () => {
  it('matches *, ?, classes and escapes, anchored', () => {
    assert.equal(globMatch('gateway*', 'gateway-eu'), true);
    assert.equal(globMatch('gateway*', 'my-gateway'), false);
    assert.equal(globMatch('node-?', 'node-1'), true);
    assert.equal(globMatch('node-?', 'node-12'), false);
    assert.equal(globMatch('zone-[a-c]', 'zone-b'), true);
    assert.equal(globMatch('zone-[!a-c]', 'zone-b'), false);
    assert.equal(globMatch('zone-[!a-c]', 'zone-d'), true);
    assert.equal(globMatch('a\\*b', 'a*b'), true);
    assert.equal(globMatch('a\\*b', 'axb'), false);
    assert.equal(globMatch('spiffe://x/ns/*/sa/envoy', 'spiffe://x/ns/prod/sa/envoy'), true);
    assert.equal(globMatch('a.b', 'axb'), false);
  });
  it('reports broken patterns', () => {
    for (const p of ['gw[', 'a\\', '[]', '[z-a]']) {
      const r = compileGlob(p);
      assert.ok(!(r instanceof RegExp), p);
    }
  });
});

describe('config/labelselector', () => {
  const parse = (s: string): LabelRequirement[] => {
    const r = parseLabelSelector(s);
    if ('error' in r) throw new Error(r.error);
    return r;
  };
  it('parses every requirement form', () => {
    assert.deepEqual(parse(''), []);
    assert.deepEqual(parse('app'), [{ key: 'app', op: 'exists', values: [] }]);
    assert.deepEqual(parse('!app'), [{ key: 'app', op: 'notexists', values: [] }]);
    assert.deepEqual(parse('app=web, tier==front'), [
      { key: 'app', op: '=', values: ['web'] },
      { key: 'tier', op: '=', values: ['front'] },
    ]);
    assert.deepEqual(parse('env!=prod'), [{ key: 'env', op: '!=', values: ['prod'] }]);
    assert.deepEqual(parse('env in (a, b),x notin (c)'), [
      { key: 'env', op: 'in', values: ['a', 'b'] },
      { key: 'x', op: 'notin', values: ['c'] },
    ]);
    assert.deepEqual(parse('example.com/team=a'), [{ key: 'example.com/team', op: '=', values: ['a'] }]);
    assert.deepEqual(parse('n>3'), [{ key: 'n', op: 'gt', values: ['3'] }]);
  });
  it('rejects bad selectors', () => {
    for (const s of ['a in b', 'a in (b', '=x', 'a b', 'a,', 'Bad_/x=y', 'a=b$', 'n>x']) {
      assert.ok('error' in parseLabelSelector(s), s);
    }
    // an empty value is valid: the label exists with the empty value
    assert.ok(!('error' in parseLabelSelector('app=')));
  });
  it('evaluates', () => {
    const m = (s: string, labels: Record<string, string>) => matchLabelSelector(parse(s), labels);
    assert.equal(m('app=web', { app: 'web' }), true);
    assert.equal(m('app=web', { app: 'api' }), false);
    assert.equal(m('app!=web', {}), true);
    assert.equal(m('env in (a,b)', { env: 'b' }), true);
    assert.equal(m('env notin (a,b)', { env: 'b' }), false);
    assert.equal(m('!canary', { canary: 'x' }), false);
    assert.equal(m('app,!canary', { app: 'x' }), true);
    assert.equal(m('n>3', { n: '4' }), true);
    assert.equal(m('', {}), true);
  });
});
