/**
 * M-Bus link layer (EN 13757-2 §5) carrying DLMS (EN 13757-1 / IEC 62056-7-6 style wrapping):
 * long frames `68 L L 68 C A CI <user data> CS 16`, CS = 8-bit sum of C..user data, L = count of C..user data.
 * A DLMS APDU longer than one frame is split over several; CI carries the segment number in its low nibble
 * and the last-segment flag in bit 4 (00 first of more, 01 next, 11 last, 10 single). Each segment's user data
 * starts with the transport SAPs `01 67`. Single-character ACK `E5` and short frames `10 C A CS 16` are ignored.
 *
 * Quirk: the Sagemcom T210-D (EVN) sends 257 bytes of C..user data with L = 257 mod 256 (`68 01 01 68`);
 * when the frame does not close where L says, L + 256 is tried and accepted if its checksum holds.
 */
import { mbusChecksum } from '../bytes/crc.js';
import { MeterError } from '../errors.js';
import { createApduDelivery } from './gbt.js';
import { arenaConcat, arenaCopy, createByteArena } from './byte-arena.js';
import { createScanningFramer, discard, type LinkReader, type ScanStep } from './link-scanner.js';
import { DEFAULT_LIMITS, type Framer, type FramerEvent, type FramerOptions, type WorkMeter } from './types.js';

const START = 0x68;
const STOP = 0x16;
const SHORT_START = 0x10;
const ACK = 0xe5;
/** Largest long frame including the wrapped-length quirk: 6 bytes of framing + up to 255 + 256. */
export const MBUS_MAX_FRAME = 6 + 255 + 256;

/** True when a long frame of `l` bytes C..user data starting at `pos` closes with a valid checksum and stop. */
function closesAt(buf: Uint8Array, pos: number, l: number, meter: WorkMeter | undefined): boolean {
  const cs = pos + 4 + l;
  if (buf[cs + 1] !== STOP) return false;
  if (meter) meter.steps += l;
  return mbusChecksum(buf, pos + 4, cs) === buf[cs];
}

const NEED: ScanStep = { type: 'need' };
const HUNT: ScanStep = { type: 'skip', length: 1 };
const QUIET_ACK: ScanStep = { type: 'quiet', length: 1 };
/** Resume marker: the frame did not close at L; it waits for the bytes of the wrapped length L + 256. */
const SHORT_FAILED = 'short-failed';
const NEED_WRAPPED: ScanStep = { type: 'need', resume: SHORT_FAILED };

function scanShort(buf: Uint8Array, pos: number, end: number): ScanStep {
  if (end - pos < 5) return NEED;
  const valid = buf[pos + 4] === STOP && ((buf[pos + 1] + buf[pos + 2]) & 0xff) === buf[pos + 3];
  return valid ? { type: 'quiet', length: 5 } : HUNT;
}

/**
 * Decides what starts at `pos` (0x68, 0x10 or 0xE5) from buf[pos..end). A checksum is computed only where the
 * stop byte is, and at most once per length while waiting (`resume`); `meter` counts the bytes it covers.
 */
export function scanMbus(buf: Uint8Array, pos: number, end: number, eof: boolean, resume?: unknown, meter?: WorkMeter): ScanStep {
  const b = buf[pos];
  if (b === ACK) return QUIET_ACK;
  if (b === SHORT_START) return scanShort(buf, pos, end);
  if (end - pos < 4) return NEED;
  if (buf[pos + 3] !== START) return HUNT;
  const l = buf[pos + 1];
  if (l !== buf[pos + 2]) {
    return { type: 'skip', length: 1, reason: 'M-Bus long frame header with differing length bytes',
      fault: { code: 'BAD_FRAME', message: `M-Bus length bytes differ (${l}, ${buf[pos + 2]})` } };
  }
  if (end - pos < l + 6) return NEED;
  // C, A and CI make at least 3 bytes, so L < 3 can only be the wrapped length.
  if (resume !== SHORT_FAILED && l >= 3 && closesAt(buf, pos, l, meter)) return { type: 'unit', length: l + 6, checked: true };
  const wrapped = l + 256;
  if (end - pos >= wrapped + 6) {
    if (closesAt(buf, pos, wrapped, meter)) return { type: 'unit', length: wrapped + 6, checked: true };
  } else if (!eof) return NEED_WRAPPED;
  if (buf[pos + l + 5] === STOP) {
    return { type: 'skip', length: l + 6, reason: 'M-Bus checksum mismatch',
      fault: { code: 'BAD_CHECKSUM', message: `M-Bus frame checksum mismatch (L=${l})` } };
  }
  return { type: 'skip', length: 1, reason: 'M-Bus frame without stop byte where its length says',
    fault: { code: 'BAD_FRAME', message: `M-Bus frame (L=${l}) has no stop byte 0x16 at its end` } };
}

/** Transport SAPs at the start of each segment's user data (source 0x01, destination 0x67). */
const TSAP = [0x01, 0x67];

function userData(unit: Uint8Array): Uint8Array {
  let from = 7;
  if (unit[7] === TSAP[0] && unit[8] === TSAP[1] && unit.length >= 11) from = 9;
  return unit.subarray(from, unit.length - 2);
}

/** The M-Bus link reader (also used by the auto-detecting framer). */
export function createMbusLinkReader(limits: FramerOptions = DEFAULT_LIMITS): LinkReader {
  const meter = limits.meter;
  const delivery = createApduDelivery('mbus', limits.maxBuffer);
  const arena = createByteArena();
  let parts: Uint8Array[] = [];
  let size = 0;
  let bytes = 0;

  function dropPartial(reason: string): FramerEvent[] {
    if (parts.length === 0) return [];
    const e = discard('mbus', bytes, reason, new MeterError('TRUNCATED', 'framing', reason), arenaConcat(arena, parts));
    parts = [];
    size = bytes = 0;
    return [e];
  }

  function accept(unit: Uint8Array): FramerEvent[] {
    const ci = unit[6];
    if ((ci & 0xe0) !== 0) {
      return [discard('mbus', unit.length, `CI 0x${ci.toString(16)} is not a DLMS segment`,
        new MeterError('BAD_FRAME', 'framing', `M-Bus CI 0x${ci.toString(16)} does not carry DLMS`))];
    }
    const seq = ci & 0x0f;
    const events: FramerEvent[] = [];
    if (seq === 0) events.push(...dropPartial('M-Bus APDU incomplete: a new first segment arrived'));
    else if (seq !== parts.length || parts.length === 0) {
      events.push(...dropPartial(`M-Bus APDU incomplete: segment ${seq} arrived after ${parts.length} segment(s)`));
      events.push(discard('mbus', unit.length, `M-Bus segment ${seq} out of sequence`,
        new MeterError('TRUNCATED', 'framing', `M-Bus segment ${seq} without its predecessors`)));
      return events;
    }
    const data = userData(unit);
    if (size + data.length > limits.maxBuffer) {
      events.push(...dropPartial(`M-Bus APDU exceeds ${limits.maxBuffer} bytes`));
      events.push(discard('mbus', unit.length, 'M-Bus APDU too large',
        new MeterError('LIMIT_EXCEEDED', 'framing', `M-Bus APDU exceeds ${limits.maxBuffer} bytes`)));
      return events;
    }
    parts.push(arenaCopy(arena, data));
    size += data.length;
    bytes += unit.length;
    if ((ci & 0x10) === 0) return events;
    const frames = parts.length;
    const total = bytes;
    const payload = arenaConcat(arena, parts);
    parts = [];
    size = bytes = 0;
    events.push(...delivery.deliver(payload, frames, total));
    return events;
  }

  return {
    kind: 'mbus',
    maxUnit: MBUS_MAX_FRAME,
    isStart: (b) => b === START || b === SHORT_START || b === ACK,
    scan: (buf, pos, end, eof, resume) => scanMbus(buf, pos, end, eof, resume, meter),
    metered: true,
    accept,
    flush: () => [...dropPartial('M-Bus APDU incomplete at end of input: last segment missing'), ...delivery.flush()],
  };
}

export function createMbusFramer(limits: FramerOptions = DEFAULT_LIMITS): Framer {
  return createScanningFramer([createMbusLinkReader(limits)], { limits });
}
