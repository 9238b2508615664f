/**
 * Bare DLMS APDUs without a link layer (IEC 62056-5-3 §9.3): what the Luxembourg Smarty and the Steiermark
 * T210-D-r put on their port, and what some readers store after removing M-Bus/HDLC.
 * - general-glo-ciphering (tag 0xDB): `DB 08 <system title> <length> <security control> <invocation counter> …`,
 *   length in A-XDR form (bytes/axdr-length.ts); the security control must be one meterwire can open.
 * - data-notification (tag 0x0F): `0F <long-invoke-id-and-priority u32> <date-time> <one Data element>`, where
 *   date-time is 00 (absent), 0C + 12 bytes, or 09 0C + 12 bytes (Kaifa, with the octet-string tag). It has no
 *   length, so its end is found by walking the body (axdr-extent.ts): at most MAX_BARE_NOTIFICATION bytes, and
 *   resumed where it stopped when the body has not all arrived yet.
 * There is no checksum: plausibility checks (system-title length, security control) keep noise from being taken
 * for a frame.
 */
import { arenaCopy, createByteArena } from './byte-arena.js';
import { AXDR_LENGTH_MAX, axdrLengthSize, LENGTH_NEED, readAxdrLength } from '../bytes/axdr-length.js';
import { isSupportedSecurityControl } from '../security/security-control.js';
import { AXDR_INVALID, AXDR_NEED_MORE, AXDR_TOO_LONG, createExtentWalk, resetExtentWalk, walkExtent, type ExtentWalk } from './axdr-extent.js';
import { attributeListExtent } from './attribute-list-extent.js';
import { createScanningFramer, type LinkReader, type ScanStep } from './link-scanner.js';
import { DEFAULT_LIMITS, type Framer, type FramerOptions, type WorkMeter } from './types.js';

export const GENERAL_GLO_CIPHERING = 0xdb;
export const DATA_NOTIFICATION = 0x0f;
/**
 * Longest bare data-notification taken from a stream. It has no length, so its end is found by walking it, and
 * noise can hold many overlapping candidates: this bounds the walk of each (docs/decoding-bounds.md). Real
 * pushes are a few hundred bytes to a few KiB.
 */
export const MAX_BARE_NOTIFICATION = 4096;

const NEED: ScanStep = { type: 'need' };
const HUNT: ScanStep = { type: 'skip', length: 1 };

function scanGlo(buf: Uint8Array, pos: number, end: number, max: number): ScanStep {
  if (end - pos < 2) return NEED;
  if (buf[pos + 1] !== 0x08) return HUNT;
  if (end - pos < 11) return NEED;
  const len = readAxdrLength(buf, pos + 10, end, AXDR_LENGTH_MAX);
  if (len === LENGTH_NEED) return NEED;
  if (len < 5) return HUNT; // not a length, or too short for security control + invocation counter
  const o = pos + 10 + axdrLengthSize(buf[pos + 10]);
  if (o >= end) return NEED;
  if (!isSupportedSecurityControl(buf[o])) return HUNT;
  const total = o + len - pos;
  if (total > max) {
    return { type: 'skip', length: 1, reason: 'general-glo-ciphering APDU longer than the buffer limit',
      fault: { code: 'LIMIT_EXCEEDED', message: `APDU of ${total} bytes exceeds the ${max}-byte limit` } };
  }
  return end - pos >= total ? { type: 'unit', length: total, checked: false } : NEED;
}

/** Offset of the body of the notification header at `pos`, NEED, or HUNT when this is no header. */
function notificationBody(buf: Uint8Array, pos: number, end: number): number | ScanStep {
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
  return body;
}

/** Walks the body with `walk`, resuming where the last 'need' at this start left it (`resume === walk`). */
function scanNotification(buf: Uint8Array, pos: number, end: number, walk: ExtentWalk, resume: unknown,
  meter: WorkMeter | undefined): ScanStep {
  const body = notificationBody(buf, pos, end);
  if (typeof body !== 'number') return body;
  const listed = attributeListExtent(buf, body, end, MAX_BARE_NOTIFICATION - (body - pos));
  if (listed !== AXDR_INVALID) return extentStep(listed, pos, undefined);
  if (resume !== walk) resetExtentWalk(walk);
  const before = walk.steps;
  const stop = walkExtent(walk, buf, body, end, MAX_BARE_NOTIFICATION - (body - pos));
  if (meter) meter.steps += walk.steps - before;
  return extentStep(stop, pos, walk);
}

/** The scan step for where a notification body ends (or why it cannot be found). */
function extentStep(stop: number, pos: number, walk: ExtentWalk | undefined): ScanStep {
  if (stop === AXDR_NEED_MORE) return walk ? { type: 'need', resume: walk } : NEED;
  if (stop === AXDR_TOO_LONG) {
    return { type: 'skip', length: 1, reason: `data-notification longer than ${MAX_BARE_NOTIFICATION} bytes`,
      fault: { code: 'LIMIT_EXCEEDED', message: `bare data-notification exceeds ${MAX_BARE_NOTIFICATION} bytes` } };
  }
  if (stop < 0) return HUNT;
  return { type: 'unit', length: stop - pos, checked: false };
}

/**
 * Decides whether a bare APDU starts at `pos` (0xDB or 0x0F). `walk` holds the walk of a notification body
 * between calls; `resume` is what the previous 'need' at this same start returned.
 */
export function scanApdu(buf: Uint8Array, pos: number, end: number, max: number = DEFAULT_LIMITS.maxBuffer,
  walk: ExtentWalk = createExtentWalk(), resume?: unknown, meter?: WorkMeter): ScanStep {
  return buf[pos] === GENERAL_GLO_CIPHERING ? scanGlo(buf, pos, end, max) : scanNotification(buf, pos, end, walk, resume, meter);
}

/** The bare-APDU reader (also used by the auto-detecting framer). */
export function createApduLinkReader(limits: FramerOptions = DEFAULT_LIMITS): LinkReader {
  const arena = createByteArena();
  const walk = createExtentWalk();
  const meter = limits.meter;
  return {
    kind: 'apdu',
    maxUnit: Math.min(limits.maxBuffer, MAX_BARE_NOTIFICATION),
    isStart: (b) => b === GENERAL_GLO_CIPHERING || b === DATA_NOTIFICATION,
    scan: (buf, pos, end, _eof, resume) => scanApdu(buf, pos, end, limits.maxBuffer, walk, resume, meter),
    metered: true,
    accept: (unit) => [{ type: 'frame', kind: 'apdu', payload: arenaCopy(arena, unit), segments: 1 }],
    flush: () => [],
  };
}

export function createApduFramer(limits: FramerOptions = DEFAULT_LIMITS): Framer {
  return createScanningFramer([createApduLinkReader(limits)], { limits });
}
