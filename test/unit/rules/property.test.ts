import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultPriority, parseRule, toDNF, toPredicate, type Pred, type RuleParseOptions } from '../../../src/model/rules';

const ALL_OPTIONS: RuleParseOptions[] = [
  { syntax: 'v3', protocol: 'http' },
  { syntax: 'v2', protocol: 'http' },
  { syntax: 'v3', protocol: 'tcp' },
  { syntax: 'v2', protocol: 'tcp' },
];

/** The whole pipeline must return results, never throw, and keep offsets inside the rule. */
function checkTotal(rule: string): void {
  for (const opts of ALL_OPTIONS) {
    const r = parseRule(rule, opts);
    if (!r.ok) {
      assert.equal(typeof r.error.message, 'string');
      assert.ok(r.error.message.length > 0);
      assert.ok(Number.isInteger(r.error.offset) && r.error.offset >= 0 && r.error.offset <= rule.length, `offset ${r.error.offset} out of range for ${JSON.stringify(rule)}`);
      assert.ok(!r.error.message.startsWith('internal error'), r.error.message);
      continue;
    }
    const p = toPredicate(r.ast);
    assertCanonical(p);
    toDNF(p, 16);
  }
  assert.equal(typeof defaultPriority(rule, 'tcp'), 'number');
}

/** `not` only ever wraps a leaf; and/or have at least 2 items and no same-kind child. */
function assertCanonical(p: Pred): void {
  if (p.t === 'not') {
    assert.ok(!['and', 'or', 'not'].includes(p.item.t));
    return;
  }
  if (p.t === 'and' || p.t === 'or') {
    assert.ok(p.items.length >= 2);
    for (const i of p.items) {
      assert.notEqual(i.t, p.t);
      assertCanonical(i);
    }
  }
}

const NAMES = [
  'Host', 'HostRegexp', 'Path', 'PathPrefix', 'PathRegexp', 'Method', 'Header', 'HeaderRegexp', 'Query', 'QueryRegexp',
  'ClientIP', 'HostHeader', 'Headers', 'HeadersRegexp', 'HostSNI', 'HostSNIRegexp', 'ALPN', 'host', 'PATH', 'Pathprefix', 'Nope',
];

const VALUES = fc.oneof(
  fc.constantFrom('/', '/api', '/{id}', '/{id:[0-9]+}', 'example.com', '*', '*.a.com', '{sub}.a.com', '10.0.0.0/8', '::1', 'GET', 'X-A', 'a=b', 'h2', '(a)\\1', '[', '{', 'é', 'acme-tls/1', ''),
  fc.string({ maxLength: 12 }),
);

function goLiteral(v: string, quote: 'raw' | 'double'): string {
  if (quote === 'raw') return '`' + v.replace(/`/g, '') + '`';
  return JSON.stringify(v); // JSON escapes are a subset of Go's, except \/ which JSON.stringify never emits
}

const literal = fc.tuple(VALUES, fc.constantFrom<'raw' | 'double'>('raw', 'double')).map(([v, q]) => goLiteral(v, q));

const call = fc
  .tuple(fc.constantFrom(...NAMES), fc.array(literal, { minLength: 0, maxLength: 4 }), fc.constantFrom('', ' '))
  .map(([name, args, sp]) => `${name}(${args.join(`,${sp}`)})`);

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    call,
    fc.tuple(tie('expr'), fc.constantFrom(' && ', ' || ', '&&', ' &&\n', '\n&& ', ' & ', ' ', ''), tie('expr')).map(([a, op, b]) => a + op + b),
    tie('expr').map((e) => `!${e}`),
    tie('expr').map((e) => `(${e})`),
  ),
}));

/** Mutations that keep a rule "almost" valid: truncation, deletions, insertions of syntax characters. */
const mutated = fc
  .tuple(expr, fc.nat(), fc.constantFrom('', '(', ')', '`', '"', '\\', '!', ',', '\n', "'", '/*', '//', '\u0000', '\ud800', '...'))
  .map(([e, pos, ins]) => {
    const at = e.length === 0 ? 0 : pos % (e.length + 1);
    return e.slice(0, at) + ins + e.slice(at + (pos % 3 === 0 ? 1 : 0));
  });

describe('rules: property-based', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), checkTotal), { numRuns: 400 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), checkTotal), { numRuns: 200 });
  });

  it('never throws on well-formed-ish rules', () => {
    fc.assert(fc.property(expr, checkTotal), { numRuns: 500 });
  });

  it('never throws on mutated rules', () => {
    fc.assert(fc.property(mutated, checkTotal), { numRuns: 500 });
  });

  it('parses every rule built from valid v3 HTTP matchers and operators', () => {
    const valid = fc.constantFrom('Host(`a.com`)', 'PathPrefix(`/x`)', 'Method(`GET`)', 'Header(`X`, `1`)', 'Query(`q`)', 'ClientIP(`10.0.0.1`)');
    const { rule } = fc.letrec<{ rule: string }>((tie) => ({
      rule: fc.oneof(
        { depthSize: 'small' },
        valid,
        fc.tuple(tie('rule'), fc.constantFrom(' && ', ' || '), tie('rule')).map(([a, op, b]) => a + op + b),
        tie('rule').map((e) => `!(${e})`),
      ),
    }));
    fc.assert(
      fc.property(rule, (r) => {
        const res = parseRule(r, { syntax: 'v3', protocol: 'http' });
        assert.ok(res.ok, res.ok ? '' : `${r}: ${res.error.message}`);
        assertCanonical(toPredicate(res.ast));
        assert.equal(defaultPriority(r, 'http'), Buffer.byteLength(r));
      }),
      { numRuns: 300 },
    );
  });
});
