import assert from 'node:assert/strict';
import { re2Matches, type Pred } from '../../../src/model/rules';
import { pred, rejects, V2_HTTP } from './helpers';

const v2 = (rule: string): Pred => pred(rule, V2_HTTP);
const v2rejects = (rule: string, fragment: string, offset?: number) => rejects(rule, fragment, offset, V2_HTTP);

/** The regexp of a single regexp leaf. */
function re(p: Pred): string {
  assert.ok('re' in p, `expected a regexp leaf, got ${JSON.stringify(p)}`);
  return (p as { re: string }).re;
}

function matches(regexp: string, yes: string[], no: string[]): void {
  for (const s of yes) assert.equal(re2Matches(regexp, s), true, `${regexp} should match ${JSON.stringify(s)}`);
  for (const s of no) assert.equal(re2Matches(regexp, s), false, `${regexp} should not match ${JSON.stringify(s)}`);
}

describe('rules/matchers: HTTP v2', () => {
  describe('Host, HostHeader', () => {
    it('ORs several hosts, lower-cased', () => {
      assert.deepEqual(v2('Host(`A.com`, `b.com.`)'), {
        t: 'or',
        items: [
          { t: 'host', host: 'a.com' },
          { t: 'host', host: 'b.com' },
        ],
      });
      assert.deepEqual(v2('HostHeader(`a.com`)'), { t: 'host', host: 'a.com' });
    });

    it('treats * literally (no wildcard in v2)', () => {
      const star = v2('Host(`*`)');
      assert.equal(star.t, 'hostRegexp');
      matches(re(star), ['*', '*.'], ['a.com', 'localhost', '']);
      const wild = v2('Host(`*.a.com`)');
      assert.deepEqual(wild, { t: 'hostRegexp', re: '^(?:\\*\\.a\\.com|\\*\\.a\\.com\\.)$', fromHost: '*.a.com' });
      matches(re(wild), ['*.a.com', '*.a.com.'], ['x.a.com']);
    });

    it('rejects non-ASCII hosts', () => {
      v2rejects('Host(`a.com`, `🦭.com`)', 'Host matcher: invalid value "🦭.com", non-ASCII', 14);
      v2rejects('HostHeader(`é`)', 'HostHeader matcher: invalid value', 11);
    });
  });

  describe('HostRegexp templates', () => {
    it('builds a case-insensitive anchored regexp with [^.]+ as the default pattern', () => {
      const p = v2('HostRegexp(`{sub}.example.com`)');
      assert.deepEqual(p, { t: 'hostRegexp', re: '(?i)^(?:[^.]+)\\.example\\.com$' });
      matches(re(p), ['api.example.com', 'API.Example.COM'], ['a.b.example.com', 'example.com', 'api.example.com.evil', 'xapi.example.comx']);
    });

    it('uses the variable pattern as given', () => {
      const p = v2('HostRegexp(`{domain:[a-zA-Z-]+\\.com}`)');
      matches(re(p), ['example.com', 'EXAMPLE.COM'], ['example.org', 'a.example.com']);
      const q = v2('HostRegexp(`{subdomain:(foo\\.)?bar\\.com}`)');
      matches(re(q), ['foo.bar.com', 'bar.com'], ['foobar.com']);
    });

    it('anchors templates without variables and quotes their metacharacters', () => {
      const p = v2('HostRegexp(`example.com`, `a+b.org`)');
      assert.equal(p.t, 'or');
      if (p.t !== 'or') return;
      matches(re(p.items[0]!), ['example.com', 'EXAMPLE.com'], ['exampleXcom', 'www.example.com']);
      matches(re(p.items[1]!), ['a+b.org'], ['aab.org']);
    });

    it('rejects malformed templates and bad patterns', () => {
      v2rejects('HostRegexp(`{test`)', 'HostRegexp matcher: unbalanced braces in "{test"', 11);
      v2rejects('HostRegexp(`a}`)', 'unbalanced braces', 11);
      v2rejects('HostRegexp(`{:x}.com`)', 'missing name or pattern in "{:x}"', 11);
      v2rejects('HostRegexp(`{a:}.com`)', 'missing name or pattern in "{a:}"', 11);
      v2rejects('HostRegexp(`{a:(}.com`)', 'invalid pattern "(" for variable "a"', 11);
      v2rejects('HostRegexp(`{a:x)(y}.com`)', 'invalid pattern "x)(y"', 11);
      v2rejects('HostRegexp(`{a:(?P<v1>x)}{b}`)', 'duplicate capture group name: v1', 11);
      v2rejects('HostRegexp(`é{a}`)', 'non-ASCII', 11);
    });
  });

  describe('Path and PathPrefix templates', () => {
    it('Path without variables is an exact path', () => {
      assert.deepEqual(v2('Path(`/css`)'), { t: 'path', path: '/css' });
      assert.deepEqual(v2('Path(`/a.b`, `/c`)'), {
        t: 'or',
        items: [
          { t: 'path', path: '/a.b' },
          { t: 'path', path: '/c' },
        ],
      });
    });

    it('Path with variables is an anchored regexp, [^/]+ by default', () => {
      const p = v2('Path(`/users/{id}`)');
      assert.deepEqual(p, { t: 'pathRegexp', re: '^/users/(?:[^/]+)$' });
      matches(re(p), ['/users/42', '/users/a.b'], ['/users/', '/users/42/x', '/x/users/42', '/users/42/']);
      const q = v2('Path(`/css{path:(/.*)?}`)');
      matches(re(q), ['/css', '/css/main.css', '/css/components/component.css'], ['/css.css', '/js/main.js']);
      const r = v2('Path(`/a.{ext:(png|jpg)}`)');
      matches(re(r), ['/a.png', '/a.jpg'], ['/aXpng', '/a.gif', '/a.pngx']);
    });

    it('PathPrefix without variables is a plain prefix, with variables a regexp anchored at the start only', () => {
      assert.deepEqual(v2('PathPrefix(`/api`)'), { t: 'pathPrefix', prefix: '/api' });
      const p = v2('PathPrefix(`/css-{name:[0-9]?}`)');
      assert.deepEqual(p, { t: 'pathRegexp', re: '^/css-(?:[0-9]?)' });
      matches(re(p), ['/css-', '/css-1', '/css-1/x', '/css-abc'], ['/cs', '/x/css-1']);
      const q = v2('PathPrefix(`/v{version:[0-9]+}/`)');
      matches(re(q), ['/v1/', '/v12/users'], ['/v/', '/vx/', '/a/v1/']);
    });

    it('validates the slash, the braces and the patterns', () => {
      v2rejects('Path(`css`)', 'Path matcher: path must start with a slash, got "css"', 5);
      v2rejects('PathPrefix(`css`)', 'PathPrefix matcher: path must start with a slash', 11);
      v2rejects('Path(`/a}`)', 'unbalanced braces in "/a}"', 5);
      v2rejects('Path(`/{}`)', 'missing name or pattern in "{}"', 5);
      v2rejects('Path(`/{id:[0-9}`)', 'invalid pattern "[0-9"', 5);
      v2rejects('Path(`/x`, `/{a:\\C}`)', 'invalid escape sequence: \\C', 11);
    });
  });

  describe('Method', () => {
    it('ORs upper-cased methods', () => {
      assert.deepEqual(v2('Method(`get`, `Post`)'), {
        t: 'or',
        items: [
          { t: 'method', method: 'GET' },
          { t: 'method', method: 'POST' },
        ],
      });
    });
  });

  describe('Headers, HeadersRegexp', () => {
    it('ANDs key/value pairs; a key repeated as written keeps its last value', () => {
      assert.deepEqual(v2('Headers(`x-a`, `1`, `X-B`, `2`)'), {
        t: 'and',
        items: [
          { t: 'header', name: 'X-A', value: '1' },
          { t: 'header', name: 'X-B', value: '2' },
        ],
      });
      assert.deepEqual(v2('Headers(`X-A`, `1`, `X-A`, `2`)'), { t: 'header', name: 'X-A', value: '2' });
      // Keys differing only in case are distinct map keys in gorilla, both required.
      assert.deepEqual(v2('Headers(`x-a`, `1`, `X-A`, `2`)'), {
        t: 'and',
        items: [
          { t: 'header', name: 'X-A', value: '1' },
          { t: 'header', name: 'X-A', value: '2' },
        ],
      });
      assert.deepEqual(v2('HeadersRegexp(`Content-Type`, `application/(text|json)`)'), {
        t: 'headerRegexp',
        name: 'Content-Type',
        re: 'application/(text|json)',
      });
    });

    it('needs pairs and valid regexps (even overridden ones)', () => {
      v2rejects('Headers(`titi`)', 'Headers matcher needs key/value pairs (an even number of arguments), got 1', 8);
      v2rejects('Headers(`a`, `b`, `c`)', 'got 3', 18);
      v2rejects('HeadersRegexp(`X`, `(example.com`)', 'HeadersRegexp matcher: RE2 rejects regexp `(example.com`', 19);
      v2rejects('HeadersRegexp(`X`, `(`, `X`, `ok`)', 'RE2 rejects regexp `(`', 19);
    });

    it('does not expand templates in HeadersRegexp values', () => {
      assert.deepEqual(v2('HeadersRegexp(`X-Forwarded-Proto`, `http{secure:s?}`)'), {
        t: 'headerRegexp',
        name: 'X-Forwarded-Proto',
        re: 'http{secure:s?}',
      });
      // ...which RE2 then reads as a literal brace sequence, like Go.
    });
  });

  describe('Query', () => {
    it('ANDs key=value pairs, looking at the first value of each key only', () => {
      assert.deepEqual(v2('Query(`foo=bar`, `bar=baz`)'), {
        t: 'and',
        items: [
          { t: 'query', name: 'foo', value: 'bar', firstValueOnly: true },
          { t: 'query', name: 'bar', value: 'baz', firstValueOnly: true },
        ],
      });
      assert.deepEqual(v2('Query(`foo=b=ar`)'), { t: 'query', name: 'foo', value: 'b=ar', firstValueOnly: true });
    });

    it('an empty value matches any value of a present key', () => {
      const p = v2('Query(`debug=`)');
      assert.deepEqual(p, { t: 'queryRegexp', name: 'debug', re: '^.*$', firstValueOnly: true });
      matches(re(p), ['', '1', 'anything'], []);
    });

    it('values may hold templates (default pattern .*)', () => {
      const p = v2('Query(`id={id:[0-9]+}`)');
      assert.deepEqual(p, { t: 'queryRegexp', name: 'id', re: '^(?:[0-9]+)$', firstValueOnly: true });
      matches(re(p), ['1', '42'], ['', 'x', '4x']);
      const q = v2('Query(`v=a{x}`)');
      matches(re(q), ['a', 'abc'], ['b', 'ba']);
    });

    it('pairs an argument without = with the next piece, as Traefik flattens them', () => {
      assert.deepEqual(v2('Query(`a`, `b`)'), { t: 'query', name: 'a', value: 'b', firstValueOnly: true });
      v2rejects('Query(`titi`)', 'Query matcher needs "key=value" arguments, got an odd number of key/value pieces (1)', 6);
      v2rejects('Query(`a`, `b=c`)', 'odd number', 11);
    });

    it('rejects malformed templates and repeated variables', () => {
      v2rejects('Query(`titi={test`)', 'Query matcher: unbalanced braces in "titi={test"', 6);
      v2rejects('Query(`a={x}`, `b={x}`)', 'Query matcher: duplicated route variable "x"', 15);
      v2rejects('Query(`a={x:(}`)', 'invalid pattern "("', 6);
    });

    it('a key written as a template can never match a real parameter', () => {
      const p = v2('Query(`{k}=v`)');
      assert.equal(p.t, 'queryRegexp');
      matches(re(p), [], ['v', '', '{k}=v']);
    });
  });

  describe('ClientIP', () => {
    it('ORs IPs and CIDRs', () => {
      assert.deepEqual(v2('ClientIP(`127.0.0.1`, `192.168.1.0/24`)'), {
        t: 'or',
        items: [
          { t: 'clientIP', cidr: '127.0.0.1/32' },
          { t: 'clientIP', cidr: '192.168.1.0/24' },
        ],
      });
    });

    it('rejects invalid addresses', () => {
      v2rejects('ClientIP(`10.0.0.1`, `invalid`)', 'ClientIP matcher: "invalid" is not a valid IP or CIDR', 21);
    });
  });
});
