import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main';
import { dumpDocument, parseMetadata, parseTimeout, parseTypes, updateDocument } from '../../../src/cli/dump';
import { UsageError } from '../../../src/cli/common';
import { REDACTED } from '../../../src/cli/output';
import { emptyResources } from '../../../src/envoy/resources';
import { AdsClient, endpointNamesOf, routeNamesOf, secretNamesOf, typesToSubscribe } from '../../../src/xds/client';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ADS = { ads: {}, resource_api_version: 'V3' };

const hcm = (route: string, source: Json = ADS) => ({
  name: 'envoy.filters.network.http_connection_manager',
  typed_config: { '@type': HCM, stat_prefix: 's', rds: { route_config_name: route, config_source: source } },
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const code = await main(args, out, err);
  return { code, out: o, err: e };
}

describe('cli dump: arguments', () => {
  it('--type: a comma-separated subset, in the fixed order; unknown names are usage errors', () => {
    assert.deepEqual(parseTypes(undefined), ['lds', 'rds', 'cds', 'eds', 'sds']);
    assert.deepEqual(parseTypes('sds, LDS,rds'), ['lds', 'rds', 'sds']);
    assert.throws(() => parseTypes('lds,xds'), UsageError);
    assert.throws(() => parseTypes(' , '), UsageError);
  });

  it('--metadata KEY=VALUE (the value may hold "=")', () => {
    assert.deepEqual(parseMetadata(['role=edge', 'expr=a=b', 'empty=']), { role: 'edge', expr: 'a=b', empty: '' });
    assert.deepEqual(parseMetadata(undefined), {});
    assert.throws(() => parseMetadata(['novalue']), UsageError);
    assert.throws(() => parseMetadata(['=x']), UsageError);
  });

  it('--timeout: positive seconds, fractions allowed', () => {
    assert.equal(parseTimeout(undefined), 10_000);
    assert.equal(parseTimeout('2.5'), 2500);
    for (const bad of ['0', '-1', 'soon', '', 'Infinity']) assert.throws(() => parseTimeout(bad), UsageError, bad);
  });

  it('usage errors exit 2 without touching the network', async () => {
    const ok = ['--node-id', 'n', '--node-cluster', 'c'];
    const cases: string[][] = [
      ['dump', ...ok],
      ['dump', '--server', '127.0.0.1:1', '--node-id', 'n'],
      ['dump', '--server', '127.0.0.1', ...ok],
      ['dump', '--server', '127.0.0.1:1', ...ok, '--type', 'lds,ads'],
      ['dump', '--server', '127.0.0.1:1', ...ok, '--timeout', 'never'],
      ['dump', '--server', '127.0.0.1:1', ...ok, '--metadata', 'novalue'],
      ['dump', '--server', '127.0.0.1:1', ...ok, '-o', 'xml'],
      ['dump', '--server', '127.0.0.1:1', ...ok, '--bogus'],
    ];
    for (const args of cases) {
      const start = Date.now();
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.out, '', args.join(' '));
      assert.notEqual(r.err, '', args.join(' '));
      assert.ok(Date.now() - start < 1000, `${args.join(' ')} answered at once`);
    }
  });
});

describe('cli dump: documents', () => {
  const secret = { name: 's', tls_certificate: { certificate_chain: { inline_string: 'CERT' }, private_key: { inline_string: 'KEY' } } };

  it('prints the requested collections only, private keys redacted unless asked', () => {
    const r = { ...emptyResources(), secrets: [secret] } as never;
    const doc = dumpDocument(r, ['rds', 'sds'], false) as Json;
    assert.deepEqual(Object.keys(doc), ['routes', 'secrets']);
    assert.equal(doc.secrets[0].tls_certificate.private_key.inline_string, REDACTED);
    assert.equal(doc.secrets[0].tls_certificate.certificate_chain.inline_string, 'CERT');
    assert.equal((dumpDocument(r, ['sds'], true) as Json).secrets[0].tls_certificate.private_key.inline_string, 'KEY');
    assert.deepEqual(Object.keys(dumpDocument(r, ['lds', 'rds', 'cds', 'eds', 'sds'], false)), ['listeners', 'routes', 'clusters', 'endpoints', 'secrets']);
  });

  it('a --watch document: {type, version, changed, removed, resources}, secrets redacted', () => {
    const u = { type: 'sds' as const, version: 'v1', nonce: '3', changed: ['s'], removed: ['old'], resources: [secret] };
    assert.deepEqual(Object.keys(updateDocument(u, false)), ['type', 'version', 'changed', 'removed', 'resources']);
    assert.equal((updateDocument(u, false) as Json).resources[0].tls_certificate.private_key.inline_string, REDACTED);
    assert.equal((updateDocument(u, true) as Json).resources[0].tls_certificate.private_key.inline_string, 'KEY');
    assert.equal(secret.tls_certificate.private_key.inline_string, 'KEY', 'the client state is not modified');
  });
});

describe('xds client: following references', () => {
  it('route configuration names: filter chains, the default chain and api_listener, ADS or self sources only', () => {
    const listeners = [
      { name: 'a', filter_chains: [{ filters: [hcm('r1')] }, { filters: [hcm('r2'), hcm('r1')] }], default_filter_chain: { filters: [hcm('r3', { self: {} })] } },
      { name: 'b', api_listener: { api_listener: { '@type': HCM, stat_prefix: 'x', rds: { route_config_name: 'r0', config_source: ADS } } } },
      { name: 'c', filter_chains: [{ filters: [hcm('from-file', { path_config_source: { path: '/etc/r.yaml' } })] }] },
      { name: 'd', filter_chains: [{ filters: [{ name: 'inline', typed_config: { '@type': HCM, route_config: { name: 'inline' } } }] }] },
    ];
    assert.deepEqual(routeNamesOf(listeners), ['r0', 'r1', 'r2', 'r3']);
  });

  it('ClusterLoadAssignment names: EDS clusters, service_name else the cluster name', () => {
    const clusters = [
      { name: 'c1', type: 'EDS', eds_cluster_config: { eds_config: ADS, service_name: 'svc1' } },
      { name: 'c2', type: 'EDS', eds_cluster_config: { eds_config: ADS } },
      { name: 'c3', type: 'LOGICAL_DNS', load_assignment: { cluster_name: 'c3' } },
      { name: 'c4', type: 'EDS', eds_cluster_config: { eds_config: { path_config_source: { path: '/x' } } } },
    ];
    assert.deepEqual(endpointNamesOf(clusters), ['c2', 'svc1']);
  });

  it('secret names: every SdsSecretConfig with an ADS source, in listeners and clusters', () => {
    const tls = {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: 'cert-a', sds_config: ADS }, { name: 'static-b' }],
        validation_context_sds_secret_config: { name: 'ca', sds_config: ADS },
      },
      session_ticket_keys_sds_secret_config: { name: 'tickets', sds_config: ADS },
    };
    const listeners = [{ name: 'l', filter_chains: [{ transport_socket: { name: 'tls', typed_config: tls } }] }];
    assert.deepEqual(secretNamesOf(listeners), ['ca', 'cert-a', 'tickets']);
    const clusters = [{ name: 'c', transport_socket: { name: 'tls', typed_config: { common_tls_context: { combined_validation_context: { validation_context_sds_secret_config: { name: 'up-ca', sds_config: ADS } } } } } }];
    assert.deepEqual(secretNamesOf(clusters), ['up-ca']);
  });

  it('subscribes what the asked types depend on', () => {
    assert.deepEqual([...typesToSubscribe(['rds'])].sort(), ['lds', 'rds']);
    assert.deepEqual([...typesToSubscribe(['eds'])].sort(), ['cds', 'eds']);
    assert.deepEqual([...typesToSubscribe(['sds'])].sort(), ['cds', 'lds', 'sds']);
    assert.deepEqual([...typesToSubscribe(['cds'])].sort(), ['cds']);
  });

  it('a client that was never started waits no longer than asked', async () => {
    const c = new AdsClient({ server: '127.0.0.1:1', node: { id: 'n', cluster: 'c' }, types: ['lds'] });
    const start = Date.now();
    await assert.rejects(c.waitForComplete(100), /incomplete after 0\.1 s: lds: no listeners received yet/);
    await assert.rejects(c.nextUpdate(50), /no matching update within/);
    assert.ok(Date.now() - start < 1000);
    c.close();
    await assert.rejects(c.waitForComplete(5000), /closed/);
  });
});
