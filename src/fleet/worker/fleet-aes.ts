/**
 * The AES-GCM port for a fleet worker. The reader's port (src/crypto/node-aes-gcm.ts) keeps one AES-ECB cipher per
 * key for frames without a tag, ~1.4 kB of native memory each: right for one meter, 140 MB for 100,000 cached
 * meters, and more while evicted ones wait for the garbage collector. Here such frames get GCM's CTR stream from a
 * cipher made for the frame (AES-128-CTR from counter 2, NIST SP 800-38D §7.2), a few µs, nothing kept per key.
 * Frames with a tag go to the reader's port unchanged (it keeps nothing per key for them).
 */
import { createDecipheriv } from 'node:crypto';
import { nodeAesGcm } from '../../crypto/node-aes-gcm.js';
import type { AesGcm } from '../../core/security/aes-gcm.js';

function ctrDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const counter = Buffer.alloc(16);
  counter.set(iv.subarray(0, 12));
  counter[15] = 2;
  const out = createDecipheriv('aes-128-ctr', key, counter).update(data);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export const fleetAesGcm: AesGcm = {
  decrypt(key, iv, ciphertext, aad, tag) {
    return tag ? nodeAesGcm.decrypt(key, iv, ciphertext, aad, tag) : ctrDecrypt(key, iv, ciphertext);
  },
  encrypt: (key, iv, plaintext, aad) => nodeAesGcm.encrypt(key, iv, plaintext, aad),
};
