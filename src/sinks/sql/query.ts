/**
 * Reading the store back: series for charts and `meterwire export`, and the list of meters. Shared by the
 * dashboard and the CLI so both show the same numbers. Rollup points of counters carry the energy (volume) used
 * in the bucket as `value`; points of measurements carry the average, with min/max/count beside it.
 */
import { toBaseUnit } from '../../core/model/base-units.js';
import { openSqlDb, type Param, type SqlDb } from './db.js';
import { bucketEnd, MAX_BUCKET_MS, ROLLUP_TABLES, type RollupResolution } from './buckets.js';
import { round15js } from './dialect.js';
import { localIso, machineTimeZone } from './local-time.js';
import { migrate } from './migrations.js';

export type Resolution = 'raw' | RollupResolution;
export const RESOLUTIONS: readonly Resolution[] = ['raw', '5m', '15m', '1h', '1d', '1mo'];
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
  /** Values in the quantity's base unit (Wh, W, V, A, m3 …) instead of the meter's own unit. */
  baseUnits?: boolean;
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
  /** rollups: the bucket start on the meter's wall clock, with its UTC offset. */
  local?: string;
  /** counters: the register went backwards in this bucket (meter reset or replaced); `value` is null then. */
  reset?: boolean;
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
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function where(q: SeriesQuery, timeCol: string, from: number, prefix = ''): { sql: string; params: Param[] } {
  const params: Param[] = [q.reading, from, q.to.getTime()];
  let sql = `${prefix}reading_id = ? AND ${prefix}${timeCol} >= ? AND ${prefix}${timeCol} < ?`;
  if (q.meter !== undefined) {
    sql += ` AND ${prefix}meter_id = ?`;
    params.push(q.meter);
  }
  return { sql, params };
}

/** Stored values are in base units; the meter's unit is `base / factor` (rounded, so 6695 Wh is 6.695 kWh again). */
function inUnit(base: number | null, unit: string | null, baseUnits: boolean | undefined): number | null {
  if (base === null || baseUnits || unit === null) return base;
  const factor = toBaseUnit(1, unit).value;
  return factor === 1 ? base : round15js(base / factor);
}

async function rawSeries(db: SqlDb, q: SeriesQuery): Promise<Point[]> {
  const w = where(q, 'ts', q.from.getTime());
  const rows = await db.all(`SELECT meter_id, ts, value, text_value, unit, base_value, base_unit, quality FROM readings WHERE ${w.sql}`, w.params);
  const texts = await db.all(`SELECT meter_id, valid_from AS ts, text_value, quality FROM meter_texts WHERE ${where(q, 'valid_from', q.from.getTime()).sql}`, w.params);
  const points = rows.map((r) => {
    const p: Point = { meter: String(r.meter_id), ts: iso(r.ts), value: num(q.baseUnits ? r.base_value : r.value) };
    const unit = q.baseUnits ? r.base_unit : r.unit;
    if (unit !== null && unit !== '') p.unit = String(unit);
    if (r.text_value !== null) p.text = String(r.text_value);
    p.quality = r.quality ? String(r.quality).split(',') : [];
    return p;
  });
  for (const t of texts) {
    points.push({ meter: String(t.meter_id), ts: iso(t.ts), value: null, text: String(t.text_value), quality: t.quality ? String(t.quality).split(',') : [] });
  }
  return points.sort((a, b) => a.meter.localeCompare(b.meter) || a.ts.localeCompare(b.ts));
}

async function rollupSeries(db: SqlDb, q: SeriesQuery, resolution: RollupResolution): Promise<Point[]> {
  const from = q.from.getTime();
  // Candidates from one bucket length earlier; the bucket that contains `from` is kept, those ending before go.
  const w = where(q, 'bucket', from - MAX_BUCKET_MS[resolution] + 1, 'r.');
  const rows = await db.all(`SELECT r.meter_id, r.bucket, r.kind, r.unit, r.base_unit, r.samples, r.sum_value, r.min_value, r.max_value,
    r.last_value, r.delta, r.counter_reset, m.timezone FROM ${ROLLUP_TABLES[resolution]} r LEFT JOIN meters m ON m.id = r.meter_id
    WHERE ${w.sql} ORDER BY r.meter_id, r.bucket`, w.params);
  const fallbackZone = machineTimeZone();
  const points: Point[] = [];
  for (const r of rows) {
    const zone = opt(r.timezone) ?? fallbackZone;
    const bucket = Number(r.bucket);
    if (bucketEnd(resolution, bucket, zone) <= from) continue;
    const unit = r.unit === null ? null : String(r.unit);
    const v = (x: unknown): number => inUnit(Number(x), unit, q.baseUnits)!;
    const count = Number(r.samples);
    const avg = round15js(v(r.sum_value) / count);
    const counter = r.kind === 'counter';
    const p: Point = {
      meter: String(r.meter_id), ts: iso(bucket), value: counter ? inUnit(num(r.delta), unit, q.baseUnits) : avg,
      kind: counter ? 'counter' : 'gauge', min: v(r.min_value), avg, max: v(r.max_value), count, local: localIso(zone, bucket),
    };
    if (counter) p.last = v(r.last_value);
    if (counter && Number(r.counter_reset) === 1) p.reset = true;
    const shown = q.baseUnits ? r.base_unit : r.unit;
    if (shown !== null && shown !== '') p.unit = String(shown);
    points.push(p);
  }
  return points;
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
