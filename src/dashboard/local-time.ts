/**
 * Bucket boundaries in a configured time zone: days and months start at local midnight (23- and 25-hour days
 * across DST changes), hours at whole local hours, minutes at UTC multiples. The calendar arithmetic is the SQL
 * output's (its rollups cut the same local days the charts show), so there is one Intl-based implementation.
 */
import { checkTimeZone as knownTimeZone, localSpan } from '../sinks/sql/local-time.js';
import type { Resolution } from './resolution.js';

const MINUTE = 60_000;

/** Throws when Intl does not know the zone. */
export function checkTimeZone(timeZone: string): void {
  knownTimeZone(timeZone);
}

/** The start of the bucket of resolution `r` that holds instant t ('raw' is t itself). */
export function bucketStart(t: number, r: Resolution, timeZone: string): number {
  switch (r) {
    case 'raw': return t;
    case '5min': return t - (((t % (5 * MINUTE)) + 5 * MINUTE) % (5 * MINUTE));
    case '15min': return t - (((t % (15 * MINUTE)) + 15 * MINUTE) % (15 * MINUTE));
    case 'hour':
    case 'day':
    case 'month': return localSpan(timeZone, r, t).start;
  }
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(start: number, r: Resolution, timeZone: string): number {
  switch (r) {
    case 'raw': return start + 1;
    case '5min': return start + 5 * MINUTE;
    case '15min': return start + 15 * MINUTE;
    case 'hour': return start + 60 * MINUTE;
    case 'day':
    case 'month': return localSpan(timeZone, r, start).end;
  }
}
