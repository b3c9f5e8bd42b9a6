// TCP and UDP entry points: called once the HTTP translation has built its listeners. A TCP entry point with
// TCP routers gets its listener rebuilt with the TCP chains (tcp/listener.ts); a UDP entry point with a UDP
// router gets a UDP listener (udp/listener.ts). Their clusters, assignments and secrets are added to `out`.
import { ADS } from '../type-urls';
import { buildCertificateSecret, clientCaSecret, generatedDefaultSecret } from '../tls/secrets';
import { GENERATED_DEFAULT_CERTIFICATE } from '../tls/https';
import { clientCaSecretName } from '../tls/downstream-context';
import { buildTcpEntryPoint } from './listener';
import { buildTcpCluster, buildTcpLoadAssignment, closedCluster } from './clusters';
import { CLOSED_CLUSTER } from './chains';
import { buildUdpEntryPoint, UDP_CLOSED_CLUSTER } from '../udp/listener';
import type { Diagnostics } from '../../model/diagnostics';
import type { EnvoyResources } from '../../envoy/resources';
import type { Model, TlsCertificate } from '../../model/model';
import type { Secret } from '../../envoy/types';
import type { TranslateOptions } from '../options';

export function translateTcpUdp(model: Model, opts: TranslateOptions, out: EnvoyResources, diags: Diagnostics): void {
  if (model.tcpRouters.length === 0 && model.udpRouters.length === 0) return;
  // The default store as the HTTPS chains offer it: its default certificate first (Traefik's generated one
  // when the TLSStore names none), then every other certificate; Envoy selects among them by SNI.
  const certNames = [model.tls.defaultCertificate ?? GENERATED_DEFAULT_CERTIFICATE,
    ...[...model.certificates.keys()].filter((n) => n !== model.tls.defaultCertificate).sort()];
  const tlsOptions = new Set<string>();
  const clusters = new Set<string>();
  const closed = new Set<string>();
  let needCertificates = false;
  for (const ep of opts.entryPoints) {
    if (ep.protocol === 'tcp') {
      const i = out.listeners.findIndex((l) => l.name === ep.name);
      if (i < 0) continue;
      const res = buildTcpEntryPoint(ep, out.listeners[i]!, model, certNames, diags);
      if (!res) continue;
      out.listeners[i] = res.listener;
      for (const r of res.routers) if (r.action.type === 'forward') for (const t of r.action.targets) clusters.add(t.cluster);
      if (res.usesClosed) closed.add(CLOSED_CLUSTER);
      needCertificates ||= res.usesCertificates;
      for (const id of res.tlsOptions) tlsOptions.add(id);
    } else {
      const res = buildUdpEntryPoint(ep, model, diags);
      if (!res) continue;
      out.listeners.push(res.listener);
      for (const c of res.clusters) clusters.add(c);
      if (res.usesClosed) closed.add(UDP_CLOSED_CLUSTER);
      if (res.merged) {
        out.clusters.push({ name: res.merged.name, type: 'EDS', eds_cluster_config: { service_name: res.merged.name, eds_config: ADS } });
        out.endpoints.push(buildTcpLoadAssignment(res.merged.name, res.merged.endpoints));
      }
    }
  }
  const clientCertificates = new Set<string>();
  for (const name of [...clusters].sort()) {
    const c = model.tcpClusters.get(name);
    if (!c) continue;
    out.clusters.push(buildTcpCluster(c, diags));
    if (c.discovery === 'eds' && !c.failAll) out.endpoints.push(buildTcpLoadAssignment(c.name, c.endpoints));
    const cc = c.tls?.clientCertificates[0];
    if (cc) clientCertificates.add(cc);
  }
  for (const name of closed) out.clusters.push(closedCluster(name));
  // Secrets: the default store when a TCP chain terminates TLS, and the client certificates of the transports.
  const have = new Set(out.secrets.map((s) => s.name));
  const add = (name: string, secret: () => Secret | undefined) => {
    if (have.has(name)) return;
    const s = secret();
    if (!s) return;
    have.add(name);
    out.secrets.push(s);
  };
  const cert = (c: TlsCertificate | undefined) => () => (c ? buildCertificateSecret(c) : undefined);
  if (needCertificates) {
    for (const n of certNames) add(n, n === GENERATED_DEFAULT_CERTIFICATE ? () => generatedDefaultSecret(model) : cert(model.certificates.get(n)));
  }
  // Client CAs of the TLS options that verify client certificates.
  for (const id of [...tlsOptions].sort()) {
    const opt = model.tls.options.get(id);
    if (opt && (opt.clientAuth === 'verify-if-given' || opt.clientAuth === 'require-and-verify')) add(clientCaSecretName(opt), () => clientCaSecret(model, id));
  }
  for (const n of [...clientCertificates].sort()) add(n, cert(model.clientCertificates.get(n)));
}
