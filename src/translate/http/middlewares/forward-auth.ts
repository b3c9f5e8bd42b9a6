// ForwardAuth: Envoy's ext_authz filter with an HTTP authorization service (the auth server's cluster is
// built by the model from `address`). Traefik sends GET <address> with the request's headers and
// X-Forwarded-{For,Method,Proto,Host,Uri,Port}; 2xx lets the request through (copying authResponseHeaders
// onto it), anything else is returned to the client. Envoy's HTTP ext_authz differs in ways no setting
// changes: it sends the client's method, the client's path appended to the address path, the client's Host,
// lets only 200 through, and turns a 5xx of the auth server into its own error status.
//   - An address with a path (a fixed verify endpoint such as /api/verify) would be called at
//     /api/verify/<client path>: that breaks the auth server's contract, so the route is refused unless the
//     Middleware opts in (annotation traefik-xds.io/forward-auth-path-prefix: "true") for servers made for it.
//   - An address at the root is translated with a warning: the server sees the client's path and method, and
//     the X-Forwarded-* headers Traefik sends (which such servers read) carry the same values.
// Filters, in order: custom_response (authSigninURL: 401 → 302), header_mutation (drops the client's copies of
// authResponseHeaders, which Traefik replaces or removes), ext_authz.
import { literalHeaderValue } from './headers';
import { checkRe2 } from '../../../model/rules';
import { unanchored } from '../../regex';
import { FORWARD_AUTH_TIMEOUT_MS } from '../../../model/forward-auth';
import { FORWARD_AUTH_PATH_ANNOTATION } from '../../../model/middlewares';
import { X_HEADERS } from './forwarded-headers';
import { fieldOf, type FilterContribution, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const EXT_AUTHZ = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz';
const HEADER_MUTATION = 'type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation';
const CUSTOM_RESPONSE = 'type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse';
const LOCAL_RESPONSE_POLICY = 'type.googleapis.com/envoy.extensions.http.custom_response.local_response_policy.v3.LocalResponsePolicy';
const STATUS_INPUT = 'type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeMatchInput';

const PEER = '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%';

function exactNames(names: string[]): { exact: string; ignore_case: boolean }[] {
  return [...new Set(names.map((n) => n.toLowerCase()))].map((exact) => ({ exact, ignore_case: true }));
}

export const translateForwardAuth: MiddlewareTranslator = (mw, ctx) => {
  const c = mw.config as {
    address?: string; trustForwardHeader?: boolean; authResponseHeaders?: string[]; authResponseHeadersRegex?: string;
    authRequestHeaders?: string[]; maxResponseBodySize?: number; addAuthCookiesToResponse?: string[]; headerField?: string;
    forwardBody?: boolean; maxBodySize?: number; preserveLocationHeader?: boolean; preserveRequestMethod?: boolean; authSigninURL?: string;
  };
  const fa = mw.data.forwardAuth;
  if (!fa) return { issues: [{ severity: 'error', field: fieldOf(mw, 'address'), message: 'the authentication server was not resolved' }] };
  const issues: MiddlewareIssue[] = [];
  const a = fa.address;
  const address = c.address ?? '';

  // The path and query of the address: Envoy appends the client's path (query included) to `path_prefix`.
  if (a.query) {
    return { issues: [{ severity: 'error', field: fieldOf(mw, 'address'), message: `address "${address}" has a query string, which Envoy's ext_authz cannot send (it appends the client's path and query to the address path)` }] };
  }
  const root = a.path === '' || a.path === '/';
  if (!root && !fa.appendPath) {
    return {
      issues: [{
        severity: 'error',
        field: fieldOf(mw, 'address'),
        message: `Envoy's HTTP ext_authz cannot call the fixed URL ${address}: it sends the client's method and the client's path appended to the address path (${a.path}<client path>), so the endpoint ${a.path} never sees the GET request Traefik sends it: refused rather than served with a broken authentication. Point address at the root of an auth server that reads X-Forwarded-Uri and X-Forwarded-Method, or, for a server that accepts ${a.path}/<client path> (an Envoy-style ext_authz endpoint), annotate the Middleware with ${FORWARD_AUTH_PATH_ANNOTATION}: "true"`,
      }],
    };
  }

  // Which X-Forwarded-* headers Traefik lets through and which it sets (forward.go writeHeader/oldWriteHeader).
  const fh = ctx.entryPoint?.forwardedHeaders;
  const epTrust = fh?.insecure ? 'all' : fh?.trustedIPs.length ? 'some' : 'none';
  const tfh = c.trustForwardHeader;
  const keepClientX = tfh !== false && epTrust === 'all';
  if (tfh !== false && epTrust === 'some') {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'trustForwardHeader'), message: `approximated: entry point ${ctx.entryPoint!.name} trusts X-Forwarded-* headers from some peers only (forwardedHeaders.trustedIPs); the auth server gets none of the client's, as from an untrusted peer` });
  }
  if (tfh !== false && epTrust === 'all') {
    // The entry point trusts the client: Traefik passes some of the client's X-* headers on unchanged.
    const kept = tfh === true ? 'X-Forwarded-Method/Proto/Port/Host/Uri/Server and X-Real-Ip' : 'X-Forwarded-Port/Server and X-Real-Ip';
    issues.push({ severity: 'warning', field: fieldOf(mw, 'trustForwardHeader'), message: `approximated: Traefik keeps the client's ${kept} when present; Envoy sends its own values` });
  }
  const tls = ctx.tls;
  const add: { key: string; value: string }[] = [
    { key: 'X-Forwarded-For', value: tfh === true && epTrust === 'all' ? '%REQ(X-FORWARDED-FOR)%' : PEER },
    { key: 'X-Forwarded-Method', value: '%REQ(:METHOD)%' },
    { key: 'X-Forwarded-Proto', value: tls ? 'https' : 'http' },
    { key: 'X-Forwarded-Host', value: '%REQ(:AUTHORITY)%' },
    { key: 'X-Forwarded-Uri', value: '%REQ(:PATH)%' },
    { key: 'X-Forwarded-Port', value: tls ? '443' : '80' },
  ];
  if (tfh !== false) {
    // Set by Traefik's entry point on every request, and copied to the auth request unless trustForwardHeader is false.
    add.push({ key: 'X-Real-Ip', value: PEER }, { key: 'X-Forwarded-Server', value: '%HOSTNAME%' });
  }

  const authz: Record<string, unknown> = { '@type': EXT_AUTHZ };
  const httpService: Record<string, unknown> = {
    server_uri: { uri: address, cluster: fa.cluster, timeout: `${FORWARD_AUTH_TIMEOUT_MS / 1000}s` },
  };
  if (!root) httpService.path_prefix = a.path.replace(/\/$/, '');
  httpService.authorization_request = { headers_to_add: add };

  // authRequestHeaders: only those (Envoy always adds Host, Method, Path, Content-Length, Authorization).
  const requestHeaders = c.authRequestHeaders ?? [];
  if (requestHeaders.length) {
    const names = tfh === true ? [...requestHeaders, ...X_HEADERS] : requestHeaders;
    authz.allowed_headers = { patterns: exactNames(names) };
    if (!requestHeaders.some((h) => h.toLowerCase() === 'authorization')) {
      issues.push({ severity: 'warning', field: fieldOf(mw, 'authRequestHeaders'), message: 'approximated: Envoy always sends the Authorization header to the auth server, even when it is not listed' });
    }
  } else {
    // Traefik sends every request header; Envoy's HTTP ext_authz sends only a few unless told.
    authz.allowed_headers = { patterns: [{ safe_regex: { regex: '.*' } }] };
  }
  if (!keepClientX) authz.disallowed_headers = { patterns: X_HEADERS.map((exact) => ({ exact })) };

  // authResponseHeaders(+Regex): copied onto the request on success.
  const upstream: Record<string, unknown>[] = exactNames(c.authResponseHeaders ?? []);
  if (c.authResponseHeadersRegex) {
    const err = checkRe2(c.authResponseHeadersRegex);
    if (err) return { issues: [...issues, { severity: 'error', field: fieldOf(mw, 'authResponseHeadersRegex'), message: `RE2 rejects the regex: ${err}` }] };
    upstream.push({ safe_regex: { regex: `(?i)${unanchored(c.authResponseHeadersRegex)}` } });
    issues.push({
      severity: 'warning',
      field: fieldOf(mw, 'authResponseHeadersRegex'),
      message: 'approximated: matched case-insensitively on the lower-case header names Envoy uses, and the client\'s own headers that match are not removed first (Traefik removes them): list headers that carry identity in authResponseHeaders, whose client copies are removed',
    });
  }
  const authResponse: Record<string, unknown> = {};
  if (upstream.length) authResponse.allowed_upstream_headers = { patterns: upstream };
  if (c.addAuthCookiesToResponse?.length) {
    authResponse.allowed_client_headers_on_success = { patterns: [{ exact: 'set-cookie', ignore_case: true }] };
    issues.push({ severity: 'warning', field: fieldOf(mw, 'addAuthCookiesToResponse'), message: 'approximated: every Set-Cookie of a successful auth answer is added to the response, not only the named cookies, and the service\'s cookies of the same names are kept' });
  }
  if (Object.keys(authResponse).length) httpService.authorization_response = authResponse;
  authz.http_service = httpService;

  if (c.forwardBody) {
    const max = c.maxBodySize;
    if (max === 0) {
      return { issues: [...issues, { severity: 'error', field: fieldOf(mw, 'maxBodySize'), message: 'maxBodySize 0 (only requests without a body pass) has no Envoy counterpart (max_request_bytes must be positive)' }] };
    }
    const bytes = max !== undefined && max > 0 ? Math.min(max, 4294967295) : 4294967295;
    authz.with_request_body = { max_request_bytes: bytes, allow_partial_message: false };
    issues.push({ severity: 'warning', field: fieldOf(mw, 'forwardBody'), message: `approximated: a body over ${max !== undefined && max > 0 ? `maxBodySize (${max} bytes)` : 'Envoy\'s buffer limits'} is answered 413 by Envoy (Traefik: 401${max !== undefined && max > 0 ? '' : ', or no limit'})` });
  } else if (c.maxBodySize !== undefined && c.maxBodySize !== -1) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'maxBodySize'), message: 'ignored, as in Traefik: no body is forwarded (forwardBody is false)' });
  }
  if (c.maxResponseBodySize !== undefined && c.maxResponseBodySize >= 0) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'maxResponseBodySize'), message: 'approximated: Envoy reads the auth server\'s whole answer (within its buffer limits) instead of answering 401 above this size' });
  }
  if (c.headerField) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'headerField'), message: 'only names the user in Traefik\'s access log; Envoy\'s access log is configured on the Envoy side' });
  }
  // An unreachable auth server: Traefik answers 500 (Envoy's default would be 403).
  authz.status_on_error = { code: 'InternalServerError' };

  const differences = [
    c.preserveRequestMethod ? undefined : 'the client\'s method (Traefik: GET)',
    root ? 'the client\'s path and query (Traefik: the address path; both send the original URI in X-Forwarded-Uri)' : `the address path followed by the client's path (opted in with ${FORWARD_AUTH_PATH_ANNOTATION})`,
    'the client\'s Host header (Traefik: the auth server\'s)',
  ].filter(Boolean);
  issues.push({
    severity: 'warning',
    field: fieldOf(mw, 'address'),
    message: `approximated: Envoy calls the auth server with ${differences.join(', ')}; only a 200 answer lets the request through (Traefik: any 2xx); a 5xx answer becomes 500 without its body (Traefik returns it)${c.preserveLocationHeader ? '' : '; a relative Location in a denial is passed as is (Traefik makes it absolute)'}; X-Forwarded-Port is the scheme's default port (Traefik: the Host header's port when it has one)`,
  });

  const filters: FilterContribution[] = [];
  if (c.authSigninURL) {
    filters.push({
      kind: 'signin',
      typedConfig: {
        '@type': CUSTOM_RESPONSE,
        custom_response_matcher: {
          matcher_tree: {
            input: { name: 'status', typed_config: { '@type': STATUS_INPUT } },
            exact_match_map: {
              map: {
                '401': {
                  action: {
                    name: 'signin',
                    typed_config: {
                      '@type': LOCAL_RESPONSE_POLICY,
                      status_code: 302,
                      response_headers_to_add: [{ header: { key: 'location', value: literalHeaderValue(c.authSigninURL) }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
                    },
                  },
                },
              },
            },
          },
        },
      },
    });
    issues.push({ severity: 'warning', field: fieldOf(mw, 'authSigninURL'), message: 'approximated: every 401 answer of the route is turned into the redirect, also those of the service and of later middlewares (Traefik: only the auth server\'s)' });
  }
  if (c.authResponseHeaders?.length) {
    // Traefik deletes the listed headers from the request, then copies the auth server's values: drop the
    // client's copies before ext_authz, which then adds the auth server's.
    filters.push({
      kind: 'strip',
      typedConfig: {
        '@type': HEADER_MUTATION,
        mutations: { request_mutations: [...new Set(c.authResponseHeaders.map((h) => h.toLowerCase()))].map((remove) => ({ remove })) },
      },
    });
    issues.push({ severity: 'info', field: fieldOf(mw, 'authResponseHeaders'), message: 'the client\'s copies of these headers are removed before the auth request, so the auth server does not receive them either (Traefik sends them)' });
  }
  filters.push({ kind: 'ext_authz', typedConfig: authz as FilterContribution['typedConfig'] });
  return { filters, issues };
};
