/**
 * The storage schema, the same tables in SQLite, PostgreSQL and MySQL/MariaDB, as a list of versioned migrations
 * (data: SQL per dialect). `migrate` applies what `schema_version` does not list yet; every statement is
 * idempotent (IF NOT EXISTS), so a migration interrupted half-way (MySQL commits each DDL statement on its own)
 * simply runs again. Keys are BIGINT milliseconds since the Unix epoch (UTC): exact, comparable and free of
 * the time-zone conversions each driver applies to its native timestamp type; since version 2 every table also
 * has a native timestamp column beside them for Grafana and SQL users (docs/sql-schema.md).
 */
import type { Dialect, SqlDb, SqlExecutor } from './db.js';
import { schemaV1 } from './schema-v1.js';
import { schemaV2, type MigrationContext } from './schema-v2.js';

export interface Migration {
  version: number;
  name: string;
  sql: Record<Dialect, string[]>;
  /** Work SQL alone cannot do (checks for what exists, data conversion), run after `sql` in the same transaction. */
  apply?: (tx: SqlExecutor, d: Dialect, ctx: MigrationContext) => Promise<void>;
}

export type { MigrationContext };

function forEachDialect(build: (d: Dialect) => string[]): Record<Dialect, string[]> {
  return { sqlite: build('sqlite'), postgres: build('postgres'), mysql: build('mysql') };
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'meters, readings history, 5-minute/hourly/daily rollups', sql: forEachDialect(schemaV1) },
  {
    version: 2,
    name: 'timestamp columns, base units, local 15-minute/day/month rollups, meter_texts',
    sql: { sqlite: [], postgres: [], mysql: [] },
    apply: schemaV2,
  },
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
export async function migrate(db: SqlDb, migrations: readonly Migration[] = MIGRATIONS, now = Date.now(), ctx: MigrationContext = {}): Promise<number[]> {
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
        await m.apply?.(tx, db.dialect, ctx);
        await tx.run('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, now]);
        applied.push(m.version);
      }
      return applied;
    } finally {
      await unlock(db, tx);
    }
  });
}
