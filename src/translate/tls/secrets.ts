// Certificates of the default store → SDS Secrets (never inlined in listeners: rotation without drains).
import type { Secret } from '../../envoy/types';
import type { TlsCertificate } from '../../model/model';

export function buildCertificateSecret(c: TlsCertificate): Secret {
  return {
    name: c.name,
    tls_certificate: {
      certificate_chain: { inline_string: c.certPem },
      private_key: { inline_string: c.keyPem },
    },
  };
}
