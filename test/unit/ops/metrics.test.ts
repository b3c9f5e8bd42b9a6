import { strict as assert } from 'node:assert';
import { Metrics } from '../../../src/admin/metrics';
import { SnapshotCache } from '../../../src/xds/cache';
import { ClientRegistry, type ClientStatus } from '../../../src/xds/clients';
import { buildSnapshot } from '../../../src/xds/snapshot';
import type { BuildReport, Controller } from '../../../src/serve/controller';
import type { Source } from '../../../src/sources/source';

function fakeController(): Controller & { emit(r: BuildReport): void } {
  const fs: ((r: BuildReport) => void)[] = [];
  const c = {
    ready: true,
    lastReport: undefined as BuildReport | undefined,
    onBuild: (f: (r: BuildReport) => void) => fs.push(f),
    emit(r: BuildReport) {
      c.lastReport = r;
      for (const f of fs) f(r);
    },
  };
  return c as unknown as Controller & { emit(r: BuildReport): void };
}

/** The value of one series in Prometheus text (exact label set as printed), or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('ops: Prometheus metrics', () => {
  it('exposes builds, snapshots, streams, responses, ACKs, NACKs by kind, debounced events, diagnostics and sync state', async () => {
    const cache = new SnapshotCache();
    const registry = new ClientRegistry();
    const controller = fakeController();
    let synced = false;
    const source = { synced: () => synced } as unknown as Source;
    const m = new Metrics({ cache, registry, controller, source, defaultMetrics: false });

    const fk = { fleet: 'edge', profile: 'envoy' as const, entryPoints: [], key: 'edge/envoy' };
    cache.watch(fk, { onSnapshot() {} });
    const snap = buildSnapshot({
      listeners: [], routes: [], endpoints: [], secrets: [],
      clusters: [{ name: 'a', type: 'STATIC', connect_timeout: '1s' }, { name: 'b', type: 'STATIC', connect_timeout: '1s' }] as any,
    });
    cache.set(fk.key, snap);
    controller.emit({
      at: 1_700_000_000_000, durationMs: 12, published: ['edge/envoy'], encodedResources: 2, encodedBytes: 10,
      diagnostics: [
        { severity: 'error', kind: 'IngressRoute', message: 'x' }, { severity: 'warning', kind: 'IngressRoute', message: 'y' },
        { severity: 'warning', kind: 'Middleware', message: 'z' },
      ] as any,
    });
    const client: ClientStatus = {
      streamId: 1, node: { id: 'n1', cluster: 'edge', metadata: {}, userAgentName: 'envoy', userAgentVersion: '' }, fleet: fk,
      protocol: 'sotw', aggregated: true, connectedAt: 0, types: { clusters: { subscribed: '*' }, listeners: { subscribed: '*' } },
    };
    registry.add(client);
    m.response('clusters');
    m.response('clusters');
    m.ack('clusters');
    registry.nack({ client, kind: 'listeners', version: 'v', message: 'rejected: -----BEGIN PRIVATE KEY----- abc', resources: ['web'] });
    m.staleNonce('routes');
    m.sourceEvent();
    m.sourceEvent();
    m.sourceEvent();
    m.debouncedEvents(2);
    m.refused('inner', 'san_mismatch');
    m.slowClient('edge/envoy');

    const text = await m.register.metrics();
    assert.equal(sample(text, 'traefik_xds_build_duration_seconds_count'), 1);
    assert.equal(sample(text, 'traefik_xds_build_duration_seconds_sum'), 0.012);
    assert.equal(sample(text, 'traefik_xds_builds_total{result="published"}'), 1);
    assert.equal(sample(text, `traefik_xds_snapshot_info{fleet="edge",profile="envoy",version="${snap.version}"}`), 1);
    assert.equal(sample(text, 'traefik_xds_snapshot_resources{fleet="edge",profile="envoy",type="clusters"}'), 2);
    assert.equal(sample(text, 'traefik_xds_connected_streams{fleet="edge",profile="envoy",protocol="sotw"}'), 1);
    assert.equal(sample(text, 'traefik_xds_subscribed_streams{fleet="edge",profile="envoy",type="clusters"}'), 1);
    assert.equal(sample(text, 'traefik_xds_responses_total{type="clusters"}'), 2);
    assert.equal(sample(text, 'traefik_xds_acks_total{type="clusters"}'), 1);
    assert.equal(sample(text, 'traefik_xds_nacks_total{fleet="edge",profile="envoy",type="listeners"}'), 1);
    assert.equal(sample(text, 'traefik_xds_stale_nonces_total{type="routes"}'), 1);
    assert.equal(sample(text, 'traefik_xds_source_events_total'), 3);
    assert.equal(sample(text, 'traefik_xds_debounced_events_total'), 2);
    assert.equal(sample(text, 'traefik_xds_diagnostics{severity="error"}'), 1);
    assert.equal(sample(text, 'traefik_xds_diagnostics{severity="warning"}'), 2);
    assert.equal(sample(text, 'traefik_xds_diagnostics{severity="info"}'), 0);
    assert.equal(sample(text, 'traefik_xds_source_synced'), 0);
    assert.equal(sample(text, 'traefik_xds_ready'), 0);
    assert.equal(sample(text, 'traefik_xds_stream_refusals_total{fleet="inner",reason="san_mismatch"}'), 1);
    assert.equal(sample(text, 'traefik_xds_slow_client_disconnects_total{fleet="edge",profile="envoy"}'), 1);
    assert.equal(sample(text, 'traefik_xds_last_build_timestamp_seconds'), 1_700_000_000);
    assert.ok(!/PRIVATE KEY|abc/.test(text), 'NACK messages never become labels');

    synced = true;
    registry.remove(1);
    const after = await m.register.metrics();
    assert.equal(sample(after, 'traefik_xds_source_synced'), 1);
    assert.equal(sample(after, 'traefik_xds_ready'), 1);
    assert.equal(sample(after, 'traefik_xds_connected_streams{fleet="edge",profile="envoy",protocol="sotw"}'), undefined, 'gone with the stream');
  });

  it('registries are per instance (several servers in one process)', async () => {
    const mk = () => new Metrics({ cache: new SnapshotCache(), registry: new ClientRegistry(), controller: fakeController(), source: { synced: () => true } as unknown as Source });
    const a = mk();
    const b = mk();
    a.response('listeners');
    assert.equal(sample(await a.register.metrics(), 'traefik_xds_responses_total{type="listeners"}'), 1);
    assert.equal(sample(await b.register.metrics(), 'traefik_xds_responses_total{type="listeners"}'), undefined);
    assert.match(await a.register.metrics(), /traefik_xds_process_cpu_seconds_total/, 'process metrics');
  });
});
