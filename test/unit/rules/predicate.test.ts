import assert from 'node:assert/strict';
import { matcherValues, negate, tlsHostsOf, toDNF, type Leaf, type Literal, type Pred } from '../../../src/model/rules';
import { ast, pred, V2_HTTP, V2_TCP, V3_TCP } from './helpers';

const host = (h: string): Leaf => ({ t: 'host', host: h });
const path = (p: string): Leaf => ({ t: 'path', path: p });
const method = (m: string): Leaf => ({ t: 'method', method: m });

/** DNF rendered as strings like "host:a & !method:GET". */
function dnf(p: Pred, max?: number): string[] | 'tooLarge' {
  const r = toDNF(p, max);
  if ('tooLarge' in r) return 'tooLarge';
  return r.conjuncts.map((c) => c.map(show).join(' & '));
}

function show(l: Literal): string {
  const leaf = l.leaf as unknown as Record<string, string>;
  const value = Object.entries(leaf)
    .filter(([k]) => k !== 't')
    .map(([, v]) => v)
    .join('=');
  return `${l.negated ? '!' : ''}${leaf.t}:${value}`;
}

describe('rules/predicate: lowering', () => {
  it('flattens nested and/or', () => {
    assert.deepEqual(pred('Host(`a`) && (Path(`/b`) && Method(`GET`))'), { t: 'and', items: [host('a'), path('/b'), method('GET')] });
    assert.deepEqual(pred('(Path(`/a`) || Path(`/b`)) || Path(`/c`)'), { t: 'or', items: [path('/a'), path('/b'), path('/c')] });
  });

  it('pushes ! to the leaves with De Morgan', () => {
    assert.deepEqual(pred('!(Host(`a`) || Path(`/b`))'), {
      t: 'and',
      items: [
        { t: 'not', item: host('a') },
        { t: 'not', item: path('/b') },
      ],
    });
    assert.deepEqual(pred('!(Host(`a`) && !Path(`/b`))'), { t: 'or', items: [{ t: 'not', item: host('a') }, path('/b')] });
    assert.deepEqual(pred('!!Host(`a`)'), host('a'));
    assert.deepEqual(pred('!(!(Host(`a`) && PathPrefix(`/t`)))'), { t: 'and', items: [host('a'), { t: 'pathPrefix', prefix: '/t' }] });
    assert.deepEqual(pred('!(Host(`a`) && (Path(`/b`) || !Method(`GET`)))'), {
      t: 'or',
      items: [{ t: 'not', item: host('a') }, { t: 'and', items: [{ t: 'not', item: path('/b') }, method('GET')] }],
    });
  });

  it('negates v2 multi-value matchers as a whole', () => {
    assert.deepEqual(pred('!Host(`a`, `b`)', V2_HTTP), {
      t: 'and',
      items: [
        { t: 'not', item: host('a') },
        { t: 'not', item: host('b') },
      ],
    });
    assert.deepEqual(pred('!Headers(`a`, `1`, `b`, `2`)', V2_HTTP), {
      t: 'or',
      items: [
        { t: 'not', item: { t: 'header', name: 'A', value: '1' } },
        { t: 'not', item: { t: 'header', name: 'B', value: '2' } },
      ],
    });
  });

  it('lowers long chains without deep recursion', () => {
    const rule = Array.from({ length: 3000 }, (_, i) => `Path(\`/${i}\`)`).join(' || ');
    const p = pred(rule);
    assert.equal(p.t === 'or' && p.items.length, 3000);
  });

  it('negate() is an involution on canonical trees', () => {
    const p = pred('Host(`a`) && (Path(`/b`) || !Method(`GET`))');
    assert.deepEqual(negate(negate(p)), p);
  });
});

describe('rules/predicate: DNF', () => {
  it('distributes && over ||', () => {
    assert.deepEqual(dnf(pred('(Host(`a`) || Host(`b`)) && (Path(`/x`) || PathPrefix(`/y`))')), [
      'host:a & path:/x',
      'host:b & path:/x',
      'host:a & pathPrefix:/y',
      'host:b & pathPrefix:/y',
    ]);
    assert.deepEqual(dnf(pred('Host(`a`) || Host(`b`) && Path(`/c`)')), ['host:a', 'host:b & path:/c']);
  });

  it('keeps negations on the literals', () => {
    assert.deepEqual(dnf(pred('!(Host(`a`) && Path(`/b`))')), ['!host:a', '!path:/b']);
    assert.deepEqual(dnf(pred('Host(`a`) && !Method(`GET`)')), ['host:a & !method:GET']);
  });

  it('drops contradictory conjuncts', () => {
    assert.deepEqual(dnf(pred('(Host(`a`) || Host(`b`)) && Host(`a`)')), ['host:a']);
    assert.deepEqual(dnf(pred('(Method(`GET`) || Method(`POST`)) && Method(`get`)')), ['method:GET']);
    assert.deepEqual(dnf(pred('(Path(`/a`) || Header(`X`, `1`)) && !Path(`/a`)')), ['header:X=1 & !path:/a']);
    assert.deepEqual(dnf(pred('Path(`/a`) && Path(`/b`)')), []);
    assert.deepEqual(dnf(pred('Path(`/a`) && PathPrefix(`/b`)')), []);
    assert.deepEqual(dnf(pred('Path(`/a/b`) && PathPrefix(`/a`)')), ['path:/a/b & pathPrefix:/a']);
    assert.deepEqual(dnf(pred('!Host(`*`) || Path(`/a`)')), ['path:/a']);
    assert.deepEqual(dnf(pred('!HostSNI(`*`)', V3_TCP)), []);
    assert.deepEqual(dnf(pred('HostSNI(`a.com`) && HostSNI(`b.com`)', V3_TCP)), []);
  });

  it('knows which hosts a wildcard can share', () => {
    assert.deepEqual(dnf(pred('Host(`*.a.com`) && Host(`x.a.com`)')), ['host:*.a.com & host:x.a.com']);
    assert.deepEqual(dnf(pred('Host(`*.a.com`) && Host(`x.y.a.com`)')), []);
    assert.deepEqual(dnf(pred('Host(`*.a.com`) && Host(`*.b.com`)')), []);
    assert.deepEqual(dnf(pred('Host(`*`) && Host(`b.com`)')), ['host:* & host:b.com']);
  });

  it('removes duplicate literals and conjuncts', () => {
    assert.deepEqual(dnf(pred('Host(`a`) && Host(`A`)')), ['host:a']);
    assert.deepEqual(dnf(pred('Host(`a`) || Host(`a`)')), ['host:a']);
    assert.deepEqual(dnf(pred('(Path(`/x`) && Host(`a`)) || (Host(`a`) && Path(`/x`))')), ['path:/x & host:a']);
  });

  it('gives up when the expansion is too large', () => {
    const clause = (i: number) => `(Query(\`q${i}\`) || Header(\`X${i}\`, \`b\`))`;
    const rule = Array.from({ length: 7 }, (_, i) => clause(i)).join(' && ');
    assert.equal(dnf(pred(rule)), 'tooLarge'); // 2^7 = 128 > 64
    const r = toDNF(pred(rule), 128);
    assert.ok('conjuncts' in r);
    assert.equal((dnf(pred(Array.from({ length: 6 }, (_, i) => clause(i)).join(' && '))) as string[]).length, 64);
  });

  it('handles a wide OR within the limit', () => {
    const rule = Array.from({ length: 64 }, (_, i) => `Path(\`/${i}\`)`).join(' || ');
    assert.equal((dnf(pred(rule)) as string[]).length, 64);
    assert.equal(dnf(pred(rule + ' || Path(`/x`)')), 'tooLarge');
  });
});

describe('rules/predicate: TLS hosts', () => {
  it('lists Host values (v2 and v3), lower-cased, not HostRegexp', () => {
    assert.deepEqual(tlsHostsOf(pred('Host(`A.com`) && Path(`/x`) || Host(`b.com`)')), ['a.com', 'b.com']);
    assert.deepEqual(tlsHostsOf(pred('HostRegexp(`a.com`) && Path(`/x`)')), []);
    assert.deepEqual(tlsHostsOf(pred('Host(`a.com`, `B.com`) || HostRegexp(`{x}.c.com`)', V2_HTTP)), ['a.com', 'b.com']);
    assert.deepEqual(tlsHostsOf(pred('Host(`*.a.com`)', V2_HTTP)), ['*.a.com']);
    assert.deepEqual(tlsHostsOf(pred('Host(`*`)')), ['*']);
  });

  it("counts negated hosts like Traefik's ParseDomains, unless asked not to", () => {
    const p = pred('!Host(`a.com`) && Host(`b.com`)');
    assert.deepEqual(tlsHostsOf(p), ['a.com', 'b.com']);
    assert.deepEqual(tlsHostsOf(p, { includeNegated: false }), ['b.com']);
  });

  it('matcherValues mirrors Traefik ParseMatchers on the AST', () => {
    assert.deepEqual(matcherValues(ast('HostSNI(`A.com`, `*`) || !HostSNI(`c`)', V2_TCP), 'HostSNI'), ['a.com', '*', 'c']);
    assert.deepEqual(matcherValues(ast('Host(`a.`) && Path(`/`)'), 'Host'), ['a.']);
  });
});
