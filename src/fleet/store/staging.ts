/**
 * How a commit's rows reach `readings`. Normally one COPY straight into the partitioned table, inside a savepoint;
 * when it fails on a stored key (a redelivery of frames without counters, another worker's copy of the same
 * frame), the same COPY bytes go to a per-connection temporary staging table (no WAL, `ON COMMIT DELETE ROWS`, so
 * no catalog churn) and `INSERT … SELECT … ON CONFLICT DO NOTHING` in key order keeps the rows not stored yet.
 */
import { FLEET_COLUMNS } from './columns.js';

/** Readings columns in COPY order (all are written). */
export const READING_COLUMNS: readonly string[] = [
  'meter_id', 'meter_time', 'clock_from_meter', 'received_at', 'system_title', 'frame_counter', ...FLEET_COLUMNS, 'extra', 'flags',
];

export const STAGE = 'pg_temp.fleet_stage';

/** The staging table has the readings' columns, so one COPY payload fits both. */
export const createStagingSql = (readings: string): string =>
  `CREATE TEMP TABLE IF NOT EXISTS fleet_stage (LIKE ${readings}) ON COMMIT DELETE ROWS`;

export const copySql = (table: string, format: 'text' | 'binary'): string =>
  `COPY ${table} (${READING_COLUMNS.join(', ')}) FROM STDIN${format === 'binary' ? ' (FORMAT binary)' : ''}`;

/**
 * Staged rows into readings in key order: two workers inserting the same keys wait on each other in one order,
 * never in a cycle. The row count is `inserted`.
 */
export function insertReadingsSql(readings: string): string {
  const cols = READING_COLUMNS.join(', ');
  return `INSERT INTO ${readings} (${cols}) SELECT ${cols} FROM ${STAGE} ORDER BY meter_id, meter_time ON CONFLICT DO NOTHING`;
}
