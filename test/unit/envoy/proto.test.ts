import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalResources } from '../../../src/envoy/canonical';
import {
  CLUSTER_TYPE_URL,
  LISTENER_TYPE,
  SECRET_TYPE_URL,
  XDS_RESOURCE_TYPES,
  findTypeByUrl,
  lookupType,
  typeUrl,
  xdsTypeByUrl,
} from '../../../src/envoy/proto';
import { RESOURCE_TYPE_NAMES, resourceName } from '../../../src/envoy/resources';
import { typeInfo } from '../../../src/envoy/schema';
import { typed } from '../../../src/envoy/types';
import { minimalResources } from './fixtures';

const REPO = path.resolve(__dirname, '../../..');

describe('envoy/proto: generated root and type URLs', () => {
  it('type URLs and the five xDS resource types', () => {
    assert.equal(typeUrl(LISTENER_TYPE), 'type.googleapis.com/envoy.config.listener.v3.Listener');
    assert.equal(CLUSTER_TYPE_URL, 'type.googleapis.com/envoy.config.cluster.v3.Cluster');
    assert.equal(SECRET_TYPE_URL, 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
    assert.deepEqual(Object.keys(XDS_RESOURCE_TYPES), ['lds', 'rds', 'cds', 'eds', 'sds']);
    assert.equal(XDS_RESOURCE_TYPES.eds.typeName, 'envoy.config.endpoint.v3.ClusterLoadAssignment');
    assert.equal(xdsTypeByUrl(CLUSTER_TYPE_URL)?.short, 'cds');
    assert.equal(xdsTypeByUrl('type.googleapis.com/foo'), undefined);
    for (const [kind, typeName] of Object.entries(RESOURCE_TYPE_NAMES)) assert.ok(lookupType(typeName), kind);
  });

  it('looks up every listed extension and the discovery/admin messages', () => {
    for (const name of [
      'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      'envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig',
      'envoy.extensions.filters.udp.udp_proxy.v3.Route',
      'envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig',
      'envoy.extensions.http.stateful_session.cookie.v3.CookieBasedSessionState',
      'envoy.extensions.compression.zstd.compressor.v3.Zstd',
      'envoy.extensions.matching.input_matchers.ip.v3.Ip',
      'xds.type.matcher.v3.Matcher',
      'envoy.service.discovery.v3.DeltaDiscoveryResponse',
      'envoy.config.bootstrap.v3.Bootstrap',
      'envoy.admin.v3.ConfigDump',
      'envoy.service.status.v3.ClientStatusResponse',
    ]) {
      assert.equal(lookupType(name).fullName, `.${name}`);
    }
    assert.throws(() => lookupType('envoy.nope.v3.Nope'), /unknown Envoy message type/);
    assert.equal(findTypeByUrl('type.googleapis.com/envoy.config.route.v3.Route')?.name, 'Route');
    assert.equal(findTypeByUrl('type.googleapis.com/envoy.nope.v3.Nope'), undefined);
  });

  it('keeps protoc-gen-validate rules as structured options (lists and empty messages included)', () => {
    const rules = (t: string, f: string) => typeInfo(t).byName.get(f)!.rules;
    assert.deepEqual(rules('envoy.config.core.v3.SchemeHeaderTransformation', 'scheme_to_overwrite'), { string: { in: ['http', 'https'] } });
    assert.deepEqual(rules('envoy.config.cluster.v3.Cluster', 'connect_timeout'), { duration: { gt: {} } });
    assert.equal(typeInfo('envoy.config.route.v3.RouteAction').oneofs.find((o) => o.name === 'cluster_specifier')?.required, true);
  });

  it('writes generated/ with a stamp, and typed() builds Anys', () => {
    for (const f of ['envoy.json', 'envoy-types.ts', '.stamp']) assert.ok(fs.existsSync(path.join(REPO, 'generated', f)), f);
    assert.deepEqual(typed('envoy.extensions.filters.http.router.v3.Router', { suppress_envoy_headers: true }), {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
      suppress_envoy_headers: true,
    });
    assert.deepEqual(typed('google.protobuf.StringValue', 'chain'), { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'chain' });
  });

  it('canonicalResources: canonical JSON, sorted by name; undecodable resources kept as given', () => {
    const r = minimalResources();
    r.clusters.unshift({ name: 'a-first', connectTimeout: '1.5s' } as object);
    r.clusters.push({ name: 'broken', bogus: 1 } as object);
    const c = canonicalResources(r);
    assert.deepEqual(c.clusters.map((x) => resourceName('clusters', x)), ['a-first', 'broken', 'default/whoami/80']);
    assert.deepEqual(c.clusters[0], { name: 'a-first', connect_timeout: '1.500s' });
    assert.deepEqual(c.clusters[1], { name: 'broken', bogus: 1 });
  });
});
