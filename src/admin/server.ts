// The admin HTTP server: health, readiness and a read-only JSON API over the serve loop's state.
// Secrets never leave it: config dumps redact private keys.
import * as http from 'node:http';
import { redactSecrets } from '../cli/output';
import { scrubDeep } from './redact';
import { snapshotResources } from '../xds/snapshot';
import type { Controller } from '../serve/controller';
import type { SnapshotCache } from '../xds/cache';
import type { ClientRegistry } from '../xds/clients';
import type { Source } from '../sources/source';

export interface AdminDeps {
  controller: Controller;
  cache: SnapshotCache;
  registry: ClientRegistry;
  source: Source;
  /** Extra routes (metrics, dashboard) mounted by later layers: path → handler; a path ending in `/*` is a prefix. */
  routes?: Map<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  // Every answer is scrubbed of PEM private keys, wherever they might hide (a diagnostic, a NACK message).
  const text = JSON.stringify(scrubDeep(body), null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text + '\n');
}

/** The handler of the longest `/*` route the path falls under. */
function prefixRoute(routes: AdminDeps['routes'], pathname: string): ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined {
  let best: string | undefined;
  for (const k of routes?.keys() ?? []) {
    if (k.endsWith('/*') && pathname.startsWith(k.slice(0, -1)) && (!best || k.length > best.length)) best = k;
  }
  return best ? routes!.get(best) : undefined;
}

export function adminHandler(d: AdminDeps): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'read-only API: GET only' });
    const extra = d.routes?.get(url.pathname) ?? prefixRoute(d.routes, url.pathname);
    if (extra) return extra(req, res);
    switch (url.pathname) {
      case '/healthz':
        return json(res, 200, { status: 'ok' });
      case '/readyz': {
        const ready = d.source.synced() && d.controller.ready;
        return json(res, ready ? 200 : 503, { ready, sourcesSynced: d.source.synced(), snapshotBuilt: d.controller.ready });
      }
      case '/api/diagnostics':
        return json(res, 200, { diagnostics: d.controller.currentDiagnostics() });
      case '/api/clients':
        return json(res, 200, {
          clients: d.registry.list().map((c) => ({
            ...c,
            types: Object.fromEntries(Object.entries(c.types).map(([k, t]) => [k, {
              ...t,
              nack: t?.nack ? { ...t.nack, objects: d.controller.objectsOf(k, t.nack.resources) } : undefined,
            }])),
          })),
        });
      case '/api/config_dump': {
        const fleet = url.searchParams.get('fleet');
        const keys = d.cache.keys().map((k) => k.key);
        const key = fleet && fleet.includes('/') ? fleet : keys.find((k) => k.startsWith(`${fleet ?? 'default'}/`));
        const snap = key ? d.cache.get(key) : undefined;
        if (!snap) return json(res, 404, { error: `no snapshot for fleet ${fleet ?? 'default'} (known: ${keys.join(', ') || 'none yet: a node of the fleet must connect first'})` });
        return json(res, 200, { fleet: key, version: snap.version, ...redactSecrets(snapshotResources(snap)) });
      }
      default:
        return json(res, 404, { error: 'not found', endpoints: ['/healthz', '/readyz', '/api/diagnostics', '/api/clients', '/api/config_dump?fleet=NAME', ...(d.routes?.keys() ?? [])] });
    }
  };
}

export function startAdmin(d: AdminDeps, host: string, port: number): Promise<http.Server> {
  const server = http.createServer(adminHandler(d));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
