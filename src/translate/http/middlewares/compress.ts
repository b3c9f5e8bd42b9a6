// Compress: one Envoy compressor filter instance per encoding, in Traefik's preference order (`encodings`,
// default gzip, br, zstd). Envoy picks among the instances by the Accept-Encoding q-values; on a tie the
// instance marked choose_first (Traefik's first encoding) wins.
// - minResponseBodyBytes (0 → Traefik's 1024) → min_content_length. Envoy decides from Content-Length;
//   Traefik buffers up to the minimum to decide, so responses without Content-Length differ.
// - includedContentTypes → content_type (the media types; Traefik also drops the parameters and compares
//   the media type literally).
// - excludedContentTypes / no list: Traefik compresses every type except the excluded ones and
//   application/grpc; Envoy only has an include list, so a broad list of compressible types minus the
//   excluded ones is emitted.
// - defaultEncoding (used when the request has no Accept-Encoding): Envoy never compresses then.
import { fieldOf, type FilterContribution, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const COMPRESSOR = 'type.googleapis.com/envoy.extensions.filters.http.compressor.v3.Compressor';

const LIBRARIES: Record<string, { name: string; type: string; kind: string }> = {
  gzip: { name: 'envoy.compression.gzip.compressor', type: 'type.googleapis.com/envoy.extensions.compression.gzip.compressor.v3.Gzip', kind: 'compressor.gzip' },
  br: { name: 'envoy.compression.brotli.compressor', type: 'type.googleapis.com/envoy.extensions.compression.brotli.compressor.v3.Brotli', kind: 'compressor.br' },
  zstd: { name: 'envoy.compression.zstd.compressor', type: 'type.googleapis.com/envoy.extensions.compression.zstd.compressor.v3.Zstd', kind: 'compressor.zstd' },
};

/** Compressible media types emitted when Traefik would compress "everything but the excluded types". */
export const BROAD_CONTENT_TYPES = [
  'application/atom+xml', 'application/ecmascript', 'application/geo+json', 'application/graphql-response+json',
  'application/javascript', 'application/json', 'application/ld+json', 'application/manifest+json',
  'application/problem+json', 'application/problem+xml', 'application/rss+xml', 'application/vnd.api+json',
  'application/vnd.ms-fontobject', 'application/wasm', 'application/x-font-opentype', 'application/x-font-truetype',
  'application/x-font-ttf', 'application/x-javascript', 'application/x-json', 'application/x-ndjson',
  'application/x-web-app-manifest+json', 'application/x-yaml', 'application/xhtml+xml', 'application/xml',
  'application/yaml', 'font/eot', 'font/otf', 'font/ttf', 'image/bmp', 'image/svg+xml', 'image/vnd.microsoft.icon',
  'image/x-icon', 'text/cache-manifest', 'text/calendar', 'text/css', 'text/csv', 'text/ecmascript', 'text/html',
  'text/javascript', 'text/js', 'text/jscript', 'text/markdown', 'text/plain', 'text/richtext', 'text/tab-separated-values',
  'text/vcard', 'text/vtt', 'text/x-component', 'text/x-cross-domain-policy', 'text/x-java-source', 'text/x-javascript',
  'text/x-js', 'text/x-markdown', 'text/x-script', 'text/xml',
];

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^\\s*(${TOKEN})(?:/(${TOKEN}))?\\s*((?:;\\s*${TOKEN}\\s*=\\s*(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*")\\s*)*);?\\s*$`);

/** Go's mime.ParseMediaType, as far as Traefik relies on it: the lower-cased media type, parameters dropped. */
export function parseMediaType(v: string): { mediaType: string } | undefined {
  const m = MEDIA_TYPE.exec(v);
  if (!m) return undefined;
  return { mediaType: (m[2] ? `${m[1]}/${m[2]}` : m[1]).toLowerCase() };
}

export const translateCompress: MiddlewareTranslator = (mw) => {
  const c = mw.config ?? {};
  const issues: MiddlewareIssue[] = [];
  const error = (field: string, message: string) => ({ issues: [{ severity: 'error' as const, field: fieldOf(mw, field), message: `${message} (Traefik refuses this middleware)` }] });
  const excluded: string[] = c.excludedContentTypes ?? [];
  const included: string[] = c.includedContentTypes ?? [];
  if (excluded.length && included.length) return error('includedContentTypes', 'excludedContentTypes and includedContentTypes are mutually exclusive');
  const encodings: string[] = c.encodings ?? ['gzip', 'br', 'zstd'];
  if (encodings.length === 0) return error('encodings', 'at least one encoding must be specified');
  for (const [i, e] of encodings.entries()) if (!LIBRARIES[e]) return error(`encodings[${i}]`, `unsupported encoding "${e}" (gzip, br or zstd)`);
  if (c.defaultEncoding && !encodings.includes(c.defaultEncoding)) return error('defaultEncoding', `unsupported default encoding "${c.defaultEncoding}": it is not in encodings`);
  const parse = (list: string[], f: string): string[] | { issues: MiddlewareIssue[] } => {
    const out: string[] = [];
    for (const [i, v] of list.entries()) {
      const p = parseMediaType(v);
      if (!p) return error(`${f}[${i}]`, `"${v}" is not a media type`);
      // Traefik keeps the media type only (parameters dropped) and compares it literally, as Envoy does.
      out.push(p.mediaType);
    }
    return out;
  };
  const inc = parse(included, 'includedContentTypes');
  if (!Array.isArray(inc)) return inc;
  const exc = parse(excluded, 'excludedContentTypes');
  if (!Array.isArray(exc)) return exc;

  let contentTypes: string[];
  if (inc.length) contentTypes = [...new Set(inc)].filter((t) => t !== 'application/grpc');
  else {
    const skip = new Set(['application/grpc', ...exc]);
    contentTypes = BROAD_CONTENT_TYPES.filter((t) => !skip.has(t));
    issues.push({
      severity: 'warning',
      field: fieldOf(mw, 'excludedContentTypes'),
      message: `approximated: Traefik compresses every content type except ${exc.length ? `the excluded ones and ` : ''}application/grpc; Envoy only compresses listed types, so ${contentTypes.length} common compressible types are listed (others, e.g. application/octet-stream, are sent uncompressed)`,
    });
  }
  if (contentTypes.length === 0) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'includedContentTypes'), message: 'no content type is left to compress (application/grpc requests are never compressed by Traefik): no compressor filter is emitted' });
    return { issues };
  }
  const minSize = Number(c.minResponseBodyBytes ?? 0) > 0 ? Number(c.minResponseBodyBytes) : 1024;
  issues.push({ severity: 'warning', field: fieldOf(mw, 'minResponseBodyBytes'), message: `approximated: Envoy skips responses whose Content-Length is below ${minSize} bytes and compresses responses without Content-Length; Traefik buffers up to ${minSize} bytes to decide` });
  if (c.defaultEncoding) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'defaultEncoding'), message: `approximated: Envoy does not compress a response when the request has no Accept-Encoding; Traefik uses ${c.defaultEncoding}` });
  }
  const unique = [...new Set(encodings)];
  if (unique.length > 2) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'encodings'), message: `on equal Accept-Encoding q-values Envoy prefers ${unique[0]} as Traefik does; between the others its choice may differ from Traefik's order` });
  }
  const filters: FilterContribution[] = unique.map((e, i) => ({
    kind: LIBRARIES[e].kind,
    typedConfig: {
      '@type': COMPRESSOR,
      compressor_library: { name: LIBRARIES[e].name, typed_config: { '@type': LIBRARIES[e].type } },
      response_direction_config: { common_config: { min_content_length: minSize, content_type: contentTypes } },
      ...(i === 0 && unique.length > 1 ? { choose_first: true } : {}),
    },
  }));
  return { filters, issues };
};
