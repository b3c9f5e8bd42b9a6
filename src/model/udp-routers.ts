// IngressRouteUDP → UDP routers (traefik-semantics.md §5.3, §7.3): one router per route, named
// makeID(ns, ingName-index); its service is one load balancer of servers, or a weighted round robin of them
// when the route lists several services. Failing services are logged and skipped; a router left with no
// service does not build, and Traefik then tries the next router of the entry point.
import { makeID } from './naming';
import { ObjectIndex, subjectOf } from './object-index';
import { resolveRouterEntryPoints } from './tcp-routers';
import { resolveTcpUpstream, TcpServiceError, type UpstreamBuildContext } from './tcp-services';
import type { IngressRouteUDPObj } from './crds/types';
import type { Provenance, UdpRouter, UdpTarget } from './model';

export function buildUdpRouters(ctx: UpstreamBuildContext): UdpRouter[] {
  const out: UdpRouter[] = [];
  for (const ir of ObjectIndex.sorted(ctx.index.ingressRouteUDPs)) out.push(...buildIngressRouteUDP(ctx, ir));
  return out;
}

function buildIngressRouteUDP(ctx: UpstreamBuildContext, ir: IngressRouteUDPObj): UdpRouter[] {
  const { diags } = ctx;
  const subject = subjectOf(ir);
  const out: UdpRouter[] = [];
  const entryPoints = resolveRouterEntryPoints(ctx, ir, 'udp');
  if (entryPoints.length === 0) return out;
  ir.spec.routes.forEach((route, i) => {
    const field = `spec.routes[${i}]`;
    const name = makeID(ir.namespace, `${ir.name}-${i}`);
    const provenance: Provenance = { kind: ir.kind, namespace: ir.namespace, name: ir.name, field, subject };
    const services = route.services ?? [];
    const targets: UdpTarget[] = [];
    services.forEach((s, j) => {
      const sf = `${field}.services[${j}]`;
      try {
        const up = resolveTcpUpstream(ctx, {
          protocol: 'udp', parentNs: ir.namespace, ref: s, field: sf, subject, provenance: { ...provenance, field: sf },
          traefikName: services.length === 1 ? name : `${name}-${s.name}-${s.port}`,
        });
        targets.push({ cluster: up.name, weight: services.length === 1 ? 1 : s.weight ?? 1, provenance: { ...provenance, field: sf } });
      } catch (e) {
        if (!(e instanceof TcpServiceError)) throw e;
        diags.error(subject, e.field ? `${sf}.${e.field}` : sf, `cannot create service: ${e.message}; this service is left out of route ${i}, as Traefik does`);
      }
    });
    if (targets.length === 0) {
      diags.error(subject, `${field}.services`, `${services.length === 0 ? 'the route has no services' : 'no service of the route could be created'}: ` +
        `the UDP service "${name}@kubernetescrd" does not exist, so router ${name} does not build and is not served`);
      return;
    }
    out.push({ name, provenance, entryPoints, targets, weighted: services.length > 1 });
  });
  return out;
}
