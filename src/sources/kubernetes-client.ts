// The Kubernetes API client shared by the informers, the Event publisher, the Ingress status writer and the
// leader election: a KubeConfig built from providers.kubernetesCRD or providers.kubernetesIngress (endpoint,
// token, certAuthFilePath), the in-cluster service account, or KUBECONFIG / ~/.kube/config; and a small JSON
// request helper on top of it. Watches themselves go through @kubernetes/client-node's Watch, which uses the
// same KubeConfig.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesCRDProvider } from '../config/types';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Where the configuration came from, for the startup log line. */
export type KubeConfigOrigin = 'endpoint' | 'in-cluster' | 'kubeconfig';

export interface KubeConnection {
  kubeConfig: KubeConfig;
  origin: KubeConfigOrigin;
  server: string;
  /** The namespace of the service account (in cluster) or of the kubeconfig context, if known. */
  namespace?: string;
}

export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

const TOKEN_FILE_PROVIDER = 'traefik-xds-token-file';

/**
 * A bearer token read from a file and re-read every minute (projected service-account tokens rotate), trimmed
 * (a token file written by `echo` ends with a newline, which is not allowed in an HTTP header).
 */
function tokenFileAuthenticator() {
  const cache = new Map<string, { token: string; at: number }>();
  return {
    isAuthProvider: (user: { authProvider?: { name?: string } }) => user.authProvider?.name === TOKEN_FILE_PROVIDER,
    applyAuthentication: async (user: any, opts: any) => {
      const file: string = user.authProvider.config.path;
      let c = cache.get(file);
      if (!c || Date.now() - c.at > 60_000) {
        c = { token: fs.readFileSync(file, 'utf8').trim(), at: Date.now() };
        cache.set(file, c);
      }
      opts.headers ??= {};
      if (c.token) opts.headers.Authorization = `Bearer ${c.token}`;
    },
  };
}

function fileExists(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Traefik's rules (seed 002): an `endpoint` overrides the in-cluster address; in a cluster
 * (KUBERNETES_SERVICE_HOST/PORT) the service account's token and CA are used unless `token` /
 * `certAuthFilePath` are set; outside a cluster without an endpoint, KUBECONFIG or ~/.kube/config.
 * `token` is the token itself or the path of a file holding it.
 */
export function kubeConnectionOf(
  p: Pick<KubernetesCRDProvider, 'endpoint' | 'token' | 'certAuthFilePath'>,
  env: NodeJS.ProcessEnv = process.env,
  serviceAccountDir = SERVICE_ACCOUNT_DIR,
  /** The static configuration key of the options, for messages. */
  configKey = 'providers.kubernetesCRD',
): KubeConnection {
  const kc = new KubeConfig();
  kc.addAuthenticator(tokenFileAuthenticator() as any);
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const inCluster = !!host && !!port;
  if (p.endpoint || inCluster) {
    const server = (p.endpoint || `https://${host!.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
    const saCA = path.join(serviceAccountDir, 'ca.crt');
    const saToken = path.join(serviceAccountDir, 'token');
    const caFile = p.certAuthFilePath || (inCluster && fileExists(saCA) ? saCA : undefined);
    if (p.certAuthFilePath && !fileExists(p.certAuthFilePath)) {
      throw new KubeConfigError(`${configKey}.certAuthFilePath: cannot read ${p.certAuthFilePath}`);
    }
    let user: any = { name: 'traefik-xds' };
    if (p.token) {
      user = fileExists(p.token)
        ? { name: 'traefik-xds', authProvider: { name: TOKEN_FILE_PROVIDER, config: { path: p.token } } }
        : { name: 'traefik-xds', token: p.token.trim() };
    } else if (inCluster && fileExists(saToken)) {
      user = { name: 'traefik-xds', authProvider: { name: TOKEN_FILE_PROVIDER, config: { path: saToken } } };
    }
    // client-node refuses plain http unless skipTLSVerify is set; there is no TLS to verify anyway.
    kc.loadFromClusterAndUser({ name: 'traefik-xds', server, caFile, skipTLSVerify: server.startsWith('http:') }, user);
    const nsFile = path.join(serviceAccountDir, 'namespace');
    const namespace = inCluster && fileExists(nsFile) ? fs.readFileSync(nsFile, 'utf8').trim() || undefined : undefined;
    return { kubeConfig: kc, origin: p.endpoint ? 'endpoint' : 'in-cluster', server, namespace };
  }
  const files = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  const home = env.HOME || os.homedir();
  if (files.length === 0) {
    const def = path.join(home, '.kube', 'config');
    if (fileExists(def)) files.push(def);
  }
  if (files.length === 0) {
    throw new KubeConfigError(`no Kubernetes API to talk to: set ${configKey}.endpoint, run inside a cluster (KUBERNETES_SERVICE_HOST/PORT), or provide KUBECONFIG or ~/.kube/config`);
  }
  for (const f of files) if (!fileExists(f)) throw new KubeConfigError(`kubeconfig ${f} does not exist`);
  kc.loadFromFile(files[0]);
  for (const f of files.slice(1)) {
    const more = new KubeConfig();
    more.loadFromFile(f);
    kc.mergeConfig(more, true);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeConfigError(`kubeconfig ${files.join(path.delimiter)}: no current context or cluster`);
  if (p.token || p.certAuthFilePath) {
    // Overrides on top of the kubeconfig's context.
    const users = kc.getUsers().map((u) => (u.name === kc.getCurrentUser()?.name && p.token ? { ...u, token: p.token } : u));
    const clusters = kc.getClusters().map((c) => (c.name === cluster.name && p.certAuthFilePath ? { ...c, caFile: p.certAuthFilePath, caData: undefined } : c));
    kc.loadFromOptions({ clusters, users, contexts: kc.getContexts(), currentContext: kc.getCurrentContext() });
  }
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    kc.loadFromOptions({
      clusters: kc.getClusters().map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c)),
      users: kc.getUsers(), contexts: kc.getContexts(), currentContext: kc.getCurrentContext(),
    });
  }
  const ctx = kc.getContextObject(kc.getCurrentContext());
  return { kubeConfig: kc, origin: 'kubeconfig', server: cluster.server, namespace: ctx?.namespace };
}

// ---------------------------------------------------------------------------------------------------------
// Errors

/** A failed API call, with what it needed (for RBAC messages). */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly verb: string,
    readonly resource: ResourceRef,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  resource: string;
  namespace?: string;
}

/** `cannot list resource "ingressroutes" in API group "traefik.io" in namespace "apps"`: the wording of the API server. */
export function describeNeed(verb: string, r: ResourceRef): string {
  return `cannot ${verb} resource "${r.resource}" in API group "${r.group}" ${r.namespace ? `in namespace "${r.namespace}"` : 'at the cluster scope'}`;
}

/** The log line for a 403: the verb, resource and namespace that the service account needs. */
export function forbiddenMessage(verb: string, r: ResourceRef): string {
  const qualified = r.group ? `${r.resource}.${r.group}` : r.resource;
  return `Kubernetes API: forbidden (RBAC): ${describeNeed(verb, r)}; grant the service account "${verb}" on ${qualified}${r.namespace ? ` in namespace ${r.namespace} (a Role) or cluster-wide (a ClusterRole)` : ' cluster-wide (a ClusterRole)'}, as k8s/rbac.yaml does`;
}

// ---------------------------------------------------------------------------------------------------------
// Requests

export interface KubeResponse {
  statusCode: number;
  body: any;
}

/** JSON requests to the API server with the KubeConfig's credentials (no retries: callers decide). */
export class KubeClient {
  constructor(readonly kubeConfig: KubeConfig, private readonly timeoutMs = 30_000) {}

  get server(): string {
    return this.kubeConfig.getCurrentCluster()?.server ?? '';
  }

  async request(method: string, urlPath: string, o: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string } = {}): Promise<KubeResponse> {
    const url = new URL(this.server + urlPath);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const opts: https.RequestOptions = { headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>), accept: 'application/json' };
    let payload: Buffer | undefined;
    if (o.body !== undefined) {
      payload = Buffer.from(JSON.stringify(o.body));
      headers['content-type'] = o.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise<KubeResponse>((resolve, reject) => {
      const req = mod.request(url, { ...opts, method, headers, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON: keep the text */
          }
          resolve({ statusCode: res.statusCode ?? 0, body });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** The message of a Kubernetes Status body, else the HTTP status. */
export function statusMessage(res: KubeResponse): string {
  const b = res.body;
  if (b && typeof b === 'object' && typeof b.message === 'string') return b.message;
  return `HTTP ${res.statusCode}${typeof b === 'string' && b ? `: ${b.slice(0, 200)}` : ''}`;
}
