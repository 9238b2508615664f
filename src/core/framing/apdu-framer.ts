/**
 * Bare DLMS APDUs without a link layer (IEC 62056-5-3 §9.3): what the Luxembourg Smarty and the Steiermark
 * T210-D-r put on their port, and what some readers store after removing M-Bus/HDLC.
 * - general-glo-ciphering (tag 0xDB): `DB 08 <system title> <length> <security control> <invocation counter> …`,
 *   length in A-XDR form (short, 81 xx, 82 xx xx).
 * - data-notification (tag 0x0F): `0F <long-invoke-id-and-priority u32> <date-time> <one Data element>`, where
 *   date-time is 00 (absent), 0C + 12 bytes, or 09 0C + 12 bytes (Kaifa, with the octet-string tag). It has no
 *   length, so its end is found by walking the body (axdr-extent.ts).
 * There is no checksum: plausibility checks (system-title length, security control) keep noise from being taken
 * for a frame.
 */
import { arenaCopy, createByteArena } from './byte-arena.js';
import { MeterError } from '../errors.js';
import { AXDR_NEED_MORE, axdrExtent } from './axdr-extent.js';
import { createScanningFramer, type LinkReader, type ScanStep } from './link-scanner.js';
import { DEFAULT_LIMITS, type Framer, type FramerLimits } from './types.js';

export const GENERAL_GLO_CIPHERING = 0xdb;
export const DATA_NOTIFICATION = 0x0f;

const NEED: ScanStep = { type: 'need' };
const HUNT: ScanStep = { type: 'skip', length: 1 };

/** Security control (IEC 62056-5-3 §9.2.7.2.4.2): suite 0..2, authentication and/or encryption, no compression. */
const plausibleSecurityControl = (sc: number): boolean => (sc & 0x0f) <= 2 && (sc & 0x30) !== 0 && (sc & 0x80) === 0;

function scanGlo(buf: Uint8Array, pos: number, end: number, max: number): ScanStep {
  if (end - pos < 2) return NEED;
  if (buf[pos + 1] !== 0x08) return HUNT;
  if (end - pos < 11) return NEED;
  let o = pos + 10;
  let len = buf[o++];
  if (len >= 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2) return HUNT;
    if (end - o < n) return NEED;
    len = n === 1 ? buf[o] : (buf[o] << 8) | buf[o + 1];
    o += n;
  }
  if (len < 5) return HUNT; // security control + invocation counter at least
  if (o >= end) return NEED;
  if (!plausibleSecurityControl(buf[o])) return HUNT;
  const total = o + len - pos;
  if (total > max) {
    return { type: 'skip', length: 1, reason: 'general-glo-ciphering APDU longer than the buffer limit',
      error: new MeterError('LIMIT_EXCEEDED', 'framing', `APDU of ${total} bytes exceeds the ${max}-byte limit`) };
  }
  return end - pos >= total ? { type: 'unit', length: total, checked: false } : NEED;
}

function scanNotification(buf: Uint8Array, pos: number, end: number): ScanStep {
  if (end - pos < 6) return NEED;
  let body: number;
  const dt = buf[pos + 5];
  if (dt === 0x00) body = pos + 6;
  else if (dt === 0x0c) body = pos + 18;
  else if (dt === 0x09) {
    if (end - pos < 7) return NEED;
    if (buf[pos + 6] !== 0x0c) return HUNT;
    body = pos + 19;
  } else return HUNT;
  if (body + 1 >= end) return NEED;
  // A push body is a structure or array with at least one element; anything else (a lone null, a number) is
  // what noise such as 0F 00 00 00 00 00 00 looks like, and must not be taken for a frame.
  if ((buf[body] !== 0x01 && buf[body] !== 0x02) || buf[body + 1] === 0x00 || buf[body + 1] === 0x80) return HUNT;
  const stop = axdrExtent(buf, body, end);
  if (stop === AXDR_NEED_MORE) return NEED;
  if (stop < 0) return HUNT;
  return { type: 'unit', length: stop - pos, checked: false };
}

/** Decides whether a bare APDU starts at `pos` (0xDB or 0x0F). */
export function scanApdu(buf: Uint8Array, pos: number, end: number, max: number = DEFAULT_LIMITS.maxBuffer): ScanStep {
  return buf[pos] === GENERAL_GLO_CIPHERING ? scanGlo(buf, pos, end, max) : scanNotification(buf, pos, end);
}

/** The bare-APDU reader (also used by the auto-detecting framer). */
export function createApduLinkReader(limits: FramerLimits = DEFAULT_LIMITS): LinkReader {
  const arena = createByteArena();
  return {
    kind: 'apdu',
    maxUnit: Math.min(limits.maxBuffer, 4096),
    isStart: (b) => b === GENERAL_GLO_CIPHERING || b === DATA_NOTIFICATION,
    scan: (buf, pos, end) => scanApdu(buf, pos, end, limits.maxBuffer),
    accept: (unit) => [{ type: 'frame', kind: 'apdu', payload: arenaCopy(arena, unit), segments: 1 }],
    flush: () => [],
  };
}

export function createApduFramer(limits: FramerLimits = DEFAULT_LIMITS): Framer {
  return createScanningFramer([createApduLinkReader(limits)], { limits });
}
