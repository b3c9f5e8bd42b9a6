// The serve loop keeps each object's last valid version: an edit that fails its schema, or that passes it but
// breaks its routes (an error on it), is answered by serving the version before it, for as long as it stays broken.
import * as assert from 'node:assert/strict';
import { Controller } from '../../../src/serve/controller';
import { SnapshotCache } from '../../../src/xds/cache';
import { loadStaticConfig } from '../../../src/config/load';
import { parseManifestText } from '../../../src/sources/manifests';
import { silentLogger } from '../../../src/xds/stream-context';
import { snapshotResources } from '../../../src/xds/snapshot';
import { assertValidEnvoy } from '../../helpers/envoy-check';
import type { SourceSnapshot } from '../../../src/sources/types';

/** Service `name` with an EndpointSlice of one ready endpoint. */
function service(name: string, address: string): string {
  return `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: ["${address}"]}]
`;
}

const SERVICES = `${service('a', '10.0.0.1')}---${service('b', '10.0.1.1')}`;

/** IngressRoute `r` routing `path` to `service` (`service: 42` fails the schema: a name is a string). */
function route(path: string, service: string): SourceSnapshot {
  return parseManifestText(`
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: r, namespace: default}
spec:
  routes:
    - match: PathPrefix(\`${path}\`)
      services: [{name: ${service}, port: 80}]
`, 'r.yaml');
}

function source(...parts: SourceSnapshot[]): SourceSnapshot {
  return { objects: parts.flatMap((p) => p.objects), problems: [] };
}

describe('serve/controller: last valid version of an object', () => {
  const { config } = loadStaticConfig({});
  const services = parseManifestText(SERVICES, 'services.yaml');

  /** The prefixes routed and the clusters they go to, from the published snapshot. */
  function routed(cache: SnapshotCache): string[] {
    const snap = cache.get('default/envoy')!;
    const res = snapshotResources(snap);
    assertValidEnvoy(res);
    const out: string[] = [];
    for (const rc of (res.routes as any[]).filter((x) => x.name === 'web/http')) {
      for (const vh of rc.virtual_hosts) for (const r of vh.routes) out.push(`${r.match.prefix ?? r.match.path_separated_prefix} → ${r.route?.cluster}`);
    }
    return out.sort();
  }

  const messages = (c: Controller) => c.currentDiagnostics().filter((d) => d.kind === 'IngressRoute').map((d) => `${d.severity}: ${d.message}`);

  it('serves the previous version while an edit fails its schema, across later rebuilds, until a valid one comes', () => {
    const cache = new SnapshotCache();
    const c = new Controller(config, cache, silentLogger);
    c.update(source(services, route('/v1', 'a')));
    assert.deepEqual(routed(cache), ['/v1 → default/a/80']);

    const broken = route('/v2', '42');
    c.update(source(services, broken));
    assert.deepEqual(routed(cache), ['/v1 → default/a/80']);
    assert.deepEqual(messages(c), ['error: expected a string, got the integer 42 (quote it: "42") (the previous version of this IngressRoute is still served)']);

    // Another object changes; the broken edit is still there: the same earlier version is still served.
    const services2 = parseManifestText(`${SERVICES}---${service('c', '10.0.2.1')}`, 'services.yaml');
    c.update(source(services2, broken));
    assert.deepEqual(routed(cache), ['/v1 → default/a/80']);

    c.update(source(services2, route('/v3', 'b')));
    assert.deepEqual(routed(cache), ['/v3 → default/b/80']);
    assert.deepEqual(messages(c).filter((m) => m.startsWith('error')), []);
  });

  it('serves the previous version while an edit breaks its routes (an error on it), and says so', () => {
    const cache = new SnapshotCache();
    const c = new Controller(config, cache, silentLogger);
    c.update(source(services, route('/v1', 'a')));

    const missing = route('/v2', 'nope');
    c.update(source(services, missing));
    assert.deepEqual(routed(cache), ['/v1 → default/a/80']);
    assert.ok(messages(c).some((m) => /^error: .*kubernetes service not found: default\/nope.*\(the previous version of this IngressRoute is still served\)$/.test(m)), messages(c).join('\n'));

    // Still broken at the next rebuild (same object): still the earlier version.
    c.update(source(services, missing, parseManifestText(service('x', '10.0.3.1'), 'more.yaml')));
    assert.deepEqual(routed(cache), ['/v1 → default/a/80']);

    // A second broken version: the last valid one is still the first.
    c.update(source(services, route('/v4', 'nope-either')));
    assert.deepEqual(routed(cache), ['/v1 → default/a/80']);

    c.update(source(services, route('/v5', 'b')));
    assert.deepEqual(routed(cache), ['/v5 → default/b/80']);
  });

  it('does not bring back a deleted object: a broken version added after the deletion has nothing to fall back on', () => {
    const cache = new SnapshotCache();
    const c = new Controller(config, cache, silentLogger);
    c.update(source(services, route('/v1', 'a')));
    c.update(source(services));
    assert.deepEqual(routed(cache), []);
    c.update(source(services, route('/v2', 'nope')));
    assert.deepEqual(routed(cache), []);
    assert.ok(messages(c).some((m) => /^error: .*kubernetes service not found: default\/nope/.test(m) && !/still served/.test(m)), messages(c).join('\n'));
  });
});
