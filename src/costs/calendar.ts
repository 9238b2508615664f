/**
 * The local days a range [from, to) touches, and the pro rata rule for charges that accrue by day or month:
 *
 * - a charge per day accrues a full day's charge per local day, whatever its length (23, 24 or 25 hours); a
 *   partial day (the range starts or ends inside it) accrues the share of that day's milliseconds it covers;
 * - a charge per month is spread evenly over the month's local days: each day carries 1/(days in the month),
 *   a partial day its time share of that. A whole month therefore accrues exactly the monthly charge, and a
 *   range from the 10th to the end of a 30-day month accrues 21/30 of it.
 *
 * Both rules are additive: splitting a range anywhere gives the same sum, exactly.
 */
import { div, mul, ratio, type Rational } from './rational.js';
import type { Zone } from './zone.js';

export interface DaySpan {
  /** "YYYY-MM-DD" */
  readonly date: string;
  /** "YYYY-MM" */
  readonly month: string;
  readonly dayStart: number;
  readonly dayEnd: number;
  /** The part of the day inside the range. */
  readonly from: number;
  readonly to: number;
  readonly daysInMonth: number;
}

export function daysOf(zone: Zone, from: number, to: number): DaySpan[] {
  const days: DaySpan[] = [];
  let t = from;
  while (t < to) {
    const l = zone.local(t);
    const dayStart = zone.dayStart(t);
    const dayEnd = zone.nextDayStart(t);
    days.push({
      date: l.date, month: l.monthKey, dayStart, dayEnd, from: t, to: Math.min(dayEnd, to),
      daysInMonth: new Date(Date.UTC(l.year, l.month, 0)).getUTCDate(),
    });
    t = dayEnd;
  }
  return days;
}

/** The share of its local day a span covers (1 for a whole day, DST days included). */
export function dayShare(day: DaySpan): Rational {
  return ratio(day.to - day.from, day.dayEnd - day.dayStart);
}

/** What a charge per day accrues over the span. */
export function perDayCharge(day: DaySpan, perDay: Rational): Rational {
  return mul(perDay, dayShare(day));
}

/** What a charge per month accrues over the span (1/daysInMonth per whole day). */
export function perMonthCharge(day: DaySpan, perMonth: Rational): Rational {
  return div(mul(perMonth, dayShare(day)), ratio(day.daysInMonth));
}

/** Index of the day holding t (days sorted, contiguous), or -1. */
export function dayIndexAt(days: readonly DaySpan[], t: number): number {
  let lo = 0;
  let hi = days.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t < days[mid].from) hi = mid - 1;
    else if (t >= days[mid].to) lo = mid + 1;
    else return mid;
  }
  return -1;
}
