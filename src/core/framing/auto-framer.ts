/**
 * Detects the framing of a stream from the first byte of each unit: `/` DSMR P1 telegram (NEN-EN 62056-21),
 * 0x68 M-Bus long frame (EN 13757-2), 0x7E HDLC (IEC 62056-46), 0xDB / 0x0F bare DLMS APDU (IEC 62056-5-3).
 * Once a valid unit of one kind was seen the framer sticks to it, so start bytes of other kinds inside noise are
 * not mistaken for frames; after sustained garbage (more than twice that kind's largest unit without a valid one)
 * it detects afresh. Everything runs on the shared scanning engine, so chunking does not change the events.
 * A framer forced to one format reports, once per stretch, when the stream looks like another (format-watch.ts).
 */
import { MeterError } from '../errors.js';
import { createApduLinkReader } from './apdu-framer.js';
import { createDsmrFramer } from './dsmr-framer.js';
import { createDsmrLinkReader, DSMR_MAX_UNIT } from './dsmr-link-reader.js';
import { createFormatWatch, watchDsmrFramer } from './format-watch.js';
import { createHdlcLinkReader } from './hdlc-framer.js';
import type { FormatWatch, LinkReader } from './link-reader.js';
import { createScanningFramer } from './link-scanner.js';
import { createMbusLinkReader } from './mbus-framer.js';
import { DEFAULT_LIMITS, type FrameKind, type Framer, type FramerOptions } from './types.js';

export type FramingFormat = 'auto' | 'dsmr' | 'mbus' | 'hdlc' | 'apdu';

const READERS: Record<FrameKind, (limits: FramerOptions) => LinkReader> = {
  dsmr: (limits) => createDsmrLinkReader(createDsmrFramer(limits)),
  mbus: createMbusLinkReader,
  hdlc: createHdlcLinkReader,
  apdu: createApduLinkReader,
};
const KINDS: FrameKind[] = ['dsmr', 'mbus', 'hdlc', 'apdu'];

export function createAutoFramer(limits: FramerOptions = DEFAULT_LIMITS): Framer {
  return createScanningFramer(KINDS.map((k) => READERS[k](limits)), { limits });
}

/** The watch of a framer forced to `kind`: a probe of the other formats names what the stream looks like. */
function watchFor(kind: FrameKind, maxUnit: number, limits: FramerOptions): FormatWatch {
  return createFormatWatch(kind, maxUnit, (probeLimits) => KINDS.filter((k) => k !== kind).map((k) => READERS[k](probeLimits)),
    limits.meter);
}

/** A framer for one binary format that says so (NO_FRAME), naming what the stream looks like, when it is of another kind. */
function createForcedFramer(kind: Exclude<FrameKind, 'dsmr'>, limits: FramerOptions): Framer {
  const reader = READERS[kind](limits);
  return createScanningFramer([reader], { limits, watch: watchFor(kind, reader.maxUnit, limits) });
}

/** The framer for a configured format; 'auto' detects it from the stream. */
export function createFramer(format: FramingFormat, limits: FramerOptions = DEFAULT_LIMITS): Framer {
  switch (format) {
    case 'auto': return createAutoFramer(limits);
    // DSMR keeps its own framer (text is its hot path); its watch counts its discards in byte order.
    case 'dsmr': return watchDsmrFramer(createDsmrFramer(limits), 2 * DSMR_MAX_UNIT);
    case 'mbus': case 'hdlc': case 'apdu': return createForcedFramer(format, limits);
    default:
      throw new MeterError('UNKNOWN_FORMAT', 'config',
        `unknown framing "${String(format)}" (use auto, dsmr, mbus, hdlc or apdu)`);
  }
}
