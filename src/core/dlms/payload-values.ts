/**
 * Turning single COSEM Data values into reading values: OBIS recognition (IEC 62056-61 value groups as a
 * 6-byte octet-string), Blue Book class 3 scaler_unit ({integer scaler, enum unit}), value × 10^scaler without
 * binary-float noise, and text for strings (printable ASCII → text, else hex; date-time octet-strings → ISO).
 */
import { bytesToHex } from '../bytes/hex.js';
import { formatObis } from '../obis/obis.js';
import type { ReadingValue } from '../model/message.js';
import { DataTag, type DlmsValue } from './types.js';
import {
  cosemDateTimeToIso, decodeCosemDate, decodeCosemDateTime, decodeCosemTime, formatCosemDate, formatCosemTime,
  isPlausibleCosemDateTime, type TimezoneOffset,
} from './datetime.js';

const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** True for a 6-byte octet-string that can be an OBIS code (value group A ≤ 15; text never qualifies). */
export function isObisValue(v: DlmsValue): v is { type: 'octet-string'; bytes: Uint8Array } {
  return v.type === 'octet-string' && v.bytes.length === 6 && v.bytes[0] <= 15;
}

/** OBIS text `A-B:C.D.E` (`.F` appended when F ≠ 255) of a 6-byte logical name. */
export const obisText = (b: Uint8Array): string => formatObis(b, 0);

export interface ScalerUnit { scaler: number; unit: number }

/** The {scaler, unit} structure of a register's scaler_unit attribute, or undefined when `v` is not one. */
export function scalerUnitOf(v: DlmsValue | undefined): ScalerUnit | undefined {
  if (v === undefined || v.type !== 'structure' || v.items.length !== 2) return undefined;
  const s = v.items[0], u = v.items[1];
  if (s.type !== 'integer' || typeof s.value !== 'number' || s.value < -128 || s.value > 127) return undefined;
  if (u.type === 'enum') return { scaler: s.value, unit: u.value };
  if (u.type === 'integer' && u.tag === DataTag.Uint8) return { scaler: s.value, unit: u.value as number };
  return undefined;
}

/** value × 10^scaler; negative scalers divide by the exact power of ten, so 2337 × 10^-1 is exactly 233.7. */
export function applyScaler(value: number, scaler: number): number {
  if (scaler === 0) return value;
  if (scaler > 0) return scaler < POW10.length ? value * POW10[scaler] : value * 10 ** scaler;
  return -scaler < POW10.length ? value / POW10[-scaler] : value / 10 ** -scaler;
}

/** The raw integer for a scaled value (the encoder's inverse of applyScaler). */
export function unapplyScaler(value: number, scaler: number): number {
  if (scaler === 0) return value;
  return scaler < 0 ? Math.round(value * 10 ** -scaler) : Math.round(value / 10 ** scaler);
}

function isPrintable(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] < 0x20 || b[i] > 0x7e) return false;
  return true;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Text of an octet-string value: printable ASCII as text, anything else as lowercase hex. */
export function octetText(b: Uint8Array): string {
  return isPrintable(b) ? latin1(b) : bytesToHex(b);
}

/** The date-time an element carries (a 12-byte plausible octet-string or a 0x19 date-time), as ISO UTC. */
export function dateTimeIso(v: DlmsValue, tz: TimezoneOffset): string | undefined {
  if (v.type === 'date-time') return cosemDateTimeToIso(v.value, tz);
  if (v.type === 'octet-string' && v.bytes.length === 12 && isPlausibleCosemDateTime(v.bytes, 0)) {
    return cosemDateTimeToIso(decodeCosemDateTime(v.bytes, 0), tz);
  }
  return undefined;
}

/** True when the element is a date-time (typed, or a plausible 12-byte octet-string). */
export function isDateTimeValue(v: DlmsValue): boolean {
  return v.type === 'date-time' || (v.type === 'octet-string' && v.bytes.length === 12 && isPlausibleCosemDateTime(v.bytes, 0));
}

/** True when a date-time element lacks the deviation, i.e. converting it needs the time zone. */
export function needsTimezone(v: DlmsValue): boolean {
  if (v.type === 'date-time') return v.value.deviation === undefined;
  return v.type === 'octet-string' && v.bytes.length === 12 && v.bytes[9] === 0x80 && v.bytes[10] === 0;
}

/**
 * Reading value of a leaf element (unscaled), or undefined for null and nested containers.
 * Integers beyond 2^53 come back as decimal strings.
 */
export function leafValue(v: DlmsValue, tz: TimezoneOffset): ReadingValue | undefined {
  switch (v.type) {
    case 'integer': return typeof v.value === 'number' ? v.value : v.value.toString();
    case 'octet-string':
      if (v.bytes.length === 12 && isPlausibleCosemDateTime(v.bytes, 0)) {
        return cosemDateTimeToIso(decodeCosemDateTime(v.bytes, 0), tz) ?? bytesToHex(v.bytes);
      }
      return octetText(v.bytes);
    case 'enum': case 'bcd': case 'float': return v.value;
    case 'visible-string': case 'utf8-string': return v.value;
    case 'boolean': return v.value ? 1 : 0;
    case 'date-time': return cosemDateTimeToIso(v.value, tz) ?? bytesToHex(v.bytes);
    case 'date': return formatCosemDate(decodeCosemDate(v.bytes, 0));
    case 'time': return formatCosemTime(decodeCosemTime(v.bytes, 0));
    case 'bit-string': return bytesToHex(v.bytes);
    default: return undefined;
  }
}

/** Short type name for messages: "uint32", "octet-string[13]", "structure(3)". */
export { describeType as describeValueType } from './value-types.js';
