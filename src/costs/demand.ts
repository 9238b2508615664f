/**
 * Demand figures for the capacity tariffs, from the energy intervals: 15-minute average import power (Flanders)
 * and import energy per clock hour (Norway). Only intervals that fit inside one quarter (or one hour) count:
 * a longer interval hides its peak, so it contributes nothing rather than an underestimate.
 */
import { add, fromNumber, mul, ratio, type Rational } from './rational.js';
import type { EnergyInterval, QuarterDemand } from './types.js';
import type { Zone } from './zone.js';

export const QUARTER_MS = 15 * 60_000;
export const HOUR_MS = 3_600_000;

/** Import Wh summed per bucket; the bucket of an instant is given by `bucketStart`. */
function sumPerBucket(intervals: readonly EnergyInterval[], size: number, bucketStart: (t: number) => number): Map<number, Rational> {
  const sums = new Map<number, Rational>();
  for (const iv of intervals) {
    if (!(iv.end > iv.start) || !Number.isFinite(iv.importWh)) continue;
    const b = bucketStart(iv.start);
    if (iv.end > b + size) continue;
    const wh = iv.importWhByTariff ? add(fromNumber(iv.importWhByTariff.t1), fromNumber(iv.importWhByTariff.t2)) : fromNumber(iv.importWh);
    sums.set(b, add(sums.get(b) ?? ratio(0), wh));
  }
  return sums;
}

export const quarterStartOf = (t: number): number => Math.floor(t / QUARTER_MS) * QUARTER_MS;

/** Start of the local clock hour holding t. */
export function hourStartOf(zone: Zone): (t: number) => number {
  return (t) => {
    const wall = t + zone.offsetMinutes(t) * 60_000;
    return t - (((wall % HOUR_MS) + HOUR_MS) % HOUR_MS);
  };
}

/**
 * Local months holding an interval that spans more than one bucket: their peak from the intervals would only be a
 * lower bound, so they have no measured peak (Flanders: give knownPeaks for them; Norway: flagged).
 */
export function coarseMonths(intervals: readonly EnergyInterval[], size: number, bucketStart: (t: number) => number, zone: Zone): Set<string> {
  const out = new Set<string>();
  for (const iv of intervals) if (iv.end > iv.start && iv.end > bucketStart(iv.start) + size) out.add(zone.local(iv.start).monthKey);
  return out;
}

/** 15-minute average import demand in kW (Wh in the quarter × 4 / 1000), quarters on the UTC quarter grid. */
export function quarterDemandOf(intervals: readonly EnergyInterval[]): Array<{ start: number; kw: Rational }> {
  const sums = sumPerBucket(intervals, QUARTER_MS, quarterStartOf);
  return [...sums].sort((a, b) => a[0] - b[0]).map(([start, wh]) => ({ start, kw: mul(wh, ratio(4, 1000)) }));
}

/** Given demand figures (kW as numbers) as exact fractions. */
export function quarterDemandFrom(demand: readonly QuarterDemand[]): Array<{ start: number; kw: Rational }> {
  return demand.filter((d) => Number.isFinite(d.start) && Number.isFinite(d.kw))
    .map((d) => ({ start: d.start, kw: fromNumber(d.kw) }));
}

/** Import kWh per local clock hour (= the hour's average kW), keyed by the hour's start. */
export function hourlyEnergyOf(intervals: readonly EnergyInterval[], zone: Zone): Array<{ start: number; kwh: Rational }> {
  const sums = sumPerBucket(intervals, HOUR_MS, hourStartOf(zone));
  return [...sums].sort((a, b) => a[0] - b[0]).map(([start, wh]) => ({ start, kwh: mul(wh, ratio(1, 1000)) }));
}
