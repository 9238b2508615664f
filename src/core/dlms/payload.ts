/**
 * Data-notification body → readings (IEC 62056-5-3 DataNotification; Blue Book class 3 scaler_unit,
 * class 8 clock). Recognises OBIS-tagged bodies without a profile (flat EVN/L+G/Kamstrup lists, structure
 * per object as Kaifa/Iskra/Aidon send), self-describing pushes (the push object list first, payload-described.ts)
 * and reads positional lists with the profile's layout.
 */
import type { MessageIssue, RawReading } from '../model/message.js';
import type { PositionalLayout, Profile } from '../profiles/types.js';
import type { CosemDateTime, DlmsValue } from './types.js';
import type { TimezoneOffset } from './datetime.js';
import { createReadingFactory, type ReadingFactory } from '../model/reading-factory.js';
import { createContext, fieldsIso, noteRawRegisters, offerTimestamp, type PayloadContext } from './payload-context.js';
import { interpretObisList } from './payload-obis.js';
import { findLayout, interpretPositional, unknownLayoutError } from './payload-positional.js';
import { describedObjects, interpretDescribed } from './payload-described.js';

export interface InterpretOptions {
  /** Positional layouts, scaler overrides and the time zone of the meter. */
  profile?: Profile;
  /** Local − UTC minutes (or a rule) for date-times without deviation; overrides profile.timezone. */
  timezoneOffset?: TimezoneOffset;
  /** The date-time of the notification header (decodeDataNotification().dateTime): the message timestamp. */
  headerDateTime?: CosemDateTime;
  /** Builds the readings; a named one makes final Readings. Default: a fresh unnamed factory (RawReadings). */
  factory?: ReadingFactory;
  /** A layout already checked against this very body (by profile selection): not checked again. */
  fitted?: PositionalLayout;
}

export type PayloadLayout = 'obis-structures' | 'obis-flat' | 'positional' | 'self-describing';

export interface InterpretedNotification {
  readings: RawReading[];
  /** ISO 8601 UTC: the header date-time, else the first clock/date-time in the body. */
  timestamp?: string;
  meterId?: string;
  /** obis-flat: OBIS codes are bare elements of the list; obis-structures: one structure per object. */
  layout: PayloadLayout;
  issues: MessageIssue[];
}

function finish(ctx: PayloadContext, layout: PayloadLayout): InterpretedNotification {
  noteRawRegisters(ctx);
  const out: InterpretedNotification = { readings: ctx.readings, layout, issues: ctx.issues };
  if (ctx.timestamp !== undefined) out.timestamp = ctx.timestamp;
  if (ctx.meterId !== undefined) out.meterId = ctx.meterId;
  return out;
}

function reset(ctx: PayloadContext, timestamp: string | undefined): void {
  ctx.readings.length = 0;
  ctx.rawRegisters = 0;
  ctx.timestamp = timestamp;
  ctx.meterId = undefined;
  ctx.meterIdRank = 99;
}

/**
 * Turns a notification body into readings. Throws MeterError UNKNOWN_LAYOUT when the body carries no OBIS
 * codes and the profile has no layout for its element count.
 */
export function interpretNotification(body: DlmsValue, options: InterpretOptions = {}): InterpretedNotification {
  const { profile } = options;
  const ctx = createContext(profile, options.timezoneOffset, options.factory ?? createReadingFactory(false));
  if (options.headerDateTime) offerTimestamp(ctx, fieldsIso(ctx, options.headerDateTime));
  const headerTimestamp = ctx.timestamp;
  const items = body.type === 'structure' || body.type === 'array' ? body.items : undefined;
  if (items === undefined) throw unknownLayoutError(body, profile);
  if (items.length === 0) {
    ctx.issues.push({ code: 'EMPTY_BODY', message: `the notification body is an empty ${body.type}` });
    return finish(ctx, 'obis-structures');
  }
  const described = describedObjects(items);
  if (described) {
    interpretDescribed(ctx, items, described);
    return finish(ctx, 'self-describing');
  }
  const layout = options.fitted ?? findLayout(profile, items);
  if (layout && profile?.payload === 'positional') {
    interpretPositional(ctx, items, layout, profile, layout === options.fitted);
    return finish(ctx, 'positional');
  }
  const issuesBefore = ctx.issues.length;
  const tzAssumed = ctx.tzAssumed;
  const shape = interpretObisList(ctx, items);
  if (shape !== undefined) return finish(ctx, shape);
  reset(ctx, headerTimestamp);
  ctx.issues.length = issuesBefore;
  ctx.tzAssumed = tzAssumed;
  if (layout === undefined) throw unknownLayoutError(body, profile);
  interpretPositional(ctx, items, layout, profile);
  return finish(ctx, 'positional');
}
