// `traefik-xds certs`: a small CA, a server certificate for the xDS server and client certificates for the
// nodes, enough for a quick mTLS setup (production: cert-manager or your own PKI; docs/operations.md).
// X.509 is built with node-forge (pure JavaScript); keys are RSA 2048 made by Node's own crypto.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { constants as cryptoConstants, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { EXIT_OK, UsageError } from './common';

export interface Issued {
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
}

export interface CertificateAuthority extends Issued {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface LeafOptions {
  commonName: string;
  /** Subject alternative names: an IP address, a URI (anything with "://", e.g. a SPIFFE ID) or a DNS name. */
  sans: string[];
  usage: 'server' | 'client' | 'both';
  days?: number;
}

const DAY_MS = 86_400_000;

function newKey(): { key: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { key: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, pub: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey, pem: privateKey };
}

// DER DigestInfo header of a SHA-256 hash (RFC 8017 §9.2).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Signs with Node's crypto (RSASSA-PKCS1-v1_5 over forge's SHA-256 digest): much faster than forge's pure-JS RSA. */
function nodeSigner(keyPem: string): forge.pki.rsa.PrivateKey {
  return {
    sign: (md: forge.md.MessageDigest) => {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const sig = privateEncrypt({ key: keyPem, padding: cryptoConstants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
      return sig.toString('binary');
    },
  } as unknown as forge.pki.rsa.PrivateKey;
}

function serial(): string {
  // Positive, 16 random bytes (RFC 5280: at most 20 octets, non-negative).
  const b = randomBytes(16);
  b[0] &= 0x7f;
  if (b[0] === 0) b[0] = 1;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60_000); // clock skew
  cert.validity.notAfter = new Date(now + days * DAY_MS);
}

/** One subjectAltName entry in forge's form (2 DNS, 6 URI, 7 IP). */
export function sanEntry(s: string): { type: number; value?: string; ip?: string } {
  if (net.isIP(s)) return { type: 7, ip: s };
  if (s.includes('://')) return { type: 6, value: s };
  if (!/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(s)) {
    throw new UsageError(`${JSON.stringify(s)} is neither a DNS name, an IP address nor a URI`);
  }
  return { type: 2, value: s };
}

export function makeCA(commonName = 'traefik-xds CA', days = 3650): CertificateAuthority {
  const { key, pub, pem } = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = serial();
  validity(cert, days);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(nodeSigner(pem), forge.md.sha256.create());
  return { cert, key, certPem: forge.pki.certificateToPem(cert), keyPem: pem };
}

export function issue(ca: CertificateAuthority, o: LeafOptions): Issued {
  if (o.sans.length === 0) throw new UsageError(`certificate ${o.commonName}: at least one subject alternative name is needed`);
  const { pub, pem } = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = serial();
  validity(cert, o.days ?? 365);
  cert.setSubject([{ name: 'commonName', value: o.commonName }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: o.usage !== 'client', clientAuth: o.usage !== 'server' },
    { name: 'subjectAltName', altNames: o.sans.map(sanEntry) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(nodeSigner(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: pem };
}

/** Loads a CA written by `certs` (to issue more client certificates later). */
export function loadCA(certPem: string, keyPem: string): CertificateAuthority {
  return { cert: forge.pki.certificateFromPem(certPem), key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey, certPem, keyPem };
}

export interface CertsArgs {
  out: string;
  /** DNS names or IPs the xDS server is reached at (localhost, 127.0.0.1 and ::1 are always added). */
  serverNames: string[];
  /** `NAME` or `NAME=SAN[,SAN...]`: one client certificate each, files client-NAME.{crt,key}. */
  clients: string[];
  days: number;
  force: boolean;
}

const DEFAULT_SERVER_SANS = ['localhost', '127.0.0.1', '::1'];

/** `spiffe://traefik-xds/node/NAME` unless SANs are given. */
export function parseClientSpec(spec: string): { name: string; sans: string[] } {
  const i = spec.indexOf('=');
  const name = i < 0 ? spec : spec.slice(0, i);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`--client ${JSON.stringify(spec)}: NAME must be letters, digits, ".", "_" or "-"`);
  const sans = i < 0 ? [`spiffe://traefik-xds/node/${name}`] : spec.slice(i + 1).split(',').map((s) => s.trim()).filter(Boolean);
  if (sans.length === 0) throw new UsageError(`--client ${JSON.stringify(spec)}: no SAN after "="`);
  for (const s of sans) sanEntry(s); // validates
  return { name, sans };
}

function writeFile(file: string, text: string, secret: boolean, force: boolean): void {
  if (!force && fs.existsSync(file)) throw new UsageError(`${file} exists (use --force to overwrite)`);
  fs.writeFileSync(file, text, { mode: secret ? 0o600 : 0o644 });
  if (secret) fs.chmodSync(file, 0o600);
}

export function runCerts(args: CertsArgs, out: NodeJS.WritableStream): number {
  if (!Number.isInteger(args.days) || args.days < 1) throw new UsageError(`--days ${args.days}: expected a positive number of days`);
  const clients = args.clients.map(parseClientSpec);
  const names = new Set<string>();
  for (const c of clients) {
    if (names.has(c.name)) throw new UsageError(`--client ${c.name} is given twice`);
    names.add(c.name);
    if (!args.force && fs.existsSync(path.join(args.out, `client-${c.name}.crt`))) throw new UsageError(`client-${c.name}.crt exists in ${args.out} (use --force to overwrite)`);
  }
  const serverSans = [...new Set([...args.serverNames, ...DEFAULT_SERVER_SANS])];
  for (const s of serverSans) sanEntry(s);
  fs.mkdirSync(args.out, { recursive: true });
  const caCrt = path.join(args.out, 'ca.crt');
  const caKey = path.join(args.out, 'ca.key');
  // An existing CA is reused (to add clients later) unless --force.
  let ca: CertificateAuthority;
  let reused = false;
  if (!args.force && fs.existsSync(caCrt) && fs.existsSync(caKey)) {
    ca = loadCA(fs.readFileSync(caCrt, 'utf8'), fs.readFileSync(caKey, 'utf8'));
    reused = true;
  } else {
    ca = makeCA('traefik-xds CA', Math.max(args.days, 3650));
    writeFile(caCrt, ca.certPem, false, true);
    writeFile(caKey, ca.keyPem, true, true);
  }
  const written: string[] = reused ? [] : [caCrt, caKey];
  const serverFiles = { crt: path.join(args.out, 'server.crt'), key: path.join(args.out, 'server.key') };
  if (!reused || args.serverNames.length > 0 || !fs.existsSync(serverFiles.crt)) {
    const server = issue(ca, { commonName: args.serverNames[0] ?? 'traefik-xds', sans: serverSans, usage: 'server', days: args.days });
    writeFile(serverFiles.crt, server.certPem, false, true);
    writeFile(serverFiles.key, server.keyPem, true, true);
    written.push(serverFiles.crt, serverFiles.key);
  }
  for (const c of clients) {
    const leaf = issue(ca, { commonName: c.name, sans: c.sans, usage: 'client', days: args.days });
    const crt = path.join(args.out, `client-${c.name}.crt`);
    const key = path.join(args.out, `client-${c.name}.key`);
    writeFile(crt, leaf.certPem, false, args.force);
    writeFile(key, leaf.keyPem, true, args.force);
    written.push(crt, key);
  }
  const dir = path.resolve(args.out);
  const lines = [
    reused ? `Reused the CA in ${dir} (ca.crt, ca.key).` : `Made a CA in ${dir}: ca.key signs certificates; keep it offline.`,
    `Wrote: ${written.map((f) => path.basename(f)).join(', ') || 'nothing new'}`,
    '',
    'Static configuration (mTLS mandatory):',
    '  xds:',
    `    tls: {certFile: ${path.join(dir, 'server.crt')}, keyFile: ${path.join(dir, 'server.key')}, clientCAFile: ${path.join(dir, 'ca.crt')}}`,
  ];
  if (clients.length) {
    lines.push('  fleets:');
    for (const c of clients) {
      lines.push(`    - name: ${c.name}`, `      match: {nodeCluster: ${c.name}}`, `      clientCertificate: {san: ${JSON.stringify(c.sans[0])}}`);
    }
    const c = clients[0];
    lines.push(
      '',
      'Envoy bootstrap for a node:',
      `  traefik-xds bootstrap --server ${serverSans[0]}:18000 --node-id ${c.name}-1 --node-cluster ${c.name} \\`,
      `    --tls-ca ${path.join(dir, 'ca.crt')} --tls-cert ${path.join(dir, `client-${c.name}.crt`)} --tls-key ${path.join(dir, `client-${c.name}.key`)}`,
    );
  }
  out.write(lines.join('\n') + '\n');
  return EXIT_OK;
}
