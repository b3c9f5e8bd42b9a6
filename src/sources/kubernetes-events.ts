// Problems where users look: Traefik CRDs have no status, so every error or warning diagnostic on an object
// read from the Kubernetes API becomes a core/v1 Event on that object (`kubectl describe ingressroute x`).
//
// - One Event per (object uid, type, reason, message): an unchanged problem is not posted again on every
//   rebuild; a problem that goes away and comes back is posted again. Event names are derived from that key,
//   so a new leader does not duplicate what the previous one posted (the create answers 409, and the existing
//   Event's lastTimestamp is bumped instead).
// - When every problem of an object is fixed, one Normal "Resolved" Event says so.
// - Problems that last are refreshed (count and lastTimestamp) every refreshMs, so they outlive the API server's
//   Event TTL (1 h by default).
// - Writes are rate limited by a token bucket; the queue is bounded (the oldest pending posts are dropped).
// - With a LeaderElector, only the leader writes; the others keep track of the same state.
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { forbiddenMessage, statusMessage, type KubeClient } from './kubernetes-client';
import { LeaderElector, defaultIdentity, startLeaderElection } from './leader';
import type { Diagnostic } from '../model/diagnostics';
import type { Logger } from '../xds/stream-context';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Controller } from '../serve/controller';
import type { KubernetesSource } from './kubernetes';

export const EVENT_COMPONENT = 'traefik-xds';
const MAX_MESSAGE = 1024;

export type EventType = 'Warning' | 'Normal';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EventPublisherOptions {
  client: KubeClient;
  log: Logger;
  /** The API object a diagnostic is about; undefined for objects that did not come from the Kubernetes API. */
  lookup: (kind: string, namespace: string | undefined, name: string) => KubernetesObject | undefined;
  /** reportingInstance / source.host. Default: POD_NAME or the hostname. */
  identity?: string;
  /** Only the leader writes; absent = this replica always writes. */
  leader?: LeaderElector;
  /** Token bucket: sustained Events per second (default 5) and burst (default 25). */
  rate?: { perSecond: number; burst: number };
  /** Re-assert lasting problems after this long (default 30 min). */
  refreshMs?: number;
  /** Pending writes kept at most (default 1000). */
  maxQueue?: number;
}

interface Problem {
  key: string;
  /** Event object name: `<object name>.<hash of key>`. */
  eventName: string;
  eventNamespace: string;
  involved: InvolvedObject;
  type: EventType;
  reason: string;
  message: string;
  count: number;
  firstPosted?: number;
  lastPosted?: number;
  /** Set once the create (or its 409) succeeded. */
  written: boolean;
}

type Job = { op: 'create' | 'refresh'; p: Problem; attempts: number };

/** A short CamelCase reason for a diagnostic, for `kubectl get events` columns and field selectors. */
export function reasonOf(d: Diagnostic): string {
  const m = d.message.toLowerCase();
  if (/deprecated/.test(m)) return 'Deprecated';
  if (/cross-namespace|allowcrossnamespace|not within watched namespaces/.test(m)) return 'CrossNamespaceForbidden';
  if (/externalname/.test(m) && /allowexternalnameservices|not allowed/.test(m)) return 'ExternalNameForbidden';
  if (/not found|does not exist|no such|unknown (middleware|service|tls|traefikservice)/.test(m)) return 'ReferenceNotFound';
  if (/no endpoints|no servers|empty service/.test(m)) return 'NoEndpoints';
  if (/not (yet )?translated|not supported|unsupported|is not available in traefik-xds/.test(m)) return 'Unsupported';
  if (/(^|\.)(match|rule)$/.test(d.field ?? '') || /\brule\b/.test(m) && /syntax|parse|unexpected/.test(m)) return 'InvalidRule';
  if (/unknown field|expected |missing required|invalid|does not match the pattern|must be/.test(m)) return 'InvalidSpec';
  if (/still served/.test(m)) return 'PreviousVersionServed';
  return d.severity === 'error' ? 'TranslationError' : 'TranslationWarning';
}

/** core/v1 Event type of a diagnostic: errors (the object or a route is not served as written) are Warnings. */
export function eventTypeOf(d: Diagnostic): EventType {
  return d.severity === 'error' ? 'Warning' : 'Normal';
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}

function hash(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);
}

function nowIso(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventPublisher {
  private readonly current = new Map<string, Problem>();
  /** Objects (by uid or identity) that had at least one problem in the previous update. */
  private troubled = new Map<string, InvolvedObject>();
  private queue: Job[] = [];
  private tokens: number;
  private lastRefill = Date.now();
  private drainTimer?: NodeJS.Timeout;
  private refreshTimer?: NodeJS.Timeout;
  private draining = false;
  private closed = false;
  private readonly identity: string;
  private readonly rate: { perSecond: number; burst: number };
  private readonly refreshMs: number;
  private readonly maxQueue: number;
  private dropped = 0;
  private lastForbidden?: string;
  /** Writes done (for tests and metrics). */
  posted = 0;

  constructor(private readonly o: EventPublisherOptions) {
    this.identity = o.identity ?? o.leader?.identity ?? defaultIdentity();
    this.rate = o.rate ?? { perSecond: 5, burst: 25 };
    this.tokens = this.rate.burst;
    this.refreshMs = o.refreshMs ?? 30 * 60_000;
    this.maxQueue = o.maxQueue ?? 1000;
    o.leader?.onChange((leader) => {
      if (leader) this.kick();
    });
    this.refreshTimer = setInterval(() => this.refreshLasting(), Math.max(50, Math.floor(this.refreshMs / 4)));
    this.refreshTimer.unref();
  }

  private get writing(): boolean {
    return !this.closed && (!this.o.leader || this.o.leader.isLeader());
  }

  /** The diagnostics of the latest build: new problems are queued, vanished ones forgotten. */
  update(diagnostics: Diagnostic[]): void {
    if (this.closed) return;
    const next = new Map<string, Problem>();
    const troubled = new Map<string, InvolvedObject>();
    for (const d of diagnostics) {
      if ((d.severity !== 'error' && d.severity !== 'warning') || !d.name) continue;
      const obj = this.o.lookup(d.kind, d.namespace, d.name);
      if (!obj?.metadata?.name) continue;
      const involved = involvedOf(obj, d.kind);
      const type = eventTypeOf(d);
      const reason = reasonOf(d);
      const message = truncate(d.field ? `${d.field}: ${d.message}` : d.message, MAX_MESSAGE);
      troubled.set(objectId(involved), involved);
      this.track(next, involved, type, reason, message);
    }
    // Objects whose every problem is fixed (and that still exist): one Normal event.
    for (const [id, inv] of this.troubled) {
      if (troubled.has(id)) continue;
      const obj = this.o.lookup(inv.kind, inv.namespace, inv.name);
      if (!obj?.metadata || (inv.uid && obj.metadata.uid !== inv.uid)) continue;
      this.track(next, involvedOf(obj, inv.kind), 'Normal', 'Resolved', `no problem left: the ${inv.kind} is served as written`);
    }
    // A "Resolved" not written yet (rate limit, not the leader) stays pending while the object stays clean.
    for (const [key, p] of this.current) {
      if (p.reason === 'Resolved' && !p.written && !next.has(key) && !troubled.has(objectId(p.involved))) next.set(key, p);
    }
    this.troubled = troubled;
    for (const [key, p] of this.current) if (!next.has(key)) this.current.delete(key);
    this.queue = this.queue.filter((j) => this.current.get(j.p.key) === j.p);
    this.kick();
  }

  private track(next: Map<string, Problem>, involved: InvolvedObject, type: EventType, reason: string, message: string): void {
    const key = JSON.stringify([objectId(involved), type, reason, message]);
    if (next.has(key)) return;
    const existing = this.current.get(key);
    if (existing) {
      existing.involved = involved; // a newer resourceVersion
      next.set(key, existing);
      return;
    }
    const p: Problem = {
      key, type, reason, message, involved, count: 0, written: false,
      eventName: `${truncate(involved.name, 200).replace(/\.+$/, '')}.${hash(key)}`,
      eventNamespace: involved.namespace || 'default',
    };
    next.set(key, p);
    this.current.set(key, p);
    this.enqueue({ op: 'create', p, attempts: 0 });
  }

  private enqueue(j: Job): void {
    this.queue.push(j);
    if (this.queue.length > this.maxQueue) {
      const drop = this.queue.splice(0, this.queue.length - this.maxQueue);
      this.dropped += drop.length;
      for (const x of drop) if (x.op === 'create') this.current.delete(x.p.key); // posted again if still there next build
      this.o.log.warn('Kubernetes Events: queue full, oldest pending Events dropped', { dropped: this.dropped });
    }
  }

  private refreshLasting(): void {
    if (!this.writing) return;
    const now = Date.now();
    for (const p of this.current.values()) {
      if (p.written && p.reason !== 'Resolved' && p.lastPosted !== undefined && now - p.lastPosted >= this.refreshMs && !this.queue.some((j) => j.p === p)) {
        this.enqueue({ op: 'refresh', p, attempts: 0 });
      }
    }
    this.kick();
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.rate.perSecond);
    this.lastRefill = now;
  }

  private kick(): void {
    if (!this.draining && !this.drainTimer) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.writing && this.queue.length) {
        this.refill();
        if (this.tokens < 1) {
          const wait = Math.ceil(((1 - this.tokens) / this.rate.perSecond) * 1000);
          this.drainTimer = setTimeout(() => {
            this.drainTimer = undefined;
            this.kick();
          }, wait);
          return;
        }
        this.tokens -= 1;
        const job = this.queue.shift()!;
        if (this.current.get(job.p.key) !== job.p) continue; // fixed meanwhile
        await this.write(job);
      }
    } finally {
      this.draining = false;
    }
  }

  private async write(job: Job): Promise<void> {
    const p = job.p;
    const base = `/api/v1/namespaces/${p.eventNamespace}/events`;
    const now = Date.now();
    try {
      if (job.op === 'create') {
        const res = await this.o.client.request('POST', base, { body: this.eventBody(p, now) });
        if (res.statusCode === 201 || res.statusCode === 200) {
          p.count = 1;
          p.firstPosted = p.lastPosted = now;
          p.written = true;
          this.posted++;
          return;
        }
        if (res.statusCode === 409) {
          // Posted earlier (by us before a fix, or by the previous leader): bump it instead.
          const patched = await this.o.client.request('PATCH', `${base}/${p.eventName}`, {
            body: { lastTimestamp: nowIso(now), message: p.message }, contentType: 'application/merge-patch+json',
          });
          if (patched.statusCode === 200) {
            p.count = Math.max(1, Number(patched.body?.count) || 1);
            p.firstPosted ??= now;
            p.lastPosted = now;
            p.written = true;
            this.posted++;
            return;
          }
          return this.failed(job, patched.statusCode, 'patch', statusMessage(patched));
        }
        return this.failed(job, res.statusCode, 'create', statusMessage(res));
      }
      const res = await this.o.client.request('PATCH', `${base}/${p.eventName}`, {
        body: { count: p.count + 1, lastTimestamp: nowIso(now) }, contentType: 'application/merge-patch+json',
      });
      if (res.statusCode === 200) {
        p.count++;
        p.lastPosted = now;
        this.posted++;
        return;
      }
      if (res.statusCode === 404) {
        // Expired (Event TTL): post it anew.
        p.written = false;
        this.enqueue({ op: 'create', p, attempts: 0 });
        return;
      }
      return this.failed(job, res.statusCode, 'patch', statusMessage(res));
    } catch (e) {
      return this.failed(job, undefined, job.op === 'create' ? 'create' : 'patch', (e as Error).message);
    }
  }

  private failed(job: Job, status: number | undefined, verb: string, message: string): void {
    if (status === 403) {
      const m = forbiddenMessage(verb, { group: '', resource: 'events', namespace: job.p.eventNamespace });
      if (m !== this.lastForbidden) this.o.log.error(m);
      this.lastForbidden = m;
      this.current.delete(job.p.key); // tried again on the next build
      return;
    }
    if (job.attempts < 3 && (status === undefined || status >= 500 || status === 429)) {
      this.queue.push({ ...job, attempts: job.attempts + 1 });
      return;
    }
    this.o.log.warn(`Kubernetes Events: cannot ${verb} Event ${job.p.eventNamespace}/${job.p.eventName}: ${message}`);
    this.current.delete(job.p.key);
  }

  private eventBody(p: Problem, now: number): Record<string, unknown> {
    const t = nowIso(now);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: p.eventName, namespace: p.eventNamespace, labels: { 'app.kubernetes.io/managed-by': EVENT_COMPONENT } },
      involvedObject: p.involved,
      type: p.type,
      reason: p.reason,
      message: p.message,
      source: { component: EVENT_COMPONENT, host: os.hostname() },
      reportingComponent: EVENT_COMPONENT,
      reportingInstance: truncate(this.identity, 128),
      action: p.type === 'Normal' && p.reason === 'Resolved' ? 'Resolved' : 'Translate',
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
    };
  }

  /** Problems currently known (posted or pending), for the admin API and tests. */
  problems(): { involved: InvolvedObject; type: EventType; reason: string; message: string; written: boolean }[] {
    return [...this.current.values()].map(({ involved, type, reason, message, written }) => ({ involved, type, reason, message, written }));
  }

  /** Resolves when nothing is pending (or after `timeoutMs`). */
  async idle(timeoutMs = 5000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (!this.queue.length && !this.draining) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.drainTimer);
    clearInterval(this.refreshTimer);
    this.queue = [];
  }
}

function involvedOf(obj: KubernetesObject, kind: string): InvolvedObject {
  const m = obj.metadata!;
  const out: InvolvedObject = { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? kind, name: m.name! };
  if (m.namespace) out.namespace = m.namespace;
  if (m.uid) out.uid = m.uid;
  if (m.resourceVersion) out.resourceVersion = m.resourceVersion;
  return out;
}

function objectId(o: InvolvedObject): string {
  return o.uid ?? `${o.apiVersion}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

// ---------------------------------------------------------------------------------------------------------
// Wiring for `serve`

export interface KubernetesEventsOptions {
  client: KubeClient;
  log: Logger;
  lookup: EventPublisherOptions['lookup'];
  env?: NodeJS.ProcessEnv;
  /** The namespace of the leader Lease (default: POD_NAMESPACE, the service account's, else `default`). */
  namespace?: string;
  leaseName?: string;
  identity?: string;
  leaderElection?: Partial<Pick<ConstructorParameters<typeof LeaderElector>[0], 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>>;
  /** A running election shared with other writers (then close() leaves it running); default: one of its own. */
  leader?: LeaderElector;
  rate?: EventPublisherOptions['rate'];
  refreshMs?: number;
}

export interface KubernetesEvents {
  publisher: EventPublisher;
  leader: LeaderElector;
  close(): Promise<void>;
}

/**
 * Starts leader election and the Event publisher; feed it with `publisher.update(diagnostics)` after every build.
 * TRAEFIK_XDS_EVENTS=false turns Events off (returns undefined).
 */
export function startKubernetesEvents(o: KubernetesEventsOptions): KubernetesEvents | undefined {
  const env = o.env ?? process.env;
  if (!eventsEnabled(env)) return undefined;
  const own = !o.leader;
  const leader = o.leader ?? startLeaderElection({
    client: o.client, log: o.log, env, namespace: o.namespace, leaseName: o.leaseName, identity: o.identity, timing: o.leaderElection,
  });
  const publisher = new EventPublisher({ client: o.client, log: o.log, lookup: o.lookup, leader, rate: o.rate, refreshMs: o.refreshMs });
  return {
    publisher, leader,
    async close() {
      publisher.close();
      if (own) await leader.stop();
    },
  };
}

/** TRAEFIK_XDS_EVENTS=false (or 0, off, no) turns Events off. */
export function eventsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(false|0|off|no)$/i.test(env.TRAEFIK_XDS_EVENTS ?? '');
}

/** `serve`: Events for the objects of `source`, fed by every build of `controller` (the first one included). */
export function attachKubernetesEvents(source: KubernetesSource, controller: Controller, log: Logger, env: NodeJS.ProcessEnv = process.env, leader?: LeaderElector): KubernetesEvents | undefined {
  const events = startKubernetesEvents({
    client: source.client, log, env, namespace: env.POD_NAMESPACE || source.connection.namespace, leader,
    lookup: (kind, namespace, name) => source.objectFor(kind, namespace, name),
  });
  if (!events) return undefined;
  events.publisher.update(controller.currentDiagnostics());
  controller.onBuild((r) => events.publisher.update(r.diagnostics));
  return events;
}
