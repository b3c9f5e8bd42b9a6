import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BUFFER_RETRY_DIALECT,
  CIRCUIT_BREAKER_DIALECT,
  formatOxy,
  parseOxyExpression,
  type OxyPredicate,
} from '../../../src/translate/http/middlewares/oxy-expression';

function cb(src: string): OxyPredicate {
  const r = parseOxyExpression(src, CIRCUIT_BREAKER_DIALECT);
  if ('error' in r) assert.fail(`${src}: ${r.error}`);
  return r;
}

function cbError(src: string): string {
  const r = parseOxyExpression(src, CIRCUIT_BREAKER_DIALECT);
  assert.ok('error' in r, `${src} should be refused`);
  return r.error;
}

function bufError(src: string): string {
  const r = parseOxyExpression(src, BUFFER_RETRY_DIALECT);
  assert.ok('error' in r, `${src} should be refused`);
  return r.error;
}

describe('middlewares/oxy-expression: vulcand/predicate over Go syntax, as Traefik parses it', () => {
  describe('circuit breaker dialect (oxy cbreaker)', () => {
    it('reads a ratio compared with a float literal', () => {
      assert.deepEqual(cb('NetworkErrorRatio() > 0.5'), { t: 'cmp', fn: 'NetworkErrorRatio', args: [], op: '>', value: 0.5, text: 'NetworkErrorRatio() > 0.5' });
    });

    it('gives && precedence over || and flattens both', () => {
      const p = cb('NetworkErrorRatio() > 0.5 || ResponseCodeRatio(500, 600, 0, 600) > 0.25 && RequestThreshold() >= 10 || LatencyAtQuantileMS(50.0) > 100');
      assert.equal(p.t, 'or');
      assert.equal((p as { args: OxyPredicate[] }).args.length, 3);
      assert.equal((p as { args: OxyPredicate[] }).args[1].t, 'and');
    });

    it('accepts parentheses around conditions and operands, newlines and tabs', () => {
      cb('(NetworkErrorRatio() > 0.5)');
      cb('((NetworkErrorRatio()) > (0.5))');
      cb('NetworkErrorRatio() > 0.5\n\t&& RequestThreshold() > 3');
      cb('(NetworkErrorRatio() > 0.5 || NetworkErrorRatio() < .1) && RequestThreshold() > 3');
    });

    it('keeps the literals as written for messages', () => {
      assert.equal(formatOxy(cb('LatencyAtQuantileMS(50.0) > 100')), 'LatencyAtQuantileMS(50.0) > 100');
      assert.equal(formatOxy(cb('NetworkErrorRatio() > 1e-1')), 'NetworkErrorRatio() > 1e-1');
    });

    it('refuses a literal of the wrong Go type (no conversion in predicate)', () => {
      assert.match(cbError('NetworkErrorRatio() > 1'), /needs a float64 literal/);
      assert.match(cbError('LatencyAtQuantileMS(50.0) > 100.0'), /needs an int literal/);
      assert.match(cbError('LatencyAtQuantileMS(50) > 100'), /argument 1 of LatencyAtQuantileMS must be a float64 literal/);
      assert.match(cbError('ResponseCodeRatio(500.0, 600, 0, 600) > 0.5'), /must be an int literal/);
      assert.match(cbError('RequestThreshold() > 1.5'), /needs an int literal/);
      assert.match(cbError('NetworkErrorRatio() > "0.5"'), /float64/);
    });

    it('refuses what predicate cannot join or call', () => {
      assert.match(cbError('0.5 < NetworkErrorRatio()'), /left side/);
      assert.match(cbError('NetworkErrorRatio() > RequestThreshold()'), /right side/);
      assert.match(cbError('NetworkErrorRatio() && RequestThreshold() > 1'), /joins conditions/);
      assert.match(cbError('NetworkErrorRatio()'), /not a condition/);
      assert.match(cbError('0.5'), /not a condition/);
      assert.match(cbError('!(NetworkErrorRatio() > 0.5)'), /"!" operator/);
      assert.match(cbError('NetworkErrorRatio() > -0.5'), /syntax error/);
      assert.match(cbError('NetworkErrorRatio(1) > 0.5'), /takes 0 argument/);
      assert.match(cbError('ResponseCodeRatio(500, 600) > 0.5'), /takes 4 argument/);
      assert.match(cbError('Foo() > 0.5'), /unsupported function: Foo/);
      assert.match(cbError('IsNetworkError()'), /unsupported function/);
      assert.match(cbError('ratio > 0.5'), /not defined/);
      assert.match(cbError('NetworkErrorRatio() > 0.5 > 0.2'), /left side/);
    });

    it('refuses syntax errors and number forms strconv.Atoi cannot read', () => {
      for (const src of ['', '   ', 'NetworkErrorRatio() >', 'NetworkErrorRatio( > 0.5', 'NetworkErrorRatio() > 0.5)', 'NetworkErrorRatio() >> 0.5',
        'NetworkErrorRatio() = 0.5', 'RequestThreshold() > 0x10', 'RequestThreshold() > 1_000', 'RequestThreshold() > 09', "RequestThreshold() > 'a'",
        'NetworkErrorRatio() > 0.5 &&', 'RequestThreshold() > 99999999999999999999']) {
        cbError(src);
      }
    });

    it('reads a leading-zero integer as decimal, as strconv.Atoi does', () => {
      assert.equal((cb('RequestThreshold() > 010') as { value: number }).value, 10);
    });

    it('never throws, whatever the input', () => {
      fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = parseOxyExpression(s, CIRCUIT_BREAKER_DIALECT);
        assert.ok('error' in r || typeof r.t === 'string');
      }), { numRuns: 500 });
      const alphabet = fc.constantFrom('NetworkErrorRatio()', 'RequestThreshold()', 'ResponseCodeRatio(500, 600, 0, 600)', '>', '<', '==', '&&', '||', '(', ')', '0.5', '3', '!', ',');
      fc.assert(fc.property(fc.array(alphabet, { maxLength: 12 }), (parts) => {
        const r = parseOxyExpression(parts.join(' '), CIRCUIT_BREAKER_DIALECT);
        assert.ok('error' in r || typeof r.t === 'string');
      }), { numRuns: 500 });
    });
  });

  describe('buffer retry dialect (oxy buffer)', () => {
    it('reads IsNetworkError() as a predicate and compares the int and string functions', () => {
      const r = parseOxyExpression('IsNetworkError() && Attempts() < 2 && RequestMethod() == "GET"', BUFFER_RETRY_DIALECT);
      assert.ok(!('error' in r));
      assert.equal(formatOxy(r), 'IsNetworkError() && Attempts() < 2 && RequestMethod() == "GET"');
    });

    it('accepts raw strings and escapes in string literals', () => {
      const r = parseOxyExpression('RequestMethod() != `POST` && ResponseCode() == 502', BUFFER_RETRY_DIALECT);
      assert.ok(!('error' in r));
      const s = parseOxyExpression('RequestMethod() == "G\\x45T" && IsNetworkError()', BUFFER_RETRY_DIALECT);
      assert.ok(!('error' in s));
      assert.equal(((s as { args: OxyPredicate[] }).args[0] as { value: string }).value, 'GET');
    });

    it('refuses string ordering, float attempts and the circuit breaker functions', () => {
      assert.match(bufError('RequestMethod() < "GET"'), /cannot be compared with "<"/);
      assert.match(bufError('Attempts() < 2.0'), /needs an int literal/);
      assert.match(bufError('NetworkErrorRatio() > 0.5'), /unsupported function/);
      assert.match(bufError('IsNetworkError() > 1'), /left side/);
      assert.match(bufError('"GET" == RequestMethod()'), /left side/);
      assert.match(bufError('RequestMethod() == "GET'), /not terminated/);
    });
  });
});
