/**
 * Reading the store back: series for charts and `meterwire export`, and the list of meters. Shared by the
 * dashboard and the CLI so both show the same numbers. Rollup points of counters carry the energy (volume) used
 * in the bucket as `value`; points of measurements carry the average, with min/max/count beside it.
 */
import { openSqlDb, type Param, type SqlDb } from './db.js';
import { migrate } from './migrations.js';
import { ROLLUP_TABLES } from './migrations.js';
import { bucketOf, type RollupResolution } from './rollups.js';

export type Resolution = 'raw' | RollupResolution;
export const RESOLUTIONS: readonly Resolution[] = ['raw', '5m', '1h', '1d'];

export interface SeriesQuery {
  /** One meter's id; all meters when absent. */
  meter?: string;
  /** Reading id, e.g. `energy_import`, `power_import`, `voltage_l1`. */
  reading: string;
  /** Inclusive start; for rollups the bucket containing it is included. */
  from: Date;
  /** Exclusive end. */
  to: Date;
  resolution: Resolution;
}

export interface Point {
  meter: string;
  /** The reading's time (raw) or the start of the bucket (rollups), ISO 8601 UTC. */
  ts: string;
  /** raw: the value; counters: the delta within the bucket; measurements: the average. Null for text readings. */
  value: number | null;
  unit?: string;
  /** raw text readings. */
  text?: string;
  /** raw: quality flags. */
  quality?: string[];
  /** rollups: which of the two kinds of series this is. */
  kind?: 'counter' | 'gauge';
  min?: number;
  avg?: number;
  max?: number;
  /** counters: the register at the end of the bucket. */
  last?: number;
  /** rollups: number of samples in the bucket. */
  count?: number;
}

export interface MeterSummary {
  id: string;
  systemTitle?: string;
  manufacturer?: string;
  profile?: string;
  firstSeen: string;
  lastSeen: string;
}

/** Opens a store for reading (migrating it, so a fresh database answers with nothing instead of an error). */
export async function openSqlStore(url: string): Promise<SqlDb> {
  const db = await openSqlDb(url);
  try {
    await migrate(db);
    return db;
  } catch (e) {
    await db.close();
    throw e;
  }
}

const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

function where(q: SeriesQuery, timeCol: string, from: number): { sql: string; params: Param[] } {
  const params: Param[] = [q.reading, from, q.to.getTime()];
  let sql = `reading_id = ? AND ${timeCol} >= ? AND ${timeCol} < ?`;
  if (q.meter !== undefined) {
    sql += ' AND meter_id = ?';
    params.push(q.meter);
  }
  return { sql, params };
}

async function rawSeries(db: SqlDb, q: SeriesQuery): Promise<Point[]> {
  const w = where(q, 'ts', q.from.getTime());
  const rows = await db.all(`SELECT meter_id, ts, value, text_value, unit, quality FROM readings WHERE ${w.sql} ORDER BY meter_id, ts`, w.params);
  return rows.map((r) => {
    const p: Point = { meter: String(r.meter_id), ts: iso(r.ts), value: r.value === null ? null : Number(r.value) };
    if (r.unit !== null) p.unit = String(r.unit);
    if (r.text_value !== null) p.text = String(r.text_value);
    p.quality = r.quality ? String(r.quality).split(',') : [];
    return p;
  });
}

async function rollupSeries(db: SqlDb, q: SeriesQuery, resolution: RollupResolution): Promise<Point[]> {
  const w = where(q, 'bucket', bucketOf(q.from.getTime(), resolution));
  const rows = await db.all(`SELECT meter_id, bucket, kind, unit, samples, sum_value, min_value, max_value, last_value, delta
    FROM ${ROLLUP_TABLES[resolution]} WHERE ${w.sql} ORDER BY meter_id, bucket`, w.params);
  return rows.map((r) => {
    const count = Number(r.samples);
    const avg = Number(r.sum_value) / count;
    const counter = r.kind === 'counter';
    const p: Point = {
      meter: String(r.meter_id), ts: iso(r.bucket), value: counter ? Number(r.delta) : avg,
      kind: counter ? 'counter' : 'gauge', min: Number(r.min_value), avg, max: Number(r.max_value), count,
    };
    if (counter) p.last = Number(r.last_value);
    if (r.unit !== null) p.unit = String(r.unit);
    return p;
  });
}

export async function querySeries(db: SqlDb, q: SeriesQuery): Promise<Point[]> {
  if (!RESOLUTIONS.includes(q.resolution)) throw new Error(`unknown resolution "${q.resolution}": use ${RESOLUTIONS.join(', ')}`);
  if (Number.isNaN(q.from.getTime()) || Number.isNaN(q.to.getTime())) throw new Error('from and to must be valid dates');
  return q.resolution === 'raw' ? rawSeries(db, q) : rollupSeries(db, q, q.resolution);
}

export async function listMeters(db: SqlDb): Promise<MeterSummary[]> {
  const rows = await db.all('SELECT id, system_title, manufacturer, profile, first_seen, last_seen FROM meters ORDER BY id');
  return rows.map((r) => {
    const m: MeterSummary = { id: String(r.id), firstSeen: iso(r.first_seen), lastSeen: iso(r.last_seen) };
    const systemTitle = opt(r.system_title);
    const manufacturer = opt(r.manufacturer);
    const profile = opt(r.profile);
    if (systemTitle) m.systemTitle = systemTitle;
    if (manufacturer) m.manufacturer = manufacturer;
    if (profile) m.profile = profile;
    return m;
  });
}
