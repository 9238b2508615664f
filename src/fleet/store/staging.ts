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

const SQL_TYPE: Record<StageType, string> = { text: 'text', int8: 'bigint', bool: 'boolean', float8: 'double precision', jsonb: 'jsonb', 'text[]': 'text[]' };
const NULLABLE = new Set(['system_title', 'frame_counter', ...FLEET_COLUMNS]);

export const CREATE_STAGING = [
  `CREATE TEMP TABLE IF NOT EXISTS fleet_stage (
  ${STAGE_COLUMNS.map((c, i) => `${c} ${SQL_TYPE[STAGE_TYPES[i]]}${STAGE_TYPES[i] === 'text' ? ' COLLATE "C"' : ''}${NULLABLE.has(c) ? '' : ' NOT NULL'}`).join(',\n  ')}
) ON COMMIT DELETE ROWS`,
];

export const COPY_STAGE = (format: 'text' | 'binary'): string =>
  `COPY ${STAGE} (${STAGE_COLUMNS.join(', ')}) FROM STDIN${format === 'binary' ? ' (FORMAT binary)' : ''}`;

/** Epoch milliseconds → timestamptz, exactly (integer milliseconds times an interval). */
const ts = (col: string): string => `(timestamptz 'epoch' + ${col} * interval '1 millisecond')`;

/**
 * Staged rows into readings in key order: two workers inserting the same keys wait on each other in one order,
 * never in a cycle. The row count is `inserted`.
 */
export function insertReadingsSql(readings: string): string {
  const select = READING_COLUMNS.map((c) => (c === 'meter_time' || c === 'received_at' ? `${ts(`${c}_ms`)}` : c)).join(', ');
  return `INSERT INTO ${readings} (${READING_COLUMNS.join(', ')}) SELECT ${select} FROM ${STAGE}
    ORDER BY meter_id, meter_time_ms ON CONFLICT DO NOTHING`;
}

/**
 * When some staged rows were already stored: the keys this transaction inserted (their xmin is its own id), so
 * the rollups fold exactly those.
 */
export function insertedKeysSql(readings: string): string {
  return `SELECT s.meter_id, s.meter_time_ms FROM ${STAGE} s JOIN ${readings} r
    ON r.meter_id = s.meter_id AND r.meter_time = ${ts('s.meter_time_ms')} WHERE r.xmin = pg_current_xact_id()::xid`;
}
