/**
 * The fleet schema (docs/fleet-schema.md), created idempotently: every statement is IF NOT EXISTS and runs under a
 * transaction-scoped advisory lock, so workers starting together create it once. `schema_version` lists the
 * applied versions; a later version adds a migration here, never edits an earlier one.
 *
 * Version 2 moves the rollups out of the commit (src/fleet/store/rollup-job.ts): a BRIN index lets the job read
 * one quarter of readings by time, `meter_zones` gives it each meter's zone, `rollup_state` says up to where the
 * quarters are computed and `rollup_dirty` lists computed quarters that got rows later.
 *
 * Version 3 adds the M-Bus volume columns `gas_volume` and `water_volume` to `readings` (COLUMNS_BY_VERSION[3]);
 * `mbus1_reading` stays, no longer written (see version3()).
 */
import type pg from 'pg';
import { COLUMNS_BY_VERSION } from './columns.js';

export const FLEET_SCHEMA_VERSION = 3;
export const DEFAULT_FLEET_SCHEMA = 'meterwire_fleet';

/** Tables partitioned by month, with the column their range is on. */
export const PARTITIONED: Readonly<Record<string, string>> = { readings: 'meter_time', rollup_15m: 'bucket_start' };

/** Hourly and daily rollups are views over the quarters, grouped by the local hour and day each quarter lies in. */
export const ROLLUP_VIEWS = { '15m': 'rollup_15m_v', '1h': 'rollup_1h_v', '1d': 'rollup_1d_v' } as const;

/** A schema name we can put into SQL unquoted-safe: lower-case identifier characters only. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and _`);
  return schema;
}

/** Quoted `"schema".name`. */
export const qualified = (schema: string, name: string): string => `"${schema}"."${name}"`;

/** The readings table as version 1 created it: its own column list, so a later version's columns come by migration. */
function readingsTable(s: string): string {
  const values = COLUMNS_BY_VERSION[1].map((c) => `  ${c} double precision`).join(',\n');
  return `CREATE TABLE IF NOT EXISTS ${qualified(s, 'readings')} (
  meter_id text COLLATE "C" NOT NULL,
  meter_time timestamptz NOT NULL,
  clock_from_meter boolean NOT NULL,
  received_at timestamptz NOT NULL,
  system_title text COLLATE "C",
  frame_counter bigint,
${values},
  extra jsonb NOT NULL DEFAULT '{}',
  flags text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (meter_id, meter_time)
) PARTITION BY RANGE (meter_time)`;
}

/**
 * Quarter-hour rollups, kept in the commit: first/last energy register values with their times (a delta is
 * last − first; the consumption between two buckets is the next one's first minus this one's last), power sample
 * count, sum and maximum. Each quarter also names the local hour and day (in the meter's zone) it belongs to, so
 * the hourly and daily views group quarters without any time-zone arithmetic in SQL.
 */
function rollupTable(s: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(s, 'rollup_15m')} (
  meter_id text COLLATE "C" NOT NULL,
  bucket_start timestamptz NOT NULL,
  time_zone text NOT NULL,
  hour_start timestamptz NOT NULL,
  day_start timestamptz NOT NULL,
  day_end timestamptz NOT NULL,
  samples integer NOT NULL,
  ${ENERGY.map((e) => `${e}_first_time timestamptz, ${e}_first double precision, ${e}_last_time timestamptz, ${e}_last double precision`).join(',\n  ')},
  ${POWER.map((p) => `${p}_samples integer NOT NULL DEFAULT 0, ${p}_sum double precision NOT NULL DEFAULT 0, ${p}_max double precision`).join(',\n  ')},
  PRIMARY KEY (meter_id, bucket_start)
) PARTITION BY RANGE (bucket_start)`;
}

const ENERGY = ['energy_import', 'energy_export'] as const;
const POWER = ['power_import', 'power_export'] as const;

const derived = (): string => [
  ...ENERGY.map((e) => `${e}_last - ${e}_first AS ${e}_delta`),
  ...POWER.map((p) => `${p}_sum / NULLIF(${p}_samples, 0) AS ${p}_avg`),
].join(',\n  ');

/** A coarser bucket as the aggregate of its quarters (the same merge the commit does quarter by quarter). */
function groupedView(s: string, name: string, start: string, end: string): string {
  const energy = ENERGY.map((e) => `min(${e}_first_time) AS ${e}_first_time,
    (array_agg(${e}_first ORDER BY ${e}_first_time) FILTER (WHERE ${e}_first_time IS NOT NULL))[1] AS ${e}_first,
    max(${e}_last_time) AS ${e}_last_time,
    (array_agg(${e}_last ORDER BY ${e}_last_time DESC) FILTER (WHERE ${e}_last_time IS NOT NULL))[1] AS ${e}_last`).join(',\n    ');
  const power = POWER.map((p) => `sum(${p}_samples)::integer AS ${p}_samples, sum(${p}_sum) AS ${p}_sum, max(${p}_max) AS ${p}_max`).join(',\n    ');
  return `CREATE OR REPLACE VIEW ${qualified(s, name)} AS SELECT *,
  ${derived()}
FROM (SELECT meter_id, ${start} AS bucket_start, ${end} AS bucket_end, max(time_zone) AS time_zone, sum(samples)::integer AS samples,
    ${energy},
    ${power}
  FROM ${qualified(s, 'rollup_15m')} GROUP BY meter_id, ${start}, ${end}) g`;
}

function rollupViews(s: string): string[] {
  return [
    `CREATE OR REPLACE VIEW ${qualified(s, ROLLUP_VIEWS['15m'])} AS SELECT meter_id, bucket_start, bucket_start + interval '15 minutes' AS bucket_end,
  time_zone, samples, ${ENERGY.map((e) => `${e}_first_time, ${e}_first, ${e}_last_time, ${e}_last`).join(', ')},
  ${POWER.map((p) => `${p}_samples, ${p}_sum, ${p}_max`).join(', ')},
  ${derived()}
FROM ${qualified(s, 'rollup_15m')}`,
    groupedView(s, ROLLUP_VIEWS['1h'], 'hour_start', "hour_start + interval '1 hour'"),
    groupedView(s, ROLLUP_VIEWS['1d'], 'day_start', 'day_end'),
  ];
}

function version1(s: string): string[] {
  return [
    readingsTable(s),
    rollupTable(s),
    // Rows whose month has no partition (a meter clock far off) land here instead of failing the batch.
    ...Object.keys(PARTITIONED).map((t) => `CREATE TABLE IF NOT EXISTS ${qualified(s, `${t}_default`)} PARTITION OF ${qualified(s, t)} DEFAULT${t.startsWith('rollup_') ? ' WITH (fillfactor = 70)' : ''}`),
    ...rollupViews(s),
    // Updated by every commit: room on each page for HOT updates.
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'frame_counters')} (
  system_title text COLLATE "C" PRIMARY KEY,
  frame_counter bigint NOT NULL,
  previous_counter bigint,
  updated_at timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 50)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'dead_letters')} (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  topic_id text NOT NULL,
  meter_id text,
  received_at timestamptz NOT NULL,
  payload bytea NOT NULL,
  reason text NOT NULL,
  detail text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
    `CREATE INDEX IF NOT EXISTS dead_letters_topic_id ON ${qualified(s, 'dead_letters')} (topic_id, id)`,
  ];
}

/**
 * Version 2. `rolled_until`: every quarter before it is in rollup_15m (or listed in rollup_dirty). A v1 store kept
 * its quarters up to date in every commit, so they are exact up to the current quarter, which the job recomputes;
 * a new store starts with NULL (the job begins at its first reading).
 */
function version2(s: string, upgrade: boolean): string[] {
  return [
    // BRIN: a few pages per partition, nearly free to maintain for rows arriving in time order.
    `CREATE INDEX IF NOT EXISTS readings_meter_time_brin ON ${qualified(s, 'readings')} USING brin (meter_time) WITH (pages_per_range = 32, autosummarize = on)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'meter_zones')} (
  meter_id text COLLATE "C" PRIMARY KEY,
  time_zone text NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'rollup_state')} (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  rolled_until timestamptz,
  refreshed_at timestamptz
)`,
    `INSERT INTO ${qualified(s, 'rollup_state')} (id, rolled_until) VALUES (true, ${upgrade ? "date_bin('15 minutes', now(), timestamptz 'epoch')" : 'NULL'}) ON CONFLICT DO NOTHING`,
    `CREATE TABLE IF NOT EXISTS ${qualified(s, 'rollup_dirty')} (
  bucket_start timestamptz PRIMARY KEY,
  marked_at timestamptz NOT NULL DEFAULT now()
)`,
  ];
}

/**
 * Version 3: the gas and water volumes get columns of their own. On the partitioned parent, so every partition
 * (and every partition created later, and the per-connection staging table made LIKE it) has them; nullable
 * without a default, so no row is rewritten and the ALTER only waits for its lock. `mbus1_reading` is kept (a
 * public column) but not written any more; its old values are not copied to `gas_volume` here, because that
 * would rewrite every stored row inside the workers' start-up transaction (docs/fleet-schema.md gives the
 * statement to run per partition instead).
 */
function version3(s: string): string[] {
  const add = COLUMNS_BY_VERSION[3].map((c) => `ADD COLUMN IF NOT EXISTS ${c} double precision`).join(', ');
  return [`ALTER TABLE ${qualified(s, 'readings')} ${add}`];
}

/**
 * Creates or completes the schema; safe to call from many workers at once. `upTo` stops at an older version
 * (tests build a v1 or v2 store with it to check the upgrade).
 */
export async function ensureFleetSchema(client: pg.PoolClient | pg.Client, schema: string, upTo = FLEET_SCHEMA_VERSION): Promise<void> {
  const s = checkSchemaName(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`meterwire-fleet-schema:${s}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${s}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(s, 'schema_version')} (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)`);
    const applied = await client.query<{ version: number }>(`SELECT version FROM ${qualified(s, 'schema_version')}`);
    const have = new Set(applied.rows.map((r) => Number(r.version)));
    const upgrade = have.has(1);
    if (!have.has(1)) {
      for (const sql of version1(s)) await client.query(sql);
      await client.query(`INSERT INTO ${qualified(s, 'schema_version')} (version) VALUES (1)`);
    }
    if (upTo >= 2 && !have.has(2)) {
      for (const sql of version2(s, upgrade)) await client.query(sql);
      await client.query(`INSERT INTO ${qualified(s, 'schema_version')} (version) VALUES (2)`);
    }
    if (upTo >= 3 && !have.has(3)) {
      for (const sql of version3(s)) await client.query(sql);
      await client.query(`INSERT INTO ${qualified(s, 'schema_version')} (version) VALUES (3)`);
    }
    const newer = [...have].filter((v) => v > FLEET_SCHEMA_VERSION);
    if (newer.length) throw new Error(`fleet schema "${s}" has version ${Math.max(...newer)}, newer than this meterwire (${FLEET_SCHEMA_VERSION})`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
