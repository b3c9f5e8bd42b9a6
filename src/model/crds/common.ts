// Schema pieces shared by several Traefik kinds (the Service/LoadBalancerSpec block, references, TLS bits).
import { Schema, arr, bool, deprecated, duration, int, intOrString, looseDuration, obj, str, strList, strMap } from './schema';

export const ROUTE_PRIORITY_MAX = 9223372036854774807; // MaxInt64 - 1000; JS rounds it, precision is irrelevant here

export function refSchema(what: string): Schema {
  return obj(
    {
      name: str(`Name of the ${what}.`),
      namespace: str(`Namespace of the ${what}; defaults to the namespace of the referencing object.`),
    },
    `Reference to a ${what}.`,
    { required: ['name'] },
  );
}

export const middlewareRefSchema = refSchema('Middleware');

export const domainSchema: Schema = obj(
  {
    main: str('Main domain name.'),
    sans: strList('Subject alternative names.'),
  },
  'A domain for ACME certificate generation.',
);

export const cookieSchema: Schema = obj(
  {
    name: str('Cookie name; default is derived from the service name.'),
    secure: bool('Send the cookie over HTTPS only.'),
    httpOnly: bool('Hide the cookie from client-side scripts.'),
    sameSite: str('SameSite policy.', { enum: ['none', 'lax', 'strict', 'None', 'Lax', 'Strict'] }),
    maxAge: int('Seconds until the cookie expires; 0 = session cookie, negative = expire now.'),
    path: str('Cookie path; default "/".'),
    domain: str('Cookie domain.'),
  },
  'Sticky cookie configuration.',
);

export const stickySchema: Schema = obj({ cookie: cookieSchema }, 'Sticky sessions configuration.');

export const serverHealthCheckSchema: Schema = obj(
  {
    scheme: str('Scheme of the health check request.'),
    mode: str('Health check mode: http (default) or grpc.'),
    path: str('Path of the health check request.'),
    method: str('HTTP method of the health check request.'),
    status: int('Expected status code; default any 2xx/3xx.'),
    port: int('Port of the health check request.'),
    interval: looseDuration('Time between checks; default 30s.'),
    unhealthyInterval: looseDuration('Time between checks of an unhealthy server; default = interval.'),
    timeout: looseDuration('Check timeout; default 5s.'),
    hostname: str('Host header of the health check request.'),
    followRedirects: bool('Follow redirects; default true.'),
    headers: strMap('Extra headers sent with the health check request.'),
  },
  'Active health check (ExternalName services only).',
);

export const passiveHealthCheckSchema: Schema = obj(
  {
    failureWindow: looseDuration('Window in which failures are counted; default 10s.'),
    maxFailedAttempts: int('Failures in the window before the server is considered down; default 1.'),
  },
  'Passive health check based on request failures.',
);

/** Properties of the shared Service block; reused inline by mirroring and mirrors. */
export const loadBalancerProperties: Record<string, Schema> = {
  name: str('Name of the Kubernetes Service or TraefikService (`name@provider` allowed).'),
  kind: str('Kind of the referenced service.', { enum: ['Service', 'TraefikService'] }),
  namespace: str('Namespace of the referenced service.'),
  middlewares: arr(middlewareRefSchema, 'Service-level middlewares (Kubernetes Service kind only).'),
  sticky: stickySchema,
  port: intOrString('Service port number or port name (never the targetPort).', { 'x-traefik-xds-port-ref': true }),
  scheme: str('Scheme used to reach the servers: http, https or h2c; default from the port.'),
  strategy: str('Load-balancing strategy between servers.', {
    enum: ['wrr', 'p2c', 'hrw', 'leasttime', 'RoundRobin'],
    'x-traefik-xds-deprecated-values': { RoundRobin: 'use "wrr" (RoundRobin is its pre-v3 name)' },
  }),
  passHostHeader: bool('Forward the client Host header; default true.'),
  responseForwarding: obj(
    {
      flushInterval: str('Interval between response flushes; a bare number is seconds; default 100ms.', {
        'x-traefik-xds-duration': true,
      }),
    },
    'How the response is forwarded to the client.',
  ),
  serversTransport: str('Name of the ServersTransport to use (same namespace, or `name@provider`).'),
  weight: int('Weight when used as a child of a weighted/HRW service; default 1.', { minimum: 0 }),
  nativeLB: bool("Use the Service's cluster IP instead of the endpoints."),
  nodePortLB: bool('Use node IPs and the nodePort (NodePort Services).'),
  healthCheck: serverHealthCheckSchema,
  passiveHealthCheck: passiveHealthCheckSchema,
};

export const loadBalancerSchema: Schema = obj(loadBalancerProperties, 'A Kubernetes Service or TraefikService reference.', {
  required: ['name'],
});

/** ClientTLS of forwardAuth/redis: CA and client certificate taken from Secrets. */
export const clientTLSProperties: Record<string, Schema> = {
  caSecret: str('Secret holding the CA certificate (tls.ca or ca.crt).'),
  certSecret: str('Secret holding the client certificate (tls.crt, tls.key).'),
  insecureSkipVerify: bool('Skip server certificate verification.'),
};

export const rootCASchema: Schema = obj(
  {
    secret: str('Secret holding the CA certificate (tls.ca or ca.crt).'),
    configMap: str('ConfigMap holding the CA certificate (tls.ca or ca.crt).'),
  },
  'A CA certificate reference: a Secret or a ConfigMap, not both.',
  {
    'x-kubernetes-validations': [
      { rule: '!has(self.secret) || !has(self.configMap)', message: 'RootCA cannot have both Secret and ConfigMap defined.' },
    ],
  },
);

export const peerCertSANSchema: Schema = obj(
  {
    type: str('SAN type: DNSName or URI.'),
    value: str('SAN value.'),
  },
  'A Subject Alternative Name the peer certificate must carry.',
);

export const spiffeSchema: Schema = obj(
  {
    ids: strList('Allowed SPIFFE IDs (takes precedence over trustDomain).'),
    trustDomain: str('Allowed SPIFFE trust domain.'),
  },
  'SPIFFE mTLS to the servers.',
);

export const proxyProtocolSchema: Schema = obj(
  { version: int('PROXY protocol version.', { minimum: 1, maximum: 2 }) },
  'PROXY protocol sent to the servers.',
);

export const rootCAsSecretsDeprecated = (): Schema =>
  deprecated(strList('Secrets holding CA certificates.'), 'use rootCAs[].secret instead');

export const peerCertURIDeprecated = (): Schema =>
  deprecated(str('URI SAN the peer certificate must carry.'), 'use peerCertSANs with type URI instead');

export const syntaxDeprecatedMessage = 'rewrite the rule in the v3 syntax (the per-route syntax option is deprecated in Traefik v3)';

export { duration };
