/**
 * Norway's capacity step (kapasitetsledd / fastledd in steps), see docs/costs.md for the sources:
 * - each local day's peak is its highest hourly import energy (kWh/h = average kW over the clock hour);
 * - the month's figure is the mean of the three highest daily peaks, each from a different day (fewer than three
 *   days with data: the mean of those there are);
 * - the figure falls in the step with fromKw ≤ figure < toKw, and the month costs that step's pricePerMonth.
 */
import { add, cmp, div, fromNumber, max as maxR, mul, ratio, sub, toNumber, type Rational } from './rational.js';
import type { NorwayCapacity } from './tariff-schema.js';
import type { Zone } from './zone.js';
import { HOUR_MS } from './demand.js';

export interface NorwayMonth {
  readonly month: string;
  readonly meanKw: Rational | null;
  readonly step: number | null;
  readonly peakDays: readonly string[];
  readonly charge: Rational | null;
}

/** Daily peak hourly kWh per local date, grouped by local month. */
export function dailyPeaks(hours: ReadonlyArray<{ start: number; kwh: Rational }>, zone: Zone): Map<string, Map<string, Rational>> {
  const byMonth = new Map<string, Map<string, Rational>>();
  for (const h of hours) {
    const l = zone.local(h.start);
    let days = byMonth.get(l.monthKey);
    if (!days) byMonth.set(l.monthKey, (days = new Map()));
    const prev = days.get(l.date);
    days.set(l.date, prev ? maxR(prev, h.kwh) : h.kwh);
  }
  return byMonth;
}

/** The three (or fewer) highest daily peaks, highest first; ties go to the earlier day. */
export function topDays(days: ReadonlyMap<string, Rational>, count = 3): Array<[string, Rational]> {
  return [...days].sort((a, b) => cmp(b[1], a[1]) || (a[0] < b[0] ? -1 : 1)).slice(0, count);
}

export function stepOf(cfg: NorwayCapacity, kw: Rational): number {
  for (let i = cfg.steps.length - 1; i >= 0; i -= 1) if (cmp(kw, fromNumber(cfg.steps[i].fromKw)) >= 0) return i;
  return 0;
}

export function norwayMonths(cfg: NorwayCapacity, months: readonly string[], peaks: ReadonlyMap<string, ReadonlyMap<string, Rational>>): NorwayMonth[] {
  return months.map((month) => {
    const days = peaks.get(month);
    if (!days || days.size === 0) return { month, meanKw: null, step: null, peakDays: [], charge: null };
    const top = topDays(days);
    const meanKw = div(top.reduce((acc, [, v]) => add(acc, v), ratio(0)), ratio(top.length));
    const step = stepOf(cfg, meanKw);
    return { month, meanKw, step, peakDays: top.map(([d]) => d), charge: fromNumber(cfg.steps[step].pricePerMonth) };
  });
}

export interface NorwayHeadroom {
  readonly hourStart: number;
  readonly hourEnd: number;
  readonly step: number;
  /** The step's upper bound; null for the open-ended last step (no limit). */
  readonly stepUpperKw: number | null;
  readonly meanKw: number;
  readonly drawnWh: number;
  /**
   * The hour may hold strictly less than drawnWh + remainingWh without moving the month into the next step;
   * reaching it exactly reaches the next step's lower bound. null: no limit (last step).
   */
  readonly remainingWh: number | null;
  readonly remainingMs: number;
  /** Average power over the rest of the hour that would just reach the limit. */
  readonly maxAverageKw: number | null;
}

export interface NorwayLive {
  readonly now: number;
  /** Import energy so far in the running clock hour. */
  readonly drawnWh: number;
  /** Today's highest completed hour, Wh (0 if none). */
  readonly todayPeakWh: number;
  /** Each other day's highest hour this month, Wh. */
  readonly otherDayPeaksWh: readonly number[];
  /** Start of the running local clock hour (defaults to the UTC hour, right for whole-hour offsets). */
  readonly hourStart?: number;
}

/**
 * Headroom in the running hour. With the other days' peaks o₁ ≥ o₂ ≥ … and k = min(3, days incl. today), the
 * month's mean stays below the step's upper bound U while today's peak stays below k·U − (o₁ + … + o_{k−1}).
 */
export function norwayHeadroom(cfg: NorwayCapacity, live: NorwayLive): NorwayHeadroom {
  const hourStart = live.hourStart ?? Math.floor(live.now / HOUR_MS) * HOUR_MS;
  const hourEnd = hourStart + HOUR_MS;
  const kwh = (wh: number): Rational => mul(fromNumber(wh), ratio(1, 1000));
  const others = live.otherDayPeaksWh.map(kwh).sort((a, b) => cmp(b, a));
  const drawn = kwh(live.drawnWh);
  const today = maxR(kwh(live.todayPeakWh), drawn);
  const k = Math.min(3, others.length + 1);
  const topOthers = others.slice(0, k - 1);
  const all = [...others, today].sort((a, b) => cmp(b, a)).slice(0, 3);
  const mean = div(all.reduce(add, ratio(0)), ratio(all.length));
  const step = stepOf(cfg, mean);
  const upper = cfg.steps[step].toKw;
  const remainingMs = hourEnd - live.now;
  const base = { hourStart, hourEnd, step, meanKw: toNumber(mean), drawnWh: live.drawnWh, remainingMs };
  if (upper === undefined) return { ...base, stepUpperKw: null, remainingWh: null, maxAverageKw: null };
  const limitKwh = sub(mul(fromNumber(upper), ratio(k)), topOthers.reduce(add, ratio(0)));
  const remainingKwh = maxR(sub(limitKwh, drawn), ratio(0));
  return {
    ...base, stepUpperKw: upper, remainingWh: toNumber(mul(remainingKwh, ratio(1000))),
    maxAverageKw: remainingMs > 0 ? toNumber(div(mul(remainingKwh, ratio(HOUR_MS)), ratio(remainingMs))) : null,
  };
}
