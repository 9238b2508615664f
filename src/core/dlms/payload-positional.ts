/**
 * Notification bodies without OBIS codes (positional lists: Wiener Netze, Kärnten, Kaifa Norway): the
 * profile's PositionalLayout, chosen by the top-level element count, says which OBIS code, scaler and unit
 * each position has (IEC 62056-5-3 DataNotification body; meters publish these layouts, not the bytes).
 */
import { MeterError } from '../errors.js';
import type { QualityFlag } from '../model/message.js';
import type { PositionalLayout, Profile } from '../profiles/types.js';
import type { CosemDateTime, DlmsValue } from './types.js';
import { decodeCosemDate, decodeCosemTime } from './datetime.js';
import { applyScaler, describeValueType, isDateTimeValue, leafValue } from './payload-values.js';
import { checkLayout, describeMismatch, layoutFor } from './layout-check.js';
import { obisCodeOfText } from '../model/reading-factory.js';
import { addReading, elementIso, fieldsIso, offerMeterId, offerTimestamp, type PayloadContext } from './payload-context.js';

/** The profile's layout for this list (see layoutFor): a fitting one of its element count, else the first. */
export function findLayout(profile: Profile | undefined, items: readonly DlmsValue[]): PositionalLayout | undefined {
  return layoutFor(profile?.layouts, items)?.layout;
}

function qualityOf(scaled: boolean, profileUnit: boolean): QualityFlag[] | undefined {
  if (scaled && profileUnit) return ['scaler_assumed', 'profile_unit'];
  if (scaled) return ['scaler_assumed'];
  return profileUnit ? ['profile_unit'] : undefined;
}

/** Date and time parts of a split timestamp (Kärnten sends time and date as separate 4/5-byte strings). */
interface SplitClock { date?: Uint8Array; time?: Uint8Array }

function bytesOf(v: DlmsValue): Uint8Array | undefined {
  return v.type === 'octet-string' || v.type === 'date' || v.type === 'time' ? v.bytes : undefined;
}

function combineClock(ctx: PayloadContext, clock: SplitClock): void {
  if (clock.date?.length !== 5 || clock.time?.length !== 4) return;
  const d = decodeCosemDate(clock.date, 0), t = decodeCosemTime(clock.time, 0);
  const dt: CosemDateTime = { year: d.year, month: d.month, day: d.day, hour: t.hour, minute: t.minute, second: t.second };
  offerTimestamp(ctx, fieldsIso(ctx, dt));
}

/**
 * Reads a positional list with its layout. Throws LAYOUT_MISMATCH (naming the element) when an element's type
 * or value does not fit the layout: then no value of the list is trustworthy.
 */
export function interpretPositional(ctx: PayloadContext, items: DlmsValue[], layout: PositionalLayout,
  profile: Profile | undefined, checked = false): void {
  const mismatch = checked ? undefined : checkLayout(layout, items);
  if (mismatch) {
    throw new MeterError('LAYOUT_MISMATCH', 'profile', `the list does not fit the layout of profile ${profile?.id ?? '(given)'}: ` +
      `${describeMismatch(mismatch, items.length)}; no value of this list is delivered. If your meter sends another list, ` +
      'report it with a capture (meterwire diagnose) or pass a profile file with its layout.', mismatch.index);
  }
  const clock: SplitClock = {};
  const n = Math.min(items.length, layout.fields.length);
  for (let i = 0; i < n; i++) {
    const f = layout.fields[i], v = items[i];
    if (f.skip) continue;
    if (f.role === 'timestamp') {
      if (isDateTimeValue(v)) offerTimestamp(ctx, elementIso(ctx, v));
      continue;
    }
    if (f.role === 'date' || f.role === 'time') {
      clock[f.role] = bytesOf(v);
      continue;
    }
    const raw = leafValue(v, ctx.tz);
    if (raw === undefined) continue;
    if (f.role === 'meter-id' && typeof raw === 'string') offerMeterId(ctx, raw, 0);
    const code = obisCodeOfText(ctx.factory, f.obis);
    if (typeof raw === 'number') {
      addReading(ctx, code, applyScaler(raw, f.scaler ?? 0), f.unit, qualityOf(f.scaler !== undefined, f.unit !== undefined),
        f.scaler !== undefined ? raw : undefined);
    } else {
      addReading(ctx, code, raw, undefined, undefined);
    }
  }
  combineClock(ctx, clock);
}

/** Element types in order, runs compressed: "octet-string[6], octet-string[13], uint32 ×6, octet-string[0] ×2". */
export function describeElements(items: DlmsValue[]): string {
  const parts: string[] = [];
  let prev = '', run = 0;
  const flush = (): void => { if (run) parts.push(run > 1 ? `${prev} ×${run}` : prev); };
  for (const it of items) {
    const d = describeValueType(it);
    if (d === prev) { run++; continue; }
    flush();
    prev = d; run = 1;
  }
  flush();
  return parts.join(', ');
}

export function unknownLayoutError(body: DlmsValue, profile: Profile | undefined): MeterError {
  const items = body.type === 'structure' || body.type === 'array' ? body.items : [body];
  const what = body.type === 'structure' || body.type === 'array'
    ? `a ${body.type} of ${items.length} elements without OBIS codes (${describeElements(items)})`
    : `a single ${describeValueType(body)} without OBIS code`;
  const known = profile?.layouts?.map((l) => l.elements).join(', ');
  const hint = profile
    ? `profile ${profile.id} has no layout for ${items.length} elements${known ? ` (it has: ${known})` : ''}`
    : 'pass --profile <id> (see `meterwire profiles`) or a profile file with a positional layout';
  return new MeterError('UNKNOWN_LAYOUT', 'dlms', `the notification body is ${what}: this meter sends a positional list; ${hint}`);
}
