// The dashboard's JSON API: the serve loop's state (model, diagnostics, snapshots, clients) reshaped into
// lists and detail pages of routers, services, middlewares, TLS options and transports, each with its source
// object (YAML), its diagnostics and the Envoy resources generated from it. Read-only, and secret-free:
// Secret objects are never shown, SDS secrets and inline credentials are redacted, and every answer is
// scrubbed of PEM private keys (admin/redact.ts).
import type * as http from 'node:http';
import { stringify } from 'yaml';
import { redactSecrets } from '../cli/output';
import { scrubDeep } from './redact';
import { snapshotResources, type Snapshot } from '../xds/snapshot';
import { actionUpstreams, type HttpRouter, type Model, type ServiceNode, type TcpRouter, type UdpRouter } from '../model/model';
import { formatPos, type Diagnostic } from '../model/diagnostics';
import { requestPathSvg } from './dashboard-svg';
import type { Controller } from '../serve/controller';
import type { SnapshotCache } from '../xds/cache';
import type { ClientRegistry } from '../xds/clients';
import type { Source } from '../sources/source';
import type { RawObject } from '../sources/types';
import type { EnvoyResources } from '../envoy/resources';

export interface ApiDeps {
  controller: Controller;
  cache: SnapshotCache;
  registry: ClientRegistry;
  source: Source;
}

export type Health = 'ok' | 'warning' | 'error';
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
type Json = Record<string, any>;

export interface ObjRef {
  kind: string;
  namespace: string;
  name: string;
}

/** A source object as the page shows it: YAML (never a Secret's), and where it was written. */
export interface SourceView extends ObjRef {
  file?: string;
  yaml?: string;
}

export interface EnvoyRef {
  /** listeners, routes (route configurations), clusters, endpoints, secrets. */
  type: string;
  name: string;
  /** For a route entry: its route configuration and virtual host. */
  routeConfig?: string;
  virtualHost?: string;
  domains?: string[];
  resource: unknown;
}

export interface ListItem {
  id: string;
  name: string;
  status: Health;
  [k: string]: unknown;
}

const ROUTER_KINDS: Record<string, 'http' | 'tcp' | 'udp'> = { IngressRoute: 'http', IngressRouteTCP: 'tcp', IngressRouteUDP: 'udp' };

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(scrubDeep(body), null, 2) + '\n');
}

function worst(ds: Diagnostic[]): Health {
  if (ds.some((d) => d.severity === 'error')) return 'error';
  if (ds.some((d) => d.severity === 'warning')) return 'warning';
  return 'ok';
}

function maxHealth(...hs: Health[]): Health {
  return hs.includes('error') ? 'error' : hs.includes('warning') ? 'warning' : 'ok';
}

function refKey(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace || 'default'}/${name ?? ''}`;
}

/** The request's state: computed once per request from the controller's current model and snapshots. */
export class ApiView {
  readonly model?: Model;
  readonly diagnostics: Diagnostic[];
  readonly objects: RawObject[];
  private readonly byObject = new Map<string, Diagnostic[]>();
  private readonly rawByKey = new Map<string, RawObject>();
  readonly fleetKey?: string;
  readonly snapshot?: Snapshot;
  private resources?: EnvoyResources;

  constructor(private readonly d: ApiDeps, fleet?: string | null) {
    this.model = d.controller.currentModel();
    this.diagnostics = d.controller.currentDiagnostics();
    this.objects = d.source.snapshot().objects;
    for (const x of this.diagnostics) {
      const k = refKey(x.kind, x.namespace, x.name);
      const l = this.byObject.get(k);
      if (l) l.push(x);
      else this.byObject.set(k, [x]);
    }
    for (const o of this.objects) this.rawByKey.set(refKey(o.kind, o.metadata.namespace, o.metadata.name), o);
    const keys = ['default/envoy', ...d.cache.keys().map((k) => k.key)];
    this.fleetKey = fleet ? keys.find((k) => k === fleet || k.startsWith(`${fleet}/`)) : keys.find((k) => d.cache.get(k));
    this.snapshot = this.fleetKey ? d.cache.get(this.fleetKey) : undefined;
  }

  /** The fleet's Envoy resources, secrets and inline credentials redacted. */
  envoy(): EnvoyResources {
    if (!this.resources) {
      this.resources = this.snapshot
        ? redactSecrets(snapshotResources(this.snapshot))
        : { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] } as unknown as EnvoyResources;
    }
    return this.resources;
  }

  /** Diagnostics about an object, optionally only those under a field (plus the object-wide ones). */
  diagnosticsOf(kind: string, namespace: string | undefined, name: string | undefined, field?: string, siblings = 'spec.routes['): Diagnostic[] {
    const all = this.byObject.get(refKey(kind, namespace, name)) ?? [];
    if (!field) return all;
    return all.filter((x) => !x.field || x.field === field || x.field.startsWith(`${field}.`) || x.field.startsWith(`${field}[`) || !x.field.startsWith(siblings));
  }

  sourceOf(kind: string, namespace: string | undefined, name: string | undefined): SourceView {
    const ref: SourceView = { kind, namespace: namespace || 'default', name: name ?? '' };
    const raw = this.rawByKey.get(refKey(kind, namespace, name));
    if (!raw) return ref;
    const file = formatPos(raw.origin);
    if (file) ref.file = file;
    // A Secret's content never reaches the page, not even its certificate.
    if (raw.kind === 'Secret') return ref;
    const body = JSON.parse(JSON.stringify(raw.body)) as Json;
    if (body.metadata) {
      delete body.metadata.managedFields;
      if (body.metadata.annotations) delete body.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    }
    ref.yaml = stringify(scrubDeep(body), { lineWidth: 0, aliasDuplicateObjects: false });
    return ref;
  }

  // ------------------------------------------------------------------------------------------ routers

  httpRouterStatus(r: HttpRouter): Health {
    const field = `spec.routes[${r.ingressRoute.routeIndex}]`;
    const own = worst(this.diagnosticsOf(r.provenance.kind, r.provenance.namespace, r.provenance.name, field));
    const mws = r.middlewares.map((m) => worst(this.diagnosticsOf(m.subject.kind, m.subject.namespace, m.subject.name)));
    return maxHealth(own, ...mws, r.action.type === 'unavailable' ? 'error' : 'ok');
  }

  private routerSummary(protocol: 'http' | 'tcp' | 'udp', r: HttpRouter | TcpRouter | UdpRouter): ListItem {
    const p = r.provenance;
    const base = { id: `${protocol}:${r.name}`, name: r.name, protocol, entryPoints: r.entryPoints, source: { kind: p.kind, namespace: p.namespace, name: p.name, field: p.field }, served: true };
    if (protocol === 'http') {
      const h = r as HttpRouter;
      return {
        ...base, rule: h.rule, priority: String(h.priority), tls: h.tls?.options,
        middlewares: h.middlewares.map((m) => m.id), services: [...new Set(actionUpstreams(h.action).map((t) => t.cluster).filter(Boolean))],
        status: this.httpRouterStatus(h),
      };
    }
    if (protocol === 'tcp') {
      const t = r as TcpRouter;
      return {
        ...base, rule: t.rule, priority: String(t.priority), tls: t.tls ? (t.tls.passthrough ? 'passthrough' : t.tls.options) : undefined,
        middlewares: t.middlewares.map((m) => `${m.provenance.namespace}/${m.name}`),
        services: t.action.type === 'forward' ? t.action.targets.map((x) => x.cluster) : [],
        status: maxHealth(worst(this.diagnosticsOf(p.kind, p.namespace, p.name, p.field)), t.action.type === 'close' ? 'error' : 'ok'),
      };
    }
    const u = r as UdpRouter;
    return { ...base, rule: '', middlewares: [], services: u.targets.map((x) => x.cluster), status: worst(this.diagnosticsOf(p.kind, p.namespace, p.name, p.field)) };
  }

  routers(): ListItem[] {
    const m = this.model;
    if (!m) return [];
    const out: ListItem[] = [
      ...m.httpRouters.map((r) => this.routerSummary('http', r)),
      ...m.tcpRouters.map((r) => this.routerSummary('tcp', r)),
      ...m.udpRouters.map((r) => this.routerSummary('udp', r)),
    ];
    // IngressRoutes that produced no router at all: shown, with their errors, as not served.
    const served = new Set(out.map((r) => { const s = r.source as ObjRef; return refKey(s.kind, s.namespace, s.name); }));
    for (const o of this.objects) {
      const protocol = ROUTER_KINDS[o.kind];
      const k = refKey(o.kind, o.metadata.namespace, o.metadata.name);
      if (!protocol || served.has(k)) continue;
      const ns = o.metadata.namespace || 'default';
      const ds = this.diagnosticsOf(o.kind, ns, o.metadata.name);
      out.push({
        id: `${protocol}:${ns}/${o.metadata.name}`, name: `${ns}/${o.metadata.name}`, protocol, entryPoints: [], rule: '', middlewares: [], services: [],
        source: { kind: o.kind, namespace: ns, name: o.metadata.name ?? '' }, served: false, status: ds.length ? maxHealth(worst(ds), 'warning') : 'warning',
      });
    }
    return out;
  }

  router(id: string): Json | undefined {
    const m = this.model;
    if (!m) return undefined;
    const summary = this.routers().find((r) => r.id === id);
    if (!summary) return undefined;
    const src = summary.source as ObjRef & { field?: string };
    const out: Json = {
      ...summary,
      object: this.sourceOf(src.kind, src.namespace, src.name),
      diagnostics: summary.served ? this.diagnosticsOf(src.kind, src.namespace, src.name, src.field) : this.diagnosticsOf(src.kind, src.namespace, src.name),
      envoy: [] as EnvoyRef[],
    };
    const env = this.envoy();
    const listeners = (names: string[]) => env.listeners.filter((l: Json) => names.includes(l.name)).map((l: Json) => ({ type: 'listeners', name: l.name, resource: l }));
    const clusters = (names: string[]) => [
      ...env.clusters.filter((c: Json) => names.includes(c.name)).map((c: Json) => ({ type: 'clusters', name: c.name, resource: c })),
      ...env.endpoints.filter((e: Json) => names.includes(e.cluster_name)).map((e: Json) => ({ type: 'endpoints', name: e.cluster_name, resource: e })),
    ];
    const name = id.slice(id.indexOf(':') + 1);
    if (summary.protocol === 'http') {
      const r = m.httpRouters.find((x) => x.name === name);
      if (r) {
        const routes = this.envoyRoutesOf(r);
        const configs = new Set(routes.map((x) => x.routeConfig!));
        out.envoy = [...listeners(r.entryPoints), ...[...configs].map((c) => ({ type: 'routes', name: c, resource: undefined })), ...routes,
          ...clusters(actionUpstreams(r.action).map((t) => t.cluster))];
        out.entryPointMiddlewares = r.entryPointMiddlewares;
        out.pathSvg = requestPathSvg(this.pathOfHttp(r));
      }
    } else if (summary.protocol === 'tcp') {
      const r = m.tcpRouters.find((x) => x.name === name);
      if (r) {
        out.envoy = [...listeners(r.entryPoints), ...clusters(summary.services as string[])];
        out.pathSvg = requestPathSvg(this.pathOfTcp(r));
      }
    } else {
      const r = m.udpRouters.find((x) => x.name === name);
      if (r) {
        out.envoy = [...listeners(r.entryPoints), ...clusters(summary.services as string[])];
        out.pathSvg = requestPathSvg(this.pathOfUdp(r));
      }
    }
    return out;
  }

  /** The Envoy route entries generated for an HTTP router (named `<ns>/<ingressroute>/r<i>[/…]`). */
  envoyRoutesOf(r: HttpRouter): EnvoyRef[] {
    const prefix = `${r.ingressRoute.namespace}/${r.ingressRoute.name}/r${r.ingressRoute.routeIndex}`;
    const out: EnvoyRef[] = [];
    for (const rc of this.envoy().routes as Json[]) {
      for (const vh of rc.virtual_hosts ?? []) {
        for (const rt of vh.routes ?? []) {
          if (rt.name === prefix || String(rt.name).startsWith(`${prefix}/`)) {
            out.push({ type: 'route', name: rt.name, routeConfig: rc.name, virtualHost: vh.name, domains: vh.domains, resource: rt });
          }
        }
      }
    }
    return out;
  }

  // --------------------------------------------------------------------------- request-path graph

  private endpointsNode(cluster: string, protocol: 'http' | 'tcp' | 'udp', edge?: string): PathNode {
    const c = protocol === 'http' ? this.model!.clusters.get(cluster) : this.model!.tcpClusters.get(cluster);
    const eps = c ? (c.discovery === 'dns' ? [{ address: c.dnsHost ?? '?', port: c.dnsPort ?? 0, fenced: false }] : c.endpoints) : [];
    const children: PathNode[] = eps.slice(0, 6).map((e) => ({ kind: 'endpoint', label: `${e.address}:${e.port}`, sub: e.fenced ? 'fenced (sticky only)' : undefined, children: [] }));
    if (eps.length > 6) children.push({ kind: 'endpoint', label: `+${eps.length - 6} more`, children: [] });
    if (!children.length) children.push({ kind: 'problem', label: c?.failAll ? 'fails every request' : 'no endpoints', sub: c?.failAll, children: [] });
    return {
      kind: 'cluster', label: c ? ('traefikName' in c ? c.traefikName : c.service.name) : cluster, sub: cluster, edge,
      href: `#/services/${encodeURIComponent(`${protocol}:${cluster}`)}`, children,
    };
  }

  private serviceNode(n: ServiceNode, edge?: string): PathNode {
    if (n.type === 'upstream') {
      const sticky = n.target.sticky ? `sticky: ${n.target.sticky.name}` : undefined;
      return this.endpointsNode(n.target.cluster, 'http', [edge, sticky].filter(Boolean).join(' · ') || undefined);
    }
    if (n.type === 'weighted') {
      const sticky = n.sticky ? ` · sticky: ${n.sticky.name}` : '';
      return {
        kind: 'service', label: n.name, sub: `${n.kind}${sticky}`, edge,
        children: n.children.length ? n.children.map((c) => this.serviceNode(c.node, `weight ${c.weight}`)) : [{ kind: 'problem', label: '503 no available server', children: [] }],
      };
    }
    return {
      kind: 'service', label: n.name, sub: 'mirroring', edge,
      children: [this.serviceNode(n.main, 'main'), ...n.mirrors.map((x) => ({ ...this.serviceNode(x.node, `mirror ${x.percent}%`), mirror: true }))],
    };
  }

  pathOfHttp(r: HttpRouter): PathNode {
    let tail: PathNode;
    if (r.action.type === 'unavailable') tail = { kind: 'problem', label: '503 no available server', sub: 'every weight is 0', children: [] };
    else if (r.action.targets.length === 1 && !r.action.targets[0].service) tail = this.endpointsNode(r.action.targets[0].cluster, 'http', r.action.targets[0].sticky ? `sticky: ${r.action.targets[0].sticky.name}` : undefined);
    else if (r.action.targets.length === 1) tail = this.serviceNode(r.action.targets[0].service!);
    else {
      tail = {
        kind: 'service', label: r.name, sub: 'route WRR', children: r.action.targets.map((t) => {
          const n = t.service ? this.serviceNode(t.service, `weight ${t.weight}`) : this.endpointsNode(t.cluster, 'http', `weight ${t.weight}`);
          const mws = (t.middlewares ?? []).map((mw) => mwNode(mw.namespace, mw.name, mw.type, 'http'));
          return chain(mws, n);
        }),
      };
    }
    const epMws = Object.values(r.entryPointMiddlewares ?? {}).flatMap((x) => (Array.isArray(x) ? x : []));
    const nodes: PathNode[] = [
      { kind: 'entry', label: r.entryPoints.join(', '), sub: r.tls ? `TLS: ${r.tls.options}` : 'entry point', children: [] },
      ...epMws.map((mw) => ({ ...mwNode(mw.namespace, mw.name, mw.type, 'http'), sub: `${mw.type} (entry point)` })),
      { kind: 'rule', label: r.rule, sub: `priority ${r.priority}`, children: [] },
      ...r.middlewares.map((mw) => mwNode(mw.namespace, mw.name, mw.type, 'http')),
    ];
    return chain(nodes, tail);
  }

  pathOfTcp(r: TcpRouter): PathNode {
    const tail: PathNode = r.action.type === 'close'
      ? { kind: 'problem', label: 'connections closed', sub: r.action.reason, children: [] }
      : r.action.targets.length === 1 ? this.endpointsNode(r.action.targets[0].cluster, 'tcp')
        : { kind: 'service', label: r.name, sub: 'weighted', children: r.action.targets.map((t) => this.endpointsNode(t.cluster, 'tcp', `weight ${t.weight}`)) };
    return chain([
      { kind: 'entry', label: r.entryPoints.join(', '), sub: r.tls ? (r.tls.passthrough ? 'TLS passthrough' : `TLS: ${r.tls.options}`) : 'TCP entry point', children: [] },
      { kind: 'rule', label: r.rule, sub: `priority ${r.priority}`, children: [] },
      ...r.middlewares.map((mw) => mwNode(mw.provenance.namespace, mw.provenance.name, mw.type, 'tcp')),
    ], tail);
  }

  pathOfUdp(r: UdpRouter): PathNode {
    const tail: PathNode = r.targets.length === 1 && !r.weighted ? this.endpointsNode(r.targets[0].cluster, 'udp')
      : { kind: 'service', label: r.name, sub: 'weighted', children: r.targets.map((t) => this.endpointsNode(t.cluster, 'udp', `weight ${t.weight}`)) };
    return chain([{ kind: 'entry', label: r.entryPoints.join(', '), sub: 'UDP entry point', children: [] }], tail);
  }

  // ------------------------------------------------------------------------------------------ services

  /** Routers using a cluster, and the TraefikService trees that reach it. */
  private usage(): { clusters: Map<string, Set<string>>; traefikServices: Map<string, { routers: Set<string>; clusters: Set<string> }> } {
    const clusters = new Map<string, Set<string>>();
    const traefikServices = new Map<string, { routers: Set<string>; clusters: Set<string> }>();
    const use = (c: string, r: string) => (clusters.get(c) ?? clusters.set(c, new Set()).get(c)!).add(r);
    const m = this.model;
    if (!m) return { clusters, traefikServices };
    for (const r of m.httpRouters) {
      const id = `http:${r.name}`;
      for (const t of actionUpstreams(r.action)) if (t.cluster) use(`http:${t.cluster}`, id);
      if (r.action.type !== 'forward') continue;
      const walk = (n: ServiceNode, owners: string[]): void => {
        if (n.type === 'upstream') {
          for (const o of owners) traefikServices.get(o)!.clusters.add(n.target.cluster);
          return;
        }
        const p = n.provenance;
        const key = p.kind === 'TraefikService' ? `traefikservice:${p.namespace}/${p.name}` : undefined;
        if (key && !traefikServices.has(key)) traefikServices.set(key, { routers: new Set(), clusters: new Set() });
        if (key) traefikServices.get(key)!.routers.add(id);
        const next = key ? [...owners, key] : owners;
        if (n.type === 'weighted') for (const c of n.children) walk(c.node, next);
        else {
          walk(n.main, next);
          for (const x of n.mirrors) walk(x.node, next);
        }
      };
      for (const t of r.action.targets) if (t.service) walk(t.service, []);
    }
    for (const r of m.tcpRouters) if (r.action.type === 'forward') for (const t of r.action.targets) use(`tcp:${t.cluster}`, `tcp:${r.name}`);
    for (const r of m.udpRouters) for (const t of r.targets) use(`udp:${t.cluster}`, `udp:${r.name}`);
    return { clusters, traefikServices };
  }

  services(): ListItem[] {
    const m = this.model;
    if (!m) return [];
    const { clusters, traefikServices } = this.usage();
    const out: ListItem[] = [];
    for (const c of m.clusters.values()) {
      const ds = c.provenance.flatMap((p) => this.diagnosticsOf(p.kind, p.namespace, p.name, p.field));
      const id = `http:${c.name}`;
      out.push({
        id, name: c.traefikName, cluster: c.name, protocol: 'http', type: 'loadBalancer', service: `${c.service.namespace}/${c.service.name}:${c.service.port}`,
        endpoints: c.discovery === 'dns' ? 1 : c.endpoints.length, transport: c.transport.name, usedBy: [...clusters.get(id) ?? []],
        status: maxHealth(worst(ds), c.failAll ? 'error' : 'ok', c.discovery === 'eds' && !c.endpoints.length ? 'warning' : 'ok'),
      });
    }
    for (const c of m.tcpClusters.values()) {
      const id = `${c.protocol}:${c.name}`;
      const ds = c.provenance.flatMap((p) => this.diagnosticsOf(p.kind, p.namespace, p.name, p.field));
      out.push({
        id, name: c.traefikNames[0] ?? c.name, cluster: c.name, protocol: c.protocol, type: 'loadBalancer', service: `${c.service.namespace}/${c.service.name}:${c.service.port}`,
        endpoints: c.discovery === 'dns' ? 1 : c.endpoints.length, transport: c.transport ? c.transport.name : undefined, usedBy: [...clusters.get(id) ?? []],
        status: maxHealth(worst(ds), c.failAll ? 'error' : 'ok', c.discovery === 'eds' && !c.endpoints.length ? 'warning' : 'ok'),
      });
    }
    for (const o of this.objects.filter((x) => x.kind === 'TraefikService')) {
      const ns = o.metadata.namespace || 'default';
      const id = `traefikservice:${ns}/${o.metadata.name}`;
      const spec = (o.body.spec ?? {}) as Json;
      const u = traefikServices.get(id);
      out.push({
        id, name: `${ns}/${o.metadata.name}`, protocol: 'http', type: Object.keys(spec)[0] ?? 'unknown', clusters: [...u?.clusters ?? []],
        usedBy: [...u?.routers ?? []], status: worst(this.diagnosticsOf('TraefikService', ns, o.metadata.name)),
      });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  service(id: string): Json | undefined {
    const m = this.model;
    const item = this.services().find((s) => s.id === id);
    if (!m || !item) return undefined;
    const env = this.envoy();
    const envoyOf = (names: string[]): EnvoyRef[] => [
      ...env.clusters.filter((c: Json) => names.includes(c.name)).map((c: Json) => ({ type: 'clusters', name: c.name, resource: c })),
      ...env.endpoints.filter((e: Json) => names.includes(e.cluster_name)).map((e: Json) => ({ type: 'endpoints', name: e.cluster_name, resource: e })),
    ];
    if (id.startsWith('traefikservice:')) {
      const [ns, name] = item.name.split('/');
      return { ...item, objects: [this.sourceOf('TraefikService', ns, name)], diagnostics: this.diagnosticsOf('TraefikService', ns, name), envoy: envoyOf(item.clusters as string[]) };
    }
    const cluster = item.cluster as string;
    const c = item.protocol === 'http' ? m.clusters.get(cluster) : m.tcpClusters.get(cluster);
    if (!c) return undefined;
    const refs = new Map<string, ObjRef>();
    refs.set(refKey('Service', c.service.namespace, c.service.name), { kind: 'Service', namespace: c.service.namespace, name: c.service.name });
    for (const p of c.provenance) refs.set(refKey(p.kind, p.namespace, p.name), p);
    const ds = c.provenance.flatMap((p) => this.diagnosticsOf(p.kind, p.namespace, p.name, p.field));
    return {
      ...item,
      endpointList: c.discovery === 'dns' ? [{ address: c.dnsHost, port: c.dnsPort, fenced: false }] : c.endpoints.map((e) => ({ address: e.address, port: e.port, fenced: e.fenced })),
      failAll: c.failAll,
      objects: [...refs.values()].map((r) => this.sourceOf(r.kind, r.namespace, r.name)),
      diagnostics: [...new Set(ds)],
      envoy: envoyOf([cluster]),
    };
  }

  // --------------------------------------------------------------------------------------- middlewares

  private middlewareUsers(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const use = (k: string, r: string) => (out.get(k) ?? out.set(k, new Set()).get(k)!).add(r);
    const m = this.model;
    if (!m) return out;
    for (const r of m.httpRouters) {
      for (const mw of r.middlewares) use(`http:${mw.id}`, `http:${r.name}`);
      for (const x of Object.values(r.entryPointMiddlewares ?? {})) if (Array.isArray(x)) for (const mw of x) use(`http:${mw.id}`, `http:${r.name}`);
      if (r.action.type === 'forward') for (const t of r.action.targets) for (const mw of t.middlewares ?? []) use(`http:${mw.id}`, `http:${r.name}`);
    }
    for (const r of m.tcpRouters) for (const mw of r.middlewares) use(`tcp:${mw.provenance.namespace}/${mw.provenance.name}`, `tcp:${r.name}`);
    return out;
  }

  middlewares(): ListItem[] {
    const users = this.middlewareUsers();
    return this.objects.filter((o) => o.kind === 'Middleware' || o.kind === 'MiddlewareTCP').map((o) => {
      const ns = o.metadata.namespace || 'default';
      const protocol = o.kind === 'Middleware' ? 'http' : 'tcp';
      const id = `${protocol}:${ns}/${o.metadata.name}`;
      return {
        id, name: `${ns}/${o.metadata.name}`, protocol, type: Object.keys((o.body.spec ?? {}) as Json)[0] ?? 'unknown',
        usedBy: [...users.get(id) ?? []], status: worst(this.diagnosticsOf(o.kind, ns, o.metadata.name)),
      };
    }).sort((a, b) => a.id.localeCompare(b.id));
  }

  middleware(id: string): Json | undefined {
    const item = this.middlewares().find((x) => x.id === id);
    if (!item) return undefined;
    const [ns, name] = item.name.split('/');
    const kind = item.protocol === 'http' ? 'Middleware' : 'MiddlewareTCP';
    // Its Envoy form: the HCM filters named after it, and the routes configuring them.
    const needle = `traefik.mw.${ns}.${name}.`;
    const env = this.envoy();
    const envoy: EnvoyRef[] = [];
    for (const l of env.listeners as Json[]) if (JSON.stringify(l).includes(needle)) envoy.push({ type: 'listeners', name: l.name, resource: l });
    // Some middlewares are route settings (stripPrefix is a prefix rewrite): the routes of its routers.
    const users = new Set(item.usedBy as string[]);
    for (const r of this.model?.httpRouters ?? []) if (users.has(`http:${r.name}`)) envoy.push(...this.envoyRoutesOf(r));
    return { ...item, object: this.sourceOf(kind, ns, name), diagnostics: this.diagnosticsOf(kind, ns, name), envoy };
  }

  // --------------------------------------------------------------------------------------- TLS options

  tlsOptions(): ListItem[] {
    const m = this.model;
    const users = new Map<string, Set<string>>();
    const use = (k: string, r: string) => (users.get(k) ?? users.set(k, new Set()).get(k)!).add(r);
    for (const r of m?.httpRouters ?? []) if (r.tls) use(r.tls.options, `http:${r.name}`);
    for (const r of m?.tcpRouters ?? []) if (r.tls && !r.tls.passthrough) use(r.tls.options, `tcp:${r.name}`);
    const out = new Map<string, ListItem>();
    for (const o of m?.tls.options.values() ?? []) {
      const p = o.provenance;
      out.set(o.id, {
        id: o.id, name: o.id, minVersion: o.minVersion, maxVersion: o.maxVersion, clientAuth: o.clientAuth, sniStrict: o.sniStrict, alpn: o.alpn,
        source: p ? { kind: p.kind, namespace: p.namespace, name: p.name } : undefined, usedBy: [...users.get(o.id) ?? []],
        status: p ? worst(this.diagnosticsOf(p.kind, p.namespace, p.name)) : 'ok',
      });
    }
    for (const o of this.objects.filter((x) => x.kind === 'TLSOption')) {
      const ns = o.metadata.namespace || 'default';
      const id = o.metadata.name === 'default' ? 'default' : `${ns}-${o.metadata.name}`;
      if (out.has(id) && (out.get(id)!.source as ObjRef | undefined)) continue;
      out.set(id, {
        ...out.get(id), id, name: id, source: { kind: 'TLSOption', namespace: ns, name: o.metadata.name ?? '' }, usedBy: [...users.get(id) ?? []],
        status: worst(this.diagnosticsOf('TLSOption', ns, o.metadata.name)),
      });
    }
    if (!out.has('default')) out.set('default', { id: 'default', name: 'default', minVersion: 'TLSv1_2', usedBy: [...users.get('default') ?? []], status: 'ok' });
    return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  tlsOption(id: string): Json | undefined {
    const item = this.tlsOptions().find((x) => x.id === id);
    if (!item) return undefined;
    const src = item.source as ObjRef | undefined;
    const env = this.envoy();
    const envoy: EnvoyRef[] = (env.routes as Json[]).filter((rc) => String(rc.name).endsWith(`/https/${id}`)).map((rc) => ({ type: 'routes', name: rc.name, resource: rc }));
    return { ...item, object: src ? this.sourceOf(src.kind, src.namespace, src.name) : undefined, diagnostics: src ? this.diagnosticsOf(src.kind, src.namespace, src.name) : [], envoy };
  }

  // ---------------------------------------------------------------------------------------- transports

  transports(): ListItem[] {
    const m = this.model;
    const out = new Map<string, ListItem & { clusters: string[] }>();
    for (const c of m?.clusters.values() ?? []) {
      const id = `http:${c.transport.name}`;
      const s = c.transport.subject;
      const cur = out.get(id) ?? { id, name: c.transport.name, protocol: 'http', clusters: [], status: 'ok' as Health,
        source: s.kind === 'ServersTransport' ? { kind: s.kind, namespace: s.namespace || 'default', name: s.name ?? '' } : undefined };
      cur.clusters.push(c.name);
      out.set(id, cur);
    }
    for (const c of m?.tcpClusters.values() ?? []) {
      if (!c.transport) continue;
      const id = `tcp:${c.transport.name}`;
      const cur = out.get(id) ?? { id, name: c.transport.name, protocol: 'tcp', clusters: [], status: 'ok' as Health, dialTimeoutMs: c.transport.dialTimeoutMs };
      cur.clusters.push(c.name);
      out.set(id, cur);
    }
    for (const o of this.objects.filter((x) => x.kind === 'ServersTransport' || x.kind === 'ServersTransportTCP')) {
      const ns = o.metadata.namespace || 'default';
      const protocol = o.kind === 'ServersTransport' ? 'http' : 'tcp';
      const src = { kind: o.kind, namespace: ns, name: o.metadata.name ?? '' };
      const existing = [...out.values()].find((t) => t.protocol === protocol && (t.name === `${ns}-${o.metadata.name}` || (t.source as ObjRef | undefined)?.name === src.name && (t.source as ObjRef).namespace === ns));
      if (existing) existing.source = src;
      else out.set(`${protocol}:${ns}-${o.metadata.name}`, { id: `${protocol}:${ns}-${o.metadata.name}`, name: `${ns}-${o.metadata.name}`, protocol, clusters: [], source: src, status: 'ok' });
    }
    for (const t of out.values()) {
      const s = t.source as ObjRef | undefined;
      if (s) t.status = worst(this.diagnosticsOf(s.kind, s.namespace, s.name));
    }
    return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  transport(id: string): Json | undefined {
    const item = this.transports().find((x) => x.id === id);
    if (!item) return undefined;
    const src = item.source as ObjRef | undefined;
    const names = item.clusters as string[];
    const env = this.envoy();
    return {
      ...item, object: src ? this.sourceOf(src.kind, src.namespace, src.name) : undefined, diagnostics: src ? this.diagnosticsOf(src.kind, src.namespace, src.name) : [],
      envoy: env.clusters.filter((c: Json) => names.includes(c.name)).map((c: Json) => ({ type: 'clusters', name: c.name, resource: c })),
    };
  }

  // ------------------------------------------------------------------------------------------ overview

  overview(): Json {
    const count = (items: ListItem[]) => ({ total: items.length, ok: items.filter((i) => i.status === 'ok').length, warning: items.filter((i) => i.status === 'warning').length, error: items.filter((i) => i.status === 'error').length });
    const routers = this.routers();
    const rep = this.d.controller.lastReport;
    const clients = this.d.registry.list();
    const keys = new Map<string, { fleet: string; profile: string }>([['default/envoy', { fleet: 'default', profile: 'envoy' }]]);
    for (const k of this.d.cache.keys()) keys.set(k.key, { fleet: k.fleet, profile: k.profile });
    for (const c of clients) keys.set(c.fleet.key, { fleet: c.fleet.fleet, profile: c.fleet.profile });
    const fleets = [...keys].map(([key, f]) => {
      const nodes = clients.filter((c) => c.fleet.key === key);
      return {
        key, ...f, version: this.d.cache.get(key)?.version,
        nodes: nodes.map((c) => ({ id: c.node.id, streamId: c.streamId, nacked: Object.values(c.types).some((t) => t?.nack) })),
      };
    });
    return {
      ready: this.d.controller.ready && this.d.source.synced(),
      version: this.snapshot?.version, fleet: this.fleetKey,
      lastBuild: rep ? { at: new Date(rep.at).toISOString(), durationMs: Math.round(rep.durationMs * 1000) / 1000, failed: rep.failed, fastPath: !!rep.fastPath, published: rep.published } : undefined,
      routers: { http: count(routers.filter((r) => r.protocol === 'http')), tcp: count(routers.filter((r) => r.protocol === 'tcp')), udp: count(routers.filter((r) => r.protocol === 'udp')) },
      services: count(this.services()),
      middlewares: count(this.middlewares()),
      tlsOptions: count(this.tlsOptions()),
      transports: count(this.transports()),
      diagnostics: { error: this.diagnostics.filter((x) => x.severity === 'error').length, warning: this.diagnostics.filter((x) => x.severity === 'warning').length, info: this.diagnostics.filter((x) => x.severity === 'info').length },
      fleets,
      clients: { connected: clients.length, nacked: clients.filter((c) => Object.values(c.types).some((t) => t?.nack)).length },
    };
  }

  /** One Envoy resource by type and name (secrets redacted), with the source objects behind it. */
  envoyResource(type: string, name: string): Json | undefined {
    const env = this.envoy() as unknown as Record<string, Json[]>;
    const list = env[type];
    if (!list) return undefined;
    const r = list.find((x) => (x.name ?? x.cluster_name) === name);
    if (!r) return undefined;
    return { type, name, fleet: this.fleetKey, version: this.snapshot?.version, resource: r, objects: this.d.controller.objectsOf(type, [name]) };
  }
}

// ------------------------------------------------------------------------------------------ graph helpers

/** A node of the request-path picture: a chain that ends in a tree. */
export interface PathNode {
  kind: 'entry' | 'rule' | 'middleware' | 'service' | 'cluster' | 'endpoint' | 'problem';
  label: string;
  sub?: string;
  /** The label of the edge coming into this node (a weight, a mirror percentage, a sticky cookie). */
  edge?: string;
  href?: string;
  mirror?: boolean;
  children: PathNode[];
}

function mwNode(namespace: string, name: string, type: string, protocol: string): PathNode {
  return { kind: 'middleware', label: `${namespace}/${name}`, sub: type, href: `#/middlewares/${encodeURIComponent(`${protocol}:${namespace}/${name}`)}`, children: [] };
}

/** Links nodes one after the other, the last one leading to `tail`. */
function chain(nodes: PathNode[], tail: PathNode): PathNode {
  if (!nodes.length) return tail;
  for (let i = 0; i < nodes.length - 1; i++) nodes[i].children = [nodes[i + 1]];
  if (tail.edge && nodes.length) {
    nodes[0].edge = tail.edge;
    tail = { ...tail, edge: undefined };
  }
  nodes[nodes.length - 1].children = [tail];
  return nodes[0];
}

// ------------------------------------------------------------------------------------------------ routes

function detailRoute(prefix: string, get: (v: ApiView, id: string) => Json | undefined, deps: ApiDeps): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const id = decodeURIComponent(url.pathname.slice(prefix.length));
    const v = new ApiView(deps, url.searchParams.get('fleet'));
    const out = get(v, id);
    if (!out) return send(res, 404, { error: `not found: ${id}` });
    send(res, 200, out);
  };
}

function listRoute(get: (v: ApiView) => unknown, key: string, deps: ApiDeps): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    send(res, 200, { [key]: get(new ApiView(deps, url.searchParams.get('fleet'))) });
  };
}

/** Server-sent events: one `change` event per snapshot build and per client state change (coalesced). */
export class EventHub {
  private readonly streams = new Set<http.ServerResponse>();
  private seq = 0;
  private pending?: NodeJS.Timeout;
  private reasons = new Set<string>();

  constructor(deps: ApiDeps, private readonly coalesceMs = 100) {
    deps.controller.onBuild(() => this.emit('build'));
    deps.registry.onChange(() => this.emit('clients'));
  }

  emit(reason: string): void {
    this.reasons.add(reason);
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const data = JSON.stringify({ seq: ++this.seq, reasons: [...this.reasons] });
      this.reasons.clear();
      for (const s of this.streams) s.write(`event: change\nid: ${this.seq}\ndata: ${data}\n\n`);
    }, this.coalesceMs);
    this.pending.unref?.();
  }

  handler(): Handler {
    return (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ seq: this.seq })}\n\n`);
      this.streams.add(res);
      const ping = setInterval(() => res.write(': ping\n\n'), 15000);
      ping.unref?.();
      const done = () => {
        clearInterval(ping);
        this.streams.delete(res);
      };
      req.on('close', done);
      res.on('close', done);
    };
  }

  get size(): number {
    return this.streams.size;
  }
}

/** The dashboard's API routes, to mount on the admin server (`routes`). */
export function apiRoutes(deps: ApiDeps): Map<string, Handler> {
  const hub = new EventHub(deps);
  const r = new Map<string, Handler>();
  r.set('/api/overview', (req, res) => send(res, 200, new ApiView(deps, new URL(req.url ?? '/', 'http://admin').searchParams.get('fleet')).overview()));
  r.set('/api/routers', listRoute((v) => v.routers(), 'routers', deps));
  r.set('/api/routers/*', detailRoute('/api/routers/', (v, id) => v.router(id), deps));
  r.set('/api/services', listRoute((v) => v.services(), 'services', deps));
  r.set('/api/services/*', detailRoute('/api/services/', (v, id) => v.service(id), deps));
  r.set('/api/middlewares', listRoute((v) => v.middlewares(), 'middlewares', deps));
  r.set('/api/middlewares/*', detailRoute('/api/middlewares/', (v, id) => v.middleware(id), deps));
  r.set('/api/tlsoptions', listRoute((v) => v.tlsOptions(), 'tlsOptions', deps));
  r.set('/api/tlsoptions/*', detailRoute('/api/tlsoptions/', (v, id) => v.tlsOption(id), deps));
  r.set('/api/transports', listRoute((v) => v.transports(), 'transports', deps));
  r.set('/api/transports/*', detailRoute('/api/transports/', (v, id) => v.transport(id), deps));
  r.set('/api/envoy/*', detailRoute('/api/envoy/', (v, id) => {
    const i = id.indexOf('/');
    return i < 0 ? undefined : v.envoyResource(id.slice(0, i), id.slice(i + 1));
  }, deps));
  r.set('/api/events', hub.handler());
  return r;
}
