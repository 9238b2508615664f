/**
 * Bucket boundaries in a configured time zone: days and months start at local midnight (23- and 25-hour days
 * across DST changes), minutes and hours at whole UTC offsets' boundaries. Uses Intl only (Node's full ICU).
 */
import type { Resolution } from './resolution.js';

const MINUTE = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when Intl does not know it. */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; second: number }

function localParts(t: number, timeZone: string): LocalParts {
  const p: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(new Date(t))) {
    if (type !== 'literal') p[type] = Number(value);
  }
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
}

/** The zone's offset from UTC at instant t, in ms (+3,600,000 for CET). */
export function zoneOffsetMs(t: number, timeZone: string): number {
  const l = localParts(t, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - (t - (((t % 1000) + 1000) % 1000));
}

/** The instant of local wall time y-m-d 00:00 (month 1-based, may overflow: month 13 is January next year). */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  let t = wall - zoneOffsetMs(wall, timeZone);
  t = wall - zoneOffsetMs(t, timeZone); // the second pass settles a guess that fell across a DST change
  return t;
}

/** The start of the bucket of resolution `r` that holds instant t ('raw' is t itself). */
export function bucketStart(t: number, r: Resolution, timeZone: string): number {
  switch (r) {
    case 'raw': return t;
    case '5min': return t - (((t % (5 * MINUTE)) + 5 * MINUTE) % (5 * MINUTE));
    case '15min': return t - (((t % (15 * MINUTE)) + 15 * MINUTE) % (15 * MINUTE));
    case 'hour': {
      // Whole-hour buckets of local time (zones with a 30- or 45-minute offset included).
      const off = zoneOffsetMs(t, timeZone);
      return t - ((((t + off) % (60 * MINUTE)) + 60 * MINUTE) % (60 * MINUTE));
    }
    case 'day': {
      const l = localParts(t, timeZone);
      return localMidnight(l.year, l.month, l.day, timeZone);
    }
    case 'month': {
      const l = localParts(t, timeZone);
      return localMidnight(l.year, l.month, 1, timeZone);
    }
  }
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(start: number, r: Resolution, timeZone: string): number {
  switch (r) {
    case 'raw': return start + 1;
    case '5min': return start + 5 * MINUTE;
    case '15min': return start + 15 * MINUTE;
    case 'hour': return start + 60 * MINUTE;
    case 'day': {
      const l = localParts(start + 12 * 60 * MINUTE, timeZone); // midday: clear of any DST change
      return localMidnight(l.year, l.month, l.day + 1, timeZone);
    }
    case 'month': {
      const l = localParts(start + 12 * 60 * MINUTE, timeZone);
      return localMidnight(l.year, l.month + 1, 1, timeZone);
    }
  }
}
