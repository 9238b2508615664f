/**
 * Notification bodies that carry OBIS codes (IEC 62056-6-1 logical names as 6-byte octet-strings):
 * - flat: [date-time | list-version]?, OBIS, value, {scaler, unit}?, …, [meter number]? (EVN, L+G, Kamstrup)
 * - structures: {OBIS, value[, {scaler, unit}]} per object, in a structure or array (Kaifa AT, Iskra, Aidon).
 * Register values get Blue Book class 3 scaling; where the meter sends no scaler the profile's is applied.
 */
import type { QualityFlag } from '../model/message.js';
import { obisCodeOfBytes, obisCodeOfText, type ObisCode } from '../model/reading-factory.js';
import type { Quantity } from '../obis/registry-types.js';
import { plausibleRange } from '../obis/plausibility.js';
import { checkValue, describeVerdict, quantityOfCode } from '../model/value-check.js';
import { dlmsUnitText } from '../obis/units.js';
import type { DlmsValue } from './types.js';
import { applyScaler, isDateTimeValue, isObisValue, leafValue, octetText, scalerUnitOf, type ScalerUnit } from './payload-values.js';
import { describeType } from './value-types.js';
import { addIssue, addReading, elementIso, offerMeterId, offerMeterIdByObis, offerTimestamp, type PayloadContext } from './payload-context.js';

const SCALER_ASSUMED: QualityFlag[] = ['scaler_assumed'];
const SCALER_AND_UNIT_ASSUMED: QualityFlag[] = ['scaler_assumed', 'profile_unit'];
const IMPLAUSIBLE: QualityFlag[] = ['implausible'];

/** OBIS used for a bare list-version string at the head of a flat list (Aidon labels it 1-1:0.2.129). */
export const LIST_VERSION_OBIS = '1-1:0.2.129';
/** OBIS used for the bare meter number at the end of an EVN list. */
export const DEVICE_ID_OBIS = '0-0:96.1.0';

const plausibleRangeBase = (q: Quantity): string | undefined => plausibleRange(q)?.base;

function isClock(b: Uint8Array): boolean {
  return b[0] === 0 && b[2] === 1 && b[3] === 0 && b[4] === 0;
}

/** A number reading, flagged `implausible` (with an issue) when it cannot be its quantity. */
function addNumber(ctx: PayloadContext, code: ObisCode, value: number, unit: string | undefined,
  quality: readonly QualityFlag[] | undefined, raw?: number): void {
  if (checkValue(code, value, unit) === 'implausible') {
    ctx.issues.push(describeVerdict(code, 'implausible', value, unit));
    quality = quality === undefined ? IMPLAUSIBLE : [...quality, 'implausible'];
  }
  addReading(ctx, code, value, unit, quality, raw);
}

/** One OBIS-tagged object: value, optional scaler_unit. */
export function addObisReading(ctx: PayloadContext, ob: Uint8Array, value: DlmsValue, s: ScalerUnit | undefined): void {
  const code = obisCodeOfBytes(ctx.factory, ob);
  if (isClock(ob) && isDateTimeValue(value)) {
    const iso = elementIso(ctx, value);
    offerTimestamp(ctx, iso);
    if (iso !== undefined) addReading(ctx, code, iso, undefined, undefined);
    return;
  }
  const raw = leafValue(value, ctx.tz);
  if (raw === undefined) {
    if (value.type !== 'null') addIssue(ctx, 'NESTED_VALUE', `${code.obis}: value is a ${value.type}, not read`);
    return;
  }
  if (typeof raw !== 'number') {
    if (checkValue(code, raw, undefined) === 'not-a-number') {
      const what = value.type === 'integer' ? `a ${describeType(value)} beyond 2^53 (${raw})` : `a ${describeType(value)}`;
      ctx.issues.push(describeVerdict(code, 'not-a-number', raw, undefined, what));
      return;
    }
    addReading(ctx, code, raw, undefined, undefined);
    offerMeterIdByObis(ctx, ob, raw);
    return;
  }
  if (!Number.isFinite(raw)) {
    addIssue(ctx, 'NON_FINITE_VALUE', `${code.obis}: the meter sent ${raw}: value not read`);
    return;
  }
  // The meter's own scaler_unit wins; the profile's applies only where the meter sends none.
  const assumed = s === undefined ? ctx.scalers?.[code.obis] : undefined;
  if (assumed !== undefined) {
    addNumber(ctx, code, applyScaler(raw, assumed.scaler), assumed.unit,
      assumed.unit !== undefined ? SCALER_AND_UNIT_ASSUMED : SCALER_ASSUMED, raw);
  } else if (s === undefined) {
    if (plausibleRangeBase(quantityOfCode(code)) !== undefined) ctx.rawRegisters++;
    addNumber(ctx, code, raw, undefined, undefined);
  } else {
    addNumber(ctx, code, applyScaler(raw, s.scaler), dlmsUnitText(s.unit), undefined);
  }
}

function isTextValue(v: DlmsValue): boolean {
  return v.type === 'visible-string' || v.type === 'utf8-string' || (v.type === 'octet-string' && !isObisValue(v));
}

function textOf(v: DlmsValue): string {
  if (v.type === 'octet-string') return octetText(v.bytes);
  return v.type === 'visible-string' || v.type === 'utf8-string' ? v.value : '';
}

/**
 * Reads a list of OBIS-tagged objects into ctx. Returns the layout name, or undefined (ctx untouched but for
 * issues) when the list is not OBIS-tagged and must be positional.
 */
export function interpretObisList(ctx: PayloadContext, items: DlmsValue[]): 'obis-flat' | 'obis-structures' | undefined {
  const n = items.length;
  let flat = false, structs = false;
  let i = 0;
  while (i < n) {
    const it = items[i];
    if (isObisValue(it) && i + 1 < n) {
      const su = scalerUnitOf(items[i + 2]);
      addObisReading(ctx, it.bytes, items[i + 1], su);
      i += su === undefined ? 2 : 3;
      flat = true;
    } else if (it.type === 'structure' && it.items.length >= 2 && isObisValue(it.items[0])) {
      addObisReading(ctx, it.items[0].bytes, it.items[1], scalerUnitOf(it.items[2]));
      i++;
      structs = true;
    } else if (i === 0 && isDateTimeValue(it)) {
      if (ctx.timestamp === undefined) offerTimestamp(ctx, elementIso(ctx, it));
      i++;
    } else if (i === 0 && isTextValue(it)) {
      addReading(ctx, obisCodeOfText(ctx.factory, LIST_VERSION_OBIS), textOf(it), undefined, undefined);
      i++;
    } else if (it.type === 'null' && i > 0) {
      // Kamstrup single-phase meters send null-data in place of the {OBIS, value} pairs of absent phases.
      i++;
    } else if (i === n - 1 && flat && isTextValue(it)) {
      const id = textOf(it);
      addReading(ctx, obisCodeOfText(ctx.factory, DEVICE_ID_OBIS), id, undefined, undefined);
      offerMeterId(ctx, id, 0);
      i++;
    } else {
      return undefined;
    }
  }
  if (!flat && !structs) return undefined;
  return structs ? 'obis-structures' : 'obis-flat';
}
