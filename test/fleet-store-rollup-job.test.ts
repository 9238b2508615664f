// The rollup job of the fleet store (src/fleet/store/rollup-job.ts) against a real PostgreSQL: a late frame in a
// quarter already computed marks it dirty and is counted after the next run, a commit still in flight when the job
// moves on is not missed, and a version 1 store (rollups kept by every commit) is upgraded on start.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPgFleetStore, ensureFleetSchema } from '../src/fleet/store/index.js';
import type { DeadLetter, FleetRow } from '../src/fleet/contracts.js';
import { count, dropSchema, fleetRow, pgSkip, uniqueSchema, urlWithApp, withDb, PG_URL } from './fleet-store-support.js';

const skip = await pgSkip();
const schemas: string[] = [];
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const Q = 900_000;
const now = (): number => T0 + 4 * 3_600_000;
const batch = (rows: FleetRow[], deadLetters: DeadLetter[] = []) => ({ rows, deadLetters });

async function quarter(schema: string, meter: string, start: number): Promise<{ samples: number; first: number; last: number; max: number } | undefined> {
  return withDb(async (c) => {
    const { rows } = await c.query(`SELECT samples, energy_import_first AS first, energy_import_last AS last, power_import_max AS max
      FROM "${schema}".rollup_15m WHERE meter_id = $1 AND bucket_start = $2`, [meter, new Date(start).toISOString()]);
    return rows[0];
  });
}

describe('fleet store rollup job (PostgreSQL)', { skip }, () => {
  after(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  it('computes closed quarters from readings and recomputes one that a late frame made dirty', async () => {
    const schema = uniqueSchema('rolljob');
    schemas.push(schema);
    const store = createPgFleetStore({ connectionString: PG_URL, schema, now, rollupEveryMs: 0 });
    try {
      const rows = [0, 1, 2, 4, 5].map((i) => fleetRow({ meter: 1, t: T0 + i * 120_000, counter: 10 + i, energy: 100 + i, power: 10 * i }));
      await store.commit(batch(rows));
      assert.equal(await quarter(schema, 'meter-1', T0), undefined, 'nothing before the job ran');
      const first = await store.refreshRollups({ until: T0 + 2 * Q });
      assert.deepEqual(first, { quarters: 1, recomputed: 0, ran: true }, 'the empty second quarter is skipped');
      assert.deepEqual(await quarter(schema, 'meter-1', T0), { samples: 5, first: 100, last: 105, max: 50 });
      // A late frame of the computed quarter (another worker had it), then a redelivery of a stored one.
      await store.commit(batch([fleetRow({ meter: 1, t: T0 + 3 * 120_000, counter: 13, energy: 103, power: 99 })]));
      assert.equal(await count(schema, 'rollup_dirty'), 1);
      await store.commit(batch([rows[0]]));
      const again = await store.refreshRollups({ until: T0 + 2 * Q });
      assert.deepEqual(again, { quarters: 0, recomputed: 1, ran: true });
      assert.deepEqual(await quarter(schema, 'meter-1', T0), { samples: 6, first: 100, last: 105, max: 99 });
      assert.equal(await count(schema, 'rollup_dirty'), 0);
      // The quarter after rolled_until is computed by a later run, not before.
      await store.commit(batch([fleetRow({ meter: 1, t: T0 + 2 * Q + 1000, counter: 20, energy: 200, power: 1 })]));
      assert.equal(await quarter(schema, 'meter-1', T0 + 2 * Q), undefined);
      await store.refreshRollups({ until: T0 + 3 * Q });
      assert.equal((await quarter(schema, 'meter-1', T0 + 2 * Q))?.samples, 1);
    } finally {
      await store.close();
    }
  });

  it('waits for a commit in flight before it moves on, so that commit\'s rows are in the quarter', async () => {
    const schema = uniqueSchema('rolljob');
    schemas.push(schema);
    const app = `mw-rolljob-${process.pid}`;
    const writer = createPgFleetStore({ connectionString: urlWithApp(app), schema, now, rollupEveryMs: 0 });
    const job = createPgFleetStore({ connectionString: PG_URL, schema, now, rollupEveryMs: 0 });
    const blocker = new pg.Client({ connectionString: PG_URL });
    await blocker.connect();
    try {
      await writer.commit(batch([fleetRow({ meter: 7, t: T0, counter: 1 })]));
      await job.refreshRollups({ until: T0 });
      const letter: DeadLetter = { topic: 'meters/x/raw', topicId: 'x-wait', receivedAt: new Date(T0), payload: Uint8Array.of(1), reason: 'unknown-meter', detail: 'UNKNOWN_METER' };
      // Hold dead_letters: the commit stops after its readings, holding the rollup lock shared.
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".dead_letters IN EXCLUSIVE MODE`);
      const pending = writer.commit(batch([fleetRow({ meter: 7, t: T0 + 60_000, counter: 2 })], [letter]));
      let waiting = false;
      for (let i = 0; i < 200 && !waiting; i++) {
        const r = await blocker.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [app]);
        waiting = r.rows.length > 0;
        if (!waiting) await new Promise((res) => setTimeout(res, 50));
      }
      assert.ok(waiting, 'the commit did not reach the dead letters');
      const refreshed = job.refreshRollups({ until: T0 + Q });
      await new Promise((res) => setTimeout(res, 300));
      await blocker.query('ROLLBACK');
      assert.equal((await pending).inserted, 1);
      await refreshed;
      assert.equal((await quarter(schema, 'meter-7', T0))?.samples, 2);
    } finally {
      await blocker.end();
      await Promise.all([writer.close(), job.close()]);
    }
  });

  it('runs the job on its own in a worker\'s store (own pool), once the quarter is past the grace time', async () => {
    const schema = uniqueSchema('rolljob');
    schemas.push(schema);
    let clock = T0 + 60_000;
    const store = createPgFleetStore({ connectionString: PG_URL, schema, now: () => clock, rollupEveryMs: 50, rollupGraceMs: 120_000 });
    try {
      await store.commit(batch([fleetRow({ meter: 9, t: T0, counter: 1 })]));
      await new Promise((res) => setTimeout(res, 400));
      assert.equal(await quarter(schema, 'meter-9', T0), undefined, 'the quarter is still open');
      clock = T0 + Q + 120_000;
      let got;
      for (let i = 0; i < 100 && !got; i++) {
        await new Promise((res) => setTimeout(res, 50));
        got = await quarter(schema, 'meter-9', T0);
      }
      assert.equal(got?.samples, 1);
    } finally {
      await store.close();
    }
  });

  it('upgrades a version 1 store on start and keeps its rollups', async () => {
    const schema = uniqueSchema('rollv1');
    schemas.push(schema);
    await withDb(async (c) => {
      await ensureFleetSchema(c, schema, 1);
      await c.query(`CREATE TABLE "${schema}".rollup_15m_p2020_01 PARTITION OF "${schema}".rollup_15m FOR VALUES FROM ('2020-01-01Z') TO ('2020-02-01Z')`);
      // A quarter a v1 commit kept (computed incrementally, exact).
      await c.query(`INSERT INTO "${schema}".rollup_15m (meter_id, bucket_start, time_zone, hour_start, day_start, day_end, samples)
        VALUES ('meter-old', '2020-01-01T00:00Z', 'UTC', '2020-01-01T00:00Z', '2020-01-01T00:00Z', '2020-01-02T00:00Z', 3)`);
    });
    assert.equal(await count(schema, 'schema_version'), 1);
    const store = createPgFleetStore({ connectionString: PG_URL, schema, now, rollupEveryMs: 0 });
    try {
      await store.ready();
      assert.deepEqual(await withDb(async (c) => (await c.query(`SELECT version FROM "${schema}".schema_version ORDER BY 1`)).rows.map((r) => r.version)), [1, 2, 3]);
      const state = await withDb(async (c) => (await c.query(`SELECT rolled_until FROM "${schema}".rollup_state`)).rows);
      assert.equal(state.length, 1);
      assert.ok(state[0].rolled_until instanceof Date, 'an upgraded store starts at its current quarter');
      assert.equal(state[0].rolled_until.getTime() % Q, 0);
      await store.commit(batch([fleetRow({ meter: 3, t: T0, counter: 1, energy: 5 })]));
      await store.refreshRollups({ until: T0 + Q });
      assert.equal((await quarter(schema, 'meter-3', T0))?.samples, 1);
      assert.equal((await quarter(schema, 'meter-old', Date.UTC(2020, 0, 1)))?.samples, 3);
    } finally {
      await store.close();
    }
  });
});
