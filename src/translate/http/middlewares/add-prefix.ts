// AddPrefix: path = prefix + path (composed with the other path middlewares of the route).
import { fieldOf, type MiddlewareTranslator } from './types';

export const translateAddPrefix: MiddlewareTranslator = (mw) => {
  const prefix: string = mw.config.prefix ?? '';
  if (!prefix) return { issues: [{ severity: 'error', field: fieldOf(mw, 'prefix'), message: 'prefix is empty (Traefik refuses this middleware)' }] };
  if (!prefix.startsWith('/')) return { issues: [{ severity: 'error', field: fieldOf(mw, 'prefix'), message: 'prefix must start with "/"' }] };
  return { route: { path: { t: 'add', prefix } }, issues: [] };
};
