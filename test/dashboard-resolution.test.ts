/**
 * The dashboard's resolution choice (never more than ~2,000 points per chart), local-time buckets across the 2026
 * DST changes in Europe/Vienna, and the in-memory history: means per bucket, energy per bucket, bounded memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseResolution, MAX_POINTS, nominalStepMs, RESOLUTIONS } from '../src/dashboard/resolution.js';
import { bucketStart, nextBucket } from '../src/dashboard/local-time.js';
import { createMemoryHistory } from '../src/dashboard/memory-history.js';
import type { MeterMessage } from '../src/core/model/message.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 5, 10, 8, 0, 0);

test('resolution: the finest one that keeps a range within 2,000 points', () => {
  const at = (ms: number, raw?: number) => chooseResolution(T0, T0 + ms, raw === undefined ? {} : { rawIntervalMs: raw });
  assert.equal(at(15 * MIN), 'raw'); // 900 one-second samples
  assert.equal(at(30 * MIN), 'raw'); // 1,800
  assert.equal(at(40 * MIN), '5min'); // 2,400 samples would be too many
  assert.equal(at(2 * HOUR, 5000), 'raw'); // an Austrian meter pushing every 5 s: 1,440 samples
  assert.equal(at(3 * HOUR, 5000), '5min');
  assert.equal(at(DAY), '5min'); // 288
  assert.equal(at(7 * DAY), '15min'); // a week: 2,016 five-minute buckets would be too many, 672 of 15 minutes
  assert.equal(at(6 * DAY), '5min');
  assert.equal(at(10 * DAY), '15min');
  assert.equal(at(31 * DAY), 'hour'); // 744
  assert.equal(at(365 * DAY), 'day');
  assert.equal(at(10 * 365 * DAY), 'month');
  assert.equal(at(500 * 365 * DAY), 'month'); // nothing coarser
  assert.equal(at(0), 'raw');
});

test('resolution: the chosen one is the finest that fits, for every range up to 20 years', () => {
  for (let span = 1000; span < 20 * 365 * DAY; span = Math.ceil(span * 1.37)) {
    for (const raw of [1000, 2500, 10_000]) {
      const r = chooseResolution(T0, T0 + span, { rawIntervalMs: raw });
      const i = RESOLUTIONS.indexOf(r);
      if (r !== 'month') assert.ok(Math.ceil(span / nominalStepMs(r, raw)) + 1 <= MAX_POINTS, `${span} ms → ${r}: too many points`);
      if (i > 0) {
        const finer = RESOLUTIONS[i - 1];
        assert.ok(Math.ceil(span / nominalStepMs(finer, raw)) + 1 > MAX_POINTS, `${span} ms → ${r}, but ${finer} would fit`);
      }
    }
  }
});

test('local days and months in Europe/Vienna across the 2026 DST changes (23- and 25-hour days)', () => {
  const tz = 'Europe/Vienna';
  // 29 March 2026: 02:00 CET → 03:00 CEST. The day starts at 23:00 UTC the day before and lasts 23 hours.
  const spring = bucketStart(Date.UTC(2026, 2, 29, 12), 'day', tz);
  assert.equal(spring, Date.UTC(2026, 2, 28, 23));
  assert.equal(nextBucket(spring, 'day', tz) - spring, 23 * HOUR);
  // 25 October 2026: 03:00 CEST → 02:00 CET: 25 hours, from 22:00 UTC.
  const autumn = bucketStart(Date.UTC(2026, 9, 25, 12), 'day', tz);
  assert.equal(autumn, Date.UTC(2026, 9, 24, 22));
  assert.equal(nextBucket(autumn, 'day', tz) - autumn, 25 * HOUR);
  // Local hours: 01:30 UTC on 25 Oct is 02:30 CET (the second one), its hour starts at 01:00 UTC.
  assert.equal(bucketStart(Date.UTC(2026, 9, 25, 1, 30), 'hour', tz), Date.UTC(2026, 9, 25, 1));
  assert.equal(bucketStart(Date.UTC(2026, 2, 15, 10), 'month', tz), Date.UTC(2026, 1, 28, 23));
  assert.equal(nextBucket(Date.UTC(2026, 1, 28, 23), 'month', tz), Date.UTC(2026, 2, 31, 22)); // April starts in CEST
  // A half-hour zone: local hours start at :30 UTC.
  assert.equal(bucketStart(Date.UTC(2026, 0, 5, 10, 10), 'hour', 'Asia/Kolkata'), Date.UTC(2026, 0, 5, 9, 30));
  assert.equal(bucketStart(Date.UTC(2026, 0, 5, 10, 7), '5min', tz), Date.UTC(2026, 0, 5, 10, 5));
});

function message(t: number, powerW: number, energyKWh: number): MeterMessage {
  return {
    meter: { id: 'M1' }, timestamp: new Date(t).toISOString(), format: 'dsmr', issues: [],
    readings: [
      { obis: '1-0:1.7.0', id: 'power_import', name: 'Active power import (+P)', value: powerW / 1000, unit: 'kW', quality: [] },
      { obis: '1-0:1.8.0', id: 'energy_import', name: 'Active energy import (+A)', value: energyKWh, unit: 'kWh', quality: [] },
      { obis: '0-0:96.1.0', id: 'meter_number', name: 'Meter number', value: 'X1', quality: [] },
    ],
  };
}

test('memory history: raw samples, 5-minute means, energy per hour in Wh, and the chosen interval', async () => {
  const h = createMemoryHistory({ timeZone: 'UTC' });
  const start = Date.UTC(2026, 5, 10, 8, 0, 0);
  // Two hours at one message per 10 s: power 1,000 W in the first hour, 3,000 W in the second; energy rising
  // by 1 kWh and 3 kWh (0.0025 and 0.0075 kWh per step of 10 s: 360 steps an hour).
  let energy = 100;
  const messages: MeterMessage[] = [];
  for (let i = 0; i < 720; i++) {
    const t = start + i * 10_000;
    const first = i < 360;
    energy += first ? 1 / 360 : 3 / 360;
    messages.push(message(t, first ? 1000 : 3000, Number(energy.toFixed(6))));
  }
  h.record(messages, start + 720 * 10_000);
  assert.equal(await h.rawIntervalMs('M1'), 10_000);
  assert.deepEqual((await h.readings('M1')).map((r) => `${r.id} ${r.unit}`).sort(), ['energy_import Wh', 'power_import W']);

  const raw = await h.series({ meter: 'M1', reading: 'power_import', fromMs: start, toMs: start + 60_000, resolution: 'raw' });
  assert.deepEqual(raw.points.map((p) => p.value), [1000, 1000, 1000, 1000, 1000, 1000]);
  assert.equal(raw.unit, 'W');

  const fives = await h.series({ meter: 'M1', reading: 'power_import', fromMs: start + 55 * MIN, toMs: start + 70 * MIN, resolution: '5min' });
  assert.deepEqual(fives.points.map((p) => [p.t - start, p.value]), [[55 * MIN, 1000], [60 * MIN, 3000], [65 * MIN, 3000]]);

  const hours = await h.series({ meter: 'M1', reading: 'energy_import', fromMs: start, toMs: start + 2 * HOUR, resolution: 'hour' });
  assert.equal(hours.unit, 'Wh');
  // The first hour's first sample is its baseline (nothing before it is kept): 359 of its 360 steps are counted.
  assert.deepEqual(hours.points.map((p) => Math.round(p.delta ?? NaN)), [Math.round(1000 * 359 / 360), 3000]);
});

test('memory history stays bounded: 24 h of minutes, at most maxRaw raw samples, at most maxTracks series', async () => {
  const h = createMemoryHistory({ timeZone: 'UTC', maxRaw: 100, maxTracks: 2 });
  const start = Date.UTC(2026, 5, 10, 0, 0, 0);
  for (let i = 0; i < 30 * 60; i++) {
    const t = start + i * MIN; // 30 hours, one message a minute
    h.record([message(t, 500, 1)], t);
  }
  const end = start + 30 * 60 * MIN;
  const minutes = await h.series({ meter: 'M1', reading: 'power_import', fromMs: start, toMs: end, resolution: '5min' });
  assert.ok(minutes.points[0].t >= end - 24 * HOUR - 5 * MIN, 'older minutes are evicted');
  const raw = await h.series({ meter: 'M1', reading: 'power_import', fromMs: start, toMs: end, resolution: 'raw' });
  assert.ok(raw.points.length <= 125 && raw.points.length >= 100, `${raw.points.length} raw samples kept`);
  h.record([{ ...message(end, 1, 1), meter: { id: 'M2' } }], end); // a third series: over maxTracks
  assert.deepEqual(await h.readings('M2'), []);
});
