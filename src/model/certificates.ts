// TLS certificates from Secrets (keys tls.crt / tls.key) into the default store (traefik-semantics.md §8, §13.2).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { ObjectIndex } from './object-index';
import type { Diagnostics, DiagnosticSubject } from './diagnostics';
import type { SecretObj } from './crds/types';
import type { TlsCertificate } from './model';

export type CertificateStore = Map<string, TlsCertificate>;

/** A Secret's value for a key, decoded from base64 `data` (or plain `stringData`). */
export function secretValue(secret: SecretObj, key: string): string | undefined {
  const s = secret.spec.stringData?.[key];
  if (s !== undefined) return s;
  const d = secret.spec.data?.[key];
  if (d === undefined) return undefined;
  return Buffer.from(d, 'base64').toString('utf8');
}

/** DNS names a certificate answers for: its DNS SANs, else its CN (lower-cased). */
export function certificateNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) names.push(part.slice(4).toLowerCase());
  }
  if (names.length === 0) {
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
    if (cn) names.push(cn.toLowerCase());
  }
  return [...new Set(names)].sort();
}

/**
 * Loads `namespace/secretName` as a TLS certificate into the store. Problems are reported on the referencing
 * object (Traefik only logs them; the routes still exist) and the certificate is skipped.
 */
export function loadCertificate(
  index: ObjectIndex,
  store: CertificateStore,
  namespace: string,
  secretName: string,
  subject: DiagnosticSubject,
  field: string,
  diags: Diagnostics,
): TlsCertificate | undefined {
  const name = `${namespace}/${secretName}`;
  const provenance = { kind: subject.kind, namespace: subject.namespace ?? namespace, name: subject.name ?? '', field, subject };
  const existing = store.get(name);
  if (existing) {
    existing.provenance.push(provenance);
    return existing;
  }
  const secret = index.secrets.get(ObjectIndex.key(namespace, secretName));
  if (!secret) {
    diags.error(subject, field, `secret ${name} not found: its certificate is not served`);
    return undefined;
  }
  const certPem = secretValue(secret, 'tls.crt');
  const keyPem = secretValue(secret, 'tls.key');
  if (!certPem || !keyPem) {
    diags.error(subject, field, `secret ${name} must contain non-empty keys tls.crt and tls.key: its certificate is not served`);
    return undefined;
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    diags.error(subject, field, `secret ${name}: tls.crt is not a PEM certificate: its certificate is not served`);
    return undefined;
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
      diags.error(subject, field, `secret ${name}: tls.key does not belong to the certificate in tls.crt: its certificate is not served`);
      return undefined;
    }
  } catch {
    diags.error(subject, field, `secret ${name}: tls.key is not a PEM private key: its certificate is not served`);
    return undefined;
  }
  const c: TlsCertificate = { name, certPem, keyPem, sans: certificateNames(cert), provenance: [provenance] };
  store.set(name, c);
  return c;
}
