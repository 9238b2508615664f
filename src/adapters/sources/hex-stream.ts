/**
 * Hex text arriving in chunks (`cat capture.hex | meterwire read -`, `xxd -p`): decoded to bytes as it comes, a
 * byte split across chunks included. Whitespace and the separators of common dumps (`:` `,` `-`) are skipped.
 */
export interface HexStream {
  /** Bytes of the hex digits in `chunk`; throws (with the offending offset) on a character that is no hex. */
  push(chunk: Uint8Array): Uint8Array;
  /** True when a half byte is still pending (the text ended inside a byte). */
  readonly pending: boolean;
}

function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

const SKIP = new Set([0x20, 0x09, 0x0a, 0x0d, 0x3a, 0x2c, 0x2d]);

export function createHexStream(): HexStream {
  let hi = -1;
  let offset = 0;
  return {
    push(chunk) {
      const out = new Uint8Array((chunk.length + 1) >> 1);
      let n = 0;
      for (let i = 0; i < chunk.length; i++, offset++) {
        const c = chunk[i];
        if (SKIP.has(c)) continue;
        const v = nibble(c);
        if (v < 0) throw new Error(`byte ${offset} is ${c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `0x${c.toString(16)}`}, not a hex digit`);
        if (hi < 0) hi = v;
        else { out[n++] = (hi << 4) | v; hi = -1; }
      }
      return out.subarray(0, n);
    },
    get pending() { return hi >= 0; },
  };
}

/** Whether the first bytes of a stream are hex text: only hex digits and separators, at least two digits. */
export function startsAsHex(chunk: Uint8Array): boolean | undefined {
  let digits = 0;
  for (const c of chunk.subarray(0, 4096)) {
    if (SKIP.has(c)) continue;
    if (nibble(c) < 0) return false;
    digits++;
  }
  return digits >= 2 ? true : undefined;
}
