// IngressRouteTCP → TCP routers (traefik-semantics.md §5.2, §7.2, §9.4, §9.5): the provider's part (names,
// TLS secret loading, middleware and TLS-option references, services with their failures logged and skipped)
// and the part Traefik's TCP router manager checks at runtime (rule, HostSNI without TLS, priority, the
// service and middlewares that must build). A router Traefik would not serve is left out with an error; a
// router Traefik serves but traefik-xds cannot reproduce keeps its place and closes its connections.
import { defaultPriority, MAX_PRIORITY, matcherValues, parseRule, toDNF, toPredicate } from './rules';
import { normalize, tcpRouterName } from './naming';
import { ObjectIndex, subjectOf } from './object-index';
import { ReferenceError, resolveReference, unavailableProvider } from './references';
import { loadCertificate, type CertificateStore } from './certificates';
import { resolveTcpMiddlewares } from './tcp-middlewares';
import { resolveTcpUpstream, TcpServiceError, type UpstreamBuildContext } from './tcp-services';
import { terminationDelayNote } from './tcp-transports';
import type { IngressRouteTCPObj, IngressRouteUDPObj, RouteTCP } from './crds/types';
import type { DiagnosticSubject } from './diagnostics';
import type { Provenance, RulePred, TcpAction, TcpRouter, TcpTarget } from './model';
import type { RuleNode } from './rules';
import type { TlsModel } from './tls-options';

export interface TcpBuildContext extends UpstreamBuildContext {
  certificates: CertificateStore;
  /** TLS options (tls-options.ts): TCP TLS routers name them like IngressRoutes do. */
  tls: TlsModel;
}

export function buildTcpRouters(ctx: TcpBuildContext): TcpRouter[] {
  const routers = new Map<string, TcpRouter>();
  for (const ir of ObjectIndex.sorted(ctx.index.ingressRouteTCPs)) {
    for (const r of buildIngressRouteTCP(ctx, ir)) {
      const prev = routers.get(r.name);
      if (prev) {
        ctx.diags.warn(prev.provenance.subject, prev.provenance.field,
          `TCP router ${r.name} is defined twice (same match in one IngressRouteTCP); Traefik keeps only the last one, ${r.provenance.field}`);
      }
      routers.set(r.name, r);
    }
  }
  return [...routers.values()];
}

/** Entry points of a TCP or UDP router: named ones that exist with the right protocol, else the defaults. */
export function resolveRouterEntryPoints(
  ctx: UpstreamBuildContext,
  obj: IngressRouteTCPObj | IngressRouteUDPObj,
  protocol: 'tcp' | 'udp',
): string[] {
  const { opts, diags } = ctx;
  const subject = subjectOf(obj);
  const named = obj.spec.entryPoints && obj.spec.entryPoints.length > 0;
  // UDP routers without entry points go to every UDP entry point (GetUDPRoutersByEntryPoints).
  const asked = named ? obj.spec.entryPoints! : protocol === 'tcp' ? opts.defaultEntryPoints : opts.entryPoints.filter((e) => e.protocol === 'udp').map((e) => e.name);
  const out: string[] = [];
  asked.forEach((name, i) => {
    const ep = opts.entryPoints.find((e) => e.name === name);
    const field = named ? `spec.entryPoints[${i}]` : 'spec.entryPoints';
    if (!ep) diags.warn(subject, field, `entry point "${name}" does not exist in the static configuration; ignored`);
    else if (ep.protocol !== protocol) {
      diags.warn(subject, field, `entry point "${name}" is a ${ep.protocol.toUpperCase()} entry point and cannot carry ${protocol.toUpperCase()} routes; ignored`);
    } else if (!out.includes(name)) out.push(name);
  });
  if (out.length === 0) {
    diags.error(subject, 'spec.entryPoints', asked.length
      ? `none of the entry points is a usable ${protocol.toUpperCase()} entry point; the ${obj.kind} is left out`
      : `no entry point: the ${obj.kind} names none and the static configuration has no ${protocol === 'tcp' ? 'default' : 'UDP'} entry point; the ${obj.kind} is left out`);
  }
  return out;
}

function ruleSyntax(ctx: TcpBuildContext, ir: IngressRouteTCPObj, route: RouteTCP): 'v2' | 'v3' {
  if (ir.group === 'traefik.containo.us') return 'v2';
  if (route.syntax === 'v2') return 'v2';
  if (route.syntax === 'v3') return 'v3';
  return ctx.opts.defaultRuleSyntax;
}

/** Traefik's "catch-all" flag: the rule is one HostSNI matcher with the single value `*` (a leading `!` aside). */
function isCatchAll(ast: RuleNode): boolean {
  let n = ast;
  while (n.kind === 'not') n = n.operand;
  return n.kind === 'matcher' && n.name === 'HostSNI' && n.args.length === 1 && n.args[0]!.value === '*';
}

function buildIngressRouteTCP(ctx: TcpBuildContext, ir: IngressRouteTCPObj): TcpRouter[] {
  const { diags } = ctx;
  const subject = subjectOf(ir);
  const spec = ir.spec;
  const out: TcpRouter[] = [];
  const tls = spec.tls;
  if (tls) {
    if (tls.secretName) {
      if (tls.passthrough) diags.info(subject, 'spec.tls.secretName', 'ignored with passthrough, as in Traefik (the certificate is not loaded)');
      else loadCertificate(ctx.index, ctx.certificates, ir.namespace, tls.secretName, subject, 'spec.tls.secretName', diags);
    }
    if (tls.store) diags.info(subject, 'spec.tls.store', 'ignored, as in Traefik: routing always uses the default TLS store');
    if (tls.certResolver) {
      diags.warn(subject, 'spec.tls.certResolver',
        tls.secretName
          ? `certificate resolver "${tls.certResolver}" is ignored: traefik-xds has no ACME client; the certificate must come from Secret ${ir.namespace}/${tls.secretName} (keys tls.crt and tls.key), e.g. written by a cert-manager Certificate`
          : `certificate resolver "${tls.certResolver}" is ignored: traefik-xds has no ACME client; have a certificate manager (e.g. a cert-manager Certificate) write a Secret such as ${ir.namespace}/${ir.name}-tls (keys tls.crt and tls.key) and name it in spec.tls.secretName`);
    }
    if (tls.domains?.length) diags.info(subject, 'spec.tls.domains', 'ignored: tls.domains only drives ACME certificate requests, which traefik-xds does not make');
  }
  const entryPoints = resolveRouterEntryPoints(ctx, ir, 'tcp');
  if (entryPoints.length === 0) return out;
  const ingName = ir.name;
  spec.routes.forEach((route, i) => {
    const r = buildRoute(ctx, ir, route, i, subject, entryPoints, ingName);
    if (r) out.push(r);
  });
  return out;
}

function buildRoute(
  ctx: TcpBuildContext,
  ir: IngressRouteTCPObj,
  route: RouteTCP,
  i: number,
  subject: DiagnosticSubject,
  entryPoints: string[],
  ingName: string,
): TcpRouter | undefined {
  const { diags, opts } = ctx;
  const field = `spec.routes[${i}]`;
  const absent = (f: string, message: string) => {
    diags.error(subject, f, `${message}; route ${i} is not served`);
    return undefined;
  };
  if (!route.match) return absent(`${field}.match`, 'empty match rule');
  const name = tcpRouterName(ir.namespace, ingName, route.match);
  const provenance: Provenance = { kind: ir.kind, namespace: ir.namespace, name: ir.name, field, subject };

  // --- provider: middleware references, services, TLS option reference
  const mws = resolveTcpMiddlewares(ctx.index, opts, ir.namespace, route.middlewares, `${field}.middlewares`,
    { kind: ir.kind, namespace: ir.namespace, name: ir.name, subject });
  if ('problem' in mws && mws.problem === 'skip') return absent(mws.field, mws.message);

  const services = route.services ?? [];
  const targets: TcpTarget[] = [];
  let runtimeError: { field: string; message: string } | undefined;
  for (let j = 0; j < services.length; j++) {
    const s = services[j]!;
    const sf = `${field}.services[${j}]`;
    const traefikName = services.length === 1 ? name : `${name}-${s.name}-${s.port}`;
    try {
      const up = resolveTcpUpstream(ctx, {
        protocol: 'tcp', parentNs: ir.namespace, ref: s, field: sf, subject, provenance: { ...provenance, field: sf }, traefikName,
      });
      targets.push({ cluster: up.name, weight: services.length === 1 ? 1 : s.weight ?? 1 });
      // A transport's own terminationDelay is reported on the ServersTransportTCP.
      if (s.terminationDelay !== undefined && !s.serversTransport) diags.info(subject, `${sf}.terminationDelay`, terminationDelayNote(s.terminationDelay));
    } catch (e) {
      if (!(e instanceof TcpServiceError)) throw e;
      const f = e.field ? `${sf}.${e.field}` : sf;
      if (e.runtime) runtimeError ??= { field: f, message: e.message };
      else diags.error(subject, f, `cannot create service: ${e.message}; this service is left out of route ${i}, as Traefik does`);
    }
  }

  // TLS options: references are normalized (ns-name) while option ids are not, as for IngressRoute; an
  // unknown option makes Traefik close the router's connections (brokenTLSRouter), it does not drop it.
  let tlsOptions = 'default';
  let tlsOptionsProblem: string | undefined;
  const tls = ir.spec.tls;
  if (tls?.options?.name) {
    let ref;
    try {
      ref = resolveReference(ir.namespace, tls.options.namespace, tls.options.name, opts.provider.allowCrossNamespace);
    } catch (e) {
      if (!(e instanceof ReferenceError)) throw e;
      return absent('spec.tls.options', `invalid reference to TLSOption "${tls.options.name}": ${e.message}`);
    }
    const id = ref.type === 'local' ? normalize(`${ref.namespace}-${ref.name}`) : ref.provider === 'kubernetescrd' ? ref.name : undefined;
    if (tls.passthrough) {
      diags.info(subject, 'spec.tls.options', 'ignored with passthrough, as in Traefik (the TLS session is not terminated)');
    } else if (id === undefined) {
      tlsOptionsProblem = `${unavailableProvider(ref as { provider: string; name: string })}: connections matched by this route are closed rather than served with other TLS settings`;
    } else if (!ctx.tls.options.has(id) && ref.type === 'local' && ctx.index.tlsOptions.has(ObjectIndex.key(ref.namespace, ref.name))) {
      tlsOptionsProblem = `TLS options "${id}" are invalid (see the TLSOption's errors): Traefik closes the connections this router matches (broken TLS configuration), and so does traefik-xds`;
    } else if (!ctx.tls.options.has(id)) {
      tlsOptionsProblem = `unknown TLS options "${id}"${tls.options.name === 'default' ? ' (a reference to "default" in a namespace means that namespace\'s TLSOption named default; omit options for the default options)' : ''}: ` +
        'Traefik closes the connections this router matches (broken TLS configuration), and so does traefik-xds';
    } else {
      tlsOptions = id;
      if (ctx.tls.options.get(id)!.sniStrict) {
        diags.warn(subject, 'spec.tls.options', `approximated: TLS options "${id}" set sniStrict; for TCP routers Envoy answers a name no certificate covers with the default certificate instead of failing the handshake`);
      }
    }
  }

  // --- runtime (TCP router manager): rule, HostSNI without TLS, priority, service, middlewares
  const syntax = ruleSyntax(ctx, ir, route);
  const parsed = parseRule(route.match, { syntax, protocol: 'tcp' });
  if (!parsed.ok) {
    const { message, offset } = parsed.error;
    return absent(`${field}.match`, `invalid rule (${syntax} syntax): ${message}${/position/.test(message) ? '' : ` (at position ${offset})`}`);
  }
  const sni = matcherValues(parsed.ast, 'HostSNI');
  if (sni.length > 0 && !tls && sni[0] !== '*') {
    return absent(`${field}.match`, `invalid rule ${JSON.stringify(route.match)}: it has a HostSNI matcher, but the IngressRouteTCP has no tls (HostSNI needs TLS; only HostSNI(\`*\`) works without)`);
  }
  let priority: bigint;
  if (route.priority !== undefined && route.priority !== 0) {
    priority = BigInt(route.priority);
    if (priority > MAX_PRIORITY) return absent(`${field}.priority`, `the router priority ${priority} exceeds the max user-defined priority ${MAX_PRIORITY}`);
  } else {
    priority = BigInt(defaultPriority(route.match, 'tcp'));
  }
  if (targets.length === 0 && !runtimeError) {
    return absent(`${field}.services`, services.length === 0
      ? `the route has no services: the TCP service "${name}@kubernetescrd" does not exist`
      : `no service of the route could be created: the TCP service "${name}@kubernetescrd" does not exist`);
  }
  if (runtimeError) return absent(runtimeError.field, runtimeError.message);
  if ('problem' in mws && mws.problem === 'broken') return absent(mws.field, mws.message);

  const pred = toPredicate(parsed.ast) as RulePred;
  const dnf = toDNF(pred);
  if ('conjuncts' in dnf && dnf.conjuncts.length === 0) {
    diags.warn(subject, `${field}.match`, 'the rule can never match (every alternative is contradictory)');
  }
  if ('ok' in mws) {
    mws.ok.forEach((m) => {
      if (m.type === 'inFlightConn' && m.amount <= 0) {
        diags.warn(subject, m.provenance.field, `inFlightConn ${m.name} has amount ${m.amount}: Traefik refuses every connection of router ${name}, and so does traefik-xds`);
      } else if (m.type === 'inFlightConn') {
        diags.warn(subject, m.provenance.field,
          `approximated: inFlightConn ${m.name} allows ${m.amount} connections per client IP in Traefik; Envoy's connection_limit counts the connections of every client of router ${name} together`);
      }
    });
  }

  let action: TcpAction;
  if ('problem' in mws) {
    action = { type: 'close', reason: mws.message };
    diags.error(subject, mws.field, `${mws.message}: connections matched by route ${i} are closed (fail closed)`);
  } else if (tlsOptionsProblem) {
    action = { type: 'close', reason: tlsOptionsProblem };
    diags.error(subject, 'spec.tls.options', `${tlsOptionsProblem} (route ${i})`);
  } else if (targets.every((t) => t.weight === 0)) {
    action = { type: 'close', reason: 'every service has weight 0: Traefik closes every connection ("all servers have 0 weight")' };
    diags.warn(subject, `${field}.services`, `every service has weight 0: connections matched by route ${i} are closed, as Traefik does`);
  } else {
    action = { type: 'forward', targets: targets.filter((t) => t.weight > 0) };
  }
  const router: TcpRouter = {
    name,
    provenance,
    entryPoints,
    rule: route.match,
    pred,
    catchAll: isCatchAll(parsed.ast),
    priority,
    middlewares: 'ok' in mws ? mws.ok : [],
    action,
  };
  if (tls) router.tls = { passthrough: tls.passthrough ?? false, options: tlsOptions };
  return router;
}

