// Objects for the Kubernetes source tests, as `kubectl apply` would send them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { Obj } from './fake-apiserver';

export function service(name: string, ns = 'default', port = 80, extra: Record<string, unknown> = {}): Obj {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ name: 'http', port, targetPort: 8080, protocol: 'TCP' }], ...extra },
  };
}

export function slice(service: string, ips: string[], ns = 'default', name = `${service}-abc`, port = 8080): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4', ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
  };
}

export function ingressRoute(name: string, match: string, o: {
  ns?: string; group?: string; service?: string; port?: number; entryPoints?: string[]; labels?: Record<string, string>;
  annotations?: Record<string, string>; middlewares?: string[]; tls?: Record<string, unknown>; serviceExtra?: Record<string, unknown>;
  ingressClassName?: string;
} = {}): Obj {
  return {
    apiVersion: `${o.group ?? 'traefik.io'}/v1alpha1`, kind: 'IngressRoute',
    metadata: { name, namespace: o.ns ?? 'default', ...(o.labels ? { labels: o.labels } : {}), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      entryPoints: o.entryPoints ?? ['web'],
      routes: [{
        match, kind: 'Rule', services: [{ name: o.service ?? 'whoami', port: o.port ?? 80, ...o.serviceExtra }],
        ...(o.middlewares ? { middlewares: o.middlewares.map((m) => ({ name: m })) } : {}),
      }],
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.ingressClassName ? { ingressClassName: o.ingressClassName } : {}),
    },
  };
}

/** A Service, its EndpointSlice and an IngressRoute for `Host(app.example.com)`, in `ns`. */
export function app(ns = 'default', host = 'app.example.com', ips = ['10.0.0.11']): Obj[] {
  return [service('whoami', ns), slice('whoami', ips, ns), ingressRoute('app', `Host(\`${host}\`)`, { ns })];
}

/** The TLS Secret (whoami-tls, a certificate for whoami.example.com) of the tls-secretname golden case. */
export function tlsSecret(name = 'whoami-tls', ns = 'default'): Obj {
  const text = fs.readFileSync(path.join(__dirname, '..', 'golden', 'cases', 'tls-secretname', 'input.yaml'), 'utf8');
  const secret = YAML.parseAllDocuments(text).map((d) => d.toJS()).find((o) => o?.kind === 'Secret');
  if (!secret) throw new Error('no Secret in the tls-secretname golden case');
  return { ...secret, metadata: { name, namespace: ns } };
}

/** A networking.k8s.io/v1 Ingress with one rule: `host` (may be empty) and one Prefix path to `service`:80. */
export function ingress(name: string, host: string, path: string, o: {
  ns?: string; service?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ingressClassName?: string;
} = {}): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { name, namespace: o.ns ?? 'default', ...(o.labels ? { labels: o.labels } : {}), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      ...(o.ingressClassName ? { ingressClassName: o.ingressClassName } : {}),
      rules: [{ ...(host ? { host } : {}), http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: o.service ?? 'whoami', port: { number: 80 } } } }] } }],
    },
  };
}

/** An IngressClass of `controller` (Traefik's by default). */
export function ingressClass(name: string, controller = 'traefik.io/ingress-controller'): Obj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller } };
}
