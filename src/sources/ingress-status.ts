// Writes Ingress `status.loadBalancer` (providers.kubernetesIngress.ingressEndpoint, traefik-ingress.md §1.10):
// after every model build, each desired status (model/ingress-status.ts) is compared with the Ingress as the
// informer holds it now, by the set of hostname+ip (ports are not compared, as in Traefik), and written with
// PUT on the status subresource only when it differs.
//
// - Only the Lease leader writes (Traefik lets every replica write and relies on the comparison; one writer
//   avoids replicas with different views fighting). A replica that becomes leader catches up at once.
// - Only Ingresses read from the Kubernetes API, and only the object the model saw (same uid): never
//   manifests on disk.
// - The PUT carries the resourceVersion it was computed from: a 409 conflict means the Ingress changed
//   meanwhile, and the build that change triggers tries again. Errors are logged, never thrown.
import { forbiddenMessage, statusMessage, KubeClient } from './kubernetes-client';
import { statusAddressKey, type IngressStatusTarget, type LoadBalancerIngress } from '../model/ingress-status';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../xds/stream-context';
import type { LeaderElector } from './leader';
import type { Controller } from '../serve/controller';
import type { KubernetesSource } from './kubernetes';

type IngressObject = KubernetesObject & { status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } } } & Record<string, unknown>;

export interface IngressStatusWriterOptions {
  client: KubeClient;
  log: Logger;
  /** The Ingress as the informer holds it now; undefined for objects that did not come from the API. */
  lookup: (namespace: string, name: string) => IngressObject | undefined;
  /** Only the leader writes; absent = this replica always writes. */
  leader?: Pick<LeaderElector, 'isLeader' | 'onChange'>;
}

/** The write last done for one Ingress: skipped while the informer has not caught up with it. */
interface Written {
  fromVersion: string;
  key: string;
}

export class IngressStatusWriter {
  private desired: IngressStatusTarget[] = [];
  /** The list last given (the EndpointSlice fast path hands the same one again: nothing new to compare). */
  private given?: IngressStatusTarget[];
  /** A write failed since the last run: the next build tries again even with the same list. */
  private failed = false;
  private running = false;
  private again = false;
  private closed = false;
  private readonly written = new Map<string, Written>();
  private lastProblem?: string;
  /** Successful writes (for tests and logs). */
  writes = 0;

  constructor(private readonly o: IngressStatusWriterOptions) {
    o.leader?.onChange((leader) => {
      if (leader) this.kick();
    });
  }

  private get writing(): boolean {
    return !this.closed && (!this.o.leader || this.o.leader.isLeader());
  }

  /** The desired statuses of the latest build (undefined: ingressEndpoint not configured, nothing to write). */
  update(desired: IngressStatusTarget[] | undefined): void {
    if (this.closed) return;
    if (desired && desired === this.given && !this.failed) return;
    this.given = desired;
    this.desired = desired ?? [];
    const live = new Set(this.desired.map((d) => `${d.namespace}/${d.name}`));
    for (const k of this.written.keys()) if (!live.has(k)) this.written.delete(k);
    this.kick();
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        if (!this.writing) return;
        this.failed = false;
        for (const d of this.desired) {
          if (!this.writing || this.again) break; // a newer build: start over with it
          await this.sync(d);
        }
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async sync(d: IngressStatusTarget): Promise<void> {
    const id = `${d.namespace}/${d.name}`;
    const current = this.o.lookup(d.namespace, d.name);
    if (!current?.metadata) return; // not (or no longer) in the API
    // Objects from the API have a uid; none means the model saw a manifest from disk.
    if (!d.uid || current.metadata.uid !== d.uid) return;
    const key = statusAddressKey(d.ingress);
    if (statusAddressKey(current.status?.loadBalancer?.ingress) === key) return;
    const version = current.metadata.resourceVersion ?? '';
    const prev = this.written.get(id);
    if (prev && prev.fromVersion === version && prev.key === key) return; // written; the informer has not seen it yet
    const body = {
      ...current, apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      status: { ...(current.status ?? {}), loadBalancer: d.ingress.length ? { ingress: d.ingress } : {} },
    };
    const path = `/apis/networking.k8s.io/v1/namespaces/${d.namespace}/ingresses/${d.name}/status`;
    try {
      const res = await this.o.client.request('PUT', path, { body });
      if (res.statusCode === 200 || res.statusCode === 201) {
        this.written.set(id, { fromVersion: version, key });
        this.writes++;
        this.lastProblem = undefined;
        this.o.log.debug('Ingress status written', { ingress: id, loadBalancer: d.ingress });
        return;
      }
      if (res.statusCode === 404) return; // deleted meanwhile
      this.failed = true;
      if (res.statusCode === 409) {
        this.o.log.debug('Ingress status: the Ingress changed meanwhile (409 conflict); written again on the next build', { ingress: id });
        return;
      }
      this.problem(res.statusCode === 403
        ? forbiddenMessage('update', { group: 'networking.k8s.io', resource: 'ingresses/status', namespace: d.namespace })
        : `Ingress status: cannot update ${id}: ${statusMessage(res)}`);
    } catch (e) {
      this.failed = true;
      this.problem(`Ingress status: cannot update ${id}: ${(e as Error).message}`);
    }
  }

  private problem(msg: string): void {
    if (msg !== this.lastProblem) this.o.log.warn(msg);
    else this.o.log.debug(msg);
    this.lastProblem = msg;
  }

  /** Resolves when no write is under way (or after `timeoutMs`). */
  async idle(timeoutMs = 5000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (!this.running) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * `serve`: Ingress status for the Ingresses of `source`, fed by every build of `controller` (the first one
 * included), written by the holder of `leader`. Requests time out after 5 s.
 */
export function attachIngressStatus(source: KubernetesSource, controller: Controller, log: Logger, leader?: LeaderElector, timeoutMs = 5000): IngressStatusWriter {
  const writer = new IngressStatusWriter({
    client: new KubeClient(source.client.kubeConfig, timeoutMs), log, leader,
    lookup: (namespace, name) => source.objectFor('Ingress', namespace, name) as IngressObject | undefined,
  });
  writer.update(controller.currentModel()?.ingressStatus);
  controller.onBuild(() => writer.update(controller.currentModel()?.ingressStatus));
  return writer;
}
