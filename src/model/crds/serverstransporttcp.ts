// ServersTransportTCP (TCP client settings towards the servers, traefik.io only, v3.0+).
import { peerCertSANSchema, peerCertURIDeprecated, proxyProtocolSchema, rootCASchema, rootCAsSecretsDeprecated, spiffeSchema } from './common';
import { Schema, arr, bool, duration, obj, str, strList } from './schema';

export const tlsClientConfigSchema: Schema = obj(
  {
    serverName: str('SNI and verification name.'),
    insecureSkipVerify: bool('Skip server certificate verification.'),
    rootCAs: arr(rootCASchema, 'CA certificates used to verify the servers.'),
    rootCAsSecrets: rootCAsSecretsDeprecated(),
    certificatesSecrets: strList('Secrets (tls.crt/tls.key) with client certificates.'),
    peerCertURI: peerCertURIDeprecated(),
    peerCertSANs: arr(peerCertSANSchema, 'SANs the server certificate must carry.'),
    spiffe: spiffeSchema,
  },
  'TLS towards the servers (used by services with tls: true).',
);

export const serversTransportTCPSpecSchema: Schema = obj(
  {
    dialTimeout: duration('Time to establish a connection; default 30s.'),
    dialKeepAlive: duration('TCP keep-alive interval; default 15s.'),
    proxyProtocol: proxyProtocolSchema,
    terminationDelay: duration('Delay before closing the write side after the other side closed; default 100ms.'),
    tls: tlsClientConfigSchema,
  },
  'ServersTransportTCP specification.',
);
