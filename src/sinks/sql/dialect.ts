/**
 * The column types and expressions that differ between SQLite, PostgreSQL and MySQL/MariaDB. Timestamps are
 * UTC everywhere: TIMESTAMPTZ on PostgreSQL, DATETIME(3) holding UTC on MySQL (the sink's sessions and the shipped
 * Grafana datasource use time_zone '+00:00'), ISO 8601 text ending in Z on SQLite (sorts like the instant). On
 * SQLite the timestamp columns are VIRTUAL generated columns computed from the millisecond key: they cost no space
 * (a stored ISO text and its index would add about 80 bytes to every history row of a Raspberry Pi's SD card).
 */
import type { Dialect } from './db.js';

export const DOUBLE: Record<Dialect, string> = { sqlite: 'REAL', postgres: 'DOUBLE PRECISION', mysql: 'DOUBLE' };
export const TIMESTAMP: Record<Dialect, string> = { sqlite: 'TEXT', postgres: 'TIMESTAMPTZ(3)', mysql: 'DATETIME(3)' };

/** Whether the dialect stores the timestamp columns (written by the sink) or computes them (SQLite). */
export const storesTime = (d: Dialect): boolean => d !== 'sqlite';

/** Column definition of a timestamp column derived from the BIGINT millisecond column `msCol`. */
export function timeColumn(d: Dialect, msCol: string, notNull = false): string {
  if (!storesTime(d)) return `TEXT GENERATED ALWAYS AS (${timeFromMs(d, msCol)}) VIRTUAL`;
  return `${TIMESTAMP[d]}${notNull ? ' NOT NULL' : ''}`;
}

/** A millisecond instant as the parameter each dialect's timestamp column takes without any zone conversion. */
export function timeParam(d: Dialect, ms: number): string {
  const iso = new Date(ms).toISOString();
  return d === 'mysql' ? iso.slice(0, 23).replace('T', ' ') : iso;
}

/** SQL that turns a BIGINT millisecond column into the timestamp column's value (zone-free arithmetic). */
export function timeFromMs(d: Dialect, col: string): string {
  if (d === 'postgres') return `(TIMESTAMPTZ '1970-01-01 00:00:00+00' + ${col} * INTERVAL '1 millisecond')`;
  if (d === 'mysql') return `DATE_ADD('1970-01-01 00:00:00.000', INTERVAL ${col} * 1000 MICROSECOND)`;
  // SQLite: integer division keeps the milliseconds exact (a REAL seconds value would round them).
  return `(strftime('%Y-%m-%dT%H:%M:%S', ${col} / 1000, 'unixepoch') || '.' || printf('%03d', ${col} % 1000) || 'Z')`;
}

/** SQL rounding a DOUBLE expression to 15 significant digits (what toBaseUnit does in JavaScript). */
export function round15(d: Dialect, e: string): string {
  const digits = d === 'postgres' ? `(14 - FLOOR(LOG(ABS(${e}))))::int` : `CAST(14 - FLOOR(LOG10(ABS(${e}))) AS SIGNED)`;
  const rounded = d === 'postgres' ? `ROUND((${e})::numeric, ${digits})::double precision` : `ROUND(${e}, ${d === 'sqlite' ? digits.replace('SIGNED', 'INTEGER') : digits})`;
  return `CASE WHEN ${e} IS NULL OR ${e} = 0 THEN ${e} ELSE ${rounded} END`;
}

/** A value rounded to 15 significant digits: float noise such as 0.06899999999995998 never reaches a column. */
export function round15js(v: number): number {
  return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(15)) : v;
}

/** Decimal places of a number's shortest representation (1.25 → 2, 1e-7 → 7, 1200 → 0). */
export function decimalsOf(v: number): number {
  const [mantissa, exp] = String(Math.abs(v)).split('e');
  const frac = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, frac - Number(exp ?? 0));
}

/** a − b without float noise: rounded to the decimals its operands carry (123.456 − 123.387 = 0.069). */
export function exactDifference(a: number, b: number): number {
  const places = Math.min(20, Math.max(decimalsOf(a), decimalsOf(b)));
  return Number((a - b).toFixed(places));
}
