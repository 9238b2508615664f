import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MeterMessage } from '../src/core/model/message.js';
import { createSqlSink } from '../src/sinks/sql/sql-sink.js';
import { listMeters, openSqlStore, querySeries, type Point } from '../src/sinks/sql/query.js';
import { MIGRATIONS } from '../src/sinks/sql/migrations.js';
import { openSqlDb, type SqlDb } from '../src/sinks/sql/db.js';
import { backends, generateMessages, keepAll, prng, testContext, withParam, type LogRecord, withStore } from './sinks-sql-support.js';

const START = Date.parse('2024-03-09T23:20:00Z'); // the series crosses midnight: two daily buckets
const ALL = { from: new Date(0), to: new Date(Date.parse('2100-01-01T00:00:00Z')) };
// Written with ?tz=UTC, so a local day is a UTC day here (local days across DST: sql-local-days.test.ts).
const BUCKET: Record<'5m' | '15m' | '1h' | '1d', number> = { '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };
const COUNTERS = new Set(['Wh', 'kWh', 'm3']);
const NUMERIC = ['energy_import', 'energy_export', 'gas_volume', 'power_import', 'voltage_l1'];

interface Expected { ts: number; count: number; min: number; max: number; avg: number; delta?: number }

/** The rollups recomputed from the messages alone, the way a person would: group, then compare with the last bucket. */
function expectedSeries(msgs: readonly MeterMessage[], meter: string, reading: string, bucketMs: number): Expected[] {
  const samples = msgs.filter((m) => m.meter.id === meter)
    .flatMap((m) => m.readings.filter((r) => r.id === reading).map((r) => ({ ts: Date.parse(m.timestamp!), v: r.value as number, unit: r.unit! })))
    .sort((a, b) => a.ts - b.ts);
  const groups = new Map<number, typeof samples>();
  for (const s of samples) {
    const b = Math.floor(s.ts / bucketMs) * bucketMs;
    groups.set(b, [...(groups.get(b) ?? []), s]);
  }
  let previousLast: number | undefined;
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([ts, g]) => {
    const values = g.map((s) => s.v);
    const e: Expected = { ts, count: g.length, min: Math.min(...values), max: Math.max(...values), avg: values.reduce((a, b) => a + b, 0) / g.length };
    if (COUNTERS.has(g[0].unit)) e.delta = values[values.length - 1] - (previousLast ?? values[0]);
    previousLast = values[values.length - 1];
    return e;
  });
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function assertSeries(actual: Point[], expected: Expected[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: bucket count`);
  actual.forEach((p, i) => {
    const e = expected[i];
    assert.equal(p.ts, new Date(e.ts).toISOString(), `${label}: bucket ${i}`);
    assert.equal(p.count, e.count, `${label} ${p.ts}: count`);
    assert.equal(p.min, e.min, `${label} ${p.ts}: min`);
    assert.equal(p.max, e.max, `${label} ${p.ts}: max`);
    assert.ok(close(p.avg!, e.avg), `${label} ${p.ts}: avg ${p.avg} ≠ ${e.avg}`);
    if (e.delta === undefined) assert.equal(p.kind, 'gauge', label);
    else assert.ok(p.kind === 'counter' && close(p.value!, e.delta), `${label} ${p.ts}: delta ${p.value} ≠ ${e.delta}`);
  });
}

/** Random batch sizes, written in a shuffled order: late batches must fix the deltas of the buckets after them. */
function shuffledBatches(msgs: MeterMessage[], seed: number): MeterMessage[][] {
  const rnd = prng(seed);
  const batches: MeterMessage[][] = [];
  for (let i = 0; i < msgs.length;) {
    const n = 1 + Math.floor(rnd() * 40);
    batches.push(msgs.slice(i, i + n));
    i += n;
  }
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [batches[i], batches[j]] = [batches[j], batches[i]];
  }
  return batches;
}

async function count(db: SqlDb, sql: string): Promise<number> {
  const rows = await db.all<{ n: unknown }>(sql);
  return Number(rows[0].n);
}


for (const backend of await backends()) {
  const { skip } = backend;
  const label = backend.name;

  test(`sql ${label}: history rows and 5m/1h/1d rollups match the messages, whatever the batch order`, { skip }, () => withStore(backend.create, async (store) => {
    const msgs = generateMessages(400, START, 7);
    const sink = createSqlSink(withParam(keepAll(store.url()), 'tz=UTC'), testContext());
    await sink.open();
    for (const batch of shuffledBatches(msgs, 3)) await sink.write(batch);
    await sink.close();

    const db = await openSqlStore(store.url());
    try {
      const readingCount = msgs.reduce((n, m) => n + m.readings.filter((r) => typeof r.value === 'number').length, 0);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM readings'), readingCount);
      const meters = [...new Set(msgs.map((m) => m.meter.id!))].sort();
      const listed = await listMeters(db);
      assert.deepEqual(listed.map((m) => m.id), meters);
      for (const m of listed) {
        const times = msgs.filter((x) => x.meter.id === m.id).map((x) => Date.parse(x.timestamp!));
        assert.equal(m.firstSeen, new Date(Math.min(...times)).toISOString());
        assert.equal(m.lastSeen, new Date(Math.max(...times)).toISOString());
        assert.equal(m.manufacturer, 'SAG');
      }
      const raw = await querySeries(db, { ...ALL, meter: meters[0], reading: 'energy_import', resolution: 'raw' });
      const sent = msgs.filter((m) => m.meter.id === meters[0]).map((m) => [m.timestamp, m.readings[0].value]);
      assert.deepEqual(raw.map((p) => [p.ts, p.value]), sent);
      const text = await querySeries(db, { ...ALL, meter: meters[0], reading: 'text_message', resolution: 'raw' });
      assert.equal(text[0].text, 'note 0');
      assert.equal(text[0].value, null);
      for (const resolution of ['5m', '15m', '1h', '1d'] as const) {
        for (const meter of meters) {
          for (const reading of NUMERIC) {
            const points = await querySeries(db, { ...ALL, meter, reading, resolution });
            assertSeries(points, expectedSeries(msgs, meter, reading, BUCKET[resolution]), `${resolution} ${meter} ${reading}`);
          }
        }
      }
      // Deltas add up to the register's advance over the whole run, at every resolution.
      const energy = raw.map((p) => p.value as number);
      for (const resolution of ['5m', '15m', '1h', '1d', '1mo'] as const) {
        const points = await querySeries(db, { ...ALL, meter: meters[0], reading: 'energy_import', resolution });
        assert.ok(close(points.reduce((s, p) => s + p.value!, 0), energy[energy.length - 1] - energy[0]), resolution);
      }
      const daily = await querySeries(db, { ...ALL, reading: 'energy_import', resolution: '1d' });
      assert.equal(daily.length, 4, 'two meters × two UTC days');
    } finally {
      await db.close();
    }
  }));

  test(`sql ${label}: writing the same batches again changes neither history nor rollups`, { skip }, () => withStore(backend.create, async (store) => {
    const msgs = generateMessages(120, START, 11);
    const sink = createSqlSink(keepAll(store.url()), testContext());
    const batches = shuffledBatches(msgs, 5);
    for (const b of batches) await sink.write(b);
    const db = await openSqlDb(store.url());
    try {
      const snapshot = async (): Promise<unknown[]> => [
        await count(db, 'SELECT COUNT(*) AS n FROM readings'),
        await count(db, 'SELECT COUNT(*) AS n FROM meter_texts'),
        ...(await Promise.all(['rollup_5m', 'rollup_15m', 'rollup_1h', 'rollup_1d', 'rollup_1mo'].map((t) =>
          db.all(`SELECT meter_id, reading_id, bucket, samples, sum_value, min_value, max_value, last_value, delta FROM ${t} ORDER BY meter_id, reading_id, bucket`)))),
      ];
      const before = JSON.stringify(await snapshot());
      for (const b of batches) await sink.write(b);
      await sink.write(msgs);
      assert.equal(JSON.stringify(await snapshot()), before);
    } finally {
      await db.close();
      await sink.close();
    }
  }));

  test(`sql ${label}: retention deletes only history older than the limit, rollups stay`, { skip }, () => withStore(backend.create, async (store) => {
    const now = Date.parse('2024-06-30T12:00:00Z');
    const day = 86_400_000;
    const ages = [40 * day, 31 * day, 29 * day, 3_600_000];
    const msgs = ages.map((age, i) => generateMessages(1, now - age, 20 + i, ['RETENTION'])[0]);
    // The generator adds up to 40 s to the start; the ages are far from the 30-day edge.
    const sink = createSqlSink(withParam(store.url(), 'retention=30d'), testContext(), { now: () => now });
    await sink.write(msgs);
    await sink.close();
    const db = await openSqlStore(store.url());
    try {
      const raw = await querySeries(db, { ...ALL, reading: 'energy_import', resolution: 'raw' });
      assert.deepEqual(raw.map((p) => p.ts), msgs.slice(2).map((m) => m.timestamp));
      const daily = await querySeries(db, { ...ALL, reading: 'energy_import', resolution: '1d' });
      assert.equal(daily.length, 4, 'rollups of deleted history are kept');
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM meters'), 1);
    } finally {
      await db.close();
    }
  }));

  test(`sql ${label}: migrations run once; opening again (also concurrently) keeps schema and data`, { skip }, () => withStore(backend.create, async (store) => {
    // Three readers of a fresh store at once: one migrates, the others wait for it and find the schema current.
    const stores = await Promise.all([1, 2, 3].map(() => openSqlStore(store.url())));
    await Promise.all(stores.map((s) => s.close()));
    const records: LogRecord[] = [];
    const first = createSqlSink(keepAll(store.url()), testContext(records));
    await first.open();
    await first.write(generateMessages(10, START, 1));
    await first.close();
    const again = createSqlSink(keepAll(store.url()), testContext(records));
    await again.open();
    await again.close();
    const db = await openSqlDb(store.url());
    try {
      const versions = await db.all<{ version: unknown }>('SELECT version FROM schema_version ORDER BY version');
      assert.deepEqual(versions.map((v) => Number(v.version)), MIGRATIONS.map((m) => m.version));
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM readings'), 10 * 4 + 2, 'numeric readings');
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM meter_texts'), 10, 'every text differs: one row each');
      assert.equal(records.filter((r) => r.msg.includes('schema migrated')).length, 0, 'already migrated by the readers');
    } finally {
      await db.close();
    }
  }));

  test(`sql ${label}: a message without timestamp is stored at its receive time, once even when retried`, { skip }, () => withStore(backend.create, async (store) => {
    let clock = Date.parse('2024-05-01T10:00:00Z');
    const sink = createSqlSink(keepAll(store.url()), testContext(), { now: () => clock });
    const msg: MeterMessage = { ...generateMessages(1, START, 2, ['NOCLOCK'])[0], timestamp: undefined };
    await sink.write([msg]);
    clock += 60_000;
    await sink.write([msg]);
    await sink.close();
    const db = await openSqlStore(store.url());
    try {
      const raw = await querySeries(db, { ...ALL, meter: 'NOCLOCK', reading: 'power_import', resolution: 'raw' });
      assert.deepEqual(raw.map((p) => p.ts), ['2024-05-01T10:00:00.000Z']);
    } finally {
      await db.close();
    }
  }));
}
