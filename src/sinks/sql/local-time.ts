/**
 * Calendar buckets in a time zone (local hour, day, month) without Temporal: the zone's UTC offset at an instant
 * comes from Intl (the only tz database Node ships); the bucket edges are then plain arithmetic on wall-clock
 * milliseconds, re-checked against the offset in force at the edge, so 23- and 25-hour days come out right.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Throws a clear error for a zone name Intl does not know (`Europe/Vienna`, `UTC`, `+01:00` is not one). */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`unknown time zone "${zone}": use an IANA name such as Europe/Vienna or UTC`);
  }
}

/** The machine's zone (TZ, /etc/localtime), UTC when Intl cannot tell. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Offset of `zone` at instant `t` in ms (local wall clock − UTC), to the second. */
export function offsetAt(zone: string, t: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

/**
 * The instant a local wall-clock time (as UTC ms) happens: the offset at a first guess, corrected by the offset at
 * that guess, and checked by mapping back. A wall time that happens twice (autumn) gets one of its two instants; one
 * skipped by a spring-forward gap maps to the instant the gap ends.
 */
export function instantOfWall(zone: string, wall: number): number {
  const first = wall - offsetAt(zone, wall);
  const second = wall - offsetAt(zone, first);
  if (second + offsetAt(zone, second) === wall) return second;
  if (first + offsetAt(zone, first) === wall) return first;
  // In a gap: the wall time does not exist. The gap ends where the offset changes, between the two guesses.
  let lo = Math.min(first, second);
  let hi = Math.max(first, second);
  const before = offsetAt(zone, lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

export type CalendarUnit = 'hour' | 'day' | 'month';

export interface Span {
  start: number;
  end: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

function wallStart(unit: CalendarUnit, wall: number): number {
  if (unit === 'hour') return Math.floor(wall / HOUR) * HOUR;
  if (unit === 'day') return Math.floor(wall / DAY) * DAY;
  const d = new Date(wall);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function wallNext(unit: CalendarUnit, start: number): number {
  if (unit === 'hour') return start + HOUR;
  if (unit === 'day') return start + DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The local hour, day or month containing instant `t`, as instants [start, end). */
export function localSpan(zone: string, unit: CalendarUnit, t: number): Span {
  const wall = t + offsetAt(zone, t);
  if (unit === 'hour') {
    // An hour is the same wall hour under one offset: a fall-back hour happens twice, as two buckets.
    const start = Math.floor(wall / HOUR) * HOUR - offsetAt(zone, t);
    return { start, end: start + HOUR };
  }
  const ws = wallStart(unit, wall);
  return { start: instantOfWall(zone, ws), end: instantOfWall(zone, wallNext(unit, ws)) };
}

/** localSpan with a one-span memo per zone and unit: a reader asks for the same day thousands of times. */
export function createCalendar(): (zone: string, unit: CalendarUnit, t: number) => number {
  const last = new Map<string, Span>();
  return (zone, unit, t) => {
    const key = `${zone}\u0000${unit}`;
    const s = last.get(key);
    if (s && t >= s.start && t < s.end) return s.start;
    const fresh = localSpan(zone, unit, t);
    last.set(key, fresh);
    return fresh.start;
  };
}

/** `2026-03-29T00:00:00.000+01:00`: the instant as the zone's wall clock with its offset. */
export function localIso(zone: string, t: number): string {
  const off = offsetAt(zone, t);
  const wall = new Date(t + off).toISOString().slice(0, 23);
  const sign = off < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(off) / 60_000);
  return `${wall}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
