/** A bounds-checked cursor over bytes. Reading past the end throws TRUNCATED with the offset. */
import { MeterError } from '../errors.js';
import { AXDR_LENGTH_MAX, axdrLengthSize, LENGTH_INVALID, LENGTH_NEED, readAxdrLength } from './axdr-length.js';

/** The byte-level layers a reader can stand in (each may raise TRUNCATED, BAD_VALUE and LIMIT_EXCEEDED). */
export type ByteLayer = 'framing' | 'security' | 'dlms' | 'dsmr';

export class ByteReader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  readonly layer: ByteLayer;

  constructor(bytes: Uint8Array, layer: ByteLayer, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.layer = layer;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new MeterError('TRUNCATED', this.layer,
        `${what}: needs ${n} byte(s) at offset ${this.pos}, only ${this.end - this.pos} left`, this.pos);
    }
  }

  u8(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  peek(): number {
    this.need(1, 'byte');
    return this.bytes[this.pos];
  }

  u16(what = 'uint16'): number {
    this.need(2, what);
    const b = this.bytes, p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  u32(what = 'uint32'): number {
    this.need(4, what);
    const b = this.bytes, p = this.pos;
    this.pos = p + 4;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  take(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A-XDR length (bytes/axdr-length.ts): short form (< 0x80) or 0x81..0x84 followed by that many length bytes. */
  length(what = 'length', max = 0xffffff): number {
    const at = this.pos;
    const v = readAxdrLength(this.bytes, at, this.end, max);
    if (v >= 0) {
      this.pos = at + axdrLengthSize(this.bytes[at]);
      return v;
    }
    if (v === LENGTH_NEED) this.need(at < this.end ? axdrLengthSize(this.bytes[at]) : 1, what);
    if (v === LENGTH_INVALID) {
      throw new MeterError('BAD_VALUE', this.layer, `${what}: invalid length prefix 0x${this.bytes[at].toString(16)}`, at);
    }
    const len = readAxdrLength(this.bytes, at, this.end, AXDR_LENGTH_MAX);
    throw new MeterError('LIMIT_EXCEEDED', this.layer, `${what}: length ${len} exceeds the limit of ${max}`, at);
  }
}
