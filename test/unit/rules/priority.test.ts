import assert from 'node:assert/strict';
import { defaultPriority, MAX_PRIORITY, priorityError, ruleByteLength } from '../../../src/model/rules';

describe('rules/priority', () => {
  it('is the byte length of the rule as written (HTTP)', () => {
    assert.equal(defaultPriority('Host(`example.com`)', 'http'), 19);
    assert.equal(defaultPriority('Host(`example.com`) && PathPrefix(`/api`)', 'http'), 41);
    // Whitespace counts.
    assert.equal(defaultPriority('  Host(`a`)  ', 'http'), 13);
    // Invalid rules still have a length.
    assert.equal(defaultPriority('Host(', 'http'), 5);
  });

  it('counts UTF-8 bytes, not characters', () => {
    assert.equal(defaultPriority('Path(`/é`)', 'http'), 11); // é is 2 bytes
    assert.equal(defaultPriority('Path(`/€`)', 'http'), 12); // € is 3 bytes
    assert.equal(defaultPriority('Path(`/😀`)', 'http'), 13); // 😀 is 4 bytes (2 UTF-16 units)
    assert.equal(ruleByteLength('日本'), 6);
  });

  it('is -1 for a TCP rule that is exactly a HostSNI(`*`) matcher', () => {
    assert.equal(defaultPriority('HostSNI(`*`)', 'tcp'), -1);
    assert.equal(defaultPriority('   HostSNI ( `*` )       ', 'tcp'), -1);
    assert.equal(defaultPriority('HostSNI("*")', 'tcp'), -1);
    assert.equal(defaultPriority('HOSTSNI(`*`)', 'tcp'), -1);
    assert.equal(defaultPriority('hostsni(`*`)', 'tcp'), -1);
    assert.equal(defaultPriority('(HostSNI(`*`))', 'tcp'), -1);
    assert.equal(defaultPriority('HostSNI("\\x2a")', 'tcp'), -1);
    // Traefik only looks at the leaf; a `!` merely flags it.
    assert.equal(defaultPriority('!HostSNI(`*`)', 'tcp'), -1);
  });

  it('is the length for every other TCP rule', () => {
    assert.equal(defaultPriority('HostSNI(`example.org`)', 'tcp'), 22);
    assert.equal(defaultPriority('HostSNI(`*`) && ClientIP(`10.0.0.0/8`)', 'tcp'), 38);
    assert.equal(defaultPriority('HostSNI(`*`, `a`)', 'tcp'), 17);
    assert.equal(defaultPriority('HostSni(`*`)', 'tcp'), 12);
    assert.equal(defaultPriority('HostSNI(`*`', 'tcp'), 11);
    // HTTP rules never get -1.
    assert.equal(defaultPriority('HostSNI(`*`)', 'http'), 12);
  });

  it('accepts priorities up to MaxInt64 - 1000', () => {
    assert.equal(MAX_PRIORITY, 9223372036854774807n);
    assert.equal(priorityError(MAX_PRIORITY), undefined);
    assert.equal(priorityError(0), undefined);
    assert.equal(priorityError(-5), undefined);
    assert.equal(priorityError(Number.MAX_SAFE_INTEGER), undefined);
    assert.match(priorityError(MAX_PRIORITY + 1n)!, /exceeds the max user-defined priority 9223372036854774807/);
    assert.match(priorityError(1.5)!, /not an integer/);
  });
});
