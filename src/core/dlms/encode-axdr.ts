/**
 * A-XDR encoding of the COSEM "Data" CHOICE (IEC 62056-6-2 §4.1.5): the exact inverse of dlms/axdr.ts
 * decodeAxdr. Used for fixtures and the meter simulator, not on the hot path.
 */
import { MeterError } from '../errors.js';
import { encodeAxdrLength } from '../bytes/axdr-length.js';

export { encodeAxdrLength };
import { DataTag, type DlmsValue, type TypeDescription } from './types.js';
import { encodeCosemDateTime } from './datetime.js';
import { DATA_TAGS, dataTagInfo, describeDataTag } from './data-tags.js';

/** Growable byte sink. */
class Sink {
  buf = new Uint8Array(256);
  n = 0;
  private grow(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + extra));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  byte(v: number): void { this.grow(1); this.buf[this.n++] = v & 0xff; }
  bytes(v: Uint8Array): void { this.grow(v.length); this.buf.set(v, this.n); this.n += v.length; }
  uint(v: number, width: number): void {
    for (let i = width - 1; i >= 0; i--) this.byte(Math.floor(v / 2 ** (8 * i)) & 0xff);
  }
  result(): Uint8Array { return this.buf.slice(0, this.n); }
}

function bad(message: string): never {
  throw new MeterError('BAD_VALUE', 'dlms', message);
}


/** Integer tags: [width, signed], from the data-tag table. */
const INT_WIDTH: Record<number, [number, boolean]> = Object.fromEntries(DATA_TAGS
  .filter((t) => t.signed !== undefined && typeof t.content === 'number')
  .map((t) => [t.tag, [t.content as number, t.signed as boolean]]));

/** Content size of a fixed-size tag (date-time 12, date 5, time 4, …). */
function fixedSize(tag: DataTag): number {
  const content = dataTagInfo(tag)?.content;
  return typeof content === 'number' ? content : bad(`${describeDataTag(tag)} has no fixed size`);
}

function writeInteger(s: Sink, tag: number, value: number | bigint): void {
  const spec = INT_WIDTH[tag];
  if (!spec) bad(`0x${tag.toString(16)} is not an integer tag`);
  const [width, signed] = spec;
  const big = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : bad(`integer value ${value} is not an integer`);
  const bits = BigInt(width * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (big < min || big > max) bad(`integer ${big} does not fit tag 0x${tag.toString(16)}`);
  const u = BigInt.asUintN(width * 8, big);
  for (let i = width - 1; i >= 0; i--) s.byte(Number((u >> BigInt(8 * i)) & 0xffn));
}

function writeFloat(s: Sink, tag: number, value: number): void {
  const n = tag === DataTag.Float32 ? 4 : 8;
  const out = new Uint8Array(n);
  const view = new DataView(out.buffer);
  if (n === 4) view.setFloat32(0, value); else view.setFloat64(0, value);
  s.bytes(out);
}

function writeTypeDescription(s: Sink, d: TypeDescription): void {
  if (!('element' in d) && !('fields' in d) && !dataTagInfo(d.tag)?.inCompactArray) {
    bad(`${describeDataTag(d.tag)} cannot be a type in a compact-array description`);
  }
  if ('element' in d && d.count === 0) bad('a compact-array inner array of 0 elements occupies no bytes');
  if ('fields' in d && d.fields.length === 0) bad('a compact-array structure without fields occupies no bytes');
  s.byte(d.tag);
  if ('element' in d) { s.uint(d.count, 2); writeTypeDescription(s, d.element); return; }
  if ('fields' in d) { s.bytes(encodeAxdrLength(d.fields.length)); for (const f of d.fields) writeTypeDescription(s, f); }
}

function writeUntagged(s: Sink, d: TypeDescription, v: DlmsValue): void {
  if ('element' in d || 'fields' in d) {
    if (v.type !== 'array' && v.type !== 'structure') bad(`compact-array element ${v.type} does not match its type description`);
    const descs = 'element' in d ? v.items.map(() => d.element) : d.fields;
    if ('element' in d && v.items.length !== d.count) bad('compact-array inner array length does not match its type description');
    if (descs.length !== v.items.length) bad('compact-array structure does not match its type description');
    v.items.forEach((item, i) => writeUntagged(s, descs[i], item));
    return;
  }
  const tagged = new Sink();
  writeData(tagged, v);
  const bytes = tagged.result();
  if (bytes[0] !== d.tag) bad(`compact-array element tag 0x${bytes[0].toString(16)} does not match 0x${d.tag.toString(16)}`);
  s.bytes(bytes.subarray(1));
}

function writeString(s: Sink, tag: number, bytes: Uint8Array): void {
  s.byte(tag);
  s.bytes(encodeAxdrLength(bytes.length));
  s.bytes(bytes);
}

function writeFixed(s: Sink, tag: number, bytes: Uint8Array, n: number, what: string): void {
  if (bytes.length !== n) bad(`${what} must be ${n} bytes, got ${bytes.length}`);
  s.byte(tag);
  s.bytes(bytes);
}

function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) bad(`visible-string character U+${c.toString(16)} is not a single byte`);
    out[i] = c;
  }
  return out;
}

function writeData(s: Sink, v: DlmsValue): void {
  switch (v.type) {
    case 'null': s.byte(DataTag.Null); return;
    case 'array': case 'structure':
      s.byte(v.type === 'array' ? DataTag.Array : DataTag.Structure);
      s.bytes(encodeAxdrLength(v.items.length));
      for (const item of v.items) writeData(s, item);
      return;
    case 'boolean': s.byte(DataTag.Boolean); s.byte(v.value ? 1 : 0); return;
    case 'bit-string':
      if (v.bytes.length !== (v.bits + 7) >> 3) bad(`bit-string of ${v.bits} bits needs ${(v.bits + 7) >> 3} bytes`);
      s.byte(DataTag.BitString); s.bytes(encodeAxdrLength(v.bits)); s.bytes(v.bytes); return;
    case 'integer': s.byte(v.tag); writeInteger(s, v.tag, v.value); return;
    case 'enum': s.byte(DataTag.Enum); s.byte(v.value); return;
    case 'float': s.byte(v.tag); writeFloat(s, v.tag, v.value); return;
    case 'octet-string': writeString(s, DataTag.OctetString, v.bytes); return;
    case 'visible-string': writeString(s, DataTag.VisibleString, latin1(v.value)); return;
    case 'utf8-string': writeString(s, DataTag.Utf8String, new TextEncoder().encode(v.value)); return;
    case 'bcd':
      if (!Number.isInteger(v.value) || v.value < 0 || v.value > 99) bad(`bcd value ${v.value} is not 0..99`);
      s.byte(DataTag.Bcd); s.byte(((v.value / 10) | 0) * 16 + (v.value % 10)); return;
    case 'date-time': {
      const n = fixedSize(DataTag.DateTime);
      writeFixed(s, DataTag.DateTime, v.bytes.length === n ? v.bytes : encodeCosemDateTime(v.value), n, 'date-time');
      return;
    }
    case 'date': writeFixed(s, DataTag.Date, v.bytes, fixedSize(DataTag.Date), 'date'); return;
    case 'time': writeFixed(s, DataTag.Time, v.bytes, fixedSize(DataTag.Time), 'time'); return;
    case 'compact-array': {
      s.byte(DataTag.CompactArray);
      writeTypeDescription(s, v.description);
      const contents = new Sink();
      for (const item of v.items) writeUntagged(contents, v.description, item);
      s.bytes(encodeAxdrLength(contents.n));
      s.bytes(contents.result());
      return;
    }
  }
}

/** Encodes one Data element. Throws MeterError BAD_VALUE for values that have no encoding (e.g. 300 as uint8). */
export function encodeAxdr(value: DlmsValue): Uint8Array {
  const s = new Sink();
  writeData(s, value);
  return s.result();
}
