// ServersTransportTCP (traefik-semantics.md §5.8, §12.2) and the default@internal TCP transport: what the
// provider emits for each object (defaults, CA and client-certificate loading, logged-and-skipped failures),
// resolved once per object, and the reference rules of `services[].serversTransport` (§4.4).
import { parseTraefikDuration } from '../config/duration';
import { makeID, normalize } from './naming';
import { ObjectIndex, byTraefikId, subjectOf } from './object-index';
import { unavailableProvider } from './references';
import { loadClientCertificate, loadRootCAs } from './transport-certificates';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { ServersTransportTCPObj } from './crds/types';
import type { TcpTransport, TlsCertificate } from './model';
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
  const obj = byTraefikId(ctx.index.serversTransportTCPs).get(id)?.[0];
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
    const cas = loadRootCAs(ctx, st.namespace, tls, subject, 'spec.tls');
    const clientCertificates: string[] = [];
    (tls.certificatesSecrets ?? []).forEach((s, i) => {
      const c = sharedClientCertificate(ctx, st.namespace, s, subject, `spec.tls.certificatesSecrets[${i}]`);
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
      rootCAs: cas.pems,
      emptyPool: cas.given && cas.pems.length === 0,
      clientCertificates,
      peerCertURI: tls.peerCertURI || undefined,
      spiffe: tls.spiffe !== undefined,
    };
  }
  return r;
}

/** A client certificate, loaded once per build however many transports name it (each adds its provenance). */
function sharedClientCertificate(ctx: TransportContext, ns: string, name: string, subject: DiagnosticSubject, field: string): TlsCertificate | undefined {
  const existing = ctx.clientCertificates.get(`${ns}/${name}`);
  if (existing) {
    existing.provenance.push({ kind: subject.kind, namespace: ns, name: subject.name ?? '', field, subject });
    return existing;
  }
  const c = loadClientCertificate(ctx, ns, name, subject, field);
  if (c) ctx.clientCertificates.set(c.name, c);
  return c;
}
