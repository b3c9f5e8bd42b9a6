// Certificates of the default store → SDS Secrets (never inlined in listeners: rotation without drains).
import type { Secret } from '../../envoy/types';
import type { Model, TlsCertificate } from '../../model/model';
import { GENERATED_DEFAULT_CERTIFICATE } from './https';
import { clientCaSecretName } from './downstream-context';

export function buildCertificateSecret(c: TlsCertificate): Secret {
  return {
    name: c.name,
    tls_certificate: {
      certificate_chain: { inline_string: c.certPem },
      private_key: { inline_string: c.keyPem },
    },
  };
}

/** Traefik's self-signed default certificate (model/default-certificate.ts). */
export function generatedDefaultSecret(model: Model): Secret {
  const g = model.tls.generatedDefault();
  return {
    name: GENERATED_DEFAULT_CERTIFICATE,
    tls_certificate: { certificate_chain: { inline_string: g.certPem }, private_key: { inline_string: g.keyPem } },
  };
}

/** The client CA bundles of a TLS option, concatenated into one validation-context secret. */
export function clientCaSecret(model: Model, optionId: string): Secret {
  const opt = model.tls.options.get(optionId)!;
  const pem = opt.clientCAs.map((n) => model.tls.caBundles.get(n)?.pem ?? '').join('\n');
  return { name: clientCaSecretName(opt), validation_context: { trusted_ca: { inline_string: pem } } };
}
