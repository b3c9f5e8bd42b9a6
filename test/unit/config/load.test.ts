import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigIOError, defaultStaticConfig, loadStaticConfig } from '../../../src/config/load';
import { defaultEntryPoints } from '../../../src/config/entrypoints';
import type { Diagnostic } from '../../../src/model/diagnostics';
import type { StaticConfig } from '../../../src/config/types';

const FILE = '/etc/traefik-xds/config.yaml';

function load(text: string, entryPointOverrides?: string[]) {
  const r = loadStaticConfig({ text, file: FILE, entryPointOverrides });
  return { config: r.config, diags: r.diagnostics.sorted() };
}

/** Loads text that must give no diagnostic at all. */
function clean(text: string): StaticConfig {
  const r = load(text);
  assert.deepEqual(r.diags, [], `unexpected diagnostics:\n${r.diags.map((d) => `${d.source} ${d.field}: ${d.message}`).join('\n')}`);
  return r.config;
}

function only(diags: Diagnostic[], severity: 'error' | 'warning'): Diagnostic[] {
  return diags.filter((d) => d.severity === severity);
}

function find(diags: Diagnostic[], field: string, severity?: 'error' | 'warning'): Diagnostic {
  const d = diags.find((x) => x.field === field && (!severity || x.severity === severity));
  assert.ok(d, `no diagnostic on ${field}; got:\n${diags.map((x) => `${x.severity} ${x.field}: ${x.message}`).join('\n')}`);
  return d;
}

describe('config/load: defaults', () => {
  it('no file: web :80, websecure :443, xDS and admin on loopback, one auto fleet', () => {
    const { config, diagnostics } = loadStaticConfig({});
    assert.deepEqual(diagnostics.items, []);
    assert.deepEqual(Object.keys(config.entryPoints), ['web', 'websecure']);
    assert.deepEqual(config.entryPoints.web.address, { host: '', port: 80, protocol: 'tcp' });
    assert.deepEqual(config.entryPoints.websecure.address, { host: '', port: 443, protocol: 'tcp' });
    assert.equal(config.entryPoints.web.asDefault, false);
    assert.deepEqual(config.entryPoints.web.transport.respondingTimeouts, { readTimeout: 60_000, writeTimeout: 0, idleTimeout: 180_000 });
    assert.equal(config.entryPoints.web.udp.timeout, 3_000);
    assert.equal(config.entryPoints.web.http.tls, undefined);
    assert.equal(config.entryPoints.web.proxyProtocol, undefined);
    assert.equal(config.xds.addressText, '127.0.0.1:18000');
    assert.deepEqual(config.xds.address, { host: '127.0.0.1', port: 18000, protocol: 'tcp' });
    assert.equal(config.xds.insecure, false);
    assert.equal(config.xds.maxMessageBytes, 33_554_432);
    assert.equal(config.xds.tls, undefined);
    assert.deepEqual(config.admin.address, { host: '127.0.0.1', port: 9902, protocol: 'tcp' });
    assert.deepEqual(config.fleets, [{ name: 'default', match: { metadata: {} }, entryPoints: ['web', 'websecure'], profile: 'auto' }]);
    assert.deepEqual(config.providers, {}); // the manifests source is off unless the command line gives paths
    assert.equal(config.core.defaultRuleSyntax, 'v3');
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.serversTransport, {
      insecureSkipVerify: false,
      rootCAs: [],
      maxIdleConnsPerHost: 200,
      forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 },
    });
    assert.deepEqual(config.tcpServersTransport, { dialTimeout: 30_000, dialKeepAlive: 15_000, terminationDelay: 100 });
    assert.equal(config.configFile, undefined);
    assert.deepEqual(config, defaultStaticConfig());
  });

  it('a file without entryPoints keeps the default entry points', () => {
    const c = clean('logLevel: debug\n');
    assert.deepEqual(Object.keys(c.entryPoints), ['web', 'websecure']);
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.configFile, FILE);
  });

  it('entry points in the file replace the defaults', () => {
    const c = clean('entryPoints:\n  http: {address: ":8000"}\n');
    assert.deepEqual(Object.keys(c.entryPoints), ['http']);
    assert.deepEqual(c.fleets[0].entryPoints, ['http']);
  });

  it('an empty file warns and uses the defaults', () => {
    const r = load('');
    assert.equal(r.diags.length, 1);
    assert.equal(r.diags[0].severity, 'warning');
    assert.equal(r.diags[0].source, `${FILE}:1:1`);
    assert.deepEqual(Object.keys(r.config.entryPoints), ['web', 'websecure']);
  });
});

describe('config/load: every section', () => {
  const full = `
entryPoints:
  web:
    address: ":80"
    http:
      redirections:
        entryPoint: {to: websecure, scheme: https, permanent: false, priority: 10}
  websecure:
    address: "[::]:443"
    asDefault: true
    http:
      tls:
        options: default-modern
        domains:
          - {main: example.com, sans: ["*.example.com"]}
      middlewares: [default-compress@kubernetescrd, headers]
    forwardedHeaders: {trustedIPs: ["10.0.0.0/8", "192.168.1.1"], insecure: false}
    proxyProtocol: {trustedIPs: ["10.0.0.0/8"]}
    transport:
      respondingTimeouts: {readTimeout: 10, writeTimeout: 1m30s, idleTimeout: 500ms}
  dns:
    address: ":53/udp"
    udp: {timeout: 10s}
serversTransport:
  insecureSkipVerify: true
  rootCAs: [/ca/a.pem, /ca/b.pem]
  maxIdleConnsPerHost: 50
  forwardingTimeouts: {dialTimeout: 5s, responseHeaderTimeout: 2s, idleConnTimeout: 1m}
  spiffe: {ids: ["spiffe://example.org/ns/a/sa/b"], trustDomain: example.org}
tcpServersTransport:
  dialTimeout: 10s
  dialKeepAlive: -1
  terminationDelay: 50ms
  tls: {insecureSkipVerify: true, rootCAs: [/ca/c.pem], spiffe: {trustDomain: example.org}}
core:
  defaultRuleSyntax: v2
providers:
  kubernetesCRD:
    endpoint: https://k8s.example:6443
    token: /var/run/token
    certAuthFilePath: /ca.crt
    namespaces: [default, prod]
    labelSelector: "app in (a,b),!canary"
    ingressClass: traefik-internal
    throttleDuration: 2s
    allowCrossNamespace: true
    allowExternalNameServices: true
    allowEmptyServices: true
    nativeLBByDefault: true
    disableClusterScopeResources: true
    crossProviderNamespaces: []
  kubernetesIngress:
    ingressClass: nginx
    ingressEndpoint: {publishedService: default/envoy}
  manifests:
    directory: ./manifests
    watch: false
    ingressClass: other
xds:
  address: "0.0.0.0:18001"
  tls: {certFile: /tls/cert.pem, keyFile: /tls/key.pem, clientCAFile: /tls/ca.pem}
  insecure: true
  maxMessageBytes: 4194304
admin:
  address: "[::1]:9000"
fleets:
  - name: gateway
    match: {nodeCluster: "gateway*", nodeId: "gw-?", metadata: {zone: eu-1, tier: 1}}
    entryPoints: [web, websecure]
    profile: envoy
    clientCertificate: {san: "spiffe://example.org/ns/*/sa/envoy"}
  - name: grpc-clients
    profile: grpc
logLevel: warn
`;

  it('parses everything with no diagnostic', () => {
    const c = clean(full);
    const web = c.entryPoints.web;
    assert.deepEqual(web.http.redirections, { entryPoint: { to: 'websecure', port: 443, scheme: 'https', permanent: false, priority: 10 } });
    const ws = c.entryPoints.websecure;
    assert.deepEqual(ws.address, { host: '::', port: 443, protocol: 'tcp' });
    assert.equal(ws.addressText, '[::]:443');
    assert.equal(ws.asDefault, true);
    assert.deepEqual(ws.http.tls, { options: 'default-modern', certResolver: '', domains: [{ main: 'example.com', sans: ['*.example.com'] }] });
    assert.deepEqual(ws.http.middlewares, ['default-compress@kubernetescrd', 'headers']);
    assert.deepEqual(ws.forwardedHeaders, { trustedIPs: ['10.0.0.0/8', '192.168.1.1'], insecure: false });
    assert.deepEqual(ws.proxyProtocol, { trustedIPs: ['10.0.0.0/8'], insecure: false });
    assert.deepEqual(ws.transport.respondingTimeouts, { readTimeout: 10_000, writeTimeout: 90_000, idleTimeout: 500 });
    assert.deepEqual(c.entryPoints.dns.address, { host: '', port: 53, protocol: 'udp' });
    assert.equal(c.entryPoints.dns.udp.timeout, 10_000);

    assert.deepEqual(c.serversTransport, {
      insecureSkipVerify: true,
      rootCAs: ['/ca/a.pem', '/ca/b.pem'],
      maxIdleConnsPerHost: 50,
      forwardingTimeouts: { dialTimeout: 5_000, responseHeaderTimeout: 2_000, idleConnTimeout: 60_000 },
      spiffe: { ids: ['spiffe://example.org/ns/a/sa/b'], trustDomain: 'example.org' },
    });
    assert.deepEqual(c.tcpServersTransport, {
      dialTimeout: 10_000,
      dialKeepAlive: -1_000,
      terminationDelay: 50,
      tls: { insecureSkipVerify: true, rootCAs: ['/ca/c.pem'], spiffe: { ids: [], trustDomain: 'example.org' } },
    });
    assert.equal(c.core.defaultRuleSyntax, 'v2');

    assert.deepEqual(c.providers.kubernetesCRD, {
      endpoint: 'https://k8s.example:6443',
      token: '/var/run/token',
      certAuthFilePath: '/ca.crt',
      namespaces: ['default', 'prod'],
      labelSelector: 'app in (a,b),!canary',
      ingressClass: 'traefik-internal',
      throttleDuration: 2_000,
      allowCrossNamespace: true,
      allowExternalNameServices: true,
      allowEmptyServices: true,
      nativeLBByDefault: true,
      disableClusterScopeResources: true,
      crossProviderNamespaces: [],
    });
    assert.equal(c.providers.kubernetesIngress?.ingressClass, 'nginx');
    assert.deepEqual(c.providers.kubernetesIngress?.ingressEndpoint, { ip: '', hostname: '', publishedService: 'default/envoy' });
    // manifests: its own options, then kubernetesCRD's, then defaults
    assert.deepEqual(c.providers.manifests, {
      directory: '/etc/traefik-xds/manifests',
      watch: false,
      namespaces: ['default', 'prod'],
      labelSelector: 'app in (a,b),!canary',
      ingressClass: 'other',
      allowCrossNamespace: true,
      allowExternalNameServices: true,
      allowEmptyServices: true,
      nativeLBByDefault: true,
      disableClusterScopeResources: true,
      crossProviderNamespaces: [],
    });

    assert.deepEqual(c.xds, {
      address: { host: '0.0.0.0', port: 18001, protocol: 'tcp' },
      addressText: '0.0.0.0:18001',
      tls: { certFile: '/tls/cert.pem', keyFile: '/tls/key.pem', clientCAFile: '/tls/ca.pem' },
      insecure: true,
      maxMessageBytes: 4_194_304,
    });
    assert.deepEqual(c.admin, { address: { host: '::1', port: 9000, protocol: 'tcp' }, addressText: '[::1]:9000' });
    assert.deepEqual(c.fleets, [
      {
        name: 'gateway',
        match: { nodeCluster: 'gateway*', nodeId: 'gw-?', metadata: { zone: 'eu-1', tier: '1' } },
        entryPoints: ['web', 'websecure'],
        profile: 'envoy',
        clientCertificate: { san: 'spiffe://example.org/ns/*/sa/envoy' },
      },
      { name: 'grpc-clients', match: { metadata: {} }, entryPoints: ['web', 'websecure', 'dns'], profile: 'grpc' },
    ]);
    assert.equal(c.logLevel, 'warn');
  });

  it('reads JSON too', () => {
    const r = loadStaticConfig({ text: '{"entryPoints": {"web": {"address": ":8000", "asDefault": true}}, "logLevel": "error"}', file: 'c.json' });
    assert.deepEqual(r.diagnostics.items, []);
    assert.equal(r.config.entryPoints.web.address.port, 8000);
    assert.equal(r.config.logLevel, 'error');
  });

  it('reads a file from disk and resolves a relative manifests directory against its folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txds-config-'));
    try {
      const file = path.join(dir, 'traefik-xds.yaml');
      fs.writeFileSync(file, 'providers:\n  manifests: {directory: ./k8s}\n');
      const r = loadStaticConfig({ file });
      assert.deepEqual(r.diagnostics.items, []);
      assert.equal(r.config.providers.manifests?.directory, path.join(dir, 'k8s'));
      assert.equal(r.config.providers.manifests?.watch, true);
      assert.equal(r.config.configFile, file);
      const f2 = loadStaticConfig({ text: 'providers:\n  manifests: {filename: /abs/one.yaml}\n', file });
      assert.equal(f2.config.providers.manifests?.filename, '/abs/one.yaml');
      assert.equal(f2.config.providers.manifests?.directory, undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing file throws ConfigIOError (the CLI exits 2)', () => {
    const missing = path.join(os.tmpdir(), 'does-not-exist-traefik-xds.yaml');
    assert.throws(() => loadStaticConfig({ file: missing }), (e: unknown) => e instanceof ConfigIOError && e.path === missing && /no such file/.test(e.message));
    assert.throws(() => loadStaticConfig({ file: os.tmpdir() }), ConfigIOError);
  });

  it('YAML anchors and merge keys work', () => {
    const c = clean('entryPoints:\n  a: &base\n    address: ":80"\n    asDefault: true\n  b:\n    <<: *base\n    address: ":81"\n');
    assert.equal(c.entryPoints.b.asDefault, true);
    assert.equal(c.entryPoints.b.address.port, 81);
  });
});

describe('config/load: Traefik keys we do not use', () => {
  it('warn "ignored" naming the key, with its position, and never stop loading', () => {
    const r = load(
      [
        'api: {dashboard: true}',
        'ping: {}',
        'metrics: {prometheus: {}}',
        'tracing: {}',
        'accessLog: {}',
        'log: {level: DEBUG}',
        'certificatesResolvers: {le: {acme: {email: a@b.c}}}',
        'experimental: {plugins: {}}',
        'hub: {}',
        'pilot: {token: x}',
        'global: {checkNewVersion: false}',
        'providers:',
        '  docker: {}',
        '  consulCatalog: {}',
        '  kubernetesGateway: {}',
        '  providersThrottleDuration: 2s',
        'entryPoints:',
        '  web:',
        '    address: ":80"',
        '    http2: {maxConcurrentStreams: 100}',
        '    http3: {}',
        '    transport: {lifeCycle: {graceTimeOut: 10s}}',
        '    forwardedHeaders: {connection: [foo]}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(only(r.diags, 'error'), []);
    const warned = only(r.diags, 'warning').map((d) => d.field);
    for (const k of [
      'api',
      'ping',
      'metrics',
      'tracing',
      'accessLog',
      'log',
      'certificatesResolvers',
      'experimental',
      'hub',
      'pilot',
      'global',
      'providers.docker',
      'providers.consulCatalog',
      'providers.kubernetesGateway',
      'providers.providersThrottleDuration',
      'entryPoints.web.http2',
      'entryPoints.web.http3',
      'entryPoints.web.transport.lifeCycle',
      'entryPoints.web.forwardedHeaders.connection',
    ]) {
      assert.ok(warned.includes(k), `no warning for ${k}`);
    }
    const api = find(r.diags, 'api');
    assert.match(api.message, /^ignored: "api"/);
    assert.equal(api.source, `${FILE}:1:1`);
    assert.equal(find(r.diags, 'entryPoints.web.http2').source, `${FILE}:20:5`);
    assert.equal(r.config.entryPoints.web.address.port, 80);
  });

  it('providers.file is an error that points to providers.manifests', () => {
    const r = load('providers:\n  file: {directory: /etc/traefik/dynamic}\n');
    const d = find(r.diags, 'providers.file', 'error');
    assert.match(d.message, /providers\.manifests/);
    assert.equal(d.source, `${FILE}:2:3`);
  });
});

describe('config/load: unknown keys', () => {
  it('error with a "did you mean" suggestion and the line', () => {
    const r = load('entryPoints:\n  web:\n    adress: ":80"\nxds:\n  maxMessageByte: 10\nprovider: {}\n');
    const a = find(r.diags, 'entryPoints.web.adress', 'error');
    assert.match(a.message, /unknown key "adress"; did you mean "address"\?/);
    assert.equal(a.source, `${FILE}:3:5`);
    assert.match(find(r.diags, 'xds.maxMessageByte').message, /did you mean "maxMessageBytes"/);
    const p = find(r.diags, 'provider');
    assert.match(p.message, /did you mean "providers"/);
    assert.equal(p.source, `${FILE}:6:1`);
  });

  it('with no close match, lists the known keys', () => {
    const d = find(load('xds: {zzzzzzzz: 1}\n').diags, 'xds.zzzzzzzz');
    assert.match(d.message, /known keys: address, tls, insecure, maxMessageBytes/);
  });

  it('suggests across case and typos in nested sections', () => {
    const r = load('providers:\n  kubernetesCRD:\n    allowCrossNamespaces: true\n    labelselektor: a\n');
    assert.match(find(r.diags, 'providers.kubernetesCRD.allowCrossNamespaces').message, /did you mean "allowCrossNamespace"/);
    assert.match(find(r.diags, 'providers.kubernetesCRD.labelselektor').message, /did you mean "labelSelector"/);
  });
});

describe('config/load: case-insensitive keys, as Traefik', () => {
  it('matches key names in any case; names (entry points, metadata) keep theirs', () => {
    const c = clean(
      [
        'EntryPoints:',
        '  WebSecure:',
        '    ADDRESS: ":443"',
        '    asdefault: true',
        '    HTTP: {TLS: {Options: modern}}',
        'PROVIDERS:',
        '  kubernetescrd: {NameSpaces: [default]}',
        'Xds: {MaxMessageBytes: 1024}',
        'fleets:',
        '  - NAME: a',
        '    Match: {metadata: {Zone: EU}}',
        'loglevel: DEBUG',
        '',
      ].join('\n'),
    );
    assert.deepEqual(Object.keys(c.entryPoints), ['WebSecure']);
    assert.equal(c.entryPoints.WebSecure.asDefault, true);
    assert.equal(c.entryPoints.WebSecure.http.tls?.options, 'modern');
    assert.deepEqual(c.providers.kubernetesCRD?.namespaces, ['default']);
    assert.equal(c.xds.maxMessageBytes, 1024);
    assert.deepEqual(c.fleets[0].match.metadata, { Zone: 'EU' });
    assert.equal(c.logLevel, 'debug');
  });

  it('the same key twice in different cases is an error pointing at both', () => {
    const r = load('entryPoints:\n  web: {address: ":80"}\nentrypoints:\n  other: {address: ":81"}\n');
    const d = find(r.diags, 'entryPoints', 'error');
    assert.equal(d.source, `${FILE}:3:1`);
    assert.match(d.message, /duplicate key "entrypoints".*config\.yaml:1:1.*case-insensitive/);
    assert.deepEqual(Object.keys(r.config.entryPoints), ['web']); // the first one is kept
  });

  it('ignored Traefik keys match case-insensitively too', () => {
    const r = load('API: {}\nAccessLog: {}\n');
    assert.deepEqual(only(r.diags, 'error'), []);
    assert.equal(only(r.diags, 'warning').length, 2);
  });

  it('values are read as Traefik reads them: "true"/"1" booleans, numeric strings, comma lists', () => {
    const c = clean('entryPoints:\n  web: {address: ":80", asDefault: "1"}\nxds: {maxMessageBytes: "2048"}\nproviders:\n  kubernetesCRD: {namespaces: "a, b", allowCrossNamespace: "True"}\n');
    assert.equal(c.entryPoints.web.asDefault, true);
    assert.equal(c.xds.maxMessageBytes, 2048);
    assert.deepEqual(c.providers.kubernetesCRD?.namespaces, ['a', 'b']);
    assert.equal(c.providers.kubernetesCRD?.allowCrossNamespace, true);
  });

  it('allowEmpty sections: {} or true turn on, false off, null is off with a warning (as Traefik skips nulls)', () => {
    assert.ok(clean('providers: {kubernetesCRD: {}}\n').providers.kubernetesCRD);
    assert.ok(clean('providers: {kubernetesCRD: true}\n').providers.kubernetesCRD);
    assert.equal(clean('providers: {kubernetesCRD: false}\n').providers.kubernetesCRD, undefined);
    const r = load('providers:\n  kubernetesCRD:\n');
    assert.equal(r.config.providers.kubernetesCRD, undefined);
    assert.match(find(r.diags, 'providers.kubernetesCRD', 'warning').message, /write "\{\}"/);
    assert.ok(clean('entryPoints:\n  w: {address: ":1", http: {tls: true}}\n').entryPoints.w.http.tls);
  });
});

describe('config/load: bad values', () => {
  it('every bad value is an error at its position, and the key keeps its default', () => {
    const r = load(
      [
        'entryPoints:', // 1
        '  web:', // 2
        '    address: ":80"', // 3
        '    asDefault: maybe', // 4
        '    transport:', // 5
        '      respondingTimeouts: {readTimeout: 1.5, idleTimeout: 1d, writeTimeout: -1s}', // 6
        '    forwardedHeaders: {trustedIPs: [10.0.0.0/33, nope]}', // 7
        'xds:', // 8
        '  address: "localhost"', // 9
        '  maxMessageBytes: -1', // 10
        '  insecure: [true]', // 11
        'admin: {address: ":99999"}', // 12
        'core: {defaultRuleSyntax: v4}', // 13
        'logLevel: loud', // 14
        'providers:', // 15
        '  kubernetesCRD:', // 16
        '    labelSelector: "a in b"', // 17
        '    namespaces: [Bad_NS]', // 18
        '    endpoint: "ftp://x"', // 19
        '    throttleDuration: soon', // 20
        '',
      ].join('\n'),
    );
    const at = (field: string, line: number) => {
      const d = find(r.diags, field, 'error');
      assert.match(d.source ?? '', new RegExp(`^${FILE.replace(/\./g, '\\.')}:${line}:\\d+$`), `${field}: ${d.source}`);
      return d;
    };
    assert.match(at('entryPoints.web.asDefault', 4).message, /true or false/);
    assert.match(at('entryPoints.web.transport.respondingTimeouts.readTimeout', 6).message, /missing unit/);
    assert.match(at('entryPoints.web.transport.respondingTimeouts.idleTimeout', 6).message, /unknown unit "d"/);
    assert.match(at('entryPoints.web.transport.respondingTimeouts.writeTimeout', 6).message, /negative/);
    assert.match(at('entryPoints.web.forwardedHeaders.trustedIPs[0]', 7).message, /prefix length/);
    assert.match(at('entryPoints.web.forwardedHeaders.trustedIPs[1]', 7).message, /not an IP/);
    assert.match(at('xds.address', 9).message, /missing port/);
    assert.match(at('xds.maxMessageBytes', 10).message, /between 1 and/);
    assert.match(at('xds.insecure', 11).message, /not a list/);
    assert.match(at('admin.address', 12).message, /out of range/);
    assert.match(at('core.defaultRuleSyntax', 13).message, /v3, v2/);
    assert.match(at('logLevel', 14).message, /trace, debug, info, warn, error/);
    assert.match(at('providers.kubernetesCRD.labelSelector', 17).message, /invalid label selector/);
    assert.match(at('providers.kubernetesCRD.namespaces[0]', 18).message, /namespace/);
    assert.match(at('providers.kubernetesCRD.endpoint', 19).message, /http/);
    assert.match(at('providers.kubernetesCRD.throttleDuration', 20).message, /invalid duration/);

    const c = r.config;
    assert.equal(c.entryPoints.web.asDefault, false);
    assert.deepEqual(c.entryPoints.web.transport.respondingTimeouts, { readTimeout: 60_000, writeTimeout: 0, idleTimeout: 180_000 });
    assert.deepEqual(c.entryPoints.web.forwardedHeaders.trustedIPs, []);
    assert.equal(c.xds.addressText, '127.0.0.1:18000');
    assert.equal(c.xds.maxMessageBytes, 33_554_432);
    assert.equal(c.admin.addressText, '127.0.0.1:9902');
    assert.equal(c.core.defaultRuleSyntax, 'v3');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.providers.kubernetesCRD?.labelSelector, '');
    assert.equal(c.providers.kubernetesCRD?.throttleDuration, 0);
    for (const d of r.diags) assert.ok(d.source, `no position on ${d.field}`);
  });

  it('entry point addresses: syntax, port range, IP-only hosts, required', () => {
    const r = load('entryPoints:\n  a: {address: "web"}\n  b: {address: ":0"}\n  c: {address: "example.com:80"}\n  d: {asDefault: true}\n  e:\n  ok: {address: ":8080"}\n');
    assert.match(find(r.diags, 'entryPoints.a.address').message, /missing port/);
    assert.match(find(r.diags, 'entryPoints.b.address').message, /1 and 65535/);
    assert.match(find(r.diags, 'entryPoints.c.address').message, /not an IP address/);
    assert.match(find(r.diags, 'entryPoints.d').message, /address is required/);
    assert.match(find(r.diags, 'entryPoints.e').message, /address is required/);
    assert.deepEqual(Object.keys(r.config.entryPoints), ['ok']); // broken entry points are left out
    assert.deepEqual(r.config.fleets[0].entryPoints, ['ok']);
  });

  it('YAML syntax errors are reported with their position; defaults apply', () => {
    const r = load('entryPoints:\n  web: {address: ":80"\nxds: {}\n');
    assert.equal(r.diags.length, 1);
    assert.equal(r.diags[0].severity, 'error');
    assert.match(r.diags[0].message, /^YAML syntax/);
    assert.match(r.diags[0].source ?? '', /config\.yaml:\d+:\d+$/);
    assert.deepEqual(Object.keys(r.config.entryPoints), ['web', 'websecure']);
  });

  it('a root that is not a mapping, wrong section types, and TOML', () => {
    assert.match(load('- a\n').diags[0].message, /must be a mapping/);
    assert.match(find(load('entryPoints: [web]\n').diags, 'entryPoints').message, /must be a mapping, not a list/);
    assert.match(find(load('fleets: {a: 1}\n').diags, 'fleets').message, /must be a list/);
    const t = loadStaticConfig({ text: '[entryPoints.web]\naddress = ":80"\n', file: 'traefik.toml' });
    assert.match(t.diagnostics.items[0].message, /TOML is not supported/);
  });

  it('redirections: the target must exist (or be :port), and is resolved to its port', () => {
    const r = load(
      'entryPoints:\n  web: {address: ":80", http: {redirections: {entryPoint: {to: websecur}}}}\n  websecure: {address: ":443"}\n' +
        '  alt: {address: ":81", http: {redirections: {entryPoint: {to: ":8443"}}}}\n  dns: {address: ":53/udp"}\n' +
        '  x: {address: ":82", http: {redirections: {entryPoint: {to: dns}}}}\n  y: {address: ":83", http: {redirections: {entryPoint: {scheme: https}}}}\n',
    );
    const d = find(r.diags, 'entryPoints.web.http.redirections.entryPoint.to', 'error');
    assert.match(d.message, /"websecur" is not an entry point; did you mean "websecure"\?/);
    assert.equal(d.source, `${FILE}:2:64`);
    assert.equal(r.config.entryPoints.web.http.redirections, undefined);
    assert.deepEqual(r.config.entryPoints.alt.http.redirections?.entryPoint, { to: ':8443', port: 8443, scheme: 'https', permanent: true, priority: Number.MAX_SAFE_INTEGER - 1 });
    assert.match(find(r.diags, 'entryPoints.x.http.redirections.entryPoint.to').message, /UDP/);
    assert.match(find(r.diags, 'entryPoints.y.http.redirections.entryPoint').message, /needs "to"/);
  });

  it('fleets: names required and unique, entry points must exist, profile enum, glob syntax', () => {
    const r = load(
      [
        'entryPoints: {web: {address: ":80"}, websecure: {address: ":443"}}',
        'fleets:',
        '  - name: a',
        '    entryPoints: [web, websecur]',
        '    profile: Envoy',
        '    match: {nodeCluster: "gw[", nodeId: "a\\\\"}',
        '  - name: a',
        '  - match: {}',
        '  - name: "has space"',
        '  - name: b',
        '    clientCertificate: {san: "*.example"}',
        '',
      ].join('\n'),
    );
    assert.match(find(r.diags, 'fleets[0].entryPoints[1]').message, /"websecur" does not exist; did you mean "websecure"\?/);
    assert.match(find(r.diags, 'fleets[0].profile').message, /envoy, grpc, auto.*did you mean "envoy"/);
    assert.match(find(r.diags, 'fleets[0].match.nodeCluster').message, /not closed/);
    assert.match(find(r.diags, 'fleets[0].match.nodeId').message, /trailing/);
    assert.match(find(r.diags, 'fleets[1].name').message, /duplicate fleet name "a"/);
    assert.match(find(r.diags, 'fleets[2]').message, /needs a name/);
    assert.match(find(r.diags, 'fleets[3].name').message, /invalid fleet name/);
    assert.match(find(r.diags, 'fleets', 'warning').message, /clientCertificate has no effect without xds\.tls\.clientCAFile/);
    assert.deepEqual(
      r.config.fleets.map((f) => [f.name, f.entryPoints, f.profile]),
      [
        ['a', ['web'], 'auto'],
        ['b', ['web', 'websecure'], 'auto'],
      ],
    );
  });

  it('xds.tls: certFile and keyFile together; clientCAFile needs them', () => {
    assert.match(find(load('xds: {tls: {certFile: /c.pem}}\n').diags, 'xds.tls').message, /together/);
    assert.match(find(load('xds: {tls: {clientCAFile: /ca.pem}}\n').diags, 'xds.tls.clientCAFile').message, /needs certFile/);
    assert.equal(clean('xds: {tls: {certFile: "", keyFile: ""}}\n').xds.tls, undefined);
  });

  it('manifests: directory and filename are exclusive', () => {
    const r = load('providers:\n  manifests: {directory: /a, filename: /b.yaml}\n');
    assert.match(find(r.diags, 'providers.manifests.filename').message, /not both/);
    assert.equal(r.config.providers.manifests?.directory, '/a');
    assert.equal(r.config.providers.manifests?.filename, undefined);
  });

  it('never throws on garbage', () => {
    for (const text of ['{', ':::', '\t- x', 'entryPoints: !!binary AAAA', 'a: *nope', '? [a]\n: b\n', 'entryPoints:\n  "": {address: ":1"}\n']) {
      const r = loadStaticConfig({ text, file: 'x.yaml' });
      assert.ok(r.config.entryPoints);
      assert.ok(r.diagnostics.items.length > 0, text);
    }
  });
});

describe('config/load: entry point overrides', () => {
  it('change an address, add an entry point, and apply after the file', () => {
    const r = loadStaticConfig({ text: 'entryPoints:\n  web: {address: ":80", asDefault: true}\n', file: FILE, entryPointOverrides: ['web=:8080', 'metrics=127.0.0.1:9100'] });
    assert.deepEqual(r.diagnostics.items, []);
    assert.deepEqual(r.config.entryPoints.web.address, { host: '', port: 8080, protocol: 'tcp' });
    assert.equal(r.config.entryPoints.web.addressText, ':8080');
    assert.equal(r.config.entryPoints.web.asDefault, true); // the rest of the entry point is kept
    assert.deepEqual(r.config.entryPoints.metrics.address, { host: '127.0.0.1', port: 9100, protocol: 'tcp' });
    assert.deepEqual(r.config.fleets[0].entryPoints, ['web', 'metrics']);
  });

  it('apply to the defaults when there is no file', () => {
    const r = loadStaticConfig({ entryPointOverrides: ['web=:8000', 'websecure=:8443'] });
    assert.deepEqual(r.diagnostics.items, []);
    assert.equal(r.config.entryPoints.web.address.port, 8000);
    assert.equal(r.config.entryPoints.websecure.address.port, 8443);
  });

  it('can repair an entry point whose address in the file is broken', () => {
    const r = loadStaticConfig({ text: 'entryPoints:\n  web: {address: "bad", asDefault: true}\n', file: FILE, entryPointOverrides: ['web=:8080'] });
    assert.equal(only(r.diagnostics.sorted(), 'error').length, 1); // the file's error stays reported
    assert.equal(r.config.entryPoints.web.address.port, 8080);
    assert.equal(r.config.entryPoints.web.asDefault, true);
  });

  it('bad overrides are errors naming the override', () => {
    const r = loadStaticConfig({ entryPointOverrides: ['nonsense', '=:1', 'x=:0', 'y=host.example:1', 'z=:99999', 'bad name=:1'] });
    const msgs = r.diagnostics.items.map((d) => d.message);
    assert.equal(msgs.length, 6);
    assert.ok(msgs.some((m) => /"nonsense": expected NAME=ADDRESS/.test(m)));
    assert.ok(msgs.some((m) => /"x=:0".*1 and 65535/.test(m)));
    assert.ok(msgs.some((m) => /"y=host.example:1".*not an IP/.test(m)));
    assert.ok(msgs.some((m) => /"z=:99999".*out of range/.test(m)));
    assert.ok(msgs.some((m) => /invalid entry point name "bad name"/.test(m)));
    assert.deepEqual(Object.keys(r.config.entryPoints), ['web', 'websecure']);
  });
});

describe('config/load: duplicate listen addresses', () => {
  it('two entry points on the same socket: an error at the second, which is left out', () => {
    const r = load('entryPoints:\n  a: {address: ":80"}\n  b: {address: "0.0.0.0:80"}\n  c: {address: ":80/udp"}\n  d: {address: "127.0.0.1:81"}\n  e: {address: "127.0.0.2:81"}\n');
    const d = find(r.diags, 'entryPoints.b.address', 'error');
    assert.match(d.message, /duplicate listen address.*"b".*"a"/);
    assert.equal(d.source, `${FILE}:3:16`);
    assert.equal(only(r.diags, 'error').length, 1); // TCP/UDP on one port and distinct hosts are fine
    assert.deepEqual(Object.keys(r.config.entryPoints), ['a', 'c', 'd', 'e']);
  });

  it('an override that collides is an error too', () => {
    const r = loadStaticConfig({ text: 'entryPoints:\n  a: {address: ":80"}\n  b: {address: ":81"}\n', file: FILE, entryPointOverrides: ['b=:80'] });
    const d = find(r.diagnostics.sorted(), 'entryPoints.b.address', 'error');
    assert.match(d.message, /override "b=:80"/);
  });
});

describe('config/load: default entry points', () => {
  it('follows Traefik: asDefault ones, else all non-UDP but "traefik"', () => {
    assert.deepEqual(defaultEntryPoints(clean('entryPoints:\n  web: {address: ":80"}\n  traefik: {address: ":8080"}\n  dns: {address: ":53/udp"}\n')), ['web']);
    assert.deepEqual(defaultEntryPoints(clean('entryPoints:\n  web: {address: ":80"}\n  websecure: {address: ":443", asDefault: true}\n')), ['websecure']);
    assert.deepEqual(defaultEntryPoints(loadStaticConfig({}).config), ['web', 'websecure']);
  });

  it('warns when asDefault cannot take effect and no default is left', () => {
    const r = load('entryPoints:\n  web: {address: ":80"}\n  dns: {address: ":53/udp", asDefault: true}\n');
    assert.match(find(r.diags, 'entryPoints.dns.asDefault', 'warning').message, /UDP/);
    assert.match(find(r.diags, 'entryPoints', 'warning').message, /no default entry points/);
  });
});
