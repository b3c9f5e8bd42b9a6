// CIDR → regex over X-Forwarded-For (IPAllowList ipStrategy): checked against Traefik's strategies
// (pkg/ip/strategy.go, checker.go) on generated headers, with the peer address Envoy appends.
import * as assert from 'node:assert/strict';
import { fullMatchRe2 } from '../../helpers/re2-cache';
import { cidrToRange, octetRange, rangesPattern, subtractRanges, parseV4, type V4Range } from '../../../src/translate/http/middlewares/xff-regex';
import { depthRegex, poolRegex } from '../../../src/translate/http/middlewares/ip-allow-list';

const full = (re: string, s: string) => fullMatchRe2(re, s);

/** Go's netip.ParseAddr for IPv4 text (no leading zeros). */
function v4(s: string): number | undefined {
  const f = s.split('.');
  if (f.length !== 4 || f.some((x) => !/^(0|[1-9][0-9]{0,2})$/.test(x) || Number(x) > 255)) return undefined;
  return parseV4(s);
}
const inRanges = (n: number, rs: V4Range[]) => rs.some(([a, b]) => n >= a && n <= b);

/** IsAuthorized: host[:port] (SplitHostPort), then the address must be in a range. */
function authorized(entry: string, rs: V4Range[]): boolean {
  const m = /^([^:]*)(?::([^:]*))?$/.exec(entry);
  const host = m ? m[1]! : entry;
  const n = v4(host);
  return n !== undefined && inRanges(n, rs);
}

function traefikDepth(xff: string, depth: number, allowed: V4Range[]): boolean {
  const parts = xff.split(',');
  if (parts.length < depth) return false;
  return authorized(parts[parts.length - depth]!.trim(), allowed);
}

function traefikPool(xff: string, excluded: V4Range[], allowed: V4Range[]): boolean {
  const parts = xff.split(',');
  for (let i = parts.length - 1; i >= 0; i--) {
    const e = parts[i]!.trim();
    if (!e) continue;
    const n = v4(e);
    if (n !== undefined && inRanges(n, excluded)) continue;
    return authorized(e, allowed);
  }
  return false;
}

// A small deterministic PRNG.
let seed = 12345;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

function entry(): string {
  const pick = rnd(10);
  if (pick === 0) return '';
  if (pick === 1) return `10.0.${rnd(3)}.${rnd(256)}:${rnd(9000)}`;
  if (pick === 2) return 'garbage';
  if (pick === 3) return `010.0.0.${rnd(9)}`;
  if (pick === 4) return `::ffff:10.0.0.${rnd(9)}`;
  const a = [[10, 0, rnd(3), rnd(256)], [192, 168, 1, rnd(256)], [172, 16 + rnd(20), rnd(3), rnd(4)], [8, 8, 8, rnd(10)]][rnd(4)]!;
  return (rnd(4) === 0 ? ' ' : '') + a.join('.');
}

describe('middlewares2/xff-regex: IPv4 sets as regexes', () => {
  it('octet ranges match exactly their numbers, without leading zeros', () => {
    for (const [lo, hi] of [[0, 255], [0, 0], [7, 13], [10, 99], [96, 127], [100, 199], [128, 255], [200, 249], [250, 255], [0, 127], [64, 95], [1, 254]]) {
      const re = octetRange(lo!, hi!);
      for (let n = 0; n < 300; n++) assert.equal(full(re, String(n)), n >= lo! && n <= hi!, `${lo}-${hi} on ${n} (${re})`);
      for (const s of ['00', '01', '007', '099', '0100']) assert.equal(full(re, s), false, `${re} on ${s}`);
    }
  });

  it('CIDR sets and differences match exactly their addresses', () => {
    const cidrs = ['10.0.0.0/23', '192.168.1.128/25', '172.16.0.0/12', '8.8.8.8/32'];
    const allowed = cidrs.map(cidrToRange);
    const excluded = ['10.0.1.0/24', '172.20.0.0/16'].map(cidrToRange);
    const diff = subtractRanges(allowed, excluded);
    const re = rangesPattern(allowed)!;
    const reDiff = rangesPattern(diff)!;
    for (let i = 0; i < 3000; i++) {
      const e = entry().trim();
      const n = v4(e);
      assert.equal(full(re, e), n !== undefined && inRanges(n, allowed), `${e} in ${cidrs}`);
      assert.equal(full(reDiff, e), n !== undefined && inRanges(n, allowed) && !inRanges(n, excluded), `${e} in difference`);
    }
  });

  it('depth N selects the N-th client entry from the right, the peer Envoy appended excluded', () => {
    const allowed = ['10.0.0.0/24', '192.168.1.0/25'].map(cidrToRange);
    for (const depth of [1, 2, 3]) {
      const re = depthRegex(rangesPattern(allowed)!, depth);
      for (let i = 0; i < 1500; i++) {
        const k = rnd(5);
        const client = Array.from({ length: k }, entry);
        const traefikXff = client.join(', ');
        // Envoy: the client's header (absent when no entry), then the peer.
        const envoyXff = [...(k ? [client.join(',')] : []), '203.0.113.9'].join(',');
        const expected = k === 0 ? false : traefikDepth(traefikXff, depth, allowed);
        assert.equal(full(re, envoyXff), expected, `depth ${depth}: ${JSON.stringify(envoyXff)}`);
      }
    }
  });

  it('excludedIPs picks the right-most client entry that is neither empty nor excluded', () => {
    const allowed = ['10.0.0.0/16', '8.8.8.0/24'].map(cidrToRange);
    const excluded = ['10.0.1.0/24', '172.16.0.0/12', '192.168.1.0/24'].map(cidrToRange);
    const re = poolRegex(allowed, excluded)!;
    for (let i = 0; i < 3000; i++) {
      const k = rnd(5);
      const client = Array.from({ length: k }, entry);
      const envoyXff = [...(k ? [client.join(',')] : []), '203.0.113.9'].join(',');
      const expected = k === 0 ? false : traefikPool(client.join(', '), excluded, allowed);
      assert.equal(full(re, envoyXff), expected, `pool: ${JSON.stringify(envoyXff)}`);
    }
  });
});
