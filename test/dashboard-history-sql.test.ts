/**
 * The SQL-backed HistoryStore against real SQLite, PostgreSQL and MariaDB, filled through the real SQL output
 * from simulated meters (a DSMR meter with tariff registers only, a DLMS meter with total registers) across the
 * 2026 spring DST change in Europe/Vienna: series per resolution, energy per local day (a 23-hour day) computed
 * independently from the messages, the meter list with its zone, and the API's CSV export over the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqlHistory } from '../src/dashboard/sql-history.js';
import { energyBuckets } from '../src/dashboard/energy.js';
import { createDashboard } from '../src/dashboard/server.js';
import { backends } from './sinks-sql-support.js';
import { baseReading, energyFromMessages, quietLog, simulatedMessages, withParam, writeSqlHistory } from './dashboard-support.js';

const ZONE = 'Europe/Vienna';
const H = 3_600_000;
// Local midnights in Vienna, written out: 28 March is a 24-hour day (CET), 29 March 23 hours (02:00 CET → 03:00 CEST).
const MAR28 = Date.UTC(2026, 2, 27, 23);
const MAR29 = Date.UTC(2026, 2, 28, 23);
const MAR30 = Date.UTC(2026, 2, 29, 22);
const MAR31 = Date.UTC(2026, 2, 30, 22);
const STEP = 10 * 60_000;
const times = Array.from({ length: (MAR31 - MAR28) / STEP + 6 }, (_, i) => MAR28 - 3 * STEP + i * STEP);
const messages = [...simulatedMessages('nl-dsmr5', times), ...simulatedMessages('at-wienernetze-siemens', times)];
const DSMR = messages[0].meter.id!;
const DLMS = messages.find((m) => m.meter.id !== DSMR)!.meter.id!;

for (const backend of await backends()) {
  test(`sql history on ${backend.name}: series, local-day energy across the spring DST change, meters, CSV`, { skip: backend.skip }, async () => {
    const store = await backend.create();
    const url = withParam(store.url(), `tz=${ZONE}`);
    const history = createSqlHistory(store.url());
    try {
      await writeSqlHistory(url, messages);

      const meters = await history.meters();
      assert.deepEqual(meters.map((m) => m.meter).sort(), [DSMR, DLMS].sort());
      assert.ok(meters.every((m) => m.timeZone === ZONE));
      assert.equal(await history.timeZone(DSMR), ZONE);
      assert.equal(await history.rawIntervalMs(DLMS), STEP);
      const ids = (await history.readings(DSMR)).map((r) => r.id);
      for (const id of ['energy_import_t1', 'energy_import_t2', 'power_import']) assert.ok(ids.includes(id), id);
      assert.ok(!ids.includes('energy_import'), 'the DSMR meter has no total register');

      // Hourly average power = the mean of the samples in that hour, computed from the messages.
      const hour = MAR29 + 5 * H;
      const series = await history.series({ meter: DLMS, reading: 'power_import', fromMs: hour, toMs: hour + 2 * H, resolution: 'hour' });
      assert.equal(series.unit, 'W');
      assert.deepEqual(series.points.map((p) => p.t), [hour, hour + H]);
      const inHour = messages.filter((m) => m.meter.id === DLMS && Date.parse(m.timestamp!) >= hour && Date.parse(m.timestamp!) < hour + H)
        .map((m) => baseReading(m, 'power_import')!);
      assert.ok(Math.abs(series.points[0].value - inHour.reduce((a, b) => a + b, 0) / inHour.length) < 1e-6);
      assert.equal(series.points[0].max, Math.max(...inHour));
      const raw = await history.series({ meter: DLMS, reading: 'power_import', fromMs: hour, toMs: hour + H, resolution: 'raw' });
      assert.equal(raw.points.length, inHour.length);
      // Register T1 alone, as if it were the only register: its deltas per bucket add up to last − first.
      const t1Only = messages.map((m) => ({ ...m, readings: m.readings.filter((x) => x.id !== 'energy_import_t2')
        .map((x) => (x.id === 'energy_import_t1' ? { ...x, id: 'energy_import' } : x)) }));
      for (const r of ['5min', '15min', 'day', 'month'] as const) {
        const s = await history.series({ meter: DSMR, reading: 'energy_import_t1', fromMs: MAR28, toMs: MAR31, resolution: r });
        assert.ok(s.points.length > 0, r);
        const total = s.points.reduce((a, p) => a + (p.delta ?? 0), 0);
        // Day and month buckets hold the samples before MAR28 too (the bucket containing `from` is included).
        const expected = energyFromMessages(t1Only, DSMR, 'import', s.points[0].t, r === 'month' ? Infinity : MAR31);
        assert.ok(Math.abs(total - expected) < 1e-3, `${r}: ${total} vs ${expected}`);
      }

      // Local days: 24, 23, 24 hours; each day's energy from the messages themselves.
      for (const meter of [DSMR, DLMS]) {
        const e = await energyBuckets(history, meter, MAR28, MAR31, 'day', ZONE);
        assert.deepEqual(e.rows.map((r) => [r.start, r.end]), [[MAR28, MAR29], [MAR29, MAR30], [MAR30, MAR31]]);
        assert.equal(e.source.import, meter === DSMR ? 'registers' : 'total');
        for (const r of e.rows) {
          for (const dir of ['import', 'export'] as const) {
            const expected = energyFromMessages(messages, meter, dir, r.start, r.end);
            const got = dir === 'import' ? r.importWh : r.exportWh;
            assert.ok(got !== null && Math.abs(got - expected) < 1e-3, `${meter} ${dir} ${new Date(r.start).toISOString()}: ${got} vs ${expected}`);
          }
        }
        if (meter === DSMR) assert.ok(e.rows[1].importWhByTariff, 'the split by register is kept for register prices');
        const hours = await energyBuckets(history, meter, MAR29, MAR30, 'hour', ZONE);
        assert.equal(hours.rows.length, 23);
      }

      // The API over the store: meters from the store (no reader), a CSV of a range.
      const dash = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, history, timeZone: ZONE });
      try {
        const m = await dash.app.inject({ url: '/api/meters' });
        assert.deepEqual(m.json().meters.map((x: { meter: string }) => x.meter).sort(), [DSMR, DLMS].sort());
        const csv = await dash.app.inject({ url: `/api/export.csv?meter=${DLMS}&readings=power_import,energy_import&from=${hour}&to=${hour + 2 * H}&resolution=hour` });
        assert.equal(csv.statusCode, 200);
        const lines = csv.body.trimEnd().split('\r\n');
        assert.equal(lines[0], 'time,meter,reading,unit,resolution,value,min,max,delta');
        assert.equal(lines.length, 1 + 4);
        const energyLine = lines.find((l) => l.startsWith(`${new Date(hour).toISOString()},${DLMS},energy_import,Wh,hour,`))!;
        assert.equal(Number(energyLine.split(',')[8]), energyFromMessages(messages, DLMS, 'import', hour, hour + H));
      } finally {
        await dash.app.close();
      }
    } finally {
      await history.close();
      await store.drop();
    }
  });
}
