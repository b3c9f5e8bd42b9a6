// mergeFilterOrder keeps its instances in an order-maintenance list (not an array scanned and spliced per use):
// the order, the names and each router's enabled instances must be exactly those of the plain greedy merge.
import { strict as assert } from 'node:assert';
import { mergeFilterOrder, type FilterInstance, type RouterPlan } from '../../../src/translate/http/middleware-chain';
import type { ResolvedMiddleware } from '../../../src/model/middlewares';

/** The plain greedy merge, as written before: reuse the first instance after the previous one, else insert right after it. */
function reference(plans: { key: string; plan: RouterPlan }[]): { instances: FilterInstance[]; enabled: Map<string, string[]> } {
  const instances: FilterInstance[] = [];
  const counts = new Map<string, number>();
  const enabled = new Map<string, string[]>();
  for (const { key, plan } of plans) {
    let prev = -1;
    let routerPrev = -1;
    let target: number | undefined;
    const names: string[] = [];
    for (const use of plan.filterUses) {
      if (use.target !== target) {
        if (target === undefined) routerPrev = prev;
        prev = routerPrev;
        target = use.target;
      }
      let at = instances.findIndex((inst, i) => i > prev && inst.mwId === use.mw.id && inst.filter.kind === use.filter.kind);
      if (at < 0) {
        const k = `${use.mw.id}/${use.filter.kind}`;
        const n = (counts.get(k) ?? 0) + 1;
        counts.set(k, n);
        const base = `traefik.mw.${use.mw.namespace}.${use.mw.name}.${use.filter.kind}`;
        at = prev + 1;
        instances.splice(at, 0, { name: n === 1 ? base : `${base}#${n}`, mwId: use.mw.id, filter: use.filter });
      }
      names.push(instances[at].name);
      prev = at;
    }
    enabled.set(key, names);
  }
  return { instances, enabled };
}

/** Deterministic pseudo-random numbers (a linear congruential generator). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomPlans(seed: number, routers: number, middlewares: number, kinds: string[]): { key: string; plan: RouterPlan }[] {
  const rand = rng(seed);
  const mws = Array.from({ length: middlewares }, (_, i) => ({ id: `ns-m${i}@kubernetescrd`, namespace: 'ns', name: `m${i}` }) as unknown as ResolvedMiddleware);
  const filters = kinds.map((kind) => ({ kind, typedConfig: { '@type': `type.googleapis.com/${kind}` } }));
  return Array.from({ length: routers }, (_, r) => {
    const uses: RouterPlan['filterUses'] = [];
    const own = Math.floor(rand() * 5);
    for (let i = 0; i < own; i++) uses.push({ mw: mws[Math.floor(rand() * mws.length)], filter: filters[Math.floor(rand() * filters.length)] });
    if (rand() < 0.3) {
      for (let t = 0; t < 2; t++) {
        for (let i = 0; i < 1 + Math.floor(rand() * 2); i++) uses.push({ mw: mws[Math.floor(rand() * mws.length)], filter: filters[0], target: t });
      }
    }
    return { key: `r${r}`, plan: { filterUses: uses } as unknown as RouterPlan };
  });
}

describe('mergeFilterOrder', () => {
  it('gives the plain greedy merge’s instances, names and enabled lists', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const plans = randomPlans(seed, 5 + (seed % 40), 1 + (seed % 7), ['a', 'b', 'c'].slice(0, 1 + (seed % 3)));
      const want = reference(plans);
      const got = mergeFilterOrder(plans);
      assert.deepEqual(got.instances.map((i) => i.name), want.instances.map((i) => i.name), `seed ${seed}`);
      assert.deepEqual(got.instances, want.instances, `seed ${seed}`);
      assert.deepEqual(got.enabled, want.enabled, `seed ${seed}`);
      assert.deepEqual([...got.byName.keys()].sort(), want.instances.map((i) => i.name).sort());
      for (const inst of got.instances) assert.equal(got.byName.get(inst.name), inst);
    }
  });

  it('stays exact when many instances are inserted at one place (labels spread again)', () => {
    // Each router orders two middlewares the other way round than the previous one: every router inserts
    // new instances right after the first, halving the same gap again and again.
    const mw = (i: number) => ({ id: `ns-m${i}@kubernetescrd`, namespace: 'ns', name: `m${i}` }) as unknown as ResolvedMiddleware;
    const f = { kind: 'k', typedConfig: { '@type': 'x' } };
    const plans = Array.from({ length: 200 }, (_, r) => ({
      key: `r${r}`,
      plan: { filterUses: [{ mw: mw(0), filter: f }, { mw: mw(r + 1), filter: f }, { mw: mw(r % 2 ? 0 : 1), filter: f }] } as unknown as RouterPlan,
    }));
    const want = reference(plans);
    const got = mergeFilterOrder(plans);
    assert.deepEqual(got.instances.map((i) => i.name), want.instances.map((i) => i.name));
    assert.deepEqual(got.enabled, want.enabled);
  });
});
