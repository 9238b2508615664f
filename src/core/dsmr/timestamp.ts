/**
 * DSMR P1 time stamps (DSMR 5.0.2 §6.4, type TST: `YYMMDDhhmmssX`). The time is Central European local time;
 * X = 'W' (winter, UTC+1) or 'S' (summer, UTC+2). DSMR 2.2/3.0 meters omit X, so the EU summer-time rule
 * (Directive 2000/84/EC: last Sunday of March 01:00 UTC until last Sunday of October 01:00 UTC) decides.
 * Plain arithmetic instead of Date objects: this runs a few times per telegram on the hot path.
 */
import { MeterError } from '../errors.js';

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, month: number): number {
  if (month === 2) return isLeap(y) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Two decimal digits at b[i], or -1. */
function digits2(b: Uint8Array, i: number): number {
  const hi = b[i] - 48, lo = b[i + 1] - 48;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

/** UTC milliseconds of the last Sunday of a month (1-based), 01:00 UTC: the EU switch instant. */
function lastSundaySwitch(y: number, month: number): number {
  const lastDay = Date.UTC(y, month - 1, daysInMonth(y, month));
  const weekday = (Math.floor(lastDay / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday (4)
  return lastDay - weekday * DAY_MS + HOUR_MS;
}

/** True when Central European Summer Time (UTC+2) applies at this UTC instant. */
export function isCentralEuropeanSummerTime(utcMs: number): boolean {
  const y = new Date(utcMs).getUTCFullYear();
  return utcMs >= lastSundaySwitch(y, 3) && utcMs < lastSundaySwitch(y, 10);
}

/**
 * Reads `YYMMDDhhmmss[W|S]` from the ASCII bytes b[start, end) and returns ISO 8601 UTC, or undefined when the text is not a
 * plausible time: wrong length, fields out of range, or the "no time" placeholders meters send for empty slots
 * (2000-01-01 and 1970-01-01, e.g. `000101000001W`, `700101010000W`).
 */
export function parseDsmrTimestamp(b: Uint8Array, start: number, end: number): string | undefined {
  const len = end - start;
  if (len !== 12 && len !== 13) return undefined;
  let offset = 0;
  if (len === 13) {
    const x = b[start + 12];
    if (x === 87 /* W */) offset = 1;
    else if (x === 83 /* S */) offset = 2;
    else return undefined;
  }
  const yy = digits2(b, start), mo = digits2(b, start + 2), d = digits2(b, start + 4);
  const h = digits2(b, start + 6), mi = digits2(b, start + 8), s = digits2(b, start + 10);
  if (yy < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  if (mo === 1 && d === 1 && (yy === 0 || yy === 70)) return undefined;
  const y = 2000 + yy;
  if (d > daysInMonth(y, mo)) return undefined;
  if (offset === 0) offset = isCentralEuropeanSummerTime(Date.UTC(y, mo - 1, d, h - 1, mi, s)) ? 2 : 1;
  return isoFromLocal(y, mo, d, h - offset, mi, s);
}

/** Formats a local time shifted by at most one day back (hour may be negative) as ISO UTC. */
function isoFromLocal(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  if (h < 0) {
    h += 24;
    if (--d === 0) {
      if (--mo === 0) { mo = 12; y--; }
      d = daysInMonth(y, mo);
    }
  }
  return `${y}-${PAD2[mo]}-${PAD2[d]}T${PAD2[h]}:${PAD2[mi]}:${PAD2[s]}.000Z`;
}

/** True when b[start, end) has the shape of a DSMR time stamp (12 digits, optional W/S), valid or not. */
export function looksLikeDsmrTimestamp(b: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  if (len !== 12 && len !== 13) return false;
  for (let i = start; i < start + 12; i++) {
    const c = b[i];
    if (c < 48 || c > 57) return false;
  }
  if (len === 12) return true;
  const x = b[start + 12];
  return x === 87 || x === 83;
}

/** ISO 8601 instant → `YYMMDDhhmmssW` / `…S` in Central European local time (seconds truncated). */
export function formatDsmrTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new MeterError('BAD_VALUE', 'dsmr', `not an ISO 8601 time: ${JSON.stringify(iso)}`);
  }
  const summer = isCentralEuropeanSummerTime(ms);
  const local = new Date(ms + (summer ? 2 : 1) * HOUR_MS);
  const yy = ((local.getUTCFullYear() % 100) + 100) % 100;
  return PAD2[yy] + PAD2[local.getUTCMonth() + 1] + PAD2[local.getUTCDate()] + PAD2[local.getUTCHours()] +
    PAD2[local.getUTCMinutes()] + PAD2[local.getUTCSeconds()] + (summer ? 'S' : 'W');
}
