/**
 * The general-glo-cipher envelope (Green Book §9.2.7.2.4) of one simulated meter, written in place:
 *   DB 08 | system title | A-XDR length | SC | invocation counter | ciphertext [| 12-byte tag]
 * AES-128-GCM (NIST SP 800-38D) with IV = system title ‖ counter: the keystream comes from one long-lived AES-ECB
 * cipher per meter (AES(K, IV ‖ 2), AES(K, IV ‖ 3), … in one native call), GHASH is computed here with two 4-bit tables
 * per key. A node GCM cipher object per frame (createCipheriv, update, final, getAuthTag) costs 8–17 µs, most of
 * a fleet frame's budget; this path costs a few. Same bytes as encodeGeneralGloCipher (checked by the tests).
 */
import { createCipheriv, type Cipher } from 'node:crypto';

const TAG_LENGTH = 12;

/**
 * The reduction of the `bits` low bits a GHASH step shifts out (x^128 = x^7 + x^2 + x + 1, bit-reflected as
 * 0xE1…), for every value of those bits: 4 bits for building a key's tables, 8 for a whole-byte step.
 */
function reductionTable(bits: number): Int32Array {
  const table = new Int32Array(1 << bits);
  for (let v = 0; v < table.length; v++) {
    let z0 = 0, z3 = v;
    for (let k = 0; k < bits; k++) {
      const out = z3 & 1;
      // Only z0 and the low bits of z3 are ever set here: z3's bits leave through the bottom, z0 only shifts.
      z3 >>>= 1;
      z0 >>>= 1;
      if (out) z0 ^= 0xe1000000;
    }
    table[v] = z0;
  }
  return table;
}

const REM = reductionTable(4);
const REM8 = reductionTable(8);

/**
 * Two tables of 16 × 4 big-endian words: M[v] = (nibble v as a polynomial, MSB = x^0) · H, then the same times
 * x^4 (a byte's low nibble), so a GHASH step takes a whole byte: Z = Z·x^8 ⊕ M[hi] ⊕ M'[lo].
 */
function tableOf(h: Uint8Array): Int32Array {
  const m = new Int32Array(128);
  const word = (i: number): number => ((h[i] << 24) | (h[i + 1] << 16) | (h[i + 2] << 8) | h[i + 3]) >>> 0;
  m[32] = word(0); m[33] = word(4); m[34] = word(8); m[35] = word(12);
  // M[4] = M[8]·x, M[2] = M[4]·x, M[1] = M[2]·x: a right shift by one bit, reduced.
  for (let v = 4; v >= 1; v >>= 1) {
    const s = 2 * v * 4, d = v * 4;
    const carry = m[s + 3] & 1;
    m[d + 3] = ((m[s + 3] >>> 1) | (m[s + 2] << 31)) >>> 0;
    m[d + 2] = ((m[s + 2] >>> 1) | (m[s + 1] << 31)) >>> 0;
    m[d + 1] = ((m[s + 1] >>> 1) | (m[s] << 31)) >>> 0;
    m[d] = ((m[s] >>> 1) ^ (carry ? 0xe1000000 : 0)) >>> 0;
  }
  for (const v of [3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]) {
    const hi = v & 8 ? 8 : v & 4 ? 4 : 2;
    for (let w = 0; w < 4; w++) m[v * 4 + w] = (m[hi * 4 + w] ^ m[(v ^ hi) * 4 + w]) >>> 0;
  }
  for (let v = 0; v < 16; v++) {
    const s = v * 4, d = 64 + v * 4;
    m[d + 3] = (m[s + 3] >>> 4) | (m[s + 2] << 28);
    m[d + 2] = (m[s + 2] >>> 4) | (m[s + 1] << 28);
    m[d + 1] = (m[s + 1] >>> 4) | (m[s] << 28);
    m[d] = (m[s] >>> 4) ^ REM[m[s + 3] & 0xf];
  }
  return m;
}

/** GHASH state: Y (4 words) updated in place. */
type Y = Int32Array;

/** Y = (Y ⊕ X) · H for the 16 bytes at b[p] (zero-padded from `end` on). */
function ghashBlock(y: Y, m: Int32Array, b: Uint8Array, p: number, end: number): void {
  if (p + 16 <= end) {
    multiply(y, m, y[0] ^ ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]),
      y[1] ^ ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]),
      y[2] ^ ((b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11]),
      y[3] ^ ((b[p + 12] << 24) | (b[p + 13] << 16) | (b[p + 14] << 8) | b[p + 15]));
    return;
  }
  const w = [0, 0, 0, 0];
  for (let i = p; i < end; i++) w[(i - p) >> 2] |= b[i] << (24 - 8 * ((i - p) & 3));
  multiply(y, m, y[0] ^ w[0], y[1] ^ w[1], y[2] ^ w[2], y[3] ^ w[3]);
}

/** Horner's rule over one word's bytes, the highest power (its last byte) first. */
function bytesOf(z: Y, m: Int32Array, a: number): void {
  let z0 = z[0], z1 = z[1], z2 = z[2], z3 = z[3];
  for (let s = 0; s < 32; s += 8) {
    const rem = z3 & 0xff;
    z3 = (z3 >>> 8) | (z2 << 24);
    z2 = (z2 >>> 8) | (z1 << 24);
    z1 = (z1 >>> 8) | (z0 << 24);
    z0 = (z0 >>> 8) ^ REM8[rem];
    const hi = ((a >>> (s + 4)) & 0xf) << 2, lo = 64 + (((a >>> s) & 0xf) << 2);
    z0 ^= m[hi] ^ m[lo]; z1 ^= m[hi + 1] ^ m[lo + 1]; z2 ^= m[hi + 2] ^ m[lo + 2]; z3 ^= m[hi + 3] ^ m[lo + 3];
  }
  z[0] = z0; z[1] = z1; z[2] = z2; z[3] = z3;
}

/** y = A · H (A as four big-endian words). */
function multiply(y: Y, m: Int32Array, a0: number, a1: number, a2: number, a3: number): void {
  y[0] = 0; y[1] = 0; y[2] = 0; y[3] = 0;
  bytesOf(y, m, a3);
  bytesOf(y, m, a2);
  bytesOf(y, m, a1);
  bytesOf(y, m, a0);
}

export interface MeterCipher {
  /**
   * Writes the envelope of plain[from, from+length) at out[at] and returns the end offset. `out` must not overlap
   * the plaintext.
   */
  seal(out: Uint8Array, at: number, plain: Uint8Array, from: number, length: number, invocationCounter: number): number;
}

/** GHASH of the frame being sealed (every meter's, one at a time). */
const ghashState = new Int32Array(4);

/** Counter blocks of the largest frame so far, reused (the ECB output is a fresh buffer per call). */
let counters = Buffer.alloc(16 * 64);

/**
 * The envelope writer of one meter, or undefined for a security control this path does not cover (0x10
 * authentication only: the caller uses the generic encoder).
 */
export function createMeterCipher(securityControl: number, systemTitle: Uint8Array, key: Uint8Array, authKey: Uint8Array | undefined): MeterCipher | undefined {
  const encrypted = (securityControl & 0x20) !== 0, tagged = (securityControl & 0x10) !== 0;
  if (!encrypted || (securityControl & 0xc0) !== 0 || systemTitle.length !== 8 || key.length !== 16) return undefined;
  const gak = tagged ? authKey ?? new Uint8Array(16) : undefined;
  let ecb: Cipher | undefined;
  let table: Int32Array | undefined;
  /** GHASH after the AAD (SC ‖ GAK, the same for every frame of the meter). */
  let afterAad: Int32Array | undefined;
  const title = Uint8Array.from(systemTitle);

  const start = (): void => {
    ecb = createCipheriv('aes-128-ecb', key, null);
    ecb.setAutoPadding(false);
    if (!gak) return;
    table = tableOf(ecb.update(Buffer.alloc(16)));
    const aad = new Uint8Array(17);
    aad[0] = securityControl;
    aad.set(gak, 1);
    afterAad = new Int32Array(4);
    ghashBlock(afterAad, table, aad, 0, 17);
    ghashBlock(afterAad, table, aad, 16, 17);
  };

  return {
    seal(out, at, plain, from, length, ic) {
      if (!ecb) start();
      const blocks = ((length + 15) >> 4) + 1;
      if (counters.length < blocks * 16) counters = Buffer.alloc(blocks * 32);
      const t0 = title[0], t1 = title[1], t2 = title[2], t3 = title[3], t4 = title[4], t5 = title[5], t6 = title[6], t7 = title[7];
      for (let i = 0; i < blocks; i++) {
        const o = i * 16;
        // Byte stores: a native set() per 16-byte block costs more than the block's AES.
        counters[o] = t0; counters[o + 1] = t1; counters[o + 2] = t2; counters[o + 3] = t3;
        counters[o + 4] = t4; counters[o + 5] = t5; counters[o + 6] = t6; counters[o + 7] = t7;
        counters[o + 8] = ic >>> 24; counters[o + 9] = (ic >>> 16) & 0xff; counters[o + 10] = (ic >>> 8) & 0xff; counters[o + 11] = ic & 0xff;
        const ctr = i + 1; // J0 = IV ‖ 1 for the tag, then 2, 3, … for the data
        counters[o + 12] = ctr >>> 24; counters[o + 13] = (ctr >>> 16) & 0xff; counters[o + 14] = (ctr >>> 8) & 0xff; counters[o + 15] = ctr & 0xff;
      }
      const stream = ecb!.update(counters.subarray(0, blocks * 16));
      const content = 5 + length + (gak ? TAG_LENGTH : 0);
      let p = at;
      out[p++] = 0xdb; out[p++] = 8;
      out.set(title, p); p += 8;
      if (content < 0x80) out[p++] = content;
      else if (content <= 0xff) { out[p++] = 0x81; out[p++] = content; }
      else { out[p++] = 0x82; out[p++] = content >>> 8; out[p++] = content & 0xff; }
      out[p++] = securityControl;
      out[p++] = ic >>> 24; out[p++] = (ic >>> 16) & 0xff; out[p++] = (ic >>> 8) & 0xff; out[p++] = ic & 0xff;
      const ct = p;
      for (let i = 0; i < length; i++) out[ct + i] = plain[from + i] ^ stream[16 + i];
      p += length;
      if (!gak) return p;
      const y = ghashState;
      y[0] = afterAad![0]; y[1] = afterAad![1]; y[2] = afterAad![2]; y[3] = afterAad![3];
      for (let i = 0; i < length; i += 16) ghashBlock(y, table!, out, ct + i, ct + length);
      // Lengths block: 17 bytes of AAD, `length` bytes of ciphertext, in bits (both below 2^32).
      multiply(y, table!, y[0], y[1] ^ (17 * 8), y[2], y[3] ^ (length * 8));
      for (let w = 0; w < 3; w++) {
        const v = y[w];
        out[p++] = (v >>> 24) ^ stream[4 * w];
        out[p++] = ((v >>> 16) & 0xff) ^ stream[4 * w + 1];
        out[p++] = ((v >>> 8) & 0xff) ^ stream[4 * w + 2];
        out[p++] = (v & 0xff) ^ stream[4 * w + 3];
      }
      return p;
    },
  };
}
