/**
 * Proleptic Gregorian calendar arithmetic (days since 1970-01-01) and the EU summer-time rule
 * (Directive 2000/84/EC: summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
 * Sunday of October). Pure integer arithmetic, no Date/Intl, so results do not depend on the host's zone.
 */

/** Days since 1970-01-01 for a civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date [year, month, day] for days since 1970-01-01. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day];
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayFromDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day of month of the last Sunday of a month. */
export function lastSunday(year: number, month: number): number {
  const last = daysInMonth(year, month);
  return last - weekdayFromDays(daysFromCivil(year, month, last));
}

/** Local wall-clock fields needed to decide the offset. */
export interface LocalClockFields {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  /** COSEM clock status; bit 7 (0x80) = daylight saving active. Only used for the repeated autumn hour. */
  clockStatus?: number;
}

/**
 * Offset local − UTC in minutes for a zone that follows the EU rule with the given standard offset
 * (0 for WET, 60 for CET, 120 for EET). The repeated hour in October is resolved by clock-status bit 7
 * when present, else taken as summer time (its first occurrence).
 */
export function euZoneOffsetMinutes(local: LocalClockFields, standardOffset: number): number {
  const summer = standardOffset + 60;
  const { year, month, day, hour } = local;
  if (year === undefined || month === undefined || day === undefined) return standardOffset;
  if (month < 3 || month > 10) return standardOffset;
  if (month > 3 && month < 10) return summer;
  const switchDay = lastSunday(year, month);
  const h = hour ?? 12;
  // The switch happens at 01:00 UTC: local standard hour 1 + std/60 in March, local summer hour 1 + summer/60 in October.
  if (month === 3) {
    if (day !== switchDay) return day > switchDay ? summer : standardOffset;
    return h >= 1 + standardOffset / 60 ? summer : standardOffset;
  }
  if (day !== switchDay) return day < switchDay ? summer : standardOffset;
  const switchHour = 1 + summer / 60;
  if (h < switchHour - 1) return summer;
  if (h >= switchHour) return standardOffset;
  if (local.clockStatus !== undefined) return local.clockStatus & 0x80 ? summer : standardOffset;
  return summer;
}

/** Central European Time with EU summer time (Vienna, Berlin, Oslo, Stockholm, Copenhagen, …): 60 or 120. */
export function centralEuropeanOffsetMinutes(local: LocalClockFields): number {
  return euZoneOffsetMinutes(local, 60);
}

const WET_ZONES = ['Europe/London', 'Europe/Dublin', 'Europe/Lisbon', 'Atlantic/Canary', 'Atlantic/Faroe', 'Atlantic/Madeira'];
const EET_ZONES = ['Europe/Helsinki', 'Europe/Tallinn', 'Europe/Riga', 'Europe/Vilnius', 'Europe/Athens', 'Europe/Sofia',
  'Europe/Bucharest', 'Europe/Kyiv', 'Europe/Kiev', 'Asia/Nicosia', 'Europe/Mariehamn'];
const CET_ZONES = ['Europe/Vienna', 'Europe/Berlin', 'Europe/Oslo', 'Europe/Stockholm', 'Europe/Copenhagen',
  'Europe/Amsterdam', 'Europe/Brussels', 'Europe/Luxembourg', 'Europe/Zurich', 'Europe/Paris', 'Europe/Rome',
  'Europe/Madrid', 'Europe/Warsaw', 'Europe/Prague', 'Europe/Budapest', 'Europe/Bratislava', 'Europe/Ljubljana',
  'Europe/Zagreb', 'Europe/Belgrade', 'Europe/Sarajevo', 'Europe/Skopje', 'Europe/Podgorica', 'Europe/Tirane',
  'Europe/Malta', 'Europe/Monaco', 'Europe/Andorra', 'Europe/Vaduz', 'Europe/San_Marino', 'Europe/Vatican',
  'Europe/Gibraltar', 'Europe/Busingen', 'Arctic/Longyearbyen', 'CET'];

/** Offset function for a time zone name we can compute without Intl; undefined for zones we do not know. */
export function zoneOffsetResolver(zone: string): ((local: LocalClockFields) => number) | undefined {
  if (zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT' || zone === 'Etc/GMT') return () => 0;
  if (CET_ZONES.includes(zone)) return centralEuropeanOffsetMinutes;
  if (EET_ZONES.includes(zone)) return (local) => euZoneOffsetMinutes(local, 120);
  if (WET_ZONES.includes(zone)) return (local) => euZoneOffsetMinutes(local, 0);
  return undefined;
}
