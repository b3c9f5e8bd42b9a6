// Mirroring (traefik-semantics.md §11.3, traefik-to-envoy.md §5.2): Envoy's route-level
// request_mirror_policies, one per mirror cluster, with a runtime_fraction = the share of the route's
// requests Traefik mirrors there (percent × the share that reaches the mirroring service × the mirror's own
// split), and the Host header left as the client sent it (Traefik does not append Envoy's `-shadow`).
//
// Exact for a mirroring service the route always reaches whose mirrors are Kubernetes Services (Envoy
// samples at random where Traefik counts: the same proportion over time). Otherwise the proportions are kept
// and a warning says how the choice of requests differs: the bundled Envoy API has neither cluster-level
// mirror policies (Envoy ≥ 1.37) nor a way to mirror to a weighted split.
import { mul, ratio, type MirrorShare, type Ratio } from './service-tree';
import type { RequestMirrorPolicy } from '../../envoy/types';
import type { MirroringNode, ServiceNode } from '../../model/model';
import type { ServiceNote } from './sticky';

function fractionalPercent(f: Ratio): { numerator: number; denominator: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION' } {
  if (f.n >= f.d) return { numerator: 100, denominator: 'HUNDRED' };
  for (const [scale, denominator] of [[100n, 'HUNDRED'], [10_000n, 'TEN_THOUSAND']] as const) {
    if ((f.n * scale) % f.d === 0n) return { numerator: Number((f.n * scale) / f.d), denominator };
  }
  // Rounded to the nearest millionth.
  return { numerator: Number((f.n * 2_000_000n + f.d) / (2n * f.d)), denominator: 'MILLION' };
}

/** The mirror policies of one cookie state's distribution, and the notes on what differs from Traefik. */
export function mirrorPolicies(mirrors: MirrorShare[], mirrorings: { node: MirroringNode; reach: Ratio }[]): { policies: RequestMirrorPolicy[]; notes: ServiceNote[] } {
  const policies: RequestMirrorPolicy[] = [];
  const notes: ServiceNote[] = [];
  const note = (node: MirroringNode, field: string | undefined, message: string) => notes.push({ subject: node.provenance.subject, field, message: `approximated: ${message}` });

  for (const { node, reach } of mirrorings) {
    const field = node.provenance.field;
    if (!node.mirrorBody) note(node, `${field}.mirrorBody`, 'mirrorBody: false cannot be expressed: Envoy mirrors the request body too');
    if (node.maxBodySize >= 0) {
      note(node, `${field}.maxBodySize`, `maxBodySize cannot be expressed: Envoy mirrors requests whatever the size of their body (Traefik does not mirror a request whose body is larger than ${node.maxBodySize} bytes)`);
    }
    if (reach.n < reach.d && node.mirrors.some((m) => m.percent > 0)) {
      note(node, field, `this mirroring service gets ${fmt(reach)} of the route's requests (it is one branch of a weighted service), and Envoy's mirror policies belong to the route: ${fmt(reach)} × percent of all the route's requests are mirrored, picked independently of the branch (the same volume, not the same requests)`);
    }
  }

  for (const ms of mirrors) {
    const field = ms.mirror.field;
    const expand = (n: ServiceNode, share: Ratio, path: string): void => {
      if (n.type === 'upstream') {
        policies.push({ cluster: n.target.cluster, runtime_fraction: { default_value: fractionalPercent(share) }, disable_shadow_host_suffix_append: true } as RequestMirrorPolicy);
        if (!n.target.passHostHeader) note(ms.mirroring, field, `mirror ${ms.mirror.name}${path}: passHostHeader false is not applied to mirrored requests, which keep the client's Host header`);
        return;
      }
      if (n.type === 'weighted') {
        if (n.children.length === 0) return; // Traefik's mirror answers 503 into the void: nothing to send
        if (n.sticky) note(ms.mirroring, field, `mirror ${ms.mirror.name}${path}: the sticky cookie of weighted service ${n.name} is not used for mirrored requests`);
        if (n.children.length > 1) {
          note(ms.mirroring, field, `mirror ${ms.mirror.name}${path} is a weighted service: Envoy mirrors to one cluster per policy, so each of its services gets its own policy (percent × its share): the volumes match, but one request may be mirrored to several of them, or to none`);
        }
        const total = n.children.reduce((s, c) => s + BigInt(c.weight), 0n);
        for (const c of n.children) expand(c.node, mul(share, ratio(c.weight, total)), `${path} → ${c.name}`);
        return;
      }
      note(ms.mirroring, field, `mirror ${ms.mirror.name}${path} is itself a mirroring service: its mirrors get their own policies (percent × percent), sampled independently`);
      expand(n.main, share, path);
      for (const m of n.mirrors) if (m.percent > 0) expand(m.node, mul(share, ratio(m.percent, 100)), `${path} → ${m.name}`);
    };
    expand(ms.mirror.node, ms.share, '');
  }
  return { policies: policies.filter((p) => (p.runtime_fraction?.default_value?.numerator ?? 1) > 0), notes };
}

function fmt(r: Ratio): string {
  const pct = Number((r.n * 1_000_000n) / r.d) / 10_000;
  return `${Number.isInteger(pct) ? pct : pct.toFixed(2)} %`;
}
