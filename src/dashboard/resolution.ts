/**
 * Which resolution a chart of a time range gets, so it never draws more than ~2,000 points: raw samples for short
 * ranges, then 5-minute, 15-minute, hourly, daily and monthly buckets. Pure, so the choice is tested alone and the
 * in-memory and SQL history stores agree on it.
 */

export type Resolution = 'raw' | '5min' | '15min' | 'hour' | 'day' | 'month';

export const RESOLUTIONS: readonly Resolution[] = ['raw', '5min', '15min', 'hour', 'day', 'month'];

export const MAX_POINTS = 2000;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The nominal width of one bucket (a day is 23 or 25 hours across a DST change, a month 28 to 31 days). */
export function nominalStepMs(r: Resolution, rawIntervalMs: number): number {
  switch (r) {
    case 'raw': return rawIntervalMs;
    case '5min': return 5 * MINUTE;
    case '15min': return 15 * MINUTE;
    case 'hour': return 60 * MINUTE;
    case 'day': return DAY;
    case 'month': return 28 * DAY; // the shortest month: the most buckets a range can hold
  }
}

export interface ResolutionOptions {
  /** The meter's push interval (default 1 s, DSMR 5's; Austrian meters push every 5 s, Nordic ones 2.5 to 10 s). */
  rawIntervalMs?: number;
  maxPoints?: number;
}

/**
 * The finest resolution at which [fromMs, toMs) holds at most `maxPoints` points. A range longer than
 * `maxPoints` months still gets monthly buckets (there is nothing coarser to give).
 */
export function chooseResolution(fromMs: number, toMs: number, o: ResolutionOptions = {}): Resolution {
  const rawIntervalMs = o.rawIntervalMs !== undefined && o.rawIntervalMs > 0 ? o.rawIntervalMs : 1000;
  const maxPoints = o.maxPoints ?? MAX_POINTS;
  const span = Math.max(0, toMs - fromMs);
  for (const r of RESOLUTIONS) {
    // +1: a range that does not start on a bucket boundary touches one bucket more.
    if (Math.ceil(span / nominalStepMs(r, rawIntervalMs)) + 1 <= maxPoints) return r;
  }
  return 'month';
}
