import assert from 'node:assert/strict';
import { formatDuration, parseTraefikDuration } from '../../../src/config/duration';

function ms(v: string | number): number {
  const r = parseTraefikDuration(v);
  if (typeof r !== 'number') throw new Error(`expected a duration for ${String(v)}, got ${r.error}`);
  return r;
}

function err(v: string | number): string {
  const r = parseTraefikDuration(v);
  assert.equal(typeof r, 'object', `expected an error for ${String(v)}, got ${String(r)}`);
  return (r as { error: string }).error;
}

describe('config/duration: parseTraefikDuration', () => {
  it('a bare integer (number or string) means seconds', () => {
    assert.equal(ms(60), 60_000);
    assert.equal(ms('60'), 60_000);
    assert.equal(ms('0'), 0);
    assert.equal(ms(0), 0);
    assert.equal(ms('+5'), 5_000);
    assert.equal(ms('007'), 7_000);
    assert.equal(ms(-2), -2_000);
  });

  it('Go syntax: single units', () => {
    assert.equal(ms('100ms'), 100);
    assert.equal(ms('30s'), 30_000);
    assert.equal(ms('2m'), 120_000);
    assert.equal(ms('1h'), 3_600_000);
    assert.equal(ms('1500us'), 1.5);
    assert.equal(ms('1500µs'), 1.5); // U+00B5
    assert.equal(ms('1500μs'), 1.5); // U+03BC
    assert.equal(ms('2000000ns'), 2);
  });

  it('Go syntax: composite, fractions and signs', () => {
    assert.equal(ms('1m30s'), 90_000);
    assert.equal(ms('1h2m3s4ms'), 3_723_004);
    assert.equal(ms('1.5h'), 5_400_000);
    assert.equal(ms('.5s'), 500);
    assert.equal(ms('1.s'), 1_000);
    assert.equal(ms('-1m30s'), -90_000);
    assert.equal(ms('0s'), 0);
    assert.equal(ms('-0'), 0);
  });

  it('rejects what Go and paerser reject', () => {
    assert.match(err(1.5), /missing unit/);
    assert.match(err('1.5'), /missing unit/);
    assert.match(err('10x'), /unknown unit "x"/);
    assert.match(err('1d'), /unknown unit "d"/);
    assert.match(err(''), /invalid duration/);
    assert.match(err('s'), /invalid duration/);
    assert.match(err('.s'), /invalid duration/);
    assert.match(err(' 5s'), /invalid duration/);
    assert.match(err('5 s'), /unknown unit/);
    assert.match(err('1h-2m'), /unknown unit "h-"/);
    assert.match(err('abc'), /invalid duration/);
    assert.match(err('-'), /invalid duration/);
    assert.match(err(Number.NaN), /invalid duration/);
  });

  it('rejects values that overflow Go int64 nanoseconds', () => {
    assert.match(err('9999999999999999999ns'), /invalid duration/);
    assert.match(err('3000000h'), /invalid duration/);
    assert.match(err('99999999999'), /out of range/);
    assert.equal(ms('2562047h'), 2562047 * 3_600_000);
  });

  it('formatDuration prints Go-style durations', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(100), '100ms');
    assert.equal(formatDuration(3_600_000), '1h0m0s');
    assert.equal(formatDuration(1.5), '1.5ms');
    assert.equal(formatDuration(0.001), '1µs');
    assert.equal(formatDuration(-1500), '-1.5s');
    for (const s of ['1m30s', '100ms', '1h0m0s', '2.5s']) assert.equal(formatDuration(ms(s)), s);
  });
});
