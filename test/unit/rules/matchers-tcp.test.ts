import assert from 'node:assert/strict';
import { re2Matches, type Pred } from '../../../src/model/rules';
import { pred, rejects, V2_TCP, V3_TCP } from './helpers';

const tcp = (rule: string): Pred => pred(rule, V3_TCP);
const tcp2 = (rule: string): Pred => pred(rule, V2_TCP);

function re(p: Pred): string {
  assert.ok('re' in p, `expected a regexp leaf, got ${JSON.stringify(p)}`);
  return (p as { re: string }).re;
}

describe('rules/matchers: TCP v3', () => {
  it('HostSNI: `*`, plain names, IPs and one-label wildcards', () => {
    assert.deepEqual(tcp('HostSNI(`*`)'), { t: 'hostSNI', host: '*' });
    assert.deepEqual(tcp('HostSNI(`Example.COM.`)'), { t: 'hostSNI', host: 'example.com' });
    assert.deepEqual(tcp('HostSNI(`*.example.com`)'), { t: 'hostSNI', host: '*.example.com' });
    assert.deepEqual(tcp('HostSNI(`10.0.0.1`)'), { t: 'hostSNI', host: '10.0.0.1' });
    assert.deepEqual(tcp('HostSNI(`my_host-1:443`)'), { t: 'hostSNI', host: 'my_host-1:443' });
  });

  it('HostSNI: `*..` is "one label then a dot", which no SNI has', () => {
    const p = tcp('HostSNI(`*..`)');
    assert.equal(p.t, 'hostSNIRegexp');
    assert.equal(re2Matches(re(p), 'a.'), true);
    assert.equal(re2Matches(re(p), 'a.b'), false);
  });

  it('HostSNI: rejects what ^(\\*\\.)?[[:word:].\\-:]+$ rejects', () => {
    rejects('HostSNI(`a b`)', 'HostSNI matcher: "a b" is not a valid hostname', 8, V3_TCP);
    rejects('HostSNI(`*.`)', 'not a valid hostname', 8, V3_TCP);
    rejects('HostSNI(`a.*.com`)', 'not a valid hostname', 8, V3_TCP);
    rejects('HostSNI(`**`)', 'not a valid hostname', 8, V3_TCP);
    rejects('HostSNI(`é.com`)', 'not a valid hostname', 8, V3_TCP);
    rejects('HostSNI(`a`, `b`)', 'matcher HostSNI needs 1 argument, got 2', 13, V3_TCP);
  });

  it('HostSNIRegexp: a user regexp, ASCII only', () => {
    assert.deepEqual(tcp('HostSNIRegexp(`^.+\\.example\\.com$`)'), { t: 'hostSNIRegexp', re: '^.+\\.example\\.com$' });
    rejects('HostSNIRegexp(`é`)', 'HostSNIRegexp matcher: "é" is not a valid hostname', 14, V3_TCP);
    rejects('HostSNIRegexp(`(?=x)`)', 'HostSNIRegexp matcher: RE2 rejects regexp `(?=x)`', 14, V3_TCP);
  });

  it('ClientIP and ALPN', () => {
    assert.deepEqual(tcp('ClientIP(`10.0.0.0/8`)'), { t: 'clientIP', cidr: '10.0.0.0/8' });
    assert.deepEqual(tcp('ALPN(`h2`)'), { t: 'alpn', protocol: 'h2' });
    rejects('ALPN(`acme-tls/1`)', 'ALPN matcher: protocol "acme-tls/1" is not allowed', 5, V3_TCP);
    rejects('ALPN(`h2`, `http/1.1`)', 'matcher ALPN needs 1 argument, got 2', 11, V3_TCP);
    rejects('ClientIP(`nope`)', 'not a valid IP or CIDR', 9, V3_TCP);
  });

  it('combines with operators', () => {
    assert.deepEqual(tcp('HostSNI(`a.com`) && !ALPN(`h2`)'), {
      t: 'and',
      items: [
        { t: 'hostSNI', host: 'a.com' },
        { t: 'not', item: { t: 'alpn', protocol: 'h2' } },
      ],
    });
  });
});

describe('rules/matchers: TCP v2', () => {
  it('HostSNI: OR over names; a leading `*` matches everything', () => {
    assert.deepEqual(tcp2('HostSNI(`a.com`, `B.com.`)'), {
      t: 'or',
      items: [
        { t: 'hostSNI', host: 'a.com' },
        { t: 'hostSNI', host: 'b.com' },
      ],
    });
    assert.deepEqual(tcp2('HostSNI(`*`, `a.com`)'), { t: 'hostSNI', host: '*' });
  });

  it('HostSNI: a later `*` only matches connections that have an SNI', () => {
    const p = tcp2('HostSNI(`a.com`, `*`)');
    assert.equal(p.t, 'or');
    if (p.t !== 'or') return;
    const star = p.items[1]!;
    assert.equal(re2Matches(re(star), 'x.org'), true);
    assert.equal(re2Matches(re(star), ''), false);
  });

  it('HostSNI: no wildcard syntax in v2', () => {
    rejects('HostSNI(`*.a.com`)', 'HostSNI matcher: "*.a.com" is not a valid hostname or IP', 8, V2_TCP);
  });

  it('HostSNIRegexp: case-insensitive anchored templates', () => {
    const p = tcp2('HostSNIRegexp(`{sub:[a-z]+}.example.com`)');
    assert.deepEqual(p, { t: 'hostSNIRegexp', re: '(?i)^(?:[a-z]+)\\.example\\.com$' });
    for (const s of ['a.example.com', 'ABC.example.com']) assert.equal(re2Matches(re(p), s), true, s);
    for (const s of ['a.b.example.com', '1.example.com', 'a.example.com.x']) assert.equal(re2Matches(re(p), s), false, s);
    const q = tcp2('HostSNIRegexp(`{sub}.a.com`, `b.com`)');
    assert.equal(q.t, 'or');
  });

  it('HostSNIRegexp: no ASCII check and no separate variable-pattern check in v2 TCP', () => {
    assert.equal(tcp2('HostSNIRegexp(`é{a}`)').t, 'hostSNIRegexp');
    // `x)(y` is not a regexp on its own, but `(?P<v0>x)(y)` is: TCP v2 only compiles the whole.
    const p = tcp2('HostSNIRegexp(`{a:x)(y}`)');
    assert.equal(re2Matches(re(p), 'xy'), true);
    rejects('HostSNIRegexp(`{a:(}`)', 'HostSNIRegexp matcher: invalid regexp', 14, V2_TCP);
    rejects('HostSNIRegexp(`{a`)', 'unbalanced braces', 14, V2_TCP);
  });

  it('ClientIP and ALPN accept several values', () => {
    assert.deepEqual(tcp2('ALPN(`h2`, `http/1.1`)'), {
      t: 'or',
      items: [
        { t: 'alpn', protocol: 'h2' },
        { t: 'alpn', protocol: 'http/1.1' },
      ],
    });
    rejects('ALPN(`h2`, `acme-tls/1`)', 'ALPN matcher: protocol "acme-tls/1" is not allowed', 11, V2_TCP);
    assert.equal(tcp2('ClientIP(`10.0.0.1`, `::1`)').t, 'or');
  });
});
