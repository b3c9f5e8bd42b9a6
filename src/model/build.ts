// sources → model: parse and validate raw objects, resolve references, and produce the resolved model.
import { Diagnostics } from './diagnostics';
import { buildIndex, ObjectIndex } from './object-index';
import { buildHttpRouters } from './http-routers';
import type { Model, UpstreamCluster } from './model';
import type { ModelOptions } from './options';
import type { CertificateStore } from './certificates';
import type { RawObject, SourceSnapshot } from '../sources/types';

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
): ModelResult {
  for (const p of snapshot.problems) {
    diags.add({ severity: 'error', kind: 'File', message: p.message, source: `${p.pos.file}:${p.pos.line ?? 1}:${p.pos.column ?? 1}` });
  }
  const index = buildIndex(snapshot.objects, opts.provider, diags, fallback);
  const clusters = new Map<string, UpstreamCluster>();
  const certificates: CertificateStore = new Map();
  const httpRouters = buildHttpRouters({ index, opts, diags, clusters, certificates });
  reportUntranslatedKinds(index, diags);
  return { model: { httpRouters, clusters, certificates }, diagnostics: diags, index };
}

/** Kinds this version reads and validates but does not translate yet: said once per object, never silently. */
function reportUntranslatedKinds(index: ObjectIndex, diags: Diagnostics): void {
  const later: [Map<string, { kind: string; namespace: string; name: string; raw: { locate?: (f: string | undefined) => any } }>, string][] = [
    [index.ingressRouteTCPs as any, 'IngressRouteTCP is not translated by this version of traefik-xds yet; its routes are not served'],
    [index.ingressRouteUDPs as any, 'IngressRouteUDP is not translated by this version of traefik-xds yet; its routes are not served'],
    [index.middlewareTCPs as any, 'MiddlewareTCP is not translated by this version of traefik-xds yet'],
    [index.tlsOptions as any, 'TLSOption is not translated by this version of traefik-xds yet; TLS routes that name it are left out, the others use Envoy-side defaults close to Traefik\'s default options'],
    [index.tlsStores as any, 'TLSStore is not translated by this version of traefik-xds yet; only certificates named by IngressRoute tls.secretName are served'],
    [index.serversTransports as any, 'ServersTransport is not translated by this version of traefik-xds yet; services use the default@internal transport'],
    [index.serversTransportTCPs as any, 'ServersTransportTCP is not translated by this version of traefik-xds yet'],
  ];
  for (const [coll, msg] of later) {
    for (const o of ObjectIndex.sorted(coll)) {
      diags.warn({ kind: o.kind, namespace: o.namespace, name: o.name, locate: o.raw.locate }, undefined, msg);
    }
  }
}
