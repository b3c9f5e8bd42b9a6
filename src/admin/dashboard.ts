// The web dashboard: static assets built by `npm run build` (scripts/build-dashboard.ts, into dist/dashboard/)
// served under /dashboard/, and its JSON API (admin/api-model.ts). Read-only; no CDN, nothing fetched at run time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as http from 'node:http';
import { apiRoutes, type ApiDeps, type Handler } from './api-model';

/** Where `npm run build` puts the dashboard (git-ignored). */
export const DASHBOARD_DIR = path.resolve(__dirname, '../../dist/dashboard');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

// The page loads only its own scripts and styles, and talks only to this server.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function staticHandler(dir = DASHBOARD_DIR): Handler {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (url.pathname === '/dashboard') {
      res.writeHead(301, { location: '/dashboard/' });
      return res.end();
    }
    let rel = decodeURIComponent(url.pathname.slice('/dashboard/'.length)) || 'index.html';
    if (!path.extname(rel)) rel = 'index.html'; // client-side routes
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir + path.sep)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found\n');
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        const missing = rel === 'index.html';
        res.writeHead(missing ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end(missing ? `the dashboard is not built: run \`npm run build\` (expected ${dir})\n` : 'not found\n');
      }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : data);
    });
  };
}

/** Every route of the dashboard (pages and API), to merge into the admin server's `routes`. */
export function dashboardRoutes(deps: ApiDeps, dir = DASHBOARD_DIR): Map<string, Handler> {
  const r = apiRoutes(deps);
  const st = staticHandler(dir);
  r.set('/dashboard', st);
  r.set('/dashboard/*', st);
  return r;
}
