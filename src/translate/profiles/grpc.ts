// The `grpc` profile: what proxyless gRPC clients (@grpc/grpc-js-xds 1.14 and the other gRPC xDS
// libraries) accept, derived from the Envoy form that translate() builds.
//
// How a gRPC client finds its routes: the target `xds:///<name>` makes it ask LDS for a Listener named
// `<name>`, whose api_listener holds an HttpConnectionManager naming a RouteConfiguration (RDS); it picks
// the virtual host by the target's authority, then the first route whose match fits the RPC's path
// (`/package.Service/Method`) and metadata. So this profile serves:
//
// - Listeners: one per exact host (not a wildcard, not "*") of the plain-HTTP route configuration of each
//   entry point of the fleet, named by the bare host: clients target `xds:///<host>` (with no port; a
//   target `xds:///<host>:<port>` would ask for a listener `<host>:<port>`, which does not exist). The
//   listener is only an api_listener with RDS over ADS and the router filter: no address, no filter
//   chains, no listener filters (grpc-js NACKs those). A host on several entry points is served from the
//   first one in the order of the fleet's `entryPoints` (for a fleet that names none, the static
//   configuration's order), the others are reported (info).
// - RouteConfigurations `<ep>/http`, with only their exact-host virtual hosts (a client never selects
//   another one) and only the routes gRPC clients implement exactly; every route left out is a warning on
//   its IngressRoute (fail closed: redirects, direct responses, query matches, ClientIP, a second path
//   condition, and every middleware effect gRPC clients cannot apply: rewrites, header changes, per-route
//   HTTP filters). Header matchers on what a gRPC request always carries (`:authority` = the host,
//   `:method` = POST, `content-type`) are decided here. A matcher-list virtual host (the Envoy form's
//   generic matcher) is turned back into its routes. TLS route configurations (`<ep>/https/...`) are not
//   served: gRPC clients take certificates only from bootstrap certificate providers.
// - Clusters: EDS (or LOGICAL_DNS with one endpoint), ROUND_ROBIN, no TLS, no Envoy protocol options.
// - ClusterLoadAssignments with `locality: {}` and `load_balancing_weight: 1` (grpc-js NACKs an unset
//   locality and silently drops a locality without weight), IP endpoints only, no duplicates.
// - No secrets.
//
// grpc-js 1.14 rejects (NACKs) a whole RouteConfiguration for one route whose action is not `route`
// (redirect, direct_response), so such routes are removed here, never sent.
import { ADS, T } from '../type-urls';
import { re2Matches } from '../../model/rules/re2';
import { isIP } from 'node:net';
import type { Diagnostics, DiagnosticSubject } from '../../model/diagnostics';
import type { EnvoyResources } from '../../envoy/resources';
import type { Cluster, ClusterLoadAssignment, Listener, Route, RouteConfiguration, VirtualHost } from '../../envoy/types';
import type { HttpRouter, Model } from '../../model/model';
import type { TranslateOptions } from '../options';

type Json = Record<string, unknown>;

const ROUTER_FILTER = 'envoy.filters.http.router';

/** Route fields grpc-js understands. Any other field would be ignored by it: the route is left out instead (fail closed). */
const ROUTE_KEYS = new Set(['name', 'match', 'route']);
const ACTION_KEYS: Record<string, string> = {
  redirect: 'a redirect',
  direct_response: 'a direct response',
  filter_action: 'a filter action',
  non_forwarding_action: 'a non-forwarding action',
};
const MATCH_KEYS = new Set(['prefix', 'path', 'safe_regex', 'headers', 'case_sensitive', 'runtime_fraction']);
const PATH_SPECIFIERS = ['prefix', 'path', 'safe_regex'];
/** RouteAction fields grpc-js uses; `timeout` and `auto_host_rewrite` are ignored by it and removed here. */
const ROUTE_ACTION_KEYS = new Set(['cluster', 'weighted_clusters', 'retry_policy', 'max_stream_duration']);
const ROUTE_ACTION_IGNORED = ['timeout', 'auto_host_rewrite'];
const CLUSTER_WEIGHT_KEYS = new Set(['name', 'weight']);
const WEIGHTED_CLUSTERS_KEYS = new Set(['clusters', 'total_weight']);
const HEADER_SPECIFIERS = ['exact_match', 'safe_regex_match', 'range_match', 'present_match', 'prefix_match', 'suffix_match', 'string_match'];
const VHOST_KEYS = new Set(['name', 'domains', 'routes', 'matcher']);
const ROUTE_TYPE = 'type.googleapis.com/envoy.config.route.v3.Route';
/** Generic-matcher inputs of a matcher-list virtual host, and what gRPC clients would need to test them. */
const MATCHER_INPUTS: Record<string, string> = {
  'type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DirectSourceIPInput': 'the client address (ClientIP)',
  'type.googleapis.com/envoy.type.matcher.v3.HttpRequestQueryParamMatchInput': 'query parameters',
};
/** retry_on tokens gRPC clients act on (gRPC A44); they ignore the others. */
const GRPC_RETRY_ON = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

/** What a gRPC request carries, for header matchers gRPC clients cannot test themselves (they see only the call metadata). */
const GRPC_REQUEST_HEADERS: Record<string, string> = { ':method': 'POST', 'content-type': 'application/grpc', ':scheme': 'http' };

interface Drop {
  severity: 'warning' | 'info';
  message: string;
}

class Reporter {
  /** Routers (by route base name) that already got a diagnostic from this profile. */
  readonly reported = new Set<string>();
  private readonly routers = new Map<string, HttpRouter>();

  constructor(model: Model, private readonly diags: Diagnostics) {
    for (const r of model.httpRouters) {
      const k = `${r.ingressRoute.namespace}/${r.ingressRoute.name}/r${r.ingressRoute.routeIndex}`;
      if (!this.routers.has(k)) this.routers.set(k, r);
    }
  }

  routerOf(routeName: string): HttpRouter | undefined {
    return this.routers.get(baseName(routeName));
  }

  route(routeName: string, severity: 'warning' | 'info', message: string): void {
    const r = this.routerOf(routeName);
    this.reported.add(baseName(routeName));
    if (r) this.diags.report(severity, r.provenance.subject, r.provenance.field, `grpc profile: ${message}`);
    else this.diags.report(severity, { kind: 'Envoy', name: `route ${routeName}` }, undefined, `grpc profile: ${message}`);
  }

  router(r: HttpRouter, severity: 'warning' | 'info', message: string): void {
    this.diags.report(severity, r.provenance.subject, r.provenance.field, `grpc profile: ${message}`);
  }

  subjects(severity: 'warning' | 'info', subjects: { subject: DiagnosticSubject; field?: string }[], message: string): void {
    for (const s of subjects) this.diags.report(severity, s.subject, s.field, `grpc profile: ${message}`);
  }

  envoy(severity: 'warning' | 'info', name: string, message: string): void {
    this.diags.report(severity, { kind: 'Envoy', name }, undefined, `grpc profile: ${message}`);
  }

  static(severity: 'warning' | 'info', field: string, message: string): void {
    this.diags.report(severity, { kind: 'StaticConfig' }, field, `grpc profile: ${message}`);
  }
}

/** `<ns>/<ingressroute>/r<i>[/c<k>][/get]` → `<ns>/<ingressroute>/r<i>` (Kubernetes names hold no `/`). */
function baseName(routeName: string): string {
  return routeName.split('/').slice(0, 3).join('/');
}

function keysOf(o: unknown): string[] {
  return o && typeof o === 'object' ? Object.keys(o as Json).filter((k) => (o as Json)[k] !== undefined) : [];
}

/**
 * The TCP entry points in the order that decides which one serves a host routed on several: the fleet's
 * `entryPoints` order, else the static configuration's. Entry points the order does not name come last (none do
 * when the order is a fleet's: its translation has only those).
 */
export function servingOrder(opts: TranslateOptions): string[] {
  const eps = opts.entryPoints.filter((ep) => ep.protocol === 'tcp').map((ep) => ep.name);
  const order = opts.entryPointOrder ?? [];
  const rank = (ep: string) => (order.includes(ep) ? order.indexOf(ep) : order.length);
  return eps.map((ep, i) => ({ ep, i })).sort((a, b) => rank(a.ep) - rank(b.ep) || a.i - b.i).map((x) => x.ep);
}

/** The exact host a virtual host serves, or undefined for wildcard and catch-all virtual hosts. */
function exactHostOf(vh: VirtualHost): string | undefined {
  const domains = vh.domains ?? [];
  if (domains.length === 0 || domains.some((d) => d.includes('*'))) return undefined;
  const bare = domains.filter((d) => !d.endsWith('.'));
  return bare.length === 1 ? bare[0] : undefined;
}

/**
 * Converts the Envoy-form resources of translate() to the grpc profile. Pure: `envoy` is not modified.
 * Diagnostics are added to `diags`.
 */
export function applyGrpcProfile(envoy: EnvoyResources, model: Model, opts: TranslateOptions, diags: Diagnostics): EnvoyResources {
  const src = structuredClone(envoy);
  const rep = new Reporter(model, diags);
  const eps = servingOrder(opts);

  // Clusters first: a route to a cluster that cannot be served is left out.
  const droppedClusters = new Map<string, string>();
  const clusters = new Map<string, Cluster>();
  for (const c of src.clusters) {
    const name = c.name ?? '';
    const r = convertCluster(c);
    if ('drop' in r) {
      droppedClusters.set(name, r.drop);
      rep.subjects('warning', provenanceOf(model, name), `cluster ${name} is not served to gRPC clients: ${r.drop}`);
      continue;
    }
    for (const w of r.warnings) rep.subjects('warning', provenanceOf(model, name), `cluster ${name}: ${w}`);
    clusters.set(name, r.cluster);
  }

  reportFilters(src.listeners, eps, rep);

  // Routes: per entry point in order, the exact virtual hosts of its plain-HTTP route configuration.
  const routeConfigs = new Map(src.routes.map((rc) => [rc.name ?? '', rc]));
  const claimedBy = new Map<string, { ep: string; routes: Set<string> }>();
  const listeners: Listener[] = [];
  const routes: RouteConfiguration[] = [];
  const served = new Set<string>();
  for (const ep of eps) {
    const rcName = `${ep}/http`;
    const rc = routeConfigs.get(rcName);
    if (!rc) continue;
    const vhosts: VirtualHost[] = [];
    for (const vh of rc.virtual_hosts ?? []) {
      const host = exactHostOf(vh);
      if (!host) continue; // unreachable: a client selects the exact virtual host of its target
      const prior = claimedBy.get(host);
      if (prior) {
        for (const r of vh.routes ?? []) {
          if (r.name && !prior.routes.has(r.name)) {
            rep.route(r.name, 'info', `host ${host} is also routed on entry point ${prior.ep}, which comes first: gRPC clients of xds:///${host} get ${prior.ep}'s routes, so this route of entry point ${ep} is not served to them`);
          }
        }
        continue;
      }
      const converted = convertVirtualHost(vh, host, droppedClusters, rep);
      if (!converted) continue;
      vhosts.push(converted);
      const names = new Set((converted.routes ?? []).map((r) => r.name ?? ''));
      claimedBy.set(host, { ep, routes: names });
      for (const n of names) served.add(baseName(n));
      listeners.push(apiListener(host, ep, rcName));
    }
    if (vhosts.length) routes.push({ ...rc, virtual_hosts: vhosts });
  }

  // Routers of the Envoy form that gRPC clients cannot reach at all, said once each (routers the Envoy form
  // already left out have their error).
  const inEnvoyForm = new Set<string>();
  for (const rc of src.routes) {
    if (!eps.includes((rc.name ?? '').split('/')[0])) continue;
    for (const vh of rc.virtual_hosts ?? []) for (const r of vh.routes ?? []) if (r.name) inEnvoyForm.add(baseName(r.name));
  }
  for (const r of model.httpRouters) {
    const k = `${r.ingressRoute.namespace}/${r.ingressRoute.name}/r${r.ingressRoute.routeIndex}`;
    if (!inEnvoyForm.has(k) || served.has(k) || rep.reported.has(k)) continue;
    if (r.tls) {
      rep.router(r, 'info', 'TLS routers are not served to gRPC clients (their certificates would have to come from certificate providers in the client bootstrap)');
    } else {
      rep.router(r, 'info', 'not served to gRPC clients: they reach routes only through a listener named by an exact host (xds:///<host>), and no exact Host(`...`) virtual host of its entry points holds this route');
    }
  }

  // Only what the served routes use.
  const used = new Set<string>();
  for (const rc of routes) {
    for (const vh of rc.virtual_hosts ?? []) {
      for (const r of vh.routes ?? []) {
        if (r.route?.cluster) used.add(r.route.cluster);
        for (const w of r.route?.weighted_clusters?.clusters ?? []) if (w.name) used.add(w.name);
      }
    }
  }
  const outClusters = [...clusters.values()].filter((c) => used.has(c.name ?? ''));
  const edsNames = new Set(outClusters.filter((c) => c.type === 'EDS').map((c) => c.eds_cluster_config?.service_name || c.name || ''));
  const endpoints = src.endpoints
    .filter((e) => edsNames.has(e.cluster_name ?? ''))
    .map((e) => convertLoadAssignment(e, rep, model));

  const byName = (a: { name?: string; cluster_name?: string }, b: { name?: string; cluster_name?: string }) => {
    const x = a.name ?? a.cluster_name ?? '';
    const y = b.name ?? b.cluster_name ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return {
    listeners: listeners.sort(byName),
    routes: routes.sort(byName),
    clusters: outClusters.sort(byName),
    endpoints: endpoints.sort(byName),
    secrets: [],
  };
}

function provenanceOf(model: Model, cluster: string): { subject: DiagnosticSubject; field?: string }[] {
  return (model.clusters.get(cluster)?.provenance ?? []).map((p) => ({ subject: p.subject, field: p.field }));
}

function apiListener(host: string, ep: string, routeConfigName: string): Listener {
  return {
    name: host,
    api_listener: {
      api_listener: {
        '@type': T.hcm,
        stat_prefix: ep,
        rds: { config_source: ADS, route_config_name: routeConfigName },
        http_filters: [{ name: ROUTER_FILTER, typed_config: { '@type': T.router } }],
      },
    },
  } as Listener;
}

/**
 * HTTP filters of the Envoy form run nowhere for gRPC clients. Middleware filters are disabled by default and
 * switched on per route (routes that do so are left out, each with its warning); a filter on for every route
 * is said here, per entry point.
 */
function reportFilters(listeners: Listener[], eps: string[], rep: Reporter): void {
  for (const l of listeners) {
    if (!l.name || !eps.includes(l.name)) continue;
    const names = new Set<string>();
    for (const fc of l.filter_chains ?? []) {
      for (const f of fc.filters ?? []) {
        const hcm = f.typed_config as Json | undefined;
        for (const hf of (hcm?.http_filters as { name?: string; disabled?: boolean }[] | undefined) ?? []) {
          if (hf.name && hf.name !== ROUTER_FILTER && hf.disabled !== true) names.add(hf.name);
        }
      }
    }
    if (names.size) {
      rep.static('warning', `entryPoints.${l.name}`, `HTTP filters ${[...names].sort().join(', ')} are not applied to gRPC clients (grpc-js runs only the router and fault filters)`);
    }
  }
}

// ---------------------------------------------------------------------------------------- clusters

function convertCluster(c: Cluster): { cluster: Cluster; warnings: string[] } | { drop: string } {
  const warnings: string[] = [];
  if (c.transport_socket) {
    return { drop: 'an https upstream needs TLS settings that gRPC clients take only from certificate providers in their bootstrap, not inline or over SDS' };
  }
  const type = c.type ?? 'STATIC';
  if (type === 'LOGICAL_DNS') {
    const eps = c.load_assignment?.endpoints ?? [];
    if (eps.length !== 1 || (eps[0].lb_endpoints ?? []).length !== 1) return { drop: 'a LOGICAL_DNS cluster must have exactly one locality with one endpoint for gRPC clients' };
  } else if (type !== 'EDS') {
    return { drop: `cluster type ${type} is not supported by gRPC clients (EDS and LOGICAL_DNS only)` };
  }
  const out: Cluster = { ...c };
  if (out.lb_policy !== undefined && out.lb_policy !== 'ROUND_ROBIN') {
    warnings.push(`load balancing ${out.lb_policy === 'LEAST_REQUEST' ? 'p2c (least request)' : String(out.lb_policy)} is not available to gRPC clients: round robin is used`);
    delete out.lb_policy;
  }
  delete out.least_request_lb_config;
  delete out.ring_hash_lb_config;
  delete out.maglev_lb_config;
  if (out.load_balancing_policy) {
    warnings.push('load_balancing_policy is not served to gRPC clients: round robin is used');
    delete out.load_balancing_policy;
  }
  // Not rejected by grpc-js (no validator reads it) but ignored: gRPC always speaks HTTP/2 to its backends,
  // and the Envoy form's HTTP/1.1 options would misdescribe that.
  delete out.typed_extension_protocol_options;
  return { cluster: out, warnings };
}

function convertLoadAssignment(cla: ClusterLoadAssignment, rep: Reporter, model: Model): ClusterLoadAssignment {
  const name = cla.cluster_name ?? '';
  const out: ClusterLoadAssignment = { ...cla };
  if (!cla.endpoints) return out;
  const seen = new Set<string>();
  out.endpoints = cla.endpoints.map((loc) => {
    const lbs = (loc.lb_endpoints ?? []).filter((lb) => {
      const sa = lb.endpoint?.address?.socket_address;
      const addr = sa?.address ?? '';
      if (!isIP(addr)) {
        rep.subjects('warning', provenanceOf(model, name), `endpoint ${addr} of cluster ${name} is left out: gRPC clients take IP addresses only from EDS`);
        return false;
      }
      const key = `${addr}|${sa?.port_value}`;
      if (seen.has(key)) return false; // grpc-js NACKs duplicate addresses
      seen.add(key);
      return true;
    });
    return { ...loc, locality: loc.locality ?? {}, load_balancing_weight: loc.load_balancing_weight ?? 1, lb_endpoints: lbs };
  });
  return out;
}

// ---------------------------------------------------------------------------------------- routes

function convertVirtualHost(vh: VirtualHost, host: string, droppedClusters: Map<string, string>, rep: Reporter): VirtualHost | undefined {
  const extra = keysOf(vh).filter((k) => !VHOST_KEYS.has(k));
  if (extra.length) {
    for (const r of vh.routes ?? []) {
      if (r.name) rep.route(r.name, 'warning', `virtual host ${host} uses ${extra.join(', ')}, which gRPC clients do not implement: its routes are not served to them`);
    }
    return undefined;
  }
  const routes: Route[] = [];
  const matcher = (vh as Json).matcher as Json | undefined;
  const list = matcher ? routesOfMatcher(matcher) : (vh.routes ?? []).map((route) => ({ route, needs: undefined }));
  if (matcher && !list) {
    rep.envoy('warning', `virtual host ${host}`, 'it uses a generic matcher of a shape this profile does not know: it is not served to gRPC clients');
    return undefined;
  }
  for (const { route: r, needs } of list ?? []) {
    if (needs) {
      if (r.name) rep.route(r.name, 'warning', `route ${r.name} is not served to gRPC clients: it tests ${needs}, which they cannot match`);
      continue;
    }
    const res = convertRoute(r, host, droppedClusters);
    if ('drop' in res) {
      if (r.name) rep.route(r.name, res.drop.severity, res.drop.message);
      continue;
    }
    for (const n of res.notes) rep.route(r.name ?? '', 'warning', `approximated: route ${r.name}: ${n}`);
    routes.push(res.route);
  }
  if (routes.length === 0) return undefined;
  const out: VirtualHost = { ...vh, routes };
  delete (out as Json).matcher;
  return out;
}

/**
 * The routes of a matcher-list virtual host (the Envoy form's generic matcher for ClientIP and negated
 * Query, which gRPC clients ignore), in order. Each route keeps its own RouteMatch; the conditions only the
 * predicate holds are named in `needs`. Undefined when the matcher has another shape.
 */
function routesOfMatcher(matcher: Json): { route: Route; needs?: string }[] | undefined {
  const list = (matcher.matcher_list as Json | undefined)?.matchers as Json[] | undefined;
  if (!list || keysOf(matcher).some((k) => k !== 'matcher_list')) return undefined;
  const out: { route: Route; needs?: string }[] = [];
  for (const m of list) {
    const tc = ((m.on_match as Json | undefined)?.action as Json | undefined)?.typed_config as Json | undefined;
    if (!tc || tc['@type'] !== ROUTE_TYPE) return undefined;
    const route = { ...tc } as Json;
    delete route['@type'];
    const needs = new Set<string>();
    walkTypes(m.predicate, (t) => {
      if (MATCHER_INPUTS[t]) needs.add(MATCHER_INPUTS[t]);
    });
    out.push({ route: route as Route, needs: needs.size ? [...needs].sort().join(' and ') : undefined });
  }
  return out;
}

function walkTypes(v: unknown, f: (typeUrl: string) => void): void {
  if (Array.isArray(v)) for (const x of v) walkTypes(x, f);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Json)) {
      if (k === '@type' && typeof x === 'string') f(x);
      else walkTypes(x, f);
    }
  }
}

function convertRoute(r: Route, host: string, droppedClusters: Map<string, string>): { route: Route; notes: string[] } | { drop: Drop } {
  const name = r.name ?? '';
  const warn = (message: string): { drop: Drop } => ({ drop: { severity: 'warning', message: `route ${name} is not served to gRPC clients: ${message}` } });
  for (const k of keysOf(r)) {
    if (ROUTE_KEYS.has(k)) continue;
    if (ACTION_KEYS[k]) return warn(`its action is ${ACTION_KEYS[k]}${k === 'direct_response' ? ' (e.g. every service weight is 0: Traefik answers 503)' : k === 'redirect' ? ' (a RedirectScheme middleware)' : ''}, and grpc-js rejects the whole route configuration for any action other than forwarding; requests fall through to the next matching route`);
    if (k === 'typed_per_filter_config') return warn(`it needs the HTTP filters ${Object.keys(r.typed_per_filter_config ?? {}).sort().join(', ')} (its middlewares), which gRPC clients do not run`);
    return warn(`it uses ${k}${/headers/.test(k) ? ' (a Headers middleware)' : ''}, which gRPC clients do not implement`);
  }
  if (!r.route) return warn('it has no forwarding action');

  // Match.
  const match = { ...(r.match ?? {}) } as Json;
  for (const k of keysOf(match)) {
    if (MATCH_KEYS.has(k)) continue;
    if (k === 'query_parameters') return warn('it matches query parameters, which gRPC clients ignore (the route would match more requests than Traefik does)');
    return warn(`its match uses ${k}, which gRPC clients do not support`);
  }
  if (!PATH_SPECIFIERS.some((k) => match[k] !== undefined)) return warn('its match has no prefix, path or safe_regex');
  const headers: Json[] = [];
  for (const h of (match.headers as Json[] | undefined) ?? []) {
    const hn = String(h.name ?? '').toLowerCase();
    const spec = specifiersOf(h);
    if (spec.some((k) => !HEADER_SPECIFIERS.includes(k))) return warn(`its header matcher on ${hn} uses ${spec.join(', ')}, which gRPC clients do not support`);
    if (h.invert_match === true && h.treat_missing_header_as_empty === true && h.string_match && evaluateString(h.string_match as Json, '') !== false) {
      // grpc-js ignores treat_missing_header_as_empty: a missing header would match where Envoy (and Traefik) do not.
      if (GRPC_REQUEST_HEADERS[hn] === undefined && hn !== ':authority' && hn !== 'host') return warn(`its negated header matcher on ${hn} also matches an empty value, and gRPC clients treat a missing header differently`);
    }
    const known = hn === ':authority' || hn === 'host' ? host : GRPC_REQUEST_HEADERS[hn];
    if (known !== undefined) {
      // gRPC clients match the call metadata only; what these headers hold in a gRPC request is known here.
      const v = evaluateHeader(h, known);
      if (v === undefined) return warn(`its header matcher on ${hn} cannot be decided for gRPC requests`);
      if (v) continue;
      return { drop: { severity: 'info', message: `route ${name} never matches a gRPC request to ${host} (${hn} is ${JSON.stringify(known)}), so it is not served to gRPC clients` } };
    }
    if (hn.startsWith(':')) return warn(`it tests ${hn}${hn === ':path' ? ' (a second or negated path condition)' : ''}, which gRPC clients cannot match (they match the path once and otherwise only metadata)`);
    if (hn.endsWith('-bin')) return warn(`it tests the binary header ${hn}, which gRPC clients never match`);
    if (hn === 'te' || hn === 'user-agent' || hn.startsWith('grpc-')) return warn(`it tests ${hn}, which gRPC clients set in the transport and do not match on`);
    headers.push(h);
  }
  if (headers.length) match.headers = headers;
  else delete match.headers;

  // Action.
  const notes: string[] = [];
  const action = { ...r.route } as Json;
  for (const k of ROUTE_ACTION_IGNORED) delete action[k];
  if (action.retry_policy) {
    const retry = convertRetryPolicy(action.retry_policy as Json);
    if ('note' in retry) {
      delete action.retry_policy;
      notes.push(retry.note);
    } else action.retry_policy = retry.policy;
  }
  for (const k of keysOf(action)) {
    if (ROUTE_ACTION_KEYS.has(k)) continue;
    const why = /rewrite/.test(k) ? ' (a path or Host rewrite by its middlewares)' : '';
    return warn(`its route action uses ${k}${why}, which gRPC clients do not implement`);
  }
  const targets: string[] = [];
  if (typeof action.cluster === 'string') targets.push(action.cluster);
  else if (action.weighted_clusters) {
    const wc = action.weighted_clusters as Json;
    for (const k of keysOf(wc)) if (!WEIGHTED_CLUSTERS_KEYS.has(k)) return warn(`its weighted clusters use ${k}, which gRPC clients do not implement`);
    for (const cw of (wc.clusters as Json[] | undefined) ?? []) {
      for (const k of keysOf(cw)) if (!CLUSTER_WEIGHT_KEYS.has(k)) return warn(`its weighted cluster ${String(cw.name)} uses ${k}, which gRPC clients do not implement`);
      targets.push(String(cw.name));
    }
  } else return warn('it forwards neither to a cluster nor to weighted clusters');
  for (const t of targets) {
    const why = droppedClusters.get(t);
    if (why !== undefined) return warn(`it forwards to cluster ${t}, which is not served to gRPC clients (${why})`);
  }
  return { route: { name: r.name, match: match as Route['match'], route: action as Route['route'] }, notes };
}

/**
 * gRPC clients retry only on gRPC status codes (retry_on cancelled, deadline-exceeded, internal,
 * resource-exhausted, unavailable), NACK num_retries < 1, and ignore the HTTP conditions (connect-failure,
 * reset, retriable-status-codes...) a Retry middleware gives. Keeps the gRPC tokens, else removes the policy.
 */
function convertRetryPolicy(p: Json): { policy: Json } | { note: string } {
  const tokens = String(p.retry_on ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const kept = tokens.filter((t) => GRPC_RETRY_ON.includes(t));
  const n = p.num_retries === undefined ? 1 : Number(p.num_retries);
  if (kept.length === 0 || !(n >= 1)) {
    return {
      note: n >= 1
        ? `its retry policy (retry on ${tokens.join(', ') || 'nothing'}) is not applied to gRPC clients, which retry only on gRPC status codes; they still retry transparently an RPC that never reached a backend`
        : 'its retry policy makes no retry (a single attempt), which gRPC clients express by having none',
    };
  }
  const out: Json = { ...p, retry_on: kept.join(',') };
  delete out.retriable_status_codes;
  return { policy: out };
}

/** The header_match_specifier fields set on a HeaderMatcher (the known ones and any other `*_match` oneof member). */
function specifiersOf(h: Json): string[] {
  return keysOf(h).filter((k) => k !== 'invert_match' && (HEADER_SPECIFIERS.includes(k) || k.endsWith('_match')));
}

/** Envoy's result for a header matcher on a header of known value; undefined when not decidable here. */
function evaluateHeader(h: Json, value: string): boolean | undefined {
  let base: boolean | undefined;
  if (h.string_match) base = evaluateString(h.string_match as Json, value);
  else if (h.exact_match !== undefined) base = value === h.exact_match;
  else if (h.prefix_match !== undefined) base = value.startsWith(String(h.prefix_match));
  else if (h.suffix_match !== undefined) base = value.endsWith(String(h.suffix_match));
  else if (h.present_match !== undefined) base = h.present_match === true;
  else if (h.safe_regex_match) base = fullMatch(String((h.safe_regex_match as Json).regex ?? ''), value);
  else if (specifiersOf(h).length === 0) base = true; // no specifier: presence
  if (base === undefined) return undefined;
  return h.invert_match === true ? !base : base;
}

function evaluateString(m: Json, value: string): boolean | undefined {
  const ic = m.ignore_case === true;
  const v = ic ? value.toLowerCase() : value;
  const s = (x: unknown) => (ic ? String(x).toLowerCase() : String(x));
  if (m.exact !== undefined) return v === s(m.exact);
  if (m.prefix !== undefined) return v.startsWith(s(m.prefix));
  if (m.suffix !== undefined) return v.endsWith(s(m.suffix));
  if (m.contains !== undefined) return v.includes(s(m.contains));
  if (m.safe_regex) return fullMatch(String((m.safe_regex as Json).regex ?? ''), value);
  return undefined;
}

/** Envoy's safe_regex is a full match with RE2. */
function fullMatch(regex: string, value: string): boolean | undefined {
  try {
    return re2Matches(`^(?:${regex})$`, value);
  } catch {
    return undefined;
  }
}
