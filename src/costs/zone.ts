/**
 * Local calendar arithmetic in one IANA time zone, DST-correct: a local day is whatever lies between two local
 * midnights (23 h on the spring change, 25 h in autumn), a local month between two first-of-month midnights.
 * Offsets come from Intl (the platform's tz database), two lookups per UTC day: a day whose ends agree has one
 * offset throughout (no zone changes twice within a day); on a change day, one lookup per UTC quarter-hour, exact
 * because every zone in use changes its offset on a quarter-hour boundary of UTC.
 */
import { meterError } from '../core/errors.js';

const QUARTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const CACHE_LIMIT = 250_000;

export interface LocalTime {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday … 6 = Saturday */
  readonly weekday: number;
  /** Minutes since local midnight on the wall clock (0-1439). */
  readonly minuteOfDay: number;
  /** "YYYY-MM-DD" */
  readonly date: string;
  /** "YYYY-MM" */
  readonly monthKey: string;
  /** "MM-DD", for season ranges. */
  readonly monthDay: string;
}

export interface Zone {
  readonly timeZone: string;
  /** Minutes to add to UTC to get the wall clock at `ms`. */
  offsetMinutes(ms: number): number;
  local(ms: number): LocalTime;
  /**
   * The instant the wall clock shows the given local date and minute of day. Shown twice (autumn): the earlier.
   * Never shown (spring gap): the instant the clock jumps past it.
   */
  fromLocal(year: number, month: number, day: number, minuteOfDay?: number): number;
  /** Local midnight at or before `ms`. */
  dayStart(ms: number): number;
  /** The next local midnight after the day holding `ms`. */
  nextDayStart(ms: number): number;
  monthStart(ms: number): number;
  nextMonthStart(ms: number): number;
  /** The instant in (from, to) where the offset changes, if it does (spans of up to a few days: one change). */
  nextTransition(from: number, to: number): number | undefined;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** True when the platform knows the zone (Intl throws RangeError otherwise). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const zones = new Map<string, Zone>();

/** The zone helper for an IANA name (shared per name, so its offset cache serves every computation). */
export function createZone(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    if (zones.size >= 64) zones.clear();
    if (!isValidTimeZone(timeZone)) throw meterError('BAD_CONFIG', `"${timeZone}" is not an IANA time zone (e.g. Europe/Brussels)`);
    zone = buildZone(timeZone);
    zones.set(timeZone, zone);
  }
  return zone;
}

function buildZone(timeZone: string): Zone {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const cache = new Map<number, number>();

  function computeOffset(ms: number): number {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  }

  /** Per UTC day: the offset if it holds all day (the usual case, two lookups), else the day's quarters. */
  const days = new Map<number, number>();

  function quarterOffset(ms: number): number {
    const key = Math.floor(ms / QUARTER_MS);
    let off = cache.get(key);
    if (off === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      off = computeOffset(key * QUARTER_MS);
      cache.set(key, off);
    }
    return off;
  }

  function offsetMinutes(ms: number): number {
    const day = Math.floor(ms / DAY_MS);
    let whole = days.get(day);
    if (whole === undefined) {
      if (days.size >= CACHE_LIMIT) days.clear();
      // No zone changes its offset twice within one UTC day, so equal offsets at both ends hold in between.
      const start = computeOffset(day * DAY_MS);
      whole = start === computeOffset(day * DAY_MS + DAY_MS - QUARTER_MS) ? start : Number.NaN;
      days.set(day, whole);
    }
    return Number.isNaN(whole) ? quarterOffset(ms) : whole;
  }

  function local(ms: number): LocalTime {
    const w = new Date(ms + offsetMinutes(ms) * 60_000);
    const year = w.getUTCFullYear();
    const month = w.getUTCMonth() + 1;
    const day = w.getUTCDate();
    const hour = w.getUTCHours();
    const minute = w.getUTCMinutes();
    const monthKey = `${pad(year, 4)}-${pad(month)}`;
    return {
      year, month, day, hour, minute, weekday: w.getUTCDay(), minuteOfDay: hour * 60 + minute,
      date: `${monthKey}-${pad(day)}`, monthKey, monthDay: `${pad(month)}-${pad(day)}`,
    };
  }

  /** First instant in (lo, hi] whose offset differs from lo's (a transition lies there), to the millisecond. */
  function transitionBetween(lo: number, hi: number): number {
    const base = offsetMinutes(lo);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetMinutes(mid) === base) lo = mid; else hi = mid;
    }
    return hi;
  }

  function fromLocal(year: number, month: number, day: number, minuteOfDay = 0): number {
    const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay);
    const offsets = [...new Set([offsetMinutes(wall - DAY_MS), offsetMinutes(wall), offsetMinutes(wall + DAY_MS)])];
    const valid = offsets.map((o) => wall - o * 60_000).filter((t) => offsetMinutes(t) * 60_000 === wall - t);
    if (valid.length > 0) return Math.min(...valid);
    // In a gap: the clock jumps from before the wall time to after it at a transition between the candidates.
    const candidates = offsets.map((o) => wall - o * 60_000).sort((a, b) => a - b);
    return transitionBetween(candidates[0], candidates[candidates.length - 1]);
  }

  function dayStart(ms: number): number {
    const l = local(ms);
    const start = fromLocal(l.year, l.month, l.day);
    // A midnight inside a gap starts the day at the jump, which can lie after ms only if ms is before it.
    return start <= ms ? start : fromLocal(l.year, l.month, l.day - 1);
  }

  function nextDayStart(ms: number): number {
    const l = local(ms);
    return fromLocal(l.year, l.month, l.day + 1);
  }

  function monthStart(ms: number): number {
    const l = local(ms);
    return fromLocal(l.year, l.month, 1);
  }

  function nextMonthStart(ms: number): number {
    const l = local(ms);
    return fromLocal(l.year, l.month + 1, 1);
  }

  function nextTransition(from: number, to: number): number | undefined {
    if (to - from <= 1 || offsetMinutes(from) === offsetMinutes(to - 1)) return undefined;
    return transitionBetween(from, to - 1);
  }

  return { timeZone, offsetMinutes, local, fromLocal, dayStart, nextDayStart, monthStart, nextMonthStart, nextTransition };
}
