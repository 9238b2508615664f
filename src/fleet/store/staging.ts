/**
 * The per-connection staging tables a commit COPYs into: temporary (no WAL, invisible to other workers) and
 * `ON COMMIT DELETE ROWS`, so they are created once per connection and emptied by every commit or rollback
 * without catalog churn. Instants are staged as epoch milliseconds (bigint): cheaper to write in JavaScript and
 * to parse in PostgreSQL than timestamp text, converted exactly in the INSERT … SELECT. Each staged row carries
 * its three rollup buckets, cut in JavaScript in the meter's zone.
 */
import { FLEET_COLUMNS } from './columns.js';

/** Readings columns in table order (all are written). */
export const READING_COLUMNS: readonly string[] = [
  'meter_id', 'meter_time', 'clock_from_meter', 'received_at', 'system_title', 'frame_counter', ...FLEET_COLUMNS, 'extra', 'flags',
];

/** Staged columns in COPY order: instants as `<name>_ms`. */
export const STAGE_COLUMNS: readonly string[] = [
  'meter_id', 'meter_time_ms', 'clock_from_meter', 'received_at_ms', 'system_title', 'frame_counter', ...FLEET_COLUMNS, 'extra', 'flags',
  'time_zone', 'b15_ms', 'b1h_ms', 'b1d_ms', 'b1d_end_ms',
];

/** Staged column types in STAGE_COLUMNS order (the binary COPY encoder follows them). */
export type StageType = 'text' | 'int8' | 'bool' | 'float8' | 'jsonb' | 'text[]';
export const STAGE_TYPES: readonly StageType[] = [
  'text', 'int8', 'bool', 'int8', 'text', 'int8', ...FLEET_COLUMNS.map((): StageType => 'float8'), 'jsonb', 'text[]',
  'text', 'int8', 'int8', 'int8', 'int8',
];

export const STAGE = 'pg_temp.fleet_stage';
export const INSERTED = 'pg_temp.fleet_inserted';

const SQL_TYPE: Record<StageType, string> = { text: 'text', int8: 'bigint', bool: 'boolean', float8: 'double precision', jsonb: 'jsonb', 'text[]': 'text[]' };
const NULLABLE = new Set(['system_title', 'frame_counter', ...FLEET_COLUMNS]);

export const CREATE_STAGING = [
  `CREATE TEMP TABLE IF NOT EXISTS fleet_stage (
  ${STAGE_COLUMNS.map((c, i) => `${c} ${SQL_TYPE[STAGE_TYPES[i]]}${STAGE_TYPES[i] === 'text' ? ' COLLATE "C"' : ''}${NULLABLE.has(c) ? '' : ' NOT NULL'}`).join(',\n  ')}
) ON COMMIT DELETE ROWS`,
  'CREATE TEMP TABLE IF NOT EXISTS fleet_inserted (meter_id text COLLATE "C" NOT NULL, meter_time timestamptz NOT NULL) ON COMMIT DELETE ROWS',
];

export const COPY_STAGE = (format: 'text' | 'binary'): string =>
  `COPY ${STAGE} (${STAGE_COLUMNS.join(', ')}) FROM STDIN${format === 'binary' ? ' (FORMAT binary)' : ''}`;

/** Epoch milliseconds → timestamptz, exactly (integer milliseconds times an interval). */
const ts = (col: string): string => `(timestamptz 'epoch' + ${col} * interval '1 millisecond')`;

/**
 * Staged rows into readings in key order (two workers inserting the same keys wait on each other in one order,
 * never in a cycle); the keys really inserted go to fleet_inserted for the rollups. The row count is `inserted`.
 */
export function insertReadingsSql(readings: string, withKeys: boolean): string {
  const select = READING_COLUMNS.map((c) => (c === 'meter_time' || c === 'received_at' ? `${ts(`${c}_ms`)}` : c)).join(', ');
  const insert = `INSERT INTO ${readings} (${READING_COLUMNS.join(', ')}) SELECT ${select} FROM ${STAGE}
    ORDER BY meter_id, meter_time_ms ON CONFLICT DO NOTHING`;
  if (!withKeys) return insert;
  return `WITH ins AS (${insert} RETURNING meter_id, meter_time) INSERT INTO ${INSERTED} SELECT meter_id, meter_time FROM ins`;
}

const ENERGY = ['energy_import', 'energy_export'] as const;
const POWER = ['power_import', 'power_export'] as const;

/**
 * Folds the inserted rows of the batch into rollup_15m: one upsert per (meter, quarter), in key order. Only
 * inserted rows count, so a redelivered batch changes no rollup.
 */
export function rollupUpsertSql(table: string): string {
  const t = ts('s.meter_time_ms');
  const selectEnergy = ENERGY.map((e) => `min(${t}) FILTER (WHERE s.${e} IS NOT NULL),
    (array_agg(s.${e} ORDER BY s.meter_time_ms) FILTER (WHERE s.${e} IS NOT NULL))[1],
    max(${t}) FILTER (WHERE s.${e} IS NOT NULL),
    (array_agg(s.${e} ORDER BY s.meter_time_ms DESC) FILTER (WHERE s.${e} IS NOT NULL))[1]`).join(',\n    ');
  const selectPower = POWER.map((p) => `count(s.${p}), coalesce(sum(s.${p}), 0), max(s.${p})`).join(', ');
  const cols = ['meter_id', 'bucket_start', 'time_zone', 'hour_start', 'day_start', 'day_end', 'samples',
    ...ENERGY.flatMap((e) => [`${e}_first_time`, `${e}_first`, `${e}_last_time`, `${e}_last`]),
    ...POWER.flatMap((p) => [`${p}_samples`, `${p}_sum`, `${p}_max`])];
  // On conflict every right-hand r.* is the stored row (PostgreSQL evaluates SET against the old version).
  const mergeEnergy = ENERGY.map((e) => `${e}_first = CASE WHEN r.${e}_first_time IS NULL OR excluded.${e}_first_time < r.${e}_first_time THEN excluded.${e}_first ELSE r.${e}_first END,
    ${e}_first_time = LEAST(r.${e}_first_time, excluded.${e}_first_time),
    ${e}_last = CASE WHEN r.${e}_last_time IS NULL OR excluded.${e}_last_time > r.${e}_last_time THEN excluded.${e}_last ELSE r.${e}_last END,
    ${e}_last_time = GREATEST(r.${e}_last_time, excluded.${e}_last_time)`).join(',\n    ');
  const mergePower = POWER.map((p) => `${p}_samples = r.${p}_samples + excluded.${p}_samples,
    ${p}_sum = r.${p}_sum + excluded.${p}_sum, ${p}_max = GREATEST(r.${p}_max, excluded.${p}_max)`).join(',\n    ');
  // A quarter lies in one local hour and day: their columns are equal on every staged row of the group.
  return `INSERT INTO ${table} AS r (${cols.join(', ')})
  SELECT s.meter_id, ${ts('s.b15_ms')}, max(s.time_zone), ${ts('max(s.b1h_ms)')}, ${ts('max(s.b1d_ms)')}, ${ts('max(s.b1d_end_ms)')}, count(*),
    ${selectEnergy},
    ${selectPower}
  FROM ${STAGE} s JOIN ${INSERTED} i ON i.meter_id = s.meter_id AND i.meter_time = ${t}
  GROUP BY s.meter_id, s.b15_ms ORDER BY s.meter_id, s.b15_ms
  ON CONFLICT (meter_id, bucket_start) DO UPDATE SET
    samples = r.samples + excluded.samples,
    ${mergeEnergy},
    ${mergePower}`;
}
