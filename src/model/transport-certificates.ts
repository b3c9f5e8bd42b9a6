// The CAs and client certificates of a servers transport (HTTP ServersTransport and ServersTransportTCP): Traefik's
// Kubernetes provider loads both the same way (kubernetes.go loadCA / loadCertificates), logging and skipping
// whatever it cannot read; the transport keeps its other settings.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { certificateNames, secretValue } from './certificates';
import { ObjectIndex } from './object-index';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { TlsCertificate } from './model';

/** Where a transport's Secrets and ConfigMaps are read, and where their problems are reported. */
export interface CertificateContext {
  index: ObjectIndex;
  diags: Diagnostics;
}

/** `rootCAsSecrets` (deprecated) and `rootCAs[]`, as both transport kinds spell them. */
export interface RootCASpec {
  rootCAsSecrets?: string[];
  rootCAs?: { secret?: string; configMap?: string }[];
}

export interface RootCAs {
  /** The readable certificates of each CA, in order. */
  pems: string[];
  /** Some CA was found (even one without a certificate in it): Go then builds its own pool instead of the system's. */
  given: boolean;
}

/** The certificate blocks of a PEM text that parse (what Go's AppendCertsFromPEM keeps), or undefined if none. */
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

/** Root CAs: rootCAsSecrets, then rootCAs[]; `fieldPrefix` is where they sit (`spec`, `spec.tls`). */
export function loadRootCAs(ctx: CertificateContext, ns: string, spec: RootCASpec, subject: DiagnosticSubject, fieldPrefix: string): RootCAs {
  const out: RootCAs = { pems: [], given: false };
  const add = (pem: string | undefined, what: string, field: string) => {
    if (pem === undefined) return;
    out.given = true;
    const ok = validCertificates(pem);
    if (ok) out.pems.push(ok);
    else ctx.diags.error(subject, field, `${what} holds no PEM certificate: Go adds nothing to the CA pool for it`);
  };
  (spec.rootCAsSecrets ?? []).forEach((name, i) => {
    const f = `${fieldPrefix}.rootCAsSecrets[${i}]`;
    add(loadCASecret(ctx, ns, name, subject, f), `secret ${ns}/${name}`, f);
  });
  (spec.rootCAs ?? []).forEach((ca, i) => {
    const f = `${fieldPrefix}.rootCAs[${i}]`;
    if (ca.secret !== undefined && ca.configMap !== undefined) {
      ctx.diags.error(subject, f, 'both secret and configMap are set: this CA is skipped, as Traefik does');
    } else if (ca.secret !== undefined) {
      add(loadCASecret(ctx, ns, ca.secret, subject, `${f}.secret`), `secret ${ns}/${ca.secret}`, `${f}.secret`);
    } else if (ca.configMap !== undefined) {
      add(loadCAConfigMap(ctx, ns, ca.configMap, subject, `${f}.configMap`), `configMap ${ns}/${ca.configMap}`, `${f}.configMap`);
    }
  });
  return out;
}

/** A CA Secret (§8): key tls.ca, else ca.crt, else the only key of the Secret. */
function loadCASecret(ctx: CertificateContext, ns: string, name: string, subject: DiagnosticSubject, field: string): string | undefined {
  const secret = ctx.index.secrets.get(ObjectIndex.key(ns, name));
  if (!secret) {
    ctx.diags.error(subject, field, `secret '${ns}/${name}' not found: this CA is skipped, as Traefik does (the transport keeps its other settings)`);
    return undefined;
  }
  const v = secretValue(secret, 'tls.ca') ?? secretValue(secret, 'ca.crt');
  if (v !== undefined) return v;
  // The API server merges stringData into data: a key in both is one key.
  const keys = [...new Set([...Object.keys(secret.spec.data ?? {}), ...Object.keys(secret.spec.stringData ?? {})])];
  if (keys.length === 1) return secretValue(secret, keys[0]!);
  ctx.diags.error(subject, field, `secret '${ns}/${name}' has no CA block: it contains neither tls.ca nor ca.crt; this CA is skipped, as Traefik does`);
  return undefined;
}

/** A CA ConfigMap: key tls.ca, else ca.crt (no single-key fallback for ConfigMaps). */
function loadCAConfigMap(ctx: CertificateContext, ns: string, name: string, subject: DiagnosticSubject, field: string): string | undefined {
  const cm = ctx.index.configMaps.get(ObjectIndex.key(ns, name));
  if (!cm) {
    ctx.diags.error(subject, field, `configMap '${ns}/${name}' not found: this CA is skipped, as Traefik does (the transport keeps its other settings)`);
    return undefined;
  }
  const v = cm.spec.data?.['tls.ca'] ?? cm.spec.data?.['ca.crt'];
  if (v === undefined) {
    ctx.diags.error(subject, field, `configMap '${ns}/${name}' has no CA block: it contains neither tls.ca nor ca.crt; this CA is skipped, as Traefik does`);
  }
  return v;
}

/** `certificatesSecrets[]`: a client certificate (tls.crt/tls.key), served to Envoy over SDS as `ns/name`. */
export function loadClientCertificate(ctx: CertificateContext, ns: string, name: string, subject: DiagnosticSubject, field: string): TlsCertificate | undefined {
  const skip = (why: string) => {
    ctx.diags.error(subject, field, `${why}: this client certificate is skipped, as Traefik does`);
    return undefined;
  };
  const secret = ctx.index.secrets.get(ObjectIndex.key(ns, name));
  if (!secret) return skip(`secret '${ns}/${name}' not found`);
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
  return {
    name: `${ns}/${name}`, certPem, keyPem, sans: certificateNames(cert),
    provenance: [{ kind: subject.kind, namespace: ns, name: subject.name ?? '', field, subject }],
  };
}
