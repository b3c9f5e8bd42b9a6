// IngressRouteUDP (UDP routers): spec schema, union of Traefik v2.11 and v3.7 fields.
import { Schema, arr, bool, int, intOrString, obj, str, strList } from './schema';

export const serviceUDPSchema: Schema = obj(
  {
    name: str('Kubernetes Service name.'),
    namespace: str('Kubernetes Service namespace.'),
    port: intOrString('Service port number or name.', { 'x-traefik-xds-port-ref': true }),
    weight: int('Weight in the route-level weighted round robin; default 1.', { minimum: 0 }),
    nativeLB: bool("Use the Service's cluster IP instead of the endpoints."),
    nodePortLB: bool('Use node IPs and the nodePort (NodePort Services).'),
  },
  'A Kubernetes Service a UDP route forwards to.',
  { required: ['name', 'port'] },
);

export const routeUDPSchema: Schema = obj({ services: arr(serviceUDPSchema, 'Services the route forwards to.') }, 'A UDP route (no rule: one per entry point).');

export const ingressRouteUDPSpecSchema: Schema = obj(
  {
    ingressClassName: str('Ingress class of this resource (v3.7+).'),
    entryPoints: strList('Entry points the routes listen on; empty = default entry points.'),
    routes: arr(routeUDPSchema, 'UDP routes.'),
  },
  'IngressRouteUDP specification.',
  { required: ['routes'] },
);
