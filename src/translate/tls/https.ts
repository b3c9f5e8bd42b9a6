// HTTPS routers of one entry point → TLS filter chains and their route configurations (traefik-semantics.md
// §13.3, traefik-to-envoy.md §10.5). TLS options are chosen by SNI, before HTTP routing, so they bind to host
// names: one filter chain per option with `server_names` = its hosts (the default option's chain catches
// every other name, unless sniStrict), each with its own RouteConfiguration in which routers of another
// option answer 421 Misdirected Request, as Traefik's SNI check does. A host claimed by routers with
// different options falls back to the default options for all of them (with a warning), as in Traefik.
import { buildHttpRouting } from '../http/route-config';
import { httpConnectionManager } from '../http/listener';
import { downstreamTlsContext } from './downstream-context';
import { DEFAULT_OPTIONS } from '../../model/tls-options';
import type { Diagnostics } from '../../model/diagnostics';
import type { HttpRouter, Model } from '../../model/model';
import type { FilterChain, RouteConfiguration } from '../../envoy/types';
import type { EntryPointAddress } from '../options';

/** SDS name of Traefik's self-signed default certificate, generated at start when the store names none. */
export const GENERATED_DEFAULT_CERTIFICATE = 'traefik-xds/default-certificate';

export interface HttpsOutput {
  chains: FilterChain[];
  routes: RouteConfiguration[];
  /** SDS names the chains reference (certificates first, then client CAs). */
  secretNames: string[];
  clientCaOptions: string[];
}

/** `server_names` accepts exact names and `*.suffix` wildcards only. */
function validServerName(h: string): boolean {
  return /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(h);
}

function routeKey(r: HttpRouter): string {
  const ir = r.ingressRoute;
  return `${ir.namespace}/${ir.name}/r${ir.routeIndex}`;
}

/** Routes of routers resolved to another option answer 421 without running their middlewares. */
function misdirect(rc: RouteConfiguration, keys: Set<string>): void {
  if (keys.size === 0) return;
  const hit = (name: string | undefined) => !!name && routeOfKeys(name, keys);
  const patch = (route: any) => {
    if (!hit(route.name)) return route;
    const { route: _r, redirect: _d, typed_per_filter_config: _t, request_headers_to_add: _a, request_headers_to_remove: _b,
      response_headers_to_add: _c, response_headers_to_remove: _e, ...rest } = route;
    return { ...rest, direct_response: { status: 421 } };
  };
  for (const vh of rc.virtual_hosts ?? []) {
    if (vh.routes) vh.routes = vh.routes.map(patch);
    const m = (vh as any).matcher;
    if (m) for (const fm of m.matcher_list.matchers) fm.on_match.action.typed_config = patch(fm.on_match.action.typed_config);
  }
}

/** Is `name` some key k or k/…? Its few prefixes ending at a slash are looked up, rather than every key scanned. */
function routeOfKeys(name: string, keys: Set<string>): boolean {
  if (keys.has(name)) return true;
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) if (keys.has(name.slice(0, i))) return true;
  return false;
}

export function buildHttpsChains(ep: EntryPointAddress, routers: HttpRouter[], model: Model, diags: Diagnostics): HttpsOutput {
  const options = model.tls.options;
  // Effective option per router on this entry point (conflict and host-less rules).
  const effective = new Map<HttpRouter, string>();
  for (const r of routers) {
    const id = r.tls!.options;
    if (id !== 'default' && r.tlsHosts.length === 0) {
      diags.warn(r.provenance.subject, 'spec.tls.options', `TLS options "${id}" can never be selected for a rule without Host (options are chosen by SNI): the default options apply on entry point ${ep.name}, as in Traefik`);
      effective.set(r, 'default');
    } else effective.set(r, id);
  }
  const byHost = new Map<string, Set<string>>();
  for (const r of routers) for (const h of r.tlsHosts) {
    const set = byHost.get(h) ?? new Set<string>();
    set.add(r.tls!.options);
    byHost.set(h, set);
  }
  for (const [h, ids] of byHost) {
    if (ids.size < 2) continue;
    for (const r of routers) {
      if (!r.tlsHosts.includes(h) || effective.get(r) === 'default') continue;
      diags.warn(r.provenance.subject, 'spec.tls.options', `host ${h} is served with different TLS options (${[...ids].sort().join(', ')}) on entry point ${ep.name}: Traefik falls back to the default options for all its routers, and so does traefik-xds`);
      effective.set(r, 'default');
    }
  }
  // Hosts of each option (after fallbacks). A host of a fallen-back router belongs to the default chain.
  const hostsOf = new Map<string, Set<string>>();
  for (const r of routers) {
    const id = effective.get(r)!;
    const set = hostsOf.get(id) ?? new Set<string>();
    for (const h of r.tlsHosts) if (validServerName(h)) set.add(h);
    hostsOf.set(id, set);
  }
  for (const [id, set] of hostsOf) {
    if (id === 'default') continue;
    for (const h of set) if ((hostsOf.get('default')?.has(h))) set.delete(h); // conflicting hosts went to default
  }
  const certNames = [model.tls.defaultCertificate ?? GENERATED_DEFAULT_CERTIFICATE,
    ...[...model.certificates.keys()].filter((n) => n !== model.tls.defaultCertificate).sort()];
  const out: HttpsOutput = { chains: [], routes: [], secretNames: certNames, clientCaOptions: [] };
  const ids = ['default', ...[...hostsOf.keys()].filter((i) => i !== 'default').sort()];
  for (const id of ids) {
    const opt = options.get(id) ?? DEFAULT_OPTIONS;
    let serverNames: string[] | undefined;
    if (id !== 'default') {
      serverNames = [...(hostsOf.get(id) ?? [])].sort();
      if (serverNames.length === 0) continue;
    } else if (opt.sniStrict) {
      // sniStrict: no catch-all; only names some certificate (or a default-option router) covers get a chain.
      const names = new Set<string>(hostsOf.get('default') ?? []);
      for (const c of model.certificates.values()) for (const n of c.sans) if (validServerName(n)) names.add(n);
      for (const other of ids) if (other !== 'default') for (const h of hostsOf.get(other) ?? []) names.delete(h);
      serverNames = [...names].sort();
      if (serverNames.length === 0) continue;
    }
    const rcName = `${ep.name}/https/${id}`;
    const routing = buildHttpRouting(rcName, routers, diags, true, ep);
    misdirect(routing.routeConfiguration, new Set(routers.filter((r) => effective.get(r) !== id).map(routeKey)));
    out.routes.push(routing.routeConfiguration);
    if (opt.clientAuth === 'verify-if-given' || opt.clientAuth === 'require-and-verify') out.clientCaOptions.push(id);
    out.chains.push({
      name: `https/${id}`,
      filter_chain_match: { transport_protocol: 'tls', ...(serverNames ? { server_names: serverNames } : {}) },
      transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: downstreamTlsContext(opt, certNames) },
      filters: [httpConnectionManager(`${ep.name}_https`, rcName, routing.httpFilters)],
    } as FilterChain);
  }
  return out;
}
