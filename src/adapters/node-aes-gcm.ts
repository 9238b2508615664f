/** AES-128-GCM through node:crypto, implementing the core's AesGcm port. */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { AesGcm } from '../core/security/aes-gcm.js';

/** GCM encrypts with AES-CTR starting at counter block J0+1 = IV ‖ 00000002; used when there is no tag to check. */
function ctrIv(iv: Uint8Array): Buffer {
  const b = Buffer.alloc(16);
  b.set(iv, 0);
  b[15] = 2;
  return b;
}

function asUint8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export const nodeAesGcm: AesGcm = {
  decrypt(key, iv, ciphertext, aad, tag) {
    if (!tag) {
      const d = createDecipheriv('aes-128-ctr', key, ctrIv(iv));
      const head = d.update(ciphertext);
      const tail = d.final();
      return asUint8(tail.length ? Buffer.concat([head, tail]) : head);
    }
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
