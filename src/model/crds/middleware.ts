// Middleware (HTTP): spec schema with every middleware type of Traefik v2.11 and v3.7, and the one-type rule.
import { clientTLSProperties, loadBalancerSchema, middlewareRefSchema } from './common';
import {
  Schema,
  SchemaReport,
  arr,
  bool,
  deprecated,
  duration,
  int,
  int64,
  isPlainObject,
  looseDuration,
  obj,
  str,
  strList,
  strMap,
} from './schema';

const STATUS_RANGE = '^([1-5][0-9]{2}[,-]?)+$';

export const ipStrategySchema: Schema = obj(
  {
    depth: int('Use the X-Forwarded-For entry at this depth from the right.', { minimum: 0 }),
    excludedIPs: strList('IPs skipped when scanning X-Forwarded-For from the right.'),
    ipv6Subnet: int('Group IPv6 clients by this prefix length (v3.2+).'),
  },
  'How the client IP is chosen.',
);

export const sourceCriterionSchema: Schema = obj(
  {
    ipStrategy: ipStrategySchema,
    requestHeaderName: str('Group requests by the value of this header.'),
    requestHost: bool('Group requests by Host.'),
  },
  'How requests are grouped into sources.',
);

const ipWhiteListProperties: Record<string, Schema> = {
  sourceRange: strList('Allowed IPs or CIDR ranges.'),
  ipStrategy: ipStrategySchema,
};

const authProperties = (what: string): Record<string, Schema> => ({
  secret: str(`Secret holding the ${what} users.`),
  realm: str('Authentication realm; default "traefik".'),
  removeHeader: bool('Remove the Authorization header before forwarding.'),
  headerField: str('Header that receives the authenticated user name.'),
});

const tlsInfoDN = (withOU: boolean): Schema =>
  obj({
    country: bool(),
    province: bool(),
    locality: bool(),
    organization: bool(),
    ...(withOU ? { organizationalUnit: bool() } : {}),
    commonName: bool(),
    serialNumber: bool(),
    domainComponent: bool(),
  });

/** Every middleware type, in Traefik's field order. */
export const middlewareTypeSchemas: Record<string, Schema> = {
  addPrefix: obj(
    {
      prefix: str('Prefix added to the path; must start with "/".', {
        'x-kubernetes-validations': [{ rule: "self.startsWith('/')", message: "must start with a '/'" }],
      }),
    },
    'Adds a path prefix.',
  ),
  stripPrefix: obj(
    {
      prefixes: strList('Prefixes to strip (first match wins).'),
      forceSlash: deprecated(bool('Legacy slash handling.'), 'remove it; it has no replacement'),
    },
    'Removes a path prefix.',
  ),
  stripPrefixRegex: obj({ regex: strList('Regexes matching the prefix to strip.') }, 'Removes a path prefix matched by a regex.'),
  replacePath: obj({ path: str('New path.') }, 'Replaces the path.'),
  replacePathRegex: obj(
    { regex: str('Regex matched against the path.'), replacement: str('Replacement ($1 references).') },
    'Rewrites the path with a regex.',
  ),
  chain: obj({ middlewares: arr(middlewareRefSchema, 'Middlewares of the chain, in order.') }, 'Groups middlewares.'),
  ipWhiteList: deprecated(obj(ipWhiteListProperties, 'Restricts client IPs.'), 'use ipAllowList instead'),
  ipAllowList: obj(
    { ...ipWhiteListProperties, rejectStatusCode: int('Status returned to rejected clients; default 403.') },
    'Restricts client IPs.',
  ),
  headers: obj(
    {
      customRequestHeaders: strMap('Headers set on the request ("" removes).'),
      customResponseHeaders: strMap('Headers set on the response ("" removes).'),
      accessControlAllowCredentials: bool(),
      accessControlAllowHeaders: strList(),
      accessControlAllowMethods: strList(),
      accessControlAllowOriginList: strList(),
      accessControlAllowOriginListRegex: strList(),
      accessControlExposeHeaders: strList(),
      accessControlMaxAge: int64(),
      addVaryHeader: bool(),
      allowedHosts: strList(),
      hostsProxyHeaders: strList(),
      sslProxyHeaders: strMap(),
      stsSeconds: int64(undefined, { minimum: 0 }),
      stsIncludeSubdomains: bool(),
      stsPreload: bool(),
      forceSTSHeader: bool(),
      frameDeny: bool(),
      customFrameOptionsValue: str(),
      contentTypeNosniff: bool(),
      browserXssFilter: bool(),
      customBrowserXSSValue: str(),
      contentSecurityPolicy: str(),
      contentSecurityPolicyReportOnly: str(),
      publicKey: str(),
      referrerPolicy: str(),
      permissionsPolicy: str(),
      isDevelopment: bool(),
      featurePolicy: deprecated(str(), 'use permissionsPolicy instead'),
      sslRedirect: deprecated(bool(), 'ignored by Traefik v3; use a redirectScheme middleware or entry point redirection instead'),
      sslTemporaryRedirect: deprecated(bool(), 'ignored by Traefik v3; use a redirectScheme middleware (permanent: false) or entry point redirection instead'),
      sslHost: deprecated(str(), 'ignored by Traefik v3; use a redirectRegex middleware instead'),
      sslForceHost: deprecated(bool(), 'ignored by Traefik v3; use a redirectRegex middleware instead'),
    },
    'Custom, CORS and security headers.',
  ),
  encodedCharacters: obj(
    {
      allowEncodedSlash: bool(),
      allowEncodedBackSlash: bool(),
      allowEncodedNullCharacter: bool(),
      allowEncodedSemicolon: bool(),
      allowEncodedPercent: bool(),
      allowEncodedQuestionMark: bool(),
      allowEncodedHash: bool(),
    },
    'Which percent-encoded characters are allowed in the path (v3.7+).',
  ),
  errors: obj(
    {
      status: strList('Status codes or ranges ("500", "500-599") that trigger the error page.', { items: { type: 'string', pattern: STATUS_RANGE } }),
      statusRewrites: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Status range → status returned.' },
      service: loadBalancerSchema,
      query: str('Path and query of the error page ({status}, {originalStatus}, {url}).'),
      errorRequestHeaders: strList('Request headers forwarded to the error service; unset = all.'),
    },
    'Serves an error page from another service.',
  ),
  rateLimit: obj(
    {
      average: int64('Allowed requests per period; 0 = unlimited.', { minimum: 0 }),
      period: looseDuration('Period of the rate; default 1s.'),
      burst: int64('Maximum burst; default 1.', { minimum: 0 }),
      sourceCriterion: sourceCriterionSchema,
      redis: obj(
        {
          endpoints: strList('Redis endpoints; default localhost:6379.'),
          tls: obj(clientTLSProperties, 'TLS to Redis.'),
          secret: str('Secret holding username and password.'),
          db: int(),
          poolSize: int(),
          minIdleConns: int(),
          maxActiveConns: int(),
          readTimeout: duration('Default 3s.'),
          writeTimeout: duration('Default 3s.'),
          dialTimeout: duration('Default 5s.'),
        },
        'Share the rate limit through Redis (v3.4+).',
      ),
    },
    'Limits the request rate.',
  ),
  redirectRegex: obj(
    { regex: str('Regex matched against the full URL.'), replacement: str('Redirect target.'), permanent: bool('Use permanent status codes.') },
    'Redirects with a regex.',
  ),
  redirectScheme: obj(
    { scheme: str('Target scheme.'), port: str('Target port.'), permanent: bool('Use permanent status codes.') },
    'Redirects to another scheme.',
  ),
  basicAuth: obj(authProperties('htpasswd'), 'Basic authentication.'),
  digestAuth: obj(authProperties('digest'), 'Digest authentication.'),
  forwardAuth: obj(
    {
      address: str('URL of the authentication server.'),
      // Still the knob to set in v3 (Traefik warns when it is unset), so no deprecation warning despite its doc comment.
      trustForwardHeader: bool('Trust X-Forwarded-* headers of the incoming request.'),
      authResponseHeaders: strList('Headers copied from the auth response to the request.'),
      authResponseHeadersRegex: str('Regex of headers copied from the auth response.'),
      authRequestHeaders: strList('Request headers sent to the auth server; empty = all.'),
      tls: obj(
        {
          ...clientTLSProperties,
          caOptional: deprecated(bool(), 'remove it; client authentication is a server-side option'),
        },
        'TLS to the auth server.',
      ),
      maxResponseBodySize: int64('Maximum auth response body size; default -1 (unlimited).'),
      addAuthCookiesToResponse: strList('Cookies of the auth response added to the response.'),
      headerField: str('Header that receives the authenticated user.'),
      forwardBody: bool('Send the request body to the auth server.'),
      maxBodySize: int64('Maximum forwarded body size; default -1 (unlimited).'),
      preserveLocationHeader: bool('Keep relative Location headers of the auth response.'),
      preserveRequestMethod: bool('Use the original method instead of GET.'),
      authSigninURL: str('Redirect target on 401 (v3.7+).'),
    },
    'Delegates authentication to an external service.',
  ),
  inFlightReq: obj(
    { amount: int64('Maximum simultaneous requests per source.', { minimum: 0 }), sourceCriterion: sourceCriterionSchema },
    'Limits simultaneous requests.',
  ),
  buffering: obj(
    {
      maxRequestBodyBytes: int64('Maximum request body size; 0 = unlimited.'),
      memRequestBodyBytes: int64('Request body size kept in memory.'),
      maxResponseBodyBytes: int64('Maximum response body size; 0 = unlimited.'),
      memResponseBodyBytes: int64('Response body size kept in memory.'),
      retryExpression: str('Retry condition, e.g. IsNetworkError() && Attempts() < 2.'),
    },
    'Buffers requests and responses.',
  ),
  circuitBreaker: obj(
    {
      expression: str('Trip condition, e.g. NetworkErrorRatio() > 0.5.'),
      checkPeriod: duration('Interval between checks; default 100ms.'),
      fallbackDuration: looseDuration('Time in the tripped state; default 10s.'),
      recoveryDuration: duration('Time in the recovering state; default 10s.'),
      responseCode: int('Status returned while tripped; default 503.', { minimum: 100, maximum: 599 }),
    },
    'Stops forwarding to failing services.',
  ),
  compress: obj(
    {
      excludedContentTypes: strList('Content types not compressed.'),
      includedContentTypes: strList('Only these content types are compressed.'),
      minResponseBodyBytes: int('Minimum body size to compress; default 1024.', { minimum: 0 }),
      encodings: strList('Encodings in preference order; default gzip, br, zstd.'),
      defaultEncoding: str('Encoding used when Accept-Encoding is absent or *.'),
    },
    'Compresses responses.',
  ),
  passTLSClientCert: obj(
    {
      pem: bool('Pass the client certificate as PEM.'),
      info: obj(
        {
          notAfter: bool(),
          notBefore: bool(),
          sans: bool(),
          serialNumber: bool(),
          subject: tlsInfoDN(true),
          issuer: tlsInfoDN(false),
        },
        'Certificate fields passed in X-Forwarded-Tls-Client-Cert-Info.',
      ),
    },
    'Passes the client certificate to the servers.',
  ),
  retry: obj(
    {
      attempts: int('Total number of tries.', { minimum: 0 }),
      initialInterval: duration('First backoff interval.'),
      timeout: duration('Stop retrying after this time (v3.7+).'),
      maxRequestBodyBytes: int64('Largest body that is retried (v3.7+).', { minimum: -1 }),
      status: strList('Statuses that trigger a retry (v3.7+).', { items: { type: 'string', pattern: STATUS_RANGE } }),
      disableRetryOnNetworkError: bool('Do not retry network errors (v3.7+).'),
      retryNonIdempotentMethod: bool('Also retry POST/PATCH/LOCK on status (v3.7+).'),
    },
    'Retries failed requests.',
  ),
  contentType: obj(
    {
      autoDetect: deprecated(bool(), 'remove it; the presence of the contentType middleware enables detection'),
    },
    'Enables Content-Type detection.',
  ),
  grpcWeb: obj({ allowOrigins: strList('Allowed origins; "*" allows all.') }, 'Translates gRPC-Web to gRPC (v3.0+).'),
  plugin: {
    type: 'object',
    description: 'Plugin name → plugin configuration.',
    additionalProperties: { 'x-kubernetes-preserve-unknown-fields': true },
  },
};

export const MIDDLEWARE_TYPES = Object.keys(middlewareTypeSchemas);

export const middlewareSpecSchema: Schema = obj(middlewareTypeSchemas, 'Middleware specification: exactly one middleware type.');

/** Traefik rejects a middleware with no type or several types ("multi-types middleware not supported"). */
export function checkMiddlewareSpec(spec: unknown, path: string, report: SchemaReport): void {
  checkExactlyOne(spec, MIDDLEWARE_TYPES, path, report, 'middleware');
}

export function checkExactlyOne(spec: unknown, types: string[], path: string, report: SchemaReport, what: string): void {
  if (!isPlainObject(spec)) return;
  const set = types.filter((t) => spec[t] !== undefined && spec[t] !== null);
  if (set.length === 0) {
    report.error(path, `no ${what} type set: set exactly one of ${types.join(', ')}`);
  } else if (set.length > 1) {
    report.error(path, `several ${what} types set (${set.join(', ')}): Traefik rejects multi-type ${what}s; use one object per type`);
  }
}
