// sources → model: parse and validate raw objects, resolve references, and produce the resolved model.
import { Diagnostics } from './diagnostics';
import { buildIndex, ObjectIndex, withWatches } from './object-index';
import { buildHttpRouters } from './http-routers';
import { buildIngressRouters } from './ingress-routers';
import { buildIngressStatus } from './ingress-status';
import { buildTlsModel } from './tls-options';
import { checkServersTransports } from './servers-transport';
import { buildTcpRouters } from './tcp-routers';
import { buildUdpRouters } from './udp-routers';
import type { Model, TcpUpstream, TlsCertificate, UpstreamCluster } from './model';
import type { ModelOptions } from './options';
import type { CertificateStore } from './certificates';
import type { RawObject, SourceSnapshot } from '../sources/types';
import type { IngressRouteMemo } from './ingressroute-memo';

export interface ModelResult {
  model: Model;
  diagnostics: Diagnostics;
  index: ObjectIndex;
}

export function buildModel(
  snapshot: SourceSnapshot,
  opts: ModelOptions,
  diags = new Diagnostics(),
  fallback?: (raw: RawObject) => RawObject | undefined,
  /** IngressRoutes' routers of earlier builds, reused where nothing they read changed (ingressroute-memo.ts). */
  memo?: IngressRouteMemo,
): ModelResult {
  for (const p of snapshot.problems) {
    diags.add({ severity: 'error', kind: 'File', message: p.message, source: `${p.pos.file}:${p.pos.line ?? 1}:${p.pos.column ?? 1}` });
  }
  const index = buildIndex(snapshot.objects, opts.provider, diags, fallback, opts.ingress?.namespaces);
  // The Ingress provider looks Services up in its own namespaces too (they may differ from kubernetesCRD's).
  const ingressIndex = opts.ingress ? withWatches(index, index.keeps) : index;
  const clusters = new Map<string, UpstreamCluster>();
  const certificates: CertificateStore = new Map();
  const tls = buildTlsModel(index, certificates, diags);
  const httpRouters = buildHttpRouters({ index, opts, diags, clusters, certificates, tls, memo, untracked: undefined });
  // Kubernetes Ingress objects (providers.kubernetesIngress): more HTTP routers of the same model.
  httpRouters.push(...buildIngressRouters({ index: ingressIndex, opts, diags, clusters, certificates, tls }));
  // TCP and UDP: IngressRouteTCP (with MiddlewareTCP, ServersTransportTCP) and IngressRouteUDP.
  const tcpClusters = new Map<string, TcpUpstream>();
  const clientCertificates = new Map<string, TlsCertificate>();
  const tcpCtx = { index, opts, diags, certificates, tls, tcpClusters, clientCertificates, cache: new Map() };
  const tcpRouters = buildTcpRouters(tcpCtx);
  const udpRouters = buildUdpRouters(tcpCtx);
  // Every ServersTransport is processed, referenced or not, as Traefik's provider does (its problems are logged).
  checkServersTransports({ index, opts, diags });
  reportUntranslatedKinds(index, diags);
  // Ingress status (ingressEndpoint): desired state for the Kubernetes source's writer, not for Envoy.
  const ingressStatus = buildIngressStatus(ingressIndex, opts.ingress, diags);
  const model: Model = { httpRouters, clusters, certificates, tls, tcpRouters, udpRouters, tcpClusters, clientCertificates, ...(ingressStatus ? { ingressStatus } : {}) };
  return { model, diagnostics: diags, index };
}

/** Kinds this version reads and validates but does not translate yet: said once per object, never silently. */
function reportUntranslatedKinds(index: ObjectIndex, diags: Diagnostics): void {
  const later: [Map<string, { kind: string; namespace: string; name: string; raw: { locate?: (f: string | undefined) => any } }>, string][] = [
  ];
  for (const [coll, msg] of later) {
    for (const o of ObjectIndex.sorted(coll)) {
      diags.warn({ kind: o.kind, namespace: o.namespace, name: o.name, locate: o.raw.locate }, undefined, msg);
    }
  }
}
