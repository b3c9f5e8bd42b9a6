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
  // Parsing the certificate and checking the key is the costly part: done once per Secret object (sources
  // keep unchanged objects, so a rebuild re-checks only Secrets that changed).
  let checked = checkedPairs.get(secret);
  if (!checked) {
    checked = checkPair(secret, name);
    checkedPairs.set(secret, checked);
  }
  if ('problem' in checked) {
    diags.error(subject, field, checked.problem);
    return undefined;
  }
  const { certPem, keyPem, sans } = checked;
  const c: TlsCertificate = { name, certPem, keyPem, sans, provenance: [provenance] };
  store.set(name, c);
  return c;
}

type CheckedPair = { certPem: string; keyPem: string; sans: string[] } | { problem: string };

const checkedPairs = new WeakMap<SecretObj, CheckedPair>();
/** Certificate names by PEM pair: the same certificate in several Secrets (or a Secret re-applied unchanged) is parsed once. */
const sansByPair = new Map<string, string[] | string>();

function checkPair(secret: SecretObj, name: string): CheckedPair {
  const certPem = secretValue(secret, 'tls.crt');
  const keyPem = secretValue(secret, 'tls.key');
  if (!certPem || !keyPem) {
    return { problem: `secret ${name} must contain non-empty keys tls.crt and tls.key: its certificate is not served` };
  }
  const pairKey = `${certPem}\0${keyPem}`;
  let sans = sansByPair.get(pairKey);
  if (sans === undefined) {
    sans = parsePair(certPem, keyPem);
    if (sansByPair.size >= 10_000) sansByPair.clear();
    sansByPair.set(pairKey, sans);
  }
  // Problems are kept as the text after "secret <name>: ", as each Secret reports them under its own name.
  return typeof sans === 'string' ? { problem: `secret ${name}: ${sans}` } : { certPem, keyPem, sans };
}

/** The certificate's DNS names, or what is wrong with the pair. */
function parsePair(certPem: string, keyPem: string): string[] | string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'tls.crt is not a PEM certificate: its certificate is not served';
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
      return 'tls.key does not belong to the certificate in tls.crt: its certificate is not served';
    }
  } catch {
    return 'tls.key is not a PEM private key: its certificate is not served';
  }
  return certificateNames(cert);
}
