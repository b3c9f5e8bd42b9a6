// The manifests in k8s/: the generated CRDs are up to date and structural, RBAC is what the source needs and no
// more, the Deployment is hardened and probes the admin port, and the pieces fit together (config, Service,
// example Envoy bootstrap, demo app).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { generateCrds, CRD_DIR } from '../../scripts/gen-crds';
import { KIND_DEFINITIONS, KNOWN_KINDS } from '../../src/model/crds';
import { checkRe2 } from '../../src/model/rules/re2';
import { watchedKinds } from '../../src/sources/kubernetes';
import { loadStaticConfig } from '../../src/config/load';
import { globMatch } from '../../src/config/glob';
import { parseManifestText } from '../../src/sources/manifests';
import { runPipeline } from '../../src/pipeline';

const K8S = path.join(__dirname, '..', '..', 'k8s');

function docs(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(K8S, file), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${file} parses`);
    return d.toJS();
  }).filter(Boolean);
}

function find(list: any[], kind: string, name?: string): any {
  const o = list.find((x) => x.kind === kind && (!name || x.metadata.name === name));
  assert.ok(o, `${kind} ${name ?? ''} exists`);
  return o;
}

describe('k8s/ manifests', () => {
  describe('CRDs', () => {
    it('the committed files are what scripts/gen-crds.ts generates (run `node --import tsx scripts/gen-crds.ts`)', () => {
      const gen = generateCrds();
      assert.deepEqual([...gen.keys()].sort(), fs.readdirSync(CRD_DIR).sort());
      for (const [name, text] of gen) assert.ok(fs.readFileSync(path.join(CRD_DIR, name), 'utf8') === text, `k8s/crds/${name} is up to date`);
    });

    it('one CRD per kind and group, named as the informers and RBAC expect', () => {
      for (const group of ['traefik.io', 'traefik.containo.us'] as const) {
        const crds = docs(`crds/${group}.yaml`);
        assert.deepEqual(crds.map((c) => c.spec.names.kind).sort(), [...KNOWN_KINDS[group]].sort());
        for (const c of crds) {
          assert.equal(c.apiVersion, 'apiextensions.k8s.io/v1');
          assert.equal(c.metadata.name, `${KIND_DEFINITIONS[c.spec.names.kind].plural}.${group}`);
          assert.equal(c.spec.group, group);
          assert.equal(c.spec.scope, 'Namespaced');
          assert.deepEqual(c.spec.versions.map((v: any) => [v.name, v.served, v.storage]), [['v1alpha1', true, true]]);
        }
      }
    });

    it('the schemas are structural (what apiextensions.k8s.io/v1 accepts) and carry none of our private keys', () => {
      const problems: string[] = [];
      const walk = (s: any, p: string, inAnyOf = false) => {
        for (const k of Object.keys(s)) if (k.startsWith('x-traefik-xds')) problems.push(`${p}: private key ${k}`);
        if (inAnyOf) {
          const extra = Object.keys(s).filter((k) => k !== 'type');
          if (extra.length) problems.push(`${p}: anyOf items may only say type, not ${extra.join(', ')}`);
          return;
        }
        if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) problems.push(`${p}: no type`);
        if (s.anyOf && !s['x-kubernetes-int-or-string']) problems.push(`${p}: anyOf outside int-or-string`);
        if (s['x-kubernetes-int-or-string'] && s.type) problems.push(`${p}: int-or-string with a type`);
        if (s.properties && s.additionalProperties) problems.push(`${p}: properties and additionalProperties`);
        if (s.additionalProperties === false) problems.push(`${p}: additionalProperties: false`);
        if (s.pattern) {
          const err = checkRe2(s.pattern);
          if (err) problems.push(`${p}: pattern is not RE2: ${err}`);
        }
        if (s.required) for (const r of s.required) if (!s.properties?.[r]) problems.push(`${p}: required ${r} is not a property`);
        for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${p}.${k}`);
        if (s.items) walk(s.items, `${p}[]`);
        if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${p}{}`);
        (s.anyOf ?? []).forEach((x: any, i: number) => walk(x, `${p}.anyOf[${i}]`, true));
      };
      for (const f of fs.readdirSync(CRD_DIR)) {
        for (const c of docs(`crds/${f}`)) walk(c.spec.versions[0].schema.openAPIV3Schema, c.metadata.name);
      }
      assert.deepEqual(problems, []);
    });
  });

  describe('RBAC', () => {
    const rbac = docs('rbac.yaml');
    const role = find(rbac, 'ClusterRole', 'traefik-xds');
    const allows = (rules: any[], group: string, resource: string, verb: string, name?: string) => rules.some((r) =>
      r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb) && (!r.resourceNames || (name && r.resourceNames.includes(name))));

    // Both providers on: every kind either of them watches.
    const everything = () => watchedKinds({ labelSelector: '', disableClusterScopeResources: false }, { labelSelector: '', disableClusterScopeResources: false });

    it('get, list and watch on every kind the source watches (Ingress and IngressClass with kubernetesIngress)', () => {
      const kinds = everything().map((k) => `${k.group}/${k.plural}`);
      for (const k of ['networking.k8s.io/ingresses', 'networking.k8s.io/ingressclasses', '/nodes', '/services']) assert.ok(kinds.includes(k), k);
      for (const k of everything()) {
        for (const verb of ['get', 'list', 'watch']) assert.ok(allows(role.rules, k.group, k.plural, verb), `${verb} ${k.plural}.${k.group}`);
      }
    });

    it('writes only Events (create, patch), Ingress status (update) and its own Lease; no wildcard', () => {
      assert.ok(allows(role.rules, '', 'events', 'create') && allows(role.rules, '', 'events', 'patch'));
      assert.ok(allows(role.rules, 'networking.k8s.io', 'ingresses/status', 'update'));
      const watched = new Set(everything().map((k) => `${k.group}/${k.plural}`));
      for (const r of role.rules) {
        assert.ok(!r.verbs.includes('*') && !r.resources.includes('*') && !r.apiGroups.includes('*'), 'no wildcard');
        for (const g of r.apiGroups) {
          for (const res of r.resources) {
            if (`${g}/${res}` === '/events') assert.deepEqual(r.verbs.sort(), ['create', 'patch']);
            else if (`${g}/${res}` === 'networking.k8s.io/ingresses/status') assert.deepEqual(r.verbs, ['update']);
            else {
              assert.ok(watched.has(`${g}/${res}`), `${g}/${res} is watched`);
              assert.deepEqual([...r.verbs].sort(), ['get', 'list', 'watch']);
            }
          }
        }
      }
      const leader = find(rbac, 'Role', 'traefik-xds-leader-election');
      assert.equal(leader.metadata.namespace, 'traefik-xds');
      assert.ok(allows(leader.rules, 'coordination.k8s.io', 'leases', 'create'));
      for (const v of ['get', 'update']) assert.ok(allows(leader.rules, 'coordination.k8s.io', 'leases', v, 'traefik-xds-events'), v);
      assert.ok(!allows(leader.rules, 'coordination.k8s.io', 'leases', 'update', 'another-lease'));
      const sa = find(docs('serviceaccount.yaml'), 'ServiceAccount');
      for (const b of [find(rbac, 'ClusterRoleBinding'), find(rbac, 'RoleBinding')]) {
        assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
      }
    });
  });

  describe('the control plane', () => {
    const dep = find(docs('deployment.yaml'), 'Deployment', 'traefik-xds');
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    const cm = find(docs('config.yaml'), 'ConfigMap', 'traefik-xds-config');
    const { config, diagnostics } = loadStaticConfig({ text: cm.data['traefik-xds.yaml'] });
    const port = (name: string) => c.ports.find((p: any) => p.name === name).containerPort;

    it('2 replicas, hardened (non-root, read-only root filesystem, no privilege escalation, no capabilities)', () => {
      assert.equal(dep.spec.replicas, 2);
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
      assert.equal(pod.serviceAccountName, find(docs('serviceaccount.yaml'), 'ServiceAccount').metadata.name);
      for (const v of ['POD_NAME', 'POD_NAMESPACE']) assert.ok(c.env.some((e: any) => e.name === v && e.valueFrom?.fieldRef), v);
      assert.ok(c.volumeMounts.some((m: any) => m.mountPath === '/tmp'), 'a writable /tmp');
    });

    it('probes /healthz and /readyz on the admin port, which the config binds on the pod address', () => {
      assert.deepEqual(diagnostics.items.filter((d) => d.severity === 'error'), []);
      assert.equal(c.readinessProbe.httpGet.path, '/readyz');
      assert.equal(c.livenessProbe.httpGet.path, '/healthz');
      for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe]) assert.equal(p.httpGet.port, 'admin');
      assert.equal(port('admin'), config.admin.address.port);
      assert.ok(!['', '127.0.0.1', '::1', 'localhost'].includes(config.admin.address.host), `admin on ${config.admin.addressText}`);
      assert.equal(c.args.at(-1), '/etc/traefik-xds/traefik-xds.yaml');
      assert.ok(c.volumeMounts.some((m: any) => m.mountPath === '/etc/traefik-xds'));
    });

    it('reads the cluster (kubernetesCRD) and serves xDS with mutual TLS (no xds.insecure)', () => {
      assert.ok(config.providers.kubernetesCRD, 'providers.kubernetesCRD is on');
      assert.equal(config.providers.manifests, undefined);
      assert.equal(config.xds.insecure, false);
      assert.ok(config.xds.tls?.clientCAFile, 'a client CA makes mTLS mandatory');
      assert.ok((docs('kustomization.yaml')[0].components as string[]).includes('mtls'), 'the base includes the mtls component');
      assert.equal(config.xds.address.port, port('xds'));
      const svc = find(docs('service.yaml'), 'Service', 'traefik-xds');
      assert.equal(svc.spec.ports[0].targetPort, 'xds');
      for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(dep.spec.template.metadata.labels[k], v);
      const pdb = find(docs('pdb.yaml'), 'PodDisruptionBudget');
      assert.deepEqual(pdb.spec.selector.matchLabels, dep.spec.selector.matchLabels);
    });

    it('the kustomizations list every manifest, and those exist', () => {
      for (const dir of ['', 'example']) {
        const k = docs(path.join(dir, 'kustomization.yaml'))[0];
        const listed = (k.resources as string[]).sort();
        const present = fs.readdirSync(path.join(K8S, dir)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
        assert.deepEqual(listed, present, `k8s/${dir}`);
      }
    });
  });

  describe('the example gateway', () => {
    const ex = [...docs('example/envoy-bootstrap.yaml'), ...docs('example/envoy.yaml')];
    const bootstrap = YAML.parse(find(ex, 'ConfigMap').data['bootstrap.yaml']);
    const cm = find(docs('config.yaml'), 'ConfigMap', 'traefik-xds-config');
    const { config } = loadStaticConfig({ text: cm.data['traefik-xds.yaml'] });

    it('Envoy reaches the xDS Service over ADS, as a node of the gateway fleet', () => {
      const svc = find(docs('service.yaml'), 'Service', 'traefik-xds');
      const xds = bootstrap.static_resources.clusters.find((x: any) => x.name === 'xds_cluster');
      const addr = xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
      assert.equal(addr.address, `${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`);
      assert.equal(addr.port_value, svc.spec.ports[0].port);
      assert.ok(xds.typed_extension_protocol_options, 'HTTP/2 to the xDS server');
      assert.equal(bootstrap.dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name, 'xds_cluster');
      const fleet = config.fleets.find((f) => !f.match.nodeCluster || globMatch(f.match.nodeCluster, bootstrap.node.cluster));
      assert.ok(fleet, 'a fleet matches the node cluster');
      assert.equal(bootstrap.admin.address.socket_address.address, '127.0.0.1', 'Envoy admin stays on loopback');
      const envoy = find(ex, 'Deployment', 'envoy-gateway').spec.template.spec.containers[0];
      const ports = envoy.ports.map((p: any) => p.containerPort).sort();
      assert.deepEqual(ports, Object.values(config.entryPoints).filter((e) => fleet!.entryPoints.includes(e.name)).map((e) => e.address.port).sort());
      assert.equal(envoy.securityContext.readOnlyRootFilesystem, true);
    });

    it('the demo app\'s manifests translate without errors', () => {
      const text = fs.readFileSync(path.join(K8S, 'example', 'whoami.yaml'), 'utf8');
      const snapshot = parseManifestText(text, 'k8s/example/whoami.yaml');
      // The cluster adds the EndpointSlice; here it is given.
      snapshot.objects.push(...parseManifestText(`
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: whoami-x, namespace: demo, labels: {kubernetes.io/service-name: whoami}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: ["10.0.0.1"], conditions: {ready: true}}]
`, 'slice.yaml').objects);
      const r = runPipeline(snapshot, config);
      assert.deepEqual(r.diagnostics.items.filter((d) => d.severity === 'error'), []);
      assert.equal(r.model.httpRouters.length, 1);
    });
  });
});
