// StripPrefix: the first listed prefix that is a plain string prefix of the path is removed, and the
// result gets a leading slash. X-Forwarded-Prefix carries the stripped prefix.
import { fieldOf, type MiddlewareTranslator } from './types';

export const translateStripPrefix: MiddlewareTranslator = (mw) => {
  const prefixes: string[] = (mw.config.prefixes ?? []).map((p: string) => p.trim()).filter((p: string) => p !== '');
  if (prefixes.length === 0) return { issues: [{ severity: 'error', field: fieldOf(mw, 'prefixes'), message: 'no prefix to strip' }] };
  const issues = [];
  if (mw.config.forceSlash !== undefined) issues.push({ severity: 'info' as const, field: fieldOf(mw, 'forceSlash'), message: 'forceSlash is deprecated and has no effect (as in Traefik v3)' });
  issues.push({
    severity: 'warning' as const,
    field: fieldOf(mw, 'prefixes'),
    message: 'approximated: X-Forwarded-Prefix is not set (Envoy cannot put the matched prefix in a header), and Envoy strips from the raw path where Traefik strips from the decoded one (differs only for percent-encoded prefixes)',
  });
  return { route: { path: { t: 'strip', prefixes } }, issues };
};
