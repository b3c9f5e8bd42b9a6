import assert from 'node:assert/strict';
import { parseRule, parseSyntax, spellings, type RuleNode } from '../../../src/model/rules';
import { ast, pred, rejects, V2_HTTP, V3_HTTP, V3_TCP } from './helpers';

/** Compact rendering of a syntax tree to check grouping. */
function show(n: RuleNode): string {
  switch (n.kind) {
    case 'matcher':
      return `${n.name}(${n.args.map((a) => a.value).join(',')})`;
    case 'not':
      return `!${show(n.operand)}`;
    default:
      return `(${show(n.left)} ${n.kind === 'and' ? '&&' : '||'} ${show(n.right)})`;
  }
}

describe('rules/parser: grammar', () => {
  it('parses a single matcher with its offsets', () => {
    const n = ast('Host(`example.com`)');
    assert.equal(n.kind, 'matcher');
    if (n.kind !== 'matcher') return;
    assert.equal(n.name, 'Host');
    assert.deepEqual(n.args, [{ value: 'example.com', offset: 5, end: 18, quote: '`' }]);
    assert.equal(n.offset, 0);
    assert.equal(n.end, 19);
  });

  it('gives && precedence over || (Go precedence)', () => {
    assert.equal(show(ast('Host(`a`) || Host(`b`) && Path(`/c`)')), '(Host(a) || (Host(b) && Path(/c)))');
    assert.equal(show(ast('Host(`a`) && Host(`b`) || Path(`/c`)')), '((Host(a) && Host(b)) || Path(/c))');
  });

  it('binds ! tighter than && and ||', () => {
    assert.equal(show(ast('!Host(`a`) && Path(`/b`)')), '(!Host(a) && Path(/b))');
    assert.equal(show(ast('!Host(`a`) || Path(`/b`)')), '(!Host(a) || Path(/b))');
    assert.equal(show(ast('!!Host(`a`)')), '!!Host(a)');
    assert.equal(show(ast('! ! Host(`a`)')), '!!Host(a)');
  });

  it('is left-associative', () => {
    assert.equal(show(ast('Path(`/a`) && Path(`/b`) && Path(`/c`)')), '((Path(/a) && Path(/b)) && Path(/c))');
    assert.equal(show(ast('Path(`/a`) || Path(`/b`) || Path(`/c`)')), '((Path(/a) || Path(/b)) || Path(/c))');
  });

  it('honours parentheses', () => {
    assert.equal(show(ast('(Host(`a`) || Host(`b`)) && Path(`/c`)')), '((Host(a) || Host(b)) && Path(/c))');
    assert.equal(show(ast('!(Host(`a`) || Host(`b`))')), '!(Host(a) || Host(b))');
    assert.equal(show(ast('((((Host(`a`)))))')), 'Host(a)');
  });

  it('accepts Go whitespace, line breaks after operators, comments, trailing commas and a final ...', () => {
    assert.equal(show(ast('  Host ( `a` )  ')), 'Host(a)');
    assert.equal(show(ast('Host(`a`) &&\n\tPath(`/b`)\n')), '(Host(a) && Path(/b))');
    assert.equal(show(ast('Host(`a`) /* why */ && Path(`/b`) // trailing')), '(Host(a) && Path(/b))');
    assert.equal(show(ast('Host(\n`a`,\n)', V2_HTTP)), 'Host(a)');
    assert.equal(show(ast('Host(`a`...)')), 'Host(a)');
    assert.equal(show(ast('Host(`a`, `b`...,)', V2_HTTP)), 'Host(a,b)');
    assert.equal(show(ast('\r\nHost(`a`)\r\n')), 'Host(a)');
  });

  it('skips a leading byte order mark only', () => {
    assert.equal(show(ast('\uFEFFHost(`a`)')), 'Host(a)');
    rejects('Host(`a`)\uFEFF', 'illegal byte order mark', 9);
  });
});

describe('rules/parser: matcher names', () => {
  it('accepts the 4 spellings Traefik registers', () => {
    assert.deepEqual(spellings('PathPrefix'), ['PathPrefix', 'pathprefix', 'PATHPREFIX', 'Pathprefix']);
    assert.deepEqual(spellings('HostSNIRegexp'), ['HostSNIRegexp', 'hostsniregexp', 'HOSTSNIREGEXP', 'Hostsniregexp']);
    for (const s of spellings('PathPrefix')) {
      const n = ast(`${s}(\`/a\`)`);
      assert.equal(n.kind === 'matcher' && n.name, 'PathPrefix');
      assert.equal(n.kind === 'matcher' && n.spelled, s);
    }
    for (const s of spellings('HostSNI')) assert.deepEqual(pred(`${s}(\`a.com\`)`, V3_TCP), { t: 'hostSNI', host: 'a.com' });
    assert.deepEqual(pred('CLIENTIP(`1.2.3.4`)'), { t: 'clientIP', cidr: '1.2.3.4/32' });
    assert.deepEqual(pred('Headerregexp(`X`, `y`)'), { t: 'headerRegexp', name: 'X', re: 'y' });
  });

  it('rejects other casings, with a suggestion', () => {
    rejects('pathPrefix(`/a`)', 'unknown matcher "pathPrefix" (did you mean "PathPrefix"? accepted spellings: PathPrefix, pathprefix, PATHPREFIX, Pathprefix)', 0);
    rejects('HostSni(`a`)', 'did you mean "HostSNI"?', 0, V3_TCP);
  });

  it('reports unknown matchers with a close name', () => {
    rejects('Hots(`a`)', 'unknown matcher "Hots" (did you mean "Host"?)', 0);
    rejects('Path(`/`) && PathPrefx(`/a`)', 'unknown matcher "PathPrefx" (did you mean "PathPrefix"?)', 13);
    const e = rejects('Foobar(`x`)', 'unknown matcher "Foobar"', 0);
    assert.ok(!e.message.includes('did you mean'));
    rejects('a.Host(`x`)', 'unknown matcher "a.Host"', 0);
  });

  it('names matchers of the other syntax or protocol', () => {
    rejects('Headers(`a`, `b`)', 'matcher "Headers" is not available in v3 syntax (it is a v2 matcher) (did you mean "Header"?)', 0);
    rejects('HostHeader(`a`)', 'not available in v3 syntax', 0);
    rejects('PathRegexp(`a`)', 'not available in v2 syntax (it is a v3 matcher)', 0, V2_HTTP);
    rejects('HostSNI(`a`)', 'is a TCP matcher, not available in HTTP rules', 0);
    rejects('Path(`/`)', 'is a HTTP matcher, not available in TCP rules', 0, V3_TCP);
  });

  it('resolves every name before checking any argument (predicate, then CheckRule)', () => {
    rejects('Path(``) && Nope(`x`)', 'unknown matcher "Nope"', 12);
  });
});

describe('rules/parser: Go string literals', () => {
  const value = (lit: string) => {
    const n = ast(`Header(\`X\`, ${lit})`);
    assert.ok(n.kind === 'matcher');
    return n.args[1]!.value;
  };

  it('decodes raw strings verbatim, dropping carriage returns', () => {
    assert.equal(value('`a\\nb"c`'), 'a\\nb"c');
    assert.equal(value('`line1\nline2`'), 'line1\nline2');
    assert.equal(value('`a\r\nb`'), 'a\nb');
  });

  it('decodes every Go escape in double-quoted strings', () => {
    assert.equal(value('"\\a\\b\\f\\n\\r\\t\\v\\\\\\""'), '\x07\b\f\n\r\t\v\\"');
    assert.equal(value('"\\x41\\101\\u00e9\\U0001F600"'), 'AAé😀');
    assert.equal(value('"\\xc3\\xa9"'), 'é'); // bytes forming UTF-8
    assert.equal(value('"\\303\\251"'), 'é');
    assert.equal(value('"\\000x"'.replace('\\000', '\\101')), 'Ax');
    assert.equal(value('"héllo 😀"'), 'héllo 😀');
  });

  it('rejects invalid escapes with their position', () => {
    rejects('Header(`X`, "\\q")', "unknown escape sequence '\\q' at position 13", 13);
    rejects('Header(`X`, "\\\'")', 'unknown escape sequence', 13);
    rejects('Header(`X`, "\\x4")', "illegal character '\"' in escape sequence at position 16", 16);
    rejects('Header(`X`, "\\400")', 'escape sequence at position 13 is an invalid Unicode code point', 13);
    rejects('Header(`X`, "\\uD800")', 'invalid Unicode code point', 13);
    rejects('Header(`X`, "\\U00110000")', 'invalid Unicode code point', 13);
    rejects('Header(`X`, "\\8")', 'unknown escape sequence', 13);
    rejects('Header(`X`, "\\xff")', 'not valid UTF-8', 12);
  });

  it('rejects unterminated strings at their start', () => {
    rejects('Host("abc', 'unterminated string starting at 5', 5);
    rejects('Host(`abc', 'unterminated string starting at 5', 5);
    rejects('Host("ab\nc")', 'unterminated string starting at 5', 5);
    rejects('Host("ab\\', 'unterminated string starting at 5', 5);
  });

  it('rejects single quotes', () => {
    rejects("Host('a')", 'single quotes are not allowed at position 5', 5);
    rejects("Host('abc')", 'single quotes', 5);
  });

  it('rejects characters Go never accepts in source', () => {
    rejects('Host(`a\u0000`)', 'illegal character NUL at position 7', 7);
    rejects('Host(`a`) @', "unexpected character '@' at position 10", 10);
    rejects('Host(`a`)\u00a0&& Path(`/`)', 'unexpected character U+00A0 at position 9', 9);
    rejects('Host(`\ud800`)', 'unpaired surrogate', 6);
  });
});

describe('rules/parser: syntax errors', () => {
  it('reports the position of an unexpected token', () => {
    rejects('Host(`a`) && (Path(`/b`)))', "unexpected ')' at position 25", 25);
    rejects('Host(`a`) Path(`/b`)', "unexpected 'Path' at position 10", 10);
    rejects('Host(`a`) && || Path(`/b`)', "unexpected '||' at position 13", 13);
    rejects('&& Host(`a`)', "unexpected '&&' at position 0", 0);
    rejects('Host(`a`) &&', 'unexpected end of rule at position 12', 12);
    rejects('Host(`a`) && ', 'unexpected end of rule at position 13', 13);
  });

  it('reports missing parentheses with the opening one', () => {
    rejects('(Host(`a`)', "unexpected end of rule at position 10: missing ')' for the '(' at position 0", 10);
    rejects('Host(`a`', "missing ')' for the '(' at position 4", 8);
    rejects('Host(', "missing ')' for the '(' at position 4", 5);
    rejects('Host(`a` `b`)', "unexpected string `b` at position 9: expected ',' or ')'", 9);
    rejects('Host(,)', "unexpected ',' at position 5", 5);
    rejects('Host(`a`,,)', "unexpected ',' at position 9", 9);
    rejects('Host(`a`..., `b`)', "'...' is only allowed after the last argument", 13);
  });

  it('requires string literal arguments', () => {
    rejects('Host(a)', 'argument 1 of Host must be a string literal', 5);
    rejects('Host(`a`, 42)', "argument 2 of Host must be a string literal (backquoted or double-quoted), found number 42 at position 10", 10);
    rejects('Host(Path(`/`))', 'argument 1 of Host must be a string literal', 5);
    rejects('Host(("a"))', 'argument 1 of Host must be a string literal', 5);
    rejects('Host(`a` + `b`)', "unsupported operator '+' at position 9", 9);
  });

  it('requires calls', () => {
    rejects('Host', "expected '(' after \"Host\" at position 4", 4);
    rejects('Host && Path(`/`)', "expected '(' after \"Host\" at position 5", 5);
    rejects('`a`', 'a string can only be a matcher argument', 0);
    rejects('Host(`a`)(`b`)', "unexpected '(' at position 9", 9);
  });

  it('rejects operators the rule language does not have', () => {
    rejects('Host(`a`) & Path(`/`)', "unsupported operator '&' at position 10 (use '&&')", 10);
    rejects('Host(`a`) | Path(`/`)', "unsupported operator '|' at position 10 (use '||')", 10);
    rejects('Host(`a`) == Path(`/`)', "unsupported operator '==' at position 10", 10);
    rejects('-Host(`a`)', "unsupported operator '-' at position 0", 0);
    rejects('Host(`a`);', "unexpected ';' at position 9", 9);
  });

  it('follows Go semicolon insertion: no line break before && or ||, nor inside a call after a string', () => {
    rejects('Host(`a`)\n&& Path(`/`)', "unexpected '&&' at position 10: the rule already ended at the line end at position 9", 10);
    rejects('Host(`a`)\n|| Path(`/`)', 'already ended', 10);
    rejects('Host(\n`a`\n)', 'unexpected newline at position 9', 9);
    rejects('(Host(`a`)\n)', 'unexpected newline at position 10', 10);
    rejects('Host(`a`) // c\n&& Path(`/`)', 'already ended at the line end at position 10', 15);
    rejects('Host(`a`) /* multi\nline */ && Path(`/`)', 'already ended', 27);
  });

  it('rejects empty rules and unterminated comments', () => {
    rejects('', 'empty rule', 0);
    rejects('  \n\t ', 'empty rule', 0);
    rejects('/* nothing */', 'empty rule', 0);
    rejects('Host(`a`) && /* x', 'unterminated comment starting at 13', 13);
  });

  it('caps nesting depth instead of overflowing the stack', () => {
    rejects('('.repeat(600) + 'Host(`a`)' + ')'.repeat(600), 'nested too deeply', 500);
    rejects('!'.repeat(600) + 'Host(`a`)', 'nested too deeply', 500);
    assert.equal(parseRule('('.repeat(100) + 'Host(`a`)' + ')'.repeat(100), V3_HTTP).ok, true);
  });

  it('handles long flat chains', () => {
    const rule = Array.from({ length: 2000 }, (_, i) => `Path(\`/${i}\`)`).join(' || ');
    assert.equal(parseRule(rule, V3_HTTP).ok, true);
  });
});

describe('rules/parser: argument checks common to all matchers (CheckRule)', () => {
  it('rejects calls without arguments', () => {
    rejects('Host()', 'no args for matcher Host', 0);
    rejects('Path(`/`) && method()', 'no args for matcher Method', 13);
    rejects('Host()', 'no args for matcher Host', 0, V2_HTTP);
  });

  it('rejects empty string arguments, pointing at them', () => {
    rejects('Path(``)', 'empty args for matcher Path', 5);
    rejects('Host(`a`, "")', 'empty args for matcher Host', 10, V2_HTTP);
  });

  it('checks empty arguments before the argument count', () => {
    rejects('Host(``, `a`)', 'empty args for matcher Host', 5);
  });

  it('checks argument counts, pointing at the first extra argument', () => {
    rejects('Host(`a`, `b`)', 'matcher Host needs 1 argument, got 2', 10);
    rejects('Header(`a`)', 'matcher Header needs 2 arguments, got 1', 0);
    rejects('Query(`a`, `b`, `c`)', 'matcher Query needs 1 or 2 arguments, got 3', 16);
  });

  it('validates matchers left to right', () => {
    rejects('Path(`a`) && Host(`é`)', 'does not start with', 5);
  });
});

describe('rules/parser: parseSyntax', () => {
  it('keeps names as written without resolving them', () => {
    const r = parseSyntax('whatever(`x`) && !other(`y`, `z`)');
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.tree.kind, 'and');
  });

  it('never throws on non-string input', () => {
    const r = parseRule(undefined as unknown as string, V3_HTTP);
    assert.equal(r.ok, false);
  });
});
