/**
 * "Insert, or merge into the existing row" in each dialect: ON CONFLICT … DO UPDATE (SQLite, PostgreSQL) and
 * ON DUPLICATE KEY UPDATE (MySQL/MariaDB). MySQL evaluates the assignments left to right and later ones see
 * earlier results, so callers list a column before any column its expression reads from the old row.
 */
import type { Dialect } from './db.js';

/** `n(col)`: the value being inserted; `o(col)`: the existing row's value. */
export type MergeExpr = (n: (col: string) => string, o: (col: string) => string) => string;

const tuples = (cols: readonly string[], rows: number): string =>
  Array.from({ length: rows }, () => `(${cols.map(() => '?').join(', ')})`).join(', ');

/** `rows` value tuples in one statement; their keys must differ (PostgreSQL refuses to merge a row twice). */
export function upsertSql(d: Dialect, table: string, cols: readonly string[], keys: readonly string[], merge: ReadonlyArray<[string, MergeExpr]>, rows = 1): string {
  const insert = `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples(cols, rows)}`;
  const n = d === 'mysql' ? (c: string) => `VALUES(${c})` : (c: string) => `excluded.${c}`;
  const o = (c: string): string => `${table}.${c}`;
  const set = merge.map(([col, expr]) => `${col} = ${expr(n, o)}`).join(', ');
  return d === 'mysql'
    ? `${insert} ON DUPLICATE KEY UPDATE ${set}`
    : `${insert} ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${set}`;
}

/**
 * Insert unless the key exists; the statement's row count says whether it did. With `returning` (SQLite and
 * PostgreSQL only) the statement takes `rows` tuples and returns those columns of the rows it inserted.
 */
export function insertIgnoreSql(d: Dialect, table: string, cols: readonly string[], rows = 1, returning?: string): string {
  const values = `(${cols.join(', ')}) VALUES ${tuples(cols, rows)}`;
  if (d === 'mysql') return `INSERT IGNORE INTO ${table} ${values}`;
  return `INSERT INTO ${table} ${values} ON CONFLICT DO NOTHING${returning ? ` RETURNING ${returning}` : ''}`;
}

export const smaller: (col: string) => MergeExpr = (c) => (n, o) => `CASE WHEN ${n(c)} < ${o(c)} THEN ${n(c)} ELSE ${o(c)} END`;
export const larger: (col: string) => MergeExpr = (c) => (n, o) => `CASE WHEN ${n(c)} > ${o(c)} THEN ${n(c)} ELSE ${o(c)} END`;
export const added: (col: string) => MergeExpr = (c) => (n, o) => `${o(c)} + ${n(c)}`;
export const incoming: (col: string) => MergeExpr = (c) => (n) => n(c);
/** The new value unless it is NULL (a message without a system title does not erase the known one). */
export const newUnlessNull: (col: string) => MergeExpr = (c) => (n, o) => `COALESCE(${n(c)}, ${o(c)})`;
