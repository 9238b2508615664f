import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantOfWall, localIso, localSpan, offsetAt } from '../src/sinks/sql/local-time.js';
import { decimalsOf, exactDifference, round15js } from '../src/sinks/sql/dialect.js';

const ZONES = ['Europe/Vienna', 'Europe/Amsterdam', 'Europe/Luxembourg', 'Europe/Oslo', 'UTC', 'America/St_Johns', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago'];

test('local days: start and length agree with Intl walked every 15 minutes over 2026, in several zones', () => {
  for (const zone of ZONES) {
    const name = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    let previous = name.format(Date.parse('2026-01-01T00:00:00Z'));
    // Walk in 15-minute steps (Lord Howe shifts by 30 minutes; Santiago skips midnight, its day starts at 01:00).
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 900_000) {
      const day = name.format(t);
      if (day === previous) continue;
      previous = day;
      const span = localSpan(zone, 'day', t);
      assert.equal(span.start, t, `${zone} ${day} starts at ${new Date(t).toISOString()}`);
      assert.equal(name.format(span.end - 1), day, `${zone} ${day} ends at ${new Date(span.end).toISOString()}`);
      assert.notEqual(name.format(span.end), day);
    }
  }
});

test('wall times: offsets, gaps and repeats', () => {
  assert.equal(offsetAt('Europe/Vienna', Date.parse('2026-03-29T00:59:59Z')), 3_600_000);
  assert.equal(offsetAt('Europe/Vienna', Date.parse('2026-03-29T01:00:00Z')), 7_200_000);
  // 02:30 on 29 March does not exist in Vienna: the gap ends at 03:00 CEST = 01:00 UTC.
  assert.equal(new Date(instantOfWall('Europe/Vienna', Date.parse('2026-03-29T02:30:00Z'))).toISOString(), '2026-03-29T01:00:00.000Z');
  const twice = instantOfWall('Europe/Vienna', Date.parse('2026-10-25T02:30:00Z'));
  assert.ok(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z'].includes(new Date(twice).toISOString()));
  assert.equal(localIso('Europe/Vienna', Date.parse('2026-10-24T22:00:00Z')), '2026-10-25T00:00:00.000+02:00');
  assert.equal(localIso('America/St_Johns', Date.parse('2026-01-01T03:30:00Z')), '2026-01-01T00:00:00.000-03:30');
  const month = localSpan('Europe/Vienna', 'month', Date.parse('2026-10-15T00:00:00Z'));
  assert.deepEqual([new Date(month.start).toISOString(), new Date(month.end).toISOString()], ['2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z']);
});

test('numbers without float noise', () => {
  assert.equal(exactDifference(123.456, 123.387), 0.069);
  assert.equal(123.456 - 123.387 === 0.069, false, 'the naive difference is noisy');
  assert.equal(exactDifference(1000345, 1000031), 314);
  assert.equal(exactDifference(0.1, 0.3), -0.2);
  assert.equal(decimalsOf(1e-7), 7);
  assert.equal(decimalsOf(1.25), 2);
  assert.equal(decimalsOf(1200), 0);
  assert.equal(round15js(0.1 + 0.2), 0.3);
  assert.equal(round15js(69 * 0.001), 0.069);
  assert.equal(round15js(Number.NaN), Number.NaN);
});
