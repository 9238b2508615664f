/**
 * PostgreSQL COPY binary format (PostgreSQL docs, COPY, "Binary Format") for readings rows: a signature header, per
 * row a field count and each field as length + bytes (-1 = NULL), a -1 trailer. Numbers and instants go as
 * fixed-width big-endian bytes, so neither side formats or parses decimal text.
 *
 * Written for the cost per row: one buffer per connection, reused by every commit (a connection runs one commit
 * at a time, and its COPY has been read by the server before the commit resolves), room checked once per row from
 * an upper bound of its size, and no per-field objects.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TEXT_OID = 25;
const TWO_32 = 4_294_967_296;
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix ms. */
const PG_EPOCH_MS = 946_684_800_000;

export class CopyBinaryWriter {
  private buf = Buffer.allocUnsafe(256 * 1024);
  pos = 0;

  /** Makes room for `n` more bytes (the written bytes are kept). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Starts a new COPY payload in the same buffer. */
  start(): void {
    this.pos = 0;
    this.ensure(19);
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11);
    this.buf.writeInt32BE(0, 15);
    this.pos = 19;
  }

  /** Ends the payload; the view is valid until the next start(). */
  finish(): Buffer {
    this.ensure(2);
    this.int16(-1);
    return this.buf.subarray(0, this.pos);
  }

  // The writers below assume ensure() made room.
  int16(v: number): void {
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  null(): void {
    this.pos = this.buf.writeInt32BE(-1, this.pos);
  }

  /** A safe integer (frame counters) as int8. */
  int8(v: number): void {
    const b = this.buf;
    let p = b.writeInt32BE(8, this.pos);
    const hi = Math.floor(v / TWO_32);
    p = b.writeInt32BE(hi, p);
    this.pos = b.writeUInt32BE(v - hi * TWO_32, p);
  }

  /** Epoch ms as timestamptz (int8 µs since 2000), exactly: the µs are split into 32-bit halves without rounding. */
  timestamp(ms: number): void {
    const m = ms - PG_EPOCH_MS;
    const q = Math.floor(m / TWO_32);
    const low = (m - q * TWO_32) * 1000;
    const carry = Math.floor(low / TWO_32);
    const b = this.buf;
    let p = b.writeInt32BE(8, this.pos);
    p = b.writeInt32BE(q * 1000 + carry, p);
    this.pos = b.writeUInt32BE(low - carry * TWO_32, p);
  }

  float8(v: number): void {
    const p = this.buf.writeInt32BE(8, this.pos);
    this.pos = this.buf.writeDoubleBE(v, p);
  }

  bool(v: boolean): void {
    const p = this.buf.writeInt32BE(1, this.pos);
    this.buf[p] = v ? 1 : 0;
    this.pos = p + 1;
  }

  /** Needs 4 + 3 × length bytes (+1 with a prefix). */
  text(s: string, prefix?: number): void {
    const at = this.pos;
    let p = at + 4;
    if (prefix !== undefined) this.buf[p++] = prefix;
    p += this.buf.write(s, p, 'utf8');
    this.buf.writeInt32BE(p - at - 4, at);
    this.pos = p;
  }

  /** jsonb's binary input: a version byte (1), then the JSON text. Needs 5 + 3 × length bytes. */
  jsonb(json: string): void {
    this.text(json, 1);
  }

  /** A one-dimensional text[]; needs textArraySize(items) bytes. */
  textArray(items: readonly string[]): void {
    const b = this.buf;
    const at = this.pos;
    let p = at + 4;
    p = b.writeInt32BE(items.length === 0 ? 0 : 1, p);
    p = b.writeInt32BE(0, p);
    p = b.writeInt32BE(TEXT_OID, p);
    if (items.length) {
      p = b.writeInt32BE(items.length, p);
      p = b.writeInt32BE(1, p);
      for (const s of items) {
        const len = b.write(s, p + 4, 'utf8');
        b.writeInt32BE(len, p);
        p += 4 + len;
      }
    }
    b.writeInt32BE(p - at - 4, at);
    this.pos = p;
  }
}

/** Upper bound of textArray's bytes. */
export function textArraySize(items: readonly string[]): number {
  let n = 4 + 12;
  if (items.length) n += 8;
  for (const s of items) n += 4 + 3 * s.length;
  return n;
}
