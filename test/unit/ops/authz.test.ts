import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { createAuthorizer, certificateSans, parseSubjectAltName, referencedSecretNames, unreferencedSecrets } from '../../../src/xds/authz';
import { fleetOf } from '../../../src/xds/fleets';
import type { Fleet } from '../../../src/config/types';
import type { EnvoyResources } from '../../../src/envoy/resources';
import type { NodeInfo } from '../../../src/xds/wire';
import { captureLog, testPki } from './helpers';

function fleet(name: string, cluster: string, san?: string): Fleet {
  return { name, match: { nodeCluster: cluster, metadata: {} }, entryPoints: [], profile: 'envoy', ...(san !== undefined ? { clientCertificate: { san } } : {}) };
}

function nodeInfo(id: string, cluster: string): NodeInfo {
  return { id, cluster, metadata: {}, userAgentName: 'envoy', userAgentVersion: '' };
}

/** A stand-in for a grpc-js call: what getAuthContext() returns for a verified peer certificate. */
function callWith(subjectaltname?: string): any {
  return {
    getAuthContext: () => (subjectaltname === undefined ? {} : { transportSecurityType: 'ssl', sslPeerCertificate: { subjectaltname, subject: { CN: 'x' }, raw: Buffer.alloc(1) } }),
    getPeer: () => '127.0.0.1:5555',
  };
}

describe('ops: node authorization', () => {
  it('parses Node\'s subjectaltname, including quoted values', () => {
    assert.deepEqual(parseSubjectAltName('DNS:a.example, URI:spiffe://td/ns/x/sa/y, IP Address:10.0.0.1'), [
      { type: 'DNS', value: 'a.example' }, { type: 'URI', value: 'spiffe://td/ns/x/sa/y' }, { type: 'IP Address', value: '10.0.0.1' },
    ]);
    assert.deepEqual(parseSubjectAltName('DNS:"a, b", DNS:c'), [{ type: 'DNS', value: 'a, b' }, { type: 'DNS', value: 'c' }]);
    assert.deepEqual(parseSubjectAltName(undefined), []);
  });

  it('reads SANs from a real certificate made by `certs`', () => {
    const p = testPki();
    const c = new X509Certificate(p.clients.inner.certPem);
    assert.deepEqual(certificateSans({ subjectaltname: c.subjectAltName } as any), ['DNS:inner.nodes.test.local', 'URI:spiffe://test.local/ns/inner/sa/envoy']);
  });

  const fleets = [fleet('edge', 'edge*', 'spiffe://test.local/ns/edge/*'), fleet('inner', 'inner', '*.nodes.test.local'), fleet('open', 'open')];

  it('admits a node whose certificate SAN matches its fleet\'s pattern (URI or DNS)', () => {
    const log = captureLog();
    const authz = createAuthorizer({ fleets, mtls: true, log });
    const edge = nodeInfo('e1', 'edge-eu');
    assert.equal(authz(callWith('URI:spiffe://test.local/ns/edge/sa/envoy'), edge, fleetOf(edge, fleets)), undefined);
    const inner = nodeInfo('i1', 'inner');
    assert.equal(authz(callWith('DNS:i1.nodes.test.local, URI:spiffe://x'), inner, fleetOf(inner, fleets)), undefined);
    assert.deepEqual(log.lines, []);
  });

  it('refuses a node claiming a fleet its certificate is not entitled to, and logs who and what', () => {
    const log = captureLog();
    const denied: string[] = [];
    const authz = createAuthorizer({ fleets, mtls: true, log, onDeny: (f, r) => denied.push(`${f}:${r}`) });
    const n = nodeInfo('sneaky', 'inner');
    const reason = authz(callWith('URI:spiffe://test.local/ns/edge/sa/envoy'), n, fleetOf(n, fleets));
    assert.match(reason!, /not allowed in fleet "inner"/);
    assert.deepEqual(denied, ['inner:san_mismatch']);
    assert.equal(log.lines.length, 1);
    assert.equal(log.lines[0].level, 'warn');
    assert.equal(log.lines[0].node, 'sneaky');
    assert.equal(log.lines[0].fleet, 'inner');
    assert.deepEqual(log.lines[0].certificateSans, ['URI:spiffe://test.local/ns/edge/sa/envoy']);
    assert.equal(log.lines[0].required, '*.nodes.test.local');
  });

  it('refuses a fleet with a pattern when no verified certificate is there', () => {
    const authz = createAuthorizer({ fleets, mtls: true, log: captureLog(), onDeny: () => undefined });
    const n = nodeInfo('e2', 'edge');
    assert.match(authz(callWith(), n, fleetOf(n, fleets))!, /no verified client certificate/);
  });

  it('a fleet without a pattern admits any verified client; without mTLS nothing is enforced', () => {
    const n = nodeInfo('o', 'open');
    assert.equal(createAuthorizer({ fleets, mtls: true, log: captureLog() })(callWith('DNS:whatever'), n, fleetOf(n, fleets)), undefined);
    const e = nodeInfo('e', 'edge');
    assert.equal(createAuthorizer({ fleets, mtls: false, log: captureLog() })(callWith(), e, fleetOf(e, fleets)), undefined);
  });

  it('with patterns in force, a node matching no fleet is refused (the implicit default fleet is closed) unless a catch-all fleet exists', () => {
    const denied: string[] = [];
    const n = nodeInfo('drifter', 'somewhere-else');
    const reason = createAuthorizer({ fleets, mtls: true, log: captureLog(), onDeny: (f, r) => denied.push(`${f}:${r}`) })(callWith('URI:spiffe://test.local/ns/edge/sa/envoy'), n, fleetOf(n, fleets));
    assert.match(reason!, /matches no configured fleet/);
    assert.deepEqual(denied, ['default:no_fleet']);
    const open = [...fleets, { name: 'rest', match: { metadata: {} }, entryPoints: [], profile: 'envoy' as const }];
    assert.equal(createAuthorizer({ fleets: open, mtls: true, log: captureLog() })(callWith('DNS:x'), n, fleetOf(n, open)), undefined);
    const noPatterns = [fleet('a', 'a')];
    assert.equal(createAuthorizer({ fleets: noPatterns, mtls: true, log: captureLog() })(callWith('DNS:x'), n, fleetOf(n, noPatterns)), undefined);
  });

  it('an invalid pattern fails closed', () => {
    const bad = [fleet('edge', 'edge', '[unclosed')];
    const n = nodeInfo('e', 'edge');
    assert.ok(createAuthorizer({ fleets: bad, mtls: true, log: captureLog() })(callWith('DNS:[unclosed'), n, fleetOf(n, bad)));
  });
});

describe('ops: SDS scoping helpers', () => {
  const listener = (secret: string) => ({
    name: 'websecure',
    filter_chains: [{
      transport_socket: {
        name: 'envoy.transport_sockets.tls',
        typed_config: { '@type': 'x', common_tls_context: { tls_certificate_sds_secret_configs: [{ name: secret, sds_config: { ads: {} } }] } },
      },
    }],
  });
  const secret = (name: string) => ({ name, tls_certificate: {} });

  it('finds the secrets listeners and clusters name', () => {
    const cluster = { name: 'c', transport_socket: { typed_config: { common_tls_context: { combined_validation_context: { validation_context_sds_secret_config: { name: 'ca' } } } } } };
    const r = { listeners: [listener('a')], clusters: [cluster] } as unknown as EnvoyResources;
    assert.deepEqual([...referencedSecretNames(r)].sort(), ['a', 'ca']);
  });

  it('reports secrets nothing references', () => {
    const r = { listeners: [listener('a')], routes: [], clusters: [], endpoints: [], secrets: [secret('a'), secret('b')] } as unknown as EnvoyResources;
    assert.deepEqual(unreferencedSecrets(r), ['b']);
  });
});
