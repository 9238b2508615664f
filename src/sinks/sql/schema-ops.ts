/**
 * Schema questions and idempotent changes the three dialects spell differently: MySQL has no ADD COLUMN IF NOT
 * EXISTS nor CREATE INDEX IF NOT EXISTS, SQLite no ADD COLUMN IF NOT EXISTS. Used by migrations, which must be
 * safe to run again after an interruption (MySQL commits each DDL statement on its own).
 */
import type { Dialect, SqlExecutor } from './db.js';

async function count(tx: SqlExecutor, sql: string, params: (string | number)[]): Promise<number> {
  const rows = await tx.all<{ n: unknown }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

export async function hasTable(tx: SqlExecutor, d: Dialect, table: string): Promise<boolean> {
  if (d === 'sqlite') return (await count(tx, "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?", [table])) > 0;
  const schema = d === 'postgres' ? 'current_schema()' : 'DATABASE()';
  return (await count(tx, `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ${schema} AND table_name = ?`, [table])) > 0;
}

export async function hasColumn(tx: SqlExecutor, d: Dialect, table: string, column: string): Promise<boolean> {
  if (d === 'sqlite') return (await count(tx, 'SELECT COUNT(*) AS n FROM pragma_table_xinfo(?) WHERE name = ?', [table, column])) > 0;
  const schema = d === 'postgres' ? 'current_schema()' : 'DATABASE()';
  return (await count(tx, `SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = ? AND column_name = ?`, [table, column])) > 0;
}

export async function addColumn(tx: SqlExecutor, d: Dialect, table: string, column: string, type: string): Promise<void> {
  if (await hasColumn(tx, d, table, column)) return;
  await tx.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

export async function ensureIndex(tx: SqlExecutor, d: Dialect, table: string, name: string, cols: string): Promise<void> {
  if (d !== 'mysql') {
    await tx.run(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${cols})`);
    return;
  }
  const n = await count(tx, 'SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?', [table, name]);
  if (n === 0) await tx.run(`ALTER TABLE ${table} ADD INDEX ${name} (${cols})`);
}

/** Renames a table (and, on PostgreSQL, its primary key index, whose name would clash with a new table's). */
export async function renameTable(tx: SqlExecutor, d: Dialect, from: string, to: string): Promise<void> {
  if (d === 'mysql') {
    await tx.run(`RENAME TABLE ${from} TO ${to}`);
    return;
  }
  await tx.run(`ALTER TABLE ${from} RENAME TO ${to}`);
  if (d === 'postgres') await tx.run(`ALTER INDEX IF EXISTS ${from}_pkey RENAME TO ${to}_pkey`);
}
