/**
 * COSEM date-time, date and time (IEC 62056-6-2 §4.1.6.1; Blue Book class 8 "Clock").
 * date-time = year u16 (0xFFFF unspecified), month, day-of-month, day-of-week, hour, minute, second,
 * hundredths (0xFF unspecified), deviation i16 minutes (0x8000 unspecified), clock status.
 * Deviation is UTC − local (CEST = −120), so UTC = local + deviation; the vectors confirm this sign.
 */
import { MeterError } from '../errors.js';
import type { CosemDateTime } from './types.js';
import { civilFromDays, daysFromCivil, daysInMonth, type LocalClockFields } from './calendar.js';

export const COSEM_DATE_TIME_LENGTH = 12;
const DEVIATION_UNSPECIFIED = 0x8000;

function need(bytes: Uint8Array, offset: number, n: number, what: string): void {
  if (offset < 0 || offset + n > bytes.length) {
    throw new MeterError('TRUNCATED', 'dlms', `${what}: needs ${n} bytes at offset ${offset}, only ${Math.max(0, bytes.length - offset)} left`, offset);
  }
}

/** Decodes 12 date-time bytes. Does not judge plausibility (see isPlausibleCosemDateTime). */
export function decodeCosemDateTime(bytes: Uint8Array, offset = 0): CosemDateTime {
  need(bytes, offset, COSEM_DATE_TIME_LENGTH, 'date-time');
  const b = bytes, p = offset;
  const year = (b[p] << 8) | b[p + 1];
  const dev = (b[p + 9] << 8) | b[p + 10];
  const dt: CosemDateTime = {};
  if (year !== 0xffff) dt.year = year;
  if (b[p + 2] !== 0xff) dt.month = b[p + 2];
  if (b[p + 3] !== 0xff) dt.day = b[p + 3];
  if (b[p + 4] !== 0xff) dt.dayOfWeek = b[p + 4];
  if (b[p + 5] !== 0xff) dt.hour = b[p + 5];
  if (b[p + 6] !== 0xff) dt.minute = b[p + 6];
  if (b[p + 7] !== 0xff) dt.second = b[p + 7];
  if (b[p + 8] !== 0xff) dt.hundredths = b[p + 8];
  if (dev !== DEVIATION_UNSPECIFIED) dt.deviation = dev >= 0x8000 ? dev - 0x10000 : dev;
  if (b[p + 11] !== 0xff) dt.clockStatus = b[p + 11];
  return dt;
}

/** Inverse of decodeCosemDateTime: undefined fields become the "not specified" patterns. */
export function encodeCosemDateTime(dt: CosemDateTime): Uint8Array {
  const out = new Uint8Array(COSEM_DATE_TIME_LENGTH);
  const year = dt.year ?? 0xffff;
  const dev = dt.deviation === undefined ? DEVIATION_UNSPECIFIED : dt.deviation & 0xffff;
  out[0] = year >> 8; out[1] = year & 0xff;
  out[2] = dt.month ?? 0xff; out[3] = dt.day ?? 0xff; out[4] = dt.dayOfWeek ?? 0xff;
  out[5] = dt.hour ?? 0xff; out[6] = dt.minute ?? 0xff; out[7] = dt.second ?? 0xff; out[8] = dt.hundredths ?? 0xff;
  out[9] = dev >> 8; out[10] = dev & 0xff;
  out[11] = dt.clockStatus ?? 0xff;
  return out;
}

/**
 * True when 12 bytes at `offset` look like a real date-time: month 1-12 (or 0xFD/0xFE/0xFF), day 1-31 (or
 * 0xFD/0xFE/0xFF), weekday 1-7/0xFF, hour < 24, minute < 60, second < 60, hundredths < 100 (each or 0xFF),
 * deviation within ±14 h or 0x8000. Used to tell a date-time octet-string from other 12-byte strings.
 */
export function isPlausibleCosemDateTime(b: Uint8Array, offset = 0): boolean {
  const p = offset;
  if (p < 0 || p + COSEM_DATE_TIME_LENGTH > b.length) return false;
  const month = b[p + 2], day = b[p + 3], dow = b[p + 4];
  if (!((month >= 1 && month <= 12) || month >= 0xfd)) return false;
  if (!((day >= 1 && day <= 31) || day >= 0xfd)) return false;
  if (!((dow >= 1 && dow <= 7) || dow === 0xff)) return false;
  if (b[p + 5] >= 24 && b[p + 5] !== 0xff) return false;
  if (b[p + 6] >= 60 && b[p + 6] !== 0xff) return false;
  if (b[p + 7] >= 60 && b[p + 7] !== 0xff) return false;
  if (b[p + 8] >= 100 && b[p + 8] !== 0xff) return false;
  const dev = (b[p + 9] << 8) | b[p + 10];
  if (dev === DEVIATION_UNSPECIFIED) return true;
  const signed = dev >= 0x8000 ? dev - 0x10000 : dev;
  return signed >= -840 && signed <= 840;
}

/** How to get local − UTC (minutes) when the date-time carries no deviation: a fixed offset or a zone rule. */
export type TimezoneOffset = number | ((local: LocalClockFields) => number);

const P2 = (n: number): string => (n < 10 ? '0' + n : '' + n);
const P3 = (n: number): string => (n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n);
function pad4(n: number): string {
  return n < 10 ? '000' + n : n < 100 ? '00' + n : n < 1000 ? '0' + n : '' + n;
}

/** ISO 8601 UTC text ("2021-09-27T07:47:15.000Z") for milliseconds since the epoch, without Date. */
export function formatIsoUtc(ms: number): string {
  const days = Math.floor(ms / 86400000);
  let rest = ms - days * 86400000;
  const [y, mo, d] = civilFromDays(days);
  const h = Math.floor(rest / 3600000); rest -= h * 3600000;
  const mi = Math.floor(rest / 60000); rest -= mi * 60000;
  const s = Math.floor(rest / 1000);
  return pad4(y) + '-' + P2(mo) + '-' + P2(d) + 'T' + P2(h) + ':' + P2(mi) + ':' + P2(s) + '.' + P3(rest - s * 1000) + 'Z';
}

/**
 * The instant a date-time denotes, as ISO 8601 UTC. Year, month, day, hour and minute must be specified
 * (0xFD/0xFE "last day"/DST markers are not instants); unspecified seconds/hundredths count as 0.
 * Without a deviation the fallback offset (local − UTC) is used; without either → undefined.
 */
export function cosemDateTimeToIso(dt: CosemDateTime, fallbackTimezoneOffsetMinutes?: TimezoneOffset): string | undefined {
  const { year, month, day, hour, minute } = dt;
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59) return undefined;
  let utcMinusLocal: number;
  if (dt.deviation !== undefined) utcMinusLocal = dt.deviation;
  else if (typeof fallbackTimezoneOffsetMinutes === 'number') utcMinusLocal = -fallbackTimezoneOffsetMinutes;
  else if (fallbackTimezoneOffsetMinutes !== undefined) utcMinusLocal = -fallbackTimezoneOffsetMinutes(dt);
  else return undefined;
  const second = dt.second !== undefined && dt.second < 60 ? dt.second : 0;
  const hundredths = dt.hundredths !== undefined && dt.hundredths < 100 ? dt.hundredths : 0;
  const localMinutes = daysFromCivil(year, month, day) * 1440 + hour * 60 + minute;
  return formatIsoUtc((localMinutes + utcMinusLocal) * 60000 + second * 1000 + hundredths * 10);
}

/** COSEM date (5 bytes: year u16, month, day, day-of-week). */
export interface CosemDate { year?: number; month?: number; day?: number; dayOfWeek?: number }
/** COSEM time (4 bytes: hour, minute, second, hundredths). */
export interface CosemTime { hour?: number; minute?: number; second?: number; hundredths?: number }

const spec = (v: number): number | undefined => (v === 0xff ? undefined : v);

export function decodeCosemDate(bytes: Uint8Array, offset = 0): CosemDate {
  need(bytes, offset, 5, 'date');
  const year = (bytes[offset] << 8) | bytes[offset + 1];
  return { year: year === 0xffff ? undefined : year, month: spec(bytes[offset + 2]), day: spec(bytes[offset + 3]), dayOfWeek: spec(bytes[offset + 4]) };
}

export function decodeCosemTime(bytes: Uint8Array, offset = 0): CosemTime {
  need(bytes, offset, 4, 'time');
  return { hour: spec(bytes[offset]), minute: spec(bytes[offset + 1]), second: spec(bytes[offset + 2]), hundredths: spec(bytes[offset + 3]) };
}

export function encodeCosemDate(d: CosemDate): Uint8Array {
  const year = d.year ?? 0xffff;
  return Uint8Array.of(year >> 8, year & 0xff, d.month ?? 0xff, d.day ?? 0xff, d.dayOfWeek ?? 0xff);
}

export function encodeCosemTime(t: CosemTime): Uint8Array {
  return Uint8Array.of(t.hour ?? 0xff, t.minute ?? 0xff, t.second ?? 0xff, t.hundredths ?? 0xff);
}

/** "2024-05-07" ("?" for unspecified parts). */
export function formatCosemDate(d: CosemDate): string {
  const f = (v: number | undefined, w: number): string => (v === undefined ? '?'.repeat(w) : w === 4 ? pad4(v) : P2(v));
  return f(d.year, 4) + '-' + f(d.month, 2) + '-' + f(d.day, 2);
}

/** "21:11:17" ("??" for unspecified parts; hundredths appended when specified and non-zero). */
export function formatCosemTime(t: CosemTime): string {
  const f = (v: number | undefined): string => (v === undefined ? '??' : P2(v));
  const base = f(t.hour) + ':' + f(t.minute) + ':' + f(t.second);
  return t.hundredths ? base + '.' + P2(t.hundredths) : base;
}
