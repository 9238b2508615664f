/**
 * The security control byte of a ciphered xDLMS APDU (DLMS UA Green Book §9.2.7.2.4.2): bits 0-3 security
 * suite, bit 4 authentication (a GCM tag follows the ciphertext), bit 5 encryption, bit 6 broadcast key, bit 7
 * compression. The one place these bits are read.
 */

export const SC_AUTHENTICATION = 0x10;
export const SC_ENCRYPTION = 0x20;
export const SC_BROADCAST_KEY = 0x40;
export const SC_COMPRESSION = 0x80;

export interface SecurityControl {
  /** Security suite 0..15 (0: AES-GCM-128; 1, 2: with ECDSA/ECDH, same symmetric part). */
  suite: number;
  /** A GCM tag (12 bytes) follows the ciphertext. */
  authenticated: boolean;
  encrypted: boolean;
  broadcastKey: boolean;
  compressed: boolean;
}

export function parseSecurityControl(sc: number): SecurityControl {
  return {
    suite: sc & 0x0f,
    authenticated: (sc & SC_AUTHENTICATION) !== 0,
    encrypted: (sc & SC_ENCRYPTION) !== 0,
    broadcastKey: (sc & SC_BROADCAST_KEY) !== 0,
    compressed: (sc & SC_COMPRESSION) !== 0,
  };
}

export function hasTag(sc: number): boolean {
  return (sc & SC_AUTHENTICATION) !== 0;
}

export function isEncrypted(sc: number): boolean {
  return (sc & SC_ENCRYPTION) !== 0;
}

/**
 * What meterwire can open: suite 0..2, authentication and/or encryption, no compression. Framers use it to
 * tell a ciphered APDU from noise; the envelope refuses anything else as UNSUPPORTED_SECURITY.
 */
export function isSupportedSecurityControl(sc: number): boolean {
  return (sc & 0x0f) <= 2 && (sc & (SC_AUTHENTICATION | SC_ENCRYPTION)) !== 0 && (sc & SC_COMPRESSION) === 0;
}

/** "0x30" for messages. */
export function formatSecurityControl(sc: number): string {
  return `0x${sc.toString(16).padStart(2, '0')}`;
}
