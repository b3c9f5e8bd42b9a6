// Incremental rebuild (model/ingressroute-memo.ts): after every change of a long random sequence, the serve
// loop's Controller with its memo publishes exactly what a Controller rebuilding everything publishes: the
// same Envoy resources, the same diagnostics and the same model. Changes edit, add, delete and rename
// IngressRoutes, Middlewares (chains, BasicAuth, ForwardAuth, Errors), Services, EndpointSlices, Secrets,
// TLSOptions, TLSStores, TraefikServices and ServersTransports, make objects invalid and valid again, and hand
// over unchanged content as new objects. The reference is a twin Controller with the memo off, fed the same
// sequence, because a Controller also remembers the last valid version of each object (a fresh Controller
// would serve different objects after an invalid edit); when no object has ever been invalid or broken, a
// fresh Controller is compared too.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller } from '../../../src/serve/controller';
import { SnapshotCache } from '../../../src/xds/cache';
import { loadStaticConfig } from '../../../src/config/load';
import { parseManifestText } from '../../../src/sources/manifests';
import { silentLogger } from '../../../src/xds/stream-context';
import { snapshotResources } from '../../../src/xds/snapshot';
import { makeCA, issue } from '../../../src/cli/certs';
import type { RawObject } from '../../../src/sources/types';

/** With an entry-point middleware (routers of `web` are copies with it) and without (routers reused as they are). */
const CONFIGS: Record<string, string> = {};
CONFIGS['entry-point middleware'] = `
entryPoints:
  web:
    address: ":8080"
    http:
      middlewares: [a-epmw@kubernetescrd]
  websecure:
    address: ":8443"
    forwardedHeaders: {insecure: true}
providers:
  kubernetesCRD:
    allowCrossNamespace: true
    allowExternalNameServices: true
`;
CONFIGS['plain entry points'] = CONFIGS['entry-point middleware'].replace(/ {4}http:\n {6}middlewares: .*\n/, '');

const ca = makeCA('memo test CA');
const leaves = [issue(ca, { commonName: 'x', sans: ['x.example.com'], usage: 'server' }), issue(ca, { commonName: 'y', sans: ['y.example.com', 'z.example.com'], usage: 'server' })];
const b64 = (s: string) => Buffer.from(s).toString('base64');

const meta = (kind: string, name: string, ns = 'a', api = 'traefik.io/v1alpha1') =>
  `apiVersion: ${api}\nkind: ${kind}\nmetadata: {name: ${name}, namespace: ${ns}}\n`;

function ir(name: string, ns: string, body: string): string {
  return `${meta('IngressRoute', name, ns)}spec:\n${body}`;
}

function svc(name: string, ports: string, extra = ''): string {
  return `${meta('Service', name, 'a', 'v1')}spec:\n  ports: ${ports}\n${extra}`;
}

function slice(name: string, service: string, addrs: string[], port = 8080): string {
  return `${meta('EndpointSlice', name, 'a', 'discovery.k8s.io/v1').replace('metadata: {', `metadata: {labels: {kubernetes.io/service-name: ${service}}, `)}` +
    `addressType: IPv4\nports: [{name: http, port: ${port}}]\nendpoints: [${addrs.map((x) => `{addresses: ["${x}"], conditions: {ready: true}}`).join(', ')}]\n`;
}

function mw(name: string, spec: string, ns = 'a'): string {
  return `${meta('Middleware', name, ns)}spec:\n${spec}`;
}

function tlsSecret(name: string, leaf: { certPem: string; keyPem: string } | 'garbage'): string {
  const data = leaf === 'garbage' ? { c: b64('not a certificate'), k: b64('nor a key') } : { c: b64(leaf.certPem), k: b64(leaf.keyPem) };
  return `${meta('Secret', name, 'a', 'v1')}type: kubernetes.io/tls\ndata:\n  tls.crt: ${data.c}\n  tls.key: ${data.k}\n`;
}

const INVALID_IR = (name: string, ns = 'a') => ir(name, ns, '  routes: 42\n');

/** Each slot holds one object (or none); its variants are what a change may turn it into. */
const SLOTS: Record<string, (string | null)[]> = {
  ir1: [
    ir('ir1', 'a', '  entryPoints: [web]\n  routes:\n    - match: Host(`x.example.com`) && PathPrefix(`/p`)\n      middlewares: [{name: chain}, {name: auth}]\n      services: [{name: svc1, port: 80}]\n'),
    ir('ir1', 'a', '  entryPoints: [web]\n  routes:\n    - match: Host(`x.example.com`) && PathPrefix(`/q`)\n      middlewares: [{name: chain}]\n      services: [{name: svc1, port: http}]\n    - match: Host(`x.example.com`)\n      middlewares: [{name: errs}]\n      services: [{name: svc1, port: 80, sticky: {cookie: {name: c1}}}]\n'),
    ir('ir1', 'a', '  entryPoints: [web, websecure]\n  routes:\n    - match: Host(`x.example.com`) && PathPrefix(`/p`)\n      middlewares: [{name: fwd}]\n      services: [{name: svc1, port: 80}, {name: svc2, port: 80, weight: 3}]\n  tls:\n    secretName: tls1\n'),
    INVALID_IR('ir1'),
    null,
  ],
  ir2: [
    ir('ir2', 'a', '  entryPoints: [websecure]\n  routes:\n    - match: Host(`y.example.com`)\n      services: [{name: svc1, port: http, sticky: {cookie: {name: c2}}}]\n  tls:\n    secretName: tls1\n    options: {name: opt1}\n'),
    ir('ir2', 'a', '  entryPoints: [websecure]\n  routes:\n    - match: Host(`y.example.com`)\n      services: [{name: svc1, port: 80}]\n    - match: Host(`y.example.com`)\n      services: [{name: svc3, port: 80}]\n  tls:\n    secretName: tls2\n'),
    ir('ir2b', 'a', '  entryPoints: [websecure]\n  routes:\n    - match: Host(`y.example.com`)\n      services: [{name: svc1, port: http, sticky: {cookie: {name: c2}}}]\n  tls:\n    secretName: tls1\n    options: {name: opt1}\n'),
    null,
  ],
  ir3: [
    ir('ir3', 'a', '  routes:\n    - match: PathPrefix(`/three`)\n      middlewares: [{name: errs}, {name: hdr}]\n      services: [{name: svc2, port: 80, serversTransport: st1}]\n'),
    ir('ir3', 'a', '  routes:\n    - match: PathPrefix(`/three`)\n      middlewares: [{name: fwd}]\n      services: [{name: svc2, port: 80}, {name: svc4, port: 443}]\n'),
    ir('ir3', 'a', '  routes:\n    - match: PathPrefix(`/three`)\n      services: [{name: svc2, port: 80, serversTransport: st1, middlewares: [{name: hdr}]}]\n'),
    null,
  ],
  ir4: [
    ir('ir4', 'a', '  routes:\n    - match: PathPrefix(`/four`)\n      services: [{name: ts1, kind: TraefikService}]\n'),
    ir('ir4', 'a', '  routes:\n    - match: PathPrefix(`/four`)\n      services: [{name: svc2, port: 80}]\n'),
    null,
  ],
  ir5: [
    ir('ir5', 'b', '  routes:\n    - match: Host(`x.example.com`) && PathPrefix(`/b`)\n      middlewares: [{name: hdr, namespace: a}, {name: a-strip@kubernetescrd}]\n      services: [{name: svc1, namespace: a, port: 80}]\n'),
    ir('ir5', 'b', '  routes:\n    - match: Host(`x.example.com`) && PathPrefix(`/b`)\n      services: [{name: svc1, namespace: a, port: http}]\n    - match: Host(`x.example.com`) && PathPrefix(`/b`)\n      services: [{name: svc2, namespace: a, port: 80}]\n'),
    INVALID_IR('ir5', 'b'),
    null,
  ],
  ir6: [
    ir('ir6', 'a', '  routes:\n    - match: Host(`z.example.com`)\n      priority: 5\n      middlewares: [{name: auth}]\n      services: [{name: svc3, port: 80, nativeLB: true}]\n'),
    ir('ir6', 'a', '  routes:\n    - match: Host(`z.example.com`)\n      middlewares: [{name: late}]\n      services: [{name: svc5, port: 80}]\n'),
    null,
  ],
  svc1: [
    svc('svc1', '[{name: http, port: 80}]'),
    svc('svc1', '[{name: http, port: 80}, {name: https, port: 443}]'),
    svc('svc1', '[{name: web, port: 80}]'),
    null,
  ],
  svc2: [svc('svc2', '[{name: http, port: 80}]'), svc('svc2', '[{name: http, port: 80}]', '  type: ClusterIP\n  clusterIP: 10.96.0.2\n'), null],
  svc3: [svc('svc3', '[{name: http, port: 80}]', '  clusterIP: 10.96.0.3\n'), svc('svc3', '[{name: http, port: 80}]', '  clusterIP: None\n'), null],
  svc4: [svc('svc4', '[{port: 443}]', '  type: ExternalName\n  externalName: ext.example.net\n'), svc('svc4', '[]', '  type: ExternalName\n  externalName: ext2.example.net\n'), null],
  svc5: [svc('svc5', '[{name: http, port: 80}]'), null],
  'svc1-s1': [slice('svc1-s1', 'svc1', ['10.0.0.1', '10.0.0.2']), slice('svc1-s1', 'svc1', ['10.0.0.3']), null],
  'svc1-s2': [null, slice('svc1-s2', 'svc1', ['10.0.1.1'])],
  'svc2-s': [slice('svc2-s', 'svc2', ['10.0.2.1']), slice('svc2-s', 'svc2', ['10.0.2.2'], 9090), null],
  'svc3-s': [slice('svc3-s', 'svc3', ['10.0.3.1']), null],
  'svc5-s': [slice('svc5-s', 'svc5', ['10.0.5.1']), null],
  chain: [mw('chain', '  chain:\n    middlewares: [{name: hdr}, {name: strip}]\n'), mw('chain', '  chain:\n    middlewares: [{name: strip}]\n'), mw('chain', '  chain:\n    middlewares: [{name: missing}]\n'), mw('chain', '  chain: 7\n'), null],
  hdr: [mw('hdr', '  headers:\n    customRequestHeaders: {X-A: "1"}\n'), mw('hdr', '  headers:\n    customRequestHeaders: {X-A: "2"}\n    customResponseHeaders: {X-B: "3"}\n'), null],
  strip: [mw('strip', '  stripPrefix:\n    prefixes: [/p]\n'), mw('strip', '  stripPrefix:\n    prefixes: [/q, /p]\n'), mw('strip', '  stripPrefix: {prefixes: 3}\n')],
  auth: [mw('auth', '  basicAuth:\n    secret: users\n'), mw('auth', '  basicAuth:\n    secret: users2\n'), null],
  fwd: [mw('fwd', '  forwardAuth:\n    address: http://10.1.1.1:9000/\n'), mw('fwd', '  forwardAuth:\n    address: http://auth.example.net:9000/\n    trustForwardHeader: true\n'), null],
  errs: [mw('errs', '  errors:\n    status: ["500-503"]\n    query: /{status}.html\n    service: {name: svc3, port: 80}\n'), mw('errs', '  errors:\n    status: ["404"]\n    query: /e.html\n    service: {name: svc2, port: 80}\n'), null],
  // Never valid before its first invalid version: references to it say "invalid", not "missing".
  late: [null, mw('late', '  headers: 5\n'), mw('late', '  headers:\n    customRequestHeaders: {X-L: "1"}\n')],
  epmw: [mw('epmw', '  headers:\n    customRequestHeaders: {X-Ep: "1"}\n'), mw('epmw', '  headers:\n    customRequestHeaders: {X-Ep: "2"}\n'), null],
  users: [
    `${meta('Secret', 'users', 'a', 'v1')}data:\n  users: ${b64('u:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\n')}\n`,
    `${meta('Secret', 'users', 'a', 'v1')}data:\n  users: ${b64('v:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\n')}\n`,
    null,
  ],
  users2: [null, `${meta('Secret', 'users2', 'a', 'v1')}data:\n  users: ${b64('w:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\n')}\n`],
  tls1: [tlsSecret('tls1', leaves[0]), tlsSecret('tls1', leaves[1]), tlsSecret('tls1', 'garbage'), null],
  tls2: [tlsSecret('tls2', leaves[1]), null],
  opt1: [
    `${meta('TLSOption', 'opt1')}spec:\n  minVersion: VersionTLS12\n`,
    `${meta('TLSOption', 'opt1')}spec:\n  minVersion: VersionTLS13\n`,
    `${meta('TLSOption', 'opt1')}spec:\n  minVersion: 12\n`,
    null,
  ],
  store: [null, `${meta('TLSStore', 'default')}spec:\n  defaultCertificate: {secretName: tls1}\n`, `${meta('TLSStore', 'default')}spec:\n  certificates: [{secretName: tls2}]\n`],
  st1: [
    `${meta('ServersTransport', 'st1')}spec:\n  serverName: inner.example.net\n`,
    `${meta('ServersTransport', 'st1')}spec:\n  forwardingTimeouts: {dialTimeout: 5s}\n`,
    `${meta('ServersTransport', 'st1')}spec:\n  forwardingTimeouts: {dialTimeout: soon}\n`,
    null,
  ],
  ts1: [
    `${meta('TraefikService', 'ts1')}spec:\n  weighted:\n    services: [{name: svc5, port: 80, weight: 3}, {name: svc2, port: 80, weight: 1}]\n`,
    `${meta('TraefikService', 'ts1')}spec:\n  weighted:\n    services: [{name: svc5, port: 80, weight: 1}]\n`,
    `${meta('TraefikService', 'ts1')}spec:\n  weighted:\n    services: [{name: svc1, port: 80, weight: 1}]\n`,
    null,
  ],
};

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parse(yaml: string, slot: string): RawObject {
  const s = parseManifestText(yaml, `${slot}.yaml`);
  assert.equal(s.problems.length, 0, JSON.stringify(s.problems));
  assert.equal(s.objects.length, 1);
  return s.objects[0];
}

/** A model as comparable data: Maps as entry lists (their order counts), bigints as text, functions left out. */
function modelFacts(m: unknown): string {
  return JSON.stringify(m, (_k, v) => (v instanceof Map ? [...v.entries()] : typeof v === 'bigint' ? `${v}n` : typeof v === 'function' ? undefined : v));
}

function published(cache: SnapshotCache) {
  const snap = cache.get('default/envoy');
  return snap ? snapshotResources(snap) : undefined;
}

describe('serve/controller: incremental rebuild equals a full rebuild (property)', function () {
  this.timeout(120_000);
  const slotNames = Object.keys(SLOTS);

  for (const [configName, text] of Object.entries(CONFIGS)) for (const seed of [1, 2, 3]) {
    it(`${configName}, seed ${seed}: 150 random changes`, () => {
      const { config } = loadStaticConfig({ text });
      assert.equal(text.includes('a-epmw'), configName === 'entry-point middleware');
      const random = rng(seed);
      const state = new Map<string, { variant: number; raw: RawObject | undefined }>();
      const at = (slot: string, variant: number) => {
        const yaml = SLOTS[slot][variant];
        state.set(slot, { variant, raw: yaml === null ? undefined : parse(yaml, slot) });
      };
      for (const s of slotNames) at(s, 0);
      const objects = () => slotNames.map((s) => state.get(s)!.raw).filter((o): o is RawObject => !!o);

      const mine = new SnapshotCache();
      const memoised = new Controller(config, mine, silentLogger);
      const theirs = new SnapshotCache();
      const reference = new Controller(config, theirs, silentLogger, { incremental: false });
      let everBroken = false;
      let replayed = 0;
      for (let step = 0; step <= 150; step++) {
        let what = 'initial';
        if (step > 0) {
          const slot = slotNames[Math.floor(random() * slotNames.length)];
          const cur = state.get(slot)!;
          if (random() < 0.15 && cur.raw) {
            // The same content handed over as a new object.
            at(slot, cur.variant);
            what = `${slot} re-sent`;
          } else {
            const n = SLOTS[slot].length;
            const v = (cur.variant + 1 + Math.floor(random() * (n - 1))) % n;
            at(slot, v);
            what = `${slot} → variant ${v}`;
          }
        }
        const source = { objects: objects(), problems: [] };
        const a = memoised.update(source);
        const b = reference.update(source);
        const ctx = `seed ${seed} step ${step} (${what})`;
        assert.deepEqual(a.diagnostics, b.diagnostics, `${ctx}: diagnostics`);
        assert.deepEqual(published(mine), published(theirs), `${ctx}: Envoy resources`);
        assert.equal(modelFacts(memoised.currentModel()), modelFacts(reference.currentModel()), `${ctx}: model`);
        replayed += a.reusedIngressRoutes ?? 0;
        everBroken ||= a.diagnostics.some((d) => d.severity === 'error');
        if (!everBroken) {
          const fresh = new SnapshotCache();
          const f = new Controller(config, fresh, silentLogger).update(source);
          assert.deepEqual(a.diagnostics, f.diagnostics, `${ctx}: diagnostics of a fresh Controller`);
          assert.deepEqual(published(mine), published(fresh), `${ctx}: Envoy resources of a fresh Controller`);
        }
      }
      // The memo was used (else the comparison proves nothing).
      assert.ok(replayed > 150, `only ${replayed} IngressRoutes reused`);
    });
  }
});

describe('serve/controller: a rebuild that reuses every IngressRoute equals a full rebuild (golden inputs)', function () {
  this.timeout(300_000);
  it('every golden case, built twice (the second time from the memo)', () => {
    const root = path.join(__dirname, '../../golden/cases');
    let reused = 0;
    for (const name of fs.readdirSync(root).sort()) {
      const dir = path.join(root, name);
      if (!fs.existsSync(path.join(dir, 'input.yaml'))) continue;
      const configFile = path.join(dir, 'config.yaml');
      const { config } = fs.existsSync(configFile)
        ? loadStaticConfig({ text: fs.readFileSync(configFile, 'utf8'), file: 'config.yaml' })
        : loadStaticConfig({});
      const input = parseManifestText(fs.readFileSync(path.join(dir, 'input.yaml'), 'utf8'), 'input.yaml');
      const mine = new SnapshotCache();
      const theirs = new SnapshotCache();
      const memoised = new Controller(config, mine, silentLogger);
      const reference = new Controller(config, theirs, silentLogger, { incremental: false });
      for (let round = 0; round < 2; round++) {
        const source = { objects: [...input.objects], problems: input.problems };
        const a = memoised.update(source);
        const b = reference.update(source);
        if (round === 1) reused += a.reusedIngressRoutes ?? 0;
        assert.deepEqual(a.diagnostics, b.diagnostics, `${name} round ${round}: diagnostics`);
        assert.deepEqual(published(mine), published(theirs), `${name} round ${round}: Envoy resources`);
        assert.equal(modelFacts(memoised.currentModel()), modelFacts(reference.currentModel()), `${name} round ${round}: model`);
      }
    }
    assert.ok(reused > 100, `only ${reused} IngressRoutes reused`);
  });
});

describe('serve/controller: incremental rebuild, dependencies through shared clusters', () => {
  it('an IngressRoute whose sticky cluster copies a cluster another IngressRoute made is rebuilt when that one changes', () => {
    const { config } = loadStaticConfig({ text: CONFIGS['plain entry points'] });
    const first = (port: string) => parse(ir('first', 'a', `  routes:\n    - match: PathPrefix(\`/one\`)\n      services: [{name: svc1, port: ${port}}]\n`), 'first');
    const second = parse(ir('second', 'a', '  routes:\n    - match: PathPrefix(`/two`)\n      services: [{name: svc1, port: 80, sticky: {cookie: {name: c}}}]\n'), 'second');
    const rest = [parse(SLOTS.svc1[0]!, 'svc1'), parse(SLOTS['svc1-s1'][0]!, 's1')];
    const mine = new SnapshotCache();
    const memoised = new Controller(config, mine, silentLogger);
    const reference = new Controller(config, new SnapshotCache(), silentLogger, { incremental: false });
    for (const port of ['80', 'http', '80']) {
      const source = { objects: [first(port), second, ...rest], problems: [] };
      memoised.update(source);
      reference.update(source);
      const sticky = [...memoised.currentModel()!.clusters.values()].find((c) => c.sticky)!;
      // The cluster takes Traefik's service name from the first reference (its port as written).
      assert.equal(sticky.traefikName, `a-svc1-${port}`);
      assert.equal(modelFacts(memoised.currentModel()), modelFacts(reference.currentModel()));
    }
  });
});
