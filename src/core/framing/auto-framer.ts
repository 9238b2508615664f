/**
 * Detects the framing of a stream from the first byte of each unit: `/` DSMR P1 telegram (NEN-EN 62056-21),
 * 0x68 M-Bus long frame (EN 13757-2), 0x7E HDLC (IEC 62056-46), 0xDB / 0x0F bare DLMS APDU (IEC 62056-5-3).
 * Once a valid unit of one kind was seen the framer sticks to it, so start bytes of other kinds inside noise are
 * not mistaken for frames; after sustained garbage (more than twice that kind's largest unit without a valid one)
 * it detects afresh. Everything runs on the shared scanning engine, so chunking does not change the events.
 */
import { MeterError } from '../errors.js';
import { createApduFramer, createApduLinkReader } from './apdu-framer.js';
import { createDsmrFramer } from './dsmr-framer.js';
import { createDsmrLinkReader } from './dsmr-link-reader.js';
import { createHdlcFramer, createHdlcLinkReader } from './hdlc-framer.js';
import { createScanningFramer } from './link-scanner.js';
import { createMbusFramer, createMbusLinkReader } from './mbus-framer.js';
import { DEFAULT_LIMITS, type Framer, type FramerOptions } from './types.js';

export type FramingFormat = 'auto' | 'dsmr' | 'mbus' | 'hdlc' | 'apdu';

export function createAutoFramer(limits: FramerOptions = DEFAULT_LIMITS): Framer {
  return createScanningFramer([createDsmrLinkReader(createDsmrFramer(limits)), createMbusLinkReader(limits),
    createHdlcLinkReader(limits), createApduLinkReader(limits)], { limits });
}

/** The framer for a configured format; 'auto' detects it from the stream. */
export function createFramer(format: FramingFormat, limits: FramerOptions = DEFAULT_LIMITS): Framer {
  switch (format) {
    case 'auto': return createAutoFramer(limits);
    case 'dsmr': return createDsmrFramer(limits);
    case 'mbus': return createMbusFramer(limits);
    case 'hdlc': return createHdlcFramer(limits);
    case 'apdu': return createApduFramer(limits);
    default:
      throw new MeterError('UNKNOWN_FORMAT', 'config',
        `unknown framing "${String(format)}" (use auto, dsmr, mbus, hdlc or apdu)`);
  }
}
