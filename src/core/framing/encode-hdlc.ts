/**
 * Encoder for IEC 62056-46 HDLC frames (type 3): `7E | A0/A8 length | dest | src | control | HCS | info | FCS | 7E`
 * with CRC-16/X.25 HCS/FCS (LSB first), the LLC header `E6 E7 00` in front of the APDU, and segmentation
 * (S bit) when the information field exceeds `maxInfo`. Options reproduce what meters do: LLC in every segment,
 * shared flags between frames, a missing closing flag. Pure; for fixtures and the simulator.
 */
import { crc16X25 } from '../bytes/crc.js';
import { MeterError } from '../errors.js';
import { concatBytes } from './link-scanner.js';

export interface HdlcEncodeOptions {
  /** Largest information field per frame (LLC included); default: as much as the 11-bit length allows. */
  maxInfo?: number;
  /** Destination address bytes (LSB of the last byte 1); default [0x41]. */
  destAddress?: Uint8Array;
  /** Source address bytes; default [0x03]. */
  srcAddress?: Uint8Array;
  /** Control field; default 0x13 (UI, final). */
  control?: number;
  /** Put `E6 E7 00` in front of the APDU; default true. */
  llc?: boolean;
  /** Repeat the LLC at the start of every segment (some meters do). */
  llcInEverySegment?: boolean;
  /** Leave out the closing flag of the last frame. */
  omitClosingFlag?: boolean;
  /** One flag between consecutive frames instead of a closing and an opening flag. */
  sharedFlags?: boolean;
}

const LLC = Uint8Array.of(0xe6, 0xe7, 0x00);
const MAX_LENGTH = 0x7ff;

function checkAddress(a: Uint8Array, what: string): Uint8Array {
  const ok = (a.length === 1 || a.length === 2 || a.length === 4) &&
    a.every((b, i) => ((b & 1) === 1) === (i === a.length - 1));
  if (!ok) throw new MeterError('BAD_VALUE', 'framing', `HDLC ${what} address must be 1, 2 or 4 bytes, only the last with LSB 1`);
  return a;
}

/** One frame without flags: format..FCS. */
function encodeFrame(info: Uint8Array, segmented: boolean, header: Uint8Array): Uint8Array {
  const length = header.length + 2 + 2 + info.length + 2; // format + addresses/control + HCS + info + FCS
  const f = new Uint8Array(length);
  f[0] = 0xa0 | (segmented ? 0x08 : 0) | (length >> 8);
  f[1] = length & 0xff;
  f.set(header, 2);
  const hcsAt = 2 + header.length;
  const hcs = crc16X25(f, 0, hcsAt);
  f[hcsAt] = hcs & 0xff;
  f[hcsAt + 1] = hcs >> 8;
  f.set(info, hcsAt + 2);
  const fcs = crc16X25(f, 0, length - 2);
  f[length - 2] = fcs & 0xff;
  f[length - 1] = fcs >> 8;
  return f;
}

/** Splits one APDU into information fields of at most `maxInfo` bytes each. */
function infoFields(apdu: Uint8Array, maxInfo: number, opts: HdlcEncodeOptions): Uint8Array[] {
  const llc = opts.llc ?? true;
  if (llc && opts.llcInEverySegment) {
    const chunk = maxInfo - LLC.length;
    const n = Math.max(1, Math.ceil(apdu.length / chunk));
    return Array.from({ length: n }, (_, i) => concatBytes([LLC, apdu.subarray(i * chunk, (i + 1) * chunk)]));
  }
  const all = llc ? concatBytes([LLC, apdu]) : apdu;
  const n = Math.max(1, Math.ceil(all.length / maxInfo));
  return Array.from({ length: n }, (_, i) => all.subarray(i * maxInfo, (i + 1) * maxInfo));
}

/** Encodes one APDU, or several sent one after another, as a byte stream of HDLC frames with flags. */
export function encodeHdlcFrames(apdu: Uint8Array | readonly Uint8Array[], opts: HdlcEncodeOptions = {}): Uint8Array {
  const header = concatBytes([checkAddress(opts.destAddress ?? Uint8Array.of(0x41), 'destination'),
    checkAddress(opts.srcAddress ?? Uint8Array.of(0x03), 'source'), Uint8Array.of(opts.control ?? 0x13)]);
  const largest = MAX_LENGTH - header.length - 6;
  const maxInfo = opts.maxInfo ?? largest;
  const minInfo = opts.llcInEverySegment ? LLC.length + 1 : 1;
  if (!Number.isInteger(maxInfo) || maxInfo < minInfo || maxInfo > largest) {
    throw new MeterError('BAD_VALUE', 'framing', `maxInfo must be an integer in ${minInfo}..${largest}, got ${maxInfo}`);
  }
  const frames: Uint8Array[] = [];
  for (const a of apdu instanceof Uint8Array ? [apdu] : apdu) {
    const fields = infoFields(a, maxInfo, opts);
    fields.forEach((info, i) => frames.push(encodeFrame(info, i < fields.length - 1, header)));
  }
  const flag = Uint8Array.of(0x7e);
  const parts: Uint8Array[] = [];
  frames.forEach((f, i) => {
    if (i === 0 || !opts.sharedFlags) parts.push(flag);
    parts.push(f, flag);
  });
  if (opts.omitClosingFlag) parts.pop();
  return concatBytes(parts);
}
