// Transport security of the xDS server: server credentials from xds.tls (reloaded when the files change),
// mTLS when a client CA is set, the plaintext policy, and the Envoy side (the bootstrap's TLS for the
// xds_cluster).
//
// Reload: grpc-js 1.14's certificate-provider credentials (grpc.experimental.createCertificateProviderServerCredentials)
// call setSecureContext() on the listening server whenever a provider reports new material. Its own
// FileWatcherCertificateProvider publishes whatever it reads, so a certificate renewed before its key
// (cert-manager and kubelet swap both, but not atomically for a plain file copy) would install a mismatched
// pair, every handshake would fail and grpc-js would drop every new connection. This provider polls the
// files, checks that the key matches the certificate (tls.createSecureContext) and that the CA parses, and
// only then publishes; a bad read keeps the last good material and is logged once per content change.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { X509Certificate, createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { CaCertificateUpdateListener, CertificateProvider, IdentityCertificateUpdateListener } from '@grpc/grpc-js/build/src/certificate-provider';
import type { XdsTLSConfig } from '../config/types';
import type { Logger } from './stream-context';

export const DEFAULT_TLS_REFRESH_MS = 30_000;

export class TlsConfigError extends Error {}

interface Material {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  /** Hash of the three files, to notice changes. */
  digest: string;
  notAfter?: string;
}

function readMaterial(t: XdsTLSConfig): Material {
  const read = (what: string, file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      // Only the path and the OS error: never the content.
      throw new TlsConfigError(`xds.tls.${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  };
  const cert = read('certFile', t.certFile);
  const key = read('keyFile', t.keyFile);
  const ca = t.clientCAFile ? read('clientCAFile', t.clientCAFile) : undefined;
  const digest = createHash('sha256').update(cert).update('\0').update(key).update('\0').update(ca ?? '').digest('hex');
  return { cert, key, ca, digest };
}

/** Throws TlsConfigError (with no key material in the message) unless the files make a usable server context. */
function checkMaterial(t: XdsTLSConfig, m: Material): Material {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(m.cert);
  } catch {
    throw new TlsConfigError(`xds.tls.certFile ${t.certFile}: not a PEM certificate`);
  }
  try {
    tls.createSecureContext({ cert: m.cert, key: m.key });
  } catch (e) {
    const why = /mismatch|values mismatch/i.test(String((e as Error).message)) ? 'does not match the certificate' : 'is not a usable PEM private key';
    throw new TlsConfigError(`xds.tls.keyFile ${t.keyFile}: ${why} (${t.certFile})`);
  }
  if (m.ca) {
    try {
      new X509Certificate(m.ca);
      tls.createSecureContext({ ca: m.ca });
    } catch {
      throw new TlsConfigError(`xds.tls.clientCAFile ${t.clientCAFile}: not a PEM CA certificate`);
    }
  }
  return { ...m, notAfter: leaf.validTo };
}

/**
 * A grpc-js CertificateProvider over xds.tls's files: validated at construction (throws TlsConfigError),
 * then polled every `refreshMs`; only a complete, matching set replaces the served one.
 */
export class ReloadingCertificateProvider implements CertificateProvider {
  private current: Material;
  private readonly identity = new Set<IdentityCertificateUpdateListener>();
  private readonly cas = new Set<CaCertificateUpdateListener>();
  private timer?: NodeJS.Timeout;
  private lastBad?: string;
  /** Times new material was installed (not counting the first load). */
  reloads = 0;
  /** Called after new material was installed. */
  onReload?: () => void;

  constructor(private readonly config: XdsTLSConfig, private readonly log?: Logger, private readonly refreshMs = DEFAULT_TLS_REFRESH_MS) {
    this.current = checkMaterial(config, readMaterial(config));
  }

  get notAfter(): string | undefined {
    return this.current.notAfter;
  }

  /** Reads the files now; installs them when they changed and are valid. Returns whether it installed. */
  refresh(): boolean {
    let m: Material;
    try {
      m = readMaterial(this.config);
      if (m.digest === this.current.digest) return false;
      m = checkMaterial(this.config, m);
    } catch (e) {
      const msg = (e as Error).message;
      if (msg !== this.lastBad) this.log?.error('xds tls: files changed but are not usable; still serving the previous certificate', { error: msg });
      this.lastBad = msg;
      return false;
    }
    this.lastBad = undefined;
    this.current = m;
    this.reloads++;
    this.log?.info('xds tls: certificate reloaded', { certFile: this.config.certFile, notAfter: m.notAfter, clientCA: !!m.ca });
    for (const l of this.identity) l({ certificate: m.cert, privateKey: m.key });
    if (m.ca) for (const l of this.cas) l({ caCertificate: m.ca });
    this.onReload?.();
    return true;
  }

  private start(): void {
    if (this.timer || this.refreshMs <= 0) return;
    this.timer = setInterval(() => this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  private maybeStop(): void {
    if (this.identity.size === 0 && this.cas.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  // grpc-js adds its listeners while it creates the listening server and installs what they receive only
  // once its own watcher is registered, just after: deliver on the next tick, as grpc-js's providers do.
  addIdentityCertificateListener(l: IdentityCertificateUpdateListener): void {
    this.identity.add(l);
    this.start();
    const m = this.current;
    process.nextTick(() => this.identity.has(l) && l({ certificate: m.cert, privateKey: m.key }));
  }

  removeIdentityCertificateListener(l: IdentityCertificateUpdateListener): void {
    this.identity.delete(l);
    this.maybeStop();
  }

  addCaCertificateListener(l: CaCertificateUpdateListener): void {
    this.cas.add(l);
    this.start();
    const m = this.current;
    process.nextTick(() => this.cas.has(l) && l(m.ca ? { caCertificate: m.ca } : null));
  }

  removeCaCertificateListener(l: CaCertificateUpdateListener): void {
    this.cas.delete(l);
    this.maybeStop();
  }

  close(): void {
    this.identity.clear();
    this.cas.clear();
    this.maybeStop();
  }
}

/** Logs an expired or soon-expiring server certificate (at startup and after each reload). */
export function logCertificateExpiry(log: Logger, certFile: string, notAfter: string | undefined, now = Date.now()): void {
  const t = notAfter ? Date.parse(notAfter) : NaN;
  if (Number.isNaN(t)) return;
  const days = (t - now) / 86_400_000;
  if (days <= 0) log.error('xds tls: the server certificate has EXPIRED: clients will refuse it', { certFile, notAfter });
  else if (days < 7) log.warn('xds tls: the server certificate expires soon', { certFile, notAfter, days: Math.floor(days * 10) / 10 });
}

export interface ServerTls {
  credentials: grpc.ServerCredentials;
  provider: ReloadingCertificateProvider;
  mtls: boolean;
}

/** Server credentials for xds.tls: TLS, and mTLS (client certificate required, verified against the CA) with clientCAFile. */
export function serverCredentials(t: XdsTLSConfig, log?: Logger, refreshMs = DEFAULT_TLS_REFRESH_MS): ServerTls {
  const provider = new ReloadingCertificateProvider(t, log, refreshMs);
  const mtls = !!t.clientCAFile;
  // grpc-js's implementation takes (identity provider, CA provider, require client certificate); its .d.ts
  // names the first two the other way round.
  const make = grpc.experimental.createCertificateProviderServerCredentials as unknown as
    (identity: CertificateProvider, ca: CertificateProvider | null, requireClientCert: boolean) => grpc.ServerCredentials;
  return { credentials: make(provider, mtls ? provider : null, mtls), provider, mtls };
}

/**
 * Reports failed TLS handshakes (no client certificate, one from another CA, plaintext on a TLS port):
 * grpc-js only traces them. Logged at most once per `everyMs` with a count, so a scanner cannot flood the
 * log. Call after bindAsync (grpc-js keeps its HTTP/2 servers in a private map; if that changes, no-op).
 */
export function watchHandshakeFailures(server: grpc.Server, log: Logger, onFailure?: () => void, everyMs = 5000): void {
  const servers = (server as unknown as { http2Servers?: Map<tls.Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) return;
  let suppressed = 0;
  let lastLog = 0;
  for (const s of servers.keys()) {
    if (typeof (s as tls.Server).addContext !== 'function') continue; // plaintext listener
    s.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) => {
      onFailure?.();
      const now = Date.now();
      if (now - lastLog < everyMs) {
        suppressed++;
        return;
      }
      lastLog = now;
      log.warn('xds tls: handshake failed', {
        peer: `${socket?.remoteAddress ?? '?'}:${socket?.remotePort ?? '?'}`,
        // OpenSSL's reason only ("peer did not return a certificate", "certificate verify failed"...).
        reason: err.code ?? String(err.message).split('\n')[0].slice(0, 200),
        ...(suppressed ? { suppressedSinceLast: suppressed } : {}),
      });
      suppressed = 0;
    });
  }
}

// ------------------------------------------------------------------------------------------------ plaintext policy

/** Loopback: 127.0.0.0/8, ::1, localhost. An empty host (all interfaces) or 0.0.0.0/:: is not. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

export interface TransportDecision {
  mode: 'tls' | 'mtls' | 'plaintext';
  /** A reason to refuse to start. */
  error?: string;
  /** To log at startup. */
  warning?: string;
}

/**
 * What the xDS listener may do: TLS when xds.tls is set; plaintext on loopback; plaintext elsewhere only with
 * xds.insecure (and a warning, since node certificates and every served private key cross the network in clear).
 */
export function transportDecision(xds: { tls?: XdsTLSConfig; insecure: boolean }, host: string): TransportDecision {
  if (xds.tls) return { mode: xds.tls.clientCAFile ? 'mtls' : 'tls' };
  if (isLoopbackHost(host)) return { mode: 'plaintext' };
  const where = host === '' || host === '0.0.0.0' || host === '::' ? 'every interface' : host;
  if (!xds.insecure) {
    return {
      mode: 'plaintext',
      error: `xds: refusing to serve plaintext xDS on ${where}: set xds.tls (certFile, keyFile, clientCAFile; see \`traefik-xds certs\`), ` +
        'or xds.insecure: true to accept that configuration and private keys cross the network unencrypted',
    };
  }
  return {
    mode: 'plaintext',
    warning: `xds: serving PLAINTEXT xDS on ${where} (xds.insecure: true): any host that reaches this port can read every ` +
      'served private key and impersonate any node; configure xds.tls with clientCAFile for production',
  };
}

// ------------------------------------------------------------------------------------------------ Envoy side

export interface EnvoyXdsTlsOptions {
  /** CA that signed the server certificate (PEM file as Envoy sees it). */
  caFile: string;
  /** The node's client certificate and key (mTLS); both or neither. */
  certFile?: string;
  keyFile?: string;
  /** SNI and the name the server certificate must carry (default: the --server host when it is a name). */
  serverName?: string;
}

/**
 * The `transport_socket` of the bootstrap's xds_cluster (Envoy JSON form): TLS to the control plane, the
 * server certificate verified against `caFile` (and its SAN against `serverName`), and the client
 * certificate for mTLS. Files are read by Envoy (mount a Secret); rotating them needs an Envoy restart or
 * hot restart, unless they are delivered through SDS from files (docs/operations.md).
 */
export function envoyXdsTransportSocket(o: EnvoyXdsTlsOptions): Record<string, unknown> {
  if (!!o.certFile !== !!o.keyFile) throw new TlsConfigError('--tls-cert and --tls-key must be given together');
  const validation: Record<string, unknown> = { trusted_ca: { filename: o.caFile } };
  if (o.serverName) {
    const type = net.isIP(o.serverName) ? 'IP_ADDRESS' : 'DNS';
    validation.match_typed_subject_alt_names = [{ san_type: type, matcher: { exact: o.serverName } }];
  }
  const common: Record<string, unknown> = { validation_context: validation, alpn_protocols: ['h2'] };
  if (o.certFile && o.keyFile) common.tls_certificates = [{ certificate_chain: { filename: o.certFile }, private_key: { filename: o.keyFile } }];
  const ctx: Record<string, unknown> = { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', common_tls_context: common };
  if (o.serverName && !net.isIP(o.serverName)) ctx.sni = o.serverName;
  return { name: 'envoy.transport_sockets.tls', typed_config: ctx };
}

/** grpc-js client credentials for tools and tests (dump --tls-*): CA, and the client pair for mTLS. */
export function clientCredentials(o: { ca: Buffer; cert?: Buffer; key?: Buffer }): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(o.ca, o.key ?? null, o.cert ?? null);
}
