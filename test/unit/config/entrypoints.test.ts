import assert from 'node:assert/strict';
import { addressesConflict, defaultEntryPoints, formatAddress, parseAddress } from '../../../src/config/entrypoints';
import type { ListenAddress, Protocol } from '../../../src/config/types';

function ok(s: string): ListenAddress {
  const a = parseAddress(s);
  if ('error' in a) throw new Error(`${s}: ${a.error}`);
  return a;
}

function bad(s: string): string {
  const a = parseAddress(s);
  assert.ok('error' in a, `expected an error for ${s}`);
  return a.error;
}

function eps(spec: Record<string, [Protocol, boolean]>) {
  const entryPoints: Record<string, { asDefault: boolean; address: { protocol: Protocol } }> = {};
  for (const [name, [protocol, asDefault]] of Object.entries(spec)) entryPoints[name] = { asDefault, address: { protocol } };
  return { entryPoints };
}

describe('config/entrypoints: parseAddress', () => {
  it('accepts :port, host:port, [ipv6]:port and a /tcp or /udp suffix', () => {
    assert.deepEqual(ok(':80'), { host: '', port: 80, protocol: 'tcp' });
    assert.deepEqual(ok('0.0.0.0:443'), { host: '0.0.0.0', port: 443, protocol: 'tcp' });
    assert.deepEqual(ok('[::]:8443'), { host: '::', port: 8443, protocol: 'tcp' });
    assert.deepEqual(ok('[::1]:53/udp'), { host: '::1', port: 53, protocol: 'udp' });
    assert.deepEqual(ok(':53/udp'), { host: '', port: 53, protocol: 'udp' });
    assert.deepEqual(ok(':53/UDP'), { host: '', port: 53, protocol: 'udp' });
    assert.deepEqual(ok(':80/tcp'), { host: '', port: 80, protocol: 'tcp' });
    assert.deepEqual(ok('localhost:9000'), { host: 'localhost', port: 9000, protocol: 'tcp' });
    assert.deepEqual(ok('127.0.0.1:0'), { host: '127.0.0.1', port: 0, protocol: 'tcp' });
  });

  it('accepts a bare port (port, port/udp) as :port', () => {
    assert.deepEqual(ok('8080'), { host: '', port: 8080, protocol: 'tcp' });
    assert.deepEqual(ok('53/udp'), { host: '', port: 53, protocol: 'udp' });
  });

  it('rejects malformed addresses', () => {
    assert.match(bad(''), /empty/);
    assert.match(bad('web'), /missing port/);
    assert.match(bad('host:'), /missing port/);
    assert.match(bad(':http'), /not a number/);
    assert.match(bad(':65536'), /out of range/);
    assert.match(bad('::1:80'), /too many colons/);
    assert.match(bad('[::1]'), /missing port/);
    assert.match(bad('[::1:80'), /missing "\]"/);
    assert.match(bad('[1.2.3.4]:80'), /not an IPv6/);
    assert.match(bad('999.1.1.1:80'), /not a valid IPv4/);
    assert.match(bad('bad_host:80'), /not a valid host name/);
    assert.match(bad(':80/sctp'), /invalid protocol "sctp"/);
    assert.match(bad(' :80'), /whitespace/);
  });

  it('formatAddress round-trips', () => {
    for (const s of [':80', '0.0.0.0:443', '[::]:8443', ':53/udp']) assert.equal(formatAddress(ok(s), true), s);
    assert.equal(formatAddress(ok(':53/udp')), ':53');
  });
});

describe('config/entrypoints: addressesConflict', () => {
  const c = (a: string, b: string) => addressesConflict(ok(a), ok(b));
  it('same socket, or a wildcard covering the other host', () => {
    assert.equal(c(':80', ':80'), true);
    assert.equal(c(':80', '127.0.0.1:80'), true);
    assert.equal(c('0.0.0.0:80', '10.0.0.1:80'), true);
    assert.equal(c('[::]:80', '[::1]:80'), true);
    assert.equal(c('[::]:80', ':80'), true);
  });
  it('different ports, protocols or specific hosts do not conflict', () => {
    assert.equal(c(':80', ':81'), false);
    assert.equal(c(':53', ':53/udp'), false);
    assert.equal(c('127.0.0.1:80', '127.0.0.2:80'), false);
    assert.equal(c('0.0.0.0:80', '[::1]:80'), false);
  });
});

describe('config/entrypoints: defaultEntryPoints (Traefik rule)', () => {
  it('no asDefault: every non-UDP entry point except "traefik", sorted', () => {
    const cfg = eps({ websecure: ['tcp', false], web: ['tcp', false], dns: ['udp', false], traefik: ['tcp', false] });
    assert.deepEqual(defaultEntryPoints(cfg), ['web', 'websecure']);
  });
  it('asDefault: only the flagged entry points', () => {
    const cfg = eps({ web: ['tcp', false], websecure: ['tcp', true], internal: ['tcp', false] });
    assert.deepEqual(defaultEntryPoints(cfg), ['websecure']);
  });
  it('flagged UDP and "traefik" entry points are still left out, as in Traefik', () => {
    assert.deepEqual(defaultEntryPoints(eps({ web: ['tcp', false], dns: ['udp', true] })), []);
    assert.deepEqual(defaultEntryPoints(eps({ traefik: ['tcp', true], web: ['tcp', true] })), ['web']);
  });
  it('no entry points: none', () => {
    assert.deepEqual(defaultEntryPoints({ entryPoints: {} }), []);
  });
});
