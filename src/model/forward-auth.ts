// ForwardAuth `address` → the upstream cluster of the authentication server (traefik-semantics.md §10, §8).
// Traefik calls the address with its own HTTP client: Go's default transport (30 s dial timeout, 90 s idle
// connections, HTTP/2 over TLS by ALPN), a 30 s overall timeout, no redirects followed, and for https the
// system roots unless `tls.caSecret` gives a CA (then only that CA), `tls.certSecret` a client certificate
// and `tls.insecureSkipVerify` no verification. The provider loads the secrets from the Middleware's
// namespace and fails the middleware (so every route using it) when one is missing or malformed.
import { createHash, X509Certificate, createPrivateKey } from 'node:crypto';
import { ObjectIndex } from './object-index';
import { secretValue, certificateNames } from './certificates';
import { parseIP } from './rules/ip';
import type { ForwardAuthMiddleware, MiddlewareObj, SecretObj } from './crds/types';
import type { DiagnosticSubject } from './diagnostics';
import type { Provenance, TlsCertificate, UpstreamCluster, UpstreamTls } from './model';

/** Thrown when the middleware cannot be built (Traefik skips it; routes naming it fail). */
export class ForwardAuthError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

/** The parts of `address` the translator needs. */
export interface ForwardAuthAddress {
  scheme: 'http' | 'https';
  /** Host as written (lower-cased), without brackets for IPv6. */
  host: string;
  port: number;
  /** Path as written ("" when none). */
  path: string;
  /** Raw query without `?` ("" when none). */
  query: string;
  hostIsIP: boolean;
}

/** Go's client timeout for the auth request (http.Client{Timeout: 30s}). */
export const FORWARD_AUTH_TIMEOUT_MS = 30_000;

export function parseForwardAuthAddress(address: string): ForwardAuthAddress | { error: string } {
  let u: URL;
  try {
    u = new URL(address);
  } catch {
    return { error: `address "${address}" is not an absolute URL` };
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') return { error: `address "${address}": unsupported protocol scheme "${scheme}" (Traefik's client speaks http and https)` };
  if (!u.hostname) return { error: `address "${address}" has no host` };
  if (u.username || u.password) return { error: `address "${address}" carries user information, which traefik-xds cannot send to the auth server` };
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = u.port ? Number(u.port) : scheme === 'https' ? 443 : 80;
  // WHATWG URL turns an empty path into "/": keep what was written.
  const afterAuthority = address.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/, '');
  const path = afterAuthority.replace(/[?#].*$/, '');
  return { scheme, host, port, path, query: u.search.replace(/^\?/, ''), hostIsIP: parseIP(host) !== undefined };
}

export interface ForwardAuthContext {
  index: ObjectIndex;
  clusters: Map<string, UpstreamCluster>;
}

function caOf(secret: SecretObj): string | undefined {
  const v = secretValue(secret, 'tls.ca') ?? secretValue(secret, 'ca.crt');
  if (v !== undefined) return v;
  // Backward compatibility kept by Traefik: a Secret with a single key is the CA.
  const keys = Object.keys({ ...(secret.spec.data ?? {}), ...(secret.spec.stringData ?? {}) });
  return keys.length === 1 ? secretValue(secret, keys[0]!) : undefined;
}

function clientCertificateOf(secret: SecretObj, id: string, provenance: Provenance): TlsCertificate | { error: string } {
  const certPem = secretValue(secret, 'tls.crt');
  const keyPem = secretValue(secret, 'tls.key');
  const missing = [certPem === undefined ? 'tls.crt' : '', keyPem === undefined ? 'tls.key' : ''].filter(Boolean);
  if (missing.length) return { error: `secret ${id} is missing the following TLS data entries: ${missing.join(', ')}` };
  const empty = [!certPem ? 'tls.crt' : '', !keyPem ? 'tls.key' : ''].filter(Boolean);
  if (empty.length) return { error: `secret ${id} contains the following empty TLS data entries: ${empty.join(', ')}` };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem!);
  } catch {
    return { error: `secret ${id}: tls.crt is not a PEM certificate` };
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem!))) return { error: `secret ${id}: tls.key does not belong to tls.crt` };
  } catch {
    return { error: `secret ${id}: tls.key is not a PEM private key` };
  }
  // SDS name: distinct from the downstream certificates (`ns/name`), which are served to clients.
  return { name: `forwardauth-client/${id}`, certPem: certPem!, keyPem: keyPem!, sans: certificateNames(cert), provenance: [provenance] };
}

/**
 * Builds (or reuses) the cluster of a ForwardAuth middleware's authentication server. Throws ForwardAuthError
 * with Traefik's reason when the middleware cannot be created.
 */
export function resolveForwardAuthCluster(
  ctx: ForwardAuthContext,
  m: MiddlewareObj,
  cfg: ForwardAuthMiddleware,
  subject: DiagnosticSubject,
): { cluster: UpstreamCluster; address: ForwardAuthAddress } {
  const id = `${m.namespace}/${m.name}`;
  if (!cfg.address) throw new ForwardAuthError(`forwardAuth middleware ${id}: forward authentication requires an address`, 'spec.forwardAuth.address');
  const addr = parseForwardAuthAddress(cfg.address);
  if ('error' in addr) throw new ForwardAuthError(`forwardAuth middleware ${id}: ${addr.error}`, 'spec.forwardAuth.address');
  const provenance: Provenance = { kind: m.kind, namespace: m.namespace, name: m.name, field: 'spec.forwardAuth.address', subject };

  // TLS settings (only used for https addresses, as Go's transport).
  const tlsCfg = cfg.tls;
  let caPem: string | undefined;
  let clientCert: TlsCertificate | undefined;
  if (tlsCfg?.caSecret) {
    const sid = `${m.namespace}/${tlsCfg.caSecret}`;
    const secret = ctx.index.secrets.get(ObjectIndex.key(m.namespace, tlsCfg.caSecret));
    if (!secret) throw new ForwardAuthError(`forwardAuth middleware ${id}: failed to load auth ca secret: secret '${sid}' not found`, 'spec.forwardAuth.tls.caSecret');
    caPem = caOf(secret);
    if (caPem === undefined) throw new ForwardAuthError(`forwardAuth middleware ${id}: failed to load auth ca secret: secret '${sid}' has no CA block (tls.ca or ca.crt)`, 'spec.forwardAuth.tls.caSecret');
  }
  if (tlsCfg?.certSecret) {
    const sid = `${m.namespace}/${tlsCfg.certSecret}`;
    const secret = ctx.index.secrets.get(ObjectIndex.key(m.namespace, tlsCfg.certSecret));
    if (!secret) throw new ForwardAuthError(`forwardAuth middleware ${id}: failed to load auth secret: secret '${sid}' does not exist`, 'spec.forwardAuth.tls.certSecret');
    const c = clientCertificateOf(secret, sid, { ...provenance, field: 'spec.forwardAuth.tls.certSecret' });
    if ('error' in c) throw new ForwardAuthError(`forwardAuth middleware ${id}: failed to load auth secret: ${c.error}`, 'spec.forwardAuth.tls.certSecret');
    clientCert = c;
  }

  let tls: UpstreamTls | undefined;
  if (addr.scheme === 'https') {
    const insecure = tlsCfg?.insecureSkipVerify === true;
    tls = {
      // Go sends the URL host as SNI when it is a name, none for an IP, and verifies the certificate for it.
      sni: addr.hostIsIP ? undefined : addr.host,
      verify: insecure ? 'none' : caPem !== undefined ? 'bundle' : 'system',
      sans: insecure ? [] : [{ type: addr.hostIsIP ? 'IP_ADDRESS' : 'DNS', value: addr.host }],
    };
    if (!insecure && caPem !== undefined) {
      tls.ca = { name: `forwardauth-ca/${m.namespace}/${tlsCfg!.caSecret}`, pem: caPem };
    }
    if (clientCert) tls.clientCertificate = clientCert;
  }

  const settings = tls ? JSON.stringify({ verify: tls.verify, ca: tls.ca?.name, cert: tls.clientCertificate?.name }) : '';
  const base = `forwardauth/${addr.scheme}/${addr.host}/${addr.port}`;
  const name = settings && settings !== JSON.stringify({ verify: 'system' }) ? `${base}~${createHash('sha256').update(settings).digest('hex').slice(0, 8)}` : base;
  const existing = ctx.clusters.get(name);
  if (existing) {
    existing.provenance.push(provenance);
    return { cluster: existing, address: addr };
  }
  const cluster: UpstreamCluster = {
    name,
    traefikName: `${m.namespace}-${m.name}@forwardAuth`,
    provenance: [provenance],
    service: { namespace: m.namespace, name: addr.host, port: addr.port },
    discovery: addr.hostIsIP ? 'eds' : 'dns',
    origin: 'address',
    scheme: addr.scheme,
    endpoints: addr.hostIsIP ? [{ address: addr.host, port: addr.port, fenced: false }] : [],
    dnsHost: addr.hostIsIP ? undefined : addr.host,
    dnsPort: addr.hostIsIP ? undefined : addr.port,
    transport: { name: 'forwardAuth client (Go default transport)', subject },
    connectTimeoutMs: 30_000,
    idleTimeoutMs: 90_000,
    responseHeaderTimeoutMs: 0,
    singleRequestConnections: false,
    allowHttp2: true,
    tls,
    strategy: 'wrr',
  };
  ctx.clusters.set(name, cluster);
  return { cluster, address: addr };
}
