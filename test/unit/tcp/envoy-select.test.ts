// Envoy's FilterChainMatch selection (listener_components.proto), as the classic layout's checker models it.
import assert from 'node:assert/strict';
import { envoySelect, overlappingChains, type SimChain } from '../../../src/translate/tcp/envoy-select';
import type { Conn } from '../../../src/translate/tcp/dispatch';

const tls = (sni: string, ip = '203.0.113.9', alpn: string[] = []): Conn => ({ tls: true, sni, alpn, ip });
const raw = (ip = '203.0.113.9'): Conn => ({ tls: false, sni: '', alpn: [], ip });
const pick = (chains: SimChain[], c: Conn, inspector = true) => envoySelect(chains, c, inspector)?.name;

describe('tcp/envoy-select (Envoy filter-chain matching)', () => {
  it('prefers an exact server name, then the longest wildcard (any depth), then chains without server_names', () => {
    const chains: SimChain[] = [
      { name: 'exact', match: { server_names: ['a.example.com'] } },
      { name: 'wild', match: { server_names: ['*.example.com'] } },
      { name: 'deeper', match: { server_names: ['*.b.example.com'] } },
      { name: 'any', match: {} },
    ];
    assert.equal(pick(chains, tls('a.example.com')), 'exact');
    assert.equal(pick(chains, tls('x.example.com')), 'wild');
    assert.equal(pick(chains, tls('x.y.example.com')), 'wild', 'Envoy wildcards match several labels');
    assert.equal(pick(chains, tls('x.b.example.com')), 'deeper');
    assert.equal(pick(chains, tls('other.org')), 'any');
    assert.equal(pick(chains, tls('')), 'any');
  });

  it('does not backtrack: a server-name match that fails a later criterion closes the connection', () => {
    const chains: SimChain[] = [
      { name: 'a-from-10', match: { server_names: ['a.example.com'], source_prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }] } },
      { name: 'any', match: {} },
    ];
    assert.equal(pick(chains, tls('a.example.com', '10.1.1.1')), 'a-from-10');
    assert.equal(pick(chains, tls('a.example.com', '192.0.2.1')), undefined);
  });

  it('matches the transport protocol only when a TLS inspector detected it', () => {
    const chains: SimChain[] = [{ name: 'raw', match: { transport_protocol: 'raw_buffer' } }, { name: 'tls', match: { transport_protocol: 'tls' } }];
    assert.equal(pick(chains, raw()), 'raw');
    assert.equal(pick(chains, tls('a')), 'tls');
    assert.equal(pick(chains, raw(), false), undefined, 'without tls_inspector the transport protocol is empty');
  });

  it('takes the first ALPN protocol of the client that some chain lists', () => {
    const chains: SimChain[] = [
      { name: 'h2', match: { application_protocols: ['h2'] } },
      { name: 'x', match: { application_protocols: ['x-proto'] } },
      { name: 'none', match: {} },
    ];
    assert.equal(pick(chains, tls('', undefined, ['x-proto', 'h2'])), 'x');
    assert.equal(pick(chains, tls('', undefined, ['h2', 'x-proto'])), 'h2');
    assert.equal(pick(chains, tls('', undefined, ['http/1.1'])), 'none');
  });

  it('picks the longest source prefix', () => {
    const chains: SimChain[] = [
      { name: '8', match: { source_prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }] } },
      { name: '16', match: { source_prefix_ranges: [{ address_prefix: '10.1.0.0', prefix_len: 16 }] } },
      { name: 'v6', match: { source_prefix_ranges: [{ address_prefix: '2001:db8::', prefix_len: 32 }] } },
      { name: 'rest', match: {} },
    ];
    assert.equal(pick(chains, raw('10.1.2.3')), '16');
    assert.equal(pick(chains, raw('10.2.2.3')), '8');
    assert.equal(pick(chains, raw('2001:db8::5')), 'v6');
    assert.equal(pick(chains, raw('192.0.2.1')), 'rest');
  });

  it('finds the chains Envoy rejects as duplicates ("multiple filter chains with the same matching rules")', () => {
    const a: SimChain = { name: 'a', match: { server_names: ['db.example.com', 'x.example.com'], transport_protocol: 'tls' } };
    const b: SimChain = { name: 'b', match: { server_names: ['db.example.com'], transport_protocol: 'tls' } };
    const c: SimChain = { name: 'c', match: { server_names: ['db.example.com'], transport_protocol: 'tls', source_prefix_ranges: [{ address_prefix: '10.0.0.1', prefix_len: 8 }] } };
    const d: SimChain = { name: 'd', match: { server_names: ['db.example.com'], transport_protocol: 'tls', source_prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }] } };
    assert.deepEqual(overlappingChains([a, b]).map(([x, y]) => [x.name, y.name]), [['a', 'b']]);
    assert.deepEqual(overlappingChains([a, c]), []);
    assert.deepEqual(overlappingChains([c, d]).map(([x, y]) => [x.name, y.name]), [['c', 'd']], 'ranges compare by network');
  });
});
