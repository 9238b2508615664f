/**
 * The per-connection staging tables a commit COPYs into: temporary (no WAL, invisible to other workers) and
 * `ON COMMIT DELETE ROWS`, so they are created once per connection and emptied by every commit or rollback
 * without catalog churn. Each staged row carries its three rollup buckets, cut in JavaScript in the meter's zone.
 */
import { FLEET_COLUMNS } from './columns.js';

/** Readings columns in table order (all but the defaults are staged). */
export const READING_COLUMNS: readonly string[] = [
  'meter_id', 'meter_time', 'clock_from_meter', 'received_at', 'system_title', 'frame_counter', ...FLEET_COLUMNS, 'extra', 'flags',
];

export const BUCKET_COLUMNS = ['time_zone', 'b15', 'b15_end', 'b1h', 'b1h_end', 'b1d', 'b1d_end'] as const;

export const STAGE_COLUMNS: readonly string[] = [...READING_COLUMNS, ...BUCKET_COLUMNS];

export const STAGE = 'pg_temp.fleet_stage';
export const INSERTED = 'pg_temp.fleet_inserted';

export const CREATE_STAGING = [
  `CREATE TEMP TABLE IF NOT EXISTS fleet_stage (
  meter_id text COLLATE "C" NOT NULL, meter_time timestamptz NOT NULL, clock_from_meter boolean NOT NULL,
  received_at timestamptz NOT NULL, system_title text COLLATE "C", frame_counter bigint,
  ${FLEET_COLUMNS.map((c) => `${c} double precision`).join(', ')},
  extra jsonb NOT NULL, flags text[] NOT NULL,
  time_zone text NOT NULL, b15 timestamptz NOT NULL, b15_end timestamptz NOT NULL, b1h timestamptz NOT NULL,
  b1h_end timestamptz NOT NULL, b1d timestamptz NOT NULL, b1d_end timestamptz NOT NULL
) ON COMMIT DELETE ROWS`,
  'CREATE TEMP TABLE IF NOT EXISTS fleet_inserted (meter_id text COLLATE "C" NOT NULL, meter_time timestamptz NOT NULL) ON COMMIT DELETE ROWS',
];

export const COPY_STAGE = (format: 'text' | 'binary'): string =>
  `COPY ${STAGE} (${STAGE_COLUMNS.join(', ')}) FROM STDIN${format === 'binary' ? ' (FORMAT binary)' : ''}`;

/**
 * Staged rows into readings in key order (two workers inserting the same keys wait on each other in one order,
 * never in a cycle); the keys really inserted go to fleet_inserted for the rollups. The row count is `inserted`.
 */
export function insertReadingsSql(readings: string, withKeys: boolean): string {
  const cols = READING_COLUMNS.join(', ');
  const insert = `INSERT INTO ${readings} (${cols}) SELECT ${cols} FROM ${STAGE} ORDER BY meter_id, meter_time ON CONFLICT DO NOTHING`;
  if (!withKeys) return insert;
  return `WITH ins AS (${insert} RETURNING meter_id, meter_time) INSERT INTO ${INSERTED} SELECT meter_id, meter_time FROM ins`;
}

const ENERGY = ['energy_import', 'energy_export'] as const;
const POWER = ['power_import', 'power_export'] as const;

/**
 * Folds the inserted rows of the batch into one rollup table: one upsert per (meter, bucket), in key order.
 * Only inserted rows count, so a redelivered batch changes no rollup.
 */
export function rollupUpsertSql(table: string, bucket: 'b15' | 'b1h' | 'b1d'): string {
  const selectEnergy = ENERGY.map((e) => `min(s.meter_time) FILTER (WHERE s.${e} IS NOT NULL),
    (array_agg(s.${e} ORDER BY s.meter_time) FILTER (WHERE s.${e} IS NOT NULL))[1],
    max(s.meter_time) FILTER (WHERE s.${e} IS NOT NULL),
    (array_agg(s.${e} ORDER BY s.meter_time DESC) FILTER (WHERE s.${e} IS NOT NULL))[1]`).join(',\n    ');
  const selectPower = POWER.map((p) => `count(s.${p}), coalesce(sum(s.${p}), 0), max(s.${p})`).join(', ');
  const cols = ['meter_id', 'bucket_start', 'bucket_end', 'time_zone', 'samples',
    ...ENERGY.flatMap((e) => [`${e}_first_time`, `${e}_first`, `${e}_last_time`, `${e}_last`]),
    ...POWER.flatMap((p) => [`${p}_samples`, `${p}_sum`, `${p}_max`])];
  // On conflict every right-hand r.* is the stored row (PostgreSQL evaluates SET against the old version).
  const mergeEnergy = ENERGY.map((e) => `${e}_first = CASE WHEN r.${e}_first_time IS NULL OR excluded.${e}_first_time < r.${e}_first_time THEN excluded.${e}_first ELSE r.${e}_first END,
    ${e}_first_time = LEAST(r.${e}_first_time, excluded.${e}_first_time),
    ${e}_last = CASE WHEN r.${e}_last_time IS NULL OR excluded.${e}_last_time > r.${e}_last_time THEN excluded.${e}_last ELSE r.${e}_last END,
    ${e}_last_time = GREATEST(r.${e}_last_time, excluded.${e}_last_time)`).join(',\n    ');
  const mergePower = POWER.map((p) => `${p}_samples = r.${p}_samples + excluded.${p}_samples,
    ${p}_sum = r.${p}_sum + excluded.${p}_sum, ${p}_max = GREATEST(r.${p}_max, excluded.${p}_max)`).join(',\n    ');
  return `INSERT INTO ${table} AS r (${cols.join(', ')})
  SELECT s.meter_id, s.${bucket}, max(s.${bucket}_end), max(s.time_zone), count(*),
    ${selectEnergy},
    ${selectPower}
  FROM ${STAGE} s JOIN ${INSERTED} i ON i.meter_id = s.meter_id AND i.meter_time = s.meter_time
  GROUP BY s.meter_id, s.${bucket} ORDER BY s.meter_id, s.${bucket}
  ON CONFLICT (meter_id, bucket_start) DO UPDATE SET
    samples = r.samples + excluded.samples,
    ${mergeEnergy},
    ${mergePower}`;
}
