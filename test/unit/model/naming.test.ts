import * as assert from 'node:assert/strict';
import { httpRouterName, makeID, normalize, tcpRouterName } from '../../../src/model/naming';

describe('model/naming (traefik-semantics.md §3)', () => {
  it('Normalize splits on every non-letter, non-digit rune and joins with "-"', () => {
    assert.equal(normalize('default/test.route'), 'default-test-route');
    assert.equal(normalize('multiple---hyphens'), 'multiple-hyphens');
    assert.equal(normalize('_lead.and.trail_'), 'lead-and-trail');
    assert.equal(normalize('ünïcode-ok'), 'ünïcode-ok');
  });

  it('makeID leaves out an empty namespace', () => {
    assert.equal(makeID('', 'a'), 'a');
    assert.equal(makeID('ns', 'a'), 'ns-a');
  });

  it('names HTTP routers as Traefik does (its documented example)', () => {
    assert.equal(httpRouterName('default', 'test.route', 'Host(`foo.com`) && PathPrefix(`/bar`)'), 'default-test-route-6b204d94623b3df4370c');
  });

  it('does not normalise TCP router names', () => {
    assert.match(tcpRouterName('default', 'test.route', 'HostSNI(`*`)'), /^default-test\.route-[0-9a-f]{20}$/);
  });
});
