// Fleet store against a real PostgreSQL: duplicates on redelivery, the replay policy, concurrent workers, a
// commit cut off mid-way, dead-letter paging.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPgFleetStore, type PgFleetStore } from '../src/fleet/store/index.js';
import type { DeadLetter, FleetBatch } from '../src/fleet/contracts.js';
import { count, dropSchema, fleetRow, pgSkip, titleOf, uniqueSchema, urlWithApp, withDb, PG_URL } from './fleet-store-support.js';

const skip = await pgSkip();
const schema = uniqueSchema('fleet');
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const now = (): number => T0;
const DAY = 86_400_000;
const batch = (rows: FleetBatch['rows'], deadLetters: DeadLetter[] = []): FleetBatch => ({ rows, deadLetters });

describe('fleet store (PostgreSQL)', { skip }, () => {
  let store: PgFleetStore;

  before(async () => {
    store = createPgFleetStore({ connectionString: PG_URL, schema, now, reorderWindow: 10 });
    await store.ready();
  });

  after(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  it('creates the schema idempotently and records its version', async () => {
    const twins = [createPgFleetStore({ connectionString: PG_URL, schema, now }), createPgFleetStore({ connectionString: PG_URL, schema, now })];
    await Promise.all(twins.map((s) => s.ready()));
    await Promise.all(twins.map((s) => s.close()));
    assert.equal(await count(schema, 'schema_version'), 3);
  });

  it('counts a redelivered batch as duplicates and stores every row once', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => fleetRow({ meter: 100 + (i % 8), t: T0 + Math.floor(i / 8) * 5000, counter: 10 + Math.floor(i / 8) }));
    const first = await store.commit(batch(rows));
    assert.deepEqual(first, { inserted: 40, duplicates: 0, replays: 0, deadLetters: 0 });
    const again = await store.commit(batch(rows));
    assert.deepEqual(again, { inserted: 0, duplicates: 40, replays: 0, deadLetters: 0 });
    // Half old, half new, and one message twice within the batch.
    const more = Array.from({ length: 8 }, (_, i) => fleetRow({ meter: 100 + i, t: T0 + 5 * 5000, counter: 15 }));
    const mixed = await store.commit(batch([...rows.slice(0, 8), ...more, more[0]]));
    assert.deepEqual(mixed, { inserted: 8, duplicates: 9, replays: 0, deadLetters: 0 });
    assert.equal(await count(schema, 'readings', "meter_id LIKE 'meter-1__'"), 48);
    await store.refreshRollups({ until: T0 + DAY });
    const samples = await withDb(async (c) => Number((await c.query(`SELECT sum(samples) AS n FROM "${schema}".rollup_15m WHERE meter_id LIKE 'meter-1__'`)).rows[0].n));
    assert.equal(samples, 48, 'rollups fold only inserted rows');
  });

  it('folds only the newly inserted rows of a partly redelivered batch of meters without frame counters', async () => {
    // DSMR-like rows: no system title, so the stored-key conflict is found by the insert itself.
    const rows = Array.from({ length: 12 }, (_, i) => fleetRow({ meter: 150 + (i % 4), t: T0 + Math.floor(i / 4) * 5000, energy: 100 + i, power: 10 * i }));
    assert.equal((await store.commit(batch(rows.slice(0, 8)))).inserted, 8);
    assert.deepEqual(await store.commit(batch(rows)), { inserted: 4, duplicates: 8, replays: 0, deadLetters: 0 });
    await store.refreshRollups({ until: T0 + DAY });
    const q = await withDb(async (c) => (await c.query(`SELECT sum(samples) AS n, sum(power_import_sum) AS p, max(energy_import_last) AS e
      FROM "${schema}".rollup_15m WHERE meter_id LIKE 'meter-15_'`)).rows[0]);
    assert.equal(Number(q.n), 12);
    assert.equal(Number(q.p), rows.reduce((n, r) => n + r.columns.power_import!, 0));
    assert.equal(Number(q.e), 111);
  });

  it('never doubles nor loses a row when batches of frames without counters are redelivered mixed and concurrently', async () => {
    // No counters: only the key conflict of the direct COPY finds the stored rows (then the staging path runs).
    const rows = Array.from({ length: 90 }, (_, i) => fleetRow({ meter: 800 + (i % 9), t: T0 + Math.floor(i / 9) * 5000, energy: 7000 + i }));
    const w1 = createPgFleetStore({ connectionString: PG_URL, schema, now });
    const w2 = createPgFleetStore({ connectionString: PG_URL, schema, now });
    try {
      assert.equal((await w1.commit(batch(rows.slice(0, 30)))).inserted, 30);
      // Both workers get an overlapping mix of stored and new rows, in opposite orders, at the same time.
      const a = rows.slice(10, 70);
      const b = rows.slice(20, 90).reverse();
      const [ra, rb] = await Promise.all([w1.commit(batch(a)), w2.commit(batch(b))]);
      assert.equal(ra.inserted + rb.inserted, 60);
      assert.equal(ra.inserted + ra.duplicates + rb.inserted + rb.duplicates, a.length + b.length);
    } finally {
      await Promise.all([w1.close(), w2.close()]);
    }
    const stored = await withDb(async (c) => (await c.query(`SELECT meter_id, meter_time, energy_import FROM "${schema}".readings
      WHERE meter_id LIKE 'meter-80_' ORDER BY meter_id, meter_time`)).rows);
    assert.equal(stored.length, 90);
    const want = new Map(rows.map((r) => [`${r.meterId}/${r.meterTime.getTime()}`, r.columns.energy_import]));
    for (const r of stored) assert.equal(r.energy_import, want.get(`${r.meter_id}/${r.meter_time.getTime()}`));
  });

  it('keeps the fleet-wide counter monotonic, accepts a late frame with the meter clock and refuses replays', async () => {
    const m = 200;
    const res1 = await store.commit(batch([100, 101, 102, 104, 105].map((c) => fleetRow({ meter: m, t: T0 + c * 1000, counter: c }))));
    assert.equal(res1.inserted, 5);
    // 103 was delivered later by another worker: out of order but within the window and with its own clock.
    const late = await store.commit(batch([fleetRow({ meter: m, t: T0 + 103 * 1000, counter: 103 })]));
    assert.deepEqual(late, { inserted: 1, duplicates: 0, replays: 0, deadLetters: 0 });
    // Far below the maximum (window 10): a replay even though its time is new.
    const old = await store.commit(batch([fleetRow({ meter: m, t: T0 + 50 * 1000 + 500, counter: 50 })]));
    assert.deepEqual(old, { inserted: 0, duplicates: 0, replays: 1, deadLetters: 1 });
    // Within the window but without the meter's clock: its time would be the receive time, so refused.
    const noClock = await store.commit(batch([fleetRow({ meter: m, t: T0 + 999_000, counter: 99, clock: false })]));
    assert.deepEqual(noClock, { inserted: 0, duplicates: 0, replays: 1, deadLetters: 1 });
    const counter = await withDb(async (c) => (await c.query(`SELECT frame_counter FROM "${schema}".frame_counters WHERE system_title = $1`, [titleOf(m)])).rows[0].frame_counter);
    assert.equal(Number(counter), 105);
    assert.equal(await count(schema, 'readings', 'meter_id = $1', [`meter-${m}`]), 6);
    const letters = await withDb(async (c) => (await c.query(`SELECT reason, topic, topic_id, meter_id, payload, detail FROM "${schema}".dead_letters WHERE meter_id = $1 ORDER BY id`, [`meter-${m}`])).rows);
    assert.deepEqual(letters.map((l) => [l.reason, l.topic, l.topic_id]), [['replay', `meters/gw-${m}/raw`, `gw-${m}`], ['replay', `meters/gw-${m}/raw`, `gw-${m}`]]);
    assert.deepEqual([...letters[0].payload], [0xdb, 0x08, m & 0xff, 50]);
    assert.match(letters[1].detail, /no meter clock/);
  });

  it('counts the redelivery of a frame without meter clock as a duplicate by its counter, not as a replay', async () => {
    const m = 300;
    const first = fleetRow({ meter: m, t: T0, counter: 7, clock: false, receivedAt: T0 + 100 });
    assert.equal((await store.commit(batch([first]))).inserted, 1);
    // The broker redelivers it a minute later: another receive time, so another row key; the counter matches.
    const redelivered = fleetRow({ meter: m, t: T0, counter: 7, clock: false, receivedAt: T0 + 60_100 });
    assert.deepEqual(await store.commit(batch([redelivered])), { inserted: 0, duplicates: 1, replays: 0, deadLetters: 0 });
    assert.equal(await count(schema, 'readings', 'meter_id = $1', [`meter-${m}`]), 1);
  });

  it('stores every frame exactly once when two workers commit overlapping batches at the same time', async () => {
    const w1 = createPgFleetStore({ connectionString: PG_URL, schema, now });
    const w2 = createPgFleetStore({ connectionString: PG_URL, schema, now });
    try {
      const meters = Array.from({ length: 60 }, (_, i) => 1000 + i);
      const expected = new Set<string>();
      let inserted = 0;
      let duplicates = 0;
      let total = 0;
      for (let round = 0; round < 8; round++) {
        // Both workers hold frames of the same meters, in opposite orders, and a third of the frames twice.
        const rowsOf = (offset: number) => meters.map((m) => fleetRow({ meter: m, t: T0 + (round * 3 + offset) * 5000, counter: round * 3 + offset + 1 }));
        const a = [...rowsOf(0), ...rowsOf(2)];
        const b = [...rowsOf(1), ...rowsOf(2)].reverse();
        for (const r of [...a, ...b]) expected.add(`${r.meterId}/${r.meterTime.getTime()}`);
        total += a.length + b.length;
        const [ra, rb] = await Promise.all([w1.commit(batch(a)), w2.commit(batch(b))]);
        inserted += ra.inserted + rb.inserted;
        duplicates += ra.duplicates + rb.duplicates;
        assert.equal(ra.replays + rb.replays, 0, `round ${round}: an overlapping frame was refused as a replay`);
      }
      assert.equal(inserted, expected.size);
      assert.equal(inserted + duplicates, total);
      assert.equal(await count(schema, 'readings', 'meter_id = ANY($1)', [meters.map((m) => `meter-${m}`)]), expected.size);
      const counters = await withDb(async (c) => (await c.query(`SELECT DISTINCT frame_counter FROM "${schema}".frame_counters WHERE system_title = ANY($1)`, [meters.map(titleOf)])).rows);
      assert.deepEqual(counters.map((r) => Number(r.frame_counter)), [24]);
    } finally {
      await Promise.all([w1.close(), w2.close()]);
    }
  });

  it('throws when its connection is cut during the commit and leaves nothing of the batch behind', async () => {
    const app = `mw-cut-${process.pid}`;
    const victim = createPgFleetStore({ connectionString: urlWithApp(app), schema, now });
    await victim.ready();
    const m = 400;
    const rows = Array.from({ length: 300 }, (_, i) => fleetRow({ meter: m + (i % 30), t: T0 + Math.floor(i / 30) * 5000, counter: 1 + Math.floor(i / 30) }));
    const letter: DeadLetter = { topic: 'meters/x/raw', topicId: 'x-cut', receivedAt: new Date(T0), payload: Uint8Array.of(1), reason: 'unknown-meter', detail: 'UNKNOWN_METER: x-cut' };
    const blocker = await withDbClient();
    try {
      // Hold dead_letters so the commit stops after its readings, counters and rollups, then cut its backend.
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".dead_letters IN EXCLUSIVE MODE`);
      const pending = victim.commit(batch(rows, [letter]));
      const outcome = pending.then(() => 'committed', (e: Error) => e.message);
      let pid: number | undefined;
      for (let i = 0; i < 200 && pid === undefined; i++) {
        const r = await blocker.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [app]);
        pid = r.rows[0]?.pid;
        if (pid === undefined) await new Promise((res) => setTimeout(res, 50));
      }
      assert.ok(pid, 'the commit did not reach the dead letters');
      await blocker.query('SELECT pg_terminate_backend($1)', [pid]);
      assert.notEqual(await outcome, 'committed');
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    const mine = 'meter_id = ANY($1)';
    const ids = Array.from({ length: 30 }, (_, i) => `meter-${m + i}`);
    assert.equal(await count(schema, 'readings', mine, [ids]), 0);
    assert.equal(await count(schema, 'rollup_15m', mine, [ids]), 0);
    assert.equal(await count(schema, 'frame_counters', 'system_title = ANY($1)', [Array.from({ length: 30 }, (_, i) => titleOf(m + i))]), 0);
    assert.equal(await count(schema, 'dead_letters', "topic_id = 'x-cut'"), 0);
    // The worker does not acknowledge, the broker redelivers: the same batch commits whole on a fresh connection.
    assert.deepEqual(await victim.commit(batch(rows, [letter])), { inserted: 300, duplicates: 0, replays: 0, deadLetters: 1 });
    await victim.close();
  });

  it('fails a commit stuck behind a lock after its statement timeout instead of waiting forever', async () => {
    const impatient = createPgFleetStore({ connectionString: PG_URL, schema, now, statementTimeoutMs: 300 });
    await impatient.ready();
    const blocker = await withDbClient();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".dead_letters IN EXCLUSIVE MODE`);
      const letter: DeadLetter = { topic: 'meters/x/raw', topicId: 'x-timeout', receivedAt: new Date(T0), payload: Uint8Array.of(1), reason: 'unknown-meter', detail: 'UNKNOWN_METER' };
      const started = Date.now();
      await assert.rejects(impatient.commit(batch([fleetRow({ meter: 700, t: T0, counter: 1 })], [letter])), /statement timeout/);
      assert.ok(Date.now() - started < 5_000);
      await blocker.query('ROLLBACK');
      assert.equal(await count(schema, 'readings', "meter_id = 'meter-700'"), 0);
    } finally {
      await blocker.end();
      await impatient.close();
    }
  });

  it('stores the same values through COPY text and COPY binary, awkward characters included', async () => {
    const text = createPgFleetStore({ connectionString: PG_URL, schema, now, copyFormat: 'text' });
    const binary = createPgFleetStore({ connectionString: PG_URL, schema, now, copyFormat: 'binary' });
    const awkward = (meter: number) => {
      const r = fleetRow({ meter, t: T0 + 123, counter: 2 ** 40 + 3, energy: 0.1 + 0.2, power: -1.5e-7 });
      r.meterId = `m\\t\t${meter} ü€`;
      r.columns.frequency = 49.99;
      r.columns.voltage_l1 = null;
      r.extra = { text: 'tab\there\nnew "quoted" back\\slash \u0000 end', n: [1, 2.5] };
      r.flags = ['unverified', 'a "b" \\ c', '{x,y}'];
      return r;
    };
    try {
      await text.commit(batch([awkward(500)]));
      await binary.commit(batch([awkward(501)]));
    } finally {
      await Promise.all([text.close(), binary.close()]);
    }
    const rows = await withDb(async (c) => (await c.query(`SELECT * FROM "${schema}".readings WHERE meter_id = ANY($1) ORDER BY meter_id`, [[awkward(500).meterId, awkward(501).meterId]])).rows);
    assert.equal(rows.length, 2);
    const [a, b] = rows.map(({ meter_id: _id, system_title: _title, ...rest }) => rest);
    assert.deepEqual(a, b);
    assert.equal(rows[0].meter_id, 'm\\t\t500 ü€');
    assert.equal(rows[0].energy_import, 0.1 + 0.2);
    assert.equal(rows[0].power_import, -1.5e-7);
    assert.equal(rows[0].voltage_l1, null);
    assert.equal(String(rows[0].frame_counter), String(2 ** 40 + 3));
    assert.deepEqual(rows[0].flags, ['unverified', 'a "b" \\ c', '{x,y}']);
    assert.deepEqual(rows[0].extra, { text: 'tab\there\nnew "quoted" back\\slash \uFFFD end', n: [1, 2.5] });
    assert.equal(rows[0].meter_time.getTime(), T0 + 123);
  });

  it('turns a row no table can hold into a dead letter instead of failing the batch forever', async () => {
    const bad = fleetRow({ meter: 600, t: T0 });
    bad.meterTime = new Date(Number.NaN);
    const oddZone = fleetRow({ meter: 601, t: T0, zone: 'Mars/Olympus_Mons' });
    const fine = fleetRow({ meter: 602, t: T0 });
    assert.deepEqual(await store.commit(batch([bad, oddZone, fine])), { inserted: 2, duplicates: 0, replays: 0, deadLetters: 1 });
    const letter = await withDb(async (c) => (await c.query(`SELECT reason, detail, payload FROM "${schema}".dead_letters WHERE meter_id = 'meter-600'`)).rows);
    assert.deepEqual(letter.map((l) => [l.reason, l.detail]), [['undecodable', 'INVALID_ROW: meterTime is not a valid date']]);
    assert.ok(letter[0].payload.length > 0);
    // An unknown zone keeps the reading; only its local buckets fall back to the store's zone (UTC here).
    await store.refreshRollups({ until: T0 + DAY });
    const zone = await withDb(async (c) => (await c.query(`SELECT time_zone FROM "${schema}".rollup_15m WHERE meter_id = 'meter-601'`)).rows);
    assert.deepEqual(zone, [{ time_zone: 'UTC' }]);
  });

  it('pages dead letters by id for redecode, removes and marks them', async () => {
    const letters: DeadLetter[] = Array.from({ length: 5 }, (_, i) => ({
      topic: `meters/u${i}/raw`, topicId: `u${i}`, receivedAt: new Date(T0 + i), payload: Uint8Array.of(i, 0xff), reason: 'unknown-meter', detail: `UNKNOWN_METER: u${i}`,
    }));
    assert.equal((await store.commit(batch([], letters))).deadLetters, 5);
    const topicIds = letters.map((l) => l.topicId);
    const page1 = await store.deadLetters.page({ limit: 2, topicIds });
    const page2 = await store.deadLetters.page({ limit: 2, topicIds, afterId: page1[1].id });
    const page3 = await store.deadLetters.page({ limit: 2, topicIds, afterId: page2[1].id });
    assert.deepEqual([...page1, ...page2, ...page3].map((l) => l.topicId), topicIds);
    assert.deepEqual([...page3[0].payload], [4, 0xff]);
    assert.equal(await store.deadLetters.remove([page1[0].id, page1[1].id]), 2);
    assert.equal(await store.deadLetters.markFailed([page2[0].id], 'wrong-key', 'AUTH_FAILED: tag mismatch'), 1);
    const rest = await store.deadLetters.page({ topicIds, reasons: ['wrong-key'] });
    assert.deepEqual(rest.map((l) => [l.topicId, l.attempts, l.detail]), [['u2', 1, 'AUTH_FAILED: tag mismatch']]);
    assert.equal((await store.deadLetters.page({ topicIds })).length, 3);
  });
});

async function withDbClient() {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  return c;
}
