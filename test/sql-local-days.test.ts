/**
 * Local hours, days and months across the 2026 clock changes in Europe/Vienna (29 March: a 23-hour day, 25 October:
 * a 25-hour day), on all three databases. The expected buckets come from an independent method: walk the minutes
 * and let Intl name each minute's local day and month; the zone comes from the message's profile (no ?tz=).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MeterMessage } from '../src/core/model/message.js';
import { createSqlSink } from '../src/sinks/sql/sql-sink.js';
import { openSqlStore, querySeries } from '../src/sinks/sql/query.js';
import { backends, keepAll, testContext, withStore } from './sinks-sql-support.js';

const ZONE = 'Europe/Vienna';
const PROFILE = 'at-evn-kaifa-ma309'; // an Austrian profile: timezone Europe/Vienna
const STEP = 10 * 60_000;
const PERIODS = [['2026-03-27T20:00:00Z', '2026-03-31T04:00:00Z'], ['2026-10-23T20:00:00Z', '2026-10-27T04:00:00Z']];

const names = {
  day: new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }),
  month: new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit' }),
};

const starts = new Map<string, number>();

/** The first minute carrying the same local name as `t`, found by walking back a minute at a time (once per name). */
function startOf(kind: keyof typeof names, t: number): number {
  const name = names[kind].format(t);
  const known = starts.get(`${kind}:${name}`);
  if (known !== undefined) return known;
  let m = Math.floor(t / 60_000) * 60_000;
  while (names[kind].format(m - 60_000) === name) m -= 60_000;
  starts.set(`${kind}:${name}`, m);
  return m;
}

function lengthHours(start: number): number {
  const name = names.day.format(start);
  let m = start;
  while (names.day.format(m) === name) m += 60_000;
  return (m - start) / 3_600_000;
}

function messages(): MeterMessage[] {
  const out: MeterMessage[] = [];
  let wh = 10_000_000;
  let i = 0;
  for (const [from, to] of PERIODS) {
    for (let t = Date.parse(from); t < Date.parse(to); t += STEP, i++) {
      wh += 100 + (i % 13) * 7;
      out.push({
        meter: { id: 'VIENNA1', profile: PROFILE }, timestamp: new Date(t).toISOString(), format: 'hdlc', issues: [],
        readings: [
          { obis: '1-0:1.8.0', id: 'energy_import', name: 'e', value: wh / 1000, unit: 'kWh', quality: [] },
          { obis: '1-0:1.7.0', id: 'power_import', name: 'p', value: (i % 17) * 0.1, unit: 'kW', quality: [] },
        ],
      });
    }
  }
  return out;
}

interface Bucket { start: number; samples: number; last: number; min: number; max: number }

function expected(msgs: MeterMessage[], reading: string, kind: keyof typeof names): Bucket[] {
  const map = new Map<number, Bucket>();
  for (const m of msgs) {
    const t = Date.parse(m.timestamp!);
    const r = m.readings.find((x) => x.id === reading)!;
    const v = Number(((r.value as number) * 1000).toPrecision(15)); // kWh, kW → Wh, W
    const start = startOf(kind, t);
    const b = map.get(start) ?? { start, samples: 0, last: v, min: v, max: v };
    map.set(start, { start, samples: b.samples + 1, last: v, min: Math.min(b.min, v), max: Math.max(b.max, v) });
  }
  return [...map.values()].sort((a, b) => a.start - b.start);
}


for (const backend of await backends()) {
  test(`sql ${backend.name}: local days and months across the 2026 DST changes in Vienna`, { skip: backend.skip }, () => withStore(backend.create, async (store) => {
    const msgs = messages();
    const sink = createSqlSink(keepAll(store.url()), testContext());
    for (let i = 0; i < msgs.length; i += 97) await sink.write(msgs.slice(i, i + 97));
    await sink.close();
    const db = await openSqlStore(store.url());
    try {
      const range = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z'), meter: 'VIENNA1', baseUnits: true };
      const days = await querySeries(db, { ...range, reading: 'energy_import', resolution: '1d' });
      const want = expected(msgs, 'energy_import', 'day');
      assert.deepEqual(days.map((d) => d.ts), want.map((b) => new Date(b.start).toISOString()), 'local midnights');
      assert.deepEqual(days.map((d) => d.count), want.map((b) => b.samples));
      // Consumption per day: the register's advance since the previous bucket's last sample.
      let before = Number(((msgs[0].readings[0].value as number) * 1000).toPrecision(15));
      want.forEach((b, i) => {
        assert.equal(days[i].value, b.last - before, `day ${days[i].local}`);
        before = b.last;
      });
      const lengths = new Map(want.map((b) => [new Date(b.start).toISOString().slice(0, 10), lengthHours(b.start)]));
      assert.equal(lengths.get('2026-03-28'), 23, 'Sunday 29 March local starts 28 March 23:00 UTC and has 23 hours');
      assert.equal(lengths.get('2026-10-24'), 25, 'Sunday 25 October local starts 24 October 22:00 UTC and has 25 hours');
      assert.equal(days.find((d) => d.ts === '2026-03-28T23:00:00.000Z')?.local, '2026-03-29T00:00:00.000+01:00');
      assert.equal(days.find((d) => d.ts === '2026-10-24T22:00:00.000Z')?.local, '2026-10-25T00:00:00.000+02:00');
      // Every sample of the 25-hour day is in that one bucket: 25 h × 6 samples.
      assert.equal(days.find((d) => d.ts === '2026-10-24T22:00:00.000Z')?.count, 150);
      assert.equal(days.find((d) => d.ts === '2026-03-28T23:00:00.000Z')?.count, 138);

      const months = await querySeries(db, { ...range, reading: 'power_import', resolution: '1mo' });
      const wantMonths = expected(msgs, 'power_import', 'month');
      assert.deepEqual(months.map((m) => [m.ts, m.count, m.min, m.max]), wantMonths.map((b) => [new Date(b.start).toISOString(), b.samples, b.min, b.max]));

      // Hours: the fall-back hour 02:00–03:00 happens twice and is two buckets; 02:00 on 29 March never happens.
      const hours = await querySeries(db, { ...range, reading: 'power_import', resolution: '1h' });
      const localHours = hours.map((h) => h.local!.slice(0, 13));
      assert.equal(localHours.filter((h) => h === '2026-10-25T02').length, 2);
      assert.equal(localHours.filter((h) => h === '2026-03-29T02').length, 0);
      assert.ok(hours.every((h) => h.count === 6), 'every hour holds six 10-minute samples');
      const quarters = await querySeries(db, { ...range, reading: 'power_import', resolution: '15m' });
      assert.ok(quarters.every((q) => Date.parse(q.ts) % 900_000 === 0));
      assert.equal(quarters.reduce((n, q) => n + q.count!, 0), msgs.length);
    } finally {
      await db.close();
    }
  }));
}
