// model → Envoy resources. A pure, deterministic function: same model and options, same output, sorted by name.
import { Diagnostics } from '../model/diagnostics';
import { buildHttpRouting } from './http/route-config';
import { buildHttpListener } from './http/listener';
import { buildTlsFilterChain } from './tls/downstream';
import { buildCertificateSecret } from './tls/secrets';
import { buildCluster } from './clusters';
import { buildLoadAssignment } from './endpoints';
import type { EnvoyResources } from '../envoy/resources';
import type { HttpRouter, Model } from '../model/model';
import type { TranslateOptions } from './options';
import { applyGrpcProfile } from './profiles/grpc';

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
  const certNames = [...model.certificates.keys()].sort();

  for (const ep of opts.entryPoints) {
    if (ep.protocol !== 'tcp') continue; // UDP entry points carry IngressRouteUDP only (not translated yet)
    const mine = model.httpRouters.filter((r) => r.entryPoints.includes(ep.name));
    const plain = mine.filter((r) => !r.tls);
    const tls = mine.filter((r) => r.tls);
    const plainRouting = buildHttpRouting(`${ep.name}/http`, plain, diags, false);
    out.routes.push(plainRouting.routeConfiguration);
    const tlsChains = [];
    if (tls.length > 0) {
      if (certNames.length === 0) {
        for (const r of tls) {
          diags.error(r.provenance.subject, 'spec.tls',
            `no TLS certificate is available for entry point ${ep.name} (no tls.secretName loaded): HTTPS routes are not served there`);
        }
      } else {
        const tlsRouting = buildHttpRouting(`${ep.name}/https/default`, tls, diags, true);
        out.routes.push(tlsRouting.routeConfiguration);
        tlsChains.push(buildTlsFilterChain(ep.name, 'default', certNames, tlsRouting.httpFilters));
      }
    }
    out.listeners.push(buildHttpListener(ep, tlsChains, plainRouting.httpFilters));
    for (const r of mine) for (const c of clustersOf(r)) usedClusters.add(c);
  }

  const hostRewrite = new Set<string>();
  for (const r of model.httpRouters) {
    if (r.action.type === 'forward') for (const t of r.action.targets) if (!t.passHostHeader) hostRewrite.add(t.cluster);
  }
  for (const name of [...usedClusters].sort()) {
    const c = model.clusters.get(name);
    if (!c) continue;
    out.clusters.push(buildCluster(c));
    if (c.discovery === 'eds') out.endpoints.push(buildLoadAssignment(c, hostRewrite.has(c.name)));
  }
  if (out.listeners.some((l) => (l.filter_chains ?? []).length > 1)) {
    for (const n of certNames) out.secrets.push(buildCertificateSecret(model.certificates.get(n)!));
  }
  out.listeners.sort(byName);
  out.routes.sort(byName);
  out.clusters.sort(byName);
  out.endpoints.sort(byName);
  out.secrets.sort(byName);
  // Proxyless gRPC clients get the subset of the Envoy form they accept (profiles/grpc.ts).
  if (opts.profile === 'grpc') return { resources: applyGrpcProfile(out, model, opts, diags), diagnostics: diags };
  return { resources: out, diagnostics: diags };
}

function clustersOf(r: HttpRouter): string[] {
  return r.action.type === 'forward' ? r.action.targets.map((t) => t.cluster) : [];
}
