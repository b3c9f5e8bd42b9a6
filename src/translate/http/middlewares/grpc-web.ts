// GrpcWeb: Envoy's grpc_web filter translates gRPC-Web requests (POST, content-type application/grpc-web*)
// to gRPC, as Traefik's wrapper (traefik/grpc-web, a fork of improbable-eng/grpc-web) does. Traefik's
// wrapper also answers CORS for gRPC-Web through rs/cors: origins allowed by allowOrigins ("*" = any, else
// exact match), credentials allowed, any requested header allowed, preflight max age 600 s; the response
// exposes its headers plus grpc-status and grpc-message. That part is a cors filter instance placed before
// grpc_web, with the policy as its per-route config.
import { fieldOf, type FilterContribution, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const GRPC_WEB = 'type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb';
const CORS = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
const CORS_POLICY = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';

/** Request headers gRPC-Web clients send (grpc-web, grpc-web-text, Connect and improbable clients). */
export const GRPC_WEB_ALLOWED_HEADERS = [
  'authorization', 'cache-control', 'content-transfer-encoding', 'content-type', 'grpc-timeout', 'keep-alive', 'u-a',
  'user-agent', 'x-accept-content-transfer-encoding', 'x-accept-response-streaming', 'x-grpc-web', 'x-user-agent',
];

export const translateGrpcWeb: MiddlewareTranslator = (mw) => {
  const origins: string[] = mw.config?.allowOrigins ?? [];
  const issues: MiddlewareIssue[] = [];
  const filters: FilterContribution[] = [];
  if (origins.length) {
    const any = origins.includes('*');
    filters.push({
      kind: 'cors',
      typedConfig: { '@type': CORS },
      perRoute: {
        '@type': CORS_POLICY,
        allow_origin_string_match: any ? [{ safe_regex: { regex: '.*' } }] : [...new Set(origins)].map((o) => ({ exact: o })),
        allow_methods: 'GET,POST,HEAD',
        allow_headers: GRPC_WEB_ALLOWED_HEADERS.join(','),
        expose_headers: 'grpc-status,grpc-message',
        max_age: '600',
        allow_credentials: true,
        // Traefik answers gRPC-Web preflights itself, also for origins it does not allow.
        forward_not_matching_preflights: false,
      },
    });
    issues.push({
      severity: 'warning',
      field: fieldOf(mw, 'allowOrigins'),
      message: `approximated: Envoy's CORS policy applies to every request of the route (Traefik answers CORS for gRPC-Web requests and for preflights announcing x-grpc-web only), allows a fixed list of request headers (${GRPC_WEB_ALLOWED_HEADERS.join(', ')}) where Traefik allows any requested header, and exposes grpc-status and grpc-message where Traefik exposes every response header`,
    });
  } else {
    issues.push({ severity: 'info', field: fieldOf(mw, 'allowOrigins'), message: 'no origin is allowed: cross-origin gRPC-Web calls get no CORS headers, as in Traefik' });
  }
  filters.push({ kind: 'grpc_web', typedConfig: { '@type': GRPC_WEB } });
  return { filters, issues };
};
