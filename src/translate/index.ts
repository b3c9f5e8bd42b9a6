// model → Envoy resources. A pure, deterministic function: same model and options, same output, sorted by name.
import { Diagnostics } from '../model/diagnostics';
import { buildHttpRouting } from './http/route-config';
import { buildHttpListener } from './http/listener';
import { buildCertificateSecret, clientCaSecret, generatedDefaultSecret } from './tls/secrets';
import { buildHttpsChains, GENERATED_DEFAULT_CERTIFICATE } from './tls/https';
import { buildCluster } from './clusters';
import { upstreamSecrets } from './upstream-tls';
import { buildLoadAssignment } from './endpoints';
import type { EnvoyResources } from '../envoy/resources';
import type { HttpRouter, Model } from '../model/model';
import { noAvailableServerCluster, routesUse, NO_AVAILABLE_SERVER_CLUSTER } from './http/service-tree';
import type { TranslateOptions } from './options';
import { applyGrpcProfile } from './profiles/grpc';
import { translateTcpUdp } from './tcp';
import { clustersOfRouter } from './router-clusters';

export interface TranslateResult {
  resources: EnvoyResources;
  diagnostics: Diagnostics;
}

const byName = <T extends { name?: string; cluster_name?: string }>(a: T, b: T) => {
  const x = a.name ?? a.cluster_name ?? '';
  const y = b.name ?? b.cluster_name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

export function translate(model: Model, opts: TranslateOptions): TranslateResult {
  const diags = new Diagnostics();
  const out: EnvoyResources = { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] };
  const usedClusters = new Set<string>();
  const tlsSecretNames = new Set<string>();
  const clientCaOptions = new Set<string>();

  for (const ep of opts.entryPoints) {
    if (ep.protocol !== 'tcp') continue; // UDP entry points carry IngressRouteUDP only (not translated yet)
    const mine = routersOfEntryPoint(model.httpRouters, ep.name);
    // Entry-point TLS (http.tls) makes every router of the entry point a TLS router, with the entry point's
    // options unless the router has its own tls.
    const epTls = ep.httpTls;
    const plain: HttpRouter[] = [];
    const tls: HttpRouter[] = [];
    for (let i = 0; i < mine.length; i++) {
      const r = mine[i];
      if (r.tls) tls.push(r);
      else if (!epTls) plain.push(r);
      else if (!model.tls.options.has(epTls.options)) {
        diags.error(r.provenance.subject, 'spec.entryPoints', `entry point ${ep.name} serves its routers with TLS options "${epTls.options}", which do not exist: route ${r.ingressRoute.routeIndex} is not served there`);
      } else tls.push({ ...r, tls: { options: epTls.options } });
    }
    const plainRouting = buildHttpRouting(`${ep.name}/http`, plain, diags, false, ep);
    out.routes.push(plainRouting.routeConfiguration);
    const tlsChains = [];
    if (tls.length > 0) {
      // One TLS filter chain (and route configuration) per TLS option, bound to its hosts (tls/https.ts).
      const https = buildHttpsChains(ep, tls, model, diags);
      out.routes.push(...https.routes);
      tlsChains.push(...https.chains);
      for (const n of https.secretNames) tlsSecretNames.add(n);
      for (const id of https.clientCaOptions) clientCaOptions.add(id);
    }
    out.listeners.push(buildHttpListener(ep, tlsChains, plainRouting.httpFilters));
    // Indexed loops over the routers and clusters: translate runs once per build, mostly unoptimised, where
    // each step of a for-of allocates an iterator result.
    for (let i = 0; i < mine.length; i++) addAll(usedClusters, clustersOfRouter(mine[i]).used);
  }

  const hostRewrite = new Set<string>();
  const routers = model.httpRouters;
  for (let i = 0; i < routers.length; i++) addAll(hostRewrite, clustersOfRouter(routers[i]).hostRewrite);
  const usedNames = [...usedClusters].sort();
  for (let i = 0; i < usedNames.length; i++) {
    const name = usedNames[i];
    const c = model.clusters.get(name);
    if (!c) {
      // Only when a route still forwards there (not when every level it reaches is empty: a 503 direct response).
      if (name === NO_AVAILABLE_SERVER_CLUSTER && routesUse(out.routes, name)) out.clusters.push(noAvailableServerCluster());
      continue;
    }
    out.clusters.push(buildCluster(c, diags));
    if (c.discovery === 'eds') out.endpoints.push(buildLoadAssignment(c, hostRewrite.has(c.name)));
  }
  for (const n of [...tlsSecretNames].sort()) {
    const c = model.certificates.get(n);
    if (c) out.secrets.push(buildCertificateSecret(c));
    else if (n === GENERATED_DEFAULT_CERTIFICATE) out.secrets.push(generatedDefaultSecret(model));
  }
  for (const id of [...clientCaOptions].sort()) out.secrets.push(clientCaSecret(model, id));
  // SDS secrets the upstream TLS contexts name (ServersTransport CAs and client certificates), once each.
  const haveSecrets = new Set(out.secrets.map((s) => s.name));
  for (const name of usedNames) {
    const c = model.clusters.get(name);
    for (const s of c ? upstreamSecrets(c) : []) {
      if (haveSecrets.has(s.name)) continue;
      haveSecrets.add(s.name);
      out.secrets.push(s);
    }
  }
  // TCP and UDP entry points (IngressRouteTCP, IngressRouteUDP): see tcp/index.ts.
  translateTcpUdp(model, opts, out, diags);
  out.listeners.sort(byName);
  out.routes.sort(byName);
  out.clusters.sort(byName);
  out.endpoints.sort(byName);
  out.secrets.sort(byName);
  // Proxyless gRPC clients get the subset of the Envoy form they accept (profiles/grpc.ts).
  if (opts.profile === 'grpc') return { resources: applyGrpcProfile(out, model, opts, diags), diagnostics: diags };
  return { resources: out, diagnostics: diags };
}

/** A loop, not a filter callback: a closure made per call loses its optimised code at each full collection. */
function routersOfEntryPoint(routers: HttpRouter[], ep: string): HttpRouter[] {
  const out: HttpRouter[] = [];
  for (let i = 0; i < routers.length; i++) if (routers[i].entryPoints.includes(ep)) out.push(routers[i]);
  return out;
}

function addAll(set: Set<string>, items: string[]): void {
  for (const x of items) set.add(x);
}
