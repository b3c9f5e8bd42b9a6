// Printing: Envoy resources in Envoy's JSON form as YAML or JSON, with secret key material redacted.
import { stringify } from 'yaml';
import type { EnvoyResources } from '../envoy/resources';
import type { Diagnostic } from '../model/diagnostics';

export const REDACTED = '[redacted]';

/** Replaces private keys (and any inline secret material) of SDS secrets. Certificates and CAs are public. */
export function redactSecrets(r: EnvoyResources): EnvoyResources {
  return {
    ...r,
    secrets: r.secrets.map((s) => {
      const copy = JSON.parse(JSON.stringify(s));
      if (copy.tls_certificate?.private_key) copy.tls_certificate.private_key = { inline_string: REDACTED };
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
