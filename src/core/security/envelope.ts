/**
 * The envelope/security stage (DESIGN §1, §7): a general-glo-ciphering (0xDB) or general-ded-ciphering (0xDC)
 * APDU in, its plaintext and a statement of which guarantees held out — or one MeterError: MISSING_KEY,
 * AUTH_FAILED, AUTH_REQUIRED (a tag-less frame where a tag is required: a downgrade), WRONG_KEY (an
 * encryption-only frame that decrypts to garbage), UNSUPPORTED_SECURITY.
 *
 * AES-CTR is malleable and no link checksum is a MAC: only a verified GCM tag says the plaintext is the meter's.
 * So when every profile the meter can belong to always sends a tag, or a GAK is configured for a meter not known
 * to send tag-less frames (EVN, Kundenschnittstelle West and Wiener Netze meters never tag theirs), a frame
 * without a tag is refused unless the user opted in (`allowUntagged`). Without a GAK, a tagged frame is
 * decrypted and reported unverified. A GAK the operator publishes for all meters (Luxembourg) is tried when none is given.
 */
import { MeterError } from '../errors.js';
import { bytesToHex } from '../bytes/hex.js';
import type { AesGcm } from './aes-gcm.js';
import { decodeGeneralGloCipher, isPlausiblePlaintext, openGeneralGloCipher, type CipheredApdu } from './glo-cipher.js';
import { formatSecurityControl, hasTag, isEncrypted } from './security-control.js';

export interface EnvelopeKeys {
  key?: Uint8Array;
  authKey?: Uint8Array;
}

export interface EnvelopePolicy {
  /**
   * What the meter family does: `always` sends tags (a tag-less frame is a downgrade, refused), `never` (a
   * tag-less frame is normal, even with a GAK configured), `unknown` (refused when a GAK is configured).
   */
  tags: 'always' | 'never' | 'unknown';
  /** The user accepts tag-less frames all the same (`--allow-unauthenticated`). */
  allowUntagged: boolean;
  /** A published GAK to try when none is configured. */
  defaultAuthKey?: Uint8Array;
}

export interface OpenedEnvelope {
  plaintext: Uint8Array;
  systemTitle: Uint8Array;
  securityControl: number;
  invocationCounter: number;
  encrypted: boolean;
  /** A GCM tag was present and verified. */
  authenticated: boolean;
  /** A GCM tag was present but could not be checked (no GAK). */
  unverified: boolean;
  /** The tag verified with the operator's published GAK rather than a configured one. */
  defaultAuthKeyUsed: boolean;
  /** The published GAK was tried and did not verify (this meter has its own): no need to try it again. */
  defaultAuthKeyFailed: boolean;
}

/** Reads the envelope's header fields without opening it (system title first: profile choice needs it). */
export function readEnvelope(apdu: Uint8Array): CipheredApdu {
  return decodeGeneralGloCipher(apdu);
}

export function systemTitleHex(c: CipheredApdu): string {
  return bytesToHex(c.systemTitle);
}

function refuseDowngrade(c: CipheredApdu, keys: EnvelopeKeys, policy: EnvelopePolicy): never {
  const why = policy.tags === 'always' ? 'this meter family always authenticates its frames' : 'a GAK (--auth-key) is configured';
  throw new MeterError('AUTH_REQUIRED', 'security',
    `the frame has no authentication tag (security control ${formatSecurityControl(c.securityControl)}) although ${why}: ` +
    'refused as a possible downgrade of an authenticated frame. If the meter really sends frames without a tag, ' +
    'pass --allow-unauthenticated (or remove --auth-key).');
}

function wrongKey(keys: EnvelopeKeys): never {
  throw new MeterError('WRONG_KEY', 'security',
    'decryption gave no valid message: the GUEK (--key) is likely wrong' +
    (keys.authKey ? ' or swapped with the GAK (--auth-key)' : '') + '. Check the key from your grid operator.');
}

/** Opens an envelope already read with readEnvelope. */
export function openEnvelope(c: CipheredApdu, keys: EnvelopeKeys, policy: EnvelopePolicy, aes: AesGcm): OpenedEnvelope {
  const sc = c.securityControl;
  const required = policy.tags === 'always' || (policy.tags === 'unknown' && keys.authKey !== undefined);
  if (!hasTag(sc) && required && !policy.allowUntagged) refuseDowngrade(c, keys, policy);
  let opened;
  let defaultAuthKeyUsed = false, defaultAuthKeyFailed = false;
  if (!keys.authKey && policy.defaultAuthKey && hasTag(sc) && keys.key) {
    try {
      opened = openGeneralGloCipher(c, { key: keys.key, authKey: policy.defaultAuthKey }, aes);
      defaultAuthKeyUsed = true;
    } catch (e) {
      if (!(e instanceof MeterError) || e.code !== 'AUTH_FAILED') throw e;
      defaultAuthKeyFailed = true;
    }
  }
  opened ??= openGeneralGloCipher(c, keys, aes);
  const encrypted = isEncrypted(sc);
  if (!opened.authenticated && encrypted && !isPlausiblePlaintext(opened.plaintext)) wrongKey(keys);
  return {
    plaintext: opened.plaintext, systemTitle: c.systemTitle, securityControl: sc, invocationCounter: c.invocationCounter,
    encrypted, authenticated: opened.authenticated, unverified: opened.unverified, defaultAuthKeyUsed, defaultAuthKeyFailed,
  };
}
