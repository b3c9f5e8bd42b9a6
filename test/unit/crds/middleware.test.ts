import assert from 'node:assert/strict';
import { MIDDLEWARE_TYPES } from '../../../src/model/crds/middleware';
import type { MiddlewareObj, MiddlewareTCPObj } from '../../../src/model/crds/types';
import { expectClean, expectDiag, manifest, parseYaml } from './helpers';

/** One full example per middleware type, every field set. */
const FULL: Record<string, string> = {
  addPrefix: 'addPrefix:\n  prefix: /foo',
  stripPrefix: 'stripPrefix:\n  prefixes: [/foobar, /fiibar]',
  stripPrefixRegex: 'stripPrefixRegex:\n  regex: ["/foo/[a-z0-9]+/[0-9]+/"]',
  replacePath: 'replacePath:\n  path: /foo',
  replacePathRegex: 'replacePathRegex:\n  regex: ^/foo/(.*)\n  replacement: /bar/$1',
  chain: 'chain:\n  middlewares:\n  - name: a\n  - name: b\n    namespace: default',
  ipAllowList: `ipAllowList:
  sourceRange: [127.0.0.1/32, 192.168.1.7]
  rejectStatusCode: 404
  ipStrategy:
    depth: 2
    excludedIPs: [127.0.0.1/32]
    ipv6Subnet: 64`,
  headers: `headers:
  customRequestHeaders: {X-Script-Name: test, X-Custom-Request-Header: ""}
  customResponseHeaders: {X-Custom-Response-Header: value}
  accessControlAllowCredentials: true
  accessControlAllowHeaders: ["*"]
  accessControlAllowMethods: [GET, OPTIONS, PUT]
  accessControlAllowOriginList: [https://foo.bar.org]
  accessControlAllowOriginListRegex: ["https://(.*)\\\\.bar\\\\.org"]
  accessControlExposeHeaders: [X-Foo]
  accessControlMaxAge: 100
  addVaryHeader: true
  allowedHosts: [example.com]
  hostsProxyHeaders: [X-Forwarded-Host]
  sslProxyHeaders: {X-Forwarded-Proto: https}
  stsSeconds: 31536000
  stsIncludeSubdomains: true
  stsPreload: true
  forceSTSHeader: true
  frameDeny: true
  customFrameOptionsValue: SAMEORIGIN
  contentTypeNosniff: true
  browserXssFilter: true
  customBrowserXSSValue: "1; mode=block"
  contentSecurityPolicy: default-src 'self'
  contentSecurityPolicyReportOnly: default-src 'self'
  publicKey: pin-sha256="base64"
  referrerPolicy: same-origin
  permissionsPolicy: camera=()
  isDevelopment: false`,
  encodedCharacters: `encodedCharacters:
  allowEncodedSlash: true
  allowEncodedBackSlash: false
  allowEncodedNullCharacter: false
  allowEncodedSemicolon: true
  allowEncodedPercent: false
  allowEncodedQuestionMark: false
  allowEncodedHash: false`,
  errors: `errors:
  status: ["500", "501", "503", "505-599", "500,502"]
  statusRewrites: {"500-599": 500}
  query: /{status}.html?orig={originalStatus}&u={url}
  errorRequestHeaders: [Accept]
  service:
    name: whoami
    port: 80`,
  rateLimit: `rateLimit:
  average: 100
  period: 1m
  burst: 50
  sourceCriterion:
    ipStrategy: {depth: 1}
  redis:
    endpoints: [redis:6379]
    tls: {caSecret: ca, certSecret: cert, insecureSkipVerify: false}
    secret: redis-creds
    db: 1
    poolSize: 10
    minIdleConns: 1
    maxActiveConns: 20
    readTimeout: 3s
    writeTimeout: 3s
    dialTimeout: 5s`,
  redirectRegex: 'redirectRegex:\n  regex: ^http://localhost/(.*)\n  replacement: http://mydomain/${1}\n  permanent: true',
  redirectScheme: 'redirectScheme:\n  scheme: https\n  port: "443"\n  permanent: true',
  basicAuth: 'basicAuth:\n  secret: authsecret\n  realm: MyRealm\n  removeHeader: true\n  headerField: X-WebAuth-User',
  digestAuth: 'digestAuth:\n  secret: userssecret\n  realm: MyRealm\n  removeHeader: true\n  headerField: X-WebAuth-User',
  forwardAuth: `forwardAuth:
  address: https://example.com/auth
  trustForwardHeader: true
  authResponseHeaders: [X-Auth-User, X-Secret]
  authResponseHeadersRegex: ^X-
  authRequestHeaders: [Accept, X-CustomHeader]
  tls: {caSecret: ca, certSecret: cert, insecureSkipVerify: true}
  maxResponseBodySize: 1024
  addAuthCookiesToResponse: [Session-Cookie]
  headerField: X-Forwarded-User
  forwardBody: true
  maxBodySize: 4096
  preserveLocationHeader: true
  preserveRequestMethod: true
  authSigninURL: https://example.com/login`,
  inFlightReq: 'inFlightReq:\n  amount: 10\n  sourceCriterion:\n    requestHeaderName: username\n    requestHost: false',
  buffering: `buffering:
  maxRequestBodyBytes: 2000000
  memRequestBodyBytes: 1048576
  maxResponseBodyBytes: 2000000
  memResponseBodyBytes: 1048576
  retryExpression: IsNetworkError() && Attempts() < 2`,
  circuitBreaker: `circuitBreaker:
  expression: LatencyAtQuantileMS(50.0) > 100
  checkPeriod: 100ms
  fallbackDuration: 1.5s
  recoveryDuration: 10
  responseCode: 503`,
  compress: `compress:
  includedContentTypes: [text/html]
  minResponseBodyBytes: 1200
  encodings: [zstd, br, gzip]
  defaultEncoding: gzip`,
  passTLSClientCert: `passTLSClientCert:
  pem: true
  info:
    notAfter: true
    notBefore: true
    sans: true
    serialNumber: true
    subject: {country: true, province: true, locality: true, organization: true, organizationalUnit: true, commonName: true, serialNumber: true, domainComponent: true}
    issuer: {country: true, province: true, locality: true, organization: true, commonName: true, serialNumber: true, domainComponent: true}`,
  retry: `retry:
  attempts: 4
  initialInterval: 100ms
  timeout: 5s
  maxRequestBodyBytes: -1
  status: ["500-599", "429"]
  disableRetryOnNetworkError: false
  retryNonIdempotentMethod: true`,
  contentType: 'contentType: {}',
  grpcWeb: 'grpcWeb:\n  allowOrigins: ["*"]',
  plugin: 'plugin:\n  my-plugin:\n    headers: {Foo: Bar}\n    list: [1, "two", {three: 3}]\n    secret: urn:k8s:secret:s:key',
};

describe('crds/Middleware', () => {
  for (const [type, spec] of Object.entries(FULL)) {
    it(`accepts a full ${type} example`, () => {
      const obj = expectClean(manifest('Middleware', spec, { name: type.toLowerCase() })) as MiddlewareObj;
      assert.ok(obj.spec[type as keyof MiddlewareObj['spec']] !== undefined);
    });
  }

  it('has a full example for every middleware type, except the deprecated ipWhiteList', () => {
    assert.deepEqual(
      MIDDLEWARE_TYPES.filter((t) => !(t in FULL)),
      ['ipWhiteList'],
    );
  });

  it('accepts the v2 (traefik.containo.us) forms and warns on what Traefik v3 deprecated', () => {
    const p = parseYaml(
      manifest(
        'Middleware',
        `headers:
  sslRedirect: true
  sslTemporaryRedirect: false
  sslHost: example.com
  sslForceHost: true
  featurePolicy: vibrate 'none'
  frameDeny: true`,
        { group: 'traefik.containo.us' },
      ),
    );
    assert.ok(p.obj);
    assert.deepEqual(p.errors, []);
    expectDiag(p, 'warning', 'spec.headers.sslRedirect', /redirectScheme/);
    expectDiag(p, 'warning', 'spec.headers.sslTemporaryRedirect', /redirectScheme/);
    expectDiag(p, 'warning', 'spec.headers.sslHost', /redirectRegex/);
    expectDiag(p, 'warning', 'spec.headers.sslForceHost', /redirectRegex/);
    expectDiag(p, 'warning', 'spec.headers.featurePolicy', /permissionsPolicy/);
    expectDiag(p, 'info', 'apiVersion', /traefik.io/);
  });

  it('warns on ipWhiteList, stripPrefix.forceSlash, contentType.autoDetect, forwardAuth.tls.caOptional', () => {
    const cases: [string, string, RegExp][] = [
      ['ipWhiteList:\n  sourceRange: [127.0.0.1/32]', 'spec.ipWhiteList', /use ipAllowList instead/],
      ['stripPrefix:\n  prefixes: [/a]\n  forceSlash: false', 'spec.stripPrefix.forceSlash', /deprecated/],
      ['contentType:\n  autoDetect: true', 'spec.contentType.autoDetect', /deprecated/],
      ['forwardAuth:\n  address: http://a\n  tls: {caOptional: true}', 'spec.forwardAuth.tls.caOptional', /deprecated/],
    ];
    for (const [spec, field, re] of cases) {
      const p = parseYaml(manifest('Middleware', spec));
      assert.ok(p.obj, spec);
      expectDiag(p, 'warning', field, re);
    }
  });

  it('rejects a middleware with no type or several types', () => {
    let p = parseYaml(manifest('Middleware', '{}'));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec', /no middleware type set/);
    p = parseYaml(manifest('Middleware', 'addPrefix: {prefix: /a}\nstripPrefix: {prefixes: [/b]}'));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec', /several middleware types set \(addPrefix, stripPrefix\)/);
  });

  it('rejects an unknown middleware type with a suggestion', () => {
    const p = parseYaml(manifest('Middleware', 'ipWhitelist:\n  sourceRange: [10.0.0.0/8]'));
    expectDiag(p, 'error', 'spec.ipWhitelist', /did you mean "ipWhiteList"\? \(names are case-sensitive\)/);
    const q = parseYaml(manifest('Middleware', 'stripPrefixes:\n  prefixes: [/a]'));
    expectDiag(q, 'error', 'spec.stripPrefixes', /did you mean "stripPrefix"\?/);
  });

  it('rejects wrong types, out-of-range values and bad patterns', () => {
    const cases: [string, string, RegExp][] = [
      ['redirectScheme: {scheme: https, port: 443}', 'spec.redirectScheme.port', /expected a string, got the integer 443 \(quote it: "443"\)/],
      ['stripPrefix: {prefixes: /a}', 'spec.stripPrefix.prefixes', /expected a list/],
      ['circuitBreaker: {expression: x, responseCode: 99}', 'spec.circuitBreaker.responseCode', /below the minimum 100/],
      ['rateLimit: {average: -1}', 'spec.rateLimit.average', /below the minimum 0/],
      ['retry: {attempts: 2, maxRequestBodyBytes: -2}', 'spec.retry.maxRequestBodyBytes', /below the minimum -1/],
      ['errors: {status: ["5xx"], service: {name: s, port: 80}}', 'spec.errors.status[0]', /does not match the pattern/],
      ['errors: {status: ["500"], statusRewrites: {"500": "503"}, service: {name: s}}', 'spec.errors.statusRewrites.500', /expected an integer/],
      ['addPrefix: {prefix: foo}', 'spec.addPrefix.prefix', /must start with a '\/'/],
      ['headers: {customRequestHeaders: {X-A: 1}}', 'spec.headers.customRequestHeaders.X-A', /quote it/],
    ];
    for (const [spec, field, re] of cases) {
      const p = parseYaml(manifest('Middleware', spec));
      assert.equal(p.obj, undefined, spec);
      expectDiag(p, 'error', field, re);
    }
  });

  it('requires the errors service name and chain middleware names', () => {
    let p = parseYaml(manifest('Middleware', 'errors: {status: ["500"], service: {port: 80}}'));
    expectDiag(p, 'error', 'spec.errors.service.name', /missing required field "name"/);
    p = parseYaml(manifest('Middleware', 'chain: {middlewares: [{namespace: x}]}'));
    expectDiag(p, 'error', 'spec.chain.middlewares[0].name', /missing required field "name"/);
  });

  it('rejects bad durations with the pattern-compatible form', () => {
    let p = parseYaml(manifest('Middleware', 'retry: {attempts: 3, initialInterval: 0.5s}'));
    expectDiag(p, 'error', 'spec.retry.initialInterval', /write "500ms"/);
    p = parseYaml(manifest('Middleware', 'rateLimit: {average: 1, period: 1 minute}'));
    expectDiag(p, 'error', 'spec.rateLimit.period', /duration/);
    p = parseYaml(manifest('Middleware', 'circuitBreaker: {expression: x, checkPeriod: 1m30}'));
    expectDiag(p, 'error', 'spec.circuitBreaker.checkPeriod', /missing unit/);
    // rateLimit.period has no CRD pattern: a fraction is fine.
    expectClean(manifest('Middleware', 'rateLimit: {average: 1, period: 1.5s}'));
  });

  it('rejects an invalid name', () => {
    const p = parseYaml(manifest('Middleware', 'addPrefix: {prefix: /a}', { name: 'Strip.Prefix' }));
    expectDiag(p, 'error', 'metadata.name', /e\.g\. "strip.prefix"/);
  });
});

describe('crds/MiddlewareTCP', () => {
  it('accepts full examples of each type', () => {
    const a = expectClean(manifest('MiddlewareTCP', 'inFlightConn:\n  amount: 10')) as MiddlewareTCPObj;
    assert.equal(a.spec.inFlightConn?.amount, 10);
    expectClean(manifest('MiddlewareTCP', 'ipAllowList:\n  sourceRange: [127.0.0.1/32, 192.168.1.7]'));
  });

  it('accepts the seed v2 ipWhiteList example with a deprecation warning', () => {
    const p = parseYaml(manifest('MiddlewareTCP', 'ipWhiteList:\n  sourceRange:\n    - 127.0.0.1/32\n    - 192.168.1.7', { group: 'traefik.containo.us', name: 'ipwhitelist' }));
    assert.ok(p.obj);
    expectDiag(p, 'warning', 'spec.ipWhiteList', /use ipAllowList instead/);
  });

  it('rejects HTTP-only fields, unknown types, wrong types and several types', () => {
    let p = parseYaml(manifest('MiddlewareTCP', 'ipAllowList: {sourceRange: [1.2.3.4], ipStrategy: {depth: 1}}'));
    expectDiag(p, 'error', 'spec.ipAllowList.ipStrategy', /unknown field "ipStrategy"$/);
    p = parseYaml(manifest('MiddlewareTCP', 'inFlightConnection: {amount: 1}'));
    expectDiag(p, 'error', 'spec.inFlightConnection', /did you mean "inFlightConn"\?/);
    p = parseYaml(manifest('MiddlewareTCP', 'inFlightConn: {amount: ten}'));
    expectDiag(p, 'error', 'spec.inFlightConn.amount', /expected an integer/);
    p = parseYaml(manifest('MiddlewareTCP', 'inFlightConn: {amount: 1}\nipAllowList: {sourceRange: [1.2.3.4]}'));
    expectDiag(p, 'error', 'spec', /several TCP middleware types/);
  });
});
