// ServersTransportTCP (traefik-semantics.md §5.8, §12.2) and the default@internal TCP transport: what the
// provider emits for each object (defaults, CA and client-certificate loading, logged-and-skipped failures),
// resolved once per object, and the reference rules of `services[].serversTransport` (§4.4).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { parseTraefikDuration } from '../config/duration';
import { certificateNames, secretValue } from './certificates';
import { makeID, normalize } from './naming';
import { ObjectIndex, subjectOf } from './object-index';
import { unavailableProvider } from './references';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { ServersTransportTCPObj } from './crds/types';
import type { Provenance, TcpTransport, TlsCertificate } from './model';
import type { DefaultTcpTransport, ModelOptions } from './options';

export const DEFAULT_TCP_TRANSPORT = 'default@internal';

/** Traefik's TCPServersTransport SetDefaults (dynamic config): 30 s, 15 s, 100 ms. */
const ST_DEFAULTS = { dialTimeoutMs: 30_000, dialKeepAliveMs: 15_000, terminationDelayMs: 100 };

/** The TLS client settings of a transport, as Traefik's dialer manager sees them. */
export interface TransportTls {
  serverName?: string;
  insecureSkipVerify: boolean;
  /** Valid PEM bundles. */
  rootCAs: string[];
  /** Some CA was given but none of it is a certificate: Go's pool is empty and every verification fails. */
  emptyPool: boolean;
  clientCertificates: string[];
  peerCertURI?: string;
  spiffe: boolean;
}

export interface ResolvedTransport {
  transport: TcpTransport;
  /** A serversTransport was named: its terminationDelay/proxyProtocol replace the service-level ones. */
  named: boolean;
  /** As written (0 = `proxyProtocol: {}`, which Traefik refuses at runtime for a transport). */
  proxyProtocol?: number;
  terminationDelayMs: number;
  tls?: TransportTls;
  subject?: DiagnosticSubject;
}

/** terminationDelay has no Envoy counterpart: tcp_proxy relays a half-close and waits for the other side. */
export function terminationDelayNote(ms: number): string {
  return ms < 0
    ? 'a negative terminationDelay never closes the read side, which is what Envoy\'s tcp_proxy does after a half-close: exact'
    : `approximated: after one side closes its write half, Traefik closes the connection ${ms} ms later; Envoy relays the half-close and waits for the other side to close (no timer)`;
}

/** A problem Traefik finds only when it builds the service (the router is then not served at all). */
export class TransportError extends Error {}

export interface TransportContext {
  index: ObjectIndex;
  opts: ModelOptions;
  diags: Diagnostics;
  clientCertificates: Map<string, TlsCertificate>;
  cache: Map<string, ResolvedTransport>;
}

export function defaultTcpTransportOptions(opts: ModelOptions): DefaultTcpTransport {
  return opts.tcpTransport ?? { dialTimeoutMs: 30_000, dialKeepAliveMs: 15_000 };
}

/** default@internal: the static tcpServersTransport (only dialTimeout, dialKeepAlive and tls are copied by Traefik). */
export function defaultTransport(opts: ModelOptions): ResolvedTransport {
  const d = defaultTcpTransportOptions(opts);
  const r: ResolvedTransport = {
    transport: { name: DEFAULT_TCP_TRANSPORT, dialTimeoutMs: d.dialTimeoutMs, dialKeepAliveMs: d.dialKeepAliveMs },
    named: false,
    terminationDelayMs: 0,
  };
  if (d.tls) {
    r.tls = { insecureSkipVerify: d.tls.insecureSkipVerify, rootCAs: d.tls.rootCAs, emptyPool: false, clientCertificates: [], spiffe: d.tls.spiffe };
  }
  return r;
}

/**
 * The transport of a TCP service reference (§4.4): `""` → default@internal; `x@provider` → only
 * `default@internal` exists here; else Normalize(ns-name) in the IngressRouteTCP's namespace.
 * Throws ReferenceLikeError (provider level: the service is skipped) or TransportError (runtime: the router fails).
 */
export function resolveTransportRef(ctx: TransportContext, parentNs: string, ref: string | undefined): ResolvedTransport {
  if (!ref) return defaultTransport(ctx.opts);
  if (ref.includes('@')) {
    if (!ctx.opts.provider.allowCrossNamespace && ref.endsWith('@kubernetescrd')) {
      throw new ProviderRefError(`invalid reference to serversTransport ${ref}: namespace-name@kubernetescrd format is not allowed when crossnamespace is disallowed`);
    }
    if (ref === DEFAULT_TCP_TRANSPORT) return { ...defaultTransport(ctx.opts), named: true };
    const at = ref.indexOf('@');
    throw new TransportError(unavailableProvider({ provider: ref.slice(at + 1), name: ref.slice(0, at) }));
  }
  const id = normalize(makeID(parentNs, ref));
  const obj = ObjectIndex.sorted(ctx.index.serversTransportTCPs).find((o) => normalize(makeID(o.namespace, o.name)) === id);
  if (!obj) throw new TransportError(`no transport configuration found for "${id}" (no ServersTransportTCP ${parentNs}/${ref})`);
  let r = ctx.cache.get(id);
  if (!r) {
    r = loadServersTransportTCP(ctx, obj);
    ctx.cache.set(id, r);
  }
  return r;
}

/** A reference Traefik's provider refuses: the service is skipped (logged). */
export class ProviderRefError extends Error {}

function duration(ctx: TransportContext, subject: DiagnosticSubject, field: string, v: string | number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const ms = parseTraefikDuration(v);
  if (typeof ms === 'number') return ms;
  ctx.diags.error(subject, field, `${ms.error}: the default ${dflt} ms is used, as Traefik does`);
  return dflt;
}

/** Provider processing of one ServersTransportTCP (kubernetes.go): defaults, durations, CAs, client certificates. */
function loadServersTransportTCP(ctx: TransportContext, st: ServersTransportTCPObj): ResolvedTransport {
  const subject = subjectOf(st);
  const spec = st.spec;
  const name = normalize(makeID(st.namespace, st.name));
  const r: ResolvedTransport = {
    transport: {
      name,
      dialTimeoutMs: duration(ctx, subject, 'spec.dialTimeout', spec.dialTimeout, ST_DEFAULTS.dialTimeoutMs),
      dialKeepAliveMs: duration(ctx, subject, 'spec.dialKeepAlive', spec.dialKeepAlive, ST_DEFAULTS.dialKeepAliveMs),
    },
    named: true,
    terminationDelayMs: duration(ctx, subject, 'spec.terminationDelay', spec.terminationDelay, ST_DEFAULTS.terminationDelayMs),
    subject,
  };
  if (spec.terminationDelay !== undefined) ctx.diags.info(subject, 'spec.terminationDelay', terminationDelayNote(r.terminationDelayMs));
  // Copied as written, without defaults: `proxyProtocol: {}` is version 0, which the dialer refuses.
  if (spec.proxyProtocol) r.proxyProtocol = spec.proxyProtocol.version ?? 0;
  const tls = spec.tls;
  if (tls) {
    const rootCAs: string[] = [];
    let garbage = false;
    const addCA = (pem: string | undefined, what: string, field: string) => {
      if (pem === undefined) return;
      const valid = validCertificates(pem);
      if (valid) rootCAs.push(valid);
      else {
        garbage = true;
        ctx.diags.error(subject, field, `${what} holds no PEM certificate: Go adds nothing to the CA pool`);
      }
    };
    (tls.rootCAsSecrets ?? []).forEach((s, i) => {
      const f = `spec.tls.rootCAsSecrets[${i}]`;
      addCA(loadCASecret(ctx, st.namespace, s, subject, f), `secret ${st.namespace}/${s}`, f);
    });
    (tls.rootCAs ?? []).forEach((ca, i) => {
      const f = `spec.tls.rootCAs[${i}]`;
      if (ca.secret !== undefined && ca.configMap !== undefined) {
        ctx.diags.error(subject, f, 'both secret and configMap are set: the CA is skipped, as Traefik does');
      } else if (ca.secret !== undefined) {
        addCA(loadCASecret(ctx, st.namespace, ca.secret, subject, `${f}.secret`), `secret ${st.namespace}/${ca.secret}`, `${f}.secret`);
      } else if (ca.configMap !== undefined) {
        addCA(loadCAConfigMap(ctx, st.namespace, ca.configMap, subject, `${f}.configMap`), `configMap ${st.namespace}/${ca.configMap}`, `${f}.configMap`);
      }
    });
    const clientCertificates: string[] = [];
    (tls.certificatesSecrets ?? []).forEach((s, i) => {
      const c = loadClientCertificate(ctx, st.namespace, s, subject, `spec.tls.certificatesSecrets[${i}]`);
      if (c && !clientCertificates.includes(c.name)) clientCertificates.push(c.name);
    });
    if (clientCertificates.length > 1) {
      ctx.diags.warn(subject, 'spec.tls.certificatesSecrets',
        `approximated: Envoy presents one client certificate (${clientCertificates[0]}); Go picks among ${clientCertificates.length} by the server's certificate request`);
    }
    if (tls.peerCertSANs?.length) {
      ctx.diags.warn(subject, 'spec.tls.peerCertSANs',
        'ignored, as in Traefik: its Kubernetes provider does not copy peerCertSANs into TCP transports (use peerCertURI)');
    }
    r.tls = {
      serverName: tls.serverName || undefined,
      insecureSkipVerify: tls.insecureSkipVerify ?? false,
      rootCAs,
      emptyPool: rootCAs.length === 0 && garbage,
      clientCertificates,
      peerCertURI: tls.peerCertURI || undefined,
      spiffe: tls.spiffe !== undefined,
    };
  }
  return r;
}

/** The certificate blocks of a PEM text that parse (as Go's AppendCertsFromPEM keeps), or undefined if none. */
export function validCertificates(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const ok = blocks.filter((b) => {
    try {
      new X509Certificate(b);
      return true;
    } catch {
      return false;
    }
  });
  return ok.length ? ok.join('\n') + '\n' : undefined;
}

function loadCASecret(ctx: TransportContext, ns: string, name: string, subject: DiagnosticSubject, field: string): string | undefined {
  const secret = ctx.index.secrets.get(ObjectIndex.key(ns, name));
  if (!secret) {
    ctx.diags.error(subject, field, `secret '${ns}/${name}' not found: the CA is skipped, as Traefik does`);
    return undefined;
  }
  const v = secretValue(secret, 'tls.ca') ?? secretValue(secret, 'ca.crt');
  if (v !== undefined) return v;
  const keys = [...Object.keys(secret.spec.data ?? {}), ...Object.keys(secret.spec.stringData ?? {})];
  if (keys.length === 1) return secretValue(secret, keys[0]!);
  ctx.diags.error(subject, field, `secret ${ns}/${name} contains neither tls.ca nor ca.crt: the CA is skipped, as Traefik does`);
  return undefined;
}

function loadCAConfigMap(ctx: TransportContext, ns: string, name: string, subject: DiagnosticSubject, field: string): string | undefined {
  const cm = ctx.index.configMaps.get(ObjectIndex.key(ns, name));
  if (!cm) {
    ctx.diags.error(subject, field, `configMap '${ns}/${name}' not found: the CA is skipped, as Traefik does`);
    return undefined;
  }
  const v = cm.spec.data?.['tls.ca'] ?? cm.spec.data?.['ca.crt'];
  if (v === undefined) ctx.diags.error(subject, field, `config map ${ns}/${name} contains neither tls.ca nor ca.crt: the CA is skipped, as Traefik does`);
  return v;
}

/** `certificatesSecrets[]`: a client certificate (tls.crt/tls.key), served to Envoy over SDS as `ns/name`. */
function loadClientCertificate(ctx: TransportContext, ns: string, name: string, subject: DiagnosticSubject, field: string): TlsCertificate | undefined {
  const sdsName = `${ns}/${name}`;
  const provenance: Provenance = { kind: subject.kind, namespace: ns, name: subject.name ?? '', field, subject };
  const existing = ctx.clientCertificates.get(sdsName);
  if (existing) {
    existing.provenance.push(provenance);
    return existing;
  }
  const skip = (why: string) => {
    ctx.diags.error(subject, field, `${why}: this client certificate is not sent, as Traefik skips it`);
    return undefined;
  };
  const secret = ctx.index.secrets.get(ObjectIndex.key(ns, name));
  if (!secret) return skip(`secret '${ns}/${name}' does not exist`);
  const certPem = secretValue(secret, 'tls.crt');
  const keyPem = secretValue(secret, 'tls.key');
  if (!certPem || !keyPem) return skip(`secret ${ns}/${name} must contain non-empty tls.crt and tls.key`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return skip(`secret ${ns}/${name}: tls.crt is not a PEM certificate`);
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return skip(`secret ${ns}/${name}: tls.key does not belong to tls.crt`);
  } catch {
    return skip(`secret ${ns}/${name}: tls.key is not a PEM private key`);
  }
  const c: TlsCertificate = { name: sdsName, certPem, keyPem, sans: certificateNames(cert), provenance: [provenance] };
  ctx.clientCertificates.set(sdsName, c);
  return c;
}
