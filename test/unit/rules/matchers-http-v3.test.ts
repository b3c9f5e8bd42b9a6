import assert from 'node:assert/strict';
import { re2Matches } from '../../../src/model/rules';
import { pred, rejects } from './helpers';

describe('rules/matchers: HTTP v3', () => {
  describe('Host', () => {
    it('lower-cases and trims one trailing dot', () => {
      assert.deepEqual(pred('Host(`Example.COM`)'), { t: 'host', host: 'example.com' });
      assert.deepEqual(pred('Host(`example.com.`)'), { t: 'host', host: 'example.com' });
      assert.deepEqual(pred('Host(`xn--9t9h.com`)'), { t: 'host', host: 'xn--9t9h.com' });
      assert.deepEqual(pred('Host(`10::10`)'), { t: 'host', host: '10::10' });
    });

    it('keeps the v3.7 wildcards', () => {
      assert.deepEqual(pred('Host(`*`)'), { t: 'host', host: '*' });
      assert.deepEqual(pred('Host(`*.Example.com`)'), { t: 'host', host: '*.example.com' });
      assert.deepEqual(pred('Host(`*.example.com.`)'), { t: 'host', host: '*.example.com' });
    });

    it('spells out star expressions that are not wildcards as the exact regexp Traefik applies', () => {
      // `*foo.com` can never equal "*" + ".<labels>": matches nothing.
      const never = pred('Host(`*foo.com`)');
      assert.equal(never.t, 'hostRegexp');
      if (never.t !== 'hostRegexp') return;
      assert.equal(never.fromHost, '*foo.com');
      for (const h of ['foo.com', 'afoo.com', '*foo.com', '']) assert.equal(re2Matches(never.re, h), false, h);
      // `*.` matches single-label hosts (via its trimmed form `*`) and "label." forms.
      const dot = pred('Host(`*.`)');
      assert.ok(dot.t === 'hostRegexp');
      if (dot.t !== 'hostRegexp') return;
      for (const h of ['localhost', 'a.', 'a..']) assert.equal(re2Matches(dot.re, h), true, h);
      for (const h of ['a.b', 'a.b.', '']) assert.equal(re2Matches(dot.re, h), false, h);
      // `*.*.x` is not a one-label wildcard over a plain suffix.
      const starStar = pred('Host(`*.*.x`)');
      assert.ok(starStar.t === 'hostRegexp');
      if (starStar.t !== 'hostRegexp') return;
      assert.equal(re2Matches(starStar.re, 'a.*.x'), true);
      assert.equal(re2Matches(starStar.re, 'a.b.x'), false);
    });

    it('treats "." as the literal hosts "." and ".."', () => {
      const p = pred('Host(`.`)');
      assert.ok(p.t === 'hostRegexp');
      if (p.t !== 'hostRegexp') return;
      assert.equal(re2Matches(p.re, '.'), true);
      assert.equal(re2Matches(p.re, '..'), true);
      assert.equal(re2Matches(p.re, 'a'), false);
    });

    it('rejects non-ASCII hosts', () => {
      rejects('Host(`🦭.com`)', 'Host matcher: invalid value "🦭.com", non-ASCII characters are not allowed', 5);
      rejects('Host(`locàlhost`)', 'non-ASCII', 5);
    });

    it('takes exactly one argument', () => {
      rejects('Host(`a.com`, `b.com`)', 'matcher Host needs 1 argument, got 2', 14);
    });
  });

  describe('HostRegexp', () => {
    it('keeps the user regexp (unanchored semantics)', () => {
      assert.deepEqual(pred('HostRegexp(`^[a-z]+\\.example\\.com$`)'), { t: 'hostRegexp', re: '^[a-z]+\\.example\\.com$' });
      assert.deepEqual(pred('HostRegexp(`example`)'), { t: 'hostRegexp', re: 'example' });
    });

    it('rejects non-ASCII and regexps RE2 refuses', () => {
      rejects('HostRegexp(`é`)', 'HostRegexp matcher: invalid value "é", non-ASCII', 11);
      rejects('HostRegexp(`(example.com`)', 'HostRegexp matcher: RE2 rejects regexp `(example.com`: missing ): (example.com', 11);
      rejects('HostRegexp(`(a)\\1`)', 'RE2 rejects regexp `(a)\\1`: invalid escape sequence: \\1', 11);
    });
  });

  describe('Path, PathPrefix, PathRegexp', () => {
    it('keeps paths verbatim', () => {
      assert.deepEqual(pred('Path(`/foo bar`)'), { t: 'path', path: '/foo bar' });
      assert.deepEqual(pred('PathPrefix(`/api/`)'), { t: 'pathPrefix', prefix: '/api/' });
      assert.deepEqual(pred('PathRegexp(`^/v[0-9]+/`)'), { t: 'pathRegexp', re: '^/v[0-9]+/' });
      // v3 has no templates: braces are literal.
      assert.deepEqual(pred('Path(`/{id}`)'), { t: 'path', path: '/{id}' });
    });

    it('requires a leading slash for Path and PathPrefix only', () => {
      rejects('Path(`foo`)', `Path matcher: path "foo" does not start with a '/'`, 5);
      rejects('PathPrefix(`api`)', `PathPrefix matcher: path "api" does not start with a '/'`, 11);
      assert.deepEqual(pred('PathRegexp(`foo`)'), { t: 'pathRegexp', re: 'foo' });
    });

    it('checks PathRegexp with RE2 (no ASCII restriction)', () => {
      assert.deepEqual(pred('PathRegexp(`/é+`)'), { t: 'pathRegexp', re: '/é+' });
      rejects('PathRegexp(`/(?=x)`)', 'PathRegexp matcher: RE2 rejects regexp `/(?=x)`: invalid perl operator: (?=', 11);
      rejects('PathRegexp(`/a{1001}`)', 'invalid repetition size', 11);
    });
  });

  describe('Method', () => {
    it('upper-cases the method', () => {
      assert.deepEqual(pred('Method(`get`)'), { t: 'method', method: 'GET' });
      assert.deepEqual(pred('Method(`PURGE`)'), { t: 'method', method: 'PURGE' });
    });

    it('takes exactly one argument', () => {
      rejects('Method(`GET`, `POST`)', 'matcher Method needs 1 argument, got 2', 14);
    });
  });

  describe('Header, HeaderRegexp', () => {
    it('canonicalises the key like Go', () => {
      assert.deepEqual(pred('Header(`x-forwarded-proto`, `https`)'), { t: 'header', name: 'X-Forwarded-Proto', value: 'https' });
      assert.deepEqual(pred('Header(`CONTENT-type`, `a, b`)'), { t: 'header', name: 'Content-Type', value: 'a, b' });
      // Keys Go does not canonicalise stay as written.
      assert.deepEqual(pred('Header(`x key`, `v`)'), { t: 'header', name: 'x key', value: 'v' });
      assert.deepEqual(pred('HeaderRegexp(`x-a`, `^b`)'), { t: 'headerRegexp', name: 'X-A', re: '^b' });
    });

    it('needs 2 arguments and a valid regexp', () => {
      rejects('Header(`X-A`)', 'matcher Header needs 2 arguments, got 1', 0);
      rejects('Header(`X-A`, `b`, `c`)', 'matcher Header needs 2 arguments, got 3', 19);
      rejects('HeaderRegexp(`X-A`, `[`)', 'HeaderRegexp matcher: RE2 rejects regexp `[`: missing ]: [', 20);
    });
  });

  describe('Query, QueryRegexp', () => {
    it('one argument means an empty value', () => {
      assert.deepEqual(pred('Query(`debug`)'), { t: 'query', name: 'debug', value: '' });
      assert.deepEqual(pred('QueryRegexp(`debug`)'), { t: 'query', name: 'debug', value: '' });
    });

    it('two arguments: key and value / regexp', () => {
      assert.deepEqual(pred('Query(`a`, `b`)'), { t: 'query', name: 'a', value: 'b' });
      assert.deepEqual(pred('QueryRegexp(`a`, `^[0-9]+$`)'), { t: 'queryRegexp', name: 'a', re: '^[0-9]+$' });
    });

    it('rejects 3 arguments and bad regexps', () => {
      rejects('Query(`a`, `b`, `c`)', 'matcher Query needs 1 or 2 arguments, got 3', 16);
      rejects('QueryRegexp(`a`, `(`)', 'QueryRegexp matcher: RE2 rejects', 17);
    });
  });

  describe('ClientIP', () => {
    it('normalises IPs and CIDRs', () => {
      assert.deepEqual(pred('ClientIP(`10.0.0.1`)'), { t: 'clientIP', cidr: '10.0.0.1/32' });
      assert.deepEqual(pred('ClientIP(`10.1.2.3/16`)'), { t: 'clientIP', cidr: '10.1.0.0/16' });
      assert.deepEqual(pred('ClientIP(`2001:DB8::1`)'), { t: 'clientIP', cidr: '2001:db8::1/128' });
      assert.deepEqual(pred('ClientIP(`2001:db8::1/32`)'), { t: 'clientIP', cidr: '2001:db8::/32' });
      assert.deepEqual(pred('ClientIP(`::ffff:192.168.1.1`)'), { t: 'clientIP', cidr: '192.168.1.1/32' });
    });

    it('rejects what Go rejects', () => {
      rejects('ClientIP(`invalid`)', 'ClientIP matcher: "invalid" is not a valid IP or CIDR', 9);
      rejects('ClientIP(`1`)', 'not a valid IP or CIDR', 9);
      rejects('ClientIP(`10.0.0.01`)', 'not a valid IP or CIDR', 9);
      rejects('ClientIP(`10.0.0.0/33`)', 'not a valid IP or CIDR', 9);
      rejects('ClientIP(`fe80::1%eth0`)', 'not a valid IP or CIDR', 9);
      rejects('ClientIP(`10.0.0.1`, `10.0.0.2`)', 'matcher ClientIP needs 1 argument, got 2', 21);
    });
  });
});
