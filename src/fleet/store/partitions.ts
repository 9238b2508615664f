/**
 * Monthly range partitions (UTC months) of the readings and rollup tables. A month is created ahead (current and
 * next at start, more on demand) and only inside a window around the store's clock: a meter whose clock says 1999
 * or 2091 must not create a partition for every wrong month it invents. Its rows go to the table's DEFAULT
 * partition; when the clock later reaches such a month, creating the partition first moves those rows out of the
 * default (PostgreSQL refuses to create a partition whose range the default already holds rows of).
 */
import type pg from 'pg';
import { PARTITIONED, qualified } from './schema.js';

/** UTC month index: year × 12 + month (0-based). */
export const monthOf = (ms: number): number => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

export const monthStart = (month: number): number => Date.UTC(Math.floor(month / 12), month % 12, 1);

export function partitionName(table: string, month: number): string {
  return `${table}_p${Math.floor(month / 12)}_${String((month % 12) + 1).padStart(2, '0')}`;
}

/** Month of a partition name of `table`, or undefined for the default partition or a foreign table. */
function parsePartition(table: string, name: string): number | undefined {
  const m = new RegExp(`^${table}_p(\\d{4})_(\\d{2})$`).exec(name);
  return m ? Number(m[1]) * 12 + Number(m[2]) - 1 : undefined;
}

type Client = pg.PoolClient | pg.Client;

/** Rollup rows are updated by every commit: free room on each page keeps those updates HOT (no index writes). */
export const storage = (table: string): string => (table.startsWith('rollup_') ? ' WITH (fillfactor = 70)' : '');

/** The month partitions that exist, per table. */
export async function listPartitions(client: Client, schema: string): Promise<Map<string, Set<number>>> {
  const { rows } = await client.query<{ parent: string; child: string }>(`SELECT p.relname AS parent, c.relname AS child
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1`, [schema]);
  const out = new Map<string, Set<number>>(Object.keys(PARTITIONED).map((t) => [t, new Set<number>()]));
  for (const r of rows) {
    const month = out.has(r.parent) ? parsePartition(r.parent, r.child) : undefined;
    if (month !== undefined) out.get(r.parent)!.add(month);
  }
  return out;
}

/**
 * Creates the month partition of `table` when missing, moving the default partition's rows of that month into it,
 * in its own transaction under an advisory lock (workers racing for the same month create it once).
 */
export async function ensureMonthPartition(client: Client, schema: string, table: string, month: number): Promise<void> {
  const col = PARTITIONED[table];
  if (!col) throw new Error(`${table} is not a partitioned fleet table`);
  const name = partitionName(table, month);
  const from = new Date(monthStart(month)).toISOString();
  const to = new Date(monthStart(month + 1)).toISOString();
  const parent = qualified(schema, table);
  const dflt = qualified(schema, `${table}_default`);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`meterwire-fleet-partitions:${schema}`]);
    const exists = await client.query('SELECT to_regclass($1) AS r', [`"${schema}"."${name}"`]);
    if (exists.rows[0].r === null) {
      const range = `${col} >= '${from}' AND ${col} < '${to}'`;
      const moved = await client.query(`SELECT EXISTS (SELECT 1 FROM ${dflt} WHERE ${range}) AS any`);
      if (moved.rows[0].any) {
        await client.query(`CREATE TEMP TABLE fleet_moved ON COMMIT DROP AS WITH d AS (DELETE FROM ${dflt} WHERE ${range} RETURNING *) SELECT * FROM d`);
      }
      await client.query(`CREATE TABLE ${qualified(schema, name)} PARTITION OF ${parent} FOR VALUES FROM ('${from}') TO ('${to}')${storage(table)}`);
      if (moved.rows[0].any) await client.query(`INSERT INTO ${parent} SELECT * FROM fleet_moved`);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export interface RetentionResult {
  /** Partitions dropped, by name. */
  dropped: string[];
  /** Rows deleted from the default partitions (rows of a wrong clock older than the cut). */
  defaultRowsDeleted: number;
}

/**
 * Drops whole month partitions of `tables` that end before the start of (current month − `months`) by `now`;
 * rows that old in the default partition are deleted. `months` = 0 keeps the current month only.
 */
export async function dropPartitionsOlderThan(client: Client, schema: string, tables: readonly string[], months: number, now: number): Promise<RetentionResult> {
  if (!Number.isInteger(months) || months < 0) throw new Error('retention months must be a whole number ≥ 0');
  const cut = monthOf(now) - months;
  const cutIso = new Date(monthStart(cut)).toISOString();
  const existing = await listPartitions(client, schema);
  const out: RetentionResult = { dropped: [], defaultRowsDeleted: 0 };
  for (const table of tables) {
    const col = PARTITIONED[table];
    if (!col) throw new Error(`${table} is not a partitioned fleet table`);
    for (const month of [...(existing.get(table) ?? [])].sort((a, b) => a - b)) {
      if (month >= cut) continue;
      const name = partitionName(table, month);
      // One short ACCESS EXCLUSIVE lock on the parent (DETACH CONCURRENTLY is refused beside a default partition).
      await client.query(`DROP TABLE ${qualified(schema, name)}`);
      out.dropped.push(name);
    }
    const del = await client.query(`DELETE FROM ${qualified(schema, `${table}_default`)} WHERE ${col} < $1`, [cutIso]);
    out.defaultRowsDeleted += del.rowCount ?? 0;
  }
  return out;
}
