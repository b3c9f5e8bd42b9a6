import * as assert from 'node:assert/strict';
import { encodeResource } from '../../../src/envoy/json';
import { decodeSotwRequest, decodeDeltaRequest } from '../../../src/xds/wire';
import { fleetOf } from '../../../src/xds/fleets';

describe('xds/wire: request decoding', () => {
  it('keeps node metadata of every JSON type (fleets match on it)', () => {
    const b = encodeResource('envoy.service.discovery.v3.DiscoveryRequest', {
      node: { id: 'n1', cluster: 'edge', user_agent_name: 'envoy', metadata: { role: 'edge', n: 3, ok: true, sub: { a: 'b' }, l: ['x'] } },
      type_url: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
    });
    const req = decodeSotwRequest(Buffer.from(b));
    assert.deepEqual(req.node!.metadata, { role: 'edge', n: 3, ok: true, sub: { a: 'b' }, l: ['x'] });
    const fleet = fleetOf(req.node!, [{ name: 'edge', match: { metadata: { role: 'edge' } }, entryPoints: [], profile: 'auto' }]);
    assert.equal(fleet.key, 'edge/envoy');
  });

  it('decodes delta subscriptions and initial versions', () => {
    const b = encodeResource('envoy.service.discovery.v3.DeltaDiscoveryRequest', {
      node: { id: 'n', user_agent_name: 'gRPC Node Pure JS' },
      type_url: 't', resource_names_subscribe: ['a', 'b'], resource_names_unsubscribe: ['c'], initial_resource_versions: { a: '1' },
    });
    const req = decodeDeltaRequest(Buffer.from(b));
    assert.deepEqual([req.subscribe, req.unsubscribe, req.initialResourceVersions], [['a', 'b'], ['c'], { a: '1' }]);
    assert.equal(fleetOf(req.node!, []).profile, 'grpc');
  });
});
