import assert from 'node:assert/strict';
import { ipRegions } from '../../../src/translate/tcp/ip';
import { mergeWeighted } from '../../../src/translate/udp/weights';
import type { TcpUpstream } from '../../../src/model/model';

describe('tcp/ip regions', () => {
  it('cuts the address space into nested CIDR regions with one free address each', () => {
    const r = ipRegions(['10.0.0.0/8', '10.1.0.0/16', '10.0.0.0/9', '2001:db8::/32', '10.0.0.1/8']);
    const byCidr = new Map(r.map((x) => [x.cidr?.text ?? 'outside', x]));
    // 2001:db8:ffff::1 (the preferred IPv6 representative) is inside 2001:db8::/32: the next one is used.
    assert.deepEqual(byCidr.get('outside')!.reps, ['203.0.113.1', '100::1']);
    assert.equal(byCidr.get('10.0.0.0/9')!.parent!.text, '10.0.0.0/8');
    assert.deepEqual(byCidr.get('10.0.0.0/8')!.reps, ['10.128.0.0'], 'the /8 minus its /9 child');
    assert.deepEqual(byCidr.get('10.1.0.0/16')!.reps, ['10.1.0.0']);
    assert.equal(r.filter((x) => x.cidr?.text === '10.0.0.1/8').length, 0, 'the same network once');
  });

  it('reports a region fully covered by its children without a representative', () => {
    const r = ipRegions(['10.0.0.0/31', '10.0.0.0/32', '10.0.0.1/32']);
    assert.deepEqual(r.find((x) => x.cidr?.text === '10.0.0.0/31')!.reps, []);
  });
});

describe('udp/weights (merged weighted cluster)', () => {
  const up = (n: number, base: string): TcpUpstream => ({
    name: base, protocol: 'udp', traefikNames: [], provenance: [], service: { namespace: 'd', name: base, port: 53 }, discovery: 'eds',
    endpoints: Array.from({ length: n }, (_, i) => ({ address: `${base}.${i}`, port: 53, fenced: false })),
  });

  it('gives each service w_i × lcm / n_i per endpoint, so that shares are w_i / Σw', () => {
    const { endpoints, rounded } = mergeWeighted([{ upstream: up(2, '10.0.0'), weight: 3 }, { upstream: up(3, '10.0.1'), weight: 1 }]);
    assert.equal(rounded, false);
    const share = (p: string) => endpoints.filter((e) => e.address.startsWith(p)).reduce((s, e) => s + e.weight, 0);
    assert.equal(share('10.0.0.') / share('10.0.1.'), 3);
    assert.ok(endpoints.every((e) => Number.isInteger(e.weight) && e.weight >= 1));
  });

  it('leaves out zero weights and services without endpoints, and rounds when the exact sum overflows 32 bits', () => {
    assert.equal(mergeWeighted([{ upstream: up(2, 'a'), weight: 0 }, { upstream: up(0, 'b'), weight: 5 }]).endpoints.length, 0);
    const big = mergeWeighted([{ upstream: up(7, 'a'), weight: 5_000_000 }, { upstream: up(11, 'b'), weight: 4_999_999 }, { upstream: up(13, 'c'), weight: 3 }]);
    assert.equal(big.rounded, true);
    assert.ok(big.endpoints.reduce((s, e) => s + e.weight, 0) <= 0xffffffff);
  });
});
