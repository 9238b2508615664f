/**
 * A-XDR decoding of the COSEM "Data" CHOICE (IEC 62056-6-2 §4.1.5, encoding rules of IEC 61334-6 A-XDR as
 * used by IEC 62056-5-3). Hot path: plain index arithmetic over the input, one cursor object per call.
 * Decoded octet-strings, date-times, bit-strings, dates and times are views into the input (no copies).
 */
import { MeterError } from '../errors.js';
import { DataTag, DEFAULT_AXDR_LIMITS, type AxdrLimits, type DlmsValue, type IntegerTag, type TypeDescription } from './types.js';
import { decodeCosemDateTime } from './datetime.js';

interface Cursor {
  b: Uint8Array;
  p: number;
  end: number;
  limits: AxdrLimits;
  /** Partial mode (a capture cut short): containers keep the elements that arrived instead of failing. */
  partial?: boolean;
  /** Set in partial mode when the input ended inside a container. */
  cut?: boolean;
}

const TWO_32 = 4294967296;

function truncated(c: Cursor, n: number, what: string): never {
  throw new MeterError('TRUNCATED', 'dlms',
    `${what}: needs ${n} byte(s) at offset ${c.p}, only ${Math.max(0, c.end - c.p)} left`, c.p);
}

function need(c: Cursor, n: number, what: string): void {
  if (c.p + n > c.end) truncated(c, n, what);
}

/** A-XDR length: one byte < 0x80, or 0x81..0x84 followed by that many big-endian length bytes. */
function readLength(c: Cursor, what: string): number {
  need(c, 1, what);
  const b = c.b;
  const first = b[c.p++];
  if (first < 0x80) return first;
  const n = first & 0x7f;
  if (n === 0 || n > 4) {
    throw new MeterError('BAD_VALUE', 'dlms', `${what}: invalid length prefix 0x${first.toString(16)} at offset ${c.p - 1}`, c.p - 1);
  }
  need(c, n, what);
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[c.p++];
  return len;
}

function readCount(c: Cursor, what: string, minBytesEach: number): number {
  const at = c.p;
  const count = readLength(c, what);
  if (count > c.limits.maxItems) {
    throw new MeterError('LIMIT_EXCEEDED', 'dlms', `${what} of ${count} elements at offset ${at} exceeds the limit of ${c.limits.maxItems}`, at);
  }
  if (count * minBytesEach > c.end - c.p) truncated(c, count * minBytesEach, `${what} of ${count} elements`);
  return count;
}

function readStringLength(c: Cursor, what: string): number {
  const at = c.p;
  const len = readLength(c, what);
  if (len > c.limits.maxLength) {
    throw new MeterError('LIMIT_EXCEEDED', 'dlms', `${what} of ${len} bytes at offset ${at} exceeds the limit of ${c.limits.maxLength}`, at);
  }
  need(c, len, what);
  return len;
}

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
      const at = c.p;
      const bits = readLength(c, 'bit-string');
      if (bits > c.limits.maxLength * 8) {
        throw new MeterError('LIMIT_EXCEEDED', 'dlms', `bit-string of ${bits} bits at offset ${at} exceeds the limit`, at);
      }
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
    case 0x13 /* CompactArray */: return readCompactArray(c, depth, tagAt);
    default:
      throw new MeterError('UNKNOWN_TAG', 'dlms', `unknown A-XDR data tag 0x${tag.toString(16).padStart(2, '0')} at offset ${tagAt}`, tagAt);
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

function enter(c: Cursor, depth: number, what: string): void {
  if (depth >= c.limits.maxDepth) {
    throw new MeterError('LIMIT_EXCEEDED', 'dlms', `${what} at offset ${c.p} nested deeper than ${c.limits.maxDepth} levels`, c.p);
  }
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
  const count = readLength(c, what);
  const items: DlmsValue[] = [];
  for (let i = 0; i < count && i < c.limits.maxItems; i++) {
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

function readTypeDescription(c: Cursor, depth: number): TypeDescription {
  enter(c, depth, 'compact-array type description');
  need(c, 1, 'type description');
  const at = c.p;
  const tag = c.b[c.p++];
  if (tag === DataTag.Array) {
    need(c, 2, 'type description element count');
    const count = (c.b[c.p] << 8) | c.b[c.p + 1];
    c.p += 2;
    if (count > c.limits.maxItems) {
      throw new MeterError('LIMIT_EXCEEDED', 'dlms', `compact-array inner array of ${count} elements exceeds the limit of ${c.limits.maxItems}`, at);
    }
    return { tag, count, element: readTypeDescription(c, depth + 1) };
  }
  if (tag === DataTag.Structure) {
    const n = readCount(c, 'type description structure', 1);
    const fields: TypeDescription[] = [];
    for (let i = 0; i < n; i++) fields.push(readTypeDescription(c, depth + 1));
    return { tag, fields };
  }
  if (tag === DataTag.CompactArray || (tag > DataTag.Time) || tag === 7 || tag === 8 || tag === 0x0b || tag === 0x0e) {
    throw new MeterError('UNKNOWN_TAG', 'dlms', `type 0x${tag.toString(16).padStart(2, '0')} not allowed in a compact-array type description (offset ${at})`, at);
  }
  return { tag };
}

function readUntagged(c: Cursor, d: TypeDescription, depth: number): DlmsValue {
  if ('element' in d) {
    enter(c, depth, 'array');
    const items: DlmsValue[] = [];
    for (let i = 0; i < d.count; i++) items.push(readUntagged(c, d.element, depth + 1));
    return { type: 'array', items };
  }
  if ('fields' in d) {
    enter(c, depth, 'structure');
    const items: DlmsValue[] = [];
    for (const f of d.fields) items.push(readUntagged(c, f, depth + 1));
    return { type: 'structure', items };
  }
  return readBody(c, d.tag, depth, c.p);
}

/** compact-array (tag 0x13): type description, then array-contents as a length-prefixed run of untagged values. */
function readCompactArray(c: Cursor, depth: number, tagAt: number): DlmsValue {
  enter(c, depth, 'compact-array');
  const description = readTypeDescription(c, depth + 1);
  const len = readStringLength(c, 'compact-array contents');
  const outerEnd = c.end;
  const stop = c.p + len;
  c.end = stop;
  const items: DlmsValue[] = [];
  try {
    while (c.p < stop) {
      const at = c.p;
      items.push(readUntagged(c, description, depth + 1));
      if (c.p === at) {
        throw new MeterError('BAD_VALUE', 'dlms', `compact-array at offset ${tagAt}: element type occupies no bytes`, tagAt);
      }
      if (items.length > c.limits.maxItems) {
        throw new MeterError('LIMIT_EXCEEDED', 'dlms', `compact-array at offset ${tagAt} has more than ${c.limits.maxItems} elements`, tagAt);
      }
    }
  } finally {
    c.end = outerEnd;
  }
  return { type: 'compact-array', description, items };
}

/**
 * Decodes one A-XDR Data element starting at `offset`. Returns the value and the offset just past it.
 * Throws MeterError TRUNCATED, UNKNOWN_TAG, BAD_VALUE or LIMIT_EXCEEDED (with the byte offset).
 */
export function decodeAxdr(bytes: Uint8Array, offset = 0, limits: AxdrLimits = DEFAULT_AXDR_LIMITS): { value: DlmsValue; end: number } {
  const c: Cursor = { b: bytes, p: offset, end: bytes.length, limits };
  const value = readData(c, 0);
  return { value, end: c.p };
}

/**
 * Decodes what arrived of a Data element that was cut short (e.g. the first block of a general-block-transfer
 * message): containers hold the complete elements before the cut; `complete` tells whether anything was cut.
 */
export function decodeAxdrPartial(bytes: Uint8Array, offset = 0, limits: AxdrLimits = DEFAULT_AXDR_LIMITS): { value: DlmsValue; end: number; complete: boolean } {
  const c: Cursor = { b: bytes, p: offset, end: bytes.length, limits, partial: true };
  const value = readData(c, 0);
  return { value, end: c.p, complete: !c.cut };
}
