import * as assert from 'node:assert/strict';
import { parseManifestText } from '../../../src/sources/manifests';
import { loadStaticConfig } from '../../../src/config/load';
import { buildModel } from '../../../src/model/build';
import { Diagnostics } from '../../../src/model/diagnostics';
import { modelOptionsOf, translateOptionsOf } from '../../../src/pipeline';
import { translate } from '../../../src/translate';
import { servingOrder } from '../../../src/translate/profiles/grpc';
import { assertValidEnvoy } from '../../helpers/envoy-check';

// The grpc profile serves a host routed on several entry points from the first of them in the fleet's
// `entryPoints` order (docs/static-config.md, fleets), not in the static configuration's order.
const CONFIG = `
entryPoints:
  internal: {address: ":8081"}
  web: {address: ":80"}
  dns: {address: ":53/udp"}
`;

function route(name: string, ep: string, cluster: string): string {
  return `
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: ${name}, namespace: default}
spec:
  entryPoints: [${ep}]
  routes:
    - match: Host(\`api.example.com\`)
      kind: Rule
      services: [{name: ${cluster}, port: 50051}]
---
apiVersion: v1
kind: Service
metadata: {name: ${cluster}, namespace: default}
spec:
  ports: [{name: grpc, port: 50051}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${cluster}-1, namespace: default, labels: {kubernetes.io/service-name: ${cluster}}}
addressType: IPv4
ports: [{name: grpc, port: 50051}]
endpoints: [{addresses: ["10.0.0.${cluster === 'admin' ? 1 : 2}"], conditions: {ready: true}}]
`;
}

const MANIFESTS = [route('api-internal', 'internal', 'admin'), route('api-public', 'web', 'public')].join('---\n');

/** Translates for a fleet with these entry points (empty: all), grpc profile. */
function grpcFor(fleetEntryPoints: string[]) {
  const { config, diagnostics } = loadStaticConfig({ text: CONFIG });
  assert.deepEqual(diagnostics.items.filter((d) => d.severity === 'error'), []);
  const diags = new Diagnostics();
  const { model } = buildModel(parseManifestText(MANIFESTS, 'input.yaml'), modelOptionsOf(config, diags), diags);
  const t = translate(model, translateOptionsOf(config, 'grpc', fleetEntryPoints));
  assertValidEnvoy(t.resources);
  const listener = t.resources.listeners.find((l) => l.name === 'api.example.com');
  const rcName = (listener?.api_listener?.api_listener as any)?.rds?.route_config_name;
  const rc = t.resources.routes.find((r) => r.name === rcName);
  const clusters = (rc?.virtual_hosts ?? []).flatMap((vh) => (vh.routes ?? []).map((r) => r.route?.cluster));
  const infos = t.diagnostics.items.filter((d) => /is also routed on entry point/.test(d.message)).map((d) => `${d.name}: ${d.message}`);
  return { rcName, clusters, infos };
}

describe('translate/profiles/grpc: which entry point serves a host', () => {
  it('follows the static configuration\'s order for a fleet that names no entry point', () => {
    const r = grpcFor([]);
    assert.equal(r.rcName, 'internal/http');
    assert.deepEqual(r.clusters, ['default/admin/50051']);
    assert.equal(r.infos.length, 1);
    assert.match(r.infos[0]!, /^api-public: .*entry point internal, which comes first/);
  });

  it('follows the fleet\'s entryPoints order when it names them', () => {
    const r = grpcFor(['web', 'internal']);
    assert.equal(r.rcName, 'web/http');
    assert.deepEqual(r.clusters, ['default/public/50051']);
    assert.equal(r.infos.length, 1);
    assert.match(r.infos[0]!, /^api-internal: .*entry point web, which comes first/);
  });

  it('servingOrder: the fleet\'s order, then unnamed TCP entry points in static order; UDP ones never', () => {
    const ep = (name: string, protocol: 'tcp' | 'udp' = 'tcp') => ({ name, host: '', port: 1, protocol });
    const eps = [ep('a'), ep('b'), ep('u', 'udp'), ep('c')];
    assert.deepEqual(servingOrder({ profile: 'grpc', entryPoints: eps }), ['a', 'b', 'c']);
    assert.deepEqual(servingOrder({ profile: 'grpc', entryPoints: eps, entryPointOrder: ['c', 'a'] }), ['c', 'a', 'b']);
  });
});
