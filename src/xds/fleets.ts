// Which fleet a node belongs to (first matching fleet of the static configuration, else the default fleet),
// and which translation profile it gets.
import { globMatch } from '../config/glob';
import type { Fleet } from '../config/types';
import type { NodeInfo } from './wire';
import type { Profile } from '../translate/options';

export interface FleetKey {
  fleet: string;
  profile: Profile;
  /** Entry points this fleet serves; empty = all. */
  entryPoints: string[];
  /** `fleet/profile`: the snapshot key. */
  key: string;
}

export const DEFAULT_FLEET = 'default';

/** gRPC libraries announce themselves in user_agent_name ("gRPC Node Pure JS", "gRPC Go", "grpc-java-netty"...). */
export function isGrpcClient(node: NodeInfo): boolean {
  return /grpc/i.test(node.userAgentName);
}

function metadataMatches(want: Record<string, string>, have: Record<string, unknown>): boolean {
  return Object.entries(want).every(([k, v]) => have[k] !== undefined && String(have[k]) === v);
}

export function fleetOf(node: NodeInfo, fleets: Fleet[]): FleetKey {
  const f = fleets.find((x) =>
    (x.match.nodeCluster === undefined || globMatch(x.match.nodeCluster, node.cluster)) &&
    (x.match.nodeId === undefined || globMatch(x.match.nodeId, node.id)) &&
    metadataMatches(x.match.metadata, node.metadata));
  const name = f?.name ?? DEFAULT_FLEET;
  const wanted = f?.profile ?? 'auto';
  const profile: Profile = wanted === 'auto' ? (isGrpcClient(node) ? 'grpc' : 'envoy') : wanted;
  return { fleet: name, profile, entryPoints: f?.entryPoints ?? [], key: `${name}/${profile}` };
}
