/**
 * Encoder for DLMS over M-Bus long frames (EN 13757-2 §5): `68 L L 68 C A CI 01 67 <APDU part> CS 16`, the APDU
 * split into segments numbered by CI (low nibble = sequence, 0x10 = last). `wrapLength` writes L mod 256 for
 * frames of 256..511 bytes, reproducing the Sagemcom T210-D `68 01 01 68` quirk. Pure; for fixtures and the simulator.
 */
import { mbusChecksum } from '../bytes/crc.js';
import { MeterError } from '../errors.js';
import { concatBytes } from './link-scanner.js';

export interface MbusEncodeOptions {
  /** APDU bytes per frame (after `01 67`); default 0xFA - 5 = 245, so full frames have L = 0xFA. */
  maxSegmentData?: number;
  /** Primary address (A field); default 0xFF. */
  address?: number;
  /** Control field (C); default 0x53 (SND_UD). */
  control?: number;
  /** Write L mod 256 when C..user data exceeds 255 bytes, as the T210-D does. */
  wrapLength?: boolean;
}

const DEFAULT_SEGMENT = 0xfa - 5;

function encodeFrame(part: Uint8Array, ci: number, opts: MbusEncodeOptions): Uint8Array {
  const l = 5 + part.length; // C, A, CI, 01, 67
  if (l > 255 && !(opts.wrapLength && l <= 511)) {
    throw new MeterError('BAD_VALUE', 'framing', `M-Bus frame of ${l} bytes needs wrapLength (or a smaller maxSegmentData)`);
  }
  const f = new Uint8Array(l + 6);
  f.set([0x68, l & 0xff, l & 0xff, 0x68, opts.control ?? 0x53, opts.address ?? 0xff, ci, 0x01, 0x67]);
  f.set(part, 9);
  f[l + 4] = mbusChecksum(f, 4, l + 4);
  f[l + 5] = 0x16;
  return f;
}

function encodeOne(apdu: Uint8Array, opts: MbusEncodeOptions): Uint8Array[] {
  const size = opts.maxSegmentData ?? DEFAULT_SEGMENT;
  if (!Number.isInteger(size) || size < 1) {
    throw new MeterError('BAD_VALUE', 'framing', `maxSegmentData must be a positive integer, got ${size}`);
  }
  const count = Math.max(1, Math.ceil(apdu.length / size));
  if (count > 16) throw new MeterError('LIMIT_EXCEEDED', 'framing', `APDU needs ${count} M-Bus segments (max 16)`);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const ci = i | (i === count - 1 ? 0x10 : 0);
    frames.push(encodeFrame(apdu.subarray(i * size, (i + 1) * size), ci, opts));
  }
  return frames;
}

/** Encodes one APDU, or several sent one after another, as concatenated M-Bus long frames. */
export function encodeMbusFrames(apdu: Uint8Array | readonly Uint8Array[], opts: MbusEncodeOptions = {}): Uint8Array {
  const apdus = apdu instanceof Uint8Array ? [apdu] : apdu;
  return concatBytes(apdus.flatMap((a) => encodeOne(a, opts)));
}
