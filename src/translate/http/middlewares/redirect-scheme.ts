// RedirectScheme: a redirect route (302/301 for GET, 307/308 for other methods, as Traefik), only where the
// URL would change: a route configuration that already serves the target scheme forwards as usual.
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const DEFAULT_PORT: Record<string, string> = { http: '80', https: '443', ws: '80', wss: '443' };

export const translateRedirectScheme: MiddlewareTranslator = (mw, ctx) => {
  const scheme: string = mw.config.scheme ?? '';
  if (!scheme) return { issues: [{ severity: 'error', field: fieldOf(mw, 'scheme'), message: 'scheme is required' }] };
  const port: string = mw.config.port ?? '';
  if (port && !/^[0-9]+$/.test(port)) return { issues: [{ severity: 'error', field: fieldOf(mw, 'port'), message: `port "${port}" is not a number` }] };
  const issues: MiddlewareIssue[] = [];
  const current = ctx.tls ? 'https' : 'http';
  const targetPort = port && port !== DEFAULT_PORT[scheme] ? Number(port) : undefined;
  if (scheme === current && targetPort === undefined) return { issues }; // already there: Traefik does not redirect
  if (targetPort === undefined) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'port'), message: 'approximated: a non-default port written in the request Host is kept by Envoy, where Traefik drops it' });
  }
  return {
    route: {
      redirect: {
        redirect: { scheme_redirect: scheme, ...(targetPort !== undefined ? { port_redirect: targetPort } : {}) },
        permanent: mw.config.permanent === true,
      },
    },
    issues,
  };
};
