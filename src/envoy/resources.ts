// The set of Envoy resources one translation produces (and one xDS snapshot serves), in JSON form.

import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE,
  CLUSTER_TYPE,
  LISTENER_TYPE,
  ROUTE_CONFIGURATION_TYPE,
  SECRET_TYPE,
  XdsShortName,
} from './proto';
import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration, Secret } from './types';

export interface EnvoyResources {
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
  secrets: Secret[];
}

export type ResourceKind = keyof EnvoyResources;

/** In make-before-break push order: clusters (and their endpoints) before the listeners and routes using them. */
export const RESOURCE_KINDS: readonly ResourceKind[] = ['clusters', 'endpoints', 'secrets', 'listeners', 'routes'];

/** Envoy message type of each collection. */
export const RESOURCE_TYPE_NAMES: Readonly<Record<ResourceKind, string>> = {
  listeners: LISTENER_TYPE,
  routes: ROUTE_CONFIGURATION_TYPE,
  clusters: CLUSTER_TYPE,
  endpoints: CLUSTER_LOAD_ASSIGNMENT_TYPE,
  secrets: SECRET_TYPE,
};

/** xDS short name of each collection. */
export const RESOURCE_XDS_NAMES: Readonly<Record<ResourceKind, XdsShortName>> = {
  listeners: 'lds',
  routes: 'rds',
  clusters: 'cds',
  endpoints: 'eds',
  secrets: 'sds',
};

export function emptyResources(): EnvoyResources {
  return { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] };
}

/** The xDS resource name: `cluster_name` for a ClusterLoadAssignment, `name` for the others. */
export function resourceName(kind: ResourceKind, resource: object): string {
  const r = resource as { name?: unknown; cluster_name?: unknown; clusterName?: unknown };
  const n = kind === 'endpoints' ? (r.cluster_name ?? r.clusterName) : r.name;
  return typeof n === 'string' ? n : '';
}
