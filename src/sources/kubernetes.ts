// The Kubernetes source: @kubernetes/client-node informers (ListWatch: list, then watch from the list's
// resourceVersion; relist on 410 Gone) for every Traefik kind of both API groups (providers.kubernetesCRD),
// Ingresses and IngressClasses (providers.kubernetesIngress), and the Services, EndpointSlices, Secrets,
// ConfigMaps and Nodes they use, with what client-node leaves to its user: watch bookmarks, a paginated raw
// list, reconnection with exponential backoff, CRD groups that are not installed (skipped, polled for),
// RBAC errors that say what is missing, and Traefik's throttleDuration on change notifications.
//
// With both providers on, one informer per kind covers the union of their namespaces (each provider's model
// applies its own list again), and each provider's throttleDuration paces the kinds it reads.
//
// Objects are handed to the model untouched (the API's JSON, not client-node's typed classes), and an object
// whose resourceVersion did not change keeps its identity across snapshots (the informer cache keeps it, and
// its RawObject is memoised).
import { ListWatch, Watch, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node';
import { KIND_DEFINITIONS, KNOWN_KINDS } from '../model/crds';
import { parseLabelSelector } from '../config/labelselector';
import {
  KubeApiError, KubeClient, forbiddenMessage, kubeConnectionOf, statusMessage,
  type KubeConnection, type ResourceRef,
} from './kubernetes-client';
import type { KubernetesCRDProvider, KubernetesIngressProvider } from '../config/types';
import type { Logger } from '../xds/stream-context';
import type { Source } from './source';
import type { RawObject, SourceSnapshot } from './types';

export const TRAEFIK_GROUPS = ['traefik.io', 'traefik.containo.us'] as const;
const TRAEFIK_VERSION = 'v1alpha1';

/** One kind the source lists and watches. */
export interface WatchedKind {
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  /** The resource name in URLs and RBAC rules. */
  plural: string;
  apiVersion: string;
  clusterScoped: boolean;
  traefik: boolean;
  /** Server-side label selector for list and watch. */
  selector?: string;
  /** The providers that read this kind (their namespaces and throttleDuration apply). */
  providers: ProviderName[];
}

export type ProviderName = 'kubernetesCRD' | 'kubernetesIngress';

type KindOptions = Pick<KubernetesCRDProvider, 'labelSelector' | 'disableClusterScopeResources'>;

function validSelector(s: string): string | undefined {
  return s && Array.isArray(parseLabelSelector(s)) ? s : undefined;
}

/**
 * Every kind the source may watch with these options: with `crd`, the Traefik kinds of both groups (first) and
 * ConfigMaps; with `ingress`, Ingresses (its labelSelector applies to them only) and IngressClasses; with
 * either, Services, EndpointSlices, Secrets, and Nodes unless every configured provider disables cluster
 * scope resources.
 */
export function watchedKinds(crd: KindOptions | undefined, ingress?: KindOptions): WatchedKind[] {
  const out: WatchedKind[] = [];
  const configured: ProviderName[] = [...(crd ? ['kubernetesCRD' as const] : []), ...(ingress ? ['kubernetesIngress' as const] : [])];
  if (crd) {
    const selector = validSelector(crd.labelSelector);
    for (const group of TRAEFIK_GROUPS) {
      for (const kind of KNOWN_KINDS[group]) {
        out.push({
          kind, group, version: TRAEFIK_VERSION, plural: KIND_DEFINITIONS[kind].plural, apiVersion: `${group}/${TRAEFIK_VERSION}`,
          clusterScoped: false, traefik: true, selector, providers: ['kubernetesCRD'],
        });
      }
    }
  }
  const core = (kind: string, group: string, version: string, extra: Partial<WatchedKind> = {}): WatchedKind => ({
    kind, group, version, plural: KIND_DEFINITIONS[kind].plural, apiVersion: group ? `${group}/${version}` : version,
    clusterScoped: false, traefik: false, providers: configured, ...extra,
  });
  if (ingress) {
    out.push(core('Ingress', 'networking.k8s.io', 'v1', { selector: validSelector(ingress.labelSelector), providers: ['kubernetesIngress'] }));
    if (!ingress.disableClusterScopeResources) out.push(core('IngressClass', 'networking.k8s.io', 'v1', { clusterScoped: true, providers: ['kubernetesIngress'] }));
  }
  if (!configured.length) return out;
  out.push(core('Service', '', 'v1'));
  out.push(core('EndpointSlice', 'discovery.k8s.io', 'v1'));
  // Traefik's informer skips Helm release secrets (they are large and never referenced).
  out.push(core('Secret', '', 'v1', { selector: 'owner!=helm' }));
  // ConfigMaps hold ServersTransport CAs: a CRD matter.
  if (crd) out.push(core('ConfigMap', '', 'v1', { providers: ['kubernetesCRD'] }));
  const nodes = configured.filter((p) => !(p === 'kubernetesCRD' ? crd : ingress)!.disableClusterScopeResources);
  if (nodes.length) out.push(core('Node', '', 'v1', { clusterScoped: true, providers: nodes }));
  return out;
}

function collectionPath(k: WatchedKind, namespace: string | undefined): string {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return namespace && !k.clusterScoped ? `${base}/namespaces/${namespace}/${k.plural}` : `${base}/${k.plural}`;
}

type KubeObj = KubernetesObject & { metadata: NonNullable<KubernetesObject['metadata']> } & Record<string, unknown>;

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export interface KubernetesSourceOptions {
  /** providers.kubernetesCRD; at least one of `provider` and `ingress` is set. */
  provider?: KubernetesCRDProvider;
  /** providers.kubernetesIngress. */
  ingress?: KubernetesIngressProvider;
  log: Logger;
  /** A ready connection (tests, or a caller that built it); default: from the provider options and the environment. */
  connection?: KubeConnection;
  /** The environment for in-cluster detection (KUBERNETES_SERVICE_HOST/PORT, KUBECONFIG). */
  env?: NodeJS.ProcessEnv;
  /** Reconnection backoff (default 250 ms doubling to 30 s, with jitter). */
  backoff?: Backoff;
  /** How often API groups and kinds that are not installed are looked for again (default 30 s). */
  discoveryPollMs?: number;
  /** Items per list page (default 500). */
  pageSize?: number;
  /** Timeout of plain requests (lists, discovery), default 30 s. */
  requestTimeoutMs?: number;
}

/** Leading and trailing throttle: at most one call per `ms`, the last one never lost. */
export class Throttle {
  private last = -Infinity;
  private timer?: NodeJS.Timeout;

  constructor(private readonly fn: () => void, private readonly ms: number) {}

  call(): void {
    if (this.ms <= 0) return this.fn();
    if (this.timer) return;
    const wait = this.last + this.ms - Date.now();
    if (wait <= 0) {
      this.last = Date.now();
      this.fn();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.last = Date.now();
      this.fn();
    }, wait);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

interface Deps {
  client: KubeClient;
  log: Logger;
  backoff: Backoff;
  pageSize: number;
  closed: () => boolean;
  changed: () => void;
  /** The static configuration key the credentials come from, for messages (`providers.kubernetesCRD`). */
  configKey: string;
  /** The kind's resource disappeared (404): its CRD was deleted. */
  gone: (w: KindWatch) => void;
  /** The RawObject of an API object (the same one while the object is unchanged). */
  raw: (o: KubeObj, k: WatchedKind) => RawObject;
}

/** The objects of one watch as RawObjects sorted by namespace/name, and what changed since the last time. */
interface WatchObjects {
  raws: readonly RawObject[];
  added: RawObject[];
  removed: RawObject[];
  /** False when sorted anew (first time, or many changes at once as on a relist): added and removed are empty then. */
  exact: boolean;
}

/** Index of the first key not below `key` (code-unit order). */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Past this many changed objects between two snapshots, a watch's list is sorted anew rather than patched. */
const PATCH_LIMIT = 256;

/**
 * One informer: a client-node ListWatch for one kind in one namespace (or cluster-wide), restarted with
 * backoff after errors (client-node stops an informer on any error but 410).
 */
class KindWatch {
  readonly path: string;
  readonly ref: ResourceRef;
  private readonly lw: ListWatch<KubeObj>;
  private readonly controllers = new Set<AbortController>();
  private listed = false;
  private isSynced = false;
  private resolveSynced!: () => void;
  readonly synced: Promise<void>;
  private delay: number;
  private timer?: NodeJS.Timeout;
  private failedThisRun = false;
  private stopped = false;
  /** The error last logged at warn/error level (a streak of identical failures is logged once). */
  private lastLogged?: string;
  /** The objects sorted by key, as last taken (take()). */
  private sorted?: { keys: string[]; raws: RawObject[] };
  /** Objects added, updated or deleted since, by key; undefined when too many to patch the sorted list. */
  private changedKeys: Map<string, { namespace: string; name: string }> | undefined = new Map();

  constructor(readonly kind: WatchedKind, readonly namespace: string | undefined, private readonly d: Deps) {
    this.path = collectionPath(kind, namespace);
    this.ref = { group: kind.group, resource: kind.plural, namespace: kind.clusterScoped ? undefined : namespace };
    this.delay = d.backoff.initialMs;
    this.synced = new Promise((r) => (this.resolveSynced = r));
    const inner = new Watch(d.client.kubeConfig);
    // client-node's Watch, with bookmarks asked for and a server-side timeout as client-go sets one (the
    // watch is then resumed from the last resourceVersion, bookmarks keeping it recent).
    const watch = {
      watch: async (path: string, qp: Record<string, string | number | boolean | undefined>, cb: (phase: string, obj: any, w?: any) => void, done: (err: any) => void) => {
        if (this.stopped) return new AbortController(); // stopped while listing: no watch
        const ctrl = await inner.watch(path, { ...qp, allowWatchBookmarks: true, timeoutSeconds: 300 + Math.floor(Math.random() * 300) }, cb, done);
        if (this.stopped) ctrl.abort();
        else {
          this.controllers.add(ctrl);
          ctrl.signal.addEventListener('abort', () => this.controllers.delete(ctrl));
        }
        return ctrl;
      },
    } as unknown as Watch;
    this.lw = new ListWatch<KubeObj>(this.path, watch, () => this.list(), false, kind.selector);
    const changed = (o: KubeObj) => {
      this.noteChanged(o);
      if (this.isSynced) this.d.changed();
    };
    this.lw.on('add', changed);
    this.lw.on('update', changed);
    this.lw.on('delete', changed);
    this.lw.on('error', (err) => this.fail(err));
  }

  /** client-node's cache tells every object it adds, replaces or deletes (list, relist and watch alike). */
  private noteChanged(o: KubeObj): void {
    if (!this.changedKeys) return;
    if (this.changedKeys.size >= PATCH_LIMIT) {
      this.changedKeys = undefined;
      return;
    }
    const namespace = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    this.changedKeys.set(`${namespace}/${name}`, { namespace, name });
  }

  /**
   * The objects sorted by namespace/name, and what changed since the last call: the sorted list is patched
   * object by object (a binary search each), so one change among thousands costs no sort of thousands.
   */
  take(): WatchObjects {
    const changed = this.changedKeys;
    this.changedKeys = new Map();
    if (!this.sorted || !changed) {
      const list = this.lw.list().map((o) => ({ key: keyOf(o), raw: this.d.raw(o, this.kind) }));
      list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      this.sorted = { keys: list.map((x) => x.key), raws: list.map((x) => x.raw) };
      return { raws: this.sorted.raws, added: [], removed: [], exact: false };
    }
    const { keys, raws } = this.sorted;
    const added: RawObject[] = [];
    const removed: RawObject[] = [];
    for (const [key, { namespace, name }] of changed) {
      const o = this.lw.get(name, namespace);
      const now = o ? this.d.raw(o, this.kind) : undefined;
      const i = lowerBound(keys, key);
      const was = keys[i] === key ? raws[i] : undefined;
      if (was === now) continue;
      if (was) removed.push(was);
      if (now) added.push(now);
      if (was && now) raws[i] = now;
      else if (was) {
        keys.splice(i, 1);
        raws.splice(i, 1);
      } else {
        keys.splice(i, 0, key);
        raws.splice(i, 0, now!);
      }
    }
    return { raws, added, removed, exact: true };
  }

  get(namespace: string | undefined, name: string): KubeObj | undefined {
    return this.lw.get(name, this.kind.clusterScoped ? undefined : namespace);
  }

  start(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.stopped || this.d.closed()) return;
    this.failedThisRun = false;
    try {
      await this.lw.start();
    } catch (e) {
      this.fail(e);
    }
    if (this.stopped) return;
    if (this.listed && !this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
    if (!this.failedThisRun) {
      if (this.lastLogged) this.d.log.info('Kubernetes API: watching again', { resource: this.describe() });
      this.lastLogged = undefined;
      this.delay = this.d.backoff.initialMs;
    }
  }

  /** One full list, page by page, as the API's raw JSON. */
  private async list(): Promise<KubernetesListObject<KubeObj>> {
    const items: KubeObj[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      if (this.stopped) throw new KubeApiError('stopped', undefined, 'list', this.ref);
      const res = await this.d.client.request('GET', this.path, {
        query: { labelSelector: this.kind.selector, limit: String(this.d.pageSize), continue: cont },
      }).catch((e: Error) => {
        throw new KubeApiError(e.message, undefined, 'list', this.ref);
      });
      if (res.statusCode !== 200) {
        throw new KubeApiError(statusMessage(res), res.statusCode, 'list', this.ref, res.body?.reason);
      }
      const body = res.body ?? {};
      for (const it of (body.items ?? []) as KubeObj[]) {
        // List items of built-in kinds carry no apiVersion/kind; watch events do.
        it.apiVersion = this.kind.apiVersion;
        it.kind = this.kind.kind;
        items.push(it);
      }
      resourceVersion = body.metadata?.resourceVersion ?? resourceVersion;
      cont = body.metadata?.continue || undefined;
    } while (cont);
    this.listed = true;
    return { apiVersion: this.kind.apiVersion, kind: `${this.kind.kind}List`, metadata: { resourceVersion }, items };
  }

  private describe(): string {
    const g = this.kind.group ? `${this.kind.plural}.${this.kind.group}` : this.kind.plural;
    return this.ref.namespace ? `${g} in namespace ${this.ref.namespace}` : g;
  }

  private fail(err: any): void {
    if (this.stopped || this.d.closed()) return;
    this.failedThisRun = true;
    const status: number | undefined = err?.statusCode ?? err?.code;
    const verb = err instanceof KubeApiError ? err.verb : 'watch';
    if (status === 404 && this.kind.traefik) {
      this.d.gone(this);
      return;
    }
    let msg: string;
    let level: 'error' | 'warn' = 'warn';
    if (status === 403) {
      msg = forbiddenMessage(verb, this.ref);
      level = 'error';
    } else if (status === 401) {
      msg = `Kubernetes API: unauthorized (401) to ${verb} ${this.describe()}: check the token (${this.d.configKey}.token or the service account)`;
      level = 'error';
    } else {
      msg = `Kubernetes API: cannot ${verb} ${this.describe()}: ${err?.message ?? String(err)}${this.isSynced ? '; the last good snapshot keeps serving' : ''}`;
    }
    const delay = Math.round(this.delay * (0.8 + Math.random() * 0.4));
    if (msg !== this.lastLogged) {
      this.d.log[level](msg, { retryInMs: delay });
      this.lastLogged = msg;
    } else {
      this.d.log.debug(msg, { retryInMs: delay });
    }
    this.delay = Math.min(this.delay * 2, this.d.backoff.maxMs);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.lw.stop();
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }
}

/** `kind` → the set of resources a group/version serves, or undefined when the group/version is not installed. */
async function discover(client: KubeClient, group: string, version: string): Promise<Set<string> | undefined> {
  const res = await client.request('GET', `/apis/${group}/${version}`);
  if (res.statusCode === 404) return undefined;
  if (res.statusCode !== 200) {
    throw new KubeApiError(`discovery of ${group}/${version}: ${statusMessage(res)}`, res.statusCode, 'get', { group, resource: '' });
  }
  return new Set(((res.body?.resources ?? []) as { name: string }[]).map((r) => r.name).filter((n) => !n.includes('/')));
}

export class KubernetesSource implements Source {
  readonly connection: KubeConnection;
  readonly client: KubeClient;
  private readonly kinds: WatchedKind[];
  /** Per provider: its namespaces (empty: all). */
  private readonly namespacesOf: Map<ProviderName, string[]>;
  /** Where the credentials come from (`providers.kubernetesCRD` or `providers.kubernetesIngress`). */
  private readonly configKey: string;
  private watches: KindWatch[] = [];
  /** Traefik kinds whose CRD is not installed: looked for again every discoveryPollMs. */
  private readonly absent = new Set<WatchedKind>();
  private closed = false;
  private isSynced = false;
  private dirty = true;
  private cached?: SourceSnapshot;
  /** The watches the cached snapshot was taken from. */
  private cachedWatches: KindWatch[] = [];
  private generation = 0;
  private readonly raws = new WeakMap<object, RawObject>();
  private readonly throttles = new Map<ProviderName, Throttle>();
  private pollTimer?: NodeJS.Timeout;
  private discoveryDelay: number;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  /** Resolves on close(), so that a start() still waiting for the API server returns. */
  private readonly closing: Promise<void>;
  private markClosed!: () => void;

  constructor(private readonly o: KubernetesSourceOptions) {
    if (!o.provider && !o.ingress) throw new Error('KubernetesSource: neither providers.kubernetesCRD nor providers.kubernetesIngress is set');
    this.log = o.log;
    this.configKey = o.provider ? 'providers.kubernetesCRD' : 'providers.kubernetesIngress';
    this.connection = o.connection ?? kubeConnectionOf(connectionOptionsOf(o.provider, o.ingress, o.log), o.env ?? process.env, undefined, this.configKey);
    this.client = new KubeClient(this.connection.kubeConfig, o.requestTimeoutMs);
    this.kinds = watchedKinds(o.provider, o.ingress);
    this.namespacesOf = new Map();
    if (o.provider) this.namespacesOf.set('kubernetesCRD', o.provider.namespaces);
    if (o.ingress) this.namespacesOf.set('kubernetesIngress', o.ingress.namespaces);
    this.backoff = o.backoff ?? { initialMs: 250, maxMs: 30_000 };
    this.discoveryDelay = this.backoff.initialMs;
    this.closing = new Promise((r) => (this.markClosed = r));
  }

  /** Every kind the source may watch (the RBAC manifest is checked against it). */
  watchedKinds(): WatchedKind[] {
    return this.kinds;
  }

  /**
   * The namespaces of one kind's informers (undefined: all): the union of those of the providers reading it,
   * all when one of them watches all.
   */
  private namespacesFor(k: WatchedKind): (string | undefined)[] {
    if (k.clusterScoped) return [undefined];
    const lists = k.providers.map((p) => this.namespacesOf.get(p) ?? []);
    if (!lists.length || lists.some((l) => l.length === 0)) return [undefined];
    return [...new Set(lists.flat())].sort();
  }

  /** Discovers the installed Traefik groups, starts every informer and resolves once each one has listed. */
  async start(onChange: () => void): Promise<void> {
    if (this.o.provider) this.throttles.set('kubernetesCRD', new Throttle(onChange, this.o.provider.throttleDuration));
    if (this.o.ingress) this.throttles.set('kubernetesIngress', new Throttle(onChange, this.o.ingress.throttleDuration));
    const nsInfo = (l: string[] | undefined) => (l === undefined ? undefined : l.length ? l : 'all');
    this.log.info('Kubernetes API: connecting', {
      server: this.connection.server, config: this.connection.origin,
      ...(this.o.provider ? {
        namespaces: nsInfo(this.o.provider.namespaces),
        labelSelector: this.o.provider.labelSelector || undefined,
      } : {}),
      ...(this.o.ingress ? {
        ingressNamespaces: nsInfo(this.o.ingress.namespaces),
        ingressLabelSelector: this.o.ingress.labelSelector || undefined,
      } : {}),
    });
    const present = await this.discoverUntilAnswered();
    if (this.closed) return;
    for (const k of this.kinds) {
      if (k.traefik && !present.has(k)) this.absent.add(k);
      else this.startKind(k);
    }
    this.logAbsent(present);
    await Promise.race([Promise.all(this.watches.map((w) => w.synced)), this.closing]);
    if (this.closed) return;
    this.isSynced = true;
    this.dirty = true;
    this.log.info('Kubernetes API: synced', { objects: this.snapshot().objects.length, informers: this.watches.length });
    this.schedulePoll();
  }

  private startKind(k: WatchedKind): KindWatch[] {
    const started: KindWatch[] = [];
    for (const ns of this.namespacesFor(k)) {
      const w = new KindWatch(k, ns, {
        client: this.client, log: this.log, backoff: this.backoff, pageSize: this.o.pageSize ?? 500,
        closed: () => this.closed, configKey: this.configKey,
        changed: () => this.changed(k),
        gone: (g) => void this.kindGone(g),
        raw: (o, kind) => this.rawOf(o, kind),
      });
      this.watches.push(w);
      started.push(w);
      w.start();
    }
    return started;
  }

  /** Which Traefik kinds are installed; retried with backoff while the API server does not answer. */
  private async discoverUntilAnswered(): Promise<Set<WatchedKind>> {
    for (;;) {
      try {
        return await this.discoverTraefik(this.kinds.filter((k) => k.traefik));
      } catch (e) {
        if (this.closed) return new Set();
        const err = e as KubeApiError;
        const delay = this.discoveryDelay;
        if (err.statusCode === 401) {
          this.log.error(`Kubernetes API: unauthorized (401) at ${this.connection.server}: check the token (${this.configKey}.token or the service account)`, { retryInMs: delay });
        } else if (err.statusCode === 403) {
          this.log.error(`Kubernetes API: forbidden (403): ${err.message}; API discovery (GET /apis/...) is allowed to every authenticated user by the default system:discovery role`, { retryInMs: delay });
        } else {
          this.log.warn(`Kubernetes API: cannot reach ${this.connection.server}: ${err.message}`, { retryInMs: delay });
        }
        this.discoveryDelay = Math.min(this.discoveryDelay * 2, this.backoff.maxMs);
        await Promise.race([new Promise((r) => {
          this.pollTimer = setTimeout(r, delay);
        }), this.closing]);
        if (this.closed) return new Set();
      }
    }
  }

  private async discoverTraefik(kinds: WatchedKind[]): Promise<Set<WatchedKind>> {
    const out = new Set<WatchedKind>();
    for (const group of TRAEFIK_GROUPS) {
      const wanted = kinds.filter((k) => k.group === group);
      if (!wanted.length) continue;
      const served = await discover(this.client, group, TRAEFIK_VERSION).catch((e: Error) => {
        throw e instanceof KubeApiError ? e : new KubeApiError(e.message, undefined, 'get', { group, resource: '' });
      });
      for (const k of wanted) if (served?.has(k.plural)) out.add(k);
    }
    this.discoveryDelay = this.backoff.initialMs;
    return out;
  }

  private logAbsent(present: Set<WatchedKind>): void {
    for (const group of TRAEFIK_GROUPS) {
      const missing = this.kinds.filter((k) => k.group === group && this.absent.has(k));
      if (!missing.length) continue;
      const any = this.kinds.some((k) => k.group === group && present.has(k));
      if (!any) {
        this.log.info(`Kubernetes API: API group ${group}/${TRAEFIK_VERSION} is not installed (no CRDs): skipped; it is picked up when its CRDs are applied (kubectl apply -f k8s/crds/)`);
      } else {
        this.log.info(`Kubernetes API: ${missing.map((k) => k.kind).join(', ')} of ${group}/${TRAEFIK_VERSION} not installed: skipped until their CRDs are applied`);
      }
    }
  }

  private schedulePoll(): void {
    if (this.closed) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.poll(), this.o.discoveryPollMs ?? 30_000);
    this.pollTimer.unref?.();
  }

  /** Looks for CRDs that were not installed; starts their informers when they appear. */
  private async poll(): Promise<void> {
    if (this.closed) return;
    if (this.absent.size) {
      try {
        const found = await this.discoverTraefik([...this.absent]);
        if (this.closed) return;
        for (const k of found) {
          this.absent.delete(k);
          const ws = this.startKind(k);
          this.log.info(`Kubernetes API: ${k.kind} (${k.apiVersion}) is installed now: watching it`);
          void Promise.all(ws.map((w) => w.synced)).then(() => this.changed(k));
        }
      } catch (e) {
        this.log.debug(`Kubernetes API: discovery failed: ${(e as Error).message}`);
      }
    }
    this.schedulePoll();
  }

  /** A kind's resource answered 404: its CRD was deleted. Its objects go; it is looked for again. */
  private async kindGone(w: KindWatch): Promise<void> {
    const same = this.watches.filter((x) => x.kind === w.kind);
    if (!same.length || this.closed) return;
    this.watches = this.watches.filter((x) => x.kind !== w.kind);
    this.absent.add(w.kind);
    this.log.info(`Kubernetes API: ${w.kind.kind} (${w.kind.apiVersion}) is not served any more (its CRD was deleted?): dropped until it is installed again`);
    await Promise.all(same.map((x) => x.stop()));
    this.changed(w.kind);
  }

  /** A kind changed: every provider reading it is told, each through its own throttle. */
  private changed(k: WatchedKind): void {
    this.dirty = true;
    if (!this.isSynced || this.closed) return;
    for (const p of k.providers) this.throttles.get(p)?.call();
  }

  synced(): boolean {
    return this.isSynced;
  }

  snapshot(): SourceSnapshot {
    if (!this.dirty && this.cached) return this.cached;
    const added: RawObject[] = [];
    const removed: RawObject[] = [];
    const prev = this.cached;
    let exact = prev !== undefined && this.watches.length === this.cachedWatches.length && this.watches.every((w, i) => w === this.cachedWatches[i]);
    const lists: (readonly RawObject[])[] = [];
    for (const w of this.watches) {
      const t = w.take();
      exact &&= t.exact;
      lists.push(t.raws);
      for (const r of t.added) added.push(r);
      for (const r of t.removed) removed.push(r);
    }
    // concat copies each list at once (a push per object cost about 1 ms for 40,000 objects).
    const objects = ([] as RawObject[]).concat(...lists);
    const generation = ++this.generation;
    this.cached = { objects, problems: [], generation };
    if (exact && prev?.generation !== undefined) this.cached.changes = { since: prev.generation, added, removed };
    this.cachedWatches = [...this.watches];
    this.dirty = false;
    return this.cached;
  }

  private rawOf(o: KubeObj, k: WatchedKind): RawObject {
    let raw = this.raws.get(o);
    if (!raw) {
      const body: Record<string, unknown> = { ...o, apiVersion: k.apiVersion, kind: k.kind };
      raw = { apiVersion: k.apiVersion, kind: k.kind, metadata: o.metadata as RawObject['metadata'], body };
      this.raws.set(o, raw);
    }
    return raw;
  }

  /**
   * The API object behind a diagnostic (for Events): traefik.io wins over traefik.containo.us, as in the model.
   * Undefined for objects this source does not hold.
   */
  objectFor(kind: string, namespace: string | undefined, name: string): KubeObj | undefined {
    let found: KubeObj | undefined;
    for (const w of this.watches) {
      if (w.kind.kind !== kind) continue;
      if (!w.kind.clusterScoped && w.namespace !== undefined && w.namespace !== (namespace || 'default')) continue;
      const o = w.get(namespace || 'default', name);
      if (!o) continue;
      if (!found || w.kind.group === 'traefik.io') found = o;
    }
    return found;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.markClosed();
    for (const t of this.throttles.values()) t.cancel();
    clearTimeout(this.pollTimer);
    await Promise.all(this.watches.map((w) => w.stop()));
  }
}

function keyOf(o: KubeObj): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/**
 * One connection for both providers: each option from kubernetesCRD when set there, else from
 * kubernetesIngress (Traefik runs one client per provider; a difference is said once).
 */
function connectionOptionsOf(crd: KubernetesCRDProvider | undefined, ing: KubernetesIngressProvider | undefined, log: Logger): Pick<KubernetesCRDProvider, 'endpoint' | 'token' | 'certAuthFilePath'> {
  const keys = ['endpoint', 'token', 'certAuthFilePath'] as const;
  const out = { endpoint: '', token: '', certAuthFilePath: '' };
  for (const k of keys) {
    out[k] = crd?.[k] || ing?.[k] || '';
    if (crd?.[k] && ing?.[k] && crd[k] !== ing[k]) {
      log.warn(`providers.kubernetesIngress.${k} differs from providers.kubernetesCRD.${k}: traefik-xds uses one connection for both providers, with kubernetesCRD's ${k}`);
    }
  }
  return out;
}

/**
 * `serve`: the source for providers.kubernetesCRD and/or providers.kubernetesIngress (throws KubeConfigError
 * when no API server is configured).
 */
export function createKubernetesSource(provider: KubernetesCRDProvider | undefined, log: Logger, env: NodeJS.ProcessEnv = process.env, ingress?: KubernetesIngressProvider): KubernetesSource {
  return new KubernetesSource({ provider, ingress, log, env });
}
