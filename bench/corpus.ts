// Generated benchmark corpora: N IngressRoutes, each with its Service and an EndpointSlice of 3 to 10
// endpoints, a mix of the middlewares traefik-xds translates (per namespace and per application), 10% TLS
// (one Secret per TLS IngressRoute, all carrying the same generated certificate), and a few TraefikServices
// (refused while their translation is being built: the refusals are counted, not hidden).
// Everything is generated in memory as YAML and parsed with the manifests source's parser, so the objects
// are what `serve` would hold (with their source positions). Deterministic: same N, same corpus.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseManifestText } from '../src/sources/manifests';
import { makeCA, issue } from '../src/cli/certs';
import type { RawObject, SourceSnapshot } from '../src/sources/types';

export const STATIC_CONFIG = `
entryPoints:
  web:
    address: ":8080"
  websecure:
    address: ":8443"
`;

export interface CorpusStats {
  ingressRoutes: number;
  routes: number;
  services: number;
  endpointSlices: number;
  endpoints: number;
  middlewares: number;
  middlewareRefs: Record<string, number>;
  traefikServices: number;
  traefikServiceRoutes: number;
  tlsIngressRoutes: number;
  secrets: number;
  namespaces: number;
  objects: number;
  yamlBytes: number;
}

export interface Corpus {
  n: number;
  objects: RawObject[];
  stats: CorpusStats;
}

/** Distinct certificates shared round-robin by the TLS Secrets (a real cluster has one per Secret; see docs/performance.md). */
export const CERTIFICATE_POOL = 16;
let pool: { certPem: string; keyPem: string }[] | undefined;

/**
 * The certificate pool: RSA key generation is slow, so it is made once and kept in the temporary directory
 * for the other benchmark processes of the run (and later runs).
 */
function certificate(i: number): { certPem: string; keyPem: string } {
  if (!pool) {
    const file = path.join(os.tmpdir(), `traefik-xds-bench-certs-${CERTIFICATE_POOL}.json`);
    try {
      pool = JSON.parse(fs.readFileSync(file, 'utf8')) as { certPem: string; keyPem: string }[];
      if (pool.length !== CERTIFICATE_POOL) throw new Error('stale');
    } catch {
      const ca = makeCA('traefik-xds bench CA', 365);
      pool = [];
      for (let k = 0; k < CERTIFICATE_POOL; k++) {
        pool.push(issue(ca, { commonName: `*.example.com`, sans: ['*.example.com', `tenant-${k}.example.com`], usage: 'server', days: 365 }));
      }
      fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(pool));
      fs.renameSync(`${file}.${process.pid}`, file);
    }
  }
  return pool[i % CERTIFICATE_POOL];
}

const indent = (s: string, n: number) => s.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

function nsOf(i: number, n: number): string {
  return `team-${i % nsCount(n)}`;
}

/** Deterministic "random" from a string. */
function det(s: string): number {
  return createHash('sha1').update(s).digest().readUInt32BE(0);
}

export function appName(i: number): string {
  return `app-${String(i).padStart(5, '0')}`;
}

/** Endpoints of app i; `gen` changes the set (incremental EndpointSlice changes). */
export function endpointSliceYaml(i: number, n: number, gen = 0): string {
  const ns = nsOf(i, n);
  const app = appName(i);
  const count = 3 + (det(app) % 8) + (gen % 2); // 3..10 (11 on odd generations)
  const eps: string[] = [];
  for (let k = 0; k < count; k++) {
    const a = (i * 16 + k + gen * 7) % 65536;
    eps.push(`  - addresses: ["10.${(a >> 8) & 255}.${a & 255}.${10 + k}"]\n    conditions: {ready: true}\n    nodeName: node-${(i + k) % 50}`);
  }
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${app}-x7k2p
  namespace: ${ns}
  labels:
    kubernetes.io/service-name: ${app}
addressType: IPv4
ports:
  - name: http
    port: 8080
    protocol: TCP
endpoints:
${eps.join('\n')}
`;
}

function serviceYaml(i: number, n: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${appName(i)}
  namespace: ${nsOf(i, n)}
  labels: {app: ${appName(i)}}
spec:
  type: ClusterIP
  clusterIP: 10.96.${(i >> 8) & 255}.${i & 255}
  ports:
    - name: http
      port: 80
      targetPort: 8080
      protocol: TCP
`;
}

/** Per-application middleware: StripPrefix, AddPrefix or Headers by i; `gen` changes its content. */
export function appMiddlewareYaml(i: number, n: number, gen = 0): string {
  const app = appName(i);
  const kind = i % 3;
  const spec = kind === 0
    ? `stripPrefix:\n  prefixes: ["/api${gen ? `-v${gen}` : ''}"]`
    : kind === 1
      ? `addPrefix:\n  prefix: "/v${gen + 1}"`
      : `headers:\n  customRequestHeaders:\n    X-App: "${app}"\n    X-Generation: "${gen}"\n  customResponseHeaders:\n    X-Served-By: "${app}"`;
  return `apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: ${app}-mw
  namespace: ${nsOf(i, n)}
spec:
${indent(spec, 2)}
`;
}

/** Middlewares shared by a namespace. */
function namespaceMiddlewaresYaml(ns: string): string {
  const mw = (name: string, spec: string) => `apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: ${name}
  namespace: ${ns}
spec:
${indent(spec, 2)}
`;
  const sha = createHash('sha1').update(`secret-${ns}`).digest('base64');
  return [
    mw('team-headers', `headers:\n  customRequestHeaders:\n    X-Team: "${ns}"\n  customResponseHeaders:\n    X-Frame-Options: DENY`),
    mw('office-only', 'ipAllowList:\n  sourceRange: ["10.0.0.0/8", "192.168.0.0/16"]'),
    mw('retry', 'retry:\n  attempts: 3\n  initialInterval: 100ms'),
    mw('to-https', 'redirectScheme:\n  scheme: https\n  permanent: true'),
    mw('auth', 'basicAuth:\n  secret: team-users'),
    `apiVersion: v1
kind: Secret
metadata:
  name: team-users
  namespace: ${ns}
type: Opaque
stringData:
  users: |
    alice:{SHA}${sha}
    bob:{SHA}${sha}
`,
  ].join('---\n');
}

/** The middlewares of app i's main route (names in its namespace). */
function middlewaresOf(i: number): string[] {
  const out = [`${appName(i)}-mw`];
  if (i % 2 === 0) out.push('team-headers');
  if (i % 5 === 1) out.push('office-only');
  if (i % 4 === 3) out.push('retry');
  if (i % 13 === 7) out.push('auth');
  return out;
}

export function isTls(i: number): boolean {
  return i % 10 === 0;
}

export function usesTraefikService(i: number): boolean {
  return i % 50 === 25;
}

/** app i's IngressRoute; `gen` changes the main route's path. */
export function ingressRouteYaml(i: number, n: number, gen = 0): string {
  const app = appName(i);
  const ns = nsOf(i, n);
  const tls = isTls(i);
  const host = `${app}.example.com`;
  const mws = middlewaresOf(i).map((m) => `        - name: ${m}`).join('\n');
  const svc = `      services:\n        - name: ${app}\n          port: 80`;
  const routes = [
    `    - match: Host(\`${host}\`) && PathPrefix(\`/api${gen ? `-v${gen}` : ''}\`)
      kind: Rule
      middlewares:
${mws}
${svc}`,
    `    - match: Host(\`${host}\`)
      kind: Rule
${usesTraefikService(i) ? `      services:\n        - name: ${app}-canary\n          kind: TraefikService` : svc}`,
  ];
  if (i % 20 === 3) {
    routes.push(`    - match: Host(\`${host}\`) && PathPrefix(\`/login\`)
      kind: Rule
      middlewares:
        - name: to-https
${svc}`);
  }
  return `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  entryPoints: [${tls ? 'websecure' : 'web'}]
  routes:
${routes.join('\n')}
${tls ? `  tls:\n    secretName: ${app}-tls\n` : ''}`;
}

function nsCount(n: number): number {
  return Math.max(1, Math.floor(n / 50));
}

function traefikServiceYaml(i: number, n: number): string {
  const app = appName(i);
  // The canary is another application of the same namespace (cross-namespace references are refused by default).
  const j = i + nsCount(n) < n ? i + nsCount(n) : i - nsCount(n) >= 0 ? i - nsCount(n) : i;
  const other = appName(j);
  return `apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata:
  name: ${app}-canary
  namespace: ${nsOf(i, n)}
spec:
  weighted:
    services:
      - name: ${app}
        port: 80
        weight: 9
      - name: ${other}
        port: 80
        weight: 1
`;
}

function tlsSecretYaml(i: number, n: number): string {
  const { certPem, keyPem } = certificate(i / 10);
  return `apiVersion: v1
kind: Secret
metadata:
  name: ${appName(i)}-tls
  namespace: ${nsOf(i, n)}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(certPem).toString('base64')}
  tls.key: ${Buffer.from(keyPem).toString('base64')}
`;
}

/** Parses one generated document into its single object. */
export function parseOne(yaml: string, file: string): RawObject {
  const s = parseManifestText(yaml, file);
  if (s.problems.length || s.objects.length !== 1) throw new Error(`generated ${file} does not parse: ${JSON.stringify(s.problems)}`);
  return s.objects[0];
}

/** The whole corpus for n IngressRoutes, one generated "file" per application plus one per namespace. */
export function generateCorpus(n: number): Corpus {
  const objects: RawObject[] = [];
  const namespaces = new Set<string>();
  let yamlBytes = 0;
  const stats: CorpusStats = {
    ingressRoutes: 0, routes: 0, services: 0, endpointSlices: 0, endpoints: 0, middlewares: 0, middlewareRefs: {},
    traefikServices: 0, traefikServiceRoutes: 0, tlsIngressRoutes: 0, secrets: 0, namespaces: 0, objects: 0, yamlBytes: 0,
  };
  const add = (text: string, file: string) => {
    yamlBytes += text.length;
    const s = parseManifestText(text, file);
    if (s.problems.length) throw new Error(`generated ${file} does not parse: ${JSON.stringify(s.problems[0])}`);
    objects.push(...s.objects);
  };
  for (let i = 0; i < n; i++) {
    const ns = nsOf(i, n);
    if (!namespaces.has(ns)) {
      namespaces.add(ns);
      add(namespaceMiddlewaresYaml(ns), `${ns}/shared.yaml`);
      stats.middlewares += 5;
      stats.secrets += 1;
    }
    const docs = [ingressRouteYaml(i, n), serviceYaml(i, n), endpointSliceYaml(i, n), appMiddlewareYaml(i, n)];
    stats.ingressRoutes++;
    stats.routes += 2 + (i % 20 === 3 ? 1 : 0);
    stats.services++;
    stats.endpointSlices++;
    stats.endpoints += 3 + (det(appName(i)) % 8);
    stats.middlewares++;
    for (const m of middlewaresOf(i)) {
      const k = m.endsWith('-mw') ? ['stripPrefix', 'addPrefix', 'headers'][i % 3] : m;
      stats.middlewareRefs[k] = (stats.middlewareRefs[k] ?? 0) + 1;
    }
    if (i % 20 === 3) stats.middlewareRefs['to-https'] = (stats.middlewareRefs['to-https'] ?? 0) + 1;
    if (usesTraefikService(i)) {
      docs.push(traefikServiceYaml(i, n));
      stats.traefikServices++;
      stats.traefikServiceRoutes++;
    }
    if (isTls(i)) {
      docs.push(tlsSecretYaml(i, n));
      stats.tlsIngressRoutes++;
      stats.secrets++;
    }
    add(docs.join('---\n'), `${ns}/${appName(i)}.yaml`);
  }
  stats.namespaces = namespaces.size;
  stats.objects = objects.length;
  stats.yamlBytes = yamlBytes;
  return { n, objects, stats };
}

/**
 * The objects again with new identities, as a source hands over what it read again (a relist, a rewritten
 * file): each made the way the manifests source makes it, so it has the hidden class (V8 map) of the objects
 * a source holds. A spread copy (`{ ...o }`) gets a class of its own that no source produces; it died with the
 * copies, and after each full collection V8 discarded the optimised code that had seen it, which made the
 * measured build pay for recompiling code that a server rebuilding from its sources keeps.
 */
export function freshIdentities(objects: RawObject[]): RawObject[] {
  return objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, body: o.body, origin: o.origin, locate: o.locate }));
}

/** Replaces one object (same kind/namespace/name) in a copy of the list; every other object keeps its identity. */
export function replaceObject(objects: RawObject[], next: RawObject): RawObject[] {
  return replaced(objects, next).objects;
}

function replaced(objects: RawObject[], next: RawObject): { objects: RawObject[]; was: RawObject } {
  const out = objects.slice();
  const i = out.findIndex((o) => o.kind === next.kind && o.metadata.name === next.metadata.name && o.metadata.namespace === next.metadata.namespace);
  if (i < 0) throw new Error(`no ${next.kind} ${next.metadata.namespace}/${next.metadata.name} to replace`);
  const was = out[i];
  out[i] = next;
  return { objects: out, was };
}

/**
 * Snapshots as the Kubernetes source gives them: numbered, each telling what changed since the one before
 * (from its informers' events), so the serve loop does not compare every object.
 */
export class SnapshotSeries {
  private generation = 1;
  current: SourceSnapshot;

  constructor(objects: RawObject[]) {
    this.current = { objects, problems: [], generation: this.generation };
  }

  replace(next: RawObject): SourceSnapshot {
    const prev = this.current;
    const { objects, was } = replaced(prev.objects, next);
    this.current = { objects, problems: [], generation: ++this.generation, changes: { since: prev.generation!, added: [next], removed: [was] } };
    return this.current;
  }
}

export function snapshotOf(objects: RawObject[]): SourceSnapshot {
  return { objects, problems: [] };
}

/** Kinds of the changes measured by the incremental and fan-out benchmarks. */
export type ChangeKind = 'endpointslice' | 'ingressroute' | 'middleware';

/** The object that a change of the given kind (generation gen ≥ 1) replaces, for app i. */
export function changedObject(kind: ChangeKind, i: number, n: number, gen: number): RawObject {
  const app = appName(i);
  const ns = nsOf(i, n);
  if (kind === 'endpointslice') return parseOne(endpointSliceYaml(i, n, gen), `${ns}/${app}.yaml`);
  if (kind === 'ingressroute') return parseOne(ingressRouteYaml(i, n, gen), `${ns}/${app}.yaml`);
  return parseOne(appMiddlewareYaml(i, n, gen), `${ns}/${app}.yaml`);
}
