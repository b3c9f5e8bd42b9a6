// Errors: Envoy's custom_response filter. When the rest of the chain (later middlewares and the service)
// answers with a watched status, the filter redirects the request internally (GET, original Host kept, no
// query) to the error-page path, and Envoy routes it again through the same route configuration: an extra
// route, first in each virtual host of the middleware's routers and selected by a header the redirect adds,
// sends it to the error-page service. The answer keeps the caught status (or its statusRewrites value), set
// explicitly per status code since {status} and {originalStatus} are known per code.
import { expandStatusRanges } from './retry';
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const CUSTOM_RESPONSE = 'type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse';
const REDIRECT_POLICY = 'type.googleapis.com/envoy.extensions.http.custom_response.redirect_policy.v3.RedirectPolicy';
const STATUS_INPUT = 'type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeMatchInput';

/** Request header that marks the internal redirect to the error page (and selects the extra route). */
export const ERROR_PAGE_HEADER = 'x-traefik-xds-error-page';

/** Traefik's status list: "500", "500-599", "500,502" (types.NewHTTPCodeRanges). */
function parseRanges(list: string[]): [number, number][] | { error: string } {
  const out: [number, number][] = [];
  for (const item of list) {
    for (const part of item.split(',')) {
      const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
      if (!m) return { error: `"${part}" is not a status code or range` };
      out.push([Number(m[1]), Number(m[2] ?? m[1])]);
    }
  }
  return out;
}

export const translateErrors: MiddlewareTranslator = (mw) => {
  const c = mw.config as { status?: string[]; statusRewrites?: Record<string, number>; query?: string; errorRequestHeaders?: string[] };
  const issues: MiddlewareIssue[] = [];
  const svc = mw.data.errorService;
  if (!svc) return { issues: [{ severity: 'error', field: fieldOf(mw, 'service'), message: 'the error-page service was not resolved' }] };

  const codes = expandStatusRanges(c.status ?? []);
  if (!Array.isArray(codes)) return { issues: [{ severity: 'error', field: fieldOf(mw, 'status'), message: codes.error }] };
  // Traefik never catches informational answers (1xx are passed through as they come).
  const caught = codes.filter((x) => x >= 200);
  if (caught.length < codes.length) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'status'), message: 'statuses below 200 are informational: Traefik never catches them, and neither does Envoy' });
  }
  if (caught.length === 0) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'status'), message: 'no status to catch: the middleware does nothing' });
    return { issues };
  }

  // statusRewrites: Traefik walks a Go map (random order); ranges are sorted here, and overlaps reported.
  const rewrites: { range: [number, number]; to: number; key: string }[] = [];
  for (const key of Object.keys(c.statusRewrites ?? {}).sort()) {
    const r = parseRanges([key]);
    if (!Array.isArray(r) || r.length !== 1) return { issues: [{ severity: 'error', field: fieldOf(mw, `statusRewrites.${key}`), message: `"${key}" is not a status code or range` }] };
    const to = c.statusRewrites![key]!;
    if (!(to >= 200 && to <= 599)) {
      return { issues: [{ severity: 'error', field: fieldOf(mw, `statusRewrites.${key}`), message: `status ${to} cannot be returned with an error page (Envoy accepts 200 to 599 here)` }] };
    }
    rewrites.push({ range: r[0]!, to, key });
  }
  for (let i = 0; i < rewrites.length; i++) {
    for (let j = i + 1; j < rewrites.length; j++) {
      const [a, b] = [rewrites[i]!, rewrites[j]!];
      if (a.range[0] <= b.range[1] && b.range[0] <= a.range[1] && a.to !== b.to) {
        issues.push({ severity: 'warning', field: fieldOf(mw, 'statusRewrites'), message: `ranges "${a.key}" and "${b.key}" overlap: Traefik picks either at random; "${a.key}" is used here` });
      }
    }
  }

  const query = c.query ?? '';
  if (query.includes('#')) return { issues: [{ severity: 'error', field: fieldOf(mw, 'query'), message: 'a #fragment in the error-page query cannot be requested through Envoy\'s internal redirect' }] };
  if (query.includes('{url}')) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'query'), message: 'approximated: {url} (the escaped original URL) cannot be filled by Envoy, whose redirect path is fixed per status: it is left empty' });
  }
  const base = query ? '/' + query.replace(/^\//, '') : '/';

  const map: Record<string, unknown> = {};
  for (const code of caught) {
    const to = rewrites.find((r) => code >= r.range[0] && code <= r.range[1])?.to ?? code;
    const path = base.split('{status}').join(String(to)).split('{originalStatus}').join(String(code)).split('{url}').join('');
    map[String(code)] = {
      action: {
        name: 'error-page',
        typed_config: {
          '@type': REDIRECT_POLICY,
          // No host: the original Host is kept (Traefik sends it to the error page); the query is the page's own.
          redirect_action: { path_redirect: path, strip_query: true },
          status_code: to,
          request_headers_to_add: [{ header: { key: ERROR_PAGE_HEADER, value: mw.id }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
        },
      },
    };
  }

  if (c.errorRequestHeaders !== undefined) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'errorRequestHeaders'), message: 'approximated: Envoy\'s internal redirect keeps every request header, so the error page receives all of them, not only the listed ones' });
  }
  issues.push({
    severity: 'warning',
    field: fieldOf(mw, 'service'),
    message: `approximated: the error page is fetched by an internal redirect to a route selected by the header ${ERROR_PAGE_HEADER}: ${mw.id}, which a client can also send to reach the error-page service directly; when the error page itself answers with an error status, Envoy returns that answer (Traefik returns its body with the caught status)`,
  });

  return {
    filter: {
      kind: 'custom_response',
      typedConfig: {
        '@type': CUSTOM_RESPONSE,
        custom_response_matcher: {
          matcher_tree: {
            input: { name: 'status', typed_config: { '@type': STATUS_INPUT } },
            exact_match_map: { map },
          },
        },
      },
    },
    route: {
      extraRoutes: [{
        name: `errors/${mw.namespace}/${mw.name}`,
        match: { prefix: '/', headers: [{ name: ERROR_PAGE_HEADER, string_match: { exact: mw.id } }] },
        cluster: svc.cluster,
        autoHostRewrite: !svc.passHostHeader,
        requestHeadersToRemove: [ERROR_PAGE_HEADER],
        // The redirected answer goes through the filter again, which sets the status then.
        enableFilterKinds: ['custom_response'],
      }],
    },
    issues,
  };
};
