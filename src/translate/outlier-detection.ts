// passiveHealthCheck → Cluster.outlier_detection (traefik-to-envoy.md §4): maxFailedAttempts consecutive
// failures (a 5xx answer, or no answer at all) take a server out for failureWindow. Traefik counts them within
// failureWindow and Envoy without a time window (approx); every other Envoy detector is switched off.
import type { Cluster } from '../envoy/types';
import type { UpstreamCluster } from '../model/model';

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Envoy returns ejected hosts at its sweeps: sweep at least every second so the window is kept closely. */
const MAX_SWEEP_MS = 1000;

export function buildOutlierDetection(c: UpstreamCluster): Cluster['outlier_detection'] | undefined {
  const p = c.passiveHealthCheck;
  if (!p) return undefined;
  return {
    // Locally originated failures (connect errors, timeouts) count as 5xx too: Traefik counts requests that never
    // reached the server.
    consecutive_5xx: p.maxFailedAttempts,
    enforcing_consecutive_5xx: 100,
    base_ejection_time: seconds(p.failureWindowMs),
    // Envoy multiplies the ejection time by the number of ejections; Traefik always waits failureWindow.
    max_ejection_time: seconds(p.failureWindowMs),
    interval: seconds(Math.min(p.failureWindowMs, MAX_SWEEP_MS)),
    // Traefik may take every server out (then 503).
    max_ejection_percent: 100,
    enforcing_success_rate: 0,
    enforcing_consecutive_gateway_failure: 0,
    enforcing_failure_percentage: 0,
  };
}
