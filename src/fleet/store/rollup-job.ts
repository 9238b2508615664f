/**
 * Quarter-hour rollups computed from `readings` after a quarter has closed, instead of being upserted in every
 * commit (docs/fleet-schema.md, "Rollups"). An incremental upsert cost one row lock and one update per stored row
 * and made two workers wait on each other's quarters; a closed quarter is computed once, by one statement.
 *
 * Exactness with commits finishing out of order rests on two things:
 *  - `rollup_state.rolled_until` is only moved under an exclusive transaction lock (ROLLED_LOCK) that every commit
 *    holds shared until it commits. Moving it therefore waits for the commits in flight (their rows are then
 *    visible to the computation that follows), and every later commit sees the new value;
 *  - a commit whose rows fall into a quarter before `rolled_until` lists that quarter in `rollup_dirty` (a late
 *    frame, a redelivery of an old one), and the job recomputes it. A quarter is claimed by deleting its dirty row
 *    in the transaction that recomputes it: a commit marking it again meanwhile waits for that delete and then
 *    marks it anew.
 * One worker at a time runs the job (a session advisory lock); the others skip their turn.
 */
import type pg from 'pg';
import { createCalendar, localSpan } from '../../sinks/sql/local-time.js';
import { ensureMonthPartition, monthOf } from './partitions.js';
import { qualified } from './schema.js';

export const QUARTER_MS = 900_000;
const ENERGY = ['energy_import', 'energy_export'] as const;
const POWER = ['power_import', 'power_export'] as const;
/** Dirty quarters recomputed per run at most: a steady stream of late frames must not keep the job busy forever. */
const MAX_DIRTY_PER_RUN = 256;
const SHORT_RANGE_MS = 8 * 900_000;

/** Advisory lock keys (two int4, namespaced by schema): shared by commits, exclusive when rolled_until moves. */
export const rolledLockSql = (schema: string, mode: 'shared' | 'exclusive'): string =>
  `SELECT pg_advisory_xact_lock${mode === 'shared' ? '_shared' : ''}(hashtext('meterwire-fleet-rolled:${schema}'), 0)`;
const jobLock = (schema: string): string => `hashtext('meterwire-fleet-rollup-job:${schema}'), 0`;

/** Marks the batch's quarters dirty when they lie before rolled_until (normally none: the batch is recent). */
export const markDirtySql = (schema: string): string => `INSERT INTO ${qualified(schema, 'rollup_dirty')} (bucket_start)
  SELECT q FROM unnest($1::timestamptz[]) AS q, ${qualified(schema, 'rollup_state')} s WHERE q < s.rolled_until
  ORDER BY q ON CONFLICT DO NOTHING`;

const ts = (ms: number): string => new Date(ms).toISOString();

/** One quarter's rows per meter from readings, replacing whatever rollup_15m held for them. */
function rollQuarterSql(schema: string): string {
  const t = (n: string): string => qualified(schema, n);
  const energy = ENERGY.map((e) => `min(meter_time) FILTER (WHERE ${e} IS NOT NULL) AS ${e}_first_time,
      (min(ARRAY[date_part('epoch', meter_time), ${e}]) FILTER (WHERE ${e} IS NOT NULL))[2] AS ${e}_first,
      max(meter_time) FILTER (WHERE ${e} IS NOT NULL) AS ${e}_last_time,
      (max(ARRAY[date_part('epoch', meter_time), ${e}]) FILTER (WHERE ${e} IS NOT NULL))[2] AS ${e}_last`).join(',\n      ');
  const power = POWER.map((p) => `count(${p})::integer AS ${p}_samples, coalesce(sum(${p}), 0) AS ${p}_sum, max(${p}) AS ${p}_max`).join(',\n      ');
  const values = [...ENERGY.flatMap((e) => [`${e}_first_time`, `${e}_first`, `${e}_last_time`, `${e}_last`]),
    ...POWER.flatMap((p) => [`${p}_samples`, `${p}_sum`, `${p}_max`])];
  const cols = ['meter_id', 'bucket_start', 'time_zone', 'hour_start', 'day_start', 'day_end', 'samples', ...values];
  // The quarter's local hour and day come per zone from JavaScript ($3…$6): SQL does no time-zone arithmetic.
  return `INSERT INTO ${t('rollup_15m')} AS r (${cols.join(', ')})
  SELECT g.meter_id, $1::timestamptz, z.zone, z.hour_start, z.day_start, z.day_end, g.samples, ${values.map((v) => `g.${v}`).join(', ')}
  FROM (SELECT meter_id, count(*)::integer AS samples,
      ${energy},
      ${power}
    FROM ${t('readings')} WHERE meter_time >= $1::timestamptz AND meter_time < $1::timestamptz + interval '15 minutes'
    GROUP BY meter_id) g
  LEFT JOIN ${t('meter_zones')} m ON m.meter_id = g.meter_id
  JOIN unnest($3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[]) AS z(zone, hour_start, day_start, day_end)
    ON z.zone = coalesce(m.time_zone, $2)
  ORDER BY g.meter_id
  ON CONFLICT (meter_id, bucket_start) DO UPDATE SET ${cols.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

export interface RollupJobOptions {
  schema: string;
  defaultZone: string;
  /** Months around `now` whose rollup partitions may be created (as for commits). */
  window: { pastMonths: number; futureMonths: number };
  now: () => number;
}

export interface RefreshResult {
  /** Quarters with rows computed for the first time, and dirty ones recomputed. */
  quarters: number;
  recomputed: number;
  /** false when another worker held the job's lock (only with `wait: false`). */
  ran: boolean;
}

export function createRollupJob(o: RollupJobOptions): (c: pg.PoolClient, until: number, wait: boolean) => Promise<RefreshResult> {
  const t = (n: string): string => qualified(o.schema, n);
  const sql = rollQuarterSql(o.schema);
  const calendar = createCalendar();
  const dayEnds = new Map<string, number>();
  const made = new Set<number>();

  async function zonesOf(c: pg.PoolClient): Promise<string[]> {
    const { rows } = await c.query<{ z: string }>(`SELECT DISTINCT time_zone AS z FROM ${t('meter_zones')}`);
    return [...new Set([o.defaultZone, ...rows.map((r) => r.z)])];
  }

  /** Before the quarter's transaction: partition DDL runs in its own (as for commits). */
  async function partitionFor(c: pg.PoolClient, q: number): Promise<void> {
    const month = monthOf(q);
    const current = monthOf(o.now());
    if (month >= current - o.window.pastMonths && month <= current + o.window.futureMonths && !made.has(month)) {
      await ensureMonthPartition(c, o.schema, 'rollup_15m', month);
      made.add(month);
    }
  }

  /** The number of meters with rows in the quarter. */
  async function rollQuarter(c: pg.PoolClient, q: number, zones: readonly string[]): Promise<number> {
    const days = zones.map((z) => calendar(z, 'day', q));
    const ends = zones.map((z, i) => {
      const key = `${z}\u0000${days[i]}`;
      let end = dayEnds.get(key);
      if (end === undefined) {
        end = localSpan(z, 'day', q).end;
        if (dayEnds.size > 10_000) dayEnds.clear();
        dayEnds.set(key, end);
      }
      return end;
    });
    return (await c.query(sql, [ts(q), o.defaultZone, zones, zones.map((z) => ts(calendar(z, 'hour', q))), days.map(ts), ends.map(ts)])).rowCount ?? 0;
  }

  /** In its own repeatable-read transaction: the zones and the quarter's rows are read from one snapshot. */
  async function inTransaction<T>(c: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
    // A quarter of a large fleet is millions of rows: more memory for its aggregate (spills to disk otherwise).
    await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL work_mem = '64MB'");
    try {
      const out = await fn();
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** Moves rolled_until to `until` once the commits in flight are done; returns the range now to compute. */
  async function advance(c: pg.PoolClient, until: number): Promise<[number, number] | undefined> {
    await c.query('BEGIN');
    try {
      await c.query(rolledLockSql(o.schema, 'exclusive'));
      const { rows } = await c.query<{ r: Date | null }>(`SELECT rolled_until AS r FROM ${t('rollup_state')} FOR UPDATE`);
      let from = rows[0]?.r?.getTime();
      if (from === undefined) {
        // A new store: start at its first reading (once; later rows before rolled_until mark their quarter dirty).
        const first = await c.query<{ m: Date | null }>(`SELECT min(meter_time) AS m FROM ${t('readings')} WHERE meter_time < $1`, [ts(until)]);
        const m = first.rows[0]?.m?.getTime();
        from = m === undefined ? until : Math.floor(m / QUARTER_MS) * QUARTER_MS;
      }
      if (until > from || rows[0]?.r === null) {
        await c.query(`UPDATE ${t('rollup_state')} SET rolled_until = $1, refreshed_at = now()`, [ts(Math.max(until, from))]);
      }
      await c.query('COMMIT');
      return until > from ? [from, until] : undefined;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** New BRIN ranges summarised now: an unsummarised range matches every quarter and is read each time. */
  async function summarize(c: pg.PoolClient): Promise<void> {
    await c.query(`SELECT brin_summarize_new_values(h.inhrelid) FROM pg_inherits h
      WHERE h.inhparent = to_regclass($1)`, [`"${o.schema}".readings_meter_time_brin`]);
  }

  async function nextWithRows(c: pg.PoolClient, from: number, to: number): Promise<number | undefined> {
    const { rows } = await c.query<{ m: Date | null }>(`SELECT min(meter_time) AS m FROM ${t('readings')} WHERE meter_time >= $1 AND meter_time < $2`, [ts(from), ts(to)]);
    const m = rows[0]?.m?.getTime();
    return m === undefined ? undefined : Math.floor(m / QUARTER_MS) * QUARTER_MS;
  }

  return async function refresh(c, untilMs, wait) {
    const until = Math.floor(untilMs / QUARTER_MS) * QUARTER_MS;
    const got = await c.query<{ ok: boolean }>(wait ? `SELECT pg_advisory_lock(${jobLock(o.schema)}), true AS ok` : `SELECT pg_try_advisory_lock(${jobLock(o.schema)}) AS ok`);
    if (!got.rows[0]?.ok) return { quarters: 0, recomputed: 0, ran: false };
    // The store's statement timeout is for commits; a first run over a large store may scan for longer.
    await c.query('SET statement_timeout = 0');
    try {
      let quarters = 0;
      const range = await advance(c, until);
      if (range) {
        await summarize(c);
        // A short range is computed quarter by quarter (an empty one costs a look at the BRIN index); a long one
        // (a store that was down, old rows) skips its empty stretches with a look for the next row.
        const short = range[1] - range[0] <= SHORT_RANGE_MS;
        const next = (from: number): Promise<number | undefined> => (short ? Promise.resolve(from < range[1] ? from : undefined) : nextWithRows(c, from, range[1]));
        for (let q = await next(range[0]); q !== undefined; q = await next(q + QUARTER_MS)) {
          const at = q;
          await partitionFor(c, at);
          if (await inTransaction(c, async () => rollQuarter(c, at, await zonesOf(c))) > 0) quarters++;
        }
      }
      let recomputed = 0;
      while (recomputed < MAX_DIRTY_PER_RUN) {
        const next = await c.query<{ q: Date }>(`SELECT bucket_start AS q FROM ${t('rollup_dirty')} ORDER BY bucket_start LIMIT 1`);
        if (!next.rows.length) break;
        await partitionFor(c, next.rows[0].q.getTime());
        const done = await inTransaction(c, async () => {
          const { rows } = await c.query<{ q: Date }>(`DELETE FROM ${t('rollup_dirty')} WHERE bucket_start = $1 RETURNING bucket_start AS q`,
            [next.rows[0].q.toISOString()]);
          if (!rows.length) return false;
          await rollQuarter(c, rows[0].q.getTime(), await zonesOf(c));
          return true;
        });
        if (!done) break;
        recomputed++;
      }
      return { quarters, recomputed, ran: true };
    } finally {
      await c.query(`SET statement_timeout TO DEFAULT; SELECT pg_advisory_unlock(${jobLock(o.schema)})`);
    }
  };
}
