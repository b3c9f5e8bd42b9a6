// TraefikService: weighted, mirroring, highestRandomWeight (v3.6), failover (v3.7).
import { loadBalancerProperties, loadBalancerSchema, stickySchema } from './common';
import { Schema, SchemaReport, arr, bool, int, int64, isPlainObject, obj, strList } from './schema';

export const weightedSchema: Schema = obj(
  { services: arr(loadBalancerSchema, 'Weighted children.'), sticky: stickySchema },
  'Weighted round robin over services.',
);

export const mirrorServiceSchema: Schema = obj(
  { ...loadBalancerProperties, percent: int('Percentage of requests mirrored.', { minimum: 0, maximum: 100 }) },
  'A mirror.',
  { required: ['name'] },
);

export const mirroringSchema: Schema = obj(
  {
    ...loadBalancerProperties,
    mirrorBody: bool('Mirror the request body; default true.'),
    maxBodySize: int64('Largest body mirrored; default -1 (unlimited).'),
    mirrors: arr(mirrorServiceSchema, 'Mirrors.'),
  },
  'Sends requests to the main service (inline fields) and copies to mirrors.',
  { required: ['name'] },
);

export const highestRandomWeightSchema: Schema = obj(
  { services: arr(loadBalancerSchema, 'Weighted children.') },
  'Rendezvous hashing over services by client IP (v3.6+).',
);

export const failoverSchema: Schema = obj(
  {
    service: loadBalancerSchema,
    fallback: loadBalancerSchema,
    errors: obj(
      {
        status: strList('Statuses of the main service that trigger the fallback.'),
        maxRequestBodyBytes: int64('Largest body replayed to the fallback; default -1 (unlimited).'),
      },
      'When to fail over besides health checks.',
    ),
  },
  'Main service with a fallback (v3.7+).',
  { required: ['service', 'fallback', 'errors'] },
);

export const TRAEFIK_SERVICE_TYPES = ['weighted', 'mirroring', 'highestRandomWeight', 'failover'];

export const traefikServiceSpecSchema: Schema = obj(
  {
    weighted: weightedSchema,
    mirroring: mirroringSchema,
    highestRandomWeight: highestRandomWeightSchema,
    failover: failoverSchema,
  },
  'TraefikService specification: one of weighted, mirroring, highestRandomWeight, failover.',
);

/** None set: Traefik skips the resource ("unspecified service type"). Several: the first wins, silently in Traefik. */
export function checkTraefikServiceSpec(spec: unknown, path: string, report: SchemaReport): void {
  if (!isPlainObject(spec)) return;
  const set = TRAEFIK_SERVICE_TYPES.filter((t) => spec[t] !== undefined && spec[t] !== null);
  if (set.length === 0) {
    report.error(path, `unspecified service type: set one of ${TRAEFIK_SERVICE_TYPES.join(', ')}`);
  } else if (set.length > 1) {
    report.warn(path, `several service types set (${set.join(', ')}): only ${set[0]} is used, the others are ignored`);
  }
}
