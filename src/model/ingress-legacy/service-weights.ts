// 1.7 `service-weights` (traefik-ingress.md §3.3, §5): the paths of an Ingress with the same host, path and
// pathType become ONE router whose services share the traffic by percentage (a WRR, as an IngressRoute route
// with several weighted services). Weights are in 1/1000 % (1.7's precision: 3 decimals). Services the
// annotation does not list share the remainder equally (1.7: in proportion to their endpoint counts, which
// change at runtime; an equal split keeps the routes independent of endpoint updates — warned when it
// differs). Invalid weights make 1.7 skip the whole Ingress; so does traefik-xds.
import { parse as parseYaml } from 'yaml';
import { ObjectIndex, subjectOf } from '../object-index';
import type { Annotation, LegacyContext } from './context';
import type { IngressObj } from '../crds/ingress';
import type { Diagnostics } from '../diagnostics';
import type { HttpRouter, WeightedTarget } from '../model';

/** The whole Ingress is skipped (as Traefik 1.7 skips it). */
export class ServiceWeightsError extends Error {
  constructor(message: string, readonly annotation: string) {
    super(message);
  }
}

const FULL = 100_000; // 100 % in 1/1000 %

/** `12.5%`, `12.5`, `6%` → 12500 (1/1000 %; extra decimals are cut, as 1.7 does). */
export function parsePercentage(raw: string): number | undefined {
  const v = raw.trim().replace(/%$/, '');
  if (!/^[0-9]+(\.[0-9]*)?$|^\.[0-9]+$/.test(v)) return undefined;
  const [int = '0', frac = ''] = v.split('.');
  return Number(int || '0') * 1000 + Number((frac + '000').slice(0, 3));
}

function percent(w: number): string {
  return `${(w / 1000).toFixed(3)}%`;
}

/** The weights group of a path: (host, path, pathType). */
export function weightGroupKey(host: string, path: string | undefined, pathType: string | undefined): string {
  return `${host}\0${path ?? ''}\0${pathType ?? 'ImplementationSpecific'}`;
}

/** Weight of each service of each group (undefined when the Ingress has no service-weights). */
export type WeightPlan = Map<string, Map<string, number>>;

export function planServiceWeights(ctx: LegacyContext, ing: IngressObj, a: Annotation): WeightPlan {
  const fail = (m: string): never => {
    throw new ServiceWeightsError(m, a.key);
  };
  let doc: unknown;
  try {
    doc = parseYaml(a.value);
  } catch (e) {
    return fail(`service-weights is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('service-weights must be a YAML map of service name → percentage ("12.5%")');
  const listed = new Map<string, number>();
  for (const [name, raw] of Object.entries(doc as Record<string, unknown>)) {
    const w = typeof raw === 'number' || typeof raw === 'string' ? parsePercentage(String(raw)) : undefined;
    if (w === undefined) fail(`invalid percentage value ${JSON.stringify(raw)} for service ${name}`);
    listed.set(name, w!);
  }

  // Groups, with their distinct services in path order.
  const groups = new Map<string, { label: string; services: string[] }>();
  for (const rule of ing.spec.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      const svc = p.backend.service?.name;
      if (!svc) continue;
      // 1.7 counts the endpoints of every service of a weighted Ingress: a missing Service skips the Ingress.
      if (!ctx.index.services.get(ObjectIndex.key(ing.namespace, svc))) fail(`service not found for ${ing.namespace}/${svc} (Traefik 1.7 then skips the whole Ingress)`);
      const key = weightGroupKey(rule.host ?? '', p.path, p.pathType);
      const g = groups.get(key) ?? { label: `${rule.host ?? ''}${p.path ?? ''}`, services: [] };
      if (!g.services.includes(svc)) g.services.push(svc);
      groups.set(key, g);
    }
  }

  const plan: WeightPlan = new Map();
  for (const [key, g] of groups) {
    const weights = new Map<string, number>();
    const unlisted = g.services.filter((s) => !listed.has(s));
    let sum = 0;
    for (const s of g.services) {
      if (!listed.has(s)) continue;
      sum += listed.get(s)!;
      weights.set(s, listed.get(s)!);
    }
    if (sum > FULL) fail(`the percentages of path ${g.label} sum to ${percent(sum)}, more than 100%`);
    if (unlisted.length === 0 && sum < FULL) fail(`the percentages of path ${g.label} sum to ${percent(sum)}, and no unlisted service takes the remaining ${percent(FULL - sum)}: they must sum to 100%`);
    if (unlisted.length) {
      const rest = FULL - sum;
      const share = Math.floor(rest / unlisted.length);
      unlisted.forEach((s, i) => weights.set(s, share + (i < rest - share * unlisted.length ? 1 : 0)));
      if (unlisted.length > 1) {
        ctx.diags.warn(subjectOf(ing), `metadata.annotations[${JSON.stringify(a.key)}]`,
          `approximated: path ${g.label}: the remaining ${percent(rest)} is split equally between ${unlisted.join(', ')}; Traefik 1.7 split it in proportion to their endpoint counts`);
      }
    }
    plan.set(key, weights);
  }
  return plan;
}

/**
 * Adds the service of another path of the group to the group's router (1.7 merged them into one backend). A
 * second path to a service already there adds nothing (1.7 merged their servers).
 */
export function addWeightedTarget(router: HttpRouter, other: HttpRouter, weight: number, diags: Diagnostics): void {
  if (router.action.type !== 'forward' || other.action.type !== 'forward') return;
  const chain = (r: HttpRouter) => JSON.stringify(r.middlewares.map((m) => [m.type, m.config]));
  if (chain(router) !== chain(other)) {
    diags.warn(other.provenance.subject, other.provenance.field, `shares the weighted router of ${router.provenance.field} (service-weights), whose middlewares apply: those from this path's Service annotations differ and are not used (Traefik 1.7 merged the paths into one frontend and backend too)`);
  }
  const t = other.action.targets[0]!;
  if (router.action.targets.some((x) => x.cluster === t.cluster)) return;
  router.action.targets.push({ ...t, weight });
}

/** Sets the weight of the group's first target. */
export function setFirstWeight(router: HttpRouter, weight: number): void {
  if (router.action.type === 'forward') router.action.targets[0]!.weight = weight;
}

/**
 * Final form of a group's router, as an IngressRoute route: zero weights dropped (all zero → 503), and with a
 * single service its weight is ignored and its service-level middlewares run on the router.
 */
export function finishWeightedRouter(router: HttpRouter): void {
  if (router.action.type !== 'forward') return;
  const live: WeightedTarget[] = router.action.targets.filter((t) => t.weight > 0);
  if (live.length === 0) {
    router.action = { type: 'unavailable' };
    return;
  }
  if (live.length === 1) {
    const t = live[0]!;
    if (t.middlewares) router.middlewares = [...router.middlewares, ...t.middlewares];
    const { middlewares: _, ...rest } = t;
    router.action = { type: 'forward', targets: [{ ...rest, weight: 1 }] };
    return;
  }
  router.action = { type: 'forward', targets: live };
}
