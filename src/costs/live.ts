/**
 * The live inputs of the headroom calculations, from the store's intervals of the running month: the completed
 * quarters (Flanders) or hours (Norway) before `now`, and what the running quarter or hour holds so far.
 */
import { flandersHeadroom, type FlandersHeadroom } from './capacity-flanders.js';
import { norwayHeadroom, type NorwayHeadroom } from './capacity-norway.js';
import { HOUR_MS, QUARTER_MS, hourlyEnergyOf, quarterDemandOf } from './demand.js';
import { add, fromNumber, max as maxR, mul, ratio, toNumber, ZERO, type Rational } from './rational.js';
import type { NorwayCapacity } from './tariff-schema.js';
import type { EnergyInterval } from './types.js';
import type { Zone } from './zone.js';

/** Import Wh of the intervals inside [from, now]. */
function drawnSince(intervals: readonly EnergyInterval[], from: number, now: number): number {
  let wh: Rational = ZERO;
  for (const iv of intervals) if (iv.start >= from && iv.end <= now) wh = add(wh, fromNumber(iv.importWh));
  return toNumber(wh);
}

export function flandersLiveHeadroom(intervals: readonly EnergyInterval[], zone: Zone, now: number, minimumKw?: number): FlandersHeadroom {
  const quarterStart = Math.floor(now / QUARTER_MS) * QUARTER_MS;
  const month = zone.local(quarterStart).monthKey;
  let peak: Rational | undefined;
  for (const q of quarterDemandOf(intervals.filter((iv) => iv.end <= quarterStart))) {
    if (zone.local(q.start).monthKey === month) peak = peak ? maxR(peak, q.kw) : q.kw;
  }
  return flandersHeadroom({ now, drawnWh: drawnSince(intervals, quarterStart, now), monthPeakKw: peak ? toNumber(peak) : null, minimumKw });
}

export function norwayLiveHeadroom(cfg: NorwayCapacity, intervals: readonly EnergyInterval[], zone: Zone, now: number): NorwayHeadroom {
  const wall = now + zone.offsetMinutes(now) * 60_000;
  const hourStart = now - (((wall % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const here = zone.local(hourStart);
  const peaks = new Map<string, Rational>();
  for (const h of hourlyEnergyOf(intervals.filter((iv) => iv.end <= hourStart), zone)) {
    const l = zone.local(h.start);
    if (l.monthKey !== here.monthKey) continue;
    const prev = peaks.get(l.date);
    peaks.set(l.date, prev ? maxR(prev, h.kwh) : h.kwh);
  }
  const wh = (kwh: Rational | undefined): number => (kwh ? toNumber(mul(kwh, ratio(1000))) : 0);
  return norwayHeadroom(cfg, {
    now, hourStart, drawnWh: drawnSince(intervals, hourStart, now), todayPeakWh: wh(peaks.get(here.date)),
    otherDayPeaksWh: [...peaks].filter(([d]) => d !== here.date).map(([, v]) => wh(v)),
  });
}
