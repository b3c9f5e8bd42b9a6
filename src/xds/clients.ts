// What each connected node was sent, acknowledged or rejected, per resource type: the data behind
// /api/clients, NACK reports and metrics.
import type { ResourceKind } from '../envoy/resources';
import type { NodeInfo } from './wire';
import type { FleetKey } from './fleets';

export interface TypeStatus {
  sentVersion?: string;
  sentNonce?: string;
  sentAt?: number;
  ackedVersion?: string;
  nack?: { version: string; nonce: string; message: string; resources: string[]; at: number };
  subscribed: string[] | '*';
}

export interface ClientStatus {
  streamId: number;
  node: NodeInfo;
  fleet: FleetKey;
  protocol: 'sotw' | 'delta';
  aggregated: boolean;
  connectedAt: number;
  types: Partial<Record<ResourceKind, TypeStatus>>;
}

export interface NackEvent {
  client: ClientStatus;
  kind: ResourceKind;
  version: string;
  message: string;
  /** Names of the resources in the rejected response. */
  resources: string[];
}

export class ClientRegistry {
  private readonly clients = new Map<number, ClientStatus>();
  private readonly nackListeners: ((e: NackEvent) => void)[] = [];
  private readonly changeListeners: (() => void)[] = [];

  add(c: ClientStatus): void {
    this.clients.set(c.streamId, c);
    this.changed();
  }

  remove(streamId: number): void {
    this.clients.delete(streamId);
    this.changed();
  }

  list(): ClientStatus[] {
    return [...this.clients.values()].sort((a, b) => a.streamId - b.streamId);
  }

  onNack(f: (e: NackEvent) => void): void {
    this.nackListeners.push(f);
  }

  onChange(f: () => void): void {
    this.changeListeners.push(f);
  }

  nack(e: NackEvent): void {
    for (const f of this.nackListeners) f(e);
    this.changed();
  }

  changed(): void {
    for (const f of this.changeListeners) f();
  }
}
