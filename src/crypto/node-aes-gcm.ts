/**
 * AES-128-GCM through node:crypto, implementing the core's AesGcm port.
 *
 * Frames without a tag (security 0x20/0x21, or 0x30 without a GAK) need only GCM's CTR stream. Creating a
 * Decipheriv per frame costs ~2.5 µs, most of a frame's budget, so that path encrypts the counter blocks with
 * one long-lived AES-ECB cipher per key (ECB keeps no state between blocks) and XORs the stream in.
 */
import { createCipheriv, createDecipheriv, type Cipher } from 'node:crypto';
import type { AesGcm } from '../core/security/aes-gcm.js';

const ecbByKey = new WeakMap<Uint8Array, Cipher>();

function ecbFor(key: Uint8Array): Cipher {
  let c = ecbByKey.get(key);
  if (!c) {
    c = createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    ecbByKey.set(key, c);
  }
  return c;
}

/** GCM's keystream for the ciphertext: AES(K, IV ‖ counter) for counter = 2, 3, … (NIST SP 800-38D §7.2). */
function ctrDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const blocks = (data.length + 15) >> 4;
  const counters = Buffer.allocUnsafe(blocks * 16);
  for (let i = 0; i < blocks; i++) {
    const o = i * 16;
    counters.set(iv, o);
    const ctr = i + 2;
    counters[o + 12] = ctr >>> 24;
    counters[o + 13] = (ctr >>> 16) & 0xff;
    counters[o + 14] = (ctr >>> 8) & 0xff;
    counters[o + 15] = ctr & 0xff;
  }
  const stream = ecbFor(key).update(counters);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] ^ stream[i];
  return out;
}

function asUint8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export const nodeAesGcm: AesGcm = {
  decrypt(key, iv, ciphertext, aad, tag) {
    if (!tag) return ctrDecrypt(key, iv, ciphertext);
    const d = createDecipheriv('aes-128-gcm', key, iv, { authTagLength: tag.length });
    if (aad) d.setAAD(aad);
    d.setAuthTag(tag);
    const out = d.update(ciphertext);
    try {
      d.final();
    } catch {
      return undefined;
    }
    return asUint8(out);
  },
  encrypt(key, iv, plaintext, aad) {
    const c = createCipheriv('aes-128-gcm', key, iv, { authTagLength: 12 });
    if (aad) c.setAAD(aad);
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    return { ciphertext: asUint8(ct), tag: asUint8(c.getAuthTag()) };
  },
};
