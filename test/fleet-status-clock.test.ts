/**
 * `fleet status` reads one day of readings by meter time. A meter whose clock runs more than a day behind still
 * sends: it must not be listed as silent (its newest row by the primary key says when it was last received),
 * while a meter that really stopped is. Real PostgreSQL; rows committed by the fleet store itself.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPgFleetStore } from '../src/fleet/store/index.js';
import { createPgFleetAdmin } from '../src/fleet/store/pg-fleet-admin.js';
import { importMeters } from '../src/fleet/keys/index.js';
import { dropSchema, fleetRow, PG_URL, pgSkip, uniqueSchema } from './fleet-store-support.js';
import { masterOf, newMasterKeyText } from './fleet-keys-pg-support.js';

const skip = await pgSkip();
const schema = uniqueSchema('statusclock');
after(async () => { if (!skip) await dropSchema(schema); });

test('a meter whose clock is two days behind is not silent; one that stopped an hour ago is', { skip }, async () => {
  const now = Date.now();
  const store = createPgFleetStore({ connectionString: PG_URL, schema });
  try {
    await store.commit({
      rows: [
        // meter 1: sends now, its clock says two days ago
        fleetRow({ meter: 1, t: now - 2 * 86_400_000, receivedAt: now - 2_000 }),
        // meter 2: its clock is right, its last frame arrived an hour ago
        fleetRow({ meter: 2, t: now - 3_600_000, receivedAt: now - 3_600_000 }),
      ],
      deadLetters: [],
    });
  } finally {
    await store.close();
  }
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  try {
    await importMeters(pool, schema, masterOf(newMasterKeyText()), [1, 2, 3].map((n) => ({ line: n + 1, meterId: `meter-${n}`, topicId: `gw-${n}`, timeZone: 'UTC' })));
  } finally {
    await pool.end();
  }
  const admin = createPgFleetAdmin({ connectionString: PG_URL, schema });
  try {
    const silent = await admin.silentMeters({ '': now - 60_000 }, 10);
    assert.deepEqual(silent.map((m) => [m.meterId, m.lastReceivedAt?.getTime()]), [['meter-2', now - 3_600_000], ['meter-3', undefined]]);
  } finally {
    await admin.close();
  }
});
