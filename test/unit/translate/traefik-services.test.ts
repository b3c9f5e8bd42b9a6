import * as assert from 'node:assert/strict';
import { distribute, integerWeights, mergeBranches, ratio } from '../../../src/translate/http/service-tree';
import { cookieMatcher, setCookieHeader, stickyStates } from '../../../src/translate/http/sticky';
import { parseManifestText } from '../../../src/sources/manifests';
import { loadStaticConfig } from '../../../src/config/load';
import { runPipeline } from '../../../src/pipeline';
import { buildLoadAssignment } from '../../../src/translate/endpoints';
import { fullMatchRe2 } from '../../helpers/re2-cache';
import type { Provenance, ServiceNode, StickyCookie, UpstreamCluster, WeightedNode } from '../../../src/model/model';

const prov: Provenance = { kind: 'TraefikService', namespace: 'default', name: 't', field: 'spec.weighted', subject: { kind: 'TraefikService' } };
const leaf = (cluster: string): ServiceNode => ({ type: 'upstream', target: { cluster, passHostHeader: true } });
const cookie = (name: string): StickyCookie => ({ name, secure: false, httpOnly: false, maxAge: 0, path: '/', provenance: prov });
function wrr(name: string, children: [number, string, ServiceNode][], sticky?: string): WeightedNode {
  return { type: 'weighted', name, kind: 'weighted', children: children.map(([weight, n, node]) => ({ weight, name: n, node })), ...(sticky ? { sticky: cookie(sticky) } : {}), provenance: prov };
}

describe('translate/service-tree: flattening nested weighted services (traefik-to-envoy.md §5.1)', () => {
  it('keeps exact ratios: product of the shares, scaled by the common denominator', () => {
    const root = wrr('w1', [[2, 'a', leaf('a')], [3, 'w2', wrr('w2', [[1, 'b', leaf('b')], [1, 'w3', wrr('w3', [[5, 'c', leaf('c')], [2, 'd', leaf('d')]])]])]]);
    const b = mergeBranches(distribute(root, new Map(), new Set()).branches);
    assert.deepEqual(b.map((x) => x.target.cluster), ['a', 'b', 'c', 'd']);
    assert.deepEqual(integerWeights(b.map((x) => x.share)), { weights: [28, 21, 15, 6], rounded: false });
  });

  it('merges an upstream reached twice and reduces by the common divisor', () => {
    const root = wrr('w1', [[2, 'a', leaf('a')], [2, 'w2', wrr('w2', [[1, 'a', leaf('a')], [1, 'b', leaf('b')]])]]);
    const b = mergeBranches(distribute(root, new Map(), new Set()).branches);
    assert.deepEqual(integerWeights(b.map((x) => x.share)).weights, [3, 1]);
  });

  it('rounds to a total of 10^9 when the exact weights exceed 2^32 - 1 in total', () => {
    const shares = [ratio(1, 3), ratio(1, 4294967291), ratio(4294967291n * 3n - 3n - 4294967291n, 4294967291n * 3n)];
    const { weights, rounded } = integerWeights(shares);
    assert.ok(rounded);
    assert.equal(weights.reduce((a, b) => a + b, 0), 1_000_000_000);
    assert.ok(weights.every((w) => w >= 1));
  });
});

describe('translate/sticky: WRR-level cookies (traefik-semantics.md §11.2)', () => {
  it('writes Set-Cookie as Go\'s http.Cookie does', () => {
    const c: StickyCookie = { ...cookie('n'), secure: true, httpOnly: true, sameSite: 'none', maxAge: 60, path: '/p', domain: 'example.com' };
    assert.equal(setCookieHeader(c, 'v'), 'n=v; Path=/p; Domain=example.com; Max-Age=60; HttpOnly; Secure; SameSite=None');
    assert.equal(setCookieHeader({ ...cookie('n'), maxAge: -5, path: '' }, 'v'), 'n=v; Max-Age=0');
  });

  it('matches the cookie as Go reads it from the Cookie header', () => {
    const re = (cookieMatcher('_a.b', '0123456789abcdef') as any).string_match.safe_regex.regex as string;
    for (const ok of ['_a.b=0123456789abcdef', 'x=1; _a.b=0123456789abcdef', 'x=1;_a.b="0123456789abcdef"; y=2', ' _a.b = 0123456789abcdef ']) {
      assert.ok(fullMatchRe2(re, ok), ok);
    }
    for (const no of ['_aXb=0123456789abcdef', '_a.b=0123456789abcde', 'x_a.b=0123456789abcdef', '_a.b=0123456789abcdef0']) {
      assert.ok(!fullMatchRe2(re, no), no);
    }
  });

  it('orders cookie states so that the first matching route is the state Traefik follows', () => {
    const inner = wrr('inner', [[1, 'b', leaf('b')], [1, 'c', leaf('c')]], 'i');
    const outer = wrr('outer', [[1, 'a', leaf('a')], [1, 'inner', inner]], 'o');
    const { states, unsticky } = stickyStates(outer);
    assert.equal(unsticky.size, 0);
    const show = states.map((p) => [...p.entries()].map(([n, c]) => `${n.name}=${c.name}`).sort().join(','));
    assert.deepEqual(show, ['outer=a', 'inner=b,outer=inner', 'inner=c,outer=inner', 'outer=inner', 'inner=b', 'inner=c', '']);
  });

  it('gives up the stickiness of the deepest levels beyond the route budget', () => {
    const inners = [1, 2, 3].map((i) => wrr(`i${i}`, [[1, 'x', leaf(`${i}x`)], [1, 'y', leaf(`${i}y`)], [1, 'z', leaf(`${i}z`)]], `c${i}`));
    const outer = wrr('outer', inners.map((n, i) => [1, `i${i}`, n] as [number, string, ServiceNode]), 'o');
    const { states, unsticky } = stickyStates(outer);
    assert.deepEqual([...unsticky].map((n) => n.name), ['i1']);
    assert.equal(states.length, 25);
  });
});

describe('model/traefik-services: resolution (traefik-semantics.md §4.3, §7.4)', () => {
  const run = (yaml: string) => {
    const { config } = loadStaticConfig({});
    return runPipeline(parseManifestText(yaml, 'input.yaml'), config);
  };
  const ts = (name: string, children: string[]) => `---
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: ${name}, namespace: default}
spec:
  weighted:
    services:
${children.map((c) => `      - {name: ${c}, kind: TraefikService}`).join('\n')}
`;
  const leafTs = (name: string) => `---
apiVersion: traefik.io/v1alpha1
kind: TraefikService
metadata: {name: ${name}, namespace: default}
spec:
  weighted:
    services:
      - {name: svc, port: 80}
`;
  const base = `apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: svc-1, namespace: default, labels: {kubernetes.io/service-name: svc}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.0.0.1]}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: r, namespace: default}
spec:
  entryPoints: [web]
  routes:
    - match: PathPrefix(\`/\`)
      kind: Rule
      services: [{name: a, kind: TraefikService}]
`;

  it('does not mistake a diamond (one TraefikService reached twice) for a cycle', () => {
    const r = run(base + ts('a', ['b', 'c']) + ts('b', ['d']) + ts('c', ['d']) + leafTs('d'));
    assert.deepEqual(r.diagnostics.items.filter((d) => d.severity === 'error'), []);
    assert.equal(r.model.httpRouters.length, 1);
  });

  it('reports a long cycle once on each member and never loops', () => {
    const r = run(base + ts('a', ['b']) + ts('b', ['c']) + ts('c', ['d']) + ts('d', ['b']));
    const errs = r.diagnostics.items.filter((d) => d.severity === 'error');
    assert.deepEqual(errs.map((d) => `${d.kind}/${d.name}`).sort(), ['IngressRoute/r', 'TraefikService/a', 'TraefikService/b', 'TraefikService/c', 'TraefikService/d']);
    assert.ok(errs.every((d) => d.message.includes('reference cycle: default/b → default/c → default/d → default/b')));
    assert.equal(r.model.httpRouters.length, 0);
  });
});

describe('translate/endpoints: fenced endpoints (traefik-to-envoy.md §4)', () => {
  const base = {
    name: 'default/s/80', endpoints: [
      { address: '10.0.0.2', port: 80, fenced: true },
      { address: '10.0.0.1', port: 80, fenced: false },
    ],
  } as unknown as UpstreamCluster;

  it('leaves them out without stickiness (unchanged output)', () => {
    const cla = buildLoadAssignment(base, false);
    assert.deepEqual(cla.endpoints?.[0].lb_endpoints?.map((e) => [e.endpoint?.address?.socket_address?.address, e.health_status]), [['10.0.0.1', undefined]]);
  });

  it('keeps them as DRAINING on a sticky cluster (reachable through the session cookie only)', () => {
    const cla = buildLoadAssignment({ ...base, sticky: cookie('s') }, false);
    assert.deepEqual(cla.endpoints?.[0].lb_endpoints?.map((e) => [e.endpoint?.address?.socket_address?.address, e.health_status]), [['10.0.0.1', undefined], ['10.0.0.2', 'DRAINING']]);
  });
});
