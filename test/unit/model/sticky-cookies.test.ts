import * as assert from 'node:assert/strict';
import {
  defaultCookieName, sanitizeCookieName, stickyCookieOf, stickyCookieValue, validCookieDomain,
} from '../../../src/model/sticky-cookies';
import type { Provenance } from '../../../src/model/model';

const prov: Provenance = { kind: 'TraefikService', namespace: 'default', name: 'wrr', field: 'spec.weighted.sticky.cookie', subject: { kind: 'TraefikService' } };

describe('model/sticky-cookies (traefik-semantics.md §11.2)', () => {
  it('generates Traefik\'s default cookie name from the qualified service name', () => {
    // The example of traefik-semantics.md §11.2.
    assert.equal(defaultCookieName('default-whoami-80@kubernetescrd'), '_9fb22');
    assert.equal(defaultCookieName('default-wrr1@kubernetescrd'), '_35140');
  });

  it('sanitizes a configured name like pkg/server/cookie (every non-token rune becomes _)', () => {
    assert.equal(sanitizeCookieName('my cookie/v1'), 'my_cookie_v1');
    assert.equal(sanitizeCookieName("a!#$%&'*+-.^`|~Z9"), "a!#$%&'*+-.^`|~Z9");
    assert.equal(sanitizeCookieName('é;x'), '__x');
  });

  it('writes the first 16 hex digits of sha256(handler name) as the value', () => {
    assert.equal(stickyCookieValue('default-whoami1-80'), '05f749141bdebe7d');
  });

  it('validates domains as Go does (a letter needed, no "_", IPv4 allowed, leading dot allowed)', () => {
    assert.ok(validCookieDomain('example.com'));
    assert.ok(validCookieDomain('.example.com'));
    assert.ok(validCookieDomain('10.0.0.1'));
    assert.ok(!validCookieDomain('123'));
    assert.ok(!validCookieDomain('a_b.com'));
    assert.ok(!validCookieDomain('-a.com'));
    assert.ok(!validCookieDomain('a..com'));
    assert.ok(!validCookieDomain('::1'));
  });

  it('applies Traefik\'s defaults: path /, session cookie, not secure, not httpOnly, default SameSite', () => {
    const c = stickyCookieOf({}, 'default-wrr@kubernetescrd', prov);
    assert.deepEqual({ ...c, provenance: undefined }, {
      name: defaultCookieName('default-wrr@kubernetescrd'), secure: false, httpOnly: false, sameSite: undefined, maxAge: 0, path: '/', provenance: undefined,
    });
    const d = stickyCookieOf({ name: 'n', sameSite: 'Strict', domain: '.example.com', path: '' }, 'x', prov);
    assert.equal(d.sameSite, 'strict');
    assert.equal(d.domain, 'example.com');
    assert.equal(d.path, '');
    const e = stickyCookieOf({ sameSite: 'bogus', domain: 'bad_domain' }, 'x', prov);
    assert.equal(e.sameSite, undefined);
    assert.equal(e.domain, undefined);
    assert.equal(e.droppedDomain, 'bad_domain');
  });
});
