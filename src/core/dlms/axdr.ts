/**
 * A-XDR decoding of the COSEM "Data" CHOICE (IEC 62056-6-2 §4.1.5, encoding rules of IEC 61334-6 A-XDR as
 * used by IEC 62056-5-3). Hot path: plain index arithmetic over the input, one cursor object per call.
 * Decoded octet-strings, date-times, bit-strings, dates and times are views into the input (no copies).
 */
import { MeterError } from '../errors.js';
import { DataTag, DEFAULT_AXDR_LIMITS, type AxdrLimits, type DlmsValue, type IntegerTag } from './types.js';
import { decodeCosemDateTime } from './datetime.js';
import { describeDataTag } from './data-tags.js';
import { built, createCursor, enter, need, readCount, readLength, readStringLength, truncated, type Cursor } from './axdr-cursor.js';
import { readCompactArray } from './axdr-compact.js';

const TWO_32 = 4294967296;

function readLatin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

const utf8 = new TextDecoder('utf-8');

function readInteger(c: Cursor, tag: IntegerTag): DlmsValue {
  const b = c.b;
  const p = c.p;
  switch (tag) {
    case 0x0f /* Int8 */: need(c, 1, 'integer'); c.p = p + 1; return { type: 'integer', tag, value: (b[p] << 24) >> 24 };
    case 0x11 /* Uint8 */: need(c, 1, 'unsigned'); c.p = p + 1; return { type: 'integer', tag, value: b[p] };
    case 0x10 /* Int16 */: need(c, 2, 'long'); c.p = p + 2; return { type: 'integer', tag, value: ((b[p] << 24) | (b[p + 1] << 16)) >> 16 };
    case 0x12 /* Uint16 */: need(c, 2, 'long-unsigned'); c.p = p + 2; return { type: 'integer', tag, value: (b[p] << 8) | b[p + 1] };
    case 0x05 /* Int32 */:
      need(c, 4, 'double-long'); c.p = p + 4;
      return { type: 'integer', tag, value: (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3] };
    case 0x06 /* Uint32 */:
      need(c, 4, 'double-long-unsigned'); c.p = p + 4;
      return { type: 'integer', tag, value: ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) };
    default: return readInteger64(c, tag);
  }
}

function readInteger64(c: Cursor, tag: IntegerTag): DlmsValue {
  need(c, 8, tag === DataTag.Int64 ? 'long64' : 'long64-unsigned');
  const b = c.b, p = c.p;
  c.p = p + 8;
  const hiU = ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  const lo = ((b[p + 4] << 24) >>> 0) + ((b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]);
  const hi = tag === DataTag.Int64 ? hiU | 0 : hiU;
  if (hi >= -0x200000 && hi < 0x200000) {
    const v = hi * TWO_32 + lo;
    if (Number.isSafeInteger(v)) return { type: 'integer', tag, value: v };
  }
  const big = (BigInt(hiU) << 32n) | BigInt(lo);
  return { type: 'integer', tag, value: tag === DataTag.Int64 ? BigInt.asIntN(64, big) : big };
}

function readFloat(c: Cursor, tag: DataTag.Float32 | DataTag.Float64): DlmsValue {
  const n = tag === DataTag.Float32 ? 4 : 8;
  need(c, n, tag === DataTag.Float32 ? 'float32' : 'float64');
  const view = new DataView(c.b.buffer, c.b.byteOffset + c.p, n);
  c.p += n;
  return { type: 'float', tag, value: n === 4 ? view.getFloat32(0) : view.getFloat64(0) };
}

function fixed(c: Cursor, n: number, what: string): Uint8Array {
  need(c, n, what);
  const v = c.b.subarray(c.p, c.p + n);
  c.p += n;
  return v;
}

/** Decodes the body of a Data element whose tag is already consumed (also used for compact-array contents). */
function readBody(c: Cursor, tag: number, depth: number, tagAt: number): DlmsValue {
  built(c);
  const b = c.b;
  switch (tag) {
    case 0x09 /* OctetString */: {
      const len = readStringLength(c, 'octet-string');
      const v = b.subarray(c.p, c.p + len);
      c.p += len;
      return { type: 'octet-string', bytes: v };
    }
    case 0x06 /* Uint32 */: case 0x12 /* Uint16 */: case 0x0f /* Int8 */: case 0x10 /* Int16 */: case 0x05 /* Int32 */:
    case 0x11 /* Uint8 */: case 0x14 /* Int64 */: case 0x15 /* Uint64 */:
      return readInteger(c, tag);
    case 0x02 /* Structure */: case 0x01 /* Array */: return readContainer(c, tag, depth);
    case 0x16 /* Enum */: need(c, 1, 'enum'); return { type: 'enum', value: b[c.p++] };
    case 0x00 /* Null */: return { type: 'null' };
    case 0x03 /* Boolean */: need(c, 1, 'boolean'); return { type: 'boolean', value: b[c.p++] !== 0 };
    case 0x0a /* VisibleString */: {
      const len = readStringLength(c, 'visible-string');
      const s = readLatin1(b, c.p, c.p + len);
      c.p += len;
      return { type: 'visible-string', value: s };
    }
    case 0x0c /* Utf8String */: {
      const len = readStringLength(c, 'utf8-string');
      const s = utf8.decode(b.subarray(c.p, c.p + len));
      c.p += len;
      return { type: 'utf8-string', value: s };
    }
    case 0x04 /* BitString */: {
      const bits = readLength(c, 'bit-string length', c.maxLength * 8, 'limit in bits');
      return { type: 'bit-string', bits, bytes: fixed(c, (bits + 7) >> 3, 'bit-string') };
    }
    case 0x0d /* Bcd */: return readBcd(c);
    case 0x17 /* Float32 */: case 0x18 /* Float64 */: return readFloat(c, tag);
    case 0x19 /* DateTime */: {
      const v = fixed(c, 12, 'date-time');
      return { type: 'date-time', value: decodeCosemDateTime(v, 0), bytes: v };
    }
    case 0x1a /* Date */: return { type: 'date', bytes: fixed(c, 5, 'date') };
    case 0x1b /* Time */: return { type: 'time', bytes: fixed(c, 4, 'time') };
    case 0x13 /* CompactArray */: return readCompactArray(c, depth, tagAt, readBody);
    default:
      throw new MeterError('UNKNOWN_TAG', 'dlms', `unknown A-XDR data tag ${describeDataTag(tag)} at offset ${tagAt}`, tagAt);
  }
}

function readBcd(c: Cursor): DlmsValue {
  need(c, 1, 'bcd');
  const v = c.b[c.p];
  if ((v >> 4) > 9 || (v & 15) > 9) {
    throw new MeterError('BAD_VALUE', 'dlms', `bcd byte 0x${v.toString(16)} at offset ${c.p} is not two decimal digits`, c.p);
  }
  c.p++;
  return { type: 'bcd', value: (v >> 4) * 10 + (v & 15) };
}

function readContainer(c: Cursor, tag: DataTag.Array | DataTag.Structure, depth: number): DlmsValue {
  const what = tag === 0x01 ? 'array' : 'structure';
  enter(c, depth, what);
  if (c.partial) return readContainerPartial(c, tag, depth, what);
  const count = readCount(c, what, 1);
  const items: DlmsValue[] = [];
  for (let i = 0; i < count; i++) items.push(readData(c, depth + 1));
  return tag === 0x01 ? { type: 'array', items } : { type: 'structure', items };
}

/** Like readContainer, but an input that ends inside the container yields the elements read so far. */
function readContainerPartial(c: Cursor, tag: DataTag.Array | DataTag.Structure, depth: number, what: string): DlmsValue {
  const count = readLength(c, `${what} element count`);
  const items: DlmsValue[] = [];
  for (let i = 0; i < count && i < c.maxItems; i++) {
    const at = c.p;
    try {
      items.push(readData(c, depth + 1));
    } catch (e) {
      if (!(e instanceof MeterError) || e.code !== 'TRUNCATED') throw e;
      c.p = at;
      c.cut = true;
      break;
    }
    if (c.cut) break;
  }
  return tag === 0x01 ? { type: 'array', items } : { type: 'structure', items };
}

function readData(c: Cursor, depth: number): DlmsValue {
  if (c.p >= c.end) truncated(c, 1, 'data tag');
  const at = c.p;
  return readBody(c, c.b[c.p++], depth, at);
}

/** A decoded value, the offset just past it, and how many values were built (the work measure of one decode). */
export interface AxdrDecoded {
  value: DlmsValue;
  end: number;
  elements: number;
}

/**
 * Decodes one A-XDR Data element starting at `offset`. Returns the value and the offset just past it.
 * Throws MeterError TRUNCATED, UNKNOWN_TAG, BAD_VALUE or LIMIT_EXCEEDED (with the byte offset).
 */
export function decodeAxdr(bytes: Uint8Array, offset = 0, limits: AxdrLimits = DEFAULT_AXDR_LIMITS): AxdrDecoded {
  const c = createCursor(bytes, offset, limits, false);
  const value = readData(c, 0);
  return { value, end: c.p, elements: c.elements };
}

/**
 * Decodes what arrived of a Data element that was cut short (e.g. the first block of a general-block-transfer
 * message): containers hold the complete elements before the cut; `complete` tells whether anything was cut.
 */
export function decodeAxdrPartial(bytes: Uint8Array, offset = 0, limits: AxdrLimits = DEFAULT_AXDR_LIMITS): AxdrDecoded & { complete: boolean } {
  const c = createCursor(bytes, offset, limits, true);
  const value = readData(c, 0);
  return { value, end: c.p, elements: c.elements, complete: !c.cut };
}
