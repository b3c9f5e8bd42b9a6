import assert from 'node:assert/strict';
import { checkRe2, normalizeClientIP, quoteMeta, re2Matches } from '../../../src/model/rules';

describe('rules/re2', () => {
  it('accepts RE2 syntax', () => {
    for (const p of ['^a+$', '(?i)abc', '[[:word:]]+', '\\pL', '(?P<name>x)', '(?<name>x)', '\\Qa.b\\E', '(?s:.*)', 'a{2,1000}', '']) {
      assert.equal(checkRe2(p), undefined, p);
    }
  });

  it('returns RE2 messages for what it rejects', () => {
    assert.equal(checkRe2('(a)\\1'), 'invalid escape sequence: \\1');
    assert.equal(checkRe2('(?=x)'), 'invalid perl operator: (?=');
    assert.equal(checkRe2('(?<=x)a'), 'invalid perl operator: (?<');
    assert.equal(checkRe2('a{1001}'), 'invalid repetition size: {1001}');
    assert.equal(checkRe2('\\u0041'), 'invalid escape sequence: \\u');
    assert.equal(checkRe2('a**'), 'bad repetition operator: **');
    assert.equal(checkRe2('(abc'), 'missing ): (abc');
  });

  it("also rejects what Go's regexp rejects but this RE2 build accepts", () => {
    assert.equal(checkRe2('\\C'), 'invalid escape sequence: \\C');
    assert.equal(checkRe2('(?P<a>x)(?P<a>y)'), 'duplicate capture group name: a');
    assert.equal(checkRe2('\\\\C'), undefined); // an escaped backslash followed by C
  });

  it('matches with unanchored semantics', () => {
    assert.equal(re2Matches('b', 'abc'), true);
    assert.equal(re2Matches('^b', 'abc'), false);
    assert.equal(re2Matches('é$', 'café'), true);
    assert.throws(() => re2Matches('(', 'x'));
  });

  it('quotes like Go regexp.QuoteMeta', () => {
    assert.equal(quoteMeta('a.b*c+d?e(f)g|h[i]j{k}l^m$n\\o-p/q'), 'a\\.b\\*c\\+d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o-p/q');
  });
});

describe('rules/ip (ClientIP values)', () => {
  const cases: Array<[string, string | undefined]> = [
    ['1.2.3.4', '1.2.3.4/32'],
    ['1.2.3.4/24', '1.2.3.0/24'],
    ['1.2.3.4/0', '0.0.0.0/0'],
    ['1.2.3.4/032', '1.2.3.4/32'],
    ['::', '::/128'],
    ['::1', '::1/128'],
    ['2001:0DB8:0:0:0:0:0:1', '2001:db8::1/128'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1/128'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3/128'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0/128'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:db8::1/129', undefined],
    ['::ffff:10.1.2.3', '10.1.2.3/32'],
    ['::ffff:10.1.2.3/120', '10.1.2.0/24'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
    ['::1.2.3.4', '::102:304/128'],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['1.2.3.256', undefined],
    ['01.2.3.4', undefined],
    ['1.2.3.4/', undefined],
    ['1.2.3.4/+8', undefined],
    ['1.2.3.4/33', undefined],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8::', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['12345::', undefined],
    ['fe80::1%eth0', undefined],
    [':1::', undefined],
    ['1::2:', undefined],
    ['1:2:3:4:5:6:7::8', undefined],
    ['localhost', undefined],
    ['', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected ?? 'invalid'}`, () => assert.equal(normalizeClientIP(input), expected));
  }
});
