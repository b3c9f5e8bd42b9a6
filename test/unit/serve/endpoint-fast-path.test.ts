// The EndpointSlice fast path: endpoint-only changes re-encode only the affected ClusterLoadAssignments.
import * as assert from 'node:assert/strict';
import { Controller } from '../../../src/serve/controller';
import { SnapshotCache } from '../../../src/xds/cache';
import { loadStaticConfig } from '../../../src/config/load';
import { parseManifestText } from '../../../src/sources/manifests';
import { silentLogger } from '../../../src/xds/stream-context';
import { snapshotResources } from '../../../src/xds/snapshot';
import { assertValidEnvoy } from '../../helpers/envoy-check';
import type { SourceSnapshot } from '../../../src/sources/types';

const ROUTES = `
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: r, namespace: default}
spec:
  routes:
    - match: PathPrefix(\`/a\`)
      services: [{name: a, port: 80}]
    - match: PathPrefix(\`/b\`)
      services: [{name: b, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: default}
spec: {ports: [{name: http, port: 80}]}
`;

function slice(svc: string, addrs: string[]): string {
  return `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${svc}-1, namespace: default, labels: {kubernetes.io/service-name: ${svc}}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [${addrs.map((a) => `{addresses: ["${a}"], conditions: {ready: true}}`).join(', ')}]
`;
}

function source(...parts: SourceSnapshot[]): SourceSnapshot {
  return { objects: parts.flatMap((p) => p.objects), problems: [] };
}

describe('serve/controller: EndpointSlice fast path', () => {
  const { config } = loadStaticConfig({});
  const routes = parseManifestText(ROUTES, 'routes.yaml');
  const sliceA = parseManifestText(slice('a', ['10.0.0.1']), 'a.yaml');
  const sliceB = parseManifestText(slice('b', ['10.0.1.1']), 'b.yaml');

  function setup() {
    const cache = new SnapshotCache();
    const c = new Controller(config, cache, silentLogger);
    const first = c.update(source(routes, sliceA, sliceB));
    assert.equal(first.fastPath, undefined);
    return { cache, c };
  }

  it('re-encodes only the changed ClusterLoadAssignment and shares every other resource', () => {
    const { cache, c } = setup();
    const before = cache.get('default/envoy')!;
    const r = c.update(source(routes, parseManifestText(slice('a', ['10.0.0.1', '10.0.0.2']), 'a.yaml'), sliceB));
    assert.equal(r.fastPath, true);
    assert.deepEqual(r.published, ['default/envoy']);
    assert.equal(r.encodedResources, 1);
    const after = cache.get('default/envoy')!;
    assert.notEqual(after.version, before.version);
    for (const k of ['listeners', 'routes', 'clusters', 'secrets'] as const) assert.equal(after.types[k], before.types[k]);
    assert.equal(after.types.endpoints.resources.get('default/b/80'), before.types.endpoints.resources.get('default/b/80'));
    const la = after.types.endpoints.resources.get('default/a/80')!.json as any;
    assert.deepEqual(la.endpoints[0].lb_endpoints.map((e: any) => e.endpoint.address.socket_address.address), ['10.0.0.1', '10.0.0.2']);
    assertValidEnvoy(snapshotResources(after));
  });

  it('gives the same snapshot as a full rebuild would', () => {
    const { cache, c } = setup();
    const next = source(routes, parseManifestText(slice('a', ['10.0.0.9']), 'a.yaml'), sliceB);
    c.update(next);
    const fast = cache.get('default/envoy')!;
    const full = new SnapshotCache();
    new Controller(config, full, silentLogger).update(next);
    assert.equal(fast.version, full.get('default/envoy')!.version);
  });

  it('falls back to a full rebuild when a Service is left without servers (its route is dropped)', () => {
    const { cache, c } = setup();
    const r = c.update(source(routes, parseManifestText(slice('a', []), 'a.yaml'), sliceB));
    assert.ok(!r.fastPath);
    assert.ok(r.diagnostics.some((d) => d.severity === 'error' && /no servers found for default\/a/.test(d.message)));
    const rc = cache.get('default/envoy')!.types.routes.resources.get('web/http')!.json as any;
    assert.deepEqual(rc.virtual_hosts[0].routes.map((x: any) => x.match.prefix), ['/b']);
  });

  it('takes the full path when anything else changed', () => {
    const { c } = setup();
    const r = c.update(source(parseManifestText(ROUTES.replace('/a`', '/aa`'), 'routes.yaml'), sliceA, sliceB));
    assert.ok(!r.fastPath);
  });
});
