/**
 * Rollups kept up to date in the write transaction: per meter, reading id and bucket (5 and 15 minutes, local
 * hour, day and month) the sample count, sum, min, max, and the first and last sample, all in the quantity's base
 * unit. Only rows that were really inserted are folded in, so a retried batch changes nothing. Counters also get
 * `delta` = last value of the bucket minus the last value of the previous bucket (or minus its own first value
 * when there is none): consumption between two buckets is counted once, and the deltas of a range add up to
 * last − first. A register that went backwards (meter reset or replaced) gets no delta but `counter_reset` = 1:
 * never a negative consumption.
 */
import type { Dialect, SqlExecutor } from './db.js';
import { createBucketer, ROLLUP_TABLES, type BucketFn, type RollupResolution } from './buckets.js';
import { exactDifference, round15js, storesTime, timeParam } from './dialect.js';
import { kindOfUnit, type ReadingKind, type ReadingRow } from './rows.js';
import { added, incoming, larger, smaller, upsertSql, type MergeExpr } from './upsert.js';

export type { RollupResolution };

interface Aggregate {
  meterId: string;
  readingId: string;
  bucket: number;
  kind: ReadingKind;
  unit: string | null;
  baseUnit: string | null;
  samples: number;
  sum: number;
  min: number;
  max: number;
  firstTs: number;
  firstValue: number;
  lastTs: number;
  lastValue: number;
}

/** Folds the batch's numeric rows per bucket first, so a batch costs one upsert per bucket, not per row. */
export function aggregate(rows: readonly ReadingRow[], bucketOf: BucketFn): Aggregate[] {
  const out = new Map<string, Aggregate>();
  for (const r of rows) {
    if (r.baseValue === null) continue;
    const v = r.baseValue;
    const bucket = bucketOf(r.ts, r.zone);
    const key = `${r.meterId}\u0000${r.readingId}\u0000${bucket}`;
    const a = out.get(key);
    if (!a) {
      out.set(key, {
        meterId: r.meterId, readingId: r.readingId, bucket, kind: kindOfUnit(r.unit ?? undefined), unit: r.unit, baseUnit: r.baseUnit,
        samples: 1, sum: v, min: v, max: v, firstTs: r.ts, firstValue: v, lastTs: r.ts, lastValue: v,
      });
      continue;
    }
    a.samples += 1;
    a.sum += v;
    a.min = Math.min(a.min, v);
    a.max = Math.max(a.max, v);
    if (r.ts < a.firstTs) [a.firstTs, a.firstValue] = [r.ts, v];
    if (r.ts > a.lastTs) [a.lastTs, a.lastValue] = [r.ts, v];
  }
  return [...out.values()];
}

const COLS = ['meter_id', 'reading_id', 'bucket', 'bucket_time', 'kind', 'unit', 'base_unit', 'samples', 'sum_value', 'min_value', 'max_value',
  'first_ts', 'first_value', 'last_ts', 'last_value'];

const earlierWins = (valueCol: string): MergeExpr => (n, o) => `CASE WHEN ${n('first_ts')} < ${o('first_ts')} THEN ${n(valueCol)} ELSE ${o(valueCol)} END`;
const laterWins = (valueCol: string): MergeExpr => (n, o) => `CASE WHEN ${n('last_ts')} > ${o('last_ts')} THEN ${n(valueCol)} ELSE ${o(valueCol)} END`;

// Value columns come before the time columns they are chosen by (MySQL assigns left to right).
const MERGE: ReadonlyArray<[string, MergeExpr]> = [
  ['kind', incoming('kind')], ['unit', incoming('unit')], ['base_unit', incoming('base_unit')],
  ['samples', added('samples')], ['sum_value', added('sum_value')],
  ['min_value', smaller('min_value')], ['max_value', larger('max_value')],
  ['first_value', earlierWins('first_value')], ['first_ts', smaller('first_ts')],
  ['last_value', laterWins('last_value')], ['last_ts', larger('last_ts')],
];

const sqlCache = new Map<string, string>();
function upsertFor(d: Dialect, table: string, rows: number): string {
  const key = `${d}:${table}:${rows}`;
  let sql = sqlCache.get(key);
  const cols = storesTime(d) ? COLS : COLS.filter((c) => c !== 'bucket_time');
  if (!sql) {
    sql = upsertSql(d, table, cols, ['meter_id', 'reading_id', 'bucket'], MERGE, rows);
    // Batches come in a handful of sizes; a reader must not cache one statement per size it ever saw.
    if (sqlCache.size < 200) sqlCache.set(key, sql);
  }
  return sql;
}

/** Aggregates per statement: one round trip per table for an ordinary batch, within every driver's limits. */
const UPSERT_ROWS = 200;

interface BucketRow {
  bucket: number;
  first_value: number;
  last_value: number;
  delta: number | null;
  counter_reset: number;
}

/** Recomputes the deltas of buckets [from, to] of one series and of the bucket after them. */
async function refreshDeltas(tx: SqlExecutor, table: string, meterId: string, readingId: string, from: number, to: number): Promise<void> {
  const series = 'meter_id = ? AND reading_id = ?';
  const cols = 'bucket, first_value, last_value, delta, counter_reset';
  // The bucket before the range, the range and the bucket after it, in one round trip.
  const rows = await tx.all<BucketRow>(`SELECT * FROM (SELECT ${cols} FROM ${table} WHERE ${series} AND bucket < ? ORDER BY bucket DESC LIMIT 1) p
    UNION ALL SELECT ${cols} FROM ${table} WHERE ${series} AND bucket >= ? AND bucket <= ?
    UNION ALL SELECT * FROM (SELECT ${cols} FROM ${table} WHERE ${series} AND bucket > ? ORDER BY bucket LIMIT 1) n`,
  [meterId, readingId, from, meterId, readingId, from, to, meterId, readingId, to]);
  rows.sort((a, b) => Number(a.bucket) - Number(b.bucket));
  const first = rows.length && Number(rows[0].bucket) < from ? rows.shift()! : undefined;
  let before: number | null = first ? Number(first.last_value) : null;
  for (const row of rows) {
    const last = Number(row.last_value);
    const diff = exactDifference(last, before ?? Number(row.first_value));
    const reset = diff < 0 ? 1 : 0;
    const delta = reset ? null : diff;
    const stored = row.delta === null ? null : Number(row.delta);
    if (stored !== delta || Number(row.counter_reset) !== reset) {
      await tx.run(`UPDATE ${table} SET delta = ?, counter_reset = ? WHERE ${series} AND bucket = ?`, [delta, reset, meterId, readingId, Number(row.bucket)]);
    }
    before = last;
  }
}

const ALL = Object.keys(ROLLUP_TABLES) as RollupResolution[];

/** Folds freshly inserted history rows into the rollup tables (all of them unless `only` names some). */
export async function applyRollups(tx: SqlExecutor, d: Dialect, inserted: readonly ReadingRow[], only: readonly RollupResolution[] = ALL): Promise<void> {
  if (inserted.length === 0) return;
  for (const resolution of only) {
    const table = ROLLUP_TABLES[resolution];
    const aggregates = aggregate(inserted, createBucketer(resolution));
    const counterSpans = new Map<string, { meterId: string; readingId: string; from: number; to: number }>();
    for (let i = 0; i < aggregates.length; i += UPSERT_ROWS) {
      const slice = aggregates.slice(i, i + UPSERT_ROWS);
      await tx.run(upsertFor(d, table, slice.length), slice.flatMap((a) => [a.meterId, a.readingId, a.bucket,
        ...(storesTime(d) ? [timeParam(d, a.bucket)] : []), a.kind, a.unit, a.baseUnit, a.samples,
        round15js(a.sum), a.min, a.max, a.firstTs, a.firstValue, a.lastTs, a.lastValue]));
    }
    for (const a of aggregates) {
      if (a.kind !== 'counter') continue;
      const key = `${a.meterId}\u0000${a.readingId}`;
      const span = counterSpans.get(key);
      if (!span) counterSpans.set(key, { meterId: a.meterId, readingId: a.readingId, from: a.bucket, to: a.bucket });
      else [span.from, span.to] = [Math.min(span.from, a.bucket), Math.max(span.to, a.bucket)];
    }
    for (const s of counterSpans.values()) await refreshDeltas(tx, table, s.meterId, s.readingId, s.from, s.to);
  }
}
