// Core Kubernetes objects (Service, EndpointSlice, Endpoints, Secret, ConfigMap, Node). Lenient schemas:
// only the fields traefik-xds reads are checked; real objects carry many more (status, managedFields, ...)
// and those are ignored. These schemas describe the whole object body, not a `spec`.
import { Schema, arr, bool, int, intOrString, obj, str, strList } from './schema';

function lenient(properties: Record<string, Schema>, description?: string, extra: Partial<Schema> = {}): Schema {
  return obj(properties, description, { 'x-kubernetes-preserve-unknown-fields': true, ...extra });
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

export const servicePortSchema: Schema = lenient(
  {
    name: str('Port name (referenced by IngressRoute services and matched against EndpointSlice ports).'),
    port: int('Service port.', { minimum: 1, maximum: 65535 }),
    targetPort: intOrString('Container port number or name.'),
    nodePort: int('Node port (NodePort/LoadBalancer Services).', { minimum: 0, maximum: 65535 }),
    protocol: str(undefined, { enum: PROTOCOLS }),
  },
  'A Service port.',
  { required: ['port'] },
);

export const serviceBodySchema: Schema = lenient({
  spec: lenient({
    type: str('Service type.', { enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] }),
    clusterIP: str('Cluster IP, or "None" for headless Services.'),
    clusterIPs: strList(),
    externalName: str('DNS name of an ExternalName Service.'),
    ports: arr(servicePortSchema),
  }),
});

export const endpointSliceBodySchema: Schema = lenient(
  {
    addressType: str('Address type of every endpoint.', { enum: ['IPv4', 'IPv6', 'FQDN'] }),
    endpoints: arr(
      lenient(
        {
          addresses: strList(),
          conditions: lenient({ ready: bool(), serving: bool(), terminating: bool() }),
          hostname: str(),
          nodeName: str(),
          zone: str(),
        },
        undefined,
        { required: ['addresses'] },
      ),
    ),
    ports: arr(
      lenient({
        name: str(),
        port: int(undefined, { minimum: 0, maximum: 65535 }),
        protocol: str(undefined, { enum: PROTOCOLS }),
      }),
    ),
  },
  undefined,
  { required: ['addressType'] },
);

const endpointAddressSchema: Schema = lenient({ ip: str(), hostname: str(), nodeName: str() }, undefined, { required: ['ip'] });

export const endpointsBodySchema: Schema = lenient({
  subsets: arr(
    lenient({
      addresses: arr(endpointAddressSchema),
      notReadyAddresses: arr(endpointAddressSchema),
      ports: arr(
        lenient(
          { name: str(), port: int(undefined, { minimum: 1, maximum: 65535 }), protocol: str(undefined, { enum: PROTOCOLS }) },
          undefined,
          { required: ['port'] },
        ),
      ),
    }),
  ),
});

export const secretBodySchema: Schema = lenient({
  type: str('Secret type, e.g. kubernetes.io/tls.'),
  data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: 'Base64-encoded values.' },
  stringData: { type: 'object', additionalProperties: { type: 'string' }, description: 'Plain-text values (merged over data).' },
});

export const configMapBodySchema: Schema = lenient({
  data: { type: 'object', additionalProperties: { type: 'string' } },
  binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
});

export const nodeBodySchema: Schema = lenient({
  status: lenient({
    addresses: arr(lenient({ type: str(), address: str() }, undefined, { required: ['type', 'address'] })),
  }),
});

/** The label linking an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function pick(body: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (body[k] !== undefined && body[k] !== null) out[k] = body[k];
  return out;
}

/** What each core kind exposes as `TypedObject.spec`. */
export const coreSpecOf: Record<string, (body: Record<string, unknown>) => unknown> = {
  Service: (b) => (b.spec ?? {}) as unknown,
  EndpointSlice: (b) => pick(b, ['addressType', 'endpoints', 'ports']),
  Endpoints: (b) => pick(b, ['subsets']),
  Secret: (b) => pick(b, ['type', 'data', 'stringData']),
  ConfigMap: (b) => pick(b, ['data', 'binaryData']),
  Node: (b) => pick(b, ['status']),
};
