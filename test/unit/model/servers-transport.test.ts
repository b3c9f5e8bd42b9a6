import * as assert from 'node:assert/strict';
import { parseManifestText } from '../../../src/sources/manifests';
import { buildIndex } from '../../../src/model/object-index';
import { Diagnostics } from '../../../src/model/diagnostics';
import { DEFAULT_PROVIDER_OPTIONS, type ModelOptions } from '../../../src/model/options';
import { ServiceError } from '../../../src/model/services';
import {
  FORWARDING_TIMEOUT_DEFAULTS, NO_DIAL_TIMEOUT_MS, checkServersTransports, resolveTransportRef, transportSettings,
} from '../../../src/model/servers-transport';
import { HEALTH_CHECK_DEFAULTS, resolveHealthCheck, resolvePassiveHealthCheck } from '../../../src/model/health-checks';
import { boringSslCiphers } from '../../../src/model/tls-names';

const MANIFESTS = `
apiVersion: traefik.io/v1alpha1
kind: ServersTransport
metadata: {name: empty, namespace: default}
spec: {}
---
apiVersion: traefik.io/v1alpha1
kind: ServersTransport
metadata: {name: slow, namespace: other}
spec:
  forwardingTimeouts: {dialTimeout: 0s, readIdleTimeout: 10s}
  disableHTTP2: true
---
apiVersion: traefik.io/v1alpha1
kind: ServersTransport
metadata: {name: tls, namespace: default}
spec:
  serverName: backend.example.com
  minVersion: VersionTLS13
`;

function context(allowCrossNamespace = false) {
  const diags = new Diagnostics();
  const opts: ModelOptions = {
    provider: { ...DEFAULT_PROVIDER_OPTIONS, allowCrossNamespace },
    defaultRuleSyntax: 'v3',
    entryPoints: [{ name: 'web', protocol: 'tcp' }],
    defaultEntryPoints: ['web'],
    defaultTransport: { insecureSkipVerify: false, rootCAs: [], dialTimeoutMs: 30_000, idleConnTimeoutMs: 90_000, maxIdleConnsPerHost: 200 },
  };
  const index = buildIndex(parseManifestText(MANIFESTS, 'st.yaml').objects, opts.provider, diags);
  return { index, opts, diags };
}

describe('model/servers-transport (traefik-semantics.md §4.4, §12.1)', () => {
  it('resolves references as Traefik does', () => {
    const ctx = context();
    assert.equal(resolveTransportRef(ctx, 'default', undefined).name, 'default@internal');
    assert.equal(resolveTransportRef(ctx, 'default', 'default@internal').name, 'default@internal');
    assert.equal(resolveTransportRef(ctx, 'default', 'empty').name, 'default-empty@kubernetescrd');
    // Looked up in the Service's namespace only.
    assert.throws(() => resolveTransportRef(ctx, 'default', 'slow'), /servers transport not found default-slow@kubernetescrd/);
    assert.throws(() => resolveTransportRef(ctx, 'default', 'other-slow@kubernetescrd'), /not allowed when crossnamespace is disallowed/);
    assert.throws(() => resolveTransportRef(ctx, 'default', 'x@file'), ServiceError);
    const cross = context(true);
    assert.equal(resolveTransportRef(cross, 'default', 'other-slow@kubernetescrd').name, 'other-slow@kubernetescrd');
  });

  it('applies the forwardingTimeouts defaults and keeps maxIdleConnsPerHost 0 (Go: 2)', () => {
    const t = resolveTransportRef(context(), 'default', 'empty');
    assert.equal(t.dialTimeoutMs, FORWARDING_TIMEOUT_DEFAULTS.dialTimeoutMs);
    assert.equal(t.idleConnTimeoutMs, 90_000);
    assert.equal(t.pingTimeoutMs, 15_000);
    assert.equal(t.responseHeaderTimeoutMs, 0);
    assert.equal(t.maxIdleConnsPerHost, 0);
  });

  it('turns transports into cluster settings', () => {
    const ctx = context(true);
    const slow = resolveTransportRef(ctx, 'default', 'other-slow@kubernetescrd');
    const h2c = transportSettings(slow, 'h2c', undefined);
    assert.equal(h2c.connectTimeoutMs, NO_DIAL_TIMEOUT_MS);
    assert.match(h2c.failAll ?? '', /disableHTTP2/);
    const plain = transportSettings(resolveTransportRef(ctx, 'default', 'empty'), 'https', 'api.example.net');
    assert.deepEqual(plain.tls?.sans, [{ type: 'DNS', value: 'api.example.net' }]);
    assert.equal(plain.tls?.sni, 'api.example.net');
  });

  it('falls back to Go\'s default TLS configuration when Traefik v3.7 refuses the TLS settings', () => {
    const ctx = context();
    const t = resolveTransportRef(ctx, 'default', 'tls');
    assert.equal(t.tls, undefined);
    checkServersTransports(ctx);
    assert.ok(ctx.diags.items.some((d) => d.name === 'tls' && /fallback on default TLS config/.test(d.message)));
  });
});

describe('model/health-checks (traefik-semantics.md §5.1)', () => {
  const up = { scheme: 'http' as const, host: 'api.example.net', port: 80, clusterHttp2: false, disableHTTP2: false };
  const report = () => ({ diags: new Diagnostics(), subject: { kind: 'IngressRoute' }, field: 'spec.routes[0].services[0].healthCheck' });

  it('uses the code defaults: 30s, 5s, 200-399, Host = server address', () => {
    const { check } = resolveHealthCheck({}, up, report());
    assert.equal(check?.intervalMs, HEALTH_CHECK_DEFAULTS.intervalMs);
    assert.equal(check?.unhealthyIntervalMs, 30_000);
    assert.equal(check?.timeoutMs, 5_000);
    assert.deepEqual(check?.expectedStatuses, [[200, 400]]);
    assert.equal(check?.host, 'api.example.net:80');
    assert.equal(check?.path, '/');
  });

  it('replaces non-positive durations and refuses unparsable ones', () => {
    const r = report();
    const { check } = resolveHealthCheck({ interval: '0s', timeout: '-1s' }, up, r);
    assert.equal(check?.intervalMs, 30_000);
    assert.equal(check?.timeoutMs, 5_000);
    assert.equal(r.diags.items.length, 2);
    assert.throws(() => resolveHealthCheck({ interval: 'soon' }, up, report()), ServiceError);
  });

  it('does not run a gRPC check on an HTTP/1.1 cluster, and fails every gRPC check over TLS', () => {
    assert.deepEqual(resolveHealthCheck({ mode: 'grpc' }, up, report()), {});
    assert.match(resolveHealthCheck({ mode: 'grpc', scheme: 'https' }, { ...up, clusterHttp2: true }, report()).failAll ?? '', /no transport security/);
  });

  it('passive health check defaults: 10s window, 1 attempt', () => {
    assert.deepEqual(resolvePassiveHealthCheck({}, report()), { maxFailedAttempts: 1, failureWindowMs: 10_000 });
    assert.equal(resolvePassiveHealthCheck({ failureWindow: '0s' }, report()), undefined);
  });
});

describe('translate/tls/cipher-suites (traefik-to-envoy.md §10.2)', () => {
  it('maps Go names to BoringSSL ones, drops TLS 1.3 suites and reports the others', () => {
    assert.deepEqual(boringSslCiphers(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLS_RSA_WITH_RC4_128_SHA']), {
      ciphers: ['ECDHE-RSA-AES128-GCM-SHA256'],
      unsupported: ['TLS_RSA_WITH_RC4_128_SHA'],
    });
  });
});
