// The whole offline path, shared by `translate`, `validate` and (per rebuild) `serve`:
// static config → model options; sources → model; model → Envoy resources; resources → checked.
import * as fs from 'node:fs';
import { buildModel } from './model/build';
import { Diagnostics } from './model/diagnostics';
import { translate } from './translate';
import { validateResource } from './envoy/validate';
import { checkConsistency } from './envoy/consistency';
import { defaultEntryPoints } from './config/entrypoints';
import type { StaticConfig } from './config/types';
import type { ModelOptions } from './model/options';
import type { TranslateOptions, Profile } from './translate/options';
import type { EnvoyResources } from './envoy/resources';
import type { SourceSnapshot } from './sources/types';
import type { Model } from './model/model';

export interface PipelineResult {
  resources: EnvoyResources;
  diagnostics: Diagnostics;
  model: Model;
}

/** Model options from the static configuration: the manifests source's filters, else kubernetesCRD's. */
export function modelOptionsOf(config: StaticConfig, diags: Diagnostics): ModelOptions {
  const p = config.providers.manifests ?? config.providers.kubernetesCRD;
  const st = config.serversTransport;
  const readCAs = (list: string[], key: string): string[] => {
    const out: string[] = [];
    list.forEach((ca, i) => {
      if (ca.includes('-----BEGIN')) out.push(ca);
      else {
        try {
          out.push(fs.readFileSync(ca, 'utf8'));
        } catch (e) {
          diags.error({ kind: 'StaticConfig' }, `${key}[${i}]`, `cannot read ${ca}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      }
    });
    return out;
  };
  const rootCAs = readCAs(st.rootCAs, 'serversTransport.rootCAs');
  const tst = config.tcpServersTransport;
  return {
    provider: {
      namespaces: p?.namespaces ?? [],
      labelSelector: p?.labelSelector ?? '',
      ingressClass: p?.ingressClass ?? '',
      allowCrossNamespace: p?.allowCrossNamespace ?? false,
      allowExternalNameServices: p?.allowExternalNameServices ?? false,
      allowEmptyServices: p?.allowEmptyServices ?? false,
      nativeLBByDefault: p?.nativeLBByDefault ?? false,
      disableClusterScopeResources: p?.disableClusterScopeResources ?? false,
    },
    defaultRuleSyntax: config.core.defaultRuleSyntax,
    ...(config.providers.kubernetesIngress ? { ingress: config.providers.kubernetesIngress } : {}),
    entryPoints: Object.values(config.entryPoints).map((ep) => ({
      name: ep.name, protocol: ep.address.protocol, ...(ep.http.middlewares.length ? { middlewares: ep.http.middlewares } : {}),
      port: ep.address.port, tls: ep.http.tls !== undefined,
    })),
    defaultEntryPoints: defaultEntryPoints(config),
    defaultTransport: {
      insecureSkipVerify: st.insecureSkipVerify,
      rootCAs,
      maxIdleConnsPerHost: st.maxIdleConnsPerHost,
      dialTimeoutMs: st.forwardingTimeouts.dialTimeout,
      responseHeaderTimeoutMs: st.forwardingTimeouts.responseHeaderTimeout,
      idleConnTimeoutMs: st.forwardingTimeouts.idleConnTimeout,
      ...(st.spiffe ? { spiffe: { ids: st.spiffe.ids, trustDomain: st.spiffe.trustDomain } } : {}),
    },
    tcpTransport: {
      dialTimeoutMs: tst.dialTimeout,
      dialKeepAliveMs: tst.dialKeepAlive,
      tls: tst.tls && {
        insecureSkipVerify: tst.tls.insecureSkipVerify,
        rootCAs: readCAs(tst.tls.rootCAs, 'tcpServersTransport.tls.rootCAs'),
        spiffe: tst.tls.spiffe !== undefined,
      },
    },
  };
}

export function translateOptionsOf(config: StaticConfig, profile: Profile = 'envoy', only?: string[]): TranslateOptions {
  return {
    profile,
    entryPoints: Object.values(config.entryPoints)
      .filter((ep) => !only || only.length === 0 || only.includes(ep.name))
      .map((ep) => ({
        name: ep.name, host: ep.address.host, port: ep.address.port, protocol: ep.address.protocol,
        udpTimeoutMs: ep.udp.timeout, readTimeoutMs: ep.transport.respondingTimeouts.readTimeout,
        forwardedHeaders: { insecure: ep.forwardedHeaders.insecure, trustedIPs: ep.forwardedHeaders.trustedIPs },
        httpTls: ep.http.tls ? { options: entryPointTlsOption(ep.http.tls.options) ?? ep.http.tls.options } : undefined,
      })),
    ...(only?.length ? { entryPointOrder: only } : {}),
  };
}

/**
 * The TLS option id of `entryPoints.<ep>.http.tls.options`: Traefik's qualified names (`ns-name@kubernetescrd`,
 * `default`); undefined for another provider's option.
 */
export function entryPointTlsOption(name: string): string | undefined {
  if (!name) return 'default';
  const at = name.indexOf('@');
  if (at < 0) return name;
  return name.slice(at + 1) === 'kubernetescrd' ? name.slice(0, at) : undefined;
}

/** Entry-point features of the static configuration that are not translated yet: said, never silently dropped. */
export function reportUntranslatedStatic(config: StaticConfig, diags: Diagnostics): void {
  const s = { kind: 'StaticConfig' };
  for (const ep of Object.values(config.entryPoints)) {
    const f = `entryPoints.${ep.name}`;
    if (ep.http.tls) {
      if (entryPointTlsOption(ep.http.tls.options) === undefined) {
        diags.error(s, `${f}.http.tls.options`, `TLS options "${ep.http.tls.options}" come from a provider traefik-xds does not have; the entry point's routers without their own tls are not served over TLS there`);
      }
      if (ep.http.tls.certResolver) diags.warn(s, `${f}.http.tls.certResolver`, 'ignored: traefik-xds has no ACME client; certificates come from Secrets (TLSStore, tls.secretName)');
      if (ep.http.tls.domains.length) diags.info(s, `${f}.http.tls.domains`, 'ignored: only used for ACME requests');
    }
    if (ep.http.redirections) diags.warn(s, `${f}.http.redirections`, 'entry-point redirections are not translated by this version of traefik-xds yet');
    if (ep.proxyProtocol) diags.warn(s, `${f}.proxyProtocol`, 'PROXY protocol on entry points is not translated yet');
    if (ep.forwardedHeaders.trustedIPs.length || ep.forwardedHeaders.insecure) diags.warn(s, `${f}.forwardedHeaders`, 'forwardedHeaders is only used where middlewares read X-Forwarded-* (IPAllowList ipStrategy, ForwardAuth, Headers hostsProxyHeaders); otherwise not translated yet: Envoy keeps the incoming X-Forwarded-For, appends the peer address and uses the peer as the client address');
  }
}

/** Runs model and translation on a loaded snapshot, and checks the result against Envoy's protos. */
export function runPipeline(snapshot: SourceSnapshot, config: StaticConfig, profile: Profile = 'envoy'): PipelineResult {
  const diags = new Diagnostics();
  reportUntranslatedStatic(config, diags);
  const opts = modelOptionsOf(config, diags);
  const { model } = buildModel(snapshot, opts, diags);
  const t = translate(model, translateOptionsOf(config, profile));
  diags.merge(t.diagnostics);
  for (const problem of checkEnvoyResources(t.resources)) {
    // A translator bug, not a user error: still reported as a diagnostic so nothing invalid goes out silently.
    diags.error({ kind: 'Envoy', name: problem.resource }, problem.path, problem.message);
  }
  return { resources: t.resources, diagnostics: diags, model };
}

export interface EnvoyProblem {
  resource: string;
  path?: string;
  message: string;
}

const TYPES: [keyof EnvoyResources, string][] = [
  ['listeners', 'envoy.config.listener.v3.Listener'],
  ['routes', 'envoy.config.route.v3.RouteConfiguration'],
  ['clusters', 'envoy.config.cluster.v3.Cluster'],
  ['endpoints', 'envoy.config.endpoint.v3.ClusterLoadAssignment'],
  ['secrets', 'envoy.extensions.transport_sockets.tls.v3.Secret'],
];

/** Protos, protoc-gen-validate rules and cross-resource consistency. */
export function checkEnvoyResources(r: EnvoyResources): EnvoyProblem[] {
  const out: EnvoyProblem[] = [];
  for (const [key, type] of TYPES) {
    for (const res of r[key] as { name?: string; cluster_name?: string }[]) {
      const name = `${key}/${res.name ?? res.cluster_name ?? '?'}`;
      for (const e of validateResource(type, res)) out.push({ resource: name, path: e.path, message: e.message });
    }
  }
  for (const msg of checkConsistency(r)) out.push({ resource: 'snapshot', message: msg });
  return out;
}
