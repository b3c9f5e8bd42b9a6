// model/ingress-status.ts: the status.loadBalancer each processed Ingress should get from
// providers.kubernetesIngress.ingressEndpoint (traefik-ingress.md §1.10), row by row.
import * as assert from 'node:assert/strict';
import { parseManifestText } from '../../../src/sources/manifests';
import { buildIndex, type ObjectIndex } from '../../../src/model/object-index';
import { buildModel } from '../../../src/model/build';
import { buildIngressStatus, statusAddressKey } from '../../../src/model/ingress-status';
import { Diagnostics } from '../../../src/model/diagnostics';
import { DEFAULT_PROVIDER_OPTIONS } from '../../../src/model/options';
import { defaultKubernetesIngress, loadStaticConfig } from '../../../src/config/load';
import { modelOptionsOf } from '../../../src/pipeline';
import type { IngressEndpointConfig, KubernetesIngressProvider } from '../../../src/config/types';

const INGRESSES = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default, uid: u-web}
spec:
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: whoami, port: {number: 80}}}}]}}]
---
# processed although it yields no router (its Service does not exist)
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: broken, namespace: apps}
spec:
  rules: [{http: {paths: [{path: /x, pathType: Prefix, backend: {service: {name: nope, port: {number: 80}}}}]}}]
---
# another controller's class: not processed, no status
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other, namespace: default, annotations: {kubernetes.io/ingress.class: nginx}}
spec:
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: whoami, port: {number: 80}}}}]}}]
---
# ingressClassName of Traefik's IngressClass: processed
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: classed, namespace: default}
spec:
  ingressClassName: traefik
  rules: [{http: {paths: [{path: /c, pathType: Prefix, backend: {service: {name: whoami, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: v1
kind: Service
metadata: {name: whoami, namespace: default}
spec: {ports: [{name: http, port: 80}]}
`;

const SERVICES = `
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: edge}
spec: {type: LoadBalancer, ports: [{name: http, port: 80, nodePort: 30080, protocol: TCP}]}
status:
  loadBalancer:
    ingress:
      - {ip: 203.0.113.7, ipMode: VIP, ports: [{port: 80, protocol: TCP}]}
      - {hostname: lb.example.net}
---
apiVersion: v1
kind: Service
metadata: {name: pending, namespace: edge}
spec: {type: LoadBalancer, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: cip, namespace: edge}
spec: {type: ClusterIP, externalIPs: [198.51.100.1, 198.51.100.2], ports: [{port: 80, protocol: TCP}, {port: 443, protocol: TCP}]}
---
apiVersion: v1
kind: Service
metadata: {name: cip-none, namespace: edge}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: np, namespace: edge}
spec: {type: NodePort, ports: [{port: 80, nodePort: 30080, protocol: TCP}, {port: 53, nodePort: 30053, protocol: UDP}]}
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: edge}
spec: {type: ExternalName, externalName: edge.example.org}
---
apiVersion: v1
kind: Node
metadata: {name: node-b}
status: {addresses: [{type: InternalIP, address: 10.0.0.2}, {type: ExternalIP, address: 192.0.2.2}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
status: {addresses: [{type: ExternalIP, address: 192.0.2.1}, {type: Hostname, address: node-a}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-c}
status: {addresses: [{type: InternalIP, address: 10.0.0.3}]}
`;

function run(endpoint: Partial<IngressEndpointConfig> | undefined, extra: Partial<KubernetesIngressProvider> = {}, edit?: (index: ObjectIndex) => void) {
  const diags = new Diagnostics();
  const snap = parseManifestText(`${INGRESSES}---${SERVICES}`, 'test.yaml');
  assert.deepEqual(snap.problems, []);
  const index = buildIndex(snap.objects, DEFAULT_PROVIDER_OPTIONS, new Diagnostics());
  edit?.(index);
  const io: KubernetesIngressProvider = {
    ...defaultKubernetesIngress(), ...extra,
    ...(endpoint ? { ingressEndpoint: { ip: '', hostname: '', publishedService: '', ...endpoint } } : {}),
  };
  const targets = buildIngressStatus(index, io, diags);
  const byName = Object.fromEntries((targets ?? []).map((t) => [`${t.namespace}/${t.name}`, t.ingress]));
  const warnings = diags.items.filter((d) => d.severity === 'warning');
  const infos = diags.items.filter((d) => d.severity === 'info');
  return { targets, byName, warnings, infos };
}

const PROCESSED = ['apps/broken', 'default/classed', 'default/web'];

describe('model/ingress-status (traefik-ingress.md §1.10)', () => {
  it('is off without ingressEndpoint', () => {
    const r = run(undefined);
    assert.equal(r.targets, undefined);
    assert.deepEqual(r.warnings, []);
  });

  it('ip and hostname: one entry with both, for every processed Ingress (even one with no router), none for others', () => {
    const r = run({ ip: '192.0.2.10', hostname: 'lb.example.com' });
    assert.deepEqual(Object.keys(r.byName).sort(), PROCESSED);
    for (const k of PROCESSED) assert.deepEqual(r.byName[k], [{ ip: '192.0.2.10', hostname: 'lb.example.com' }]);
    assert.equal(r.targets!.find((t) => t.name === 'web')!.uid, 'u-web', 'the uid travels with the target');
    assert.equal(r.targets!.find((t) => t.name === 'broken')!.uid, undefined);
    assert.deepEqual(run({ ip: '192.0.2.10' }).byName['default/web'], [{ ip: '192.0.2.10' }]);
    assert.deepEqual(run({ hostname: 'lb.example.com' }).byName['default/web'], [{ hostname: 'lb.example.com' }]);
  });

  it('the provider namespaces and label selector limit the processed Ingresses', () => {
    assert.deepEqual(Object.keys(run({ ip: '192.0.2.10' }, { namespaces: ['apps'] }).byName), ['apps/broken']);
    assert.deepEqual(Object.keys(run({ ip: '192.0.2.10' }, { labelSelector: 'team=x' }).byName), []);
    assert.deepEqual(Object.keys(run({ ip: '192.0.2.10' }, { disableClusterScopeResources: true }).byName).sort(), ['apps/broken', 'default/web'],
      'without IngressClass lookup, ingressClassName Ingresses are not processed');
  });

  it('neither ip, hostname nor publishedService: a warning on each processed Ingress', () => {
    const r = run({});
    assert.deepEqual(r.targets, []);
    assert.deepEqual(r.warnings.map((w) => `${w.namespace}/${w.name}`).sort(), PROCESSED);
    assert.match(r.warnings[0].message, /publishedService or ip or hostname must be defined/);
    assert.equal(r.warnings[0].field, 'status.loadBalancer');
  });

  it('publishedService takes precedence over ip and hostname', () => {
    const r = run({ ip: '192.0.2.10', hostname: 'x.example', publishedService: 'edge/ext' });
    assert.deepEqual(r.byName['default/web'], [{ hostname: 'edge.example.org' }]);
  });

  it('LoadBalancer: a copy of the Service status (ip, hostname, ports; ipMode dropped)', () => {
    const r = run({ publishedService: 'edge/lb' });
    assert.deepEqual(r.byName['default/web'], [
      { ip: '203.0.113.7', ports: [{ port: 80, protocol: 'TCP' }] },
      { hostname: 'lb.example.net' },
    ]);
    assert.deepEqual(r.warnings, []);
  });

  it('LoadBalancer without status yet: no update, no warning (one info)', () => {
    const r = run({ publishedService: 'edge/pending' });
    assert.deepEqual(r.targets, []);
    assert.deepEqual(r.warnings, []);
    assert.equal(r.infos.filter((d) => d.kind === 'StaticConfig').length, 1);
    assert.match(r.infos.find((d) => d.kind === 'StaticConfig')!.message, /no load balancer status yet/);
  });

  it('ClusterIP: one entry per external IP with the Service ports; none → an empty list (clears the status)', () => {
    assert.deepEqual(run({ publishedService: 'edge/cip' }).byName['default/web'], [
      { ip: '198.51.100.1', ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] },
      { ip: '198.51.100.2', ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] },
    ]);
    const none = run({ publishedService: 'edge/cip-none' });
    assert.deepEqual(none.byName['default/web'], []);
    assert.deepEqual(none.warnings, []);
  });

  it('NodePort: every Node ExternalIP (nodes by name) with the node ports', () => {
    const ports = [{ port: 30080, protocol: 'TCP' }, { port: 30053, protocol: 'UDP' }];
    assert.deepEqual(run({ publishedService: 'edge/np' }).byName['default/web'], [{ ip: '192.0.2.1', ports }, { ip: '192.0.2.2', ports }]);
  });

  it('NodePort with disableClusterScopeResources: a warning', () => {
    const r = run({ publishedService: 'edge/np' }, { disableClusterScopeResources: true });
    assert.deepEqual(r.targets, []);
    assert.match(r.warnings[0].message, /NodePort.*nodes lookup is disabled \(disableClusterScopeResources\)/);
  });

  it('ExternalName: its external name as hostname', () => {
    assert.deepEqual(run({ publishedService: 'edge/ext' }).byName['default/web'], [{ hostname: 'edge.example.org' }]);
  });

  it('an unsupported Service type: a warning', () => {
    // The Service schema refuses unknown types; a type added by a later Kubernetes would get here.
    const r = run({ publishedService: 'edge/cip' }, {}, (index) => {
      index.services.get('edge/cip')!.spec.type = 'Headless';
    });
    assert.deepEqual(r.targets, []);
    assert.match(r.warnings[0].message, /unsupported service type "Headless"/);
  });

  it('a malformed publishedService: a warning', () => {
    const r = run({ publishedService: 'edge/lb/extra' });
    assert.deepEqual(r.targets, []);
    assert.match(r.warnings[0].message, /invalid publishedService format \(expected 'namespace\/service' format\): edge\/lb\/extra/);
  });

  it('a missing Service: a warning', () => {
    const r = run({ publishedService: 'edge/nope' });
    assert.deepEqual(r.targets, []);
    assert.equal(r.warnings.length, PROCESSED.length);
    assert.match(r.warnings[0].message, /missing service: edge\/nope/);
    assert.match(r.warnings[0].message, /routing is not affected/);
  });

  it('a Service outside the watched namespaces: a warning', () => {
    const r = run({ publishedService: 'edge/lb' }, { namespaces: ['default', 'apps'] });
    assert.deepEqual(r.targets, []);
    assert.match(r.warnings[0].message, /namespace "edge" is not within watched namespaces/);
    assert.deepEqual(Object.keys(run({ publishedService: 'edge/lb' }, { namespaces: ['default', 'edge'] }).byName).sort(), ['default/classed', 'default/web']);
  });

  it('is exposed on the model by buildModel, absent when ingressEndpoint is unset', () => {
    const snap = parseManifestText(`${INGRESSES}---${SERVICES}`, 'test.yaml');
    const model = (cfg: string) => {
      const { config } = loadStaticConfig({ text: `providers:\n  kubernetesIngress: ${cfg}\n` });
      const diags = new Diagnostics();
      return buildModel(snap, modelOptionsOf(config, diags), diags).model;
    };
    assert.equal(model('{}').ingressStatus, undefined);
    const m = model('{ingressEndpoint: {publishedService: edge/lb}}');
    assert.deepEqual(m.ingressStatus!.map((t) => `${t.namespace}/${t.name}`).sort(), PROCESSED);
  });

  it('compares hostname+ip as a set; ports and order do not count', () => {
    assert.equal(statusAddressKey([{ ip: '1.2.3.4', ports: [{ port: 80, protocol: 'TCP' }] }, { hostname: 'a' }]), statusAddressKey([{ hostname: 'a' }, { ip: '1.2.3.4' }]));
    assert.notEqual(statusAddressKey([{ ip: '1.2.3.4' }]), statusAddressKey([{ ip: '1.2.3.5' }]));
    assert.notEqual(statusAddressKey([{ ip: '1.2.3.4', hostname: 'a' }]), statusAddressKey([{ ip: '1.2.3.4' }, { hostname: 'a' }]));
    assert.equal(statusAddressKey(undefined), statusAddressKey([]));
  });
});
