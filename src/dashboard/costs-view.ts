/**
 * Costs and capacity headroom for the dashboard: the store's 15-minute energy (hourly beyond 62 days, to keep a
 * year's question small) handed to the cost engine (src/costs), in the tariffs' time zone unless the page asks for
 * another. A selected range is widened to whole buckets, and the range actually priced is part of the answer.
 */
import { computeCosts, createZone, flandersLiveHeadroom, norwayLiveHeadroom, planFor, type CostFlag, type CostPeriod,
  type EnergyInterval, type TariffsConfig } from '../costs/index.js';
import type { HistoryStore } from './history.js';
import { energyBuckets, type EnergyBucket } from './energy.js';
import { bucketStart, nextBucket } from './local-time.js';
import type { PriceSeries } from './price-files.js';

const QUARTER_RANGE_MS = 62 * 86_400_000;

export interface PricedRange {
  from: number;
  to: number;
  /** The bucket size the energy was taken at. */
  bucket: EnergyBucket;
  period: CostPeriod;
  flags: readonly CostFlag[];
}

/** The store's energy of [from, to) as the cost engine's intervals (buckets without data are left out). */
export async function energyIntervals(history: HistoryStore, meter: string, from: number, to: number, timeZone: string,
  bucket: EnergyBucket, nowMs?: number): Promise<EnergyInterval[]> {
  const e = await energyBuckets(history, meter, from, to, bucket, timeZone);
  const out: EnergyInterval[] = [];
  for (const r of e.rows) {
    if (r.importWh === null && r.exportWh === null) continue;
    // The running bucket ends now: what it holds so far was drawn before now.
    const end = nowMs !== undefined && r.start < nowMs && r.end > nowMs ? nowMs : r.end;
    out.push({
      start: r.start, end, importWh: r.importWh ?? 0, exportWh: r.exportWh ?? 0,
      ...(r.importWhByTariff ? { importWhByTariff: r.importWhByTariff } : {}),
      ...(r.exportWhByTariff ? { exportWhByTariff: r.exportWhByTariff } : {}),
    });
  }
  return out;
}

export async function priceRange(history: HistoryStore, tariffs: TariffsConfig, meter: string, fromMs: number, toMs: number,
  timeZone: string, nowMs: number, prices: PriceSeries = {}): Promise<PricedRange> {
  const bucket: EnergyBucket = toMs - fromMs <= QUARTER_RANGE_MS ? 'quarter' : 'hour';
  const res = bucket === 'quarter' ? '15min' : 'hour';
  const from = bucketStart(fromMs, res, timeZone);
  const lastStart = bucketStart(toMs - 1, res, timeZone);
  const to = Math.max(from, nextBucket(lastStart, res, timeZone));
  const intervals = await energyIntervals(history, meter, from, to, timeZone, bucket);
  const report = computeCosts(planFor(tariffs, meter), tariffs.currency, timeZone, { from, to, intervals, prices, now: nowMs });
  return { from, to, bucket, period: report.total, flags: report.flags };
}

/** Today and this month (local to `timeZone`), whole days and months: standing charges are per day or month. */
export async function currentCosts(history: HistoryStore, tariffs: TariffsConfig, meter: string, timeZone: string, nowMs: number,
  prices: PriceSeries = {}) {
  const dayFrom = bucketStart(nowMs, 'day', timeZone);
  const monthFrom = bucketStart(nowMs, 'month', timeZone);
  const [today, month] = await Promise.all([
    priceRange(history, tariffs, meter, dayFrom, nextBucket(dayFrom, 'day', timeZone), timeZone, nowMs, prices),
    priceRange(history, tariffs, meter, monthFrom, nextBucket(monthFrom, 'month', timeZone), timeZone, nowMs, prices),
  ]);
  return { today, month };
}

/** Live headroom of the capacity tariff of the meter's plan, or undefined when the plan has none. */
export async function headroom(history: HistoryStore, tariffs: TariffsConfig, meter: string, nowMs: number) {
  const cap = planFor(tariffs, meter).capacity;
  if (!cap) return undefined;
  const zone = createZone(tariffs.timeZone);
  const monthFrom = bucketStart(nowMs, 'month', tariffs.timeZone);
  if (cap.type === 'flanders') {
    const intervals = await energyIntervals(history, meter, monthFrom, nowMs + 1, tariffs.timeZone, 'quarter', nowMs);
    return { type: cap.type, ...flandersLiveHeadroom(intervals, zone, nowMs, cap.minimumKw) };
  }
  const intervals = await energyIntervals(history, meter, monthFrom, nowMs + 1, tariffs.timeZone, 'hour', nowMs);
  return { type: cap.type, ...norwayLiveHeadroom(cap, intervals, zone, nowMs) };
}
