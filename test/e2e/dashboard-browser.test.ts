// The dashboard in a real browser: Debian's Chromium (headless) driven by playwright-core, against `serve` on
// the example manifests. Checks the overview, the router list and search, a router's detail with its
// request-path picture, a diagnostic, the NACKed client, and a live update; screenshots go to test/artifacts/.
// Without /usr/bin/chromium (`.ci/run` installs it) these tests are skipped, loudly.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startFixture, leaks, type Fixture } from './dashboard-fixture';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../artifacts');
/** The bits of the browser's globals used in page functions (the tests compile without DOM types). */
interface Browserish {
  getComputedStyle(e: unknown): { backgroundColor: string };
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

describe('dashboard in Chromium', function () {
  this.timeout(60000);
  let f: Fixture;
  let browser: BrowserContext | undefined;
  let page: Page;
  let userData: string;
  const errors: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      const line = '!'.repeat(100);
      console.warn(`\n${line}\n!!! SKIPPING the dashboard browser tests: ${CHROMIUM} not found.\n!!! Install Debian's chromium (apt-get install -y chromium; .ci/run does it) to run them.\n${line}\n`);
      this.skip();
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    f = await startFixture();
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'traefik-xds-chromium-'));
    // A persistent context is how playwright gives Chromium a user-data directory: a fresh one per run.
    browser = await chromium.launchPersistentContext(userData, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 900 } });
    page = browser.pages()[0] ?? await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('request', (r) => { if (!r.url().startsWith(f.base)) errors.push(`request outside the admin server: ${r.url()}`); });
  });

  after(async () => {
    await browser?.close();
    await f?.close();
    if (userData) fs.rmSync(userData, { recursive: true, force: true });
  });

  afterEach(function () {
    assert.deepEqual(errors, [], 'no script error, no request elsewhere');
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });

  it('overview: counts, snapshot version, fleets with the NACKed node, live indicator', async () => {
    await page.goto(`${f.base}/dashboard/`);
    await page.waitForSelector('#snapshot-version');
    const version = await page.textContent('#snapshot-version');
    assert.equal(version, f.run.cache.get('default/envoy')!.version);
    const http = await page.textContent('[data-card="HTTP routers"]');
    assert.match(http!, /error/);
    const fleets = await page.textContent('#fleets');
    assert.match(fleets!, /envoy-ok/);
    assert.match(fleets!, /envoy-bad\s*NACK/);
    await page.waitForSelector('#live.on', { timeout: 5000 });
    await shot('overview');
  });

  it('routers: the list shows the right routers, search and filters narrow it', async () => {
    await page.goto(`${f.base}/dashboard/#/routers`);
    await page.waitForSelector('table tbody tr');
    const names = await page.$$eval('tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    assert.ok(names.some((t) => t.includes('Host(`shop.example.com`) && PathPrefix(`/shop`)')));
    assert.ok(names.some((t) => t.includes('HostSNI(`*`)')), 'the TCP router');
    assert.ok(names.some((t) => t.includes('default/broken') && t.includes('not served')));
    await page.fill('#search', 'legacy');
    const visible = await page.$$eval('tbody tr', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => r.textContent ?? ''));
    assert.equal(visible.length, 1);
    assert.match(visible[0], /old\.example\.com/);
    await page.fill('#search', '');
    await page.selectOption('select[data-filter="protocol"]', 'tcp');
    const tcp = await page.$$eval('tbody tr', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).length);
    assert.equal(tcp, 1);
    await page.selectOption('select[data-filter="protocol"]', '');
    await shot('routers');
  });

  it('a router\'s page: the request-path picture, its diagnostics, its source and its Envoy resources with links', async () => {
    await page.goto(`${f.base}/dashboard/#/routers`);
    await page.waitForSelector('tbody tr');
    await page.click('tbody tr:has-text("shop.example.com") a[href^="#/routers/"]');
    await page.waitForSelector('#request-path svg');
    const kinds = await page.$$eval('#request-path svg g.node', (gs) => gs.map((g) => g.getAttribute('data-kind')));
    for (const k of ['entry', 'rule', 'middleware', 'service', 'cluster', 'endpoint']) assert.ok(kinds.includes(k), `a ${k} box in the picture`);
    const mws = await page.$$eval('#request-path svg g.node-middleware title', (ts) => ts.map((t) => t.textContent));
    assert.deepEqual(mws.map((t) => /default\/[a-z-]+/.exec(t!)![0]), ['default/strip-shop', 'default/shop-headers', 'default/auth']);
    const box = await page.$eval('#request-path svg', (s) => s.getBoundingClientRect().width);
    assert.ok(box > 800, 'the picture is drawn');
    assert.match((await page.textContent('.source summary'))!, /IngressRoute default\/shop.*dashboard-extra\.yaml:\d+/);
    assert.ok(await page.$('#envoy a[href^="#/envoy/listeners/web"]'));
    await shot('router');
    await page.click('#envoy a[href^="#/envoy/clusters/"]');
    await page.waitForSelector('h1:has-text("Cluster")');
    assert.match((await page.textContent('main pre'))!, /"name": "default\//);
  });

  it('a diagnostic: the broken router explains why it is not served', async () => {
    await page.goto(`${f.base}/dashboard/#/routers/${encodeURIComponent('http:default/broken')}`);
    await page.waitForSelector('#diagnostics table');
    const d = await page.textContent('#diagnostics');
    assert.match(d!, /kubernetes service not found: default\/does-not-exist/);
    assert.ok(await page.$('h1 .badge.error'));
    await shot('diagnostic');
  });

  it('clients: the NACKed client is highlighted with its error and the objects it maps to', async () => {
    await page.goto(`${f.base}/dashboard/#/clients`);
    await page.waitForSelector('#clients table');
    const nack = await page.$$eval('tr.nack', (rows) => rows.map((r) => r.textContent ?? ''));
    assert.equal(nack.length, 1);
    assert.match(nack[0], /envoy-bad/);
    assert.match(nack[0], /ClusterValidationError/);
    assert.match(nack[0], /IngressRoute default\//);
    const bg = await page.$eval('tr.nack td', (td) => (globalThis as unknown as Browserish).getComputedStyle(td).backgroundColor);
    assert.notEqual(bg, 'rgb(255, 255, 255)', 'highlighted');
    await shot('clients');
  });

  it('live: a new IngressRoute appears in the open list without reloading', async () => {
    await page.goto(`${f.base}/dashboard/#/routers`);
    await page.waitForSelector('#live.on');
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    fs.writeFileSync(path.join(f.dir, 'live.yaml'), `
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: live, namespace: default}
spec:
  entryPoints: [web]
  routes:
    - match: Host(\`live.example.com\`)
      kind: Rule
      services: [{name: whoami, port: 80}]
`);
    await page.waitForSelector('tbody tr:has-text("live.example.com")', { timeout: 10000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marker: number }).marker), 42, 'no reload');
    await shot('live');
  });

  it('no page shows secret material', async () => {
    let all = '';
    for (const h of ['#/', '#/routers', '#/services', '#/middlewares', `#/middlewares/${encodeURIComponent('http:default/auth')}`, '#/tlsoptions', '#/transports', '#/clients',
      `#/envoy/secrets/${encodeURIComponent('default/whoami-tls')}`, '#/diagnostics']) {
      await page.goto(`${f.base}/dashboard/${h}`);
      await page.waitForSelector('main h1');
      all += await page.content();
    }
    assert.deepEqual(leaks(f, all), []);
  });
});
