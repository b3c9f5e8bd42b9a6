// Both Envoy layouts of a TCP entry point against Traefik's dispatch, on random routers: the
// filter_chain_matcher entries must give every connection Traefik's outcome; the classic FilterChainMatch
// layout, when its check on the representative connections passes, must do so on any connection.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { outcomeKey, traefikDispatch, type Conn, type Outcome } from '../../../src/translate/tcp/dispatch';
import { envoySelect } from '../../../src/translate/tcp/envoy-select';
import { matchItems } from '../../../src/translate/tcp/layout-match';
import { matcherEntries } from '../../../src/translate/tcp/layout-matcher';
import { checkClassic, matchOf } from '../../../src/translate/tcp/listener';
import { collectKeys, representatives } from '../../../src/translate/tcp/regions';
import { dispatchOf, evalXdsPredicate, router } from './helpers';
import type { TcpMiddleware } from '../../../src/model/model';

const SNI_ATOMS = ['HostSNI(`a.example.com`)', 'HostSNI(`b.example.com`)', 'HostSNI(`*.example.com`)', 'HostSNI(`x.a.example.com`)', 'HostSNI(`*`)'];
const IP_ATOMS = ['ClientIP(`10.0.0.0/8`)', 'ClientIP(`10.1.0.0/16`)', 'ClientIP(`192.168.1.1`)', 'ClientIP(`2001:db8::/32`)'];
const ALPN_ATOMS = ['ALPN(`h2`)', 'ALPN(`x-proto`)'];
const REGEX_ATOM = 'HostSNIRegexp(`^[ab]\\.example\\.com$`)';

const atom = (tls: boolean, regexp: boolean) =>
  fc.constantFrom(...(tls ? [...SNI_ATOMS, ...IP_ATOMS, ...ALPN_ATOMS, ...(regexp ? [REGEX_ATOM] : [])] : ['HostSNI(`*`)', ...IP_ATOMS, ...ALPN_ATOMS, ...(regexp ? ['HostSNIRegexp(`^$`)'] : [])]));

function rule(tls: boolean, regexp: boolean): fc.Arbitrary<string> {
  const leaf = fc.tuple(fc.boolean(), atom(tls, regexp)).map(([neg, a]) => (neg ? `!${a}` : a));
  const conj = fc.array(leaf, { minLength: 1, maxLength: 2 }).map((xs) => xs.join(' && '));
  const any = fc.array(conj, { minLength: 1, maxLength: 2 }).map((xs) => (xs.length > 1 ? xs.map((x) => `(${x})`).join(' || ') : xs[0]!));
  // Traefik's catch-all flag belongs to exactly ``HostSNI(`*`)``: make it frequent.
  return fc.oneof({ arbitrary: any, weight: 4 }, { arbitrary: fc.constant('HostSNI(`*`)'), weight: 1 });
}

const middlewares: fc.Arbitrary<TcpMiddleware[]> = fc.constantFrom<TcpMiddleware[]>(
  [],
  [],
  [{ type: 'ipAllowList', name: 'allow', cidrs: ['10.0.0.0/8'], provenance: {} as never }],
  [{ type: 'ipAllowList', name: 'allow', cidrs: ['192.168.1.1/32', '2001:db8::/32'], provenance: {} as never }],
  [{ type: 'inFlightConn', name: 'zero', amount: 0, provenance: {} as never }],
);

const routerSpec = (regexp: boolean) =>
  fc.record({
    kind: fc.constantFrom('plain', 'passthrough', 'terminate'),
    seed: fc.integer({ min: 0, max: 1000 }),
    priority: fc.constantFrom(undefined, undefined, -1, 5, 20, 100),
    middlewares,
    close: fc.boolean().map((b) => b && Math.random() < 0.2),
  }).chain((s) => rule(s.kind !== 'plain', regexp).map((r) => ({ ...s, rule: r })));

const config = (regexp: boolean) =>
  fc.record({
    routers: fc.array(routerSpec(regexp), { minLength: 1, maxLength: 5 }),
    https: fc.option(fc.record({ domains: fc.subarray(['a.example.com', '*.example.com', 'c.example.com']), catchAll: fc.boolean() })),
  });

function build(cfg: fc.Arbitrary<any> extends fc.Arbitrary<infer T> ? T : never) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const routers = cfg.routers.map((s: any, i: number) => // eslint-disable-line @typescript-eslint/no-explicit-any
    router(`r${i}`, s.rule, { priority: s.priority, tls: s.kind === 'plain' ? undefined : s.kind, middlewares: s.middlewares, close: s.close }));
  return dispatchOf(routers, cfg.https ?? undefined);
}

const EXTRA: Conn[] = [];
for (const sni of ['', 'a.example.com', 'b.example.com', 'c.example.com', 'q.example.com', 'q.r.example.com', 'x.a.example.com', 'y.x.a.example.com', 'other.org']) {
  for (const alpn of [[], ['h2'], ['x-proto'], ['h2', 'x-proto'], ['x-proto', 'h2'], ['http/1.1']]) {
    for (const ip of ['10.1.2.3', '10.2.3.4', '192.168.1.1', '192.168.1.2', '2001:db8::1', '2001:db9::1', '1.2.3.4']) {
      EXTRA.push({ tls: true, sni, alpn, ip });
      if (sni === '' && alpn.length === 0) EXTRA.push({ tls: false, sni, alpn, ip });
    }
  }
}

function matcherOutcome(entries: ReturnType<typeof matcherEntries>, c: Conn): Outcome {
  for (const e of entries) if (e.predicate === true || (e.predicate !== false && evalXdsPredicate(e.predicate, c))) return e.outcome;
  return { k: 'close' };
}

describe('TCP entry-point layouts against Traefik dispatch (property)', function () {
  this.timeout(120_000);

  it('filter_chain_matcher entries reproduce Traefik for every connection', () => {
    fc.assert(
      fc.property(config(true), (cfg) => {
        const d = build(cfg);
        const entries = matcherEntries(d);
        const keys = collectKeys(d);
        for (const c of [...representatives(keys, true), ...EXTRA]) {
          const want = outcomeKey(traefikDispatch(d, c).outcome);
          const got = outcomeKey(matcherOutcome(entries, c));
          assert.equal(got, want, `${JSON.stringify(c)}\nrouters: ${d.tlsRouters.concat(d.plainRouters).map((r) => `${r.name} ${r.rule} p=${r.priority} tls=${JSON.stringify(r.tls)}`).join(' | ')}`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the classic layout, when its representative check passes, is right for every connection', () => {
    let classic = 0;
    fc.assert(
      fc.property(config(false), (cfg) => {
        const d = build(cfg);
        const inspector = d.tlsRouters.length > 0 || !!cfg.https;
        const keys = collectKeys(d);
        const reps = representatives(keys, inspector);
        const items = matchItems(d, keys, inspector);
        const check = checkClassic(items, reps, reps.map((c) => traefikDispatch(d, c).outcome), inspector, d);
        if (!check.ok) return;
        classic++;
        const sim = items.map((it, i) => ({ name: `#${i}`, match: matchOf(it), outcome: it.outcome }));
        for (const c of EXTRA.filter((x) => inspector || !x.tls)) {
          const want = outcomeKey(traefikDispatch(d, c).outcome);
          const got = envoySelect(sim, c, inspector) as (typeof sim)[number] | undefined;
          assert.equal(got ? outcomeKey(got.outcome) : 'close', want, `${JSON.stringify(c)}\nrouters: ${d.tlsRouters.concat(d.plainRouters).map((r) => `${r.name} ${r.rule} p=${r.priority}`).join(' | ')}\nitems: ${JSON.stringify(items)}`);
        }
      }),
      { numRuns: 400 },
    );
    assert.ok(classic > 50, `only ${classic} configurations used the classic layout`);
  });
});
