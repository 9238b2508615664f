/**
 * Flanders' capacity tariff (Fluvius, VREG tariff methodology since 2023), see docs/costs.md for the sources:
 * - the monthly peak is the highest 15-minute average import demand of the local month (injection does not count);
 * - each month's peak counts at least `minimumKw` (2.5 kW);
 * - month M is billed on the mean of the (floored) peaks of M and the 11 months before it; months without data
 *   are left out of the mean (so the first month of a meter is billed on its own peak, the second on the mean of
 *   two …, as Fluvius did from January 2023);
 * - the charge for month M is pricePerKwYear / 12 × that mean.
 */
import { add, div, fromNumber, max as maxR, mul, ratio, sub, toNumber, type Rational } from './rational.js';
import type { FlandersCapacity } from './tariff-schema.js';
import type { KnownMonthlyPeak } from './types.js';
import type { Zone } from './zone.js';
import { QUARTER_MS } from './demand.js';

export const FLANDERS_MINIMUM_KW = 2.5;

export interface FlandersMonth {
  readonly month: string;
  readonly peakKw: Rational | null;
  readonly billedKw: Rational | null;
  readonly monthsInMean: number;
  readonly charge: Rational | null;
}

/** "2026-03" shifted by k months. */
export function shiftMonth(month: string, k: number): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1 + k;
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12 + 1;
  return `${String(yy).padStart(4, '0')}-${String(mm).padStart(2, '0')}`;
}

/** Highest quarter per local month (the quarter belongs to the month its start lies in). */
export function monthlyPeaks(quarters: ReadonlyArray<{ start: number; kw: Rational }>, zone: Zone): Map<string, Rational> {
  const peaks = new Map<string, Rational>();
  for (const q of quarters) {
    const key = zone.local(q.start).monthKey;
    const prev = peaks.get(key);
    peaks.set(key, prev ? maxR(prev, q.kw) : q.kw);
  }
  return peaks;
}

export function flandersMonths(
  cfg: FlandersCapacity, months: readonly string[], measured: ReadonlyMap<string, Rational>, known: readonly KnownMonthlyPeak[] = [],
): FlandersMonth[] {
  const minimum = fromNumber(cfg.minimumKw ?? FLANDERS_MINIMUM_KW);
  const window = cfg.months ?? 12;
  const knownMap = new Map(known.filter((k) => Number.isFinite(k.kw)).map((k) => [k.month, fromNumber(k.kw)]));
  const peakOf = (m: string): Rational | undefined => measured.get(m) ?? knownMap.get(m);
  const monthlyPrice = div(fromNumber(cfg.pricePerKwYear), ratio(12));
  return months.map((month) => {
    const own = peakOf(month);
    if (!own) return { month, peakKw: null, billedKw: null, monthsInMean: 0, charge: null };
    let total = ratio(0);
    let count = 0;
    for (let k = 0; k < window; k += 1) {
      const p = peakOf(shiftMonth(month, -k));
      if (p) { total = add(total, maxR(p, minimum)); count += 1; }
    }
    const billedKw = div(total, ratio(count));
    return { month, peakKw: own, billedKw, monthsInMean: count, charge: mul(monthlyPrice, billedKw) };
  });
}

export interface FlandersHeadroom {
  readonly quarterStart: number;
  readonly quarterEnd: number;
  /** The quarter's average may reach this without raising the billed peak: max(month's peak so far, minimum). */
  readonly thresholdKw: number;
  readonly drawnWh: number;
  /** Energy the whole quarter may hold: thresholdKw × 250 Wh. */
  readonly allowedWh: number;
  /** What may still be drawn in the rest of the quarter (0 when already above). */
  readonly remainingWh: number;
  readonly remainingMs: number;
  /** The average power that keeps the quarter at the threshold over its rest; null at the quarter's end. */
  readonly maxAverageKw: number | null;
  /** The quarter has already drawn more than the threshold allows: the month's peak rises. */
  readonly exceeded: boolean;
}

export interface FlandersLive {
  readonly now: number;
  /** Import energy so far in the running quarter. */
  readonly drawnWh: number;
  /** The month's highest completed quarter, kW (0 or null if none yet). */
  readonly monthPeakKw: number | null;
  readonly minimumKw?: number;
}

/**
 * Headroom in the running quarter: drawing up to remainingWh more (an average of maxAverageKw until the quarter
 * ends) leaves the quarter's average at or below the month's peak so far (or the 2.5 kW minimum), so the billed
 * peak does not rise. Drawing exactly remainingWh ties the peak, which does not raise it either.
 */
export function flandersHeadroom(live: FlandersLive): FlandersHeadroom {
  const quarterStart = Math.floor(live.now / QUARTER_MS) * QUARTER_MS;
  const quarterEnd = quarterStart + QUARTER_MS;
  const threshold = maxR(fromNumber(live.monthPeakKw ?? 0), fromNumber(live.minimumKw ?? FLANDERS_MINIMUM_KW));
  const allowed = mul(threshold, ratio(250));
  const left = sub(allowed, fromNumber(live.drawnWh));
  const exceeded = left.n < 0n;
  const remaining = exceeded ? ratio(0) : left;
  const remainingMs = quarterEnd - live.now;
  return {
    quarterStart, quarterEnd, thresholdKw: toNumber(threshold), drawnWh: live.drawnWh, allowedWh: toNumber(allowed),
    remainingWh: toNumber(remaining), remainingMs,
    maxAverageKw: remainingMs > 0 ? toNumber(div(mul(remaining, ratio(3600)), ratio(remainingMs))) : null,
    exceeded,
  };
}
