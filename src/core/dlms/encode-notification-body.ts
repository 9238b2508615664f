/**
 * Builds data-notification bodies (IEC 62056-5-3 DataNotification, values as IEC 62056-6-2 A-XDR Data with
 * Blue Book class 3 scaler_unit) in the shapes real meters push, for fixtures and the meter simulator.
 * interpretNotification(buildNotificationBody(shape, readings)) gives the readings back.
 */
import { MeterError } from '../errors.js';
import { parseObis } from '../obis/obis.js';
import { dlmsUnitCode } from '../obis/units.js';
import { encodeCosemDate, encodeCosemDateTime, encodeCosemTime } from './datetime.js';
import { unapplyScaler } from './payload-values.js';
import { DataTag, type CosemDateTime, type DlmsValue } from './types.js';
import type { PositionalField, PositionalLayout } from '../profiles/types.js';

export type BodyShape = 'obis-structures-flat' | 'obis-structures' | 'obis-array' | 'obis-flat' | 'positional';

export interface BodyReading {
  obis: string;
  value: number | string;
  scaler?: number;
  unit?: string;
  type?: EncodedType;
}

export type EncodedType = 'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64' | 'enum' | 'bool' | 'octets' | 'visible';

export interface BodyOptions {
  /** Clock value: first element (flat shapes) or a {0-0:1.0.0, date-time} object (structure shapes). */
  dateTime?: CosemDateTime;
  /** Device id 1 (0-0:96.1.0): a trailing bare octet-string (EVN) or an object in the other shapes. */
  meterNumber?: string;
  /** Required for 'positional'. */
  layout?: PositionalLayout;
}

const INT_TAGS = {
  u8: DataTag.Uint8, u16: DataTag.Uint16, u32: DataTag.Uint32, u64: DataTag.Uint64,
  i8: DataTag.Int8, i16: DataTag.Int16, i32: DataTag.Int32, i64: DataTag.Int64,
} as const;

/** Field type names of profiles (profiles/field-types.ts) that say how to encode a value. */
const ENCODING_OF: Readonly<Record<string, EncodedType>> = {
  uint8: 'u8', uint16: 'u16', uint32: 'u32', uint64: 'u64', int8: 'i8', int16: 'i16', int32: 'i32', int64: 'i64',
  enum: 'enum', boolean: 'bool', 'visible-string': 'visible', 'octet-string': 'octets', text: 'octets',
};

/** How to encode a positional field: the first of its declared types that names an encoding. */
function encodingOf(f: PositionalField): EncodedType | undefined {
  const types = f.type === undefined ? [] : typeof f.type === 'string' ? [f.type] : f.type;
  for (const t of types) {
    const e = ENCODING_OF[t.replace(/\[\d+\]$/, '')];
    if (e !== undefined) return e;
  }
  return undefined;
}

const octets = (bytes: Uint8Array): DlmsValue => ({ type: 'octet-string', bytes });
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
const obisValue = (obis: string): DlmsValue => octets(Uint8Array.from(parseObis(obis)));
const struct = (...items: DlmsValue[]): DlmsValue => ({ type: 'structure', items });

function bad(message: string): never {
  throw new MeterError('BAD_VALUE', 'dlms', message);
}

/** The A-XDR value of a reading: integers unscaled by `scaler`, strings as octet- or visible-string. */
export function readingValue(r: BodyReading, scaler = r.scaler ?? 0, visibleByDefault = false): DlmsValue {
  if (typeof r.value === 'string') {
    if (r.type === 'visible' || (r.type === undefined && visibleByDefault)) return { type: 'visible-string', value: r.value };
    return octets(ascii(r.value));
  }
  if (r.type === 'octets' || r.type === 'visible') bad(`${r.obis}: numeric value with string type ${r.type}`);
  const raw = unapplyScaler(r.value, scaler);
  if (!Number.isSafeInteger(raw)) bad(`${r.obis}: ${r.value} × 10^${-scaler} is not an integer`);
  if (r.type === 'enum') return { type: 'enum', value: raw & 0xff };
  if (r.type === 'bool') return { type: 'boolean', value: raw !== 0 };
  const tag = r.type !== undefined ? INT_TAGS[r.type as keyof typeof INT_TAGS]
    : raw < 0 ? DataTag.Int32 : raw > 0xffffffff ? DataTag.Uint64 : DataTag.Uint32;
  return { type: 'integer', tag, value: raw };
}

function scalerUnit(r: BodyReading): DlmsValue {
  return struct({ type: 'integer', tag: DataTag.Int8, value: r.scaler ?? 0 }, { type: 'enum', value: dlmsUnitCode(r.unit) });
}

function objectOf(r: BodyReading, visible: boolean): DlmsValue {
  const v = readingValue(r, r.scaler ?? 0, visible);
  return typeof r.value === 'string' ? struct(obisValue(r.obis), v) : struct(obisValue(r.obis), v, scalerUnit(r));
}

function withIdentity(readings: BodyReading[], options: BodyOptions): BodyReading[] {
  return options.meterNumber === undefined ? readings : [{ obis: '0-0:96.1.0', value: options.meterNumber }, ...readings];
}

function clockOf(options: BodyOptions): CosemDateTime {
  return options.dateTime ?? bad('the layout has a timestamp/date/time field: pass options.dateTime');
}

/**
 * A field the reader skips, as meters fill it: a 6-byte octet-string is the logical name of the field's own code
 * (the push-setup name Kärnten meters lead with), other sized strings are zero-filled, numbers 0, the rest empty.
 */
function skipped(f: PositionalField): DlmsValue {
  const types = f.type === undefined ? [] : typeof f.type === 'string' ? [f.type] : f.type;
  const size = types.map((t) => /^octet-string\[(\d+)\]$/.exec(t)).find((m) => m !== null);
  if (size) return Number(size[1]) === 6 ? obisValue(f.obis) : octets(new Uint8Array(Number(size[1])));
  const type = encodingOf(f);
  return type !== undefined && type !== 'octets' && type !== 'visible' ? readingValue({ obis: f.obis, value: 0, type })
    : octets(new Uint8Array(0));
}

function positional(readings: BodyReading[], options: BodyOptions): DlmsValue {
  const layout = options.layout ?? bad("shape 'positional' needs options.layout");
  if (layout.fields.length !== layout.elements) bad(`layout for ${layout.elements} elements has ${layout.fields.length} fields`);
  const items = layout.fields.map((f): DlmsValue => {
    if (f.skip) return skipped(f);
    if (f.role === 'timestamp') return octets(encodeCosemDateTime(clockOf(options)));
    if (f.role === 'date') return octets(encodeCosemDate(clockOf(options)));
    if (f.role === 'time') return octets(encodeCosemTime(clockOf(options)));
    if (f.role === 'meter-id' && options.meterNumber !== undefined) return octets(ascii(options.meterNumber));
    const r = readings.find((x) => x.obis === f.obis) ?? bad(`no reading for positional field ${f.obis}`);
    const type = encodingOf(f);
    return readingValue(type === undefined ? r : { ...r, type }, f.scaler ?? 0);
  });
  return struct(...items);
}

/**
 * Builds a notification body. Shapes: 'obis-structures-flat' (EVN: [date-time, OBIS, value, {scaler, unit}, …,
 * meter number]), 'obis-structures' (Kaifa AT: structure of {OBIS, value[, {scaler, unit}]}), 'obis-array'
 * (Aidon: array of the same, strings as visible-string), 'obis-flat' (L+G, Kamstrup: [date-time, OBIS, raw
 * value, …]; the reader needs the profile's scalers), 'positional' (values in options.layout order).
 */
export function buildNotificationBody(shape: BodyShape, readings: BodyReading[], options: BodyOptions = {}): DlmsValue {
  const dt = options.dateTime ? octets(encodeCosemDateTime(options.dateTime)) : undefined;
  switch (shape) {
    case 'obis-structures-flat': {
      const items: DlmsValue[] = dt ? [dt] : [];
      for (const r of readings) {
        items.push(obisValue(r.obis), readingValue(r));
        if (typeof r.value === 'number') items.push(scalerUnit(r));
      }
      if (options.meterNumber !== undefined) items.push(octets(ascii(options.meterNumber)));
      return struct(...items);
    }
    case 'obis-structures': case 'obis-array': {
      const items: DlmsValue[] = dt ? [struct(obisValue('0-0:1.0.0'), dt)] : [];
      for (const r of withIdentity(readings, options)) items.push(objectOf(r, shape === 'obis-array'));
      return shape === 'obis-array' ? { type: 'array', items } : struct(...items);
    }
    case 'obis-flat': {
      const items: DlmsValue[] = dt ? [dt] : [];
      for (const r of withIdentity(readings, options)) items.push(obisValue(r.obis), readingValue(r));
      return struct(...items);
    }
    case 'positional': return positional(readings, options);
  }
}
