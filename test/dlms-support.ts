/**
 * Test support for the DLMS payload tests: the data-notification plaintexts of the public vectors (decrypted
 * plaintext hints, raw 0F captures, and unencrypted HDLC captures unwrapped here with a minimal HDLC reader).
 */
import { hexToBytes } from '../src/core/bytes/hex.js';
import { normaliseObis } from '../src/core/obis/obis.js';
import { loadVectors, type Vector } from './support/vectors.js';

/** Information fields of consecutive HDLC frames (IEC 62056-46) joined, LLC header E6 E7 00 removed. */
export function unwrapHdlc(bytes: Uint8Array): Uint8Array {
  const parts: number[] = [];
  let p = 0;
  while (p < bytes.length && bytes[p] === 0x7e) {
    const len = ((bytes[p + 1] & 0x07) << 8) | bytes[p + 2];
    const end = p + 1 + len; // index of the closing flag
    let q = p + 3;
    while (q < end && (bytes[q] & 1) === 0) q++; // destination address
    q++;
    while (q < end && (bytes[q] & 1) === 0) q++; // source address
    q += 1 + 1 + 2; // last address byte, control, HCS
    for (let i = q; i < end - 2; i++) parts.push(bytes[i]);
    p = bytes[end + 1] === 0x7e ? end + 1 : end;
    if (p + 3 >= bytes.length) break;
  }
  const out = Uint8Array.from(parts);
  return out[0] === 0xe6 && out[1] === 0xe7 && out[2] === 0x00 ? out.subarray(3) : out;
}

/** The data-notification plaintext a vector carries, if any. */
export function plaintextOf(v: Vector): Uint8Array | undefined {
  const hint = v.hints?.decrypted_plaintext_hex;
  if (hint) return hexToBytes(hint);
  if (!v.raw_hex) return undefined;
  const raw = hexToBytes(v.raw_hex.replace(/[^0-9a-fA-F]/g, ''));
  if (raw[0] === 0x0f) return raw;
  if (raw[0] === 0x7e && !v.key_hex) {
    const apdu = unwrapHdlc(raw);
    return apdu[0] === 0x0f ? apdu : undefined;
  }
  return undefined;
}

export interface PlainVector { v: Vector; apdu: Uint8Array }

/** Vectors with a data-notification plaintext, or undefined when the vectors file is absent. */
export function plainVectors(): PlainVector[] | undefined {
  const vs = loadVectors();
  if (!vs) return undefined;
  const out: PlainVector[] = [];
  for (const v of vs) {
    const apdu = plaintextOf(v);
    if (apdu && apdu[0] === 0x0f) out.push({ v, apdu });
  }
  return out;
}

/** "1.0.1.8.0.255" → "1-0:1.8.0". */
export function canonicalObis(dotted: string): string {
  return normaliseObis(dotted);
}

/** Partial captures (first GBT block only): the body is cut short, so TRUNCATED is the right answer. */
export const PARTIAL_PLAINTEXTS = new Set(['kaernten-klagenfurt-lg-e450-gbt-first-block', 'other-lg-e450-stanz-first-frame']);
