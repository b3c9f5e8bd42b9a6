// Shared by the operations tests (unit and e2e): a throwaway PKI written to a temporary folder, the raw xDS
// client (test/helpers/ads-client.ts) with grpc-js credentials, a log capture, manifests with a TLS Secret, and an HTTP getter.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { makeCA, issue, type CertificateAuthority, type Issued } from '../../../src/cli/certs';
import { RawXdsClient } from '../../helpers/ads-client';
import type { Logger } from '../../../src/xds/stream-context';

export interface Pki {
  dir: string;
  ca: CertificateAuthority;
  server: Issued;
  /** Files: ca.crt, server.crt, server.key, and <name>.crt/.key for every client. */
  file(name: string): string;
  clients: Record<string, Issued>;
  /** A client certificate from another CA (the server must refuse it). */
  stranger: Issued;
}

let cachedPki: Pki | undefined;

/** One PKI per test process (RSA key generation is the slow part): CA, server (localhost, 127.0.0.1) and clients. */
export function testPki(): Pki {
  if (cachedPki && fs.existsSync(cachedPki.dir)) return cachedPki;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traefik-xds-pki-'));
  const ca = makeCA('test CA', 2);
  const server = issue(ca, { commonName: 'xds', sans: ['localhost', '127.0.0.1'], usage: 'server', days: 2 });
  const clients: Record<string, Issued> = {
    edge: issue(ca, { commonName: 'edge', sans: ['spiffe://test.local/ns/edge/sa/envoy'], usage: 'client', days: 2 }),
    inner: issue(ca, { commonName: 'inner', sans: ['inner.nodes.test.local', 'spiffe://test.local/ns/inner/sa/envoy'], usage: 'client', days: 2 }),
  };
  const otherCa = makeCA('other CA', 2);
  const stranger = issue(otherCa, { commonName: 'edge', sans: ['spiffe://test.local/ns/edge/sa/envoy'], usage: 'client', days: 2 });
  const write = (name: string, x: Issued) => {
    fs.writeFileSync(path.join(dir, `${name}.crt`), x.certPem);
    fs.writeFileSync(path.join(dir, `${name}.key`), x.keyPem, { mode: 0o600 });
  };
  fs.writeFileSync(path.join(dir, 'ca.crt'), ca.certPem);
  write('server', server);
  for (const [n, c] of Object.entries(clients)) write(n, c);
  write('stranger', stranger);
  cachedPki = { dir, ca, server, clients, stranger, file: (n) => path.join(dir, n) };
  return cachedPki;
}

export function clientCreds(p: Pki, who?: string | Issued): grpc.ChannelCredentials {
  const c = typeof who === 'string' ? (who === 'stranger' ? p.stranger : p.clients[who]) : who;
  return grpc.credentials.createSsl(Buffer.from(p.ca.certPem), c ? Buffer.from(c.keyPem) : null, c ? Buffer.from(c.certPem) : null);
}

export { TYPE, node } from '../../helpers/ads-client';

/** A raw state-of-the-world ADS client with any credentials and channel options. */
export class OpsClient extends RawXdsClient {
  constructor(address: string, credentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}) {
    super(address, false, undefined, credentials, options);
  }
}

export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

/** A Logger that keeps every line as JSON text (as the real logger would print it). */
export function captureLog(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const push = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push(JSON.parse(JSON.stringify({ level, msg, ...fields })) as LogLine);
  };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error'), text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function httpGet(port: number, p: string): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

export const BACKENDS = `
apiVersion: v1
kind: Service
metadata: {name: whoami, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: whoami-1
  namespace: default
  labels: {kubernetes.io/service-name: whoami}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
  - addresses: ["10.0.0.11"]
    conditions: {ready: true}
`;

/** An HTTPS IngressRoute on `websecure` with its kubernetes.io/tls Secret (base64 `data`, as the API returns it), and a plain one on `web`. */
export function tlsManifests(site: Issued): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return `${BACKENDS}
---
apiVersion: v1
kind: Secret
metadata: {name: site-tls, namespace: default}
type: kubernetes.io/tls
data:
  tls.crt: ${b64(site.certPem)}
  tls.key: ${b64(site.keyPem)}
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: secure, namespace: default}
spec:
  entryPoints: [websecure]
  routes:
    - match: Host(\`site.example.com\`)
      kind: Rule
      services: [{name: whoami, port: 80}]
  tls:
    secretName: site-tls
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: plain, namespace: default}
spec:
  entryPoints: [web]
  routes:
    - match: Host(\`site.example.com\`)
      kind: Rule
      services: [{name: whoami, port: 80}]
`;
}

/** The body lines of a PEM block (what must never be printed), e.g. to search outputs for any of them. */
export function pemBodyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l && !l.startsWith('-----') && l.length >= 40);
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
