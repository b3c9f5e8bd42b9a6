// A Kubernetes API server for the tests, on 127.0.0.1 over plain HTTP, that speaks what informers use:
// discovery (`/apis/<group>/<version>`), paginated lists with a resourceVersion, streaming watches (one JSON
// event a line, ADDED / MODIFIED / DELETED / BOOKMARK / ERROR) resumed from a resourceVersion, label selectors
// (with the ADDED / DELETED transitions a selector causes), 410 Gone for compacted history (as an ERROR event or
// as an HTTP status), RBAC refusals (403 with the API server's wording), bearer-token checks, and the
// create / get / update / merge-patch that Events and Leases need (409 on name or resourceVersion conflicts),
// and PUT on a `status` subresource (only `status` changes; Ingress status writes).
// Tests drive it directly: put / remove objects, drop watch connections, compact history, stop and restart.
import * as http from 'node:http';
import * as crypto from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { matchLabelSelector, parseLabelSelector } from '../../src/config/labelselector';

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const TRAEFIK_KINDS: [string, string][] = [
  ['IngressRoute', 'ingressroutes'], ['IngressRouteTCP', 'ingressroutetcps'], ['IngressRouteUDP', 'ingressrouteudps'],
  ['Middleware', 'middlewares'], ['MiddlewareTCP', 'middlewaretcps'], ['TraefikService', 'traefikservices'],
  ['ServersTransport', 'serverstransports'], ['ServersTransportTCP', 'serverstransporttcps'], ['TLSOption', 'tlsoptions'], ['TLSStore', 'tlsstores'],
];

export const RESOURCES: ResourceDef[] = [
  ...TRAEFIK_KINDS.map(([kind, plural]) => ({ group: 'traefik.io', version: 'v1alpha1', plural, kind, namespaced: true })),
  ...TRAEFIK_KINDS.filter(([k]) => k !== 'ServersTransportTCP').map(([kind, plural]) => ({ group: 'traefik.containo.us', version: 'v1alpha1', plural, kind, namespaced: true })),
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints', namespaced: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses', kind: 'IngressClass', namespaced: false },
];

export type Obj = Record<string, any> & { metadata: Record<string, any> };

interface HistoryEntry {
  rv: number;
  res: ResourceDef;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: Obj;
  prev?: Obj;
}

interface ActiveWatch {
  res: ResourceDef;
  namespace?: string;
  selector?: (labels: Record<string, string>) => boolean;
  bookmarks: boolean;
  resp: http.ServerResponse;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  verb: string;
  status: number;
  body?: any;
}

export interface ForbidRule {
  verb?: string;
  resource: string;
  namespace?: string;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function apiVersionOf(r: ResourceDef): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export interface FakeApiServerOptions {
  /** Traefik API groups whose CRDs are installed (default both). */
  groups?: string[];
  /** Bearer token every request must carry (401 otherwise); undefined: no check. */
  token?: string;
  /** 410 for compacted history as an ERROR watch event (the API server's way, default) or as an HTTP status. */
  goneAs?: 'event' | 'http';
}

export class FakeApiServer {
  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly store = new Map<ResourceDef, Map<string, Obj>>();
  private history: HistoryEntry[] = [];
  private compactedRv = 0;
  private rv = 100;
  private readonly watches = new Set<ActiveWatch>();
  readonly groups: Set<string>;
  readonly requests: RequestRecord[] = [];
  forbidden: ForbidRule[] = [];
  /** Milliseconds to hold list answers of a resource plural (startup tests). */
  listDelay = new Map<string, number>();
  port = 0;
  token?: string;
  goneAs: 'event' | 'http';

  private constructor(o: FakeApiServerOptions) {
    this.groups = new Set(o.groups ?? ['traefik.io', 'traefik.containo.us']);
    this.token = o.token;
    this.goneAs = o.goneAs ?? 'event';
    for (const r of RESOURCES) this.store.set(r, new Map());
    this.server = this.makeServer();
  }

  static async start(o: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(o);
    await s.listen(0);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private makeServer(): http.Server {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  // ------------------------------------------------------------------------------------------------ test controls

  resource(apiVersion: string, kind: string): ResourceDef {
    const r = RESOURCES.find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
    if (!r) throw new Error(`fake API server: no resource for ${apiVersion} ${kind}`);
    return r;
  }

  /** Creates or replaces an object (as `kubectl apply` would), recording the watch event. */
  put(obj: Obj, o: { statusOnly?: boolean } = {}): Obj {
    const r = this.resource(obj.apiVersion, obj.kind);
    const ns = r.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
    const key = `${ns ?? ''}/${obj.metadata.name}`;
    const prev = this.store.get(r)!.get(key);
    const next = clone(obj);
    next.metadata = { ...next.metadata, ...(ns ? { namespace: ns } : {}) };
    next.metadata.uid = prev?.metadata.uid ?? crypto.randomUUID();
    next.metadata.creationTimestamp = prev?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    next.metadata.resourceVersion = String(++this.rv);
    // A status write leaves metadata.generation alone, as the API server does.
    next.metadata.generation = (prev?.metadata.generation ?? 0) + (o.statusOnly && prev ? 0 : 1);
    this.store.get(r)!.set(key, next);
    this.record({ rv: this.rv, res: r, type: prev ? 'MODIFIED' : 'ADDED', obj: next, prev });
    return next;
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean {
    const r = this.resource(apiVersion, kind);
    const key = `${r.namespaced ? namespace ?? 'default' : ''}/${name}`;
    const prev = this.store.get(r)!.get(key);
    if (!prev) return false;
    this.store.get(r)!.delete(key);
    const gone = clone(prev);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, res: r, type: 'DELETED', obj: gone, prev });
    return true;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Obj | undefined {
    const r = this.resource(apiVersion, kind);
    return this.store.get(r)!.get(`${r.namespaced ? namespace ?? 'default' : ''}/${name}`);
  }

  list(apiVersion: string, kind: string, namespace?: string): Obj[] {
    const r = this.resource(apiVersion, kind);
    return [...this.store.get(r)!.values()].filter((o) => !namespace || o.metadata.namespace === namespace);
  }

  /** Installs a Traefik API group (its CRDs): discovery and its resources answer from now on. */
  install(group: string): void {
    this.groups.add(group);
  }

  /** Ends every open watch connection abruptly (the socket is destroyed mid-stream). */
  dropWatches(): void {
    for (const w of this.watches) w.resp.socket?.destroy();
    this.watches.clear();
  }

  /** Forgets history up to now: a watch resumed from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  /** Sends a 410 Gone ERROR event to every open watch and closes it (the "too old resource version" mid-stream). */
  expireWatches(): void {
    this.compact();
    for (const w of this.watches) {
      this.send(w, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${this.compactedRv - 1} (${this.compactedRv})`) });
      w.resp.end();
    }
    this.watches.clear();
  }

  /** A BOOKMARK with the current resourceVersion on every watch that asked for bookmarks. */
  bookmark(): number {
    let n = 0;
    for (const w of this.watches) {
      if (!w.bookmarks) continue;
      this.send(w, { type: 'BOOKMARK', object: { kind: w.res.kind, apiVersion: apiVersionOf(w.res), metadata: { resourceVersion: String(this.rv) } } });
      n++;
    }
    return n;
  }

  openWatches(plural?: string): number {
    return [...this.watches].filter((w) => !plural || w.res.plural === plural).length;
  }

  /** Stops answering: closes the listener and every connection; the data is kept. */
  async stop(): Promise<void> {
    this.watches.clear();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Listens again on the same port with the same data. */
  async restart(): Promise<void> {
    this.server = this.makeServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.stop();
  }

  // ------------------------------------------------------------------------------------------------ protocol

  private record(e: HistoryEntry): void {
    this.history.push(e);
    for (const w of this.watches) if (w.res === e.res) this.deliver(w, e);
  }

  private deliver(w: ActiveWatch, e: HistoryEntry): void {
    if (w.namespace && e.obj.metadata.namespace !== w.namespace) return;
    const sel = w.selector ?? (() => true);
    const now = e.type !== 'DELETED' && sel(e.obj.metadata.labels ?? {});
    const before = e.prev !== undefined && sel(e.prev.metadata.labels ?? {});
    let type: string | undefined;
    if (e.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (e.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) type = 'DELETED';
    if (type) this.send(w, { type, object: e.obj });
  }

  private send(w: ActiveWatch, ev: unknown): void {
    if (!w.resp.writableEnded) w.resp.write(JSON.stringify(ev) + '\n');
  }

  private reply(res: http.ServerResponse, rec: RequestRecord, code: number, body: unknown): void {
    rec.status = code;
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, text: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    const rec: RequestRecord = { method, path: url.pathname, query, verb: '', status: 0 };
    this.requests.push(rec);
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
      return this.reply(res, rec, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const parts = url.pathname.split('/').filter(Boolean);
    // Discovery.
    if (method === 'GET' && parts[0] === 'apis' && parts.length === 3) {
      const [, group, version] = parts;
      if ((group.startsWith('traefik.') && !this.groups.has(group)) || !RESOURCES.some((r) => r.group === group && r.version === version)) {
        return this.reply(res, rec, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      }
      return this.reply(res, rec, 200, {
        kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`,
        resources: RESOURCES.filter((r) => r.group === group && r.version === version).flatMap((r) => [
          { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
          { name: `${r.plural}/status`, namespaced: r.namespaced, kind: r.kind, verbs: ['get'] },
        ]),
      });
    }
    // /api/v1/... or /apis/<g>/<v>/...
    let group = '';
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else {
      return this.reply(res, rec, 404, status(404, 'NotFound', 'not found'));
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, sub] = rest;
    const r = RESOURCES.find((x) => x.group === group && x.version === version && x.plural === plural);
    if (!r || (group.startsWith('traefik.') && !this.groups.has(group))) {
      return this.reply(res, rec, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const verb = method === 'GET' ? (name ? 'get' : query.watch === 'true' || query.watch === '1' ? 'watch' : 'list')
      : method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? 'delete' : method.toLowerCase();
    rec.verb = verb;
    const resource = sub ? `${plural}/${sub}` : plural;
    const denied = this.forbidden.find((f) => f.resource === resource && (!f.verb || f.verb === verb) && (!f.namespace || f.namespace === namespace));
    if (denied) {
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      return this.reply(res, rec, 403, {
        ...status(403, 'Forbidden', `${plural}${group ? `.${group}` : ''}${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:traefik-xds:traefik-xds" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`),
        details: { name, group, kind: plural },
      });
    }
    let body: any;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return this.reply(res, rec, 400, status(400, 'BadRequest', 'invalid JSON'));
      }
      rec.body = body;
    }
    const items = this.store.get(r)!;
    const key = (n: string) => `${r.namespaced ? namespace ?? '' : ''}/${n}`;
    if (sub) {
      // A subresource: only `status`, and only get and update (what a status writer uses).
      const o = items.get(key(name));
      if (sub !== 'status' || (verb !== 'get' && verb !== 'update')) return this.reply(res, rec, 405, status(405, 'MethodNotAllowed', 'method not allowed'));
      if (!o) return this.reply(res, rec, 404, status(404, 'NotFound', `${plural} "${name}" not found`));
      if (verb === 'get') return this.reply(res, rec, 200, o);
      const want = body?.metadata?.resourceVersion;
      if (want && want !== o.metadata.resourceVersion) {
        return this.reply(res, rec, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${plural}${group ? `.${group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`));
      }
      const next = clone(o);
      if (body?.status === undefined) delete next.status;
      else next.status = body.status;
      return this.reply(res, rec, 200, this.put(next, { statusOnly: true }));
    }
    switch (verb) {
      case 'list':
        return this.doList(r, namespace, query, res, rec);
      case 'watch':
        return this.doWatch(r, namespace, query, res, rec);
      case 'get': {
        const o = items.get(key(name));
        if (!o) return this.reply(res, rec, 404, status(404, 'NotFound', `${plural} "${name}" not found`));
        return this.reply(res, rec, 200, o);
      }
      case 'create': {
        const n = body?.metadata?.name;
        if (!n) return this.reply(res, rec, 422, status(422, 'Invalid', 'metadata.name: Required value'));
        if (items.has(key(n))) return this.reply(res, rec, 409, status(409, 'AlreadyExists', `${plural} "${n}" already exists`));
        return this.reply(res, rec, 201, this.put({ ...body, apiVersion: apiVersionOf(r), kind: r.kind, metadata: { ...body.metadata, namespace } }));
      }
      case 'update': {
        const o = items.get(key(name));
        if (!o) return this.reply(res, rec, 404, status(404, 'NotFound', `${plural} "${name}" not found`));
        const want = body?.metadata?.resourceVersion;
        if (want && want !== o.metadata.resourceVersion) {
          return this.reply(res, rec, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`));
        }
        return this.reply(res, rec, 200, this.put({ ...body, apiVersion: apiVersionOf(r), kind: r.kind, metadata: { ...body.metadata, name, namespace } }));
      }
      case 'patch': {
        const o = items.get(key(name));
        if (!o) return this.reply(res, rec, 404, status(404, 'NotFound', `${plural} "${name}" not found`));
        return this.reply(res, rec, 200, this.put(mergePatch(o, body ?? {})));
      }
      case 'delete': {
        const o = items.get(key(name));
        if (!o || !this.remove(apiVersionOf(r), r.kind, namespace, name)) return this.reply(res, rec, 404, status(404, 'NotFound', `${plural} "${name}" not found`));
        return this.reply(res, rec, 200, o);
      }
      default:
        return this.reply(res, rec, 405, status(405, 'MethodNotAllowed', 'method not allowed'));
    }
  }

  private selectorOf(query: Record<string, string>): ((labels: Record<string, string>) => boolean) | { error: string } | undefined {
    if (!query.labelSelector) return undefined;
    const reqs = parseLabelSelector(query.labelSelector);
    if (!Array.isArray(reqs)) return reqs;
    return (labels) => matchLabelSelector(reqs, labels);
  }

  private doList(r: ResourceDef, namespace: string | undefined, query: Record<string, string>, res: http.ServerResponse, rec: RequestRecord): void {
    const sel = this.selectorOf(query);
    if (sel && 'error' in sel) return this.reply(res, rec, 400, status(400, 'BadRequest', `unable to parse requirement: ${sel.error}`));
    const all = [...this.store.get(r)!.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map((e) => e[1])
      .filter((o) => (!namespace || o.metadata.namespace === namespace) && (!sel || sel(o.metadata.labels ?? {})));
    const limit = Number(query.limit) || 0;
    let start = 0;
    let listRv = String(this.rv);
    if (query.continue) {
      const c = JSON.parse(Buffer.from(query.continue, 'base64').toString('utf8')) as { start: number; rv: string };
      start = c.start;
      listRv = c.rv;
    }
    const page = limit ? all.slice(start, start + limit) : all.slice(start);
    const more = limit > 0 && start + limit < all.length;
    // Items of built-in kinds come without apiVersion/kind in lists, as from a real API server.
    const items = page.map((o) => {
      const c = clone(o);
      if (!r.group.startsWith('traefik.')) {
        delete c.apiVersion;
        delete c.kind;
      }
      return c;
    });
    const body = {
      kind: `${r.kind}List`, apiVersion: apiVersionOf(r),
      metadata: { resourceVersion: listRv, ...(more ? { continue: Buffer.from(JSON.stringify({ start: start + limit, rv: listRv })).toString('base64') } : {}) },
      items,
    };
    const delay = this.listDelay.get(r.plural);
    if (delay) setTimeout(() => this.reply(res, rec, 200, body), delay);
    else this.reply(res, rec, 200, body);
  }

  private doWatch(r: ResourceDef, namespace: string | undefined, query: Record<string, string>, res: http.ServerResponse, rec: RequestRecord): void {
    const sel = this.selectorOf(query);
    if (sel && 'error' in sel) return this.reply(res, rec, 400, status(400, 'BadRequest', `unable to parse requirement: ${sel.error}`));
    const from = query.resourceVersion ? Number(query.resourceVersion) : undefined;
    if (from !== undefined && from !== 0 && from < this.compactedRv && this.goneAs === 'http') {
      return this.reply(res, rec, 410, status(410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`));
    }
    rec.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: ActiveWatch = { res: r, namespace, selector: sel, bookmarks: query.allowWatchBookmarks === 'true', resp: res };
    if (from !== undefined && from !== 0 && from < this.compactedRv) {
      this.send(w, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`) });
      res.end();
      return;
    }
    if (from === undefined || from === 0) {
      for (const o of this.store.get(r)!.values()) this.deliver(w, { rv: 0, res: r, type: 'ADDED', obj: o });
    } else {
      for (const e of this.history) if (e.res === r && e.rv > from) this.deliver(w, e);
    }
    this.watches.add(w);
    // (not req 'close': that fires once the request body is read.)
    res.on('close', () => this.watches.delete(w));
  }
}
