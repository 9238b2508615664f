/** Hex text ⇄ bytes. Parsing is lenient about what people paste (spaces, colons, 0x, commas, quotes). */
import { MeterError } from '../errors.js';

const HEX_DIGITS = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4] + HEX_DIGITS[i & 15]);

export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += BYTE_TO_HEX[bytes[i]];
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** Characters that separate or wrap hex digits in dumps people copy (C arrays, Python bytes, logs). */
function isSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 58 /* : */ || c === 44 /* , */ ||
    c === 45 /* - */ || c === 39 /* ' */ || c === 34 /* " */ || c === 59 /* ; */ ||
    c === 91 || c === 93 || c === 123 || c === 125; // [ ] { }
}

/**
 * Parses hex text. Tolerates whitespace, `:`/`-`/`,` separators, quotes, brackets and `0x` prefixes.
 * Throws BAD_HEX naming the first offending character and its position.
 */
export function hexToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  let n = 0;
  let hi = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSeparator(c)) {
      if (hi >= 0 && c !== 58 && c !== 32) {
        // "0x1, 0x2" style: a lone digit before a separator is a byte with a leading zero dropped.
        out[n++] = hi;
        hi = -1;
      }
      continue;
    }
    if (c === 48 && hi < 0 && (text.charCodeAt(i + 1) | 32) === 120 /* x */) { i++; continue; }
    const v = nibble(c);
    if (v < 0) {
      throw new MeterError('BAD_HEX', 'input',
        `not hex: character ${JSON.stringify(text[i])} at position ${i} (hex digits, spaces and colons are accepted)`, i);
    }
    if (hi < 0) hi = v;
    else { out[n++] = (hi << 4) | v; hi = -1; }
  }
  if (hi >= 0) {
    throw new MeterError('BAD_HEX', 'input', 'hex input has an odd number of digits (a byte is cut in half)', text.length);
  }
  return out.subarray(0, n);
}

/** True when every non-separator character of the text is a hex digit (used to sniff file contents). */
export function looksLikeHex(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSeparator(c)) continue;
    if (c === 48 && (text.charCodeAt(i + 1) | 32) === 120) { i++; continue; }
    if (nibble(c) < 0) return false;
    digits++;
  }
  return digits >= 2;
}
