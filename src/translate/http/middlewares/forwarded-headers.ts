// Traefik's forwardedheaders.XHeadersSet (pkg/middlewares/forwardedheaders): the X-* headers its entry point
// deletes from requests of peers it does not trust (forwardedHeaders.insecure / trustedIPs), before any
// middleware runs; it then sets X-Forwarded-Proto, -Host, -Port, -Server and X-Real-Ip itself.
export const X_HEADERS = [
  'x-forwarded-proto', 'x-forwarded-scheme', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-server',
  'x-forwarded-uri', 'x-forwarded-method', 'x-forwarded-prefix', 'x-forwarded-tls-client-cert', 'x-forwarded-tls-client-cert-info',
  'x-scheme', 'x-real-ip',
];
