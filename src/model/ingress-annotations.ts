// The v3 Ingress annotations (traefik-ingress.md §2): `traefik.ingress.kubernetes.io/router.*` on the Ingress,
// `traefik.ingress.kubernetes.io/service.*` on the Service, decoded with paerser's rules (§2.1): field names
// case-insensitive, `.N.` list indexes, Go ParseBool / base-10 int64, comma lists, "allowEmpty" groups
// (`true` creates the group, any other non-empty value drops it and its sub-keys), unknown field = error.

export const ANNOTATION_PREFIX = 'traefik.ingress.kubernetes.io/';

export class AnnotationError extends Error {
  constructor(message: string, readonly annotation: string) {
    super(message);
  }
}

type FieldType = 'string' | 'bool' | 'int' | 'list' | 'group';

/** Lower-cased dotted field paths (`N` = a list index) → type. */
const ROUTER_FIELDS: Record<string, FieldType> = {
  entrypoints: 'list',
  middlewares: 'list',
  priority: 'int',
  pathmatcher: 'string',
  rulesyntax: 'string',
  tls: 'group',
  'tls.certresolver': 'string',
  'tls.domains.N.main': 'string',
  'tls.domains.N.sans': 'list',
  'tls.options': 'string',
  observability: 'group',
  'observability.accesslogs': 'bool',
  'observability.metrics': 'bool',
  'observability.tracing': 'bool',
  'observability.traceverbosity': 'string',
};

const SERVICE_FIELDS: Record<string, FieldType> = {
  serversscheme: 'string',
  serverstransport: 'string',
  passhostheader: 'bool',
  sticky: 'group',
  'sticky.cookie': 'group',
  'sticky.cookie.name': 'string',
  'sticky.cookie.secure': 'bool',
  'sticky.cookie.httponly': 'bool',
  'sticky.cookie.samesite': 'string',
  'sticky.cookie.maxage': 'int',
  'sticky.cookie.path': 'string',
  'sticky.cookie.domain': 'string',
  nativelb: 'bool',
  nodeportlb: 'bool',
  middlewares: 'list',
};

export interface RouterAnnotations {
  entryPoints?: string[];
  middlewares?: string[];
  priority?: bigint;
  pathMatcher?: string;
  ruleSyntax?: string;
  /** Present = a TLS router. */
  tls?: { certResolver?: string; options?: string; domains?: { main?: string; sans?: string[] }[] };
  observability?: Record<string, string | boolean>;
  /** Annotation key of each decoded field (for diagnostics). */
  keys: Record<string, string>;
}

export interface ServiceAnnotations {
  serversScheme?: string;
  serversTransport?: string;
  passHostHeader?: boolean;
  sticky?: { cookie?: { name?: string; secure?: boolean; httpOnly?: boolean; sameSite?: string; maxAge?: number; path?: string; domain?: string } };
  nativeLB?: boolean;
  nodePortLB?: boolean;
  middlewares?: string[];
  keys: Record<string, string>;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function parseValue(type: FieldType, value: string, key: string): unknown {
  switch (type) {
    case 'string':
      return value;
    case 'bool':
      if (TRUE.has(value)) return true;
      if (FALSE.has(value)) return false;
      throw new AnnotationError(`invalid boolean ${JSON.stringify(value)} (Go ParseBool: true, false, 1, 0, t, f)`, key);
    case 'int': {
      if (!/^[+-]?[0-9]+$/.test(value)) throw new AnnotationError(`invalid integer ${JSON.stringify(value)}`, key);
      const n = BigInt(value);
      if (n > 9223372036854775807n || n < -9223372036854775808n) throw new AnnotationError(`integer ${value} is out of the int64 range`, key);
      return n;
    }
    case 'list':
      // paerser: an empty value sets no list; otherwise items are trimmed and empty ones kept ("a,,b" has 3).
      return value === '' ? [] : value.split(',').map((x) => x.trim());
    case 'group':
      return value;
  }
}

interface Decoded {
  /** Canonical field path (indexes as digits) → value. */
  values: Map<string, unknown>;
  keys: Record<string, string>;
}

function decode(annotations: Record<string, string>, root: 'router' | 'service', fields: Record<string, FieldType>): Decoded {
  const values = new Map<string, unknown>();
  const keys: Record<string, string> = {};
  const groups = Object.keys(fields).filter((f) => fields[f] === 'group');
  const disabled = new Set<string>();
  const entries = Object.entries(annotations).filter(([k]) => k.startsWith(ANNOTATION_PREFIX)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of entries) {
    const rest = key.slice(ANNOTATION_PREFIX.length);
    const parts = rest.split('.');
    if (parts[0]!.toLowerCase() !== root) continue;
    const path = parts.slice(1);
    // Traefik keeps only labels starting with `traefik.router.` / `traefik.service.`: a bare `router` is ignored.
    if (path.length === 0) continue;
    const generic = path.map((p) => (/^[0-9]+$/.test(p) ? 'N' : p.toLowerCase())).join('.');
    const type = fields[generic];
    if (!type) {
      const known = Object.keys(fields).map((f) => `${root}.${f.replace('.N.', '.0.')}`);
      throw new AnnotationError(`unknown field ${JSON.stringify(`${root}.${path.join('.')}`)} (known: ${known.join(', ')})`, key);
    }
    const canonical = path.map((p) => p.toLowerCase()).join('.');
    if (type === 'group') {
      if (value.toLowerCase() !== 'true' && value !== '') disabled.add(canonical);
      else values.set(canonical, true);
    } else values.set(canonical, { type, value, key });
    keys[canonical] = key;
  }
  // A disabled group drops its sub-keys unread (paerser fills nothing below it: no parse error there either);
  // the others are parsed now; a sub-key alone creates its groups.
  for (const g of groups) {
    if (!disabled.has(g)) continue;
    for (const k of [...values.keys()]) if (k === g || k.startsWith(`${g}.`)) values.delete(k);
  }
  for (const [k, v] of values) {
    if (v === true) continue;
    const { type, value, key } = v as { type: FieldType; value: string; key: string };
    values.set(k, parseValue(type, value, key));
  }
  for (const k of [...values.keys()]) {
    for (const g of groups) if (k.startsWith(`${g}.`) && !disabled.has(g)) values.set(g, true);
  }
  return { values, keys };
}

/** Router annotations of an Ingress; throws AnnotationError (the whole Ingress is then skipped, as in Traefik). */
export function decodeRouterAnnotations(annotations: Record<string, string>): RouterAnnotations {
  const { values: v, keys } = decode(annotations, 'router', ROUTER_FIELDS);
  const out: RouterAnnotations = { keys };
  if (v.has('entrypoints')) out.entryPoints = v.get('entrypoints') as string[];
  if (v.has('middlewares')) out.middlewares = v.get('middlewares') as string[];
  if (v.has('priority')) out.priority = v.get('priority') as bigint;
  if (v.has('pathmatcher')) out.pathMatcher = v.get('pathmatcher') as string;
  if (v.has('rulesyntax')) out.ruleSyntax = v.get('rulesyntax') as string;
  if (v.has('tls')) {
    const tls: NonNullable<RouterAnnotations['tls']> = {};
    if (v.has('tls.certresolver')) tls.certResolver = v.get('tls.certresolver') as string;
    if (v.has('tls.options')) tls.options = v.get('tls.options') as string;
    const domains: { main?: string; sans?: string[] }[] = [];
    for (const [k, val] of v) {
      const m = /^tls\.domains\.([0-9]+)\.(main|sans)$/.exec(k);
      if (!m) continue;
      const i = Number(m[1]);
      domains[i] ??= {};
      if (m[2] === 'main') domains[i]!.main = val as string;
      else domains[i]!.sans = val as string[];
    }
    if (domains.length) tls.domains = domains.map((d) => d ?? {});
    out.tls = tls;
  }
  if (v.has('observability')) {
    const o: Record<string, string | boolean> = {};
    for (const [k, val] of v) if (k.startsWith('observability.')) o[k.slice('observability.'.length)] = val as string | boolean;
    out.observability = o;
  }
  return out;
}

/** Service annotations of a Kubernetes Service; throws AnnotationError (every path to that Service is then skipped). */
export function decodeServiceAnnotations(annotations: Record<string, string>): ServiceAnnotations {
  const { values: v, keys } = decode(annotations, 'service', SERVICE_FIELDS);
  const out: ServiceAnnotations = { keys };
  if (v.has('serversscheme')) out.serversScheme = v.get('serversscheme') as string;
  if (v.has('serverstransport')) out.serversTransport = v.get('serverstransport') as string;
  out.passHostHeader = v.has('passhostheader') ? (v.get('passhostheader') as boolean) : true;
  if (v.has('nativelb')) out.nativeLB = v.get('nativelb') as boolean;
  if (v.has('nodeportlb')) out.nodePortLB = v.get('nodeportlb') as boolean;
  if (v.has('middlewares')) out.middlewares = v.get('middlewares') as string[];
  if (v.has('sticky.cookie')) {
    const c: NonNullable<NonNullable<ServiceAnnotations['sticky']>['cookie']> = { path: '/' };
    const g = (k: string) => v.get(`sticky.cookie.${k}`);
    if (v.has('sticky.cookie.name')) c.name = g('name') as string;
    if (v.has('sticky.cookie.secure')) c.secure = g('secure') as boolean;
    if (v.has('sticky.cookie.httponly')) c.httpOnly = g('httponly') as boolean;
    if (v.has('sticky.cookie.samesite')) c.sameSite = g('samesite') as string;
    if (v.has('sticky.cookie.maxage')) c.maxAge = Number(g('maxage') as bigint);
    if (v.has('sticky.cookie.path')) c.path = g('path') as string;
    if (v.has('sticky.cookie.domain')) c.domain = g('domain') as string;
    out.sticky = { cookie: c };
  } else if (v.has('sticky')) out.sticky = {};
  return out;
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * Go's %q (strconv.Quote) for a rule argument: double quotes, `\"` and `\\`, the C escapes, `\xNN` for other
 * ASCII controls, `\uNNNN` / `\UNNNNNNNN` for other non-printable runes. The rule length counts them:
 * priority = len(rule) in bytes.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (GO_PRINTABLE.test(ch)) out += ch;
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd'; // a lone surrogate is not a valid rune
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
