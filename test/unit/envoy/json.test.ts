import * as assert from 'node:assert/strict';
import {
  EnvoyJsonError,
  canonicalize,
  decodeResource,
  encodeResource,
  fromEnvoyJson,
  fromEnvoyJsonLenient,
  toEnvoyJson,
} from '../../../src/envoy/json';
import { CLUSTER_TYPE, LISTENER_TYPE, ROUTE_CONFIGURATION_TYPE } from '../../../src/envoy/proto';
import { HCM } from './fixtures';

const url = (t: string) => `type.googleapis.com/${t}`;

/** JSON → message → JSON, and JSON → bytes → JSON, must both give `expected`. */
function roundTrip(typeName: string, input: unknown, expected: unknown): void {
  assert.deepEqual(toEnvoyJson(typeName, fromEnvoyJson(typeName, input)), expected);
  assert.deepEqual(decodeResource(typeName, encodeResource(typeName, input)), expected);
}

function throwsAt(typeName: string, input: unknown, path: string, message: RegExp): void {
  assert.throws(
    () => fromEnvoyJson(typeName, input),
    (e: unknown) => {
      assert.ok(e instanceof EnvoyJsonError, `expected EnvoyJsonError, got ${String(e)}`);
      assert.equal(e.path, path);
      assert.match(e.detail, message);
      return true;
    },
  );
}

describe('envoy/json: well-known types', () => {
  it('Duration: proto3 JSON strings, 0/3/6/9 fraction digits', () => {
    const cases: [string, string][] = [
      ['5s', '5s'],
      ['1.5s', '1.500s'],
      ['0.1s', '0.100s'],
      ['0.000001s', '0.000001s'],
      ['0.000000001s', '0.000000001s'],
      ['-1.5s', '-1.500s'],
      ['-0.25s', '-0.250s'],
      ['0s', '0s'],
      ['315576000000s', '315576000000s'],
    ];
    for (const [input, out] of cases) {
      roundTrip('google.protobuf.Duration', input, out);
      roundTrip(CLUSTER_TYPE, { name: 'c', connect_timeout: input }, { name: 'c', connect_timeout: out });
    }
  });

  it('Duration: malformed values are errors', () => {
    for (const bad of ['5', '5ms', '1.1234567890s', 'abc', '1.s', ' 5s', '315576000001s']) {
      throwsAt(CLUSTER_TYPE, { connect_timeout: bad }, 'connect_timeout', /invalid duration/);
    }
    throwsAt(CLUSTER_TYPE, { connect_timeout: 5 }, 'connect_timeout', /expected a duration string/);
    throwsAt(CLUSTER_TYPE, { connect_timeout: { seconds: 5 } }, 'connect_timeout', /expected a duration string/);
  });

  it('Timestamp: RFC 3339 in, UTC with Z out', () => {
    roundTrip('google.protobuf.Timestamp', '2024-01-02T03:04:05Z', '2024-01-02T03:04:05Z');
    roundTrip('google.protobuf.Timestamp', '2024-01-02T03:04:05.5+01:00', '2024-01-02T02:04:05.500Z');
    roundTrip('google.protobuf.Timestamp', '1970-01-01T00:00:00.000000001Z', '1970-01-01T00:00:00.000000001Z');
    roundTrip('google.protobuf.Timestamp', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z');
    for (const bad of ['2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', 'yesterday', '2024-01-02 03:04:05Z', '2024-01-02T03:04:05']) {
      assert.throws(() => fromEnvoyJson('google.protobuf.Timestamp', bad), /invalid timestamp/);
    }
  });

  it('wrappers are plain values, and stay present when they hold the default', () => {
    roundTrip('google.protobuf.UInt32Value', 5, 5);
    roundTrip('google.protobuf.UInt32Value', 0, 0);
    roundTrip('google.protobuf.Int32Value', -7, -7);
    roundTrip('google.protobuf.BoolValue', false, false);
    roundTrip('google.protobuf.BoolValue', true, true);
    roundTrip('google.protobuf.StringValue', 'x', 'x');
    roundTrip('google.protobuf.DoubleValue', 1.5, 1.5);
    roundTrip('google.protobuf.DoubleValue', 'NaN', 'NaN');
    roundTrip('google.protobuf.DoubleValue', '-Infinity', '-Infinity');
    roundTrip('google.protobuf.FloatValue', 0.1, 0.1); // float32 printed as its shortest decimal
    roundTrip('google.protobuf.Int64Value', 123, '123');
    roundTrip('google.protobuf.Int64Value', '-9223372036854775808', '-9223372036854775808');
    roundTrip('google.protobuf.UInt64Value', '18446744073709551615', '18446744073709551615');
    roundTrip('google.protobuf.BytesValue', 'aGVsbG8=', 'aGVsbG8=');
    roundTrip('google.protobuf.BytesValue', 'aGVsbG8', 'aGVsbG8='); // unpadded in, padded out
    roundTrip('google.protobuf.BytesValue', '', '');
    roundTrip('google.protobuf.Int64Value', '0', '0');
    roundTrip('google.protobuf.UInt64Value', 0, '0');
    roundTrip('google.protobuf.StringValue', '', '');
    roundTrip(ROUTE_CONFIGURATION_TYPE, { name: 'r', validate_clusters: false }, { name: 'r', validate_clusters: false });
    roundTrip(CLUSTER_TYPE, { name: 'c', per_connection_buffer_limit_bytes: 0 }, { name: 'c', per_connection_buffer_limit_bytes: 0 });
  });

  it('wrappers reject the wrong JSON type and out-of-range values', () => {
    assert.throws(() => fromEnvoyJson('google.protobuf.UInt32Value', '5'), /expected an integer/);
    assert.throws(() => fromEnvoyJson('google.protobuf.UInt32Value', -1), /out of range/);
    assert.throws(() => fromEnvoyJson('google.protobuf.BoolValue', 'true'), /expected true or false/);
    assert.throws(() => fromEnvoyJson('google.protobuf.UInt64Value', '18446744073709551616'), /out of range/);
    assert.throws(() => fromEnvoyJson('google.protobuf.Int64Value', 2 ** 60), /as strings/);
    assert.throws(() => fromEnvoyJson('google.protobuf.FloatValue', 1e39), /out of range for float/);
    assert.throws(() => fromEnvoyJson('google.protobuf.BytesValue', 'not base64!'), /invalid base64/);
  });

  it('Struct, Value and ListValue are JSON values', () => {
    const struct = { a: 1, b: 'x', c: true, d: null, e: [1, 'two', { f: [] }], g: { h: {} } };
    roundTrip('google.protobuf.Struct', struct, struct);
    roundTrip('google.protobuf.Value', null, null);
    roundTrip('google.protobuf.Value', 'x', 'x');
    roundTrip('google.protobuf.ListValue', [1, null, [2]], [1, null, [2]]);
    const md = { name: 'c', metadata: { filter_metadata: { 'traefik.io': { router: 'default/web', weight: 3 } } } };
    roundTrip(CLUSTER_TYPE, md, md);
  });

  it('Empty and FieldMask', () => {
    roundTrip('google.protobuf.Empty', {}, {});
    assert.throws(() => fromEnvoyJson('google.protobuf.Empty', { x: 1 }), /unknown field "x"/);
    roundTrip('google.protobuf.FieldMask', 'fooBar,baz.quxQuux', 'fooBar,baz.quxQuux');
    const m = fromEnvoyJson('google.protobuf.FieldMask', 'fooBar,baz.quxQuux') as unknown as { paths: string[] };
    assert.deepEqual(m.paths, ['foo_bar', 'baz.qux_quux']);
    roundTrip('google.protobuf.FieldMask', '', '');
    assert.throws(() => fromEnvoyJson('google.protobuf.FieldMask', 'foo_bar'), /invalid field mask/);
  });

  it('Any: round trip with "@type" and the fields inline, nested Anys too', () => {
    const listener = {
      name: 'l',
      filter_chains: [
        {
          filters: [
            {
              name: 'hcm',
              typed_config: {
                '@type': url(HCM),
                stat_prefix: 'web',
                http_filters: [{ name: 'router', typed_config: { '@type': url('envoy.extensions.filters.http.router.v3.Router') } }],
              },
            },
          ],
        },
      ],
    };
    roundTrip(LISTENER_TYPE, listener, listener);
  });

  it('Any: well-known types go under "value"', () => {
    const any = { '@type': url('google.protobuf.StringValue'), value: 'chain-a' };
    roundTrip('google.protobuf.Any', any, any);
    const dur = { '@type': url('google.protobuf.Duration'), value: '1.500s' };
    roundTrip('google.protobuf.Any', dur, dur);
    assert.throws(() => fromEnvoyJson('google.protobuf.Any', { '@type': url('google.protobuf.StringValue') }), /needs "value"/);
  });

  it('Any: unknown or missing @type is an error', () => {
    const l = (tc: unknown) => ({ filter_chains: [{ filters: [{ name: 'x', typed_config: tc }] }] });
    throwsAt(LISTENER_TYPE, l({ '@type': url('envoy.extensions.filters.network.nope.v3.Nope') }), 'filter_chains[0].filters[0].typed_config.@type', /unknown type/);
    throwsAt(LISTENER_TYPE, l({ stat_prefix: 'x' }), 'filter_chains[0].filters[0].typed_config', /needs "@type"/);
    throwsAt(LISTENER_TYPE, l({ '@type': 7 }), 'filter_chains[0].filters[0].typed_config.@type', /type URL string/);
    roundTrip('google.protobuf.Any', {}, {}); // the empty Any
  });
});

describe('envoy/json: strict reading', () => {
  it('reports an unknown field with its full path, through Anys', () => {
    const l = {
      filter_chains: [{ filters: [{ name: 'hcm', typed_config: { '@type': url(HCM), route_config: { virtual_hosts: [{ name: 'a', domains: ['a'] }, { name: 'b', domainz: ['b'] }] } } }] }],
    };
    throwsAt(LISTENER_TYPE, l, 'filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[1].domainz', /unknown field "domainz" in envoy\.config\.route\.v3\.VirtualHost/);
  });

  it('reports a wrong type with its full path', () => {
    const l = {
      filter_chains: [{ filters: [{ name: 'hcm', typed_config: { '@type': url(HCM), route_config: { virtual_hosts: [{ name: 'a', domains: ['a'] }, { name: 'b', domains: [5] }] } } }] }],
    };
    throwsAt(LISTENER_TYPE, l, 'filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[1].domains[0]', /expected a string, got number 5/);
  });

  it('rejects wrong JSON types for scalars, enums and messages', () => {
    const sa = (v: object) => ({ address: { socket_address: { address: '0.0.0.0', ...v } } });
    throwsAt(LISTENER_TYPE, sa({ port_value: '80' }), 'address.socket_address.port_value', /expected an integer/);
    throwsAt(LISTENER_TYPE, sa({ port_value: 1.5 }), 'address.socket_address.port_value', /expected an integer/);
    throwsAt(LISTENER_TYPE, sa({ port_value: 2 ** 32 }), 'address.socket_address.port_value', /out of range for uint32/);
    throwsAt(LISTENER_TYPE, sa({ port_value: -1 }), 'address.socket_address.port_value', /out of range/);
    throwsAt(LISTENER_TYPE, sa({ protocol: 'SCTP' }), 'address.socket_address.protocol', /unknown value "SCTP" for enum envoy\.config\.core\.v3\.SocketAddress\.Protocol/);
    throwsAt(LISTENER_TYPE, sa({ protocol: true }), 'address.socket_address.protocol', /expected an enum name/);
    throwsAt(LISTENER_TYPE, { name: { x: 1 } }, 'name', /expected a string, got an object/);
    throwsAt(LISTENER_TYPE, { address: 'x' }, 'address', /expected an object/);
    throwsAt(LISTENER_TYPE, { filter_chains: {} }, 'filter_chains', /expected an array/);
    throwsAt(LISTENER_TYPE, { filter_chains: [null] }, 'filter_chains[0]', /null in a list/);
    throwsAt(CLUSTER_TYPE, { respect_dns_ttl: 'yes' }, 'respect_dns_ttl', /expected true or false/);
    throwsAt('envoy.type.v3.Int64Range', { start: '1e3' }, 'start', /64-bit integer/);
    throwsAt('envoy.type.v3.Int64Range', { start: '9223372036854775808' }, 'start', /out of range for int64/);
  });

  it('rejects two members of one oneof', () => {
    const rc = { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'a', weighted_clusters: { clusters: [{ name: 'b', weight: 1 }] } } }] }] };
    throwsAt(ROUTE_CONFIGURATION_TYPE, rc, 'virtual_hosts[0].routes[0].route.weighted_clusters', /only one of oneof cluster_specifier may be set, but cluster is set too/);
    const two = { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/', path: '/x' }, direct_response: { status: 200 } }] }] };
    throwsAt(ROUTE_CONFIGURATION_TYPE, two, 'virtual_hosts[0].routes[0].match.path', /oneof path_specifier/);
    // null is "not set", so it does not conflict
    const withNull = { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/', path: null }, direct_response: { status: 200 } }] }] };
    assert.deepEqual(canonicalize(ROUTE_CONFIGURATION_TYPE, withNull).virtual_hosts, [
      { name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 200 } }] },
    ]);
  });

  it('accepts lowerCamel names, but not the same field twice', () => {
    assert.deepEqual(canonicalize(CLUSTER_TYPE, { name: 'c', connectTimeout: '1s', edsClusterConfig: { serviceName: 's' } }), {
      name: 'c',
      eds_cluster_config: { service_name: 's' },
      connect_timeout: '1s',
    });
    throwsAt(CLUSTER_TYPE, { connect_timeout: '1s', connectTimeout: '2s' }, 'connect_timeout', /given twice/);
  });

  it('takes enums by name or number and prints names', () => {
    assert.deepEqual(canonicalize(CLUSTER_TYPE, { name: 'c', type: 3, lb_policy: 'RING_HASH' }), { name: 'c', type: 'EDS', lb_policy: 'RING_HASH' });
    assert.deepEqual(canonicalize(CLUSTER_TYPE, { name: 'c', lb_policy: 'ROUND_ROBIN' }), { name: 'c' }, 'the zero value is the default');
    // a oneof member has presence: its zero value is kept
    assert.deepEqual(canonicalize(CLUSTER_TYPE, { name: 'c', type: 'STATIC' }), { name: 'c', type: 'STATIC' });
  });

  it('64-bit integers: string or number in, string out', () => {
    roundTrip('envoy.type.v3.Int64Range', { start: '-5', end: 10 }, { start: '-5', end: '10' });
    roundTrip('envoy.type.v3.Int64Range', { start: 0, end: '0' }, {});
  });

  it('maps: keys sorted, values checked with their key in the path', () => {
    const input = {
      name: 'v',
      domains: ['*'],
      typed_per_filter_config: {
        'z.filter': { '@type': url('envoy.config.route.v3.FilterConfig'), disabled: true },
        'a.filter': { '@type': url('envoy.config.route.v3.FilterConfig'), is_optional: true },
      },
    };
    const out = canonicalize('envoy.config.route.v3.VirtualHost', input);
    assert.deepEqual(Object.keys(out.typed_per_filter_config as object), ['a.filter', 'z.filter']);
    const bad = { ...input, typed_per_filter_config: { 'a.filter': { '@type': url('envoy.config.route.v3.FilterConfig'), disabled: 'yes' } } };
    throwsAt('envoy.config.route.v3.VirtualHost', bad, 'typed_per_filter_config["a.filter"].disabled', /expected true or false/);
  });

  it('null means unset; defaults are dropped; empty messages are kept', () => {
    assert.deepEqual(canonicalize(LISTENER_TYPE, { name: 'l', stat_prefix: null, address: { socket_address: { address: '', port_value: 0 } }, listener_filters_timeout: null }), {
      name: 'l',
      address: { socket_address: { port_value: 0 } }, // port_value is a oneof member: present
    });
    assert.deepEqual(canonicalize('envoy.config.core.v3.ConfigSource', { ads: {}, resource_api_version: 'V3' }), { ads: {}, resource_api_version: 'V3' });
  });

  it('is deterministic: key order of the input does not matter', () => {
    const a = { name: 'c', connect_timeout: '1s', type: 'EDS', eds_cluster_config: { service_name: 's', eds_config: { ads: {} } } };
    const b = { eds_cluster_config: { eds_config: { ads: {} }, service_name: 's' }, type: 'EDS', connect_timeout: '1s', name: 'c' };
    assert.deepEqual(Buffer.from(encodeResource(CLUSTER_TYPE, a)), Buffer.from(encodeResource(CLUSTER_TYPE, b)));
    assert.equal(JSON.stringify(canonicalize(CLUSTER_TYPE, a)), JSON.stringify(canonicalize(CLUSTER_TYPE, b)));
    assert.deepEqual(Object.keys(canonicalize(CLUSTER_TYPE, b)), ['name', 'type', 'eds_cluster_config', 'connect_timeout']);
  });

  it('lenient mode collects every problem and keeps the rest', () => {
    const { message, problems } = fromEnvoyJsonLenient(CLUSTER_TYPE, { name: 5, connect_timeout: 'soon', bogus: 1, lb_policy: 'MAGLEV' });
    assert.deepEqual(
      problems.map((p) => p.path),
      ['name', 'connect_timeout', 'bogus'],
    );
    assert.deepEqual(toEnvoyJson(CLUSTER_TYPE, message!), { lb_policy: 'MAGLEV' });
  });
});
