// Printing: Envoy resources in Envoy's JSON form as YAML or JSON, with secret key material redacted.
import { stringify } from 'yaml';
import type { EnvoyResources } from '../envoy/resources';
import type { Diagnostic } from '../model/diagnostics';

import { GENERATED_DEFAULT_CERTIFICATE } from '../translate/tls/https';

export const REDACTED = '[redacted]';

const BASIC_AUTH_TYPES = new Set([
  'type.googleapis.com/envoy.extensions.filters.http.basic_auth.v3.BasicAuth',
  'type.googleapis.com/envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute',
]);

/**
 * Credentials carried inline in listeners and routes: the htpasswd `users` of basic_auth filters (filter-level
 * configs in listeners, per-route configs in routes). A deep copy with their data sources replaced.
 */
function redactInlineCredentials<T>(v: T, depth = 0): T {
  if (depth > 64 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactInlineCredentials(x, depth + 1)) as unknown as T;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = redactInlineCredentials(x, depth + 1);
  if (typeof o['@type'] === 'string' && BASIC_AUTH_TYPES.has(o['@type']) && o.users && typeof o.users === 'object') {
    out.users = { inline_string: REDACTED };
  }
  return out as T;
}

/**
 * Replaces private keys (and any inline secret material) of SDS secrets, and inline credentials of listeners
 * and routes (basic_auth users). Certificates and CAs are public.
 */
export function redactSecrets(r: EnvoyResources): EnvoyResources {
  return {
    ...r,
    listeners: redactInlineCredentials(r.listeners),
    routes: redactInlineCredentials(r.routes),
    secrets: r.secrets.map((s) => {
      const copy = JSON.parse(JSON.stringify(s));
      if (copy.tls_certificate?.private_key) copy.tls_certificate.private_key = { inline_string: REDACTED };
      // Generated once per process: a placeholder keeps printed output deterministic.
      if (copy.name === GENERATED_DEFAULT_CERTIFICATE && copy.tls_certificate?.certificate_chain) {
        copy.tls_certificate.certificate_chain = { inline_string: '[generated at start: self-signed TRAEFIK DEFAULT CERT]' };
      }
      if (copy.tls_certificate?.password) copy.tls_certificate.password = { inline_string: REDACTED };
      if (copy.generic_secret?.secret) copy.generic_secret.secret = { inline_string: REDACTED };
      return copy;
    }),
  };
}

export function formatDocument(doc: unknown, format: 'yaml' | 'json'): string {
  if (format === 'json') return JSON.stringify(doc, null, 2) + '\n';
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function diagnosticsForOutput(ds: Diagnostic[]): Diagnostic[] {
  return ds.map((d) => {
    // Fixed key order: who, where, what.
    const o: Partial<Diagnostic> = { severity: d.severity, kind: d.kind };
    if (d.namespace) o.namespace = d.namespace;
    if (d.name) o.name = d.name;
    if (d.field) o.field = d.field;
    o.message = d.message;
    if (d.source) o.source = d.source;
    return o as Diagnostic;
  });
}
