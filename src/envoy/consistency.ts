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

const KIND_OF_REF: Record<Ref['kind'], ResourceKind> = { routes: 'routes', clusters: 'clusters', secrets: 'secrets' };

/** Every consistency problem of a resource set, as readable sentences with the field path. */
export function checkConsistency(r: EnvoyResources, opts: ConsistencyOptions = {}): string[] {
  const problems: string[] = [];
  const names = {} as Record<ResourceKind, Set<string>>;
  for (const kind of Object.keys(RESOURCE_TYPE_NAMES) as ResourceKind[]) {
    names[kind] = collectNames(kind, r[kind] ?? [], problems);
  }
  for (const c of opts.externalClusters ?? []) names.clusters.add(c);
  for (const s of opts.externalSecrets ?? []) names.secrets.add(s);

  for (const kind of ['listeners', 'routes', 'clusters', 'secrets'] as const) {
    for (const [i, res] of (r[kind] ?? []).entries()) {
      const where = label(kind, res, i);
      walkMessages(RESOURCE_TYPE_NAMES[kind], res, (typeName, json, path) => {
        if (OPAQUE.has(typeName)) return false;
        for (const ref of REFERENCES[typeName] ?? []) checkRef(ref, json, join(where, path), names, problems);
        return true;
      });
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
  list.forEach((res, i) => {
    const name = resourceName(kind, res);
    if (!name) {
      problems.push(`${kind}[${i}]: ${SINGULAR[kind]} has no ${kind === 'endpoints' ? 'cluster_name' : 'name'}`);
      return;
    }
    if (seen.has(name) && !reported.has(name)) {
      problems.push(`${kind}["${name}"]: duplicate ${SINGULAR[kind]} name "${name}"`);
      reported.add(name);
    }
    seen.add(name);
  });
  return seen;
}

function checkRef(ref: Ref, json: JsonObject, where: string, names: Record<ResourceKind, Set<string>>, problems: string[]): void {
  const value = getField(json, ref.field);
  const kind = KIND_OF_REF[ref.kind];
  const check = (name: unknown, path: string) => {
    if (typeof name === 'string' && name !== '' && !names[kind].has(name)) {
      problems.push(`${path}: ${SINGULAR[kind]} "${name}" is not defined`);
    }
  };
  if (Array.isArray(value)) value.forEach((n, i) => check(n, `${join(where, ref.field)}[${i}]`));
  else check(value, join(where, ref.field));
}

function label(kind: ResourceKind, res: object, i: number): string {
  const name = resourceName(kind, res);
  return name ? `${kind}[${JSON.stringify(name)}]` : `${kind}[${i}]`;
}

function join(a: string, b: string): string {
  return !b ? a : b.startsWith('[') ? a + b : `${a}.${b}`;
}
