// Rollups of the fleet store across both Vienna clock changes of 2026, against an expectation computed here from
// the raw rows with Intl (not with the store's calendar code): local days of 23 and 25 hours, the repeated hour
// 02:00 of 25 October as two hours, energy first/last and power max/avg per bucket, after out-of-order batches
// and a redelivered one.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPgFleetStore } from '../src/fleet/store/index.js';
import type { FleetRow } from '../src/fleet/contracts.js';
import { dropSchema, fleetRow, pgSkip, uniqueSchema, withDb, PG_URL } from './fleet-store-support.js';

const skip = await pgSkip();
const schema = uniqueSchema('fleetroll');
const ZONE = 'Europe/Vienna';
const H = 3_600_000;

const local = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset' });

/** Local day 'YYYY-MM-DD' and local hour with its offset ('YYYY-MM-DD 02 GMT+2'), from Intl only. */
function labels(t: number): { day: string; hour: string } {
  const p = Object.fromEntries(local.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const day = `${p.year}-${p.month}-${p.day}`;
  return { day, hour: `${day} ${p.hour} ${p.timeZoneName}` };
}

interface Expect {
  samples: number;
  first: number;
  last: number;
  max: number;
  sum: number;
}

function expected(rows: readonly FleetRow[], key: (t: number) => string): Map<string, Expect> {
  const out = new Map<string, Expect & { firstT: number; lastT: number }>();
  for (const r of rows) {
    const t = r.meterTime.getTime();
    const e = r.columns.energy_import!;
    const p = r.columns.power_import!;
    const k = `${r.meterId} ${key(t)}`;
    const a = out.get(k);
    if (!a) {
      out.set(k, { samples: 1, first: e, last: e, max: p, sum: p, firstT: t, lastT: t });
      continue;
    }
    a.samples++;
    a.sum += p;
    a.max = Math.max(a.max, p);
    if (t < a.firstT) [a.firstT, a.first] = [t, e];
    if (t > a.lastT) [a.lastT, a.last] = [t, e];
  }
  return out;
}

/** Deterministic pseudo-random power (W) and a register that only grows. */
function series(meter: number, from: number, to: number, stepMs: number): FleetRow[] {
  const rows: FleetRow[] = [];
  let energy = 5_000_000 + meter * 1000;
  let seed = meter * 7919 + 17;
  for (let t = from, i = 0; t < to; t += stepMs, i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const power = 50 + (seed % 4000);
    energy += (power * stepMs) / H;
    rows.push(fleetRow({ meter, t, counter: i + 1, energy: Math.round(energy * 1000) / 1000, power, zone: ZONE }));
  }
  return rows;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('fleet store rollups across DST (PostgreSQL)', { skip }, () => {
  after(() => dropSchema(schema));

  it('matches an independent expectation for quarters, local hours and local days in Europe/Vienna', async () => {
    const store = createPgFleetStore({ connectionString: PG_URL, schema, now: () => Date.UTC(2026, 9, 1), reorderWindow: 1_000_000 });
    try {
      // 27 March 22:00Z … 30 March 02:00Z and 24 October 20:00Z … 26 October 02:00Z, every 7 minutes, two meters.
      const spans: [number, number][] = [[Date.UTC(2026, 2, 27, 22), Date.UTC(2026, 2, 30, 2)], [Date.UTC(2026, 9, 24, 20), Date.UTC(2026, 9, 26, 2)]];
      const rows = [1, 2].flatMap((m) => spans.flatMap(([a, b], s) => series(m, a, b, 7 * 60_000).map((r) => ({ ...r, frameCounter: r.frameCounter! + s * 100_000 }))));
      const order = shuffled(rows, 42);
      for (let i = 0; i < order.length; i += 150) await store.commit({ rows: order.slice(i, i + 150), deadLetters: [] });
      const again = await store.commit({ rows: order.slice(0, 150), deadLetters: [] });
      assert.equal(again.inserted, 0);
      // Rollups are computed from readings once a quarter has closed (the store's job; here on request).
      await store.refreshRollups({ until: Date.UTC(2026, 9, 27) });

      const read = (view: string) => withDb(async (c) => (await c.query(`SELECT meter_id, bucket_start, bucket_end, samples, energy_import_first, energy_import_last,
        energy_import_delta, power_import_max, power_import_avg FROM "${schema}".${view} ORDER BY meter_id, bucket_start`)).rows);
      const check = async (view: string, key: (t: number) => string, bucketKey: (start: number) => string): Promise<number> => {
        const want = expected(rows, key);
        const got = await read(view);
        assert.equal(got.length, want.size, `${view}: bucket count`);
        for (const g of got) {
          const w = want.get(`${g.meter_id} ${bucketKey(g.bucket_start.getTime())}`);
          assert.ok(w, `${view}: unexpected bucket ${g.meter_id} ${g.bucket_start.toISOString()}`);
          assert.equal(g.samples, w.samples);
          assert.equal(g.energy_import_first, w.first);
          assert.equal(g.energy_import_last, w.last);
          assert.equal(g.energy_import_delta, w.last - w.first);
          assert.equal(g.power_import_max, w.max);
          assert.ok(Math.abs(g.power_import_avg - w.sum / w.samples) < 1e-9);
        }
        return got.length;
      };
      await check('rollup_15m_v', (t) => String(Math.floor(t / 900_000) * 900_000), (s) => String(s));
      // A bucket's start names its local hour or day (the first sample of a bucket may come later than its start).
      await check('rollup_1h_v', (t) => labels(t).hour, (s) => labels(s).hour);
      await check('rollup_1d_v', (t) => labels(t).day, (s) => labels(s).day);

      const days = await withDb(async (c) => (await c.query(`SELECT bucket_start, bucket_end FROM "${schema}".rollup_1d_v WHERE meter_id = 'meter-1' ORDER BY bucket_start`)).rows);
      const span = (iso: string) => days.find((d) => d.bucket_start.toISOString() === iso);
      // 29 March starts at 00:00 CET and ends at 00:00 CEST: 23 hours; 25 October the other way round: 25 hours.
      assert.equal(span('2026-03-28T23:00:00.000Z')?.bucket_end.toISOString(), '2026-03-29T22:00:00.000Z');
      assert.equal(span('2026-10-24T22:00:00.000Z')?.bucket_end.toISOString(), '2026-10-25T23:00:00.000Z');
      const hours = await withDb(async (c) => (await c.query(`SELECT count(*) AS n FROM "${schema}".rollup_1h_v WHERE meter_id = 'meter-1'
        AND bucket_start >= $1 AND bucket_start < $2`, ['2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z'])).rows[0].n);
      assert.equal(Number(hours), 25, 'the repeated 02:00 hour is two hourly buckets');
      const spring = await withDb(async (c) => (await c.query(`SELECT count(*) AS n FROM "${schema}".rollup_1h_v WHERE meter_id = 'meter-1'
        AND bucket_start >= $1 AND bucket_start < $2`, ['2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z'])).rows[0].n);
      assert.equal(Number(spring), 23);
    } finally {
      await store.close();
    }
  });
});
