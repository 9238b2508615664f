/**
 * The A-XDR length field (IEC 61334-6 §A-XDR, as used by IEC 62056-5-3 for lengths and element counts, and by
 * general-block-transfer raw data): one byte below 0x80, or 0x81..0x84 followed by that many big-endian bytes.
 * 0x80 (BER's indefinite form) and 0x85..0xFF are no A-XDR length. The one reader of this field: the A-XDR
 * decoder, the extent scanner, the byte cursor, the bare-APDU framer and the GBT block reader all use it, each
 * with its own explicit limit. Allocation-free (hot path): results are plain numbers, errors negative codes.
 */
import { MeterError } from '../errors.js';

/** More bytes are needed to read the length. */
export const LENGTH_NEED = -1;
/** The first byte is no A-XDR length prefix (0x80, 0x85..0xFF). */
export const LENGTH_INVALID = -2;
/** The length is above the caller's limit. */
export const LENGTH_OVER = -3;

/** Largest value a 4-byte length can hold. */
export const AXDR_LENGTH_MAX = 0xffffffff;

/** Bytes the length field occupies, told by its first byte: 1..5, or 0 when that byte is no length prefix. */
export function axdrLengthSize(first: number): number {
  if (first < 0x80) return 1;
  return first >= 0x81 && first <= 0x84 ? first - 0x7f : 0;
}

/**
 * The length at b[o] (bytes up to `end` are present): its value (≥ 0), or LENGTH_NEED, LENGTH_INVALID, or
 * LENGTH_OVER when it exceeds `max`. The field occupies axdrLengthSize(b[o]) bytes.
 */
export function readAxdrLength(b: Uint8Array, o: number, end: number, max: number): number {
  if (o >= end) return LENGTH_NEED;
  const first = b[o];
  if (first < 0x80) return first <= max ? first : LENGTH_OVER;
  const n = first - 0x80;
  if (n < 1 || n > 4) return LENGTH_INVALID;
  if (o + 1 + n > end) return LENGTH_NEED;
  let v = 0;
  for (let i = 1; i <= n; i++) v = v * 256 + b[o + i];
  return v <= max ? v : LENGTH_OVER;
}

/** A-XDR length (short form below 0x80, else 0x81..0x84 + big-endian bytes). */
export function encodeAxdrLength(len: number): Uint8Array {
  if (!Number.isInteger(len) || len < 0 || len > 0xffffffff) throw new MeterError('BAD_VALUE', 'dlms', `A-XDR length ${len} cannot be encoded`);
  if (len < 0x80) return Uint8Array.of(len);
  const n = len <= 0xff ? 1 : len <= 0xffff ? 2 : len <= 0xffffff ? 3 : 4;
  const out = new Uint8Array(n + 1);
  out[0] = 0x80 | n;
  for (let i = 0; i < n; i++) out[n - i] = Math.floor(len / 2 ** (8 * i)) & 0xff;
  return out;
}
