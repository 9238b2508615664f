/**
 * Finding the first of two byte values in a buffer, four bytes per step. TypedArray#indexOf is a byte loop, so
 * looking for two markers (DSMR '!' and '/') with it reads a ~900-byte telegram twice; testing 32-bit words
 * for a zero byte after XOR with each marker (the "haszero" bit trick, exact for "is there any zero byte")
 * reads it once at a quarter of the steps. Byte order does not matter: a hit re-scans its word byte by byte.
 */

const LOW = 0x01010101;
const HIGH = 0x80808080;

/** Index of the first b[i] === x or b[i] === y for i ≥ from, or -1. */
export function indexOfEither(b: Uint8Array, x: number, y: number, from: number): number {
  const end = b.length;
  let i = from;
  // Byte steps until the position is 4-byte aligned in the underlying buffer (Uint32Array needs that).
  for (; i < end && ((b.byteOffset + i) & 3) !== 0; i++) if (b[i] === x || b[i] === y) return i;
  const count = (end - i) >> 2;
  if (count > 0) {
    const words = new Uint32Array(b.buffer, b.byteOffset + i, count);
    const xs = x * LOW, ys = y * LOW;
    for (let w = 0; w < count; w++) {
      const v = words[w];
      const p = v ^ xs, q = v ^ ys;
      if (((((p - LOW) & ~p) | ((q - LOW) & ~q)) & HIGH) !== 0) break;
      i += 4;
    }
  }
  for (; i < end; i++) if (b[i] === x || b[i] === y) return i;
  return -1;
}

const ABOVE_7F = 0x80808080;
const SPACE = 0x20202020;
const DEL = 0x7f7f7f7f;
const SLASHES = 0x2f2f2f2f;
const BANGS = 0x21212121;

const hasZero = (v: number): number => (v - LOW) & ~v & HIGH;

/** Text of a telegram line: printable ASCII but '/' and '!', and the line-end bytes CR, LF and TAB. */
function isLineText(c: number): boolean {
  return (c >= 0x20 && c < 0x7f && c !== 0x2f && c !== 0x21) || c === 0x0d || c === 0x0a || c === 0x09;
}

/**
 * Index of the first byte at or after `from` (below `end`) that is not line text (see isLineText): a '/', a '!',
 * another control byte, DEL or above; or `end`. Four bytes per step over printable text; a word that holds a line
 * end is checked byte by byte, without leaving the loop (one call walks a whole telegram up to its '!').
 */
export function indexOfNonLineText(b: Uint8Array, from: number, end: number): number {
  let i = from;
  for (; i < end && ((b.byteOffset + i) & 3) !== 0; i++) if (!isLineText(b[i])) return i;
  const count = (end - i) >> 2;
  if (count > 0) {
    const words = new Uint32Array(b.buffer, b.byteOffset + i, count);
    for (let w = 0; w < count; w++, i += 4) {
      const v = words[w];
      // Below 0x20 (exact when no byte is 0x80 or above, which is tested alongside), DEL, '/', '!'.
      const special = (v & ABOVE_7F) | ((v - SPACE) & ~v & HIGH) | hasZero(v ^ DEL) | hasZero(v ^ SLASHES) | hasZero(v ^ BANGS);
      if (special === 0) continue;
      for (let k = 0; k < 4; k++) if (!isLineText(b[i + k])) return i + k;
    }
  }
  for (; i < end; i++) if (!isLineText(b[i])) return i;
  return end;
}
