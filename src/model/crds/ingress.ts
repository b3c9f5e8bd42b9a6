// Kubernetes Ingress (networking.k8s.io/v1) and IngressClass: lenient schemas (only the fields traefik-xds
// reads are checked), typed shapes, and the conversion of the deprecated extensions/v1beta1 and
// networking.k8s.io/v1beta1 forms (manifests on disk) into v1 (traefik-ingress.md §7).
import { Schema, arr, int, obj, str, strList } from './schema';
import type { TypedObject } from './types';

function lenient(properties: Record<string, Schema>, description?: string, extra: Partial<Schema> = {}): Schema {
  return obj(properties, description, { 'x-kubernetes-preserve-unknown-fields': true, ...extra });
}

const serviceBackendSchema: Schema = lenient(
  {
    name: str('Service name (in the namespace of the Ingress).'),
    port: lenient({ number: int('Service port number.', { minimum: 1, maximum: 65535 }), name: str('Service port name.') }),
  },
  undefined,
  { required: ['name'] },
);

const backendSchema: Schema = lenient({
  service: serviceBackendSchema,
  resource: lenient({ apiGroup: str(), kind: str(), name: str() }),
});

export const ingressBodySchema: Schema = lenient({
  spec: lenient({
    ingressClassName: str('Name of the IngressClass.'),
    defaultBackend: backendSchema,
    tls: arr(lenient({ hosts: strList(), secretName: str() })),
    rules: arr(
      lenient({
        host: str('Host (exact, or a leading *. wildcard).'),
        http: lenient(
          {
            paths: arr(
              lenient(
                {
                  path: str(),
                  pathType: str(undefined, { enum: ['Exact', 'Prefix', 'ImplementationSpecific'] }),
                  backend: backendSchema,
                },
                undefined,
                { required: ['backend'] },
              ),
            ),
          },
          undefined,
          { required: ['paths'] },
        ),
      }),
    ),
  }),
});

export const ingressClassBodySchema: Schema = lenient({
  spec: lenient({ controller: str('Controller name; Traefik: traefik.io/ingress-controller.'), parameters: lenient({}) }),
});

export interface IngressServiceBackend {
  name: string;
  port?: { number?: number; name?: string };
}

export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: { apiGroup?: string; kind?: string; name?: string };
}

export interface IngressPath {
  path?: string;
  pathType?: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}

export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: { hosts?: string[]; secretName?: string }[];
  rules?: IngressRule[];
}

export interface IngressClassSpec {
  controller?: string;
}

export type IngressObj = TypedObject<'Ingress', IngressSpec>;
export type IngressClassObj = TypedObject<'IngressClass', IngressClassSpec>;

/** The controller name of Traefik's IngressClass objects. */
export const TRAEFIK_INGRESS_CONTROLLER = 'traefik.io/ingress-controller';

/** API versions of Ingress converted to networking.k8s.io/v1 (manifests only; Traefik v3 reads v1 alone). */
export const LEGACY_INGRESS_API_VERSIONS = ['extensions/v1beta1', 'networking.k8s.io/v1beta1'];

function legacyBackend(b: unknown): unknown {
  if (!b || typeof b !== 'object' || Array.isArray(b)) return b;
  const { serviceName, servicePort, resource, ...rest } = b as Record<string, unknown>;
  if (serviceName === undefined && servicePort === undefined) return { ...rest, ...(resource !== undefined ? { resource } : {}) };
  const port = typeof servicePort === 'number' ? { number: servicePort }
    : typeof servicePort === 'string' && /^[0-9]+$/.test(servicePort) ? { number: Number(servicePort) }
    : typeof servicePort === 'string' ? { name: servicePort } : undefined;
  return { service: { name: serviceName, ...(port ? { port } : {}) }, ...(resource !== undefined ? { resource } : {}) };
}

/**
 * v1beta1 → v1 body: `serviceName/servicePort` → `service.name/port.number|name`, `spec.backend` →
 * `defaultBackend`, missing `pathType` → `ImplementationSpecific`. Returns a new body.
 */
export function convertLegacyIngress(body: Record<string, unknown>): Record<string, unknown> {
  const spec = body.spec && typeof body.spec === 'object' && !Array.isArray(body.spec) ? { ...(body.spec as Record<string, unknown>) } : undefined;
  if (!spec) return { ...body };
  if (spec.backend !== undefined) {
    if (spec.defaultBackend === undefined) spec.defaultBackend = legacyBackend(spec.backend);
    delete spec.backend;
  }
  if (Array.isArray(spec.rules)) {
    spec.rules = spec.rules.map((r) => {
      if (!r || typeof r !== 'object' || Array.isArray(r)) return r;
      const rule = { ...(r as Record<string, unknown>) };
      const http = rule.http as Record<string, unknown> | undefined;
      if (http && typeof http === 'object' && Array.isArray(http.paths)) {
        rule.http = {
          ...http,
          paths: http.paths.map((p) => {
            if (!p || typeof p !== 'object' || Array.isArray(p)) return p;
            const path = { ...(p as Record<string, unknown>) };
            if (path.pathType === undefined || path.pathType === null) path.pathType = 'ImplementationSpecific';
            path.backend = legacyBackend(path.backend);
            return path;
          }),
        };
      }
      return rule;
    });
  }
  return { ...body, spec };
}
