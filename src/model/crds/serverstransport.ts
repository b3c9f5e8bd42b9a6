// ServersTransport (HTTP client settings towards the servers).
import { peerCertSANSchema, peerCertURIDeprecated, rootCASchema, rootCAsSecretsDeprecated, spiffeSchema } from './common';
import { Schema, arr, bool, duration, int, obj, str, strList } from './schema';

export const forwardingTimeoutsSchema: Schema = obj(
  {
    dialTimeout: duration('Time to establish a connection; default 30s.'),
    responseHeaderTimeout: duration('Time to wait for response headers; default 0 (none).'),
    idleConnTimeout: duration('Idle keep-alive connection lifetime; default 90s.'),
    readIdleTimeout: duration('HTTP/2 ping after this idle time; default 0 (off).'),
    pingTimeout: duration('HTTP/2 ping timeout; default 15s.'),
  },
  'Timeouts towards the servers.',
);

export const serversTransportSpecSchema: Schema = obj(
  {
    serverName: str('SNI and verification name.'),
    insecureSkipVerify: bool('Skip server certificate verification.'),
    rootCAs: arr(rootCASchema, 'CA certificates used to verify the servers.'),
    rootCAsSecrets: rootCAsSecretsDeprecated(),
    certificatesSecrets: strList('Secrets (tls.crt/tls.key) with client certificates.'),
    cipherSuites: strList('Allowed cipher suites (Go names).'),
    minVersion: str('Minimum TLS version, e.g. VersionTLS12.'),
    maxVersion: str('Maximum TLS version.'),
    maxIdleConnsPerHost: int('Idle connections kept per host; -1 disables reuse.', { minimum: -1 }),
    forwardingTimeouts: forwardingTimeoutsSchema,
    disableHTTP2: bool('Never use HTTP/2 towards the servers.'),
    peerCertURI: peerCertURIDeprecated(),
    peerCertSANs: arr(peerCertSANSchema, 'SANs the server certificate must carry.'),
    spiffe: spiffeSchema,
  },
  'ServersTransport specification.',
);
