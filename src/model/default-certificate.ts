// Traefik's "TRAEFIK DEFAULT CERT": the self-signed certificate served when the default TLS store names
// none. Generated once per process (so it never changes while serving), and kept out of deterministic
// output: `translate` prints a placeholder instead of it.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as forge from 'node-forge';

export interface GeneratedCertificate {
  certPem: string;
  keyPem: string;
}

let cached: GeneratedCertificate | undefined;

export function traefikDefaultCertificate(): GeneratedCertificate {
  if (cached) return cached;
  // RSA keys from node:crypto (fast, native); node-forge only builds and signs the certificate.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: 'TRAEFIK DEFAULT CERT' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(key, forge.md.sha256.create());
  cached = { certPem: forge.pki.certificateToPem(cert), keyPem };
  return cached;
}
