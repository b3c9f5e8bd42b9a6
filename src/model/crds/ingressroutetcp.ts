// IngressRouteTCP (TCP routers): spec schema, union of Traefik v2.11 and v3.7 fields.
import { ROUTE_PRIORITY_MAX, domainSchema, proxyProtocolSchema, refSchema, syntaxDeprecatedMessage } from './common';
import { Schema, arr, bool, deprecated, int, intOrString, obj, str, strList } from './schema';

export const serviceTCPSchema: Schema = obj(
  {
    name: str('Kubernetes Service name.'),
    namespace: str('Kubernetes Service namespace.'),
    port: intOrString('Service port number or name.', { 'x-traefik-xds-port-ref': true }),
    weight: int('Weight in the route-level weighted round robin; default 1.', { minimum: 0 }),
    terminationDelay: deprecated(
      int('Milliseconds before closing the write side after the other side closed.'),
      'use terminationDelay on a ServersTransportTCP referenced by serversTransport instead',
    ),
    proxyProtocol: deprecated(proxyProtocolSchema, 'use proxyProtocol on a ServersTransportTCP referenced by serversTransport instead'),
    serversTransport: str('Name of the ServersTransportTCP to use.'),
    tls: bool('Dial the servers with TLS.'),
    nativeLB: bool("Use the Service's cluster IP instead of the endpoints."),
    nodePortLB: bool('Use node IPs and the nodePort (NodePort Services).'),
  },
  'A Kubernetes Service a TCP route forwards to.',
  { required: ['name', 'port'] },
);

export const routeTCPSchema: Schema = obj(
  {
    match: str('TCP router rule, e.g. HostSNI(`example.com`).'),
    priority: int('Router priority; 0 = length of the rule.', { maximum: ROUTE_PRIORITY_MAX }),
    syntax: deprecated(str('Rule syntax of this route.', { enum: ['v3', 'v2'] }), syntaxDeprecatedMessage),
    services: arr(serviceTCPSchema, 'Services the route forwards to.'),
    middlewares: arr(refSchema('MiddlewareTCP'), 'TCP middlewares applied in order.'),
  },
  'A TCP route.',
  { required: ['match'] },
);

export const tlsTCPSchema: Schema = obj(
  {
    secretName: str('Secret (tls.crt/tls.key) added to the default TLS store (ignored with passthrough).'),
    passthrough: bool('Forward the TLS stream without terminating it.'),
    options: refSchema('TLSOption'),
    store: refSchema('TLSStore'),
    certResolver: str('ACME certificate resolver.'),
    domains: arr(domainSchema, 'Domains for the certificate resolver.'),
  },
  'TLS for every route of this IngressRouteTCP.',
);

export const ingressRouteTCPSpecSchema: Schema = obj(
  {
    ingressClassName: str('Ingress class of this resource (v3.7+).'),
    entryPoints: strList('Entry points the routes listen on; empty = default entry points.'),
    routes: arr(routeTCPSchema, 'TCP routes.'),
    tls: tlsTCPSchema,
  },
  'IngressRouteTCP specification.',
  { required: ['routes'] },
);
