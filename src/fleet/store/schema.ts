/**
 * The fleet schema (docs/fleet-schema.md), created idempotently: every statement is IF NOT EXISTS and runs under a
 * transaction-scoped advisory lock, so workers starting together create it once. `schema_version` lists the
 * applied versions; a later version adds a migration here, never edits version 1.
 */
import type pg from 'pg';
import { FLEET_COLUMNS } from './columns.js';

export const FLEET_SCHEMA_VERSION = 1;
export const DEFAULT_FLEET_SCHEMA = 'meterwire_fleet';

/** Tables partitioned by month, with the column their range is on. */
export const PARTITIONED: Readonly<Record<string, string>> = {
  readings: 'meter_time', rollup_15m: 'bucket_start', rollup_1h: 'bucket_start', rollup_1d: 'bucket_start',
};

export const ROLLUP_TABLES = ['rollup_15m', 'rollup_1h', 'rollup_1d'] as const;
export type RollupTable = (typeof ROLLUP_TABLES)[number];

/** A schema name we can put into SQL unquoted-safe: lower-case identifier characters only. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and _`);
  return schema;
}

/** Quoted `"schema".name`. */
export const qualified = (schema: string, name: string): string => `"${schema}"."${name}"`;

function readingsTable(s: string): string {
  const values = FLEET_COLUMNS.map((c) => `  ${c} double precision`).join(',\n');
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
 * Rollup rows: first/last energy register values with their times (a delta is last − first; the consumption
 * between two buckets is the next bucket's first minus this one's last), power sample count, sum and maximum.
 */
function rollupTable(s: string, table: RollupTable): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(s, table)} (
  meter_id text COLLATE "C" NOT NULL,
  bucket_start timestamptz NOT NULL,
  bucket_end timestamptz NOT NULL,
  time_zone text NOT NULL,
  samples integer NOT NULL,
  energy_import_first_time timestamptz, energy_import_first double precision,
  energy_import_last_time timestamptz, energy_import_last double precision,
  energy_export_first_time timestamptz, energy_export_first double precision,
  energy_export_last_time timestamptz, energy_export_last double precision,
  power_import_samples integer NOT NULL DEFAULT 0, power_import_sum double precision NOT NULL DEFAULT 0, power_import_max double precision,
  power_export_samples integer NOT NULL DEFAULT 0, power_export_sum double precision NOT NULL DEFAULT 0, power_export_max double precision,
  PRIMARY KEY (meter_id, bucket_start)
) PARTITION BY RANGE (bucket_start)`;
}

function rollupView(s: string, table: RollupTable): string {
  return `CREATE OR REPLACE VIEW ${qualified(s, `${table}_v`)} AS SELECT *,
  energy_import_last - energy_import_first AS energy_import_delta,
  energy_export_last - energy_export_first AS energy_export_delta,
  power_import_sum / NULLIF(power_import_samples, 0) AS power_import_avg,
  power_export_sum / NULLIF(power_export_samples, 0) AS power_export_avg
FROM ${qualified(s, table)}`;
}

function version1(s: string): string[] {
  return [
    readingsTable(s),
    ...ROLLUP_TABLES.map((t) => rollupTable(s, t)),
    // Rows whose month has no partition (a meter clock far off) land here instead of failing the batch.
    ...Object.keys(PARTITIONED).map((t) => `CREATE TABLE IF NOT EXISTS ${qualified(s, `${t}_default`)} PARTITION OF ${qualified(s, t)} DEFAULT`),
    ...ROLLUP_TABLES.map((t) => rollupView(s, t)),
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

/** Creates or completes the schema; safe to call from many workers at once. */
export async function ensureFleetSchema(client: pg.PoolClient | pg.Client, schema: string): Promise<void> {
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
    if (!have.has(1)) {
      for (const sql of version1(s)) await client.query(sql);
      await client.query(`INSERT INTO ${qualified(s, 'schema_version')} (version) VALUES (1)`);
    }
    const newer = [...have].filter((v) => v > FLEET_SCHEMA_VERSION);
    if (newer.length) throw new Error(`fleet schema "${s}" has version ${Math.max(...newer)}, newer than this meterwire (${FLEET_SCHEMA_VERSION})`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
