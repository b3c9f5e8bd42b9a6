// Cross-resource checks a snapshot must pass before it is published: unique names, and every
// name one resource uses (RDS route configs, clusters, EDS assignments, SDS secrets) defined in
// the same snapshot. Envoy would otherwise warm forever, 503, or NACK.

import type { JsonObject } from './json';
import { EnvoyResources, RESOURCE_TYPE_NAMES, ResourceKind, resourceName } from './resources';
import { getField, walkMessages } from './walk';

export interface ConsistencyOptions {
  /** Clusters defined outside the snapshot (the bootstrap's static clusters, e.g. the xDS server). */
  externalClusters?: Iterable<string>;
  /** Secrets defined outside the snapshot (bootstrap static secrets). */
  externalSecrets?: Iterable<string>;
}

const SINGULAR: Record<ResourceKind, string> = {
  listeners: 'Listener',
  routes: 'RouteConfiguration',
  clusters: 'Cluster',
  endpoints: 'ClusterLoadAssignment',
  secrets: 'Secret',
};

type Ref = { kind: 'routes' | 'clusters' | 'secrets'; field: string };

/**
 * Where each message type names another resource, by field. Matched by message type anywhere in
 * a resource (Any-typed configs included), so a new filter using these messages is covered too.
 */
const REFERENCES: Record<string, Ref[]> = {
  'envoy.extensions.filters.network.http_connection_manager.v3.Rds': [{ kind: 'routes', field: 'route_config_name' }],
  'envoy.config.route.v3.RouteAction': [{ kind: 'clusters', field: 'cluster' }],
  'envoy.config.route.v3.WeightedCluster.ClusterWeight': [{ kind: 'clusters', field: 'name' }],
  'envoy.config.route.v3.RouteAction.RequestMirrorPolicy': [{ kind: 'clusters', field: 'cluster' }],
  'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy': [{ kind: 'clusters', field: 'cluster' }],
  'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight': [{ kind: 'clusters', field: 'name' }],
  'envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig': [{ kind: 'clusters', field: 'cluster' }],
  'envoy.extensions.filters.udp.udp_proxy.v3.Route': [{ kind: 'clusters', field: 'cluster' }],
  'envoy.config.core.v3.HttpUri': [{ kind: 'clusters', field: 'cluster' }], // ext_authz http_service, ...
  'envoy.config.core.v3.GrpcService.EnvoyGrpc': [{ kind: 'clusters', field: 'cluster_name' }], // ext_authz grpc_service, ...
  'envoy.extensions.clusters.aggregate.v3.ClusterConfig': [{ kind: 'clusters', field: 'clusters' }],
  'envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig': [{ kind: 'secrets', field: 'name' }],
};

/**
 * A ConfigSource names the management server (often a bootstrap cluster), not a snapshot
 * resource: do not look inside it.
 */
const OPAQUE = new Set(['envoy.config.core.v3.ConfigSource']);

const SDS_SECRET_CONFIG = 'envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig';

/**
 * An SDS secret fetched from another server than ours (`sds_config.api_config_source`, e.g. a SPIRE agent's
 * socket for SPIFFE SVIDs) is not a resource of the snapshot.
 */
function servedElsewhere(json: JsonObject): boolean {
  const source = getField(json, 'sds_config') as JsonObject | undefined;
  return !!source && getField(source, 'api_config_source') !== undefined;
}

const KIND_OF_REF: Record<Ref['kind'], ResourceKind> = { routes: 'routes', clusters: 'clusters', secrets: 'secrets' };

/** Every consistency problem of a resource set, as readable sentences with the field path. */
export function checkConsistency(r: EnvoyResources, opts: ConsistencyOptions = {}): string[] {
  return checkConsistencyWith(r, referencesOf, opts);
}

/** A name one resource uses: found at `field` (item `index` when a list) of the message at `path`. */
export interface FoundReference {
  kind: Ref['kind'];
  path: string;
  field: string;
  index?: number;
  name: string;
}

/** The names a resource uses (a pure function of its content: callers may cache it by content hash). */
export function referencesOf(kind: ResourceKind, res: object): FoundReference[] {
  if (kind === 'endpoints') return [];
  return referencesIn(RESOURCE_TYPE_NAMES[kind], res);
}

/** The names a message of any type uses, with paths relative to it. */
export function referencesIn(typeName: string, json: object): FoundReference[] {
  const out: FoundReference[] = [];
  walkMessages(typeName, json, (typeName, json, path) => {
    if (OPAQUE.has(typeName)) return false;
    if (typeName === SDS_SECRET_CONFIG && servedElsewhere(json)) return false;
    for (const ref of REFERENCES[typeName] ?? []) {
      const value = getField(json, ref.field);
      const add = (name: unknown, index?: number) => {
        if (typeof name === 'string' && name !== '') out.push({ kind: ref.kind, path, field: ref.field, index, name });
      };
      if (Array.isArray(value)) value.forEach((n, i) => add(n, i));
      else add(value);
    }
    return true;
  });
  return out;
}

/**
 * checkConsistency with the references of each resource given by `refs` (e.g. cached per unchanged resource),
 * called with the resource and its position in `r[kind]`.
 */
export function checkConsistencyWith(
  r: EnvoyResources,
  refs: (kind: ResourceKind, res: object, index: number) => FoundReference[],
  opts: ConsistencyOptions = {},
): string[] {
  const problems: string[] = [];
  const names = {} as Record<ResourceKind, Set<string>>;
  for (const kind of Object.keys(RESOURCE_TYPE_NAMES) as ResourceKind[]) {
    names[kind] = collectNames(kind, r[kind] ?? [], problems);
  }
  for (const c of opts.externalClusters ?? []) names.clusters.add(c);
  for (const s of opts.externalSecrets ?? []) names.secrets.add(s);

  for (const kind of ['listeners', 'routes', 'clusters', 'secrets'] as const) {
    for (const [i, res] of (r[kind] ?? []).entries()) {
      for (const ref of refs(kind, res, i)) {
        const target = KIND_OF_REF[ref.kind];
        if (names[target].has(ref.name)) continue;
        const at = join(join(label(kind, res, i), ref.path), ref.field);
        problems.push(`${ref.index === undefined ? at : `${at}[${ref.index}]`}: ${SINGULAR[target]} "${ref.name}" is not defined`);
      }
    }
  }

  for (const [i, c] of (r.clusters ?? []).entries()) {
    const cluster = c as JsonObject;
    const type = getField(cluster, 'type');
    if (type !== 'EDS' && type !== 3) continue;
    const eds = getField(cluster, 'eds_cluster_config') as JsonObject | undefined;
    const serviceName = (eds && (getField(eds, 'service_name') as string | undefined)) || resourceName('clusters', c);
    if (!names.endpoints.has(serviceName)) {
      problems.push(`${label('clusters', c, i)}: EDS cluster needs ClusterLoadAssignment "${serviceName}", which is not defined`);
    }
  }
  return problems;
}

function collectNames(kind: ResourceKind, list: object[], problems: string[]): Set<string> {
  const seen = new Set<string>();
  const reported = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const name = resourceName(kind, list[i]);
    if (!name) {
      problems.push(`${kind}[${i}]: ${SINGULAR[kind]} has no ${kind === 'endpoints' ? 'cluster_name' : 'name'}`);
      continue;
    }
    if (seen.has(name) && !reported.has(name)) {
      problems.push(`${kind}["${name}"]: duplicate ${SINGULAR[kind]} name "${name}"`);
      reported.add(name);
    }
    seen.add(name);
  }
  return seen;
}

function label(kind: ResourceKind, res: object, i: number): string {
  const name = resourceName(kind, res);
  return name ? `${kind}[${JSON.stringify(name)}]` : `${kind}[${i}]`;
}

function join(a: string, b: string): string {
  return !b ? a : b.startsWith('[') ? a + b : `${a}.${b}`;
}
