/**
 * What the outer layers tell the payload stages about a unit: the meter as the envelope names it, the
 * guarantees that held so far, and the quality flags every reading of the unit inherits.
 */
import type { FrameKind } from './framing/types.js';
import type { MeterInfo, QualityFlag, SecurityInfo } from './model/message.js';

export interface UnitEnvelope {
  meter: MeterInfo;
  security: SecurityInfo;
  /** Flags every reading gets (`unverified` when a tag was not checked). */
  quality: readonly QualityFlag[];
  /** True when the unit came in a DLMS security envelope. */
  enveloped: boolean;
}

export const NO_QUALITY: readonly QualityFlag[] = Object.freeze([]) as readonly QualityFlag[];
export const UNVERIFIED: readonly QualityFlag[] = Object.freeze(['unverified']) as readonly QualityFlag[];

/** M-Bus and HDLC frames are checksum-verified by their framers; bare APDUs carry no checksum. */
export function linkChecksum(kind: FrameKind): SecurityInfo['checksum'] {
  return kind === 'mbus' || kind === 'hdlc' ? 'verified' : 'absent';
}

/** The envelope of a unit that came without DLMS security (plain DSMR, unencrypted HAN lists). */
export function plainEnvelope(kind: FrameKind): UnitEnvelope {
  return { meter: {}, security: { authenticated: false, encrypted: false, checksum: linkChecksum(kind) }, quality: NO_QUALITY,
    enveloped: false };
}
