// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: the holder renews
// the lease every retry period; another candidate takes it over only when it has not seen the lease record
// change for a whole lease duration (its own clock, so clock skew between nodes does not matter); writes use the
// Lease's resourceVersion, so two candidates never both win. Every replica serves xDS; only the leader writes
// to the API (Kubernetes Events, Ingress status).
import * as os from 'node:os';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { forbiddenMessage, statusMessage, SERVICE_ACCOUNT_DIR, type KubeClient } from './kubernetes-client';
import type { Logger } from '../xds/stream-context';

export interface LeaderElectionOptions {
  client: KubeClient;
  log: Logger;
  namespace: string;
  name: string;
  /** This replica's identity (the pod name in a cluster). */
  identity: string;
  /** Default 15 s. */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down. Default 10 s. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; [k: string]: unknown };
  spec: LeaseSpec;
}

/** RFC 3339 with microseconds, the MicroTime format of Lease times. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** `<hostname>_<random>` unless POD_NAME is set: unique per process, readable in `kubectl get lease -o yaml`. */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_NAME || `${os.hostname()}_${crypto.randomBytes(4).toString('hex')}`;
}

export class LeaderElector {
  private leader = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private observed?: { record: string; at: number };
  private lastRenew = 0;
  private readonly listeners: ((leader: boolean) => void)[] = [];
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private lastProblem?: string;
  private running?: Promise<void>;

  constructor(private readonly o: LeaderElectionOptions) {
    this.leaseMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryMs = o.retryPeriodMs ?? 2_000;
  }

  get identity(): string {
    return this.o.identity;
  }

  isLeader(): boolean {
    return this.leader;
  }

  onChange(f: (leader: boolean) => void): void {
    this.listeners.push(f);
  }

  start(): void {
    this.stopped = false;
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.attempt().catch((e) => this.problem(`lease ${this.o.namespace}/${this.o.name}: ${(e as Error).message}`));
    void this.running.then(() => {
      if (this.stopped) return;
      if (this.leader && Date.now() - this.lastRenew > this.renewDeadlineMs) this.setLeader(false);
      this.timer = setTimeout(() => this.tick(), this.retryMs);
    });
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases`;
  }

  private problem(msg: string, forbidden?: { verb: string }): void {
    const text = forbidden ? forbiddenMessage(forbidden.verb, { group: 'coordination.k8s.io', resource: 'leases', namespace: this.o.namespace }) : msg;
    if (text !== this.lastProblem) this.o.log.warn(`leader election: ${text}`);
    this.lastProblem = text;
  }

  /** One round: create, renew or take over the lease when allowed. */
  private async attempt(): Promise<void> {
    const now = Date.now();
    const spec = (old?: LeaseSpec): LeaseSpec => ({
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.leaseMs / 1000)),
      acquireTime: old && old.holderIdentity === this.o.identity && old.acquireTime ? old.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (old?.leaseTransitions ?? 0) + (old && old.holderIdentity !== this.o.identity ? 1 : 0),
    });
    const got = await this.o.client.request('GET', `${this.path}/${this.o.name}`);
    if (got.statusCode === 404) {
      const body: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.name, namespace: this.o.namespace }, spec: { ...spec(), leaseTransitions: 0 } };
      const res = await this.o.client.request('POST', this.path, { body });
      if (res.statusCode === 201 || res.statusCode === 200) return this.won(res.body as Lease, now);
      if (res.statusCode === 403) return this.problem('', { verb: 'create' });
      if (res.statusCode !== 409) this.problem(`cannot create lease ${this.o.namespace}/${this.o.name}: ${statusMessage(res)}`);
      return;
    }
    if (got.statusCode === 403) return this.problem('', { verb: 'get' });
    if (got.statusCode !== 200) return this.problem(`cannot read lease ${this.o.namespace}/${this.o.name}: ${statusMessage(got)}`);
    const lease = got.body as Lease;
    const record = JSON.stringify(lease.spec ?? {});
    if (!this.observed || this.observed.record !== record) this.observed = { record, at: now };
    const holder = lease.spec?.holderIdentity ?? '';
    const duration = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    if (holder && holder !== this.o.identity && this.observed.at + duration > now) {
      if (this.leader) this.setLeader(false);
      return; // held by someone else, and alive as far as we can tell
    }
    const body: Lease = { ...lease, spec: spec(lease.spec) };
    const res = await this.o.client.request('PUT', `${this.path}/${this.o.name}`, { body });
    if (res.statusCode === 200) return this.won(res.body as Lease, now);
    if (res.statusCode === 403) return this.problem('', { verb: 'update' });
    if (res.statusCode === 409) return; // someone else wrote first
    this.problem(`cannot update lease ${this.o.namespace}/${this.o.name}: ${statusMessage(res)}`);
  }

  private won(lease: Lease, at: number): void {
    this.lastRenew = at;
    this.lastProblem = undefined;
    this.observed = { record: JSON.stringify(lease?.spec ?? {}), at };
    if (!this.leader) this.setLeader(true);
  }

  private setLeader(v: boolean): void {
    if (this.leader === v) return;
    this.leader = v;
    this.o.log.info(v ? 'leader election: this replica is the leader (it writes Kubernetes Events and Ingress status)' : 'leader election: this replica is not the leader any more',
      { lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity });
    for (const f of this.listeners) f(v);
  }

  /** Stops; a leader releases the lease (holder cleared) so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (!this.leader) return;
    this.setLeader(false);
    try {
      const got = await this.o.client.request('GET', `${this.path}/${this.o.name}`);
      if (got.statusCode !== 200 || got.body?.spec?.holderIdentity !== this.o.identity) return;
      const lease = got.body as Lease;
      await this.o.client.request('PUT', `${this.path}/${this.o.name}`, {
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(Date.now()) } },
      });
    } catch {
      /* the lease expires by itself */
    }
  }
}

export interface LeaderElectionSetup {
  client: KubeClient;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** The namespace of the Lease (default: POD_NAMESPACE, the service account's, else `default`). */
  namespace?: string;
  /** Default: TRAEFIK_XDS_LEASE_NAME, else `traefik-xds-events` (the name k8s/rbac.yaml grants). */
  leaseName?: string;
  identity?: string;
  timing?: Partial<Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>>;
}

/** A started LeaderElector on the replica set's Lease, named and placed from the environment. */
export function startLeaderElection(o: LeaderElectionSetup): LeaderElector {
  const env = o.env ?? process.env;
  let namespace = o.namespace ?? env.POD_NAMESPACE;
  if (!namespace) {
    try {
      namespace = fs.readFileSync(path.join(SERVICE_ACCOUNT_DIR, 'namespace'), 'utf8').trim() || undefined;
    } catch {
      /* not in a cluster */
    }
  }
  const leader = new LeaderElector({
    client: o.client, log: o.log, namespace: namespace ?? 'default', name: o.leaseName ?? env.TRAEFIK_XDS_LEASE_NAME ?? 'traefik-xds-events',
    identity: o.identity ?? defaultIdentity(env), ...o.timing,
  });
  leader.start();
  return leader;
}
