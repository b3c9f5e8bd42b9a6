// IngressRoute (HTTP routers): spec schema, union of Traefik v2.11 and v3.7 fields.
import { ROUTE_PRIORITY_MAX, domainSchema, loadBalancerSchema, middlewareRefSchema, refSchema, syntaxDeprecatedMessage } from './common';
import { Schema, SchemaReport, arr, bool, deprecated, int, isPlainObject, obj, str, strList } from './schema';

export const routeSchema: Schema = obj(
  {
    match: str('Router rule, e.g. Host(`example.com`) && PathPrefix(`/api`).'),
    // v2.11's CRD required `kind: Rule`; v3 made it optional, so the union does not require it.
    kind: str('Kind of the route; only Rule exists.', { enum: ['Rule'] }),
    priority: int('Router priority; 0 = length of the rule.', { maximum: ROUTE_PRIORITY_MAX }),
    syntax: deprecated(str('Rule syntax of this route: v3 or v2.'), syntaxDeprecatedMessage),
    services: arr(loadBalancerSchema, 'Services the route forwards to (optional for parent routes, v3.6+).'),
    middlewares: arr(middlewareRefSchema, 'Middlewares applied in order.'),
    observability: obj(
      {
        accessLogs: bool('Produce access logs for this route.'),
        metrics: bool('Produce metrics for this route.'),
        tracing: bool('Produce traces for this route.'),
        traceVerbosity: str('Tracing verbosity.', { enum: ['minimal', 'detailed'], default: 'minimal' }),
      },
      'Per-route observability (v3.3+).',
    ),
  },
  'An HTTP route.',
  { required: ['match'] },
);

export const ingressRouteTLSSchema: Schema = obj(
  {
    secretName: str('Secret (tls.crt/tls.key) added to the default TLS store.'),
    options: refSchema('TLSOption'),
    store: refSchema('TLSStore'),
    certResolver: str('ACME certificate resolver.'),
    domains: arr(domainSchema, 'Domains for the certificate resolver.'),
  },
  'TLS for every route of this IngressRoute; presence (even {}) makes the routers TLS routers.',
);

export const ingressRouteSpecSchema: Schema = obj(
  {
    ingressClassName: str('Ingress class of this resource (v3.7+).'),
    entryPoints: strList('Entry points the routes listen on; empty = default entry points.'),
    routes: arr(routeSchema, 'HTTP routes.'),
    tls: ingressRouteTLSSchema,
    parentRefs: arr(refSchema('parent IngressRoute'), 'Parent IngressRoutes for multi-layer routing (v3.6+).'),
  },
  'IngressRoute specification.',
  { required: ['routes'] },
);

/**
 * `tls:` with nothing after it is null, which Kubernetes prunes: the routes silently become non-TLS routers.
 * Shared by IngressRoute and IngressRouteTCP.
 */
export function checkNullTLS(raw: unknown, path: string, report: SchemaReport): void {
  if (isPlainObject(raw) && 'tls' in raw && raw.tls === null) {
    report.warn(`${path}.tls`, 'tls is empty (null), so it is ignored and the routes are not TLS routes; write "tls: {}" to enable TLS with defaults');
  }
}
