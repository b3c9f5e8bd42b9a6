// `serve`: what a replica writes back to the Kubernetes API, both by the holder of one Lease: Events for
// problems (kubernetes-events.ts, unless TRAEFIK_XDS_EVENTS=false) and Ingress status (ingress-status.ts,
// when providers.kubernetesIngress.ingressEndpoint is set). No election runs when neither is on.
import { startLeaderElection, type LeaderElector } from './leader';
import { attachKubernetesEvents, eventsEnabled, type KubernetesEvents } from './kubernetes-events';
import { attachIngressStatus, type IngressStatusWriter } from './ingress-status';
import type { KubernetesIngressProvider } from '../config/types';
import type { Controller } from '../serve/controller';
import type { Logger } from '../xds/stream-context';
import type { KubernetesSource } from './kubernetes';

export interface KubernetesWriters {
  leader?: LeaderElector;
  events?: KubernetesEvents;
  ingressStatus?: IngressStatusWriter;
  close(): Promise<void>;
}

export function attachKubernetesWriters(
  source: KubernetesSource,
  controller: Controller,
  ingress: KubernetesIngressProvider | undefined,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): KubernetesWriters {
  const wantEvents = eventsEnabled(env);
  const wantStatus = !!ingress?.ingressEndpoint;
  const leader = wantEvents || wantStatus
    ? startLeaderElection({ client: source.client, log, env, namespace: env.POD_NAMESPACE || source.connection.namespace })
    : undefined;
  const events = wantEvents ? attachKubernetesEvents(source, controller, log, env, leader) : undefined;
  const ingressStatus = wantStatus ? attachIngressStatus(source, controller, log, leader) : undefined;
  return {
    leader, events, ingressStatus,
    async close() {
      ingressStatus?.close();
      await events?.close();
      await leader?.stop();
    },
  };
}
