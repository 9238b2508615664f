/**
 * The storage schema, the same tables in SQLite, PostgreSQL and MySQL/MariaDB, as a list of versioned migrations
 * (data: SQL per dialect). `migrate` applies what `schema_version` does not list yet; every statement is
 * idempotent (IF NOT EXISTS), so a migration interrupted half-way (MySQL commits each DDL statement on its own)
 * simply runs again. Times are BIGINT milliseconds since the Unix epoch (UTC): exact, comparable and free of
 * the time-zone conversions each driver applies to its native timestamp type.
 */
import type { Dialect, SqlDb, SqlExecutor } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: Record<Dialect, string[]>;
}

export const ROLLUP_TABLES = { '5m': 'rollup_5m', '1h': 'rollup_1h', '1d': 'rollup_1d' } as const;

const DOUBLE: Record<Dialect, string> = { sqlite: 'REAL', postgres: 'DOUBLE PRECISION', mysql: 'DOUBLE' };
// WITHOUT ROWID clusters SQLite rows by primary key, as InnoDB does; pg has no equivalent and needs none.
const TABLE_OPTIONS: Record<Dialect, string> = { sqlite: ' WITHOUT ROWID', postgres: '', mysql: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' };

/** Secondary index: inline for MySQL (no CREATE INDEX IF NOT EXISTS there), a statement elsewhere. */
function index(d: Dialect, table: string, name: string, cols: string): { inline: string; statement: string[] } {
  return d === 'mysql'
    ? { inline: `, KEY ${name} (${cols})`, statement: [] }
    : { inline: '', statement: [`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${cols})`] };
}

function rollupTable(d: Dialect, table: string): string {
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

function schemaV1(d: Dialect): string[] {
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
    ...Object.values(ROLLUP_TABLES).map((t) => rollupTable(d, t)),
  ];
}

function forEachDialect(build: (d: Dialect) => string[]): Record<Dialect, string[]> {
  return { sqlite: build('sqlite'), postgres: build('postgres'), mysql: build('mysql') };
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'meters, readings history, 5-minute/hourly/daily rollups', sql: forEachDialect(schemaV1) },
];

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** Serialises concurrent migrators (two readers started at once): SQLite's BEGIN IMMEDIATE already does. */
async function lock(db: SqlDb, tx: SqlExecutor): Promise<void> {
  if (db.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(?)', [0x6d777265]);
  if (db.dialect === 'mysql') await tx.all("SELECT GET_LOCK('meterwire_migrations', 60) AS got");
}

async function unlock(db: SqlDb, tx: SqlExecutor): Promise<void> {
  if (db.dialect === 'mysql') await tx.all("SELECT RELEASE_LOCK('meterwire_migrations') AS released");
}

/** True when exactly the known migrations are recorded; false also when the version table (or PG schema) does not exist yet. */
async function isCurrent(db: SqlDb, migrations: readonly Migration[]): Promise<boolean> {
  try {
    const rows = await db.all<{ version: unknown }>('SELECT version FROM schema_version');
    const have = new Set(rows.map((r) => Number(r.version)));
    // An unknown (newer) version also counts as "not current", so the locked path reports it.
    return have.size === migrations.length && migrations.every((m) => have.has(m.version));
  } catch {
    return false;
  }
}

/** Applies pending migrations; resolves to the versions applied now (empty when the schema is current). */
export async function migrate(db: SqlDb, migrations: readonly Migration[] = MIGRATIONS, now = Date.now()): Promise<number[]> {
  // The common case (schema current) takes no lock, so readers opening the store never wait for the writer.
  if (await isCurrent(db, migrations)) return [];
  return db.transaction(async (tx) => {
    await lock(db, tx);
    try {
      // Under the lock: PostgreSQL's IF NOT EXISTS is not safe against a concurrent creator.
      if (db.dialect === 'postgres' && db.schema) await tx.run(`CREATE SCHEMA IF NOT EXISTS ${db.schema}`);
      await tx.run(VERSION_TABLE);
      const rows = await tx.all<{ version: number }>('SELECT version FROM schema_version');
      const done = new Set(rows.map((r) => Number(r.version)));
      const latest = Math.max(0, ...migrations.map((m) => m.version));
      const newest = Math.max(0, ...done);
      if (newest > latest) throw new Error(`database schema version ${newest} is newer than this meterwire knows (${latest}): upgrade meterwire`);
      const applied: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        for (const statement of m.sql[db.dialect]) await tx.run(statement);
        await tx.run('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, now]);
        applied.push(m.version);
      }
      return applied;
    } finally {
      await unlock(db, tx);
    }
  });
}
