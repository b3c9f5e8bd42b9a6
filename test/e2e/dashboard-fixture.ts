// Shared by the dashboard tests: `serve` on the example manifests plus a few objects that exercise every page
// (middlewares, TraefikServices with weights, mirrors and stickiness, a TLS option, a ServersTransport, a TCP
// router, a broken route), an Envoy that ACKs and one that NACKs, and the secret material no page may show.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startServe, type Running } from '../../src/serve/run';
import { loadStaticConfig } from '../../src/config/load';
import { OpsClient, TYPE, captureLog, node, tmpDir, waitFor } from '../unit/ops/helpers';
import { buildDashboard, OUT_DIR } from '../../scripts/build-dashboard';

export const CONFIG = `
entryPoints:
  web: {address: ":8080"}
  websecure: {address: ":8443"}
  db: {address: ":9000"}
`;

/** htpasswd users of the basicAuth Secret: their hashes are credentials too. */
export const HTPASSWD_HASH = '{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=';

export const EXTRA = `
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: strip-shop, namespace: default}
spec:
  stripPrefix: {prefixes: [/shop]}
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: shop-headers, namespace: default}
spec:
  headers:
    customRequestHeaders: {X-Shop: "yes"}
---
apiVersion: v1
kind: Secret
metadata: {name: auth-users, namespace: default}
stringData:
  users: "test:${HTPASSWD_HASH}"
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: auth, namespace: default}
spec:
  basicAuth: {secret: auth-users}
---
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: shop-mirror, namespace: default}
spec:
  mirroring:
    name: whoami
    port: 80
    mirrors:
      - {name: whoami-canary, port: 80, percent: 10}
---
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: shop-wrr, namespace: default}
spec:
  weighted:
    services:
      - {name: whoami, port: 80, weight: 3}
      - {name: shop-mirror, kind: TraefikService, weight: 1}
    sticky:
      cookie: {name: shop_lb}
---
apiVersion: traefik.io/v1alpha1
kind: ServersTransport
metadata: {name: slow, namespace: default}
spec:
  forwardingTimeouts: {dialTimeout: 5s}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: modern, namespace: default}
spec:
  minVersion: VersionTLS13
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: shop, namespace: default}
spec:
  entryPoints: [web]
  routes:
    - match: Host(\`shop.example.com\`) && PathPrefix(\`/shop\`)
      kind: Rule
      middlewares: [{name: strip-shop}, {name: shop-headers}, {name: auth}]
      services: [{name: shop-wrr, kind: TraefikService}]
    - match: Host(\`slow.example.com\`)
      kind: Rule
      services: [{name: whoami, port: 80, serversTransport: slow}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: shop-secure, namespace: default}
spec:
  entryPoints: [websecure]
  routes:
    - match: Host(\`secure.shop.example.com\`)
      kind: Rule
      services: [{name: whoami, port: 80}]
  tls:
    options: {name: modern}
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: broken, namespace: default}
spec:
  entryPoints: [web]
  routes:
    - match: Host(\`broken.example.com\`)
      kind: Rule
      services: [{name: does-not-exist, port: 80}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: db, namespace: default}
spec:
  entryPoints: [db]
  routes:
    - match: HostSNI(\`*\`)
      services: [{name: whoami, port: 80}]
`;

export interface Fixture {
  dir: string;
  run: Running;
  base: string;
  clients: OpsClient[];
  log: ReturnType<typeof captureLog>;
  /** Strings that must never reach the dashboard: private key lines and base64, htpasswd hashes. */
  secrets: string[];
  close(): Promise<void>;
}

/** Builds the dashboard (a fresh `npm ci` and `npm test` build it too; mocha alone may run on a stale build). */
export function ensureBuilt(): void {
  buildDashboard();
  if (!fs.existsSync(path.join(OUT_DIR, 'app.js'))) throw new Error(`the dashboard build produced no ${OUT_DIR}/app.js`);
}

export async function startFixture(): Promise<Fixture> {
  ensureBuilt();
  const dir = tmpDir('traefik-xds-dashboard-');
  const examples = path.resolve(__dirname, '../../examples/manifests');
  for (const f of fs.readdirSync(examples)) fs.copyFileSync(path.join(examples, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'dashboard-extra.yaml'), EXTRA);
  const { config } = loadStaticConfig({ text: CONFIG });
  const log = captureLog();
  const run = await startServe({ config, paths: [dir], log, address: '127.0.0.1:0', adminAddress: '127.0.0.1:0', watch: true, debounce: { quietMs: 50, maxMs: 200 } });
  const clients: OpsClient[] = [];
  // An Envoy that ACKs CDS and one that NACKs it.
  const ok = new OpsClient(`127.0.0.1:${run.port}`);
  clients.push(ok);
  ok.send({ node: node('envoy-ok', 'default'), type_url: TYPE.cds });
  const r1 = await ok.next();
  ok.send({ type_url: TYPE.cds, version_info: r1.version_info, response_nonce: r1.nonce });
  const bad = new OpsClient(`127.0.0.1:${run.port}`);
  clients.push(bad);
  bad.send({ node: node('envoy-bad', 'default'), type_url: TYPE.cds });
  const r2 = await bad.next();
  bad.send({
    type_url: TYPE.cds, version_info: '', response_nonce: r2.nonce,
    error_detail: { code: 3, message: 'Proto constraint validation failed (ClusterValidationError.ConnectTimeout): default/whoami/80 rejected' },
  });
  await waitFor(() => log.lines.some((l) => l.msg === 'xds: NACK'), 5000, 'the NACK');
  const tlsYaml = fs.readFileSync(path.join(examples, 'tls.yaml'), 'utf8');
  const keyB64 = /tls\.key:\s*(\S+)/.exec(tlsYaml)![1];
  const keyPem = Buffer.from(keyB64, 'base64').toString('utf8');
  const secrets = [
    keyB64.slice(100, 160),
    ...keyPem.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----')).slice(0, 5),
    HTPASSWD_HASH,
    'qUqP5cyxm6YcTAhz05Hph5gvu9M',
  ];
  return {
    dir, run, clients, log, secrets,
    base: `http://127.0.0.1:${run.adminPort}`,
    async close() {
      for (const c of clients) c.close();
      await run.stop(300);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Secret strings found in a text (expected: none). */
export function leaks(f: Fixture, text: string): string[] {
  return f.secrets.filter((s) => text.includes(s));
}
