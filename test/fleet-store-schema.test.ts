// Fleet schema version 3 against a real PostgreSQL: a new store has every reading column of FLEET_COLUMNS on the
// readings table and each partition; a version 2 store upgrades on start, keeps its rows (their mbus1_reading as it
// was, gas_volume not back-filled) and stores the volumes of new rows through COPY (binary and text) and through
// the staging table.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPgFleetStore, ensureFleetSchema, FLEET_COLUMNS, FLEET_SCHEMA_VERSION } from '../src/fleet/store/index.js';
import type { FleetRow } from '../src/fleet/contracts.js';
import { dropSchema, fleetRow, pgSkip, uniqueSchema, withDb, PG_URL } from './fleet-store-support.js';

const skip = await pgSkip();
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const now = (): number => T0;
const schemas: string[] = [];

after(async () => {
  for (const s of schemas) await dropSchema(s);
});

function newSchema(prefix: string): string {
  const s = uniqueSchema(prefix);
  schemas.push(s);
  return s;
}

const versions = (schema: string): Promise<number[]> =>
  withDb(async (c) => (await c.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version ORDER BY 1`)).rows.map((r) => Number(r.version)));

/** The double precision columns of each of `readings` and its partitions. */
async function readingColumns(schema: string): Promise<Map<string, string[]>> {
  const rows = await withDb(async (c) => (await c.query<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c
    FROM information_schema.columns WHERE table_schema = $1 AND data_type = 'double precision'
    AND (table_name = 'readings' OR table_name LIKE 'readings\\_%') ORDER BY table_name, column_name`, [schema])).rows);
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.t, [...(out.get(r.t) ?? []), r.c]);
  return out;
}

const volumeRow = (meter: number, t: number, gas: number | null, water: number | null): FleetRow => {
  const r = fleetRow({ meter, t });
  return { ...r, columns: { ...r.columns, gas_volume: gas, water_volume: water } };
};

interface Stored { meter_id: string; gas_volume: number | null; water_volume: number | null; mbus1_reading: number | null }
const stored = (schema: string): Promise<Stored[]> => withDb(async (c) => (await c.query<Stored>(`SELECT meter_id, gas_volume,
  water_volume, mbus1_reading FROM "${schema}".readings ORDER BY meter_id, meter_time`)).rows);

describe('fleet schema version 3 (PostgreSQL)', { skip }, () => {
  it('a new store: version 3, and readings and each partition have exactly the fleet columns', async () => {
    const schema = newSchema('schema3');
    const store = createPgFleetStore({ connectionString: PG_URL, schema, now });
    try {
      await store.ready();
    } finally {
      await store.close();
    }
    assert.equal(FLEET_SCHEMA_VERSION, 3);
    assert.deepEqual(await versions(schema), [1, 2, 3]);
    const tables = await readingColumns(schema);
    assert.deepEqual([...tables.keys()], ['readings', 'readings_default', 'readings_p2026_11', 'readings_p2026_12']);
    for (const [t, cols] of tables) assert.deepEqual(cols, [...FLEET_COLUMNS].sort(), t);
    // Idempotent: another start applies nothing twice.
    await withDb((c) => ensureFleetSchema(c, schema));
    assert.deepEqual(await versions(schema), [1, 2, 3]);
  });

  for (const copyFormat of ['binary', 'text'] as const) {
    it(`a version 2 store upgrades on start, keeps its rows and stores new volumes (${copyFormat} COPY, staging)`, async () => {
      const schema = newSchema(`schema2${copyFormat[0]}`);
      await withDb(async (c) => {
        await ensureFleetSchema(c, schema, 2);
        await c.query(`CREATE TABLE "${schema}".readings_p2026_11 PARTITION OF "${schema}".readings FOR VALUES FROM ('2026-11-01Z') TO ('2026-12-01Z')`);
        // Rows a version 2 worker wrote: its gas volume in mbus1_reading; one in this month, one in the default partition.
        for (const [meter, t] of [['meter-old', '2026-11-20T09:00Z'], ['meter-old', '2020-01-01T00:00Z']]) {
          await c.query(`INSERT INTO "${schema}".readings (meter_id, meter_time, clock_from_meter, received_at, energy_import, mbus1_reading)
            VALUES ($1, $2, true, $2, 1000, 1500.25)`, [meter, t]);
        }
      });
      assert.deepEqual(await versions(schema), [1, 2]);
      const before = await readingColumns(schema);
      assert.ok(!before.get('readings')?.includes('gas_volume'), 'version 2 has no gas_volume column');
      assert.ok(!before.get('readings')?.includes('water_volume'), 'version 2 has no water_volume column');

      const store = createPgFleetStore({ connectionString: PG_URL, schema, now, copyFormat });
      try {
        await store.ready();
        assert.deepEqual(await versions(schema), [1, 2, 3]);
        for (const [t, cols] of await readingColumns(schema)) assert.deepEqual(cols, [...FLEET_COLUMNS].sort(), t);
        assert.deepEqual(await stored(schema), [
          { meter_id: 'meter-old', gas_volume: null, water_volume: null, mbus1_reading: 1500.25 },
          { meter_id: 'meter-old', gas_volume: null, water_volume: null, mbus1_reading: 1500.25 },
        ]);
        const first = volumeRow(7, T0, 1234.567, null);
        assert.equal((await store.commit({ rows: [first], deadLetters: [] })).inserted, 1);
        // A stored key in the batch: the rows go through the staging table (made LIKE readings) instead.
        const again = await store.commit({ rows: [first, volumeRow(8, T0, null, 87.512), volumeRow(9, T0, 1.5, 2.25)], deadLetters: [] });
        assert.deepEqual(again, { inserted: 2, duplicates: 1, replays: 0, deadLetters: 0 });
      } finally {
        await store.close();
      }
      assert.deepEqual((await stored(schema)).filter((r) => r.meter_id !== 'meter-old'), [
        { meter_id: 'meter-7', gas_volume: 1234.567, water_volume: null, mbus1_reading: null },
        { meter_id: 'meter-8', gas_volume: null, water_volume: 87.512, mbus1_reading: null },
        { meter_id: 'meter-9', gas_volume: 1.5, water_volume: 2.25, mbus1_reading: null },
      ]);
    });
  }
});
