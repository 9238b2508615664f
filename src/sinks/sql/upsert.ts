/**
 * "Insert, or merge into the existing row" in each dialect: ON CONFLICT … DO UPDATE (SQLite, PostgreSQL) and
 * ON DUPLICATE KEY UPDATE (MySQL/MariaDB). MySQL evaluates the assignments left to right and later ones see
 * earlier results, so callers list a column before any column its expression reads from the old row.
 */
import type { Dialect } from './db.js';

/** `n(col)`: the value being inserted; `o(col)`: the existing row's value. */
export type MergeExpr = (n: (col: string) => string, o: (col: string) => string) => string;

export function upsertSql(d: Dialect, table: string, cols: readonly string[], keys: readonly string[], merge: ReadonlyArray<[string, MergeExpr]>): string {
  const insert = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
  const n = d === 'mysql' ? (c: string) => `VALUES(${c})` : (c: string) => `excluded.${c}`;
  const o = (c: string): string => `${table}.${c}`;
  const set = merge.map(([col, expr]) => `${col} = ${expr(n, o)}`).join(', ');
  return d === 'mysql'
    ? `${insert} ON DUPLICATE KEY UPDATE ${set}`
    : `${insert} ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${set}`;
}

/** Insert unless the key exists; the statement's row count says whether it did. */
export function insertIgnoreSql(d: Dialect, table: string, cols: readonly string[]): string {
  const values = `(${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
  return d === 'mysql' ? `INSERT IGNORE INTO ${table} ${values}` : `INSERT INTO ${table} ${values} ON CONFLICT DO NOTHING`;
}

export const smaller: (col: string) => MergeExpr = (c) => (n, o) => `CASE WHEN ${n(c)} < ${o(c)} THEN ${n(c)} ELSE ${o(c)} END`;
export const larger: (col: string) => MergeExpr = (c) => (n, o) => `CASE WHEN ${n(c)} > ${o(c)} THEN ${n(c)} ELSE ${o(c)} END`;
export const added: (col: string) => MergeExpr = (c) => (n, o) => `${o(c)} + ${n(c)}`;
export const incoming: (col: string) => MergeExpr = (c) => (n) => n(c);
/** The new value unless it is NULL (a message without a system title does not erase the known one). */
export const newUnlessNull: (col: string) => MergeExpr = (c) => (n, o) => `COALESCE(${n(c)}, ${o(c)})`;
