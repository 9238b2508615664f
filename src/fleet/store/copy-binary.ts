/**
 * PostgreSQL COPY binary format for the staging table: a signature header, per row a field count and each field
 * as length + bytes (-1 = NULL), a -1 trailer. Numbers and instants go as fixed-width big-endian bytes, so neither
 * side formats or parses decimal text.
 */
import type { StageType } from './staging.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TEXT_OID = 25;
const TWO_32 = 4_294_967_296;

/** A growable buffer of big-endian fields. */
export class BinaryRows {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  header(): void {
    this.room(19);
    SIGNATURE.copy(this.buf, this.pos);
    this.pos += SIGNATURE.length;
    this.buf.writeInt32BE(0, this.pos);
    this.buf.writeInt32BE(0, this.pos + 4);
    this.pos += 8;
  }

  trailer(): void {
    this.int16(-1);
  }

  int16(v: number): void {
    this.room(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  private int32(v: number): void {
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** The tuple's field count. */
  row(fields: number): void {
    this.int16(fields);
  }

  null(): void {
    this.room(4);
    this.int32(-1);
  }

  /** An integer within ±2^53 (epoch ms, frame counters) as int8. */
  int8(v: number): void {
    this.room(12);
    this.int32(8);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
  }

  float8(v: number): void {
    this.room(12);
    this.int32(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  bool(v: boolean): void {
    this.room(5);
    this.int32(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  text(s: string, prefix?: number): void {
    const max = s.length * 3 + 1;
    this.room(4 + max);
    const at = this.pos;
    this.pos += 4;
    if (prefix !== undefined) this.buf[this.pos++] = prefix;
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf.writeInt32BE(this.pos - at - 4, at);
  }

  /** jsonb's binary input: a version byte (1), then the JSON text. */
  jsonb(json: string): void {
    this.text(json, 1);
  }

  textArray(items: readonly string[]): void {
    const bytes = items.map((i) => Buffer.from(i, 'utf8'));
    const size = items.length === 0 ? 12 : 20 + bytes.reduce((n, b) => n + 4 + b.length, 0);
    this.room(4 + size);
    this.int32(size);
    this.int32(items.length === 0 ? 0 : 1);
    this.int32(0);
    this.int32(TEXT_OID);
    if (items.length === 0) return;
    this.int32(items.length);
    this.int32(1);
    for (const b of bytes) {
      this.int32(b.length);
      b.copy(this.buf, this.pos);
      this.pos += b.length;
    }
  }

  /** The bytes written so far; the writer starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

export type FieldValue = string | number | boolean | readonly string[] | null | undefined;

/** One staged row in binary, the values in STAGE_COLUMNS order typed by STAGE_TYPES. */
export function writeBinaryRow(w: BinaryRows, types: readonly StageType[], values: readonly FieldValue[]): void {
  w.row(types.length);
  for (let i = 0; i < types.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      w.null();
      continue;
    }
    switch (types[i]) {
      case 'text': w.text(v as string); break;
      case 'int8': w.int8(v as number); break;
      case 'bool': w.bool(v as boolean); break;
      case 'float8': w.float8(v as number); break;
      case 'jsonb': w.jsonb(v as string); break;
      case 'text[]': w.textArray(v as readonly string[]); break;
    }
  }
}
