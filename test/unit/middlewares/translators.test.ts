import assert from 'node:assert/strict';
import fc from 'fast-check';
import { translateRateLimit, durationFromNs } from '../../../src/translate/http/middlewares/rate-limit';
import { translateInFlightReq } from '../../../src/translate/http/middlewares/in-flight-req';
import { retryPolicyOf, translateBuffering } from '../../../src/translate/http/middlewares/buffering';
import { translateCircuitBreaker } from '../../../src/translate/http/middlewares/circuit-breaker';
import { parseMediaType, translateCompress } from '../../../src/translate/http/middlewares/compress';
import { translateGrpcWeb } from '../../../src/translate/http/middlewares/grpc-web';
import { deniedPathRegex, translateEncodedCharacters } from '../../../src/translate/http/middlewares/encoded-characters';
import { translatePassTLSClientCert } from '../../../src/translate/http/middlewares/pass-tls-client-cert';
import { translateContentType } from '../../../src/translate/http/middlewares/refused';
import { BUFFER_RETRY_DIALECT, parseOxyExpression } from '../../../src/translate/http/middlewares/oxy-expression';
import { mergeFilterOrder, type RouterPlan } from '../../../src/translate/http/middleware-chain';
import { re2Matches } from '../../../src/model/rules';
import { canonicalize, decodeResource, encodeResource } from '../../../src/envoy/json';
import { errors, mw, warnings } from './helpers';

const PLAIN = { tls: false };
const TLS = { tls: true };

function bucket(config: unknown): Record<string, unknown> {
  const out = translateRateLimit(mw('rateLimit', config), PLAIN);
  assert.deepEqual(errors(out), []);
  return (out.filter!.typedConfig as unknown as { token_bucket: Record<string, unknown> }).token_bucket;
}

describe('middlewares: translators of traefik-semantics.md §10', () => {
  describe('RateLimit', () => {
    it('maps average/period/burst to a continuously refilled bucket', () => {
      assert.deepEqual(bucket({ average: 100, burst: 50 }), { max_tokens: 50, tokens_per_fill: 100, fill_interval: '1s' });
      assert.deepEqual(bucket({ average: 5 }), { max_tokens: 1, tokens_per_fill: 5, fill_interval: '1s' });
      assert.deepEqual(bucket({ average: 30, period: '1m', burst: 0 }), { max_tokens: 1, tokens_per_fill: 30, fill_interval: '60s' });
      assert.deepEqual(bucket({ average: 6, period: 3 }), { max_tokens: 1, tokens_per_fill: 6, fill_interval: '3s' });
      assert.deepEqual(bucket({ average: 1, period: '1.5s' }), { max_tokens: 1, tokens_per_fill: 1, fill_interval: '1.5s' });
      assert.deepEqual(bucket({ average: 3, period: 0 }), { max_tokens: 1, tokens_per_fill: 3, fill_interval: '1s' });
    });

    it('scales short periods up to the 50 ms minimum fill interval, keeping the rate', () => {
      assert.deepEqual(bucket({ average: 2, period: '10ms', burst: 4 }), { max_tokens: 4, tokens_per_fill: 10, fill_interval: '0.05s' });
      assert.deepEqual(bucket({ average: 1, period: '30ms' }), { max_tokens: 1, tokens_per_fill: 2, fill_interval: '0.06s' });
      fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 200_000 }), (average, periodUs) => {
        const b = bucket({ average, period: `${periodUs}us` });
        const fillNs = Number(String(b.fill_interval).slice(0, -1)) * 1e9;
        assert.ok(fillNs >= 50e6 - 1, `fill interval ${b.fill_interval}`);
        // same rate: tokens/fill = average/period
        const rate = (b.tokens_per_fill as number) / fillNs;
        assert.ok(Math.abs(rate - average / (periodUs * 1000)) <= 1e-9 * rate + 1e-15);
      }), { numRuns: 200 });
    });

    it('enables and enforces the filter at 100% (both default to 0%)', () => {
      const cfg = translateRateLimit(mw('rateLimit', { average: 1 }), PLAIN).filter!.typedConfig as Record<string, unknown>;
      assert.deepEqual(cfg.filter_enabled, { default_value: { numerator: 100, denominator: 'HUNDRED' } });
      assert.deepEqual(cfg.filter_enforced, cfg.filter_enabled);
    });

    it('emits nothing for average 0 (no limit), refuses redis, negative periods and conflicting criteria', () => {
      const none = translateRateLimit(mw('rateLimit', { average: 0 }), PLAIN);
      assert.equal(none.filter, undefined);
      assert.deepEqual(errors(none), []);
      assert.equal(errors(translateRateLimit(mw('rateLimit', { average: 1, redis: {} }), PLAIN)).length, 1);
      assert.equal(errors(translateRateLimit(mw('rateLimit', { average: 1, period: '-1s' }), PLAIN)).length, 1);
      assert.equal(errors(translateRateLimit(mw('rateLimit', { average: 1, period: 'soon' }), PLAIN)).length, 1);
      assert.equal(errors(translateRateLimit(mw('rateLimit', { average: 1, sourceCriterion: { requestHost: true, requestHeaderName: 'X' } }), PLAIN)).length, 1);
    });

    it('warns that one bucket is shared, naming the criterion', () => {
      const w = warnings(translateRateLimit(mw('rateLimit', { average: 1, sourceCriterion: { requestHeaderName: 'X-Key' } }), PLAIN));
      assert.ok(w.some((m) => m.includes('ONE bucket') && m.includes('X-Key')));
    });

    it('formats durations from nanoseconds', () => {
      assert.equal(durationFromNs(1_000_000_000n), '1s');
      assert.equal(durationFromNs(50_000_000n), '0.05s');
      assert.equal(durationFromNs(1n), '0.000000001s');
      assert.equal(durationFromNs(61_500_000_000n), '61.5s');
    });
  });

  describe('InFlightReq', () => {
    it('refuses a positive amount and answers 429 to everything for amount 0', () => {
      assert.equal(errors(translateInFlightReq(mw('inFlightReq', { amount: 3 }), PLAIN)).length, 1);
      const zero = translateInFlightReq(mw('inFlightReq', {}), PLAIN);
      assert.deepEqual(errors(zero), []);
      assert.equal((zero.filter!.typedConfig as unknown as { abort: { http_status: number } }).abort.http_status, 429);
    });
  });

  describe('Buffering', () => {
    const policy = (src: string) => {
      const e = parseOxyExpression(src, BUFFER_RETRY_DIALECT);
      assert.ok(!('error' in e), src);
      return retryPolicyOf(e);
    };

    it('counts retries as oxy does (predicate checked after each attempt, at most 10 retries)', () => {
      assert.equal(policy('IsNetworkError() && Attempts() < 2').policy!.num_retries, 1);
      assert.equal(policy('IsNetworkError() && Attempts() <= 2').policy!.num_retries, 2);
      assert.equal(policy('IsNetworkError()').policy!.num_retries, 10);
      assert.equal(policy('IsNetworkError() && Attempts() < 50').policy!.num_retries, 10);
      assert.equal(policy('IsNetworkError() && Attempts() < 1').policy, undefined);
      assert.equal(policy('IsNetworkError() && Attempts() < 3 && Attempts() < 2').policy!.num_retries, 1);
    });

    it('maps the response conditions to retry_on and status codes', () => {
      assert.deepEqual(policy('IsNetworkError() && Attempts() < 2').policy, {
        num_retries: 1, retry_on: 'connect-failure,reset,retriable-status-codes', retriable_status_codes: [502, 504],
      });
      assert.deepEqual(policy('ResponseCode() == 503 && Attempts() < 3').policy, { num_retries: 2, retry_on: 'retriable-status-codes', retriable_status_codes: [503] });
      assert.deepEqual(policy('ResponseCode() >= 500').policy, { num_retries: 10, retry_on: '5xx' });
      assert.deepEqual(policy('ResponseCode() == 502').policy!.retry_on, 'connect-failure,reset,retriable-status-codes');
    });

    it('turns the method conditions into one matcher (Envoy ORs its matchers, predicate ANDs them)', () => {
      assert.deepEqual(policy('IsNetworkError() && RequestMethod() == "GET"').policy!.retriable_request_headers, [{ name: ':method', string_match: { exact: 'GET' } }]);
      assert.deepEqual(policy('IsNetworkError() && RequestMethod() != "POST" && RequestMethod() != "PATCH"').policy!.retriable_request_headers, [
        { name: ':method', string_match: { safe_regex: { regex: 'PATCH|POST' } }, invert_match: true },
      ]);
      assert.equal(policy('IsNetworkError() && RequestMethod() == "GET" && RequestMethod() == "PUT"').policy, undefined);
    });

    it('reports shapes an Envoy retry policy cannot express', () => {
      assert.ok(policy('IsNetworkError() || Attempts() < 3').unsupported);
      assert.ok(policy('Attempts() < 3').unsupported);
      assert.ok(policy('IsNetworkError() && ResponseCode() == 503').unsupported);
      assert.ok(policy('IsNetworkError() && Attempts() > 3').unsupported);
    });

    it('emits the buffer filter only with a maximum, and refuses negative sizes and invalid expressions', () => {
      assert.equal(translateBuffering(mw('buffering', { maxRequestBodyBytes: 10 }), PLAIN).filter!.typedConfig.max_request_bytes, 10);
      const unlimited = translateBuffering(mw('buffering', {}), PLAIN);
      assert.equal(unlimited.filter, undefined);
      assert.equal(warnings(unlimited).length, 1);
      assert.equal(errors(translateBuffering(mw('buffering', { memResponseBodyBytes: -5 }), PLAIN)).length, 1);
      assert.equal(errors(translateBuffering(mw('buffering', { retryExpression: 'Attempts() <' }), PLAIN)).length, 1);
      const retried = translateBuffering(mw('buffering', { retryExpression: 'IsNetworkError() && Attempts() < 3' }), PLAIN);
      assert.equal(retried.route!.retryPolicy!.num_retries, 2);
    });
  });

  describe('CircuitBreaker', () => {
    const filters = (expression: string, extra: object = {}) => {
      const out = translateCircuitBreaker(mw('circuitBreaker', { expression, ...extra }), PLAIN);
      assert.deepEqual(errors(out), [], expression);
      return out.filters!.map((f) => f.typedConfig as Record<string, any>);
    };

    it('maps a ratio above a threshold to admission_control success ranges and threshold', () => {
      const [f] = filters('NetworkErrorRatio() > 0.25');
      assert.deepEqual(f.success_criteria.http_criteria.http_success_status, [{ start: 100, end: 502 }, { start: 503, end: 504 }, { start: 505, end: 600 }]);
      assert.equal(f.sr_threshold.default_value.value, 75);
      assert.equal(f.sampling_window, '10s');
      const [g] = filters('ResponseCodeRatio(500, 600, 0, 600) >= 0.1');
      assert.deepEqual(g.success_criteria.http_criteria.http_success_status, [{ start: 100, end: 500 }]);
      assert.equal(g.sr_threshold.default_value.value, 90);
    });

    it('maps a ratio below a threshold to the counted statuses as successes', () => {
      const [f] = filters('ResponseCodeRatio(200, 400, 0, 600) < 0.8');
      assert.deepEqual(f.success_criteria.http_criteria.http_success_status, [{ start: 200, end: 400 }]);
      assert.equal(f.sr_threshold.default_value.value, 80);
    });

    it('gives one filter per || alternative and an rps threshold for RequestThreshold()', () => {
      const fs = filters('NetworkErrorRatio() > 0.5 && RequestThreshold() > 19 || ResponseCodeRatio(500, 600, 0, 600) > 0.5');
      assert.equal(fs.length, 2);
      assert.equal(fs[0].rps_threshold.default_value, 2);
      assert.equal(fs[1].rps_threshold, undefined);
      const out = translateCircuitBreaker(mw('circuitBreaker', { expression: 'NetworkErrorRatio() > 0.5 || NetworkErrorRatio() > 0.9' }), PLAIN);
      assert.deepEqual(out.filters!.map((f) => f.kind), ['admission_control.1', 'admission_control.2']);
    });

    it('refuses latency, two ratios at once, equality on a ratio, counts alone and invalid durations', () => {
      for (const expression of ['LatencyAtQuantileMS(50.0) > 100', 'NetworkErrorRatio() > 0.1 && NetworkErrorRatio() < 0.9', 'NetworkErrorRatio() == 0.5',
        'RequestThreshold() > 10', 'NetworkErrorRatio() > 0.1 && RequestThreshold() < 10', '(NetworkErrorRatio() > 0.1 || NetworkErrorRatio() > 0.2) && RequestThreshold() > 3',
        'ResponseCodeRatio(0, 600, 0, 600) > 0.5']) {
        assert.equal(errors(translateCircuitBreaker(mw('circuitBreaker', { expression }), PLAIN)).length, 1, expression);
      }
      assert.equal(errors(translateCircuitBreaker(mw('circuitBreaker', { expression: 'NetworkErrorRatio() > 0.5', fallbackDuration: 'x' }), PLAIN)).length, 1);
    });

    it('warns when the response code is not 503', () => {
      const out = translateCircuitBreaker(mw('circuitBreaker', { expression: 'NetworkErrorRatio() > 0.5', responseCode: 500 }), PLAIN);
      assert.ok(warnings(out).some((m) => m.includes('not 500')));
    });
  });

  describe('Compress', () => {
    it('parses media types like mime.ParseMediaType (lower-cased, parameters dropped)', () => {
      assert.deepEqual(parseMediaType('Text/HTML; charset=UTF-8'), { mediaType: 'text/html' });
      assert.deepEqual(parseMediaType('text'), { mediaType: 'text' });
      assert.deepEqual(parseMediaType('application/json;q="a b"'), { mediaType: 'application/json' });
      for (const bad of ['', 'text/', '/html', 'text/html/x', 'text/html; charset', 'te xt/html']) assert.equal(parseMediaType(bad), undefined, bad);
    });

    it('emits one compressor per encoding in preference order, choose_first on the first', () => {
      const out = translateCompress(mw('compress', { encodings: ['br', 'gzip', 'br'] }), PLAIN);
      assert.deepEqual(out.filters!.map((f) => f.kind), ['compressor.br', 'compressor.gzip']);
      assert.equal(out.filters![0].typedConfig.choose_first, true);
      assert.equal(out.filters![1].typedConfig.choose_first, undefined);
      const single = translateCompress(mw('compress', { encodings: ['zstd'] }), PLAIN);
      assert.equal(single.filters![0].typedConfig.choose_first, undefined);
    });

    it('uses 1024 bytes unless minResponseBodyBytes is positive', () => {
      const min = (c: object) => (translateCompress(mw('compress', c), PLAIN).filters![0].typedConfig as any).response_direction_config.common_config.min_content_length;
      assert.equal(min({}), 1024);
      assert.equal(min({ minResponseBodyBytes: 0 }), 1024);
      assert.equal(min({ minResponseBodyBytes: 10 }), 10);
    });

    it('never lists application/grpc, and emits nothing when no type is left', () => {
      const types = (c: object) => (translateCompress(mw('compress', c), PLAIN).filters?.[0]?.typedConfig as any)?.response_direction_config.common_config.content_type;
      assert.ok(!types({}).includes('application/grpc'));
      assert.deepEqual(types({ includedContentTypes: ['application/grpc', 'text/plain'] }), ['text/plain']);
      assert.equal(types({ includedContentTypes: ['application/grpc'] }), undefined);
      assert.ok(!types({ excludedContentTypes: ['text/html'] }).includes('text/html'));
    });

    it('refuses what Traefik refuses', () => {
      for (const c of [{ encodings: [] }, { encodings: ['deflate'] }, { encodings: ['gzip'], defaultEncoding: 'br' },
        { includedContentTypes: ['a/b'], excludedContentTypes: ['c/d'] }, { includedContentTypes: ['a/'] }]) {
        assert.equal(errors(translateCompress(mw('compress', c), PLAIN)).length, 1, JSON.stringify(c));
      }
    });
  });

  describe('GrpcWeb', () => {
    it('puts a CORS policy before grpc_web when origins are allowed', () => {
      const out = translateGrpcWeb(mw('grpcWeb', { allowOrigins: ['https://a.example', '*'] }), PLAIN);
      assert.deepEqual(out.filters!.map((f) => f.kind), ['cors', 'grpc_web']);
      assert.deepEqual((out.filters![0].perRoute as any).allow_origin_string_match, [{ safe_regex: { regex: '.*' } }]);
      assert.equal((out.filters![0].perRoute as any).allow_credentials, true);
      assert.deepEqual(translateGrpcWeb(mw('grpcWeb', {}), PLAIN).filters!.map((f) => f.kind), ['grpc_web']);
    });
  });

  describe('EncodedCharacters', () => {
    /** Traefik's scan: the escaped path (before the query), one %XX triplet at a time. */
    function traefikRejects(pathAndQuery: string, denied: string[]): boolean {
      const path = pathAndQuery.split('?')[0];
      for (let i = 0; i < path.length; i++) {
        if (path[i] !== '%') continue;
        if (i + 2 >= path.length) return true;
        if (denied.includes(path.slice(i + 1, i + 3).toUpperCase())) return true;
        i += 2;
      }
      return false;
    }

    it('rejects exactly the paths Traefik rejects (valid percent-encoding)', () => {
      const hexes = ['2F', '5C', '00', '3B', '25', '3F', '23'];
      const chunk = fc.oneof(
        fc.constantFrom('/', 'a', 'b', '?', '=', '&', '.'),
        fc.constantFrom(...hexes, '41', '2f', '5c', '3b', '3f', '7E', '20').map((h) => `%${h}`),
      );
      fc.assert(fc.property(fc.subarray(hexes, { minLength: 1 }), fc.array(chunk, { maxLength: 12 }), (denied, parts) => {
        const p = `/${parts.join('')}`;
        const envoy = re2Matches(`^(?:${deniedPathRegex(denied)})$`, p);
        assert.equal(envoy, traefikRejects(p, denied), `${p} with ${denied}`);
      }), { numRuns: 200 });
    });

    it('emits no filter when everything is allowed', () => {
      const all = { allowEncodedSlash: true, allowEncodedBackSlash: true, allowEncodedNullCharacter: true, allowEncodedSemicolon: true, allowEncodedPercent: true, allowEncodedQuestionMark: true, allowEncodedHash: true };
      assert.equal(translateEncodedCharacters(mw('encodedCharacters', all), PLAIN).filter, undefined);
      assert.equal((translateEncodedCharacters(mw('encodedCharacters', {}), PLAIN).filter!.typedConfig as any).abort.http_status, 400);
    });
  });

  describe('PassTLSClientCert', () => {
    it('sets the headers from the peer certificate on TLS routes, after removing client copies', () => {
      const out = translatePassTLSClientCert(mw('passTLSClientCert', { pem: true, info: { notBefore: true, subject: { commonName: true } } }), TLS);
      assert.deepEqual(out.route!.requestHeadersToRemove, ['x-forwarded-tls-client-cert', 'x-forwarded-tls-client-cert-info']);
      assert.deepEqual(out.route!.requestHeadersToAdd!.map((h) => h.header!.value), [
        '%DOWNSTREAM_PEER_CERT%',
        'Subject%%3D%%22%DOWNSTREAM_PEER_SUBJECT%%%22%%3BNB%%3D%%22%DOWNSTREAM_PEER_CERT_V_START(%s)%%%22',
      ]);
    });

    it('only removes client copies on plain routes, and does nothing when nothing is selected', () => {
      const plain = translatePassTLSClientCert(mw('passTLSClientCert', { pem: true }), PLAIN);
      assert.equal(plain.route!.requestHeadersToAdd, undefined);
      assert.equal(plain.route!.requestHeadersToRemove!.length, 2);
      assert.equal(translatePassTLSClientCert(mw('passTLSClientCert', { info: { subject: {} } }), TLS).route, undefined);
    });
  });

  describe('ContentType', () => {
    it('warns unless autoDetect is false (the middleware enables sniffing in Traefik v3)', () => {
      assert.equal(warnings(translateContentType(mw('contentType', {}), PLAIN)).length, 1);
      assert.equal(warnings(translateContentType(mw('contentType', { autoDetect: true }), PLAIN)).length, 1);
      assert.equal(warnings(translateContentType(mw('contentType', { autoDetect: false }), PLAIN)).length, 0);
    });
  });

  describe('filter order with several filters per middleware', () => {
    it('identifies an instance by (middleware, kind) and adds second instances per kind', () => {
      const gz = translateCompress(mw('compress', { encodings: ['gzip', 'br'] }, 'gz'), PLAIN).filters!;
      const auth = { kind: 'basic_auth', typedConfig: { '@type': 'x' } };
      const use = (m: string, f: typeof auth) => ({ mw: mw('compress', {}, m), filter: f });
      const plan = (uses: ReturnType<typeof use>[]) => ({ filterUses: uses } as unknown as RouterPlan);
      const { instances, enabled } = mergeFilterOrder([
        { key: 'a', plan: plan([use('gz', gz[0]), use('gz', gz[1]), use('auth', auth)]) },
        { key: 'b', plan: plan([use('auth', auth), use('gz', gz[0]), use('gz', gz[1])]) },
      ]);
      assert.deepEqual(instances.map((i) => i.name), [
        'traefik.mw.default.gz.compressor.gzip', 'traefik.mw.default.gz.compressor.br', 'traefik.mw.default.auth.basic_auth',
        'traefik.mw.default.gz.compressor.gzip#2', 'traefik.mw.default.gz.compressor.br#2',
      ]);
      assert.deepEqual(enabled.get('b'), ['traefik.mw.default.auth.basic_auth', 'traefik.mw.default.gz.compressor.gzip#2', 'traefik.mw.default.gz.compressor.br#2']);
    });
  });

  describe('Envoy JSON: a string field holding "0"', () => {
    it('is kept (a header value "0" is not the proto3 default)', () => {
      const hv = { header: { key: 'X-XSS-Protection', value: '0' } };
      assert.deepEqual(canonicalize('envoy.config.core.v3.HeaderValueOption', hv), hv);
      const bytes = encodeResource('envoy.config.core.v3.HeaderValueOption' as never, hv);
      assert.deepEqual(decodeResource('envoy.config.core.v3.HeaderValueOption' as never, bytes), hv);
      assert.deepEqual(canonicalize('envoy.config.route.v3.RetryPolicy', { retry_on: '0' }), { retry_on: '0' });
      assert.deepEqual(canonicalize('envoy.config.core.v3.RuntimeUInt32', { default_value: 0, runtime_key: 'k' }), { runtime_key: 'k' });
    });
  });
});
