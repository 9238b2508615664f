/**
 * Shared state while one notification body is turned into readings (IEC 62056-5-3 DataNotification body,
 * Blue Book register/clock objects): collected readings, the message timestamp, the meter id and issues.
 */
import type { MessageIssue, QualityFlag, RawReading, ReadingValue } from '../model/message.js';
import { makeReading, type ObisCode, type ReadingFactory } from '../model/reading-factory.js';
import type { Profile } from '../profiles/types.js';
import type { CosemDateTime, DlmsValue } from './types.js';
import { cosemDateTimeToIso, type TimezoneOffset } from './datetime.js';
import { centralEuropeanOffsetMinutes, zoneOffsetResolver } from './calendar.js';
import { dateTimeIso, needsTimezone } from './payload-values.js';

export interface PayloadContext {
  /** Interns codes and builds the readings (named Readings when the decoder's factory is named). */
  factory: ReadingFactory;
  readings: RawReading[];
  issues: MessageIssue[];
  timestamp: string | undefined;
  meterId: string | undefined;
  meterIdRank: number;
  tz: TimezoneOffset;
  /** Set when no zone was given: Central European time is assumed (reported once as an issue). */
  tzAssumed: string | undefined;
  scalers: Profile['scalers'] | undefined;
  /** Register values (energy, power, voltage…) that came without scaler and unit, and no profile gave one. */
  rawRegisters: number;
}

export function createContext(profile: Profile | undefined, timezoneOffset: TimezoneOffset | undefined,
  factory: ReadingFactory): PayloadContext {
  let tz: TimezoneOffset | undefined = timezoneOffset;
  let tzAssumed: string | undefined;
  if (tz === undefined && profile?.timezone) {
    tz = zoneOffsetResolver(profile.timezone);
    if (tz === undefined) tzAssumed = `time zone ${profile.timezone} of profile ${profile.id} is not supported`;
  } else if (tz === undefined) {
    tzAssumed = 'no profile or time zone given';
  }
  return {
    factory, readings: [], issues: [], timestamp: undefined, meterId: undefined, meterIdRank: 99,
    tz: tz ?? centralEuropeanOffsetMinutes, tzAssumed, scalers: profile?.scalers, rawRegisters: 0,
  };
}

function noteTimezone(ctx: PayloadContext): void {
  if (ctx.tzAssumed === undefined) return;
  ctx.issues.push({
    code: 'TIMEZONE_ASSUMED',
    message: `a date-time without UTC deviation was read as Central European time (${ctx.tzAssumed}); pass a profile or time zone`,
  });
  ctx.tzAssumed = undefined;
}

/** ISO text of a date-time element, reporting once when the zone had to be assumed. */
export function elementIso(ctx: PayloadContext, v: DlmsValue): string | undefined {
  if (ctx.tzAssumed !== undefined && needsTimezone(v)) noteTimezone(ctx);
  return dateTimeIso(v, ctx.tz);
}

export function fieldsIso(ctx: PayloadContext, dt: CosemDateTime): string | undefined {
  if (ctx.tzAssumed !== undefined && dt.deviation === undefined) noteTimezone(ctx);
  return cosemDateTimeToIso(dt, ctx.tz);
}

/** The first date-time seen (header, clock object, positional timestamp) is the message timestamp. */
export function offerTimestamp(ctx: PayloadContext, iso: string | undefined): void {
  if (ctx.timestamp === undefined && iso !== undefined) ctx.timestamp = iso;
}

export function addReading(ctx: PayloadContext, code: ObisCode, value: ReadingValue, unit: string | undefined,
  quality: readonly QualityFlag[] | undefined, raw?: number): void {
  ctx.readings.push(makeReading(ctx.factory, code, value, unit, undefined, quality, raw, undefined));
}

/** Meter id candidates by OBIS C.D.E, best first: 96.1.0 device id 1, 0.0.5 (Kamstrup), 96.1.1, 42.0.0 logical name. */
export function offerMeterIdByObis(ctx: PayloadContext, b: Uint8Array, value: ReadingValue): void {
  if (typeof value !== 'string' || value === '') return;
  let rank = 99;
  if (b[2] === 96 && b[3] === 1 && b[4] === 0) rank = 0;
  else if (b[2] === 0 && b[3] === 0 && b[4] === 5) rank = 1;
  else if (b[2] === 96 && b[3] === 1 && b[4] === 1) rank = 2;
  else if (b[2] === 42 && b[3] === 0 && b[4] === 0) rank = 3;
  offerMeterId(ctx, value, rank);
}

export function offerMeterId(ctx: PayloadContext, value: string, rank: number): void {
  if (rank < ctx.meterIdRank) { ctx.meterId = value; ctx.meterIdRank = rank; }
}

/** One issue for all register values that are the meter's raw integers: no scaler, no unit, nothing to judge them by. */
export function noteRawRegisters(ctx: PayloadContext): void {
  if (ctx.rawRegisters === 0) return;
  addIssue(ctx, 'SCALER_UNKNOWN', `${ctx.rawRegisters} register value(s) are the meter's raw integers without unit: the meter ` +
    'sends no scaler and no profile gives one (pass --profile for this meter, or a profile file with its scalers)');
  ctx.rawRegisters = 0;
}

export function addIssue(ctx: PayloadContext, code: string, message: string): void {
  ctx.issues.push({ code, message });
}
