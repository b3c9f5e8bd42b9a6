import * as assert from 'node:assert/strict';
import { checkConsistency } from '../../../src/envoy/consistency';
import type { EnvoyResources } from '../../../src/envoy/resources';
import type { Cluster, Listener, RouteConfiguration } from '../../../src/envoy/types';
import { typed } from '../../../src/envoy/types';
import { assertValidEnvoy, envoyProblems } from '../../helpers/envoy-check';
import { HCM, minimalResources } from './fixtures';

const ADS = { ads: {}, resource_api_version: 'V3' as const };

function expectProblem(r: EnvoyResources, pattern: RegExp): void {
  const problems = checkConsistency(r);
  assert.ok(problems.some((p) => pattern.test(p)), `expected a problem matching ${pattern}, got:\n  ${problems.join('\n  ') || '(none)'}`);
}

function routeTo(action: object): RouteConfiguration {
  return { name: 'websecure/https', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, ...action }] }] };
}

function tcpListener(tcp: object): Listener {
  return {
    name: 'tcp',
    address: { socket_address: { address: '0.0.0.0', port_value: 9000 } },
    filter_chains: [{ filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: typed('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: 'tcp', ...tcp }) }] }],
  };
}

describe('envoy/consistency', () => {
  it('a minimal listener + route + cluster + endpoints + secret set is valid', () => {
    assert.deepEqual(checkConsistency(minimalResources()), []);
    assertValidEnvoy(minimalResources());
  });

  it('missing RDS route configuration', () => {
    const r = minimalResources();
    r.routes[0].name = 'other';
    expectProblem(r, /^listeners\["websecure"\]\.filter_chains\[0\]\.filters\[0\]\.typed_config\.rds\.route_config_name: RouteConfiguration "websecure\/https" is not defined$/);
  });

  it('missing RDS in an api_listener', () => {
    const r = minimalResources();
    r.listeners.push({
      name: 'grpc.example.com',
      api_listener: { api_listener: typed(HCM, { stat_prefix: 'x', rds: { route_config_name: 'nope', config_source: ADS } }) },
    });
    expectProblem(r, /^listeners\["grpc\.example\.com"\]\.api_listener\.api_listener\.rds\.route_config_name: RouteConfiguration "nope" is not defined$/);
  });

  it('missing clusters named by routes: cluster, weighted_clusters, mirrors', () => {
    const r = minimalResources();
    r.routes = [routeTo({ route: { cluster: 'nope' } })];
    expectProblem(r, /routes\["websecure\/https"\]\.virtual_hosts\[0\]\.routes\[0\]\.route\.cluster: Cluster "nope" is not defined/);

    r.routes = [routeTo({ route: { weighted_clusters: { clusters: [{ name: 'default/whoami/80', weight: 1 }, { name: 'gone', weight: 1 }] } } })];
    expectProblem(r, /route\.weighted_clusters\.clusters\[1\]\.name: Cluster "gone" is not defined/);

    r.routes = [routeTo({ route: { cluster: 'default/whoami/80', request_mirror_policies: [{ cluster: 'mirror' }] } })];
    expectProblem(r, /route\.request_mirror_policies\[0\]\.cluster: Cluster "mirror" is not defined/);
  });

  it('missing clusters named by tcp_proxy and udp_proxy', () => {
    const r = minimalResources();
    r.listeners.push(tcpListener({ cluster: 'tcp-gone' }));
    expectProblem(r, /listeners\["tcp"\]\.filter_chains\[0\]\.filters\[0\]\.typed_config\.cluster: Cluster "tcp-gone" is not defined/);

    const w = minimalResources();
    w.listeners.push(tcpListener({ weighted_clusters: { clusters: [{ name: 'w-gone', weight: 1 }] } }));
    expectProblem(w, /typed_config\.weighted_clusters\.clusters\[0\]\.name: Cluster "w-gone" is not defined/);

    const u = minimalResources();
    u.listeners.push({
      name: 'udp',
      address: { socket_address: { address: '0.0.0.0', port_value: 53, protocol: 'UDP' } },
      listener_filters: [
        {
          name: 'envoy.filters.udp_listener.udp_proxy',
          typed_config: typed('envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig', {
            stat_prefix: 'dns',
            matcher: {
              on_no_match: {
                action: { name: 'route', typed_config: typed('envoy.extensions.filters.udp.udp_proxy.v3.Route', { cluster: 'dns-gone' }) },
              },
            },
          }),
        },
      ],
    });
    expectProblem(u, /listener_filters\[0\]\.typed_config\.matcher\.on_no_match\.action\.typed_config\.cluster: Cluster "dns-gone" is not defined/);
  });

  it('missing clusters named by ext_authz (HTTP and gRPC services)', () => {
    const r = minimalResources();
    const hcm = r.listeners[0].filter_chains![0].filters![0].typed_config as unknown as { http_filters: object[] };
    hcm.http_filters.unshift(
      {
        name: 'envoy.filters.http.ext_authz',
        typed_config: typed('envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', {
          http_service: { server_uri: { uri: 'http://auth', cluster: 'auth-http', timeout: '1s' } },
        }),
      },
      {
        name: 'envoy.filters.http.ext_authz.grpc',
        typed_config: typed('envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', {
          grpc_service: { envoy_grpc: { cluster_name: 'auth-grpc' } },
        }),
      },
    );
    const problems = checkConsistency(r);
    assert.ok(problems.some((p) => /http_filters\[0\]\.typed_config\.http_service\.server_uri\.cluster: Cluster "auth-http" is not defined/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /http_filters\[1\]\.typed_config\.grpc_service\.envoy_grpc\.cluster_name: Cluster "auth-grpc" is not defined/.test(p)), problems.join('\n'));
  });

  it('missing EDS assignment (by service_name, else by cluster name)', () => {
    const r = minimalResources();
    r.endpoints = [];
    expectProblem(r, /^clusters\["default\/whoami\/80"\]: EDS cluster needs ClusterLoadAssignment "default\/whoami\/80", which is not defined$/);
    const s = minimalResources();
    (s.clusters[0] as Cluster).eds_cluster_config!.service_name = 'svc';
    expectProblem(s, /EDS cluster needs ClusterLoadAssignment "svc"/);
    s.endpoints[0].cluster_name = 'svc';
    assert.deepEqual(checkConsistency(s), []);
  });

  it('missing SDS secrets in listeners and clusters', () => {
    const r = minimalResources();
    r.secrets = [];
    expectProblem(r, /^listeners\["websecure"\]\.filter_chains\[0\]\.transport_socket\.typed_config\.common_tls_context\.tls_certificate_sds_secret_configs\[0\]\.name: Secret "default\/cert" is not defined$/);

    const c = minimalResources();
    c.clusters[0].transport_socket = {
      name: 'envoy.transport_sockets.tls',
      typed_config: typed('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
        sni: 'backend',
        common_tls_context: {
          validation_context_sds_secret_config: { name: 'ca-a', sds_config: ADS },
          combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: { name: 'ca-b', sds_config: ADS } },
        },
      }),
    };
    const problems = checkConsistency(c);
    assert.ok(problems.some((p) => /common_tls_context\.validation_context_sds_secret_config\.name: Secret "ca-a" is not defined/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /combined_validation_context\.validation_context_sds_secret_config\.name: Secret "ca-b" is not defined/.test(p)), problems.join('\n'));
  });

  it('duplicate and missing names', () => {
    const r = minimalResources();
    r.clusters.push({ ...r.clusters[0] });
    r.routes.push({ virtual_hosts: [] });
    const problems = checkConsistency(r);
    assert.ok(problems.includes('clusters["default/whoami/80"]: duplicate Cluster name "default/whoami/80"'), problems.join('\n'));
    assert.ok(problems.includes('routes[1]: RouteConfiguration has no name'), problems.join('\n'));
  });

  it('aggregate clusters name their members', () => {
    const r = minimalResources();
    r.clusters.push({
      name: 'agg',
      connect_timeout: '1s',
      lb_policy: 'CLUSTER_PROVIDED',
      cluster_type: { name: 'envoy.clusters.aggregate', typed_config: typed('envoy.extensions.clusters.aggregate.v3.ClusterConfig', { clusters: ['default/whoami/80', 'nope'] }) },
    });
    expectProblem(r, /^clusters\["agg"\]\.cluster_type\.typed_config\.clusters\[1\]: Cluster "nope" is not defined$/);
  });

  it('does not look inside ConfigSources (they name the management server); external clusters can be declared', () => {
    const r = minimalResources();
    const hcm = r.listeners[0].filter_chains![0].filters![0].typed_config as unknown as { rds: { config_source: object } };
    hcm.rds.config_source = { api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'xds_cluster' } }] } };
    assert.deepEqual(checkConsistency(r), []);
    r.routes = [routeTo({ route: { cluster: 'static-one' } })];
    assert.deepEqual(checkConsistency(r, { externalClusters: ['static-one'] }), []);
  });

  it('accepts lowerCamel field names too', () => {
    const r = minimalResources();
    r.routes = [{ name: 'websecure/https', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'default/whoami/80', requestMirrorPolicies: [{ cluster: 'm' }] } as object }] }] }];
    expectProblem(r, /request_mirror_policies\[0\]\.cluster: Cluster "m" is not defined/);
  });

  it('assertValidEnvoy lists every problem: rules, decoding and consistency', () => {
    const r = minimalResources();
    r.clusters[0].connect_timeout = '0s';
    r.routes[0].virtual_hosts![0].domains = [];
    r.endpoints = [];
    (r.secrets[0] as Record<string, unknown>).bogus = true;
    const problems = envoyProblems(r);
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.throws(() => assertValidEnvoy(r), (e: Error) => {
      assert.match(e.message, /4 problem\(s\)/);
      assert.match(e.message, /clusters\["default\/whoami\/80"\]\.connect_timeout: value must be greater than 0s/);
      assert.match(e.message, /routes\["websecure\/https"\]\.virtual_hosts\[0\]\.domains: value must contain at least 1 item/);
      assert.match(e.message, /EDS cluster needs ClusterLoadAssignment/);
      assert.match(e.message, /secrets\["default\/cert"\]\.bogus: unknown field/);
      return true;
    });
  });
});
