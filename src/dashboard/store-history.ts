/**
 * The history behind `meterwire dashboard --store URL` and `web://…?store=URL`: a reader's SQL store, or a fleet
 * store (docs/fleet-schema.md) when the URL names a PostgreSQL schema that holds one (`?schema=meterwire_fleet`).
 * Which one is decided on the first question, by looking, before anything could be created: opening the SQL
 * store runs its migrations, which must never write a reader's tables into a fleet's schema.
 */
import { meterError } from '../core/errors.js';
import { driverHint, missingDriver } from '../sinks/drivers.js';
import { parseSqlUrl } from '../sinks/sql/index.js';
import { createFleetHistory } from './fleet-history.js';
import type { HistoryStore, StoredMeter } from './history.js';
import { createSqlHistory } from './sql-history.js';

type StoreHistory = HistoryStore & { meters(): Promise<StoredMeter[]>; timeZone(meter: string): Promise<string | undefined> };

async function openFleetIfThere(target: string, schema: string, defaultTimeZone: string): Promise<StoreHistory | undefined> {
  const missing = missingDriver('postgres:');
  if (missing) throw meterError('BAD_CONFIG', driverHint(missing));
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    connectionString: target, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, keepAlive: true,
    // A chart question that runs longer than this is cut off by the server, not left running.
    options: '-c statement_timeout=30000', application_name: 'meterwire-dashboard',
  });
  pool.on('error', () => undefined); // an idle connection the server closed: the next query opens a new one
  try {
    const r = await pool.query<{ fleet: boolean }>(`SELECT to_regclass($1) IS NOT NULL AND EXISTS (SELECT 1 FROM information_schema.columns
      WHERE table_schema = $2 AND table_name = 'readings' AND column_name = 'meter_time') AS fleet`, [`"${schema}".frame_counters`, schema]);
    if (r.rows[0].fleet) return createFleetHistory({ pool, schema, defaultTimeZone });
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  await pool.end();
  return undefined;
}

export function createStoreHistory(url: string, o: { defaultTimeZone: string }): StoreHistory {
  const parsed = parseSqlUrl(url);
  let opening: Promise<StoreHistory> | undefined;
  const store = (): Promise<StoreHistory> => {
    opening ??= (async () => {
      const fleet = parsed.dialect === 'postgres' && parsed.schema !== undefined
        ? await openFleetIfThere(parsed.target, parsed.schema, o.defaultTimeZone) : undefined;
      return fleet ?? createSqlHistory(url);
    })().catch((e: unknown) => {
      opening = undefined; // the next question tries again (the database may come back)
      throw e;
    });
    return opening;
  };
  return {
    series: async (q) => (await store()).series(q),
    readings: async (meter) => (await store()).readings(meter),
    rawIntervalMs: async (meter) => (await store()).rawIntervalMs(meter),
    meters: async () => (await store()).meters(),
    timeZone: async (meter) => (await store()).timeZone(meter),
    async close() {
      const pending = opening;
      opening = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close?.();
    },
  };
}
