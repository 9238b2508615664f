/**
 * The rollup resolutions and how an instant maps to its bucket. 5 and 15 minutes are cut in UTC: every zone
 * meterwire's profiles name has a whole-hour offset, so a UTC quarter is a local quarter. Hours, days and months
 * are local to the meter's zone, so a day is 23 or 25 hours on the days the clocks change.
 */
import { createCalendar, localSpan, type CalendarUnit } from './local-time.js';

export const ROLLUP_TABLES = {
  '5m': 'rollup_5m', '15m': 'rollup_15m', '1h': 'rollup_1h', '1d': 'rollup_1d', '1mo': 'rollup_1mo',
} as const;

export type RollupResolution = keyof typeof ROLLUP_TABLES;

export const FIXED_MS: Partial<Record<RollupResolution, number>> = { '5m': 300_000, '15m': 900_000 };
export const CALENDAR: Partial<Record<RollupResolution, CalendarUnit>> = { '1h': 'hour', '1d': 'day', '1mo': 'month' };

/** Longest bucket of each resolution (a 25-hour day, a 31-day month plus an hour), for range look-ups. */
export const MAX_BUCKET_MS: Record<RollupResolution, number> = {
  '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 25 * 3_600_000, '1mo': 31 * 86_400_000 + 3_600_000,
};

export type BucketFn = (ts: number, zone: string) => number;

/** A bucketing function per resolution, memoising the last local span per zone (cheap per reading). */
export function createBucketer(resolution: RollupResolution): BucketFn {
  const fixed = FIXED_MS[resolution];
  if (fixed !== undefined) return (ts) => Math.floor(ts / fixed) * fixed;
  const unit = CALENDAR[resolution]!;
  const calendar = createCalendar();
  return (ts, zone) => calendar(zone, unit, ts);
}

/** The instant the bucket starting at `start` ends. */
export function bucketEnd(resolution: RollupResolution, start: number, zone: string): number {
  const fixed = FIXED_MS[resolution];
  return fixed !== undefined ? start + fixed : localSpan(zone, CALENDAR[resolution]!, start).end;
}
