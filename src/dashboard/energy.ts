/**
 * Energy per local bucket (quarter, hour, day, month) from any HistoryStore: the counters' increases per
 * 15-minute or hourly bucket, summed into days and months of the asked time zone, so a day is 23 or 25 hours on
 * the days the clocks change whatever zone the store cut its own daily rollups in (the store's daily and monthly
 * buckets are used as they are when they are in the asked zone). A DSMR meter without a total
 * register gets the sum of its tariff registers (1.8.1 + 1.8.2); the split is kept for register prices.
 */
import type { HistoryStore } from './history.js';
import { bucketStart, nextBucket } from './local-time.js';
import type { Resolution } from './resolution.js';

export type EnergyBucket = 'quarter' | 'hour' | 'day' | 'month';
export const ENERGY_BUCKETS: readonly EnergyBucket[] = ['quarter', 'hour', 'day', 'month'];

export interface EnergyRow {
  start: number;
  end: number;
  /** Null: no counter data in the bucket (never a silent 0). */
  importWh: number | null;
  exportWh: number | null;
  importWhByTariff?: { t1: number; t2: number };
  exportWhByTariff?: { t1: number; t2: number };
  /** m3 per volume counter (gas, water on M-Bus channels), by reading id. */
  volumes?: Record<string, number>;
}

export interface EnergyResult {
  bucket: EnergyBucket;
  timeZone: string;
  /** Which registers the totals come from: the total register, the sum of the tariff registers, or none. */
  source: { import: 'total' | 'registers' | null; export: 'total' | 'registers' | null };
  volumeReadings: string[];
  rows: EnergyRow[];
}

const RESOLUTION: Record<EnergyBucket, Resolution> = { quarter: '15min', hour: 'hour', day: 'day', month: 'month' };

function round(x: number): number {
  return Number(x.toPrecision(12));
}

type Deltas = Map<number, number>;

async function deltas(history: HistoryStore, meter: string, reading: string, fromMs: number, toMs: number, fine: Resolution): Promise<Deltas> {
  const s = await history.series({ meter, reading, fromMs, toMs, resolution: fine });
  const out: Deltas = new Map();
  for (const p of s.points) if (p.delta !== undefined && p.t >= fromMs && p.t < toMs) out.set(p.t, p.delta);
  return out;
}

interface Direction { source: 'total' | 'registers' | null; total?: Deltas; t1?: Deltas; t2?: Deltas }

async function direction(history: HistoryStore, meter: string, ids: Set<string>, name: 'import' | 'export',
  from: number, to: number, fine: Resolution): Promise<Direction> {
  const total = ids.has(`energy_${name}`) ? await deltas(history, meter, `energy_${name}`, from, to, fine) : undefined;
  const hasRegisters = ids.has(`energy_${name}_t1`) && ids.has(`energy_${name}_t2`);
  const t1 = hasRegisters ? await deltas(history, meter, `energy_${name}_t1`, from, to, fine) : undefined;
  const t2 = hasRegisters ? await deltas(history, meter, `energy_${name}_t2`, from, to, fine) : undefined;
  return { source: total ? 'total' : hasRegisters ? 'registers' : null, total, t1, t2 };
}

/** The fine bucket's energy of one direction: the total register, else both tariff registers (both must be known). */
function whAt(d: Direction, t: number): { wh?: number; t1?: number; t2?: number } {
  const t1 = d.t1?.get(t);
  const t2 = d.t2?.get(t);
  const split = t1 !== undefined && t2 !== undefined ? { t1, t2 } : {};
  if (d.total) return { wh: d.total.get(t), ...split };
  return t1 !== undefined && t2 !== undefined ? { wh: round(t1 + t2), ...split } : {};
}

/** Buckets of [fromMs, toMs) in `timeZone`: every bucket of the range, with null where the store has no data. */
export async function energyBuckets(history: HistoryStore, meter: string, fromMs: number, toMs: number, bucket: EnergyBucket,
  timeZone: string): Promise<EnergyResult> {
  // The store's own daily and monthly buckets when they are cut in the asked zone (a year is then 12 rows, not
  // 8,760 hours); hours summed into the asked zone's days otherwise.
  const sameZone = (bucket === 'day' || bucket === 'month') && (await history.timeZone?.(meter)) === timeZone;
  const fine: Resolution = bucket === 'quarter' ? '15min' : sameZone ? RESOLUTION[bucket] : 'hour';
  const start = bucketStart(fromMs, RESOLUTION[bucket], timeZone);
  const readings = await history.readings(meter);
  const ids = new Set(readings.map((r) => r.id));
  const imp = await direction(history, meter, ids, 'import', start, toMs, fine);
  const exp = await direction(history, meter, ids, 'export', start, toMs, fine);
  const volumeReadings = readings.filter((r) => r.unit === 'm3').map((r) => r.id);
  const volumes = new Map<string, Deltas>();
  for (const id of volumeReadings) volumes.set(id, await deltas(history, meter, id, start, toMs, fine));

  const rows: EnergyRow[] = [];
  const index = new Map<number, EnergyRow>();
  for (let t = start; t < toMs; t = nextBucket(t, RESOLUTION[bucket], timeZone)) {
    const row: EnergyRow = { start: t, end: nextBucket(t, RESOLUTION[bucket], timeZone), importWh: null, exportWh: null };
    rows.push(row);
    index.set(t, row);
  }
  const fineTimes = new Set<number>();
  for (const m of [imp.total, imp.t1, exp.total, exp.t1, ...volumes.values()]) for (const t of m?.keys() ?? []) fineTimes.add(t);
  for (const t of [...fineTimes].sort((a, b) => a - b)) {
    const row = index.get(bucketStart(t, RESOLUTION[bucket], timeZone));
    if (!row) continue;
    for (const [d, key, split] of [[imp, 'importWh', 'importWhByTariff'], [exp, 'exportWh', 'exportWhByTariff']] as const) {
      const e = whAt(d, t);
      if (e.wh !== undefined) row[key] = round((row[key] ?? 0) + e.wh);
      if (e.t1 !== undefined && e.t2 !== undefined) {
        const prev = row[split] ?? { t1: 0, t2: 0 };
        row[split] = { t1: round(prev.t1 + e.t1), t2: round(prev.t2 + e.t2) };
      }
    }
    for (const [id, m] of volumes) {
      const v = m.get(t);
      if (v !== undefined) row.volumes = { ...row.volumes, [id]: round((row.volumes?.[id] ?? 0) + v) };
    }
  }
  return { bucket, timeZone, source: { import: imp.source, export: exp.source }, volumeReadings, rows };
}
