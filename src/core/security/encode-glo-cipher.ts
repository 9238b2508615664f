/** Builds general-glo-cipher APDUs (the inverse of security/glo-cipher.ts) for fixtures and the simulator. */
import { buildAad, buildIv, isAuthenticated, isEncrypted } from './glo-cipher.js';
import type { AesGcm } from './aes-gcm.js';
import { encodeAxdrLength } from '../bytes/axdr-length.js';

export interface CipherParams {
  systemTitle: Uint8Array;
  securityControl: number;
  invocationCounter: number;
  key: Uint8Array;
  /** Required for authenticated security controls (0x10, 0x30, 0x31). */
  authKey?: Uint8Array;
}

export function encodeGeneralGloCipher(plaintext: Uint8Array, p: CipherParams, aes: AesGcm): Uint8Array {
  const sc = p.securityControl;
  const auth = isAuthenticated(sc);
  if (auth && !p.authKey) throw new Error('encodeGeneralGloCipher: an authenticated security control needs authKey');
  const iv = buildIv(p.systemTitle, p.invocationCounter);
  let body: Uint8Array;
  let tag: Uint8Array | undefined;
  if (isEncrypted(sc)) {
    const r = aes.encrypt(p.key, iv, plaintext, auth ? buildAad(sc, p.authKey as Uint8Array) : undefined);
    body = r.ciphertext;
    tag = auth ? r.tag : undefined;
  } else {
    body = plaintext;
    tag = aes.encrypt(p.key, iv, new Uint8Array(0), buildAad(sc, p.authKey as Uint8Array, plaintext)).tag;
  }
  const contentLength = 5 + body.length + (tag ? tag.length : 0);
  const len = encodeAxdrLength(contentLength);
  const out = new Uint8Array(10 + len.length + contentLength);
  out[0] = 0xdb;
  out[1] = 8;
  out.set(p.systemTitle, 2);
  let o = 10;
  out.set(len, o); o += len.length;
  out[o++] = sc;
  out[o++] = p.invocationCounter >>> 24;
  out[o++] = (p.invocationCounter >>> 16) & 0xff;
  out[o++] = (p.invocationCounter >>> 8) & 0xff;
  out[o++] = p.invocationCounter & 0xff;
  out.set(body, o); o += body.length;
  if (tag) out.set(tag, o);
  return out;
}
