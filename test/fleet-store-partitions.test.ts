// Monthly partitions of the fleet store: created ahead and on demand, a wrong meter clock kept in the default
// partition without failing the batch (and moved out when its month gets a partition), retention dropping months.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPgFleetStore } from '../src/fleet/store/index.js';
import { count, dropSchema, fleetRow, pgSkip, uniqueSchema, withDb, PG_URL } from './fleet-store-support.js';

const skip = await pgSkip();
const schema = uniqueSchema('fleetpart');

async function partitionOf(meterId: string, t: number): Promise<string | undefined> {
  return withDb(async (c) => (await c.query(`SELECT tableoid::regclass::text AS p FROM "${schema}".readings WHERE meter_id = $1 AND meter_time = $2`,
    [meterId, new Date(t).toISOString()])).rows[0]?.p);
}

async function partitions(table: string): Promise<string[]> {
  return withDb(async (c) => (await c.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = $1::regclass ORDER BY 1`, [`"${schema}".${table}`])).rows.map((r) => r.relname));
}

describe('fleet store partitions and retention (PostgreSQL)', { skip }, () => {
  after(() => dropSchema(schema));

  it('creates months ahead and on demand, keeps far-off clocks in the default partition, and drops old months', async () => {
    let clock = Date.UTC(2026, 4, 15); // May 2026
    const store = createPgFleetStore({ connectionString: PG_URL, schema, now: () => clock, partitionWindow: { pastMonths: 3, futureMonths: 1 } });
    try {
      await store.ready();
      assert.deepEqual(await partitions('readings'), ['readings_default', 'readings_p2026_05', 'readings_p2026_06']);
      const april = Date.UTC(2026, 3, 10, 8);
      const august = Date.UTC(2026, 7, 3, 8);
      const y2031 = Date.UTC(2031, 0, 1);
      const y1999 = Date.UTC(1999, 11, 31, 23);
      const res = await store.commit({
        rows: [fleetRow({ meter: 1, t: april }), fleetRow({ meter: 2, t: august }), fleetRow({ meter: 3, t: y2031 }), fleetRow({ meter: 4, t: y1999 })],
        deadLetters: [],
      });
      assert.equal(res.inserted, 4);
      assert.equal(await partitionOf('meter-1', april), `${schema}.readings_p2026_04`, 'a month inside the window is created for the batch');
      assert.equal(await partitionOf('meter-2', august), `${schema}.readings_default`, 'August is beyond the window in May');
      assert.equal(await partitionOf('meter-3', y2031), `${schema}.readings_default`);
      assert.equal(await partitionOf('meter-4', y1999), `${schema}.readings_default`);
      // A redelivery of the far-off rows is still a duplicate (the default partition has the same key).
      assert.equal((await store.commit({ rows: [fleetRow({ meter: 3, t: y2031 })], deadLetters: [] })).duplicates, 1);

      // July: the partitions ahead now reach August, whose row moves out of the default partition.
      clock = Date.UTC(2026, 6, 10);
      await store.ensurePartitionsAhead();
      assert.equal(await partitionOf('meter-2', august), `${schema}.readings_p2026_08`);
      assert.equal(await count(schema, 'readings'), 4);
      assert.ok((await partitions('rollup_15m')).includes('rollup_15m_p2026_08'));

      // Keep two months before July: April goes (and its rollups), 1999 leaves the default, 2031 stays.
      const dropped = await store.retention({ readingsMonths: 2 });
      assert.deepEqual(dropped.dropped.sort(), ['readings_p2026_04', 'rollup_15m_p2026_04']);
      assert.equal(dropped.defaultRowsDeleted >= 1, true);
      assert.equal(await partitionOf('meter-1', april), undefined);
      assert.equal(await partitionOf('meter-4', y1999), undefined);
      assert.equal(await partitionOf('meter-3', y2031), `${schema}.readings_default`);
      assert.deepEqual(await partitions('readings'), ['readings_default', 'readings_p2026_05', 'readings_p2026_06', 'readings_p2026_07', 'readings_p2026_08']);
    } finally {
      await store.close();
    }
  });
});
