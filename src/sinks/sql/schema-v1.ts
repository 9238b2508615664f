/**
 * Schema version 1 as it was released: kept verbatim, since a database is created by running every migration in
 * order. Schema 2 builds on it (schema-v2.ts).
 */
import type { Dialect } from './db.js';
import { DOUBLE } from './dialect.js';

// WITHOUT ROWID clusters SQLite rows by primary key, as InnoDB does; pg has no equivalent and needs none.
const TABLE_OPTIONS: Record<Dialect, string> = { sqlite: ' WITHOUT ROWID', postgres: '', mysql: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' };

/** Secondary index: inline for MySQL (no CREATE INDEX IF NOT EXISTS there), a statement elsewhere. */
function index(d: Dialect, table: string, name: string, cols: string): { inline: string; statement: string[] } {
  return d === 'mysql'
    ? { inline: `, KEY ${name} (${cols})`, statement: [] }
    : { inline: '', statement: [`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${cols})`] };
}

/** Schema 1's rollup table; schema 2 creates its new ones the same way and then adds the same columns to all. */
export function rollupTable(d: Dialect, table: string): string {
  const dbl = DOUBLE[d];
  return `CREATE TABLE IF NOT EXISTS ${table} (
    meter_id VARCHAR(64) NOT NULL,
    reading_id VARCHAR(64) NOT NULL,
    bucket BIGINT NOT NULL,
    kind VARCHAR(8) NOT NULL,
    unit VARCHAR(16),
    samples BIGINT NOT NULL,
    sum_value ${dbl} NOT NULL,
    min_value ${dbl} NOT NULL,
    max_value ${dbl} NOT NULL,
    first_ts BIGINT NOT NULL,
    first_value ${dbl} NOT NULL,
    last_ts BIGINT NOT NULL,
    last_value ${dbl} NOT NULL,
    delta ${dbl},
    PRIMARY KEY (meter_id, reading_id, bucket)
  )${TABLE_OPTIONS[d]}`;
}

export function schemaV1(d: Dialect): string[] {
  const ts = index(d, 'readings', 'readings_ts', 'ts');
  return [
    `CREATE TABLE IF NOT EXISTS meters (
      id VARCHAR(64) NOT NULL PRIMARY KEY,
      system_title VARCHAR(32),
      manufacturer VARCHAR(16),
      profile VARCHAR(64),
      first_seen BIGINT NOT NULL,
      last_seen BIGINT NOT NULL
    )${TABLE_OPTIONS[d]}`,
    `CREATE TABLE IF NOT EXISTS readings (
      meter_id VARCHAR(64) NOT NULL,
      ts BIGINT NOT NULL,
      reading_id VARCHAR(64) NOT NULL,
      obis VARCHAR(32) NOT NULL,
      value ${DOUBLE[d]},
      text_value TEXT,
      unit VARCHAR(16),
      quality VARCHAR(128) NOT NULL DEFAULT '',
      PRIMARY KEY (meter_id, reading_id, ts)${ts.inline}
    )${TABLE_OPTIONS[d]}`,
    ...ts.statement,
    ...['rollup_5m', 'rollup_1h', 'rollup_1d'].map((t) => rollupTable(d, t)),
  ];
}

