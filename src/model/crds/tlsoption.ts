// TLSOption (server-side TLS settings selected by SNI).
import { Schema, bool, deprecated, obj, str, strList } from './schema';

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
];

export const tlsOptionSpecSchema: Schema = obj(
  {
    minVersion: str('Minimum TLS version, e.g. VersionTLS12.'),
    maxVersion: str('Maximum TLS version.'),
    cipherSuites: strList('Allowed cipher suites for TLS ≤ 1.2 (Go names).'),
    curvePreferences: strList('Elliptic curves in preference order.'),
    clientAuth: obj(
      {
        secretNames: strList('Secrets holding the client CA certificates.'),
        clientAuthType: str('Client certificate policy.', { enum: CLIENT_AUTH_TYPES }),
      },
      'Client certificate authentication.',
    ),
    sniStrict: bool('Reject handshakes whose SNI matches no certificate.'),
    alpnProtocols: strList('ALPN protocols offered.'),
    disableSessionTickets: bool('Disable TLS session tickets (v3.4+).'),
    preferServerCipherSuites: deprecated(bool(), 'remove it; it has no effect (Go ignores it)'),
  },
  'TLSOption specification.',
);
