// What every xDS stream shares: the snapshot cache, the fleets, the client registry, logging and metrics.
import type * as grpc from '@grpc/grpc-js';
import type { Fleet } from '../config/types';
import type { ResourceKind } from '../envoy/resources';
import type { SnapshotCache } from './cache';
import type { ClientRegistry } from './clients';
import type { FleetKey } from './fleets';
import type { NodeInfo } from './wire';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface XdsMetrics {
  response(kind: ResourceKind): void;
  ack(kind: ResourceKind): void;
  nack(kind: ResourceKind): void;
  staleNonce(kind: ResourceKind): void;
}

export interface StreamContext {
  cache: SnapshotCache;
  registry: ClientRegistry;
  fleets: Fleet[];
  log: Logger;
  metrics?: XdsMetrics;
  /** Returns a reason to refuse the node (PERMISSION_DENIED), or undefined to accept it. */
  authorize?: (call: grpc.ServerDuplexStream<any, any>, node: NodeInfo, fleet: FleetKey) => string | undefined;
  nextStreamId(): number;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
