/** A bounds-checked cursor over bytes. Reading past the end throws TRUNCATED with the offset. */
import { MeterError } from '../errors.js';

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

  /** A-XDR / BER length: short form (< 0x80) or 0x81/0x82/0x83/0x84 followed by that many length bytes. */
  length(what = 'length', max = 0xffffff): number {
    const first = this.u8(what);
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 4) {
      throw new MeterError('BAD_VALUE', this.layer, `${what}: invalid length prefix 0x${first.toString(16)}`, this.pos - 1);
    }
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + this.u8(what);
    if (len > max) {
      throw new MeterError('LIMIT_EXCEEDED', this.layer, `${what}: length ${len} exceeds the limit of ${max}`, this.pos - n - 1);
    }
    return len;
  }
}
