// BasicAuth: Envoy's basic_auth filter. It checks only {SHA} (unsalted SHA-1) htpasswd entries; users whose
// hash it cannot check (bcrypt, MD5 apr1, crypt, plain) are left out, each reported: they cannot log in,
// which fails closed. No usable user at all refuses the route.
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const BASIC_AUTH = 'type.googleapis.com/envoy.extensions.filters.http.basic_auth.v3.BasicAuth';

function hashKind(hash: string): string {
  if (hash.startsWith('{SHA}')) return 'sha';
  if (/^\$2[abxy]?\$/.test(hash)) return 'bcrypt';
  if (hash.startsWith('$apr1$')) return 'MD5 (apr1)';
  if (hash.startsWith('$1$')) return 'MD5-crypt';
  if (/^\$[56]\$/.test(hash)) return 'SHA-crypt';
  return 'crypt or plain text';
}

export const translateBasicAuth: MiddlewareTranslator = (mw) => {
  const issues: MiddlewareIssue[] = [];
  // Traefik loads the users into a map: a user listed twice keeps its last entry.
  const users = new Map<string, string>();
  (mw.data.users ?? []).forEach((line, i) => {
    const colon = line.indexOf(':');
    const user = colon > 0 ? line.slice(0, colon) : '';
    const hash = colon > 0 ? line.slice(colon + 1) : '';
    if (!user) {
      issues.push({ severity: 'error', field: fieldOf(mw, 'secret'), message: `line ${i + 1} of the users secret is not "user:hash"`, keepsRoute: true });
      return;
    }
    if (users.has(user)) {
      issues.push({ severity: 'warning', field: fieldOf(mw, 'secret'), message: `user "${user}" appears more than once; its last entry is used, as in Traefik (Envoy rejects duplicates)` });
      users.delete(user);
    }
    users.set(user, hash);
  });
  const accepted: string[] = [];
  for (const [user, hash] of users) {
    const kind = hashKind(hash);
    if (kind !== 'sha') {
      issues.push({ severity: 'error', field: fieldOf(mw, 'secret'), message: `user "${user}": its ${kind} password hash cannot be checked by Envoy (only {SHA} entries), so this user cannot log in; re-hash it with htpasswd -s`, keepsRoute: true });
      continue;
    }
    accepted.push(`${user}:${hash}`);
  }
  if (accepted.length === 0) {
    issues.push({ severity: 'error', field: fieldOf(mw, 'secret'), message: 'no user Envoy can check: the route is left out rather than served without authentication' });
    return { issues };
  }
  issues.push({ severity: 'warning', field: fieldOf(mw, 'realm'), message: `approximated: Envoy answers 401 with its own WWW-Authenticate realm, not "${mw.config.realm ?? 'traefik'}"` });
  const cfg: Record<string, unknown> = { '@type': BASIC_AUTH, users: { inline_string: accepted.join('\n') } };
  if (mw.config.headerField) cfg.forward_username_header = mw.config.headerField;
  return {
    filter: { kind: 'basic_auth', typedConfig: cfg as { '@type': string } },
    route: mw.config.removeHeader ? { requestHeadersToRemove: ['authorization'] } : undefined,
    issues,
  };
};
