// How the Kubernetes connection is configured: endpoint/token/certAuthFilePath, the in-cluster service account,
// KUBECONFIG or ~/.kube/config (Traefik's rules, seed 002).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeApiServer } from './fake-apiserver';
import { KubeClient, KubeConfigError, kubeConnectionOf, forbiddenMessage } from '../../src/sources/kubernetes-client';
import { Throttle, watchedKinds } from '../../src/sources/kubernetes';
import { sleep } from './harness';

describe('kubernetes connection', () => {
  let api: FakeApiServer;
  let dir: string;

  beforeEach(async () => {
    api = await FakeApiServer.start({ token: 's3cret' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traefik-xds-k8s-'));
  });
  afterEach(async () => {
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = async (c: ReturnType<typeof kubeConnectionOf>) => (await new KubeClient(c.kubeConfig, 2000).request('GET', '/api/v1/services')).statusCode;

  it('endpoint and a token value', async () => {
    const c = kubeConnectionOf({ endpoint: api.url, token: 's3cret', certAuthFilePath: '' }, {});
    assert.equal(c.origin, 'endpoint');
    assert.equal(c.server, api.url);
    assert.equal(await get(c), 200);
    assert.equal(await get(kubeConnectionOf({ endpoint: api.url, token: 'wrong', certAuthFilePath: '' }, {})), 401);
  });

  it('a token file (as `echo token > file` writes it, with a newline)', async () => {
    const f = path.join(dir, 'token');
    fs.writeFileSync(f, 's3cret\n');
    assert.equal(await get(kubeConnectionOf({ endpoint: api.url, token: f, certAuthFilePath: '' }, {})), 200);
  });

  it('in a cluster: the service account token and namespace; an endpoint overrides KUBERNETES_SERVICE_HOST/PORT', async () => {
    fs.writeFileSync(path.join(dir, 'token'), 's3cret');
    fs.writeFileSync(path.join(dir, 'namespace'), 'traefik-xds');
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const inCluster = kubeConnectionOf({ endpoint: '', token: '', certAuthFilePath: '' }, env, dir);
    assert.equal(inCluster.origin, 'in-cluster');
    assert.equal(inCluster.server, 'https://10.96.0.1:443');
    assert.equal(inCluster.namespace, 'traefik-xds');
    const v6 = kubeConnectionOf({ endpoint: '', token: '', certAuthFilePath: '' }, { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    assert.equal(v6.server, 'https://[fd00::1]:443');
    const overridden = kubeConnectionOf({ endpoint: api.url, token: '', certAuthFilePath: '' }, env, dir);
    assert.equal(overridden.server, api.url);
    assert.equal(await get(overridden), 200, 'the service account token is used');
  });

  it('KUBECONFIG (an http server gets no TLS verification to refuse)', async () => {
    const kc = path.join(dir, 'config');
    fs.writeFileSync(kc, [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters: [{name: c, cluster: {server: "' + api.url + '"}}]',
      'users: [{name: u, user: {token: s3cret}}]',
      'contexts: [{name: test, context: {cluster: c, user: u, namespace: apps}}]',
    ].join('\n'));
    const c = kubeConnectionOf({ endpoint: '', token: '', certAuthFilePath: '' }, { KUBECONFIG: kc });
    assert.equal(c.origin, 'kubeconfig');
    assert.equal(c.namespace, 'apps');
    assert.equal(await get(c), 200);
    // providers.kubernetesCRD.token overrides the kubeconfig user's
    assert.equal(await get(kubeConnectionOf({ endpoint: '', token: 'wrong', certAuthFilePath: '' }, { KUBECONFIG: kc })), 401);
    // ~/.kube/config when KUBECONFIG is not set
    fs.mkdirSync(path.join(dir, '.kube'));
    fs.copyFileSync(kc, path.join(dir, '.kube', 'config'));
    assert.equal(await get(kubeConnectionOf({ endpoint: '', token: '', certAuthFilePath: '' }, { HOME: dir })), 200);
  });

  it('nothing to connect to is a clear error', () => {
    assert.throws(() => kubeConnectionOf({ endpoint: '', token: '', certAuthFilePath: '' }, { HOME: dir }),
      (e: Error) => e instanceof KubeConfigError && /set providers\.kubernetesCRD\.endpoint, run inside a cluster.*KUBECONFIG/.test(e.message));
    assert.throws(() => kubeConnectionOf({ endpoint: api.url, token: '', certAuthFilePath: path.join(dir, 'nope.crt') }, {}),
      /certAuthFilePath: cannot read/);
  });

  it('RBAC messages name the verb, resource and namespace', () => {
    assert.equal(
      forbiddenMessage('list', { group: 'traefik.io', resource: 'ingressroutes', namespace: 'apps' }),
      'Kubernetes API: forbidden (RBAC): cannot list resource "ingressroutes" in API group "traefik.io" in namespace "apps"; grant the service account "list" on ingressroutes.traefik.io in namespace apps (a Role) or cluster-wide (a ClusterRole), as k8s/rbac.yaml does',
    );
    assert.match(forbiddenMessage('watch', { group: '', resource: 'nodes' }), /cannot watch resource "nodes" in API group "" at the cluster scope; grant the service account "watch" on nodes cluster-wide/);
  });

  it('the watched kinds follow the options', () => {
    const all = watchedKinds({ labelSelector: 'app=x', disableClusterScopeResources: false });
    assert.equal(all.length, 24);
    assert.ok(all.filter((k) => k.traefik).every((k) => k.selector === 'app=x'));
    assert.ok(all.filter((k) => !k.traefik && k.kind !== 'Secret').every((k) => k.selector === undefined));
    assert.equal(watchedKinds({ labelSelector: '', disableClusterScopeResources: true }).some((k) => k.kind === 'Node'), false);
    // An invalid selector is reported by the model (a StaticConfig error); the informers do not send it.
    assert.ok(watchedKinds({ labelSelector: 'a b', disableClusterScopeResources: false }).every((k) => k.selector !== 'a b'));
  });

  it('the watched kinds of providers.kubernetesIngress, alone and with kubernetesCRD', () => {
    const names = (ks: ReturnType<typeof watchedKinds>) => ks.map((k) => k.kind).sort();
    const ing = watchedKinds(undefined, { labelSelector: 'expose=yes', disableClusterScopeResources: false });
    assert.deepEqual(names(ing), ['EndpointSlice', 'Ingress', 'IngressClass', 'Node', 'Secret', 'Service']);
    assert.deepEqual(ing.filter((k) => k.selector === 'expose=yes').map((k) => k.kind), ['Ingress'], 'its labelSelector is for Ingresses only');
    assert.ok(ing.find((k) => k.kind === 'IngressClass')!.clusterScoped);
    assert.deepEqual(names(watchedKinds(undefined, { labelSelector: '', disableClusterScopeResources: true })), ['EndpointSlice', 'Ingress', 'Secret', 'Service']);
    const both = watchedKinds({ labelSelector: 'crd=yes', disableClusterScopeResources: true }, { labelSelector: 'expose=yes', disableClusterScopeResources: false });
    assert.equal(both.length, 24 - 1 + 3, 'CRD kinds, ConfigMap, and Ingress, IngressClass, Node for the Ingress provider');
    assert.deepEqual(both.find((k) => k.kind === 'Node')!.providers, ['kubernetesIngress']);
    assert.deepEqual(both.find((k) => k.kind === 'Service')!.providers, ['kubernetesCRD', 'kubernetesIngress']);
    assert.equal(both.find((k) => k.kind === 'Ingress')!.selector, 'expose=yes');
    assert.ok(both.filter((k) => k.traefik).every((k) => k.selector === 'crd=yes'));
    assert.deepEqual(watchedKinds(undefined, undefined), []);
  });

  it('Throttle: leading call at once, the trailing one after the window, none lost', async () => {
    let n = 0;
    const t = new Throttle(() => n++, 100);
    t.call();
    assert.equal(n, 1);
    t.call();
    t.call();
    assert.equal(n, 1);
    await sleep(130);
    assert.equal(n, 2);
    t.cancel();
    const z = new Throttle(() => n++, 0);
    z.call();
    z.call();
    assert.equal(n, 4);
  });
});
