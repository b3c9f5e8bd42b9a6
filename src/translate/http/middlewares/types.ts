// What a middleware translator returns: an HTTP filter instance (for behaviour that needs a filter), route
// fields (rewrites, headers, retries, redirects), and issues (approximations as warnings; anything it
// cannot do safely as an error, which keeps the route out: a route is never served without a middleware).
import type { HeaderValueOption, RedirectAction, RetryPolicy, HeaderMatcher, RouteMatch } from '../../../envoy/types';
import type { ResolvedMiddleware } from '../../../model/middlewares';

export interface FilterContribution {
  /** Short filter kind for the instance name, e.g. `rbac` → `traefik.mw.default.allow.rbac`. */
  kind: string;
  /** The HttpFilter `typed_config` (an Any in Envoy JSON form). */
  typedConfig: { '@type': string; [k: string]: unknown };
  /**
   * What each route that uses the middleware puts in `typed_per_filter_config`. Default: a FilterConfig with
   * an empty `config`, which switches the (disabled-by-default) filter on with its filter-level config, so
   * every route of the middleware shares one instance (one rate-limit bucket, for example).
   */
  perRoute?: { '@type': string; [k: string]: unknown };
}

/** Path rewrites, composed at translation time because Envoy applies one rewrite per route. */
export type PathOp =
  | { t: 'strip'; prefixes: string[] }
  | { t: 'stripRegex'; regexes: string[] }
  | { t: 'add'; prefix: string }
  | { t: 'replace'; path: string }
  | { t: 'replaceRegex'; regex: string; replacement: string };

export interface RedirectContribution {
  /** Redirect for GET (and HEAD) requests and for the other methods (Traefik: 302/301 vs 307/308). */
  redirect: Omit<RedirectAction, 'response_code'>;
  permanent: boolean;
  /**
   * Extra conditions under which the redirect applies (otherwise the route forwards as usual, and the later
   * middlewares run): the redirect routes come first, with only the filters of the earlier middlewares.
   */
  when?: HeaderMatcher[];
}

/** A local answer instead of forwarding, under conditions (Headers allowedHosts: 500 "Bad Host"). */
export interface DirectResponseContribution {
  /** Alternatives (any one) of extra match conditions (all of one). */
  when: HeaderMatcher[][];
  status: number;
  body?: string;
  /** The middleware's own filters run before the answer (Headers: its CORS part comes before the host check). */
  afterOwnFilters?: boolean;
  /** The middleware's own response headers that also apply to the answer. */
  responseHeadersToAdd?: HeaderValueOption[];
  responseHeadersToRemove?: string[];
}

/**
 * A route the middleware needs in every virtual host where its routers are, placed before them (the Errors
 * middleware's error-page route, reached by Envoy's internal redirect with the original Host).
 */
export interface ExtraRouteContribution {
  /** Route name (unique per middleware). */
  name: string;
  match: RouteMatch;
  cluster: string;
  /** passHostHeader: false on the target service: Host = the server address. */
  autoHostRewrite: boolean;
  requestHeadersToRemove?: string[];
  /** Kinds of this middleware's own filter instances that must also run on the extra route. */
  enableFilterKinds?: string[];
}

export interface RouteContribution {
  requestHeadersToAdd?: HeaderValueOption[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOption[];
  responseHeadersToRemove?: string[];
  path?: PathOp;
  retryPolicy?: RetryPolicy;
  /** Total time for the request (all retries included), in ms. */
  timeoutMs?: number;
  redirect?: RedirectContribution;
  /** Host header sent upstream (Headers middleware `customRequestHeaders.Host`). */
  hostRewrite?: string;
  directResponse?: DirectResponseContribution;
  extraRoutes?: ExtraRouteContribution[];
}

export interface MiddlewareIssue {
  severity: 'error' | 'warning' | 'info';
  /** An error that does not make the route unsafe (e.g. one user of an auth middleware left out): the route stays. */
  keepsRoute?: boolean;
  /** Path inside the Middleware object, e.g. `spec.headers.allowedHosts`. */
  field?: string;
  message: string;
}

export interface MiddlewareOutput {
  filter?: FilterContribution;
  /**
   * Several filter instances for one middleware, in order (after `filter`, if both are set), e.g. one
   * compressor per encoding. Each needs its own `kind`: the instance is identified by (middleware, kind).
   */
  filters?: FilterContribution[];
  route?: RouteContribution;
  issues: MiddlewareIssue[];
}

export interface MiddlewareTranslateContext {
  /** The route configuration serves TLS connections (HTTPS routers). */
  tls: boolean;
  /**
   * The entry point whose route configuration is built (absent: none known, e.g. unit tests). Its
   * forwardedHeaders say whether Traefik keeps incoming X-Forwarded-* headers (absent: it deletes them).
   */
  entryPoint?: { name: string; forwardedHeaders?: { insecure: boolean; trustedIPs: string[] } };
}

export type MiddlewareTranslator = (mw: ResolvedMiddleware, ctx: MiddlewareTranslateContext) => MiddlewareOutput;

/** `spec.<type>.<field>` of the middleware object. */
export function fieldOf(mw: ResolvedMiddleware, sub?: string): string {
  return sub ? `spec.${mw.type}.${sub}` : `spec.${mw.type}`;
}
