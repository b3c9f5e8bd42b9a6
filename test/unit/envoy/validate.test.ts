import * as assert from 'node:assert/strict';
import { CLUSTER_TYPE, LISTENER_TYPE, ROUTE_CONFIGURATION_TYPE } from '../../../src/envoy/proto';
import { validate, validateResource } from '../../../src/envoy/validate';
import { HCM, minimalResources } from './fixtures';

const url = (t: string) => `type.googleapis.com/${t}`;

/** Route config with one virtual host holding `route` (merged over a valid route). */
function rcWith(route: object, vhost: object = {}): object {
  return { name: 'rc', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' }, ...route }], ...vhost }] };
}

function errorsOf(typeName: string, json: unknown): string[] {
  return validateResource(typeName, json).map((e) => `${e.path}: ${e.message}`);
}

function hasError(typeName: string, json: unknown, path: string, message: RegExp): void {
  const errs = validateResource(typeName, json);
  assert.ok(
    errs.some((e) => e.path === path && message.test(e.message)),
    `expected an error at ${path} matching ${message}, got:\n  ${errs.map((e) => `${e.path}: ${e.message}`).join('\n  ') || '(none)'}`,
  );
}

describe('envoy/validate: protoc-gen-validate rules', () => {
  it('passes the minimal valid resources', () => {
    const r = minimalResources();
    assert.deepEqual(errorsOf(LISTENER_TYPE, r.listeners[0]), []);
    assert.deepEqual(errorsOf(ROUTE_CONFIGURATION_TYPE, r.routes[0]), []);
    assert.deepEqual(errorsOf(CLUSTER_TYPE, r.clusters[0]), []);
    assert.deepEqual(errorsOf(ROUTE_CONFIGURATION_TYPE, rcWith({})), []);
  });

  it('VirtualHost with no domains (repeated.min_items)', () => {
    hasError(ROUTE_CONFIGURATION_TYPE, rcWith({}, { domains: [] }), 'virtual_hosts[0].domains', /at least 1 item/);
  });

  it('VirtualHost with an empty name (string.min_len applies to an unset implicit field)', () => {
    hasError(ROUTE_CONFIGURATION_TYPE, { virtual_hosts: [{ domains: ['*'] }] }, 'virtual_hosts[0].name', /at least 1 runes/);
  });

  it('Cluster connect_timeout must be > 0 (duration.gt)', () => {
    hasError(CLUSTER_TYPE, { name: 'c', connect_timeout: '-1s' }, 'connect_timeout', /greater than 0s/);
    hasError(CLUSTER_TYPE, { name: 'c', connect_timeout: '0s' }, 'connect_timeout', /greater than 0s/);
    assert.deepEqual(errorsOf(CLUSTER_TYPE, { name: 'c', connect_timeout: '0.001s' }), []);
  });

  it('empty cluster name in a route (string.min_len on a oneof member that is set)', () => {
    hasError(ROUTE_CONFIGURATION_TYPE, rcWith({ route: { cluster: '' } }), 'virtual_hosts[0].routes[0].route.cluster', /at least 1 runes/);
  });

  it('weighted cluster with no clusters', () => {
    hasError(ROUTE_CONFIGURATION_TYPE, rcWith({ route: { weighted_clusters: { clusters: [] } } }), 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters', /at least 1 item/);
    hasError(ROUTE_CONFIGURATION_TYPE, rcWith({ route: { weighted_clusters: {} } }), 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters', /at least 1 item/);
  });

  it('bad header names and values (well_known_regex, strict and not)', () => {
    // HeaderValue uses strict: false: only NUL, CR and LF are refused
    const add = (key: string, value = 'v') => rcWith({ request_headers_to_add: [{ header: { key, value } }] });
    hasError(ROUTE_CONFIGURATION_TYPE, add('bad\nheader'), 'virtual_hosts[0].routes[0].request_headers_to_add[0].header.key', /valid HTTP header name/);
    hasError(ROUTE_CONFIGURATION_TYPE, add('x-a', 'line\rbreak'), 'virtual_hosts[0].routes[0].request_headers_to_add[0].header.value', /valid HTTP header value/);
    assert.deepEqual(errorsOf(ROUTE_CONFIGURATION_TYPE, add('x-ok_header.1', 'a value')), []);
    hasError(ROUTE_CONFIGURATION_TYPE, rcWith({ response_headers_to_remove: ['a\rb'] }), 'virtual_hosts[0].routes[0].response_headers_to_remove[0]', /valid HTTP header name/);
    // strict (the default): RFC 7230 token characters only
    const sni = (h: string) => ({ name: 'c', connect_timeout: '1s', upstream_http_protocol_options: { auto_sni: true, override_auto_sni_header: h } });
    hasError(CLUSTER_TYPE, sni('bad header'), 'upstream_http_protocol_options.override_auto_sni_header', /valid HTTP header name/);
    hasError(CLUSTER_TYPE, sni('x(y)'), 'upstream_http_protocol_options.override_auto_sni_header', /valid HTTP header name/);
    assert.deepEqual(errorsOf(CLUSTER_TYPE, sni(':authority')), []);
    assert.deepEqual(errorsOf(CLUSTER_TYPE, sni('')), [], 'ignore_empty');
    const hc = (path: string) => ({ name: 'c', connect_timeout: '1s', health_checks: [{ timeout: '1s', interval: '1s', unhealthy_threshold: 1, healthy_threshold: 1, http_health_check: { path } }] });
    hasError(CLUSTER_TYPE, hc('/a\u0001b'), 'health_checks[0].http_health_check.path', /valid HTTP header value/);
    assert.deepEqual(errorsOf(CLUSTER_TYPE, hc('/healthz')), []);
  });

  it('required oneofs and required messages', () => {
    hasError(ROUTE_CONFIGURATION_TYPE, rcWith({ route: { timeout: '1s' } }), 'virtual_hosts[0].routes[0].route.cluster_specifier', /value is required: set one of cluster, /);
    hasError(ROUTE_CONFIGURATION_TYPE, { name: 'rc', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' } }] }] }, 'virtual_hosts[0].routes[0].action', /value is required/);
    hasError(ROUTE_CONFIGURATION_TYPE, { name: 'rc', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ route: { cluster: 'c' } }] }] }, 'virtual_hosts[0].routes[0].match', /value is required/);
    // a oneof member's `required` rule does not apply when another member is chosen
    assert.deepEqual(errorsOf(ROUTE_CONFIGURATION_TYPE, rcWith({ match: { path: '/x' } })), []);
  });

  it('duration.required', () => {
    const retry = (back: object) => rcWith({ route: { cluster: 'c', retry_policy: { retry_back_off: back } } });
    hasError(ROUTE_CONFIGURATION_TYPE, retry({ max_interval: '1s' }), 'virtual_hosts[0].routes[0].route.retry_policy.retry_back_off.base_interval', /value is required/);
    hasError(ROUTE_CONFIGURATION_TYPE, retry({ base_interval: '0s' }), 'virtual_hosts[0].routes[0].route.retry_policy.retry_back_off.base_interval', /greater than 0s/);
  });

  it('numbers: ranges on plain fields and on wrappers', () => {
    hasError(LISTENER_TYPE, { name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 70000 } } }, 'address.socket_address.port_value', /less than or equal to 65535/);
    hasError(CLUSTER_TYPE, { name: 'c', connect_timeout: '1s', preconnect_policy: { per_upstream_preconnect_ratio: 5 } }, 'preconnect_policy.per_upstream_preconnect_ratio', /inside range \[1, 3\]/);
    hasError('envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit', { stat_prefix: 's', max_connections: 0 }, 'max_connections', /greater than or equal to 1/);
    hasError('envoy.config.core.v3.UdpSocketConfig', { max_rx_datagram_size: '65536' }, 'max_rx_datagram_size', /inside range \(0, 65536\)/);
    assert.deepEqual(errorsOf('envoy.config.core.v3.UdpSocketConfig', { max_rx_datagram_size: 1500 }), []);
  });

  it('enums: defined_only and not_in', () => {
    hasError(ROUTE_CONFIGURATION_TYPE, rcWith({}, { require_tls: 7 }), 'virtual_hosts[0].require_tls', /defined enum values/);
    hasError('envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher', { san_type: 'SAN_TYPE_UNSPECIFIED', matcher: { exact: 'a' } }, 'san_type', /must not be in list \[SAN_TYPE_UNSPECIFIED\]/);
  });

  it('strings: in, pattern; repeated: unique, items', () => {
    hasError('envoy.config.core.v3.SchemeHeaderTransformation', { scheme_to_overwrite: 'ftp' }, 'scheme_to_overwrite', /must be in list \["http", "https"\]/);
    hasError(ROUTE_CONFIGURATION_TYPE, rcWith({ match: { path_separated_prefix: '/foo/' } }), 'virtual_hosts[0].routes[0].match.path_separated_prefix', /does not match regex pattern/);
    assert.deepEqual(errorsOf(ROUTE_CONFIGURATION_TYPE, rcWith({ match: { path_separated_prefix: '/foo' } })), []);
    hasError('envoy.config.route.v3.InternalRedirectPolicy', { response_headers_to_copy: ['x-a', 'x-a'] }, 'response_headers_to_copy[1]', /unique/);
    hasError('envoy.extensions.filters.http.router.v3.Router', { strict_check_headers: ['x-envoy-max-retries', 'x-nope'] }, 'strict_check_headers[1]', /must be in list/);
  });

  it('maps: min_pairs', () => {
    hasError('xds.type.matcher.v3.Matcher.MatcherTree', { input: { name: 'i', typed_config: { '@type': url('envoy.type.matcher.v3.HttpRequestHeaderMatchInput'), header_name: 'host' } }, exact_match_map: { map: {} } }, 'exact_match_map.map', /at least 1 pair/);
  });

  it('bytes lengths', () => {
    const big = Buffer.alloc(16385).toString('base64');
    hasError('envoy.config.core.v3.HeaderValue', { key: 'x', raw_value: big }, 'raw_value', /at most 16384 bytes/);
  });

  it('any.required and rules inside Any-typed configs', () => {
    hasError(LISTENER_TYPE, { name: 'l', filter_chains: [{ filters: [{ name: 'x', typed_config: { '@type': url(HCM), rds: { route_config_name: 'r', config_source: { ads: {} } } } }] }] }, 'filter_chains[0].filters[0].typed_config.stat_prefix', /at least 1 runes/);
    hasError(LISTENER_TYPE, { name: 'l', listener_filters: [{ name: '' }] }, 'listener_filters[0].name', /at least 1 runes/);
    hasError('envoy.config.core.v3.TypedExtensionConfig', { name: 'x' }, 'typed_config', /value is required/);
  });

  it('validateResource reports decoding problems and rule violations together, never throws', () => {
    const errs = errorsOf(ROUTE_CONFIGURATION_TYPE, rcWith({ bogus: 1 }, { domains: [] }));
    assert.ok(errs.some((e) => /routes\[0\]\.bogus: unknown field/.test(e)), errs.join('\n'));
    assert.ok(errs.some((e) => /virtual_hosts\[0\]\.domains: value must contain at least 1 item/.test(e)), errs.join('\n'));
    assert.deepEqual(validateResource(CLUSTER_TYPE, 'not an object').map((e) => e.path), ['']);
    assert.deepEqual(validateResource('no.such.Type', {}).length, 1);
    // validate() alone skips what does not decode
    assert.deepEqual(validate(CLUSTER_TYPE, { name: 'c', connect_timeout: 'soon' }), []);
  });
});
