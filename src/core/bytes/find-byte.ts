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
