// ServersTransport (traefik-semantics.md §4.4, §5.7, §12.1) and the static `serversTransport` (default@internal):
// - the reference rules of `services[].serversTransport` (resolved in the Service's namespace);
// - what Traefik's provider emits for each object (kubernetes.go: defaults, CA and client-certificate loading,
//   logged-and-skipped failures, cipher and version filtering);
// - what its transport manager then builds (transport.go createTLSConfig: any error falls back to Go's default
//   TLS configuration);
// - the settings one HTTP upstream gets from its transport (timeouts, HTTP/2, TLS client).
import { isIP } from 'node:net';
import { parseTraefikDuration, formatDuration } from '../config/duration';
import { makeID, normalize } from './naming';
import { ObjectIndex, byTraefikId, subjectOf } from './object-index';
import { unavailableProvider } from './references';
import { ServiceError } from './services';
import { Diagnostics, type DiagnosticSubject } from './diagnostics';
import { loadClientCertificate, loadRootCAs, validCertificates } from './transport-certificates';
import type { ServersTransportObj } from './crds/types';
import type { CaBundle, Scheme, TlsCertificate, UpstreamCluster, UpstreamTls } from './model';
import type { ModelOptions } from './options';

export const DEFAULT_TRANSPORT = 'default@internal';

/** Traefik's ForwardingTimeouts.SetDefaults (dynamic configuration): what a ServersTransport gets when it says nothing. */
export const FORWARDING_TIMEOUT_DEFAULTS = { dialTimeoutMs: 30_000, responseHeaderTimeoutMs: 0, idleConnTimeoutMs: 90_000, readIdleTimeoutMs: 0, pingTimeoutMs: 15_000 };
/** Go's http.DefaultMaxIdleConnsPerHost: what `maxIdleConnsPerHost: 0` (or omitted on a ServersTransport) means. */
export const GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST = 2;
/** Go's HTTP/2 PingTimeout when zero. */
const GO_DEFAULT_PING_TIMEOUT_MS = 15_000;
/** A dial without a timeout is still bounded by the kernel (Linux: 6 SYN retries ≈ 127 s); Envoy needs a value. */
export const NO_DIAL_TIMEOUT_MS = 127_000;
/** UpstreamTlsContext.sni (PGV max_bytes). */
const MAX_SNI_BYTES = 255;

/** Traefik's `tls.CipherSuites` map (pkg/tls/cipher.go): the Go names a ServersTransport may list. */
const GO_CIPHER_SUITES = new Set([
  'TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA256', 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_FALLBACK_SCSV',
]);
/** Traefik's `tls.MinVersion` / `tls.MaxVersion` maps. */
const TLS_VERSIONS: Record<string, number> = { VersionTLS10: 0x0301, VersionTLS11: 0x0302, VersionTLS12: 0x0303, VersionTLS13: 0x0304 };

/** The TLS client settings of a transport, once Traefik's transport manager accepted them. */
export interface TransportTls {
  serverName?: string;
  insecureSkipVerify: boolean;
  /** The readable CA certificates as one SDS bundle; undefined = the system roots. */
  ca?: CaBundle;
  /** Some CA was given but none of it is a certificate: Go verifies against an empty pool, which always fails. */
  emptyPool: boolean;
  /** Loaded client certificates, in order (Envoy sends the first). */
  clientCertificates: TlsCertificate[];
  /** peerCertSANs, then peerCertURI: the server certificate must carry one of them (after chain verification). */
  peerSANs: { type: 'DNS' | 'URI'; value: string }[];
  cipherSuites?: string[];
  minVersion?: string;
  maxVersion?: string;
  /** SPIFFE mTLS: the authorized IDs, else the trust domain (empty: any SPIFFE ID). */
  spiffe?: { ids: string[]; trustDomain: string };
}

/** A ServersTransport as Traefik runs it. */
export interface HttpTransport {
  /** Traefik's name: `default@internal` or `<Normalize(ns-name)>@kubernetescrd`. */
  name: string;
  /** Where its problems are reported: the ServersTransport object, or the static configuration. */
  subject: DiagnosticSubject;
  /** Field path prefix of its settings: `spec` or `serversTransport`. */
  fieldPrefix: string;
  dialTimeoutMs: number;
  responseHeaderTimeoutMs: number;
  idleConnTimeoutMs: number;
  readIdleTimeoutMs: number;
  pingTimeoutMs: number;
  /** 0 = Go's default (2); negative = no reuse. */
  maxIdleConnsPerHost: number;
  disableHTTP2: boolean;
  /** undefined: Go's default TLS configuration (system roots, the server URL's host for SNI and verification). */
  tls?: TransportTls;
}

export interface TransportContext {
  index: ObjectIndex;
  opts: ModelOptions;
  diags: Diagnostics;
}

/**
 * Resolved transports of one model build, keyed by ObjectIndex (one index per build). Each keeps the diagnostics
 * of its processing, reported once by checkServersTransports (whoever resolved it first).
 */
interface Loaded {
  transport: HttpTransport;
  diags: Diagnostics;
}
const caches = new WeakMap<ObjectIndex, Map<string, Loaded>>();

function cacheOf(index: ObjectIndex): Map<string, Loaded> {
  let c = caches.get(index);
  if (!c) {
    c = new Map();
    caches.set(index, c);
  }
  return c;
}

/** The id Traefik gives a ServersTransport object: Normalize(makeID(ns, name)). */
function transportId(o: { namespace: string; name: string }): string {
  return normalize(makeID(o.namespace, o.name));
}

/**
 * The transport of an HTTP service reference (§4.4, Traefik's makeServersTransportKey, then the transport
 * manager's lookup): `""` → default@internal; `x@kubernetescrd` needs allowCrossNamespace and names a
 * ServersTransport by Traefik's id (`<namespace>-<name>`); `default@internal`; any other `@provider` does not
 * exist here; a plain name is looked up in the Service's namespace. Throws ServiceError (the route is left out).
 */
export function resolveTransportRef(ctx: TransportContext, serviceNs: string, ref: string | undefined): HttpTransport {
  if (!ref) return defaultTransport(ctx);
  const field = 'serversTransport';
  if (ref.includes('@')) {
    const at = ref.lastIndexOf('@');
    const provider = ref.slice(at + 1);
    const bare = ref.slice(0, at);
    if (provider === 'kubernetescrd' && !ctx.opts.provider.allowCrossNamespace) {
      throw new ServiceError(`invalid reference to serversTransport ${ref}: namespace-name@kubernetescrd format is not allowed when crossnamespace is disallowed`, field);
    }
    if (ref === DEFAULT_TRANSPORT) return defaultTransport(ctx);
    if (provider !== 'kubernetescrd') throw new ServiceError(unavailableProvider({ provider, name: bare }), field);
    const obj = findById(ctx, bare, undefined, field);
    if (!obj) throw new ServiceError(`servers transport not found ${ref}: no ServersTransport has the id "${bare}" (<namespace>-<name>)`, field);
    return loadCached(ctx, obj);
  }
  const id = normalize(makeID(serviceNs, ref));
  const obj = findById(ctx, id, { namespace: serviceNs, name: ref }, field);
  if (!obj) {
    throw new ServiceError(`servers transport not found ${id}@kubernetescrd: there is no ServersTransport ${serviceNs}/${ref} (a serversTransport is looked up in the Service's namespace)`, field);
  }
  return loadCached(ctx, obj);
}

/** Traefik looks transports up by id only: an exact namespace/name wins, another object with the same id is used (warned). */
function findById(ctx: TransportContext, id: string, exact: { namespace: string; name: string } | undefined, _field: string): ServersTransportObj | undefined {
  if (exact) {
    const o = ctx.index.serversTransports.get(ObjectIndex.key(exact.namespace, exact.name));
    if (o) return o;
  }
  const all = byTraefikId(ctx.index.serversTransports).get(id) ?? [];
  if (all.length > 1) {
    ctx.diags.warn(subjectOf(all[all.length - 1]!), undefined,
      `ServersTransports ${all.map((o) => `${o.namespace}/${o.name}`).join(', ')} share Traefik's id "${id}": Traefik keeps only one of them; ${all[all.length - 1]!.namespace}/${all[all.length - 1]!.name} is used`);
  }
  return all[all.length - 1];
}

function loadCached(ctx: TransportContext, obj: ServersTransportObj): HttpTransport {
  const cache = cacheOf(ctx.index);
  const key = ObjectIndex.key(obj.namespace, obj.name);
  let l = cache.get(key);
  if (!l) {
    const diags = new Diagnostics();
    l = { transport: loadServersTransport({ ...ctx, diags }, obj), diags };
    cache.set(key, l);
  }
  return l.transport;
}

/**
 * Processes every ServersTransport (Traefik's provider does, referenced or not) and default@internal, and reports
 * what their processing found, once each.
 */
export function checkServersTransports(ctx: TransportContext): void {
  for (const o of ObjectIndex.sorted(ctx.index.serversTransports)) loadCached(ctx, o);
  defaultTransport(ctx);
  for (const l of cacheOf(ctx.index).values()) ctx.diags.merge(l.diags);
}

/**
 * default@internal by static options: it reads nothing else, and the indexes an IngressRoute is built with while
 * the memo logs its reads are one per IngressRoute (ingressroute-memo.ts), so a cache by index would load it again
 * for each.
 */
const defaults = new WeakMap<ModelOptions, Loaded>();

/** default@internal: the static `serversTransport` (insecureSkipVerify, rootCAs, maxIdleConnsPerHost, 3 timeouts, spiffe). */
export function defaultTransport(ctx: TransportContext): HttpTransport {
  const cache = cacheOf(ctx.index);
  const cached = cache.get(DEFAULT_TRANSPORT);
  if (cached) return cached.transport;
  let loaded = defaults.get(ctx.opts);
  if (!loaded) {
    const diags = new Diagnostics();
    loaded = { transport: loadDefaultTransport({ ...ctx, diags }), diags };
    defaults.set(ctx.opts, loaded);
  }
  cache.set(DEFAULT_TRANSPORT, loaded);
  return loaded.transport;
}

function loadDefaultTransport(ctx: TransportContext): HttpTransport {
  const d = ctx.opts.defaultTransport;
  const subject: DiagnosticSubject = { kind: 'StaticConfig' };
  const t: HttpTransport = {
    name: DEFAULT_TRANSPORT,
    subject,
    fieldPrefix: 'serversTransport',
    dialTimeoutMs: d.dialTimeoutMs,
    responseHeaderTimeoutMs: d.responseHeaderTimeoutMs ?? 0,
    idleConnTimeoutMs: d.idleConnTimeoutMs,
    // Traefik copies only these three timeouts from the static configuration: no HTTP/2 pings.
    readIdleTimeoutMs: 0,
    pingTimeoutMs: 0,
    maxIdleConnsPerHost: d.maxIdleConnsPerHost ?? 200,
    disableHTTP2: false,
  };
  const rootCAs: string[] = [];
  let garbage = false;
  for (const pem of d.rootCAs) {
    const ok = validCertificates(pem);
    if (ok) rootCAs.push(ok);
    else garbage = true;
  }
  if (garbage) ctx.diags.error(subject, 'serversTransport.rootCAs', 'a root CA holds no PEM certificate: Go adds nothing to the pool for it');
  const settings: RawTls = {
    insecureSkipVerify: d.insecureSkipVerify,
    rootCAs,
    caGiven: d.rootCAs.length > 0,
    caName: `ServersTransport/${DEFAULT_TRANSPORT}/root-cas`,
    clientCertificates: [],
    peerSANs: [],
    spiffe: d.spiffe ? { ids: d.spiffe.ids, trustDomain: d.spiffe.trustDomain } : undefined,
  };
  t.tls = createTlsConfig(ctx, t, settings);
  reportTransportApproximations(ctx, t, {});
  return t;
}

/** What the provider hands to the transport manager (before createTLSConfig): the CAs are not a bundle yet. */
interface RawTls extends Pick<TransportTls,
  'serverName' | 'insecureSkipVerify' | 'clientCertificates' | 'peerSANs' | 'cipherSuites' | 'minVersion' | 'maxVersion' | 'spiffe'> {
  rootCAs: string[];
  /** Any CA was emitted (even one without a certificate in it): Go then builds its own pool. */
  caGiven: boolean;
  caName: string;
}

function duration(ctx: TransportContext, subject: DiagnosticSubject, field: string, v: string | number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const ms = parseTraefikDuration(v);
  if (typeof ms === 'number') return ms;
  ctx.diags.error(subject, field, `${ms.error}: the default ${formatDuration(dflt)} is kept, as Traefik does`);
  return dflt;
}

/** Traefik's provider processing of one ServersTransport (kubernetes.go), then createTLSConfig. */
function loadServersTransport(ctx: TransportContext, st: ServersTransportObj): HttpTransport {
  const subject = subjectOf(st);
  const spec = st.spec ?? {};
  const ns = st.namespace;
  const ft = spec.forwardingTimeouts ?? {};
  const D = FORWARDING_TIMEOUT_DEFAULTS;
  const t: HttpTransport = {
    name: `${transportId(st)}@kubernetescrd`,
    subject,
    fieldPrefix: 'spec',
    dialTimeoutMs: duration(ctx, subject, 'spec.forwardingTimeouts.dialTimeout', ft.dialTimeout, D.dialTimeoutMs),
    responseHeaderTimeoutMs: duration(ctx, subject, 'spec.forwardingTimeouts.responseHeaderTimeout', ft.responseHeaderTimeout, D.responseHeaderTimeoutMs),
    idleConnTimeoutMs: duration(ctx, subject, 'spec.forwardingTimeouts.idleConnTimeout', ft.idleConnTimeout, D.idleConnTimeoutMs),
    readIdleTimeoutMs: duration(ctx, subject, 'spec.forwardingTimeouts.readIdleTimeout', ft.readIdleTimeout, D.readIdleTimeoutMs),
    pingTimeoutMs: duration(ctx, subject, 'spec.forwardingTimeouts.pingTimeout', ft.pingTimeout, D.pingTimeoutMs),
    maxIdleConnsPerHost: spec.maxIdleConnsPerHost ?? 0,
    disableHTTP2: spec.disableHTTP2 ?? false,
  };

  // Root CAs: rootCAsSecrets (deprecated), then rootCAs[]; failures are logged and skipped.
  const cas = loadRootCAs(ctx, ns, spec, subject, 'spec');

  const clientCertificates: TlsCertificate[] = [];
  (spec.certificatesSecrets ?? []).forEach((name, i) => {
    const c = loadClientCertificate(ctx, ns, name, subject, `spec.certificatesSecrets[${i}]`);
    if (c && !clientCertificates.some((x) => x.name === c.name)) clientCertificates.push(c);
  });

  // Cipher suites: one unknown name drops the whole list (Go's defaults), as the provider does.
  let cipherSuites: string[] | undefined;
  if (spec.cipherSuites) {
    const unknown = spec.cipherSuites.find((c) => !GO_CIPHER_SUITES.has(c));
    if (unknown !== undefined) {
      ctx.diags.error(subject, 'spec.cipherSuites', `cipher suite not supported: ${unknown}; the whole list is dropped and Go's default cipher suites apply, as Traefik does`);
    } else if (spec.cipherSuites.length) cipherSuites = [...spec.cipherSuites];
  }
  let minVersion: string | undefined;
  let maxVersion: string | undefined;
  if (spec.minVersion) {
    if (TLS_VERSIONS[spec.minVersion] !== undefined) minVersion = spec.minVersion;
    else ctx.diags.error(subject, 'spec.minVersion', `invalid TLS minimum version: ${spec.minVersion} (VersionTLS10 to VersionTLS13); ignored, as Traefik does`);
  }
  if (spec.maxVersion) {
    if (TLS_VERSIONS[spec.maxVersion] !== undefined) maxVersion = spec.maxVersion;
    else ctx.diags.error(subject, 'spec.maxVersion', `invalid TLS maximum version: ${spec.maxVersion} (VersionTLS10 to VersionTLS13); ignored, as Traefik does`);
  }
  if (spec.minVersion && spec.maxVersion && (TLS_VERSIONS[spec.minVersion] ?? 0) >= (TLS_VERSIONS[spec.maxVersion] ?? 0)) {
    ctx.diags.error(subject, 'spec.minVersion',
      `minVersion ${spec.minVersion} is above or equal to maxVersion ${spec.maxVersion}: Traefik falls back to minVersion VersionTLS12 without a maxVersion`);
    minVersion = 'VersionTLS12';
    maxVersion = undefined;
  }

  const peerSANs: { type: 'DNS' | 'URI'; value: string }[] = [];
  (spec.peerCertSANs ?? []).forEach((s, i) => {
    if (!s.value) return;
    if (s.type === 'DNSName') peerSANs.push({ type: 'DNS', value: s.value });
    else if (s.type === 'URI') peerSANs.push({ type: 'URI', value: s.value });
    else ctx.diags.warn(subject, `spec.peerCertSANs[${i}].type`, `unknown SAN type ${JSON.stringify(s.type ?? '')} (DNSName or URI): Traefik never matches it`);
  });
  if (spec.peerCertURI) peerSANs.push({ type: 'URI', value: spec.peerCertURI });

  if (spec.serverName && Buffer.byteLength(spec.serverName) > MAX_SNI_BYTES) {
    ctx.diags.error(subject, 'spec.serverName',
      `serverName is ${Buffer.byteLength(spec.serverName)} bytes: Envoy sends at most ${MAX_SNI_BYTES} bytes of SNI, so none is sent; the server certificate is still checked against it (a DNS name has at most 253 characters, so no certificate can match)`);
  }
  const raw: RawTls = {
    serverName: spec.serverName || undefined,
    insecureSkipVerify: spec.insecureSkipVerify ?? false,
    rootCAs: cas.pems,
    caGiven: cas.given,
    caName: `ServersTransport/${ns}/${st.name}/root-cas`,
    clientCertificates,
    peerSANs,
    cipherSuites,
    minVersion,
    maxVersion,
    spiffe: spec.spiffe ? { ids: spec.spiffe.ids ?? [], trustDomain: spec.spiffe.trustDomain ?? '' } : undefined,
  };
  t.tls = createTlsConfig(ctx, t, raw);
  reportTransportApproximations(ctx, t, spec);
  return t;
}

/**
 * Traefik's createTLSConfig (v3.7): SPIFFE, or the TLS fields, or nothing (Go's defaults). An error logs and falls
 * back to Go's default TLS configuration (returned as undefined).
 */
function createTlsConfig(ctx: TransportContext, t: HttpTransport, raw: RawTls): TransportTls | undefined {
  const f = (k: string) => `${t.fieldPrefix}.${k}`;
  const fallback = (field: string, why: string): undefined => {
    ctx.diags.error(t.subject, f(field),
      `${why}: Traefik logs "Could not configure HTTP Transport ${t.name} TLS configuration, fallback on default TLS config" and verifies the servers against the system roots with the server URL's host, without client certificate; traefik-xds does the same`);
    return undefined;
  };
  const hasTls = raw.insecureSkipVerify || raw.caGiven || !!raw.serverName || raw.clientCertificates.length > 0 ||
    raw.peerSANs.length > 0 || !!raw.cipherSuites?.length || !!raw.maxVersion || !!raw.minVersion;
  if (raw.spiffe) {
    const bad = raw.spiffe.ids.find((id) => !validSpiffeId(id));
    if (bad !== undefined) return fallback('spiffe.ids', `unable to build SPIFFE authorizer: invalid SPIFFE ID ${JSON.stringify(bad)}`);
    if (!raw.spiffe.ids.length && raw.spiffe.trustDomain && !validTrustDomain(raw.spiffe.trustDomain)) {
      return fallback('spiffe.trustDomain', `unable to build SPIFFE authorizer: invalid SPIFFE trust domain ${JSON.stringify(raw.spiffe.trustDomain)}`);
    }
    if (hasTls) return fallback('spiffe', 'TLS and SPIFFE configuration cannot be defined at the same time');
    return { insecureSkipVerify: false, emptyPool: false, clientCertificates: [], peerSANs: [], spiffe: raw.spiffe };
  }
  if (!hasTls) return { insecureSkipVerify: false, emptyPool: false, clientCertificates: [], peerSANs: [] };
  // Traefik v3.7 compares against an unset maximum (0): any minVersion without a maxVersion is an error.
  const min = raw.minVersion ? TLS_VERSIONS[raw.minVersion]! : 0;
  const max = raw.maxVersion ? TLS_VERSIONS[raw.maxVersion]! : 0;
  if (min > max) {
    return fallback('minVersion', `TLS minimum version ${raw.minVersion} is above the maximum version ${raw.maxVersion ?? '""'} (Traefik v3.7 treats an unset maxVersion as 0; set maxVersion: VersionTLS13 to keep this transport's TLS settings)`);
  }
  const out: TransportTls = {
    serverName: raw.serverName,
    insecureSkipVerify: raw.insecureSkipVerify,
    emptyPool: raw.caGiven && raw.rootCAs.length === 0,
    clientCertificates: raw.clientCertificates,
    peerSANs: raw.peerSANs,
  };
  if (raw.rootCAs.length) out.ca = { name: raw.caName, pem: raw.rootCAs.join('') };
  if (raw.cipherSuites) out.cipherSuites = raw.cipherSuites;
  if (raw.minVersion) out.minVersion = raw.minVersion;
  if (raw.maxVersion) out.maxVersion = raw.maxVersion;
  return out;
}

/** What the transport sets that Envoy expresses differently: said once, on the transport. */
function reportTransportApproximations(ctx: TransportContext, t: HttpTransport, spec: { maxIdleConnsPerHost?: number; peerCertSANs?: unknown[] }): void {
  const f = (k: string) => `${t.fieldPrefix}.${k}`;
  const s = t.subject;
  if (t.dialTimeoutMs === 0) {
    ctx.diags.warn(s, f('forwardingTimeouts.dialTimeout'),
      `approximated: 0 means no dial timeout in Traefik (the kernel gives up after about 127 s); Envoy needs one: connect_timeout ${NO_DIAL_TIMEOUT_MS / 1000}s`);
  }
  if (t.responseHeaderTimeoutMs > 0) {
    ctx.diags.warn(s, f('forwardingTimeouts.responseHeaderTimeout'),
      `approximated: Envoy's route timeout (${formatDuration(t.responseHeaderTimeoutMs)}) also bounds the response body, where Traefik's bounds only the wait for the response headers`);
  }
  if (t.readIdleTimeoutMs > 0) {
    ctx.diags.info(s, f('forwardingTimeouts.readIdleTimeout'),
      'approximated: Envoy pings HTTP/2 servers every readIdleTimeout (connection_keepalive), Go only after that long without a frame');
  }
  if (spec.maxIdleConnsPerHost !== undefined && spec.maxIdleConnsPerHost > 0) {
    ctx.diags.info(s, f('maxIdleConnsPerHost'),
      'not translated: Envoy does not cap its idle connections per host; they close after idleConnTimeout');
  }
  if (t.tls && t.tls.peerSANs.length && !t.tls.insecureSkipVerify) {
    ctx.diags.info(s, f(spec.peerCertSANs?.length ? 'peerCertSANs' : 'peerCertURI'),
      'approximated: Go checks the server name (serverName, else the server\'s host) and then the peer SANs; Envoy checks the peer SANs only');
  }
  if (t.tls?.spiffe) {
    ctx.diags.warn(s, f('spiffe'),
      'approximated: Envoy cannot use the SPIFFE workload API; it takes its SVID (secret "default") and the trust bundles (secret "ALL") over SDS from a SPIRE agent, which the Envoy bootstrap must define as cluster spire_agent');
  }
  if (t.tls && t.tls.clientCertificates.length > 1) {
    ctx.diags.warn(s, f('certificatesSecrets'),
      `approximated: Envoy presents one client certificate (${t.tls.clientCertificates[0]!.name}); Go picks among ${t.tls.clientCertificates.length} by the server's certificate request`);
  }
}

/** spiffeid.FromString: `spiffe://<trust domain>[/<path>]`, lower-case trust domain, no empty/dot segments. */
function validSpiffeId(id: string): boolean {
  const m = /^spiffe:\/\/([^/]+)(\/.*)?$/.exec(id);
  if (!m || !validTrustDomain(m[1]!)) return false;
  if (m[2] === undefined) return true;
  return m[2].split('/').slice(1).every((seg) => seg !== '' && seg !== '.' && seg !== '..' && /^[A-Za-z0-9._-]+$/.test(seg));
}

/** spiffeid.TrustDomainFromString: a name of [a-z0-9._-], or a SPIFFE ID whose trust domain is taken. */
function validTrustDomain(td: string): boolean {
  if (td.startsWith('spiffe://')) return validSpiffeId(td);
  return /^[a-z0-9._-]+$/.test(td);
}

/** The trust domain name of a `trustDomain` setting (which may be given as a SPIFFE ID). */
export function trustDomainName(td: string): string {
  return td.startsWith('spiffe://') ? td.slice('spiffe://'.length).split('/')[0]! : td;
}

// ------------------------------------------------------------------------------------------------------
// Per upstream

/** The cluster fields a transport decides, for a server URL of this scheme and host. */
export type TransportSettings = Pick<UpstreamCluster,
  'transport' | 'connectTimeoutMs' | 'idleTimeoutMs' | 'responseHeaderTimeoutMs' | 'http2Keepalive' | 'singleRequestConnections' | 'allowHttp2' | 'tls'>
  & { failAll?: string };

/**
 * What one upstream (a server URL `scheme://host:port`) gets from its transport. `host` is the ExternalName
 * (DNS clusters) or undefined (pod, cluster or node IPs). `failAll` says why Traefik fails every request.
 */
export function transportSettings(t: HttpTransport, scheme: Scheme, host: string | undefined): TransportSettings {
  const allowHttp2 = !t.disableHTTP2;
  const out: TransportSettings = {
    transport: { name: t.name, subject: t.subject },
    connectTimeoutMs: t.dialTimeoutMs > 0 ? t.dialTimeoutMs : t.dialTimeoutMs === 0 ? NO_DIAL_TIMEOUT_MS : 1,
    idleTimeoutMs: Math.max(0, t.idleConnTimeoutMs),
    responseHeaderTimeoutMs: Math.max(0, t.responseHeaderTimeoutMs),
    singleRequestConnections: t.maxIdleConnsPerHost < 0,
    allowHttp2,
  };
  const speaksH2 = scheme === 'h2c' || (scheme === 'https' && allowHttp2);
  if (t.readIdleTimeoutMs > 0 && speaksH2) {
    out.http2Keepalive = { intervalMs: t.readIdleTimeoutMs, timeoutMs: t.pingTimeoutMs > 0 ? t.pingTimeoutMs : GO_DEFAULT_PING_TIMEOUT_MS };
  }
  if (t.dialTimeoutMs < 0) {
    out.failAll = `the dialTimeout of serversTransport ${t.name} is negative (${formatDuration(t.dialTimeoutMs)}): Go's dialer gives up at once and Traefik answers 502 to every request`;
  }
  if (scheme === 'h2c' && t.disableHTTP2) {
    out.failAll = `scheme h2c with serversTransport ${t.name}, which sets disableHTTP2: its HTTP/1.1-only transport cannot speak h2c and Traefik answers 502 to every request (remove disableHTTP2, or use scheme http)`;
  }
  if (scheme === 'https') {
    const tls = upstreamTls(t, host);
    if (tls.verify === 'fail') {
      out.failAll = `none of the CA certificates of serversTransport ${t.name} could be read: Go verifies the servers against an empty pool and Traefik answers 502 to every request`;
    }
    out.tls = tls;
  }
  return out;
}

/** Go's tls.Config for one server URL host: SNI, chain verification, SAN checks, client certificate, versions. */
export function upstreamTls(t: HttpTransport, host: string | undefined): UpstreamTls {
  const tls = t.tls;
  const hostCheck = (name: string | undefined): UpstreamTls['sans'] =>
    name === undefined ? [] : [{ type: isIP(name) ? 'IP_ADDRESS' : 'DNS', value: name }];
  const sniOf = (name: string | undefined) => (name !== undefined && !isIP(name) && Buffer.byteLength(name) <= MAX_SNI_BYTES ? name : undefined);
  if (!tls) {
    // Go's default TLS configuration: system roots, ServerName = the URL host.
    return { sni: sniOf(host), verify: 'system', sans: hostCheck(host) };
  }
  const serverName = tls.serverName ?? host;
  if (tls.spiffe) {
    const sp = tls.spiffe;
    const sans: UpstreamTls['sans'] = sp.ids.length
      ? sp.ids.map((id) => ({ type: 'URI' as const, value: id }))
      : sp.trustDomain ? [{ type: 'URI', value: `spiffe://${trustDomainName(sp.trustDomain)}/`, prefix: true }] : [];
    return { sni: sniOf(serverName), verify: 'spiffe', sans, spiffe: true };
  }
  const out: UpstreamTls = { sni: sniOf(serverName), verify: 'system', sans: [] };
  const peer: UpstreamTls['sans'] = tls.peerSANs.map((s) => (s.type === 'URI' ? { type: 'URI', value: s.value, ignoreCase: true } : { type: 'DNS', value: s.value }));
  const chain: UpstreamTls['verify'] = tls.emptyPool ? 'fail' : tls.ca ? 'bundle' : 'system';
  if (tls.insecureSkipVerify) {
    // Go skips verification, but Traefik's VerifyPeerCertificate still checks the chain and the SANs when some are set.
    if (peer.length) {
      out.verify = chain;
      out.sans = peer;
    } else out.verify = 'none';
  } else {
    out.verify = chain;
    // Go checks the host name, then the peer SANs: Envoy's matchers are alternatives, so the peer SANs win.
    out.sans = peer.length ? peer : hostCheck(serverName);
  }
  if (out.verify === 'bundle') out.ca = tls.ca;
  if (tls.clientCertificates.length) out.clientCertificate = tls.clientCertificates[0];
  if (tls.cipherSuites) out.cipherSuites = tls.cipherSuites;
  if (tls.minVersion) out.minVersion = tls.minVersion;
  if (tls.maxVersion) out.maxVersion = tls.maxVersion;
  return out;
}
