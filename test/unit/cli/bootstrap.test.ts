import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { main } from '../../../src/cli/main';
import { BOOTSTRAP_TYPE, RE2_MAX_PROGRAM_SIZE, XDS_CLUSTER, buildBootstrap, parseServerAddress } from '../../../src/cli/bootstrap';
import { UsageError } from '../../../src/cli/common';
import { validateResource } from '../../../src/envoy/validate';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const code = await main(args, out, err);
  return { code, out: o, err: e };
}

function assertValid(b: unknown): void {
  const errs = validateResource(BOOTSTRAP_TYPE, b);
  assert.deepEqual(errs, [], errs.map((x) => `${x.path}: ${x.message}`).join('\n'));
}

const base = { nodeId: 'envoy-1', nodeCluster: 'gateway' };

describe('cli bootstrap', () => {
  it('is a valid Envoy Bootstrap that takes everything from the server over ADS (state of the world)', () => {
    const b = buildBootstrap({ ...base, server: '127.0.0.1:18000' }) as Json;
    assertValid(b);
    assert.deepEqual(b.node, { id: 'envoy-1', cluster: 'gateway' });
    assert.deepEqual(b.dynamic_resources, {
      lds_config: { ads: {}, resource_api_version: 'V3' },
      cds_config: { ads: {}, resource_api_version: 'V3' },
      ads_config: {
        api_type: 'GRPC',
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
        set_node_on_first_message_only: true,
        transport_api_version: 'V3',
      },
    });
    assert.deepEqual(b.admin, { address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } });
  });

  it('--delta switches the ADS stream to DELTA_GRPC and changes nothing else', () => {
    const sotw = buildBootstrap({ ...base, server: 'xds.example:18000' }) as Json;
    const delta = buildBootstrap({ ...base, server: 'xds.example:18000', delta: true }) as Json;
    assertValid(delta);
    assert.equal(delta.dynamic_resources.ads_config.api_type, 'DELTA_GRPC');
    delta.dynamic_resources.ads_config.api_type = 'GRPC';
    assert.deepEqual(delta, sotw);
  });

  it('an IP server gives a STATIC xds_cluster, a host name STRICT_DNS; both speak HTTP/2 with a 5 s connect timeout', () => {
    const cases: [string, string, string, number][] = [
      ['10.1.2.3:18000', 'STATIC', '10.1.2.3', 18000],
      ['[::1]:18001', 'STATIC', '::1', 18001],
      ['host.docker.internal:18000', 'STRICT_DNS', 'host.docker.internal', 18000],
      ['localhost:9000', 'STRICT_DNS', 'localhost', 9000],
    ];
    for (const [server, type, address, port] of cases) {
      const b = buildBootstrap({ ...base, server }) as Json;
      assertValid(b);
      const clusters = b.static_resources.clusters as Json[];
      assert.equal(clusters.length, 1);
      const c = clusters[0];
      assert.equal(c.name, XDS_CLUSTER);
      assert.equal(c.type, type, server);
      assert.equal(c.connect_timeout, '5s');
      assert.equal(c.dns_lookup_family, type === 'STRICT_DNS' ? 'V4_PREFERRED' : undefined);
      assert.deepEqual(c.load_assignment, {
        cluster_name: XDS_CLUSTER,
        endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: port } } } }] }],
      });
      assert.deepEqual(c.typed_extension_protocol_options, {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          explicit_http_config: { http2_protocol_options: {} },
        },
      });
    }
  });

  it('raises the RE2 program size limits in a static runtime layer', () => {
    const b = buildBootstrap({ ...base, server: '127.0.0.1:18000' }) as Json;
    const layers = b.layered_runtime.layers as Json[];
    const stat = layers.find((l) => l.static_layer);
    assert.ok(stat);
    assert.equal(RE2_MAX_PROGRAM_SIZE, 1000);
    assert.equal(stat.static_layer['re2.max_program_size.error_level'], 1000);
    assert.equal(stat.static_layer['re2.max_program_size.warn_level'], 1000);
  });

  it('the validator is not a rubber stamp: a broken bootstrap is refused', () => {
    const b = buildBootstrap({ ...base, server: '127.0.0.1:18000' }) as Json;
    b.static_resources.clusters[0].connect_timeout = '-1s';
    b.dynamic_resources.ads_config.api_type = 'GRPCS';
    const errs = validateResource(BOOTSTRAP_TYPE, b).map((e) => e.path);
    assert.ok(errs.some((p) => p.includes('api_type')), errs.join(', '));
  });

  it('admin port and address', () => {
    const b = buildBootstrap({ ...base, server: '127.0.0.1:18000', adminPort: 19901, adminAddress: '0.0.0.0' }) as Json;
    assertValid(b);
    assert.deepEqual(b.admin.address.socket_address, { address: '0.0.0.0', port_value: 19901 });
  });

  it('parses HOST:PORT and refuses the rest', () => {
    assert.deepEqual(parseServerAddress('a.b:1'), { host: 'a.b', port: 1 });
    assert.deepEqual(parseServerAddress('[2001:db8::1]:443'), { host: '2001:db8::1', port: 443 });
    for (const bad of ['127.0.0.1', ':18000', 'host:0', 'host:65536', 'host:x', '::1:18000', '[nothost]:1', 'a:b:1']) {
      assert.throws(() => parseServerAddress(bad), UsageError, bad);
    }
  });

  describe('command', () => {
    it('prints YAML (with a header saying how it was made and why the runtime layer) that parses to the bootstrap', async () => {
      const r = await run(['bootstrap', '--server', '127.0.0.1:18000', '--node-id', 'envoy-1', '--node-cluster', 'gateway']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^# .*\n# Made by: traefik-xds bootstrap --server 127.0.0.1:18000 --node-id envoy-1 --node-cluster gateway\n/);
      assert.match(r.out, /re2\.max_program_size\.error_level from Envoy's default of 100 to 1000/);
      assert.deepEqual(parse(r.out), buildBootstrap({ ...base, server: '127.0.0.1:18000' }));
    });

    it('-o json, --ads, --delta, --admin-port', async () => {
      const r = await run(['bootstrap', '--server', 'xds:18000', '--node-id', 'n', '--node-cluster', 'c', '--ads', '--delta', '--admin-port', '9999', '-o', 'json']);
      assert.equal(r.code, 0, r.err);
      const b: Json = JSON.parse(r.out);
      assertValid(b);
      assert.equal(b.dynamic_resources.ads_config.api_type, 'DELTA_GRPC');
      assert.deepEqual(b, buildBootstrap({ server: 'xds:18000', nodeId: 'n', nodeCluster: 'c', delta: true, adminPort: 9999 }));
    });

    it('usage errors exit 2', async () => {
      const ok = ['--node-id', 'n', '--node-cluster', 'c'];
      const cases: string[][] = [
        ['bootstrap', ...ok],
        ['bootstrap', '--server', 'xds', ...ok],
        ['bootstrap', '--server', 'xds:1', '--node-cluster', 'c'],
        ['bootstrap', '--server', 'xds:1', ...ok, '--admin-port', 'http'],
        ['bootstrap', '--server', 'xds:1', ...ok, '--admin-port', '70000'],
        ['bootstrap', '--server', 'xds:1', ...ok, '-o', 'toml'],
        ['bootstrap', '--server', 'xds:1', ...ok, '--no-ads'],
      ];
      for (const args of cases) {
        const r = await run(args);
        assert.equal(r.code, 2, args.join(' '));
        assert.equal(r.out, '', args.join(' '));
        assert.notEqual(r.err, '', args.join(' '));
      }
      const noAds = await run(['bootstrap', '--server', 'xds:1', ...ok, '--no-ads']);
      assert.match(noAds.err, /--no-ads is not supported: .*ads: \{\}/);
    });
  });
});
