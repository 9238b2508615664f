/** GMAC as used by DLMS HLS mechanism 5 (Green Book §9.2.7.4): tag over SC ‖ AK ‖ challenge with the GUEK. */
import { buildAad, buildIv, TAG_LENGTH } from './glo-cipher.js';
import type { AesGcm } from './aes-gcm.js';

export function computeGmac(aes: AesGcm, key: Uint8Array, authKey: Uint8Array, securityControl: number,
  systemTitle: Uint8Array, invocationCounter: number, challenge: Uint8Array): Uint8Array {
  const { tag } = aes.encrypt(key, buildIv(systemTitle, invocationCounter), new Uint8Array(0),
    buildAad(securityControl, authKey, challenge));
  return tag.subarray(0, TAG_LENGTH);
}
