/**
 * Upgrading a schema-1 store (as released before schema 2) loses nothing: the test builds that store from its own
 * copy of the schema-1 DDL and rows, lets the sink open it, and checks every old row and rollup is still there,
 * converted (timestamps, base units, texts on change, UTC days kept aside), and that the new local-day rollups
 * match an independent count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toBaseUnit } from '../src/core/model/base-units.js';
import { createSqlSink } from '../src/sinks/sql/sql-sink.js';
import { openSqlDb, type Dialect, type SqlDb } from '../src/sinks/sql/db.js';
import { MIGRATIONS } from '../src/sinks/sql/migrations.js';
import { backends, keepAll, testContext, withStore } from './sinks-sql-support.js';

// ---- Fixture: schema 1 exactly as it was (our own copy, so later changes to the code cannot change it) ----
const DBL: Record<Dialect, string> = { sqlite: 'REAL', postgres: 'DOUBLE PRECISION', mysql: 'DOUBLE' };
const OPTS: Record<Dialect, string> = { sqlite: ' WITHOUT ROWID', postgres: '', mysql: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' };

function schemaOne(d: Dialect): string[] {
  const rollup = (t: string): string => `CREATE TABLE ${t} (meter_id VARCHAR(64) NOT NULL, reading_id VARCHAR(64) NOT NULL,
    bucket BIGINT NOT NULL, kind VARCHAR(8) NOT NULL, unit VARCHAR(16), samples BIGINT NOT NULL, sum_value ${DBL[d]} NOT NULL,
    min_value ${DBL[d]} NOT NULL, max_value ${DBL[d]} NOT NULL, first_ts BIGINT NOT NULL, first_value ${DBL[d]} NOT NULL,
    last_ts BIGINT NOT NULL, last_value ${DBL[d]} NOT NULL, delta ${DBL[d]}, PRIMARY KEY (meter_id, reading_id, bucket))${OPTS[d]}`;
  return [
    `CREATE TABLE meters (id VARCHAR(64) NOT NULL PRIMARY KEY, system_title VARCHAR(32), manufacturer VARCHAR(16),
      profile VARCHAR(64), first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL)${OPTS[d]}`,
    `CREATE TABLE readings (meter_id VARCHAR(64) NOT NULL, ts BIGINT NOT NULL, reading_id VARCHAR(64) NOT NULL,
      obis VARCHAR(32) NOT NULL, value ${DBL[d]}, text_value TEXT, unit VARCHAR(16), quality VARCHAR(128) NOT NULL DEFAULT '',
      PRIMARY KEY (meter_id, reading_id, ts)${d === 'mysql' ? ', KEY readings_ts (ts)' : ''})${OPTS[d]}`,
    ...(d === 'mysql' ? [] : ['CREATE INDEX readings_ts ON readings (ts)']),
    rollup('rollup_5m'), rollup('rollup_1h'), rollup('rollup_1d'),
    'CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)',
  ];
}

interface OldReading { meter: string; ts: number; id: string; obis: string; value: number | null; text: string | null; unit: string | null }
interface OldRollup { meter: string; id: string; bucket: number; kind: string; unit: string; samples: number; sum: number; min: number;
  max: number; firstTs: number; first: number; lastTs: number; last: number; delta: number | null }

const START = Date.parse('2026-03-28T00:05:00Z'); // three days across the spring change in Vienna
const STEP = 10 * 60_000;
const STEPS = 3 * 144;

/** An Austrian meter (kWh, kW, texts) and a Dutch-style one without profile whose register is reset once. */
function oldReadings(): OldReading[] {
  const rows: OldReading[] = [];
  for (let i = 0; i < STEPS; i++) {
    const ts = START + i * STEP;
    const kwh = Number((1234.567 + i * 0.123).toFixed(3));
    rows.push({ meter: 'AT0001', ts, id: 'energy_import', obis: '1-0:1.8.0', value: kwh, text: null, unit: 'kWh' });
    rows.push({ meter: 'AT0001', ts, id: 'power_import', obis: '1-0:1.7.0', value: 0.5 + (i % 7) * 0.123, text: null, unit: 'kW' });
    rows.push({ meter: 'AT0001', ts, id: 'voltage_l1', obis: '1-0:32.7.0', value: 229 + (i % 5) / 10, text: null, unit: 'V' });
    rows.push({ meter: 'AT0001', ts, id: 'equipment_id', obis: '0-0:96.1.0', value: null, text: '1KFM0200000001', unit: null });
    rows.push({ meter: 'AT0001', ts, id: 'text_message', obis: '0-0:96.13.0', value: null, text: `notice ${Math.floor(i / 50)}`, unit: null });
    const wh = i < 200 ? 5_000_000 + i * 40 : (i - 200) * 40; // reset to 0 at step 200
    rows.push({ meter: 'NL0002', ts: ts + 1000, id: 'energy_import', obis: '1-0:1.8.1', value: wh, text: null, unit: 'Wh' });
  }
  return rows;
}

/** Schema 1's rollups of the fixture, computed the way schema 1 did (UTC buckets, meter units, raw deltas). */
function oldRollups(readings: OldReading[], ms: number): OldRollup[] {
  const out = new Map<string, OldRollup>();
  for (const r of readings) {
    if (r.value === null) continue;
    const bucket = Math.floor(r.ts / ms) * ms;
    const key = `${r.meter}|${r.id}|${bucket}`;
    const a = out.get(key);
    if (!a) {
      out.set(key, { meter: r.meter, id: r.id, bucket, kind: r.unit === 'kWh' || r.unit === 'Wh' ? 'counter' : 'gauge', unit: r.unit!, samples: 1,
        sum: r.value, min: r.value, max: r.value, firstTs: r.ts, first: r.value, lastTs: r.ts, last: r.value, delta: null });
      continue;
    }
    Object.assign(a, { samples: a.samples + 1, sum: a.sum + r.value, min: Math.min(a.min, r.value), max: Math.max(a.max, r.value), lastTs: r.ts, last: r.value });
  }
  const rows = [...out.values()].sort((a, b) => a.meter.localeCompare(b.meter) || a.id.localeCompare(b.id) || a.bucket - b.bucket);
  let prev: OldRollup | undefined;
  for (const r of rows) {
    const same = prev && prev.meter === r.meter && prev.id === r.id;
    if (r.kind === 'counter') r.delta = r.last - (same ? prev!.last : r.first);
    prev = r;
  }
  return rows;
}

async function insertMany(db: SqlDb, table: string, cols: string[], rows: (string | number | null)[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const slice = rows.slice(i, i + 200);
    await db.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${slice.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')}`, slice.flat());
  }
}

const ROLLUP_COLS = ['meter_id', 'reading_id', 'bucket', 'kind', 'unit', 'samples', 'sum_value', 'min_value', 'max_value', 'first_ts', 'first_value', 'last_ts', 'last_value', 'delta'];
const rollupValues = (r: OldRollup): (string | number | null)[] =>
  [r.meter, r.id, r.bucket, r.kind, r.unit, r.samples, r.sum, r.min, r.max, r.firstTs, r.first, r.lastTs, r.last, r.delta];

async function buildSchemaOne(url: string, readings: OldReading[], rollups: Record<string, OldRollup[]>): Promise<void> {
  const db = await openSqlDb(url);
  try {
    if (db.dialect === 'postgres') await db.run(`CREATE SCHEMA ${db.schema}`);
    for (const s of schemaOne(db.dialect)) await db.run(s);
    await db.run('INSERT INTO schema_version (version, name, applied_at) VALUES (1, ?, ?)', ['meters, readings history, 5-minute/hourly/daily rollups', START]);
    await insertMany(db, 'meters', ['id', 'system_title', 'manufacturer', 'profile', 'first_seen', 'last_seen'], [
      ['AT0001', '4B464D1020000001', 'KFM', 'at-evn-kaifa-ma309', START, START + STEPS * STEP],
      ['NL0002', null, null, null, START + 1000, START + STEPS * STEP + 1000],
    ]);
    await insertMany(db, 'readings', ['meter_id', 'ts', 'reading_id', 'obis', 'value', 'text_value', 'unit', 'quality'],
      readings.map((r) => [r.meter, r.ts, r.id, r.obis, r.value, r.text, r.unit, '']));
    for (const [table, rows] of Object.entries(rollups)) await insertMany(db, table, ROLLUP_COLS, rows.map(rollupValues));
  } finally {
    await db.close();
  }
}

const iso = (v: unknown): string => new Date(v instanceof Date ? v.getTime() : String(v)).toISOString();
const base = (v: number, unit: string | null): number => toBaseUnit(v, unit ?? undefined).value;
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

/** Local days named by Intl, minute by minute: an independent account of what a Vienna day holds. */
const dayName = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Vienna', year: 'numeric', month: '2-digit', day: '2-digit' });
function localDayStart(ts: number): number {
  const name = dayName.format(ts);
  let t = Math.floor(ts / 60_000) * 60_000;
  while (dayName.format(t - 60_000) === name) t -= 60_000;
  return t;
}


for (const backend of await backends()) {
  test(`sql ${backend.name}: a schema-1 store is migrated without losing a row`, { skip: backend.skip }, () => withStore(backend.create, async (store) => {
    const readings = oldReadings();
    const rollups = { rollup_5m: oldRollups(readings, 300_000), rollup_1h: oldRollups(readings, 3_600_000), rollup_1d: oldRollups(readings, 86_400_000) };
    assert.ok(rollups.rollup_1h.some((r) => r.delta !== null && r.delta < 0), 'the fixture has a negative delta to convert');
    await buildSchemaOne(store.url(), readings, rollups);

    const records: { level: string; msg: string }[] = [];
    const sink = createSqlSink(keepAll(store.url()), testContext(records as never));
    await sink.open();
    await sink.close();
    assert.ok(records.some((r) => r.msg.includes('schema migrated to version 2')), JSON.stringify(records));

    const db = await openSqlDb(store.url());
    try {
      const versions = await db.all<{ version: unknown }>('SELECT version FROM schema_version ORDER BY version');
      assert.deepEqual(versions.map((v) => Number(v.version)), [1, 2]);

      // Every numeric history row: same key, value and unit, plus its timestamp and base value.
      const rows = await db.all('SELECT meter_id, reading_id, ts, time, value, unit, base_value, base_unit FROM readings');
      const numeric = readings.filter((r) => r.value !== null);
      assert.equal(rows.length, numeric.length);
      const byKey = new Map(rows.map((r) => [`${r.meter_id}|${r.reading_id}|${Number(r.ts)}`, r]));
      for (const r of numeric) {
        const got = byKey.get(`${r.meter}|${r.id}|${r.ts}`);
        assert.ok(got, `${r.meter} ${r.id} ${r.ts} kept`);
        assert.equal(Number(got.value), r.value);
        assert.equal(got.unit, r.unit);
        assert.equal(iso(got.time), new Date(r.ts).toISOString());
        assert.equal(Number(got.base_value), base(r.value!, r.unit), `${r.id} ${r.value} ${r.unit} in base units`);
        assert.equal(got.base_unit, toBaseUnit(1, r.unit!).unit);
      }

      // Texts: one row per change, and the text valid at every old row's time is that row's text.
      const texts = await db.all('SELECT meter_id, reading_id, valid_from, valid_from_time, text_value FROM meter_texts ORDER BY valid_from');
      const old = readings.filter((r) => r.text !== null);
      const changes = old.filter((r, i) => !old.slice(0, i).some((p) => p.id === r.id) || old.slice(0, i).filter((p) => p.id === r.id).pop()!.text !== r.text);
      assert.equal(texts.length, changes.length, 'equipment id once, text message once per change');
      for (const r of old) {
        const valid = texts.filter((t) => t.reading_id === r.id && Number(t.valid_from) <= r.ts).pop();
        assert.equal(valid?.text_value, r.text, `${r.id} at ${r.ts}`);
      }
      for (const t of texts) assert.equal(iso(t.valid_from_time), new Date(Number(t.valid_from)).toISOString());

      // Old rollups: every row kept and converted (base units, bucket_time, negative deltas flagged); UTC days aside.
      for (const [table, expected] of [['rollup_5m', rollups.rollup_5m], ['rollup_1h', rollups.rollup_1h], ['rollup_1d_utc', rollups.rollup_1d]] as const) {
        const got = await db.all(`SELECT * FROM ${table} ORDER BY meter_id, reading_id, bucket`);
        assert.equal(got.length, expected.length, table);
        expected.forEach((e, i) => {
          const g = got[i];
          const label = `${table} ${e.meter} ${e.id} ${e.bucket}`;
          assert.deepEqual([g.meter_id, g.reading_id, Number(g.bucket), Number(g.samples), g.unit], [e.meter, e.id, e.bucket, e.samples, e.unit], label);
          assert.equal(iso(g.bucket_time), new Date(e.bucket).toISOString(), label);
          assert.equal(g.base_unit, toBaseUnit(1, e.unit).unit, label);
          assert.ok(close(Number(g.sum_value), e.sum * toBaseUnit(1, e.unit).value), `${label} sum`);
          for (const [col, v] of [['min_value', e.min], ['max_value', e.max], ['first_value', e.first], ['last_value', e.last]] as const) {
            assert.equal(Number(g[col]), base(v, e.unit), `${label} ${col}`);
          }
          if (e.delta !== null && e.delta < 0) assert.deepEqual([g.delta, Number(g.counter_reset)], [null, 1], `${label} reset`);
          else if (e.delta === null) assert.equal(g.delta, null, label);
          else assert.ok(close(Number(g.delta), base(e.delta, e.unit)) && Number(g.counter_reset) === 0, `${label} delta ${g.delta}`);
        });
      }

      // New local days (Vienna, from the Austrian profile), counted independently from the history.
      const days = await db.all("SELECT bucket, samples, delta, counter_reset FROM rollup_1d WHERE meter_id = 'AT0001' AND reading_id = 'energy_import' ORDER BY bucket");
      const energy = numeric.filter((r) => r.meter === 'AT0001' && r.id === 'energy_import');
      const groups = new Map<number, OldReading[]>();
      for (const r of energy) groups.set(localDayStart(r.ts), [...(groups.get(localDayStart(r.ts)) ?? []), r]);
      const expectedDays = [...groups.entries()].sort((a, b) => a[0] - b[0]);
      assert.deepEqual(days.map((d) => [Number(d.bucket), Number(d.samples)]), expectedDays.map(([b, g]) => [b, g.length]));
      let before = energy[0].value!;
      expectedDays.forEach(([, g], i) => {
        const last = g[g.length - 1].value!;
        assert.equal(Number(days[i].delta), base(Number((last - before).toFixed(3)), 'kWh'), `day ${i} delta`);
        before = last;
      });
      const meters = await db.all('SELECT id, timezone FROM meters ORDER BY id');
      assert.equal(meters[0].timezone, 'Europe/Vienna');

      // An upgrade interrupted after its last step (MySQL commits DDL as it goes) runs again without changing a row.
      const snapshot = async (): Promise<string> => JSON.stringify(await Promise.all(
        ['readings', 'meter_texts', 'rollup_5m', 'rollup_15m', 'rollup_1h', 'rollup_1d', 'rollup_1mo', 'rollup_1d_utc', 'meters'].map((t) =>
          db.all(`SELECT * FROM ${t} ORDER BY 1, 2, 3`))));
      const migrated = await snapshot();
      await db.transaction((tx) => MIGRATIONS[1].apply!(tx, db.dialect, {}));
      assert.equal(await snapshot(), migrated);

      // The reset meter's new daily rollup flags the reset instead of a negative consumption.
      const nl = await db.all("SELECT delta, counter_reset FROM rollup_1d WHERE meter_id = 'NL0002' ORDER BY bucket");
      assert.ok(nl.some((d) => Number(d.counter_reset) === 1 && d.delta === null));
      assert.ok(nl.every((d) => d.delta === null || Number(d.delta) >= 0));
    } finally {
      await db.close();
    }

    // The store keeps working: a new message extends the series without a second migration.
    const again = createSqlSink(keepAll(store.url()), testContext());
    const next = START + STEPS * STEP;
    await again.write([{ meter: { id: 'AT0001', profile: 'at-evn-kaifa-ma309' }, timestamp: new Date(next).toISOString(), format: 'hdlc', issues: [],
      readings: [{ obis: '1-0:1.8.0', id: 'energy_import', name: 'e', value: 1300, unit: 'kWh', quality: [] },
        { obis: '0-0:96.1.0', id: 'equipment_id', name: 'id', value: '1KFM0200000001', quality: [] }] }]);
    await again.close();
    const after = await openSqlDb(store.url());
    try {
      const texts = await after.all("SELECT COUNT(*) AS n FROM meter_texts WHERE reading_id = 'equipment_id'");
      assert.equal(Number(texts[0].n), 1, 'an unchanged text is not stored again');
      const last = await after.all("SELECT base_value FROM readings WHERE meter_id = 'AT0001' AND reading_id = 'energy_import' AND ts = ?", [next]);
      assert.equal(Number(last[0].base_value), 1_300_000);
    } finally {
      await after.close();
    }
  }));
}
