// Traefik's per-connection dispatch on a TCP entry point (pkg/server/router/tcp/router.go ServeTCP).
import assert from 'node:assert/strict';
import { outcomeKey, traefikDispatch, type Conn } from '../../../src/translate/tcp/dispatch';
import { dispatchOf, router } from './helpers';

const tls = (sni: string, ip = '203.0.113.9', alpn: string[] = []): Conn => ({ tls: true, sni, alpn, ip });
const raw = (ip = '203.0.113.9'): Conn => ({ tls: false, sni: '', alpn: [], ip });

describe('tcp/dispatch (Traefik ServeTCP)', () => {
  it('serves non-TLS connections with plain TCP routers first, then the HTTP handler', () => {
    const d = dispatchOf([router('db', 'ClientIP(`10.0.0.0/8`)')]);
    assert.equal(outcomeKey(traefikDispatch(d, raw('10.1.1.1')).outcome), 'tcp:db');
    assert.equal(outcomeKey(traefikDispatch(d, raw('192.0.2.1')).outcome), 'http');
  });

  it('matches plain routers with an empty SNI and no ALPN, even for TLS clients of non-TLS routers', () => {
    const d = dispatchOf([router('alpn', 'ALPN(`h2`)'), router('rx', 'HostSNIRegexp(`^$`)', { priority: 1 })]);
    assert.equal(outcomeKey(traefikDispatch(d, raw()).outcome), 'tcp:rx');
  });

  it('orders TLS routing: HTTPS host > TCP TLS router with a specific rule > HTTPS catch-all > TCP catch-all', () => {
    const rs = [
      router('sni', 'HostSNI(`db.example.com`)', { tls: 'passthrough', priority: 1000 }),
      router('all', 'HostSNI(`*`)', { tls: 'passthrough', priority: 5000 }),
    ];
    const withHosts = dispatchOf(rs, { domains: ['db.example.com', 'www.example.com'], catchAll: false });
    assert.equal(outcomeKey(traefikDispatch(withHosts, tls('db.example.com')).outcome), 'https:https/default', 'HTTPS host wins whatever the priority');
    assert.equal(outcomeKey(traefikDispatch(withHosts, tls('other.org')).outcome), 'tcp:all');
    const withCatchAll = dispatchOf([router('sni', 'HostSNI(`db.example.com`)', { tls: 'passthrough' }), rs[1]!], { domains: [], catchAll: true });
    // The first TCP TLS match is the catch-all (priority 5000): the HTTPS catch-all comes before it.
    assert.equal(outcomeKey(traefikDispatch(withCatchAll, tls('db.example.com')).outcome), 'https:https/default');
    const lowCatchAll = dispatchOf([router('sni', 'HostSNI(`db.example.com`)', { tls: 'passthrough' }), router('all', 'HostSNI(`*`)', { tls: 'passthrough' })], { domains: [], catchAll: true });
    assert.equal(outcomeKey(traefikDispatch(lowCatchAll, tls('db.example.com')).outcome), 'tcp:sni');
    assert.equal(outcomeKey(traefikDispatch(lowCatchAll, tls('x.org')).outcome), 'https:https/default');
  });

  it('treats only exactly HostSNI(`*`) as the catch-all: a ClientIP-restricted one is specific', () => {
    const d = dispatchOf([router('ip', 'HostSNI(`*`) && ClientIP(`10.0.0.0/8`)', { tls: 'passthrough' })], { domains: [], catchAll: true });
    assert.equal(outcomeKey(traefikDispatch(d, tls('a.org', '10.0.0.1')).outcome), 'tcp:ip');
    assert.equal(outcomeKey(traefikDispatch(d, tls('a.org', '192.0.2.1')).outcome), 'https:https/default');
  });

  it('matches HostSNI wildcards on exactly one label, and never an empty SNI', () => {
    const d = dispatchOf([router('w', 'HostSNI(`*.example.com`)', { tls: 'passthrough' })]);
    assert.equal(outcomeKey(traefikDispatch(d, tls('a.example.com')).outcome), 'tcp:w');
    assert.equal(outcomeKey(traefikDispatch(d, tls('a.b.example.com')).outcome), 'close');
    assert.equal(outcomeKey(traefikDispatch(d, tls('')).outcome), 'close');
  });

  it('closes refused clients of an allow list and routers with inFlightConn 0', () => {
    const allow = { type: 'ipAllowList' as const, name: 'allow', cidrs: ['10.0.0.0/8'], provenance: {} as never };
    const d = dispatchOf([router('db', 'HostSNI(`*`)', { middlewares: [allow] })]);
    assert.equal(outcomeKey(traefikDispatch(d, raw('10.2.3.4')).outcome), 'tcp:db');
    assert.equal(outcomeKey(traefikDispatch(d, raw('192.0.2.1')).outcome), 'close');
    const none = dispatchOf([router('db', 'HostSNI(`*`)', { middlewares: [{ type: 'inFlightConn', name: 'z', amount: 0, provenance: {} as never }] })]);
    assert.equal(outcomeKey(traefikDispatch(none, raw()).outcome), 'close');
  });
});
