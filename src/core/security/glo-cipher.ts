/**
 * general-glo-cipher APDU (tag 0xDB), DLMS UA Green Book (DLMS UA 1000-2) §9.2.7.2.4 and §9.2.3:
 *   DB | len 08 | system title (8) | length (A-XDR) | security control (1) | invocation counter (4) | data [| tag 12]
 * Security control: bit 4 authentication, bit 5 encryption, bits 0-3 suite (0x20/0x21 enc only, 0x30/0x31
 * auth+enc, 0x10 auth only). AES-128-GCM with IV = system title ‖ invocation counter, 12-byte tag,
 * AAD = SC ‖ GAK (‖ plaintext for authentication-only).
 */
import { MeterError } from '../errors.js';
import { ByteReader } from '../bytes/reader.js';
import type { AesGcm } from './aes-gcm.js';
import { formatSecurityControl, hasTag, isEncrypted, isSupportedSecurityControl } from './security-control.js';

export const TAG_LENGTH = 12;
export { SC_AUTHENTICATION, SC_ENCRYPTION } from './security-control.js';
/** general-glo-ciphering and general-ded-ciphering (same layout; the latter under a dedicated key). */
export const GENERAL_GLO_CIPHERING = 0xdb;
export const GENERAL_DED_CIPHERING = 0xdc;

export interface CipheredApdu {
  systemTitle: Uint8Array;
  securityControl: number;
  invocationCounter: number;
  /** Ciphertext (or plaintext for authentication-only), without the tag. */
  data: Uint8Array;
  tag?: Uint8Array;
  /** Offset just past this APDU in the input. */
  end: number;
}

/** The frame carries a GCM tag (security control bit 4). */
export const isAuthenticated = hasTag;
export { isEncrypted };

/** Splits a general-glo-cipher APDU into its fields. Throws TRUNCATED / BAD_FRAME / UNSUPPORTED_SECURITY. */
export function decodeGeneralGloCipher(apdu: Uint8Array, offset = 0): CipheredApdu {
  const r = new ByteReader(apdu, 'security', offset);
  const tag = r.u8('APDU tag');
  if (tag !== GENERAL_GLO_CIPHERING && tag !== GENERAL_DED_CIPHERING) {
    throw new MeterError('BAD_FRAME', 'security', `expected general-glo/ded-ciphering tag 0xDB/0xDC, got 0x${tag.toString(16)}`, offset);
  }
  const stLen = r.u8('system title length');
  if (stLen !== 8) throw new MeterError('BAD_FRAME', 'security', `system title length must be 8, got ${stLen}`, offset + 1);
  const systemTitle = r.take(8, 'system title');
  const len = r.length('ciphered content length');
  const contentStart = r.pos;
  r.need(len, 'ciphered content');
  if (len < 5) throw new MeterError('TRUNCATED', 'security', `ciphered content of ${len} bytes is too short`, contentStart);
  const securityControl = r.u8('security control');
  if (!isSupportedSecurityControl(securityControl)) {
    throw new MeterError('UNSUPPORTED_SECURITY', 'security',
      `security control ${formatSecurityControl(securityControl)} is not supported ` +
      '(expected 0x10 authentication, 0x20/0x21 encryption or 0x30/0x31 both)', contentStart);
  }
  const invocationCounter = r.u32('invocation counter');
  const end = contentStart + len;
  const tagged = hasTag(securityControl);
  const dataEnd = tagged ? end - TAG_LENGTH : end;
  if (dataEnd < r.pos) throw new MeterError('TRUNCATED', 'security', 'ciphered content shorter than its authentication tag', r.pos);
  return {
    systemTitle,
    securityControl,
    invocationCounter,
    data: apdu.subarray(r.pos, dataEnd),
    tag: tagged ? apdu.subarray(dataEnd, end) : undefined,
    end,
  };
}

/**
 * For a capture cut short (the first general-block-transfer block only): the header fields and the ciphertext
 * that arrived. The tag is missing, so such a payload can only be decrypted unverified. Returns the number of
 * bytes announced and present, for the user's message.
 */
export function decodeTruncatedGloCipher(apdu: Uint8Array): CipheredApdu & { announced: number; present: number } {
  const r = new ByteReader(apdu, 'security');
  const tag = r.u8('APDU tag');
  if ((tag !== GENERAL_GLO_CIPHERING && tag !== GENERAL_DED_CIPHERING) || r.u8('system title length') !== 8) {
    throw new MeterError('BAD_FRAME', 'security', 'not a general-glo/ded-ciphering APDU (DB 08 … / DC 08 …)', 0);
  }
  const systemTitle = r.take(8, 'system title');
  const announced = r.length('ciphered content length');
  const contentStart = r.pos;
  const securityControl = r.u8('security control');
  const invocationCounter = r.u32('invocation counter');
  const end = Math.min(apdu.length, contentStart + announced);
  return { systemTitle, securityControl, invocationCounter, data: apdu.subarray(r.pos, end), end, announced, present: end - contentStart };
}

export function buildIv(systemTitle: Uint8Array, invocationCounter: number): Uint8Array {
  const iv = new Uint8Array(12);
  iv.set(systemTitle, 0);
  iv[8] = invocationCounter >>> 24;
  iv[9] = (invocationCounter >>> 16) & 0xff;
  iv[10] = (invocationCounter >>> 8) & 0xff;
  iv[11] = invocationCounter & 0xff;
  return iv;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function buildAad(securityControl: number, authKey: Uint8Array, extra?: Uint8Array): Uint8Array {
  return extra ? concat(Uint8Array.of(securityControl), authKey, extra) : concat(Uint8Array.of(securityControl), authKey);
}

export interface OpenedApdu {
  plaintext: Uint8Array;
  /** The tag was present and verified with the GAK. */
  authenticated: boolean;
  /** The frame carried a tag, but no GAK was given, so it was not checked. */
  unverified: boolean;
}

export interface CipherKeys {
  key?: Uint8Array;
  authKey?: Uint8Array;
}

/**
 * Decrypts (and where possible verifies) a ciphered APDU. Without a GAK an authenticated frame is still
 * decrypted and reported as unverified. Throws MISSING_KEY or AUTH_FAILED with what to check.
 */
export function openGeneralGloCipher(c: CipheredApdu, keys: CipherKeys, aes: AesGcm): OpenedApdu {
  const sc = c.securityControl;
  if (!keys.key) {
    throw new MeterError('MISSING_KEY', 'security',
      `the frame is encrypted (security control ${formatSecurityControl(sc)}) and no key was given: ` +
      `pass the GUEK (global unicast encryption key) from your grid operator with --key` +
      (isAuthenticated(sc) ? ' (and the GAK with --auth-key to verify it)' : ''));
  }
  const iv = buildIv(c.systemTitle, c.invocationCounter);
  if (!isEncrypted(sc)) return openAuthenticationOnly(c, keys, aes, iv);
  if (!isAuthenticated(sc) || !keys.authKey || !c.tag) {
    const plaintext = aes.decrypt(keys.key, iv, c.data) as Uint8Array;
    return { plaintext, authenticated: false, unverified: isAuthenticated(sc) };
  }
  const plaintext = aes.decrypt(keys.key, iv, c.data, buildAad(sc, keys.authKey), c.tag);
  if (plaintext === undefined) {
    throw new MeterError('AUTH_FAILED', 'security', authFailedMessage(c, keys.key, iv, aes));
  }
  return { plaintext, authenticated: true, unverified: false };
}

function openAuthenticationOnly(c: CipheredApdu, keys: CipherKeys, aes: AesGcm, iv: Uint8Array): OpenedApdu {
  if (!keys.authKey || !c.tag) return { plaintext: c.data, authenticated: false, unverified: true };
  const ok = aes.decrypt(keys.key as Uint8Array, iv, new Uint8Array(0), buildAad(c.securityControl, keys.authKey, c.data), c.tag);
  if (ok === undefined) {
    throw new MeterError('AUTH_FAILED', 'security',
      'authentication tag (GMAC) did not verify: check the GAK (--auth-key) and the GUEK (--key)');
  }
  return { plaintext: c.data, authenticated: true, unverified: false };
}

/** Tells the user which key is likely wrong: if the GUEK alone gives a plausible APDU, the GAK is the culprit. */
function authFailedMessage(c: CipheredApdu, key: Uint8Array, iv: Uint8Array, aes: AesGcm): string {
  const trial = aes.decrypt(key, iv, c.data) as Uint8Array;
  if (isPlausiblePlaintext(trial)) {
    return 'authentication tag did not verify, but the GUEK decrypts the frame to a valid message: the GAK ' +
      '(--auth-key) is likely wrong. Without --auth-key the frame is decrypted and its values marked unverified.';
  }
  return 'authentication tag did not verify and the decrypted bytes are not a valid message: the GUEK (--key) ' +
    'is likely wrong (check it was not swapped with the GAK).';
}

/**
 * Cheap plausibility test of a decrypted payload, used to tell a wrong key from a good one when there is no tag:
 * a DLMS data-notification (0x0F + invoke id + date-time length 0/12 or the 09 0C quirk) or a DSMR telegram ('/').
 */
export function isPlausiblePlaintext(p: Uint8Array): boolean {
  if (p.length < 6) return false;
  if (p[0] === 0x2f) { // '/' DSMR: printable ASCII header
    for (let i = 1; i < Math.min(p.length, 8); i++) if (p[i] < 0x20 || p[i] > 0x7e) return false;
    return true;
  }
  if (p[0] === 0x0f) {
    const dt = p[5];
    return dt === 0x00 || dt === 0x0c || (dt === 0x09 && p[6] === 0x0c);
  }
  // Other xDLMS APDUs a push may carry: get-response, event-notification, general-block-transfer.
  return p[0] === 0xc4 || p[0] === 0xc2 || p[0] === 0xe0 || p[0] === 0xc0 || p[0] === 0xc1;
}
