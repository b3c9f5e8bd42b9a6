// Small, valid Envoy resource sets for the xDS protocol tests, described by a compact "world":
// clusters (EDS, each with its ClusterLoadAssignment), route configurations pointing at clusters, and
// listeners whose HTTP connection manager takes its routes from RDS. Every knob changes the content (and
// so the version) of exactly one resource.
import type { EnvoyResources } from '../../../src/envoy/resources';
import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration } from '../../../src/envoy/types';
import { typed } from '../../../src/envoy/types';

export interface ClusterSpec {
  /** connect_timeout in seconds (changes the Cluster only). */
  timeout?: number;
  /** Endpoint address (changes the ClusterLoadAssignment only). */
  ip?: string;
}

export interface RouteSpec {
  cluster: string;
  prefix?: string;
}

export interface ListenerSpec {
  port: number;
  /** Route configuration name (RDS). */
  route: string;
}

export interface World {
  clusters?: Record<string, ClusterSpec>;
  routes?: Record<string, RouteSpec>;
  listeners?: Record<string, ListenerSpec>;
}

const ADS = { ads: {}, resource_api_version: 'V3' } as const;

export function cluster(name: string, s: ClusterSpec = {}): Cluster {
  return {
    name,
    type: 'EDS',
    connect_timeout: `${s.timeout ?? 5}s`,
    eds_cluster_config: { eds_config: ADS },
  } as Cluster;
}

export function loadAssignment(name: string, s: ClusterSpec = {}): ClusterLoadAssignment {
  return {
    cluster_name: name,
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: s.ip ?? '10.0.0.1', port_value: 8080 } } } }] }],
  } as ClusterLoadAssignment;
}

export function routeConfiguration(name: string, s: RouteSpec): RouteConfiguration {
  return {
    name,
    virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: s.prefix ?? '/' }, route: { cluster: s.cluster } }] }],
  } as RouteConfiguration;
}

export function listener(name: string, s: ListenerSpec): Listener {
  return {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: s.port } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: typed('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
              stat_prefix: name,
              rds: { route_config_name: s.route, config_source: ADS },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: typed('envoy.extensions.filters.http.router.v3.Router', {}) }],
            }),
          },
        ],
      },
    ],
  } as Listener;
}

export function world(w: World): EnvoyResources {
  const clusters = Object.entries(w.clusters ?? {});
  return {
    clusters: clusters.map(([n, s]) => cluster(n, s)),
    endpoints: clusters.map(([n, s]) => loadAssignment(n, s)),
    routes: Object.entries(w.routes ?? {}).map(([n, s]) => routeConfiguration(n, s)),
    listeners: Object.entries(w.listeners ?? {}).map(([n, s]) => listener(n, s)),
    secrets: [],
  };
}

/** The usual starting point: clusters a and b, route configuration web/http → a, listener web. */
export function baseWorld(): World {
  return {
    clusters: { a: {}, b: {} },
    routes: { 'web/http': { cluster: 'a' } },
    listeners: { web: { port: 8080, route: 'web/http' } },
  };
}
