/**
 * HDLC frames of IEC 62056-46 (§6.4, frame type 3, no byte stuffing): `7E | format | dest | src | control | HCS |
 * info | FCS | 7E`. format = type 0xA (4 bits), segmentation bit S (0x08 in the first byte), 11-bit length counting
 * format..FCS. Addresses are 1, 2 or 4 bytes, each ends at the byte whose LSB is 1. HCS (over format..control) and
 * FCS (over format..info) are CRC-16/X.25, least significant byte first. Frames with S set are segments of one
 * information field, closed by a frame with S clear. The LLC header `E6 E7 00` (or `E6 E6 00`) in front of the
 * APDU (IEC 62056-46 §6.2) is removed. Flags may be shared between frames or doubled; the closing flag is not
 * required once the FCS checks, so a last frame cut after its FCS still counts.
 */
import { crc16X25 } from '../bytes/crc.js';
import { MeterError } from '../errors.js';
import { createApduDelivery } from './gbt.js';
import { arenaConcat, arenaCopy, createByteArena } from './byte-arena.js';
import { createScanningFramer, discard, type LinkReader, type ScanStep } from './link-scanner.js';
import { DEFAULT_LIMITS, type Framer, type FramerEvent, type FramerOptions, type WorkMeter } from './types.js';

const FLAG = 0x7e;
export const HDLC_MAX_FRAME = 2 + 0x7ff;

/** Frame header fields, offsets relative to the opening flag. */
interface HdlcHeader {
  /** Format..FCS byte count (the 11-bit length). */
  length: number;
  segmented: boolean;
  /** Offset of the HCS (= 1 + format..control length). */
  hcsAt: number;
}

/** Reads format and addresses; returns the header, 'need', or undefined when this is no frame header. */
function readHeader(buf: Uint8Array, pos: number, end: number): HdlcHeader | 'need' | undefined {
  let i = pos + 3;
  for (let field = 0; field < 2; field++) {
    const from = i;
    for (;;) {
      if (i >= end) return 'need';
      if (i - from >= 4) return undefined;
      if (buf[i++] & 1) break;
    }
    if (i - from === 3) return undefined; // addresses are 1, 2 or 4 bytes
  }
  const hcsAt = i + 1 - pos;
  const length = ((buf[pos + 1] & 0x07) << 8) | buf[pos + 2];
  return { length, segmented: (buf[pos + 1] & 0x08) !== 0, hcsAt };
}

const checksumOk = (buf: Uint8Array, from: number, to: number): boolean =>
  crc16X25(buf, from, to) === (buf[to] | (buf[to + 1] << 8));

const NEED: ScanStep = { type: 'need' };
const FILL: ScanStep = { type: 'quiet', length: 1 };
/** Resume marker: the header checksum of the frame waited for was checked already. */
const HCS_OK = 'hcs-ok';
const NEED_HCS_OK: ScanStep = { type: 'need', resume: HCS_OK };
const HCS_MISMATCH: ScanStep = { type: 'skip', length: 1, reason: 'HDLC header checksum (HCS) mismatch',
  fault: { code: 'BAD_CHECKSUM', message: 'HDLC HCS does not match the frame header' } };

/**
 * Decides what starts at the flag at `pos`. The unit is the opening flag and format..FCS; the closing flag stays.
 * Each call reads the header (≤ 11 bytes) and, once, the bytes a checksum covers; `meter` counts them.
 */
export function scanHdlc(buf: Uint8Array, pos: number, end: number, eof: boolean, resume?: unknown, meter?: WorkMeter): ScanStep {
  if (end - pos < 2) return eof ? FILL : NEED;
  // A flag not followed by a frame format (a doubled flag, or a closing flag before other data) is fill.
  if ((buf[pos + 1] & 0xf0) !== 0xa0) return FILL;
  if (end - pos < 3) return NEED;
  const h = readHeader(buf, pos, end);
  if (meter) meter.steps += typeof h === 'object' ? h.hcsAt + 2 : Math.min(end - pos, 12); // header, HCS
  if (h === 'need') return NEED;
  if (!h || h.length < h.hcsAt + 1 || h.length === h.hcsAt + 2) {
    return { type: 'skip', length: 1, reason: 'HDLC frame header malformed',
      fault: { code: 'BAD_FRAME', message: h ? `HDLC length ${h.length} too small for its header` : 'HDLC address not 1, 2 or 4 bytes long' } };
  }
  const total = 1 + h.length;
  const noInfo = h.length === h.hcsAt + 1; // control frames carry only an FCS
  if (!noInfo && resume !== HCS_OK) {
    if (end - pos < h.hcsAt + 2) return NEED;
    if (!checksumOk(buf, pos + 1, pos + h.hcsAt)) return HCS_MISMATCH;
  }
  if (end - pos < total) return noInfo ? NEED : NEED_HCS_OK;
  if (meter) meter.steps += total;
  if (!checksumOk(buf, pos + 1, pos + total - 2)) {
    const fault = { code: 'BAD_CHECKSUM' as const, message: `HDLC FCS does not match (frame of ${h.length} bytes)` };
    return { type: 'skip', length: noInfo ? 1 : total, reason: 'HDLC frame checksum (FCS) mismatch', fault };
  }
  return { type: 'unit', length: total, checked: true };
}

const isLlc = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xe6 && (b[1] === 0xe7 || b[1] === 0xe6) && b[2] === 0;

/** The HDLC link reader (also used by the auto-detecting framer). */
export function createHdlcLinkReader(limits: FramerOptions = DEFAULT_LIMITS): LinkReader {
  const meter = limits.meter;
  const delivery = createApduDelivery('hdlc', limits.maxBuffer);
  const arena = createByteArena();
  let parts: Uint8Array[] = [];
  let size = 0;
  let bytes = 0;

  function dropPartial(reason: string, error: MeterError): FramerEvent[] {
    if (parts.length === 0) return [];
    const e = discard('hdlc', bytes, reason, error, arenaConcat(arena, parts));
    parts = [];
    size = bytes = 0;
    return [e];
  }

  function accept(unit: Uint8Array): FramerEvent[] {
    const h = readHeader(unit, 0, unit.length) as HdlcHeader;
    if (h.length === h.hcsAt + 1) return []; // RR/RNR and other control frames: nothing for us
    let info = unit.subarray(h.hcsAt + 2, unit.length - 2);
    if (isLlc(info)) info = info.subarray(3);
    if (size + info.length > limits.maxBuffer) {
      const reason = `HDLC segmented information field exceeds ${limits.maxBuffer} bytes`;
      const events = dropPartial(reason, new MeterError('LIMIT_EXCEEDED', 'framing', reason));
      return [...events, discard('hdlc', unit.length, reason)];
    }
    parts.push(arenaCopy(arena, info));
    size += info.length;
    bytes += unit.length;
    if (h.segmented) return [];
    const frames = parts.length;
    const total = bytes;
    const payload = arenaConcat(arena, parts);
    parts = [];
    size = bytes = 0;
    return delivery.deliver(payload, frames, total);
  }

  return {
    kind: 'hdlc',
    maxUnit: HDLC_MAX_FRAME,
    isStart: (b) => b === FLAG,
    scan: (buf, pos, end, eof, resume) => scanHdlc(buf, pos, end, eof, resume, meter),
    metered: true,
    accept,
    flush: () => {
      // Nothing pending is the common case (a fleet worker flushes after every payload): no error object then.
      if (parts.length === 0) return delivery.flush();
      const reason = 'HDLC segmented message incomplete at end of input: final frame missing';
      return [...dropPartial(reason, new MeterError('TRUNCATED', 'framing', reason)), ...delivery.flush()];
    },
  };
}

export function createHdlcFramer(limits: FramerOptions = DEFAULT_LIMITS): Framer {
  return createScanningFramer([createHdlcLinkReader(limits)], { limits });
}
