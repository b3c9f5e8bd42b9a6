// 1.7 `error-pages` (traefik-ingress.md §3.3): a YAML map `name → {status, backend, query}`, one Errors
// middleware per entry (1.7 walked a Go map; sorted by name here). `backend` is a 1.7 backend name:
// `[<priority>-][<entry points joined by ->_]<host><path>`, the service name when host and path are empty,
// or `global-default-backend`; it resolves to the Service that serves that backend, as an Errors
// Middleware's `service` does. Unparsable YAML drops the feature, an unresolvable entry only itself, and the
// Ingress is served, as in 1.7.
import { parse as parseYaml } from 'yaml';
import { resolveUpstream, ServiceError } from '../services';
import type { Annotation, LegacyBackendRef, LegacyPath } from './context';
import type { IngressObj } from '../crds/ingress';
import type { ResolvedMiddleware } from '../middlewares';

export const GLOBAL_DEFAULT_BACKEND = 'global-default-backend';

/** The 1.7 backend (and frontend) name of a host + path (kubernetes.go, loadIngresses). */
export function legacyBackendName(host: string, path: string, serviceName: string, entryPoints: string[], priority: number): string {
  let name = host + path;
  if (!name) name = serviceName;
  if (entryPoints.length) name = `${entryPoints.join('-')}_${name}`;
  if (priority > 0) name = `${priority}-${name}`;
  return name;
}

/** 1.7's frontend-entry-points list and priority, as they enter the backend name. */
export type NameParts = (ing: IngressObj) => { entryPoints: string[]; priority: number };

/** Every 1.7 backend name of the processed Ingresses → the first path (or default backend) that has it. */
export function legacyBackendNames(ingresses: IngressObj[], parts: NameParts): Map<string, LegacyBackendRef> {
  const out = new Map<string, LegacyBackendRef>();
  for (const ing of ingresses) {
    const { entryPoints, priority } = parts(ing);
    if (ing.spec.defaultBackend && !out.has(GLOBAL_DEFAULT_BACKEND)) out.set(GLOBAL_DEFAULT_BACKEND, { ing, backend: ing.spec.defaultBackend });
    for (const rule of ing.spec.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const name = legacyBackendName(rule.host ?? '', p.path ?? '', p.backend.service?.name ?? '', entryPoints, priority);
        if (!out.has(name)) out.set(name, { ing, backend: p.backend });
      }
    }
  }
  return out;
}

/** yaml.v2 into a Go string: any scalar (booleans and numbers as written). */
function goString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '';
  return undefined;
}

interface Page {
  name: string;
  status: string[];
  backend: string;
  query: string;
}

/** Decodes as 1.7's yaml.v2 into map[string]*ErrorPage (lower-case keys); undefined when 1.7 fails to. */
function decode(raw: string): { pages: Page[]; ignored: string[] } | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(raw);
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const pages: Page[] = [];
  const ignored: string[] = [];
  for (const name of Object.keys(doc as object).sort()) {
    const e = (doc as Record<string, unknown>)[name];
    if (e === null || e === undefined) continue; // a nil page: 1.7 builds no handler for it
    if (typeof e !== 'object' || Array.isArray(e)) return undefined;
    const page: Page = { name, status: [], backend: '', query: '' };
    for (const [k, v] of Object.entries(e as Record<string, unknown>)) {
      if (k === 'status') {
        const list = v === null ? [] : Array.isArray(v) ? v.map(goString) : undefined;
        if (!list || list.some((x) => x === undefined)) return undefined;
        page.status = list as string[];
      } else if (k === 'backend' || k === 'query') {
        const s = goString(v);
        if (s === undefined) return undefined;
        page[k] = s;
      } else ignored.push(`${name}.${k}`);
    }
    pages.push(page);
  }
  return { pages, ignored };
}

/** The Errors middlewares of a path whose own 1.7 backend is `own`. */
export function legacyErrorPages(lp: LegacyPath, a: Annotation, own: string): ResolvedMiddleware[] {
  const { ctx, subject } = lp;
  const f = lp.field(a.key);
  const doc = decode(a.value);
  if (!doc) {
    ctx.diags.error(subject, f, 'error-pages must be YAML {<name>: {status: [..], backend, query}}: Traefik 1.7 drops the error pages of this Ingress (and serves it), and so does traefik-xds');
    return [];
  }
  if (doc.ignored.length) ctx.diags.warn(subject, f, `ignored, as Traefik 1.7 ignores them (its keys are status, backend and query, lower-case): ${doc.ignored.join(', ')}`);
  const out: ResolvedMiddleware[] = [];
  for (const page of doc.pages) {
    const drop = (why: string) => ctx.diags.warn(subject, f, `error page ${JSON.stringify(page.name)}: ${why}; the entry is dropped, as in Traefik 1.7`);
    if (!page.backend) {
      drop('no backend');
      continue;
    }
    if (page.backend === own) {
      drop(`backend ${JSON.stringify(page.backend)} is the path's own backend`);
      continue;
    }
    const ref = ctx.legacyBackends?.get(page.backend);
    const sb = ref?.backend.service;
    if (!ref || !sb) {
      drop(`backend ${JSON.stringify(page.backend)} is not the 1.7 backend name of any Ingress path (names are [<priority>-][<entry points>_]<host><path>, the service name when both are empty, or ${GLOBAL_DEFAULT_BACKEND})`);
      continue;
    }
    const port = sb.port?.number ?? (sb.port?.name || undefined);
    const scheme = lp.getOf(ref.ing, 'protocol')?.value;
    const provenance = { kind: 'Ingress', namespace: lp.ing.namespace, name: lp.ing.name, field: f, subject };
    let cluster;
    try {
      cluster = resolveUpstream(ctx.index, { name: sb.name, ...(port !== undefined ? { port } : {}), ...(scheme ? { scheme } : {}) }, ref.ing.namespace, ctx.svcOpts ?? ctx.opts, provenance, ctx.clusters);
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      drop(`backend ${JSON.stringify(page.backend)} (Service ${ref.ing.namespace}/${sb.name}): ${e.message}`);
      continue;
    }
    // The referenced frontend's preserve-host (its own diagnostics are reported on its Ingress).
    const ph = lp.getOf(ref.ing, 'preserve-host')?.value;
    const passHostHeader = ph !== undefined && /^(1|t|T|TRUE|true|True)$/.test(ph) ? true
      : ph !== undefined && /^(0|f|F|FALSE|false|False)$/.test(ph) ? false : !lp.io.disablePassHostHeaders;
    out.push(lp.mw('errors', { status: page.status, service: { name: sb.name, namespace: ref.ing.namespace, port }, query: page.query },
      { errorService: { cluster: cluster.name, passHostHeader } }));
  }
  return out;
}
