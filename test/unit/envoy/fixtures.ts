// A small valid snapshot (listener + route + cluster + endpoints + secret) that tests mutate.

import type { EnvoyResources } from '../../../src/envoy/resources';
import { typed } from '../../../src/envoy/types';

export const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

export function minimalResources(): EnvoyResources {
  return {
    listeners: [
      {
        name: 'websecure',
        address: { socket_address: { address: '0.0.0.0', port_value: 8443 } },
        listener_filters: [
          { name: 'envoy.filters.listener.tls_inspector', typed_config: typed('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', {}) },
        ],
        filter_chains: [
          {
            filter_chain_match: { transport_protocol: 'tls', server_names: ['example.com'] },
            transport_socket: {
              name: 'envoy.transport_sockets.tls',
              typed_config: typed('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
                common_tls_context: {
                  tls_certificate_sds_secret_configs: [{ name: 'default/cert', sds_config: { ads: {}, resource_api_version: 'V3' } }],
                },
              }),
            },
            filters: [
              {
                name: 'envoy.filters.network.http_connection_manager',
                typed_config: typed(HCM, {
                  stat_prefix: 'websecure',
                  rds: { route_config_name: 'websecure/https', config_source: { ads: {}, resource_api_version: 'V3' } },
                  http_filters: [{ name: 'envoy.filters.http.router', typed_config: typed('envoy.extensions.filters.http.router.v3.Router', {}) }],
                }),
              },
            ],
          },
        ],
      },
    ],
    routes: [
      {
        name: 'websecure/https',
        virtual_hosts: [
          {
            name: 'example.com',
            domains: ['example.com'],
            routes: [{ match: { prefix: '/' }, route: { cluster: 'default/whoami/80', timeout: '0s' } }],
          },
        ],
      },
    ],
    clusters: [
      {
        name: 'default/whoami/80',
        type: 'EDS',
        connect_timeout: '5s',
        eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
      },
    ],
    endpoints: [
      {
        cluster_name: 'default/whoami/80',
        endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 80 } } } }] }],
      },
    ],
    secrets: [
      {
        name: 'default/cert',
        tls_certificate: {
          certificate_chain: { inline_string: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
          private_key: { inline_string: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' },
        },
      },
    ],
  };
}
