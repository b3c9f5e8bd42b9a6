// The dashboard's JSON API (src/admin/api-model.ts) and static pages, against `serve` on the example
// manifests: overview counts, lists, detail pages with source YAML, diagnostics and Envoy resources, the
// request-path picture, NACKed clients, live events, and no secret material anywhere.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { startFixture, leaks, type Fixture } from './dashboard-fixture';
import { requestPathSvg } from '../../src/admin/dashboard-svg';

type Json = Record<string, any>;

async function getJson(f: Fixture, p: string): Promise<{ status: number; body: Json; text: string }> {
  const r = await fetch(f.base + p);
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as Json, text };
}

describe('dashboard API', function () {
  this.timeout(30000);
  let f: Fixture;
  const texts: string[] = [];
  const get = async (p: string) => {
    const r = await getJson(f, p);
    texts.push(r.text);
    return r;
  };

  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f?.close();
  });

  it('/api/overview: router, service and middleware counts by health, fleets with their nodes, the snapshot and the last build', async () => {
    const { status, body: o } = await get('/api/overview');
    assert.equal(status, 200);
    assert.equal(o.ready, true);
    assert.match(o.version, /^[0-9a-f]{16}$/);
    assert.equal(o.fleet, 'default/envoy');
    assert.ok(o.lastBuild.durationMs > 0 && Date.parse(o.lastBuild.at) > 0);
    assert.equal(o.routers.http.total, o.routers.http.ok + o.routers.http.warning + o.routers.http.error);
    assert.ok(o.routers.http.total >= 8, JSON.stringify(o.routers));
    assert.ok(o.routers.http.error >= 1, 'the broken route counts as an error');
    assert.equal(o.routers.tcp.total, 1);
    assert.equal(o.routers.udp.total, 0);
    assert.equal(o.middlewares.total, 3);
    assert.ok(o.services.total >= 5);
    const fleet = o.fleets.find((x: Json) => x.key === 'default/envoy');
    assert.deepEqual(fleet.nodes.map((n: Json) => [n.id, n.nacked]), [['envoy-ok', false], ['envoy-bad', true]]);
    assert.deepEqual(o.clients, { connected: 2, nacked: 1 });
    assert.ok(o.diagnostics.error >= 1);
  });

  it('/api/routers lists HTTP and TCP routers, and the IngressRoute that produced none as not served', async () => {
    const rs = (await get('/api/routers')).body.routers as Json[];
    const shop = rs.find((r) => r.source.name === 'shop' && r.source.field === 'spec.routes[0]')!;
    assert.ok(shop, 'the shop router');
    assert.equal(shop.protocol, 'http');
    assert.deepEqual(shop.middlewares, ['default/strip-shop', 'default/shop-headers', 'default/auth']);
    assert.deepEqual(shop.services.sort(), ['default/whoami-canary/80', 'default/whoami/80']);
    assert.ok(rs.some((r) => r.protocol === 'tcp' && r.source.name === 'db'));
    const broken = rs.find((r) => r.source.name === 'broken')!;
    assert.equal(broken.served, false);
    assert.equal(broken.status, 'error');
    const headerRoute = rs.find((r) => r.source.name === 'whoami' && r.source.field === 'spec.routes[1]')!;
    assert.equal(headerRoute.status, 'warning', 'the approximated Header matcher is a warning');
  });

  it('a router\'s detail: source YAML with its file, its diagnostics, its Envoy routes, listeners and clusters, and the request path', async () => {
    const rs = (await get('/api/routers')).body.routers as Json[];
    const id = rs.find((r) => r.source.name === 'shop' && r.source.field === 'spec.routes[0]')!.id;
    const { status, body: d } = await get(`/api/routers/${encodeURIComponent(id)}`);
    assert.equal(status, 200);
    assert.match(d.object.yaml, /kind: IngressRoute/);
    assert.match(d.object.file, /dashboard-extra\.yaml:\d+:1$/);
    assert.ok(d.diagnostics.every((x: Json) => x.name === 'shop' && (!x.field?.startsWith('spec.routes[') || x.field.startsWith('spec.routes[0]'))));
    const types = new Set((d.envoy as Json[]).map((e) => e.type));
    for (const t of ['listeners', 'routes', 'route', 'clusters', 'endpoints']) assert.ok(types.has(t), `Envoy ${t}: ${[...types]}`);
    const route = (d.envoy as Json[]).find((e) => e.type === 'route')!;
    assert.match(route.name, /^default\/shop\/r0/);
    assert.equal(route.routeConfig, 'web/http');
    assert.deepEqual(route.domains.filter((x: string) => x.startsWith('shop.example.com')).length > 0, true);
    // The picture: entry point → rule → three middlewares in order → the weighted, sticky TraefikService → mirror → endpoints.
    const svg = d.pathSvg as string;
    assert.match(svg, /^<svg /);
    const order = ['node-entry', 'node-rule', 'default/strip-shop', 'default/shop-headers', 'default/auth', 'default-shop-wrr', 'mirroring', 'node-endpoint'];
    let at = -1;
    for (const s of order) {
      const i = svg.indexOf(s, at + 1);
      assert.ok(i > at, `${s} after the previous element in the picture`);
      at = s.startsWith('node-') ? at : i;
    }
    assert.match(svg, /weight 3/);
    assert.match(svg, /mirror 10%/);
    assert.match(svg, /sticky/);
    assert.match(svg, /stroke-dasharray/, 'mirrors are dashed');
  });

  it('a not-served router shows the error that explains it', async () => {
    const d = (await get(`/api/routers/${encodeURIComponent('http:default/broken')}`)).body;
    assert.ok(d.diagnostics.some((x: Json) => x.severity === 'error' && /kubernetes service not found: default\/does-not-exist/.test(x.message)));
    assert.equal(d.pathSvg, undefined);
  });

  it('services: Kubernetes load balancers with endpoints and their Envoy cluster, TraefikServices with the clusters they reach', async () => {
    const ss = (await get('/api/services')).body.services as Json[];
    const wrr = ss.find((s) => s.id === 'traefikservice:default/shop-wrr')!;
    assert.equal(wrr.type, 'weighted');
    assert.equal(wrr.usedBy.length, 1);
    const d = (await get(`/api/services/${encodeURIComponent('http:default/whoami/80')}`)).body;
    assert.equal(d.endpointList.length, 3);
    assert.ok(d.envoy.some((e: Json) => e.type === 'clusters' && e.name === 'default/whoami/80'));
    assert.ok(d.envoy.some((e: Json) => e.type === 'endpoints'));
    assert.ok(d.objects.some((o: Json) => o.kind === 'Service' && /kind: Service/.test(o.yaml)));
    const ts = (await get(`/api/services/${encodeURIComponent('traefikservice:default/shop-mirror')}`)).body;
    assert.match(ts.objects[0].yaml, /mirroring:/);
    assert.equal((await get(`/api/services/${encodeURIComponent('http:nope')}`)).status, 404);
  });

  it('middlewares, TLS options and transports: lists and details with their Envoy form', async () => {
    const ms = (await get('/api/middlewares')).body.middlewares as Json[];
    assert.deepEqual(ms.map((m) => [m.name, m.type]), [['default/auth', 'basicAuth'], ['default/shop-headers', 'headers'], ['default/strip-shop', 'stripPrefix']]);
    const strip = (await get(`/api/middlewares/${encodeURIComponent('http:default/strip-shop')}`)).body;
    assert.equal(strip.status, 'warning');
    assert.ok(strip.diagnostics.length >= 1);
    assert.ok(strip.envoy.some((e: Json) => e.type === 'route' || e.type === 'listeners'), JSON.stringify(strip.envoy.map((e: Json) => e.type)));
    const auth = (await get(`/api/middlewares/${encodeURIComponent('http:default/auth')}`)).body;
    assert.ok(auth.envoy.length >= 1);
    const tls = (await get('/api/tlsoptions')).body.tlsOptions as Json[];
    assert.ok(tls.some((t) => t.id === 'default-modern' && t.minVersion === 'TLSv1_3' && t.usedBy.length === 1));
    const modern = (await get('/api/tlsoptions/default-modern')).body;
    assert.match(modern.object.yaml, /VersionTLS13/);
    assert.ok(modern.envoy.some((e: Json) => e.name === 'websecure/https/default-modern'));
    const ts = (await get('/api/transports')).body.transports as Json[];
    const slow = ts.find((t) => t.source?.name === 'slow')!;
    assert.equal(slow.clusters.length, 1);
    const sd = (await get(`/api/transports/${encodeURIComponent(slow.id)}`)).body;
    assert.equal(sd.envoy[0].resource.connect_timeout, '5s');
  });

  it('an Envoy resource by name, with the objects behind it', async () => {
    const r = (await get(`/api/envoy/clusters/${encodeURIComponent('default/whoami/80')}`)).body;
    assert.equal(r.resource.name, 'default/whoami/80');
    assert.ok(r.objects.some((o: string) => o.startsWith('IngressRoute default/')));
    assert.equal((await get('/api/envoy/clusters/nope')).status, 404);
  });

  it('Secrets never reach the dashboard: not their YAML, not a private key, not a password hash', async () => {
    const ss = await get('/api/services');
    void ss;
    const all = texts.join('\n');
    assert.deepEqual(leaks(f, all), []);
    // The Secret object itself is never rendered, and the Envoy secrets are redacted.
    const v = await getJson(f, `/api/envoy/secrets/${encodeURIComponent('default/whoami-tls')}`);
    assert.equal(v.body.resource.tls_certificate.private_key.inline_string, '[redacted]');
    assert.deepEqual(leaks(f, v.text), []);
  });

  it('/api/events: a change event when the sources change, and the API shows the new state', async () => {
    const events: string[] = [];
    const req = http.get(`${f.base}/api/events`);
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    res.setEncoding('utf8');
    res.on('data', (c: string) => events.push(c));
    try {
      await waitUntil(() => events.join('').includes('event: hello'));
      // Written whole, then renamed into place: the watcher must not read a half-written file (its first build
      // would then miss the IngressRoute, and the API be asked before the second one).
      const tmp = path.join(f.dir, 'late.yaml.partial');
      fs.writeFileSync(tmp, `
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: late, namespace: default}
spec:
  entryPoints: [web]
  routes:
    - match: Host(\`late.example.com\`)
      kind: Rule
      services: [{name: whoami, port: 80}]
`);
      fs.renameSync(tmp, path.join(f.dir, 'late.yaml'));
      // The API shows the new state once the build that read the file is done (an event from an earlier build
      // may come first, so the API is asked until then), and that build sent its change event.
      const deadline = Date.now() + 10000;
      let rs: Json[] = [];
      while (!rs.some((r) => r.source.name === 'late') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        rs = (await get('/api/routers')).body.routers as Json[];
      }
      assert.ok(rs.some((r) => r.source.name === 'late'), 'the API shows the new IngressRoute');
      await waitUntil(() => /"reasons":\["build"/.test(events.join('')), 2000);
    } finally {
      req.destroy();
    }
  });

  it('/dashboard/ serves the built page, its script and stylesheet, with a strict CSP', async () => {
    const page = await fetch(`${f.base}/dashboard/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/);
    const html = await page.text();
    assert.match(html, /<script defer src="\/dashboard\/app\.js"><\/script>/);
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from a CDN');
    const js = await fetch(`${f.base}/dashboard/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /javascript/);
    assert.equal((await fetch(`${f.base}/dashboard/app.css`)).status, 200);
    assert.equal((await fetch(`${f.base}/dashboard/routers`)).status, 200, 'client-side routes get the page');
    assert.equal((await fetch(`${f.base}/dashboard/..%2F..%2Fpackage.json`)).status, 404);
    const redirect = await fetch(`${f.base}/dashboard`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
  });

  it('the request-path SVG escapes every text', () => {
    const svg = requestPathSvg({ kind: 'rule', label: 'Host(`<script>`)', children: [{ kind: 'endpoint', label: '"a"&b', children: [] }] });
    assert.doesNotMatch(svg, /<script>/);
    assert.match(svg, /&lt;script&gt;/);
    assert.match(svg, /&quot;a&quot;&amp;b/);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
