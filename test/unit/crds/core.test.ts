import assert from 'node:assert/strict';
import type { ConfigMapObj, EndpointSliceObj, EndpointsObj, NodeObj, SecretObj, ServiceObj } from '../../../src/model/crds/types';
import { expectClean, expectDiag, parseYaml } from './helpers';

describe('crds/core objects (lenient)', () => {
  it('reads a Service, ignoring fields it does not use', () => {
    const obj = expectClean(`apiVersion: v1
kind: Service
metadata:
  name: whoami
  namespace: apps
  uid: 123
  managedFields: [{manager: kubectl}]
spec:
  type: NodePort
  clusterIP: 10.0.0.1
  clusterIPs: [10.0.0.1]
  selector: {app: whoami}
  sessionAffinity: None
  ports:
  - name: web
    port: 80
    targetPort: http
    nodePort: 30080
    protocol: TCP
    appProtocol: http
status:
  loadBalancer: {}
`) as ServiceObj;
    assert.equal(obj.group, 'core');
    assert.equal(obj.version, 'v1');
    assert.equal(obj.spec.type, 'NodePort');
    assert.equal(obj.spec.ports?.[0].targetPort, 'http');
    assert.equal(obj.spec.ports?.[0].nodePort, 30080);
  });

  it('reads an ExternalName Service without ports (seed example)', () => {
    const obj = expectClean(
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: external-svc\n  namespace: default\nspec:\n  externalName: external.domain\n  type: ExternalName\n',
    ) as ServiceObj;
    assert.equal(obj.spec.externalName, 'external.domain');
  });

  it('checks the Service fields it reads, and Service names are RFC 1035 labels', () => {
    let p = parseYaml('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: Nodeport\n  ports:\n  - {name: web, port: "80"}\n  - {targetPort: 80}\n');
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.type', /did you mean "NodePort"\?/);
    expectDiag(p, 'error', 'spec.ports[0].port', /expected an integer/);
    expectDiag(p, 'error', 'spec.ports[1].port', /missing required field "port"/);
    p = parseYaml('apiVersion: v1\nkind: Service\nmetadata: {name: 1st-svc}\nspec: {}\n');
    expectDiag(p, 'error', 'metadata.name', /RFC 1035 label/);
    p = parseYaml('apiVersion: v1\nkind: Service\nmetadata: {name: my.svc}\nspec: {}\n');
    expectDiag(p, 'error', 'metadata.name', /RFC 1035 label/);
  });

  it('reads an EndpointSlice (top-level fields become spec) and its service-name label', () => {
    const obj = expectClean(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: whoami-abc12
  namespace: apps
  labels:
    kubernetes.io/service-name: whoami
addressType: IPv4
endpoints:
- addresses: [10.1.0.1]
  conditions: {ready: true, serving: true, terminating: false}
  hostname: pod-1
  nodeName: node-1
  zone: eu-1a
  targetRef: {kind: Pod, name: pod-1}
ports:
- name: web
  port: 8080
  protocol: TCP
`) as EndpointSliceObj;
    assert.equal(obj.group, 'discovery.k8s.io');
    assert.equal(obj.labels['kubernetes.io/service-name'], 'whoami');
    assert.equal(obj.spec.addressType, 'IPv4');
    assert.equal(obj.spec.endpoints?.[0].conditions?.serving, true);
    assert.deepEqual(Object.keys(obj.spec).sort(), ['addressType', 'endpoints', 'ports']);
  });

  it('warns on an EndpointSlice without service-name label and rejects bad conditions', () => {
    let p = parseYaml('apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\nendpoints: []\n');
    assert.ok(p.obj);
    expectDiag(p, 'warning', 'metadata.labels', /kubernetes.io\/service-name/);
    p = parseYaml(
      'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, labels: {kubernetes.io/service-name: a}}\naddressType: ipv4\nendpoints:\n- conditions: {ready: "true"}\n',
    );
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'addressType', /did you mean "IPv4"\?/);
    expectDiag(p, 'error', 'endpoints[0].addresses', /missing required field/);
    expectDiag(p, 'error', 'endpoints[0].conditions.ready', /expected a boolean/);
  });

  it('reads Endpoints (subsets)', () => {
    const obj = expectClean(`apiVersion: v1
kind: Endpoints
metadata: {name: whoami, namespace: apps}
subsets:
- addresses: [{ip: 10.1.0.1, hostname: a, nodeName: n1, targetRef: {kind: Pod}}]
  notReadyAddresses: [{ip: 10.1.0.2}]
  ports: [{name: web, port: 8080, protocol: TCP}]
`) as EndpointsObj;
    assert.equal(obj.spec.subsets?.[0].addresses?.[0].ip, '10.1.0.1');
  });

  it('reads Secrets: base64 data is checked, stringData is free text', () => {
    const obj = expectClean(`apiVersion: v1
kind: Secret
metadata: {name: tls-cert, namespace: apps}
type: kubernetes.io/tls
data:
  tls.crt: LS0tLS1CRUdJTg==
  tls.key: LS0tLS1CRUdJTg==
stringData:
  users: "user:$apr1$xyz"
`) as SecretObj;
    assert.equal(obj.spec.type, 'kubernetes.io/tls');
    assert.equal(obj.spec.data?.['tls.crt'], 'LS0tLS1CRUdJTg==');
    const p = parseYaml('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  tls.crt: "-----BEGIN CERTIFICATE-----"\n');
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'data["tls.crt"]', /not valid base64/);
  });

  it('reads ConfigMaps', () => {
    const obj = expectClean('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ca}\ndata:\n  ca.crt: "-----BEGIN CERTIFICATE-----"\n') as ConfigMapObj;
    assert.equal(obj.spec.data?.['ca.crt'], '-----BEGIN CERTIFICATE-----');
    const p = parseYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ca}\ndata:\n  port: 80\n');
    expectDiag(p, 'error', 'data.port', /quote it/);
  });

  it('reads Nodes (cluster-scoped: empty namespace) and their addresses', () => {
    const obj = expectClean(`apiVersion: v1
kind: Node
metadata: {name: node-1.example.com}
spec: {podCIDR: 10.1.0.0/24}
status:
  addresses:
  - {type: InternalIP, address: 192.168.0.10}
  - {type: Hostname, address: node-1}
  capacity: {cpu: "4"}
`) as NodeObj;
    assert.equal(obj.namespace, '');
    assert.equal(obj.spec.status?.addresses?.[0].address, '192.168.0.10');
  });
});
