/** Interprets what a user hands us as a capture: bytes, hex text, or DSMR telegram text. */
import { hexToBytes, looksLikeHex } from './core/bytes/hex.js';

/** True when the bytes are text (DSMR telegram or hex dump) rather than a binary capture. */
function isText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 4096);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 9 || (c > 13 && c < 32) || c > 126) return false;
  }
  return true;
}

/** A string is hex (with separators) or DSMR text; bytes are binary, or text holding hex or a telegram. */
export function inputToBytes(input: Uint8Array | string): Uint8Array {
  if (typeof input === 'string') {
    return looksLikeHex(input) && !input.trimStart().startsWith('/') ? hexToBytes(input) : new TextEncoder().encode(input);
  }
  if (input.length && isText(input)) {
    const text = new TextDecoder('latin1').decode(input);
    if (!text.trimStart().startsWith('/') && looksLikeHex(text)) return hexToBytes(text);
  }
  return input;
}
