/**
 * Push-based framer contract (DESIGN §3): feed any slice of the byte stream, get back what it completed.
 * Garbage never throws; it comes back as `discarded` with a reason. "Incomplete" is simply nothing yet.
 */
import type { MeterError } from '../errors.js';

export type FrameKind = 'dsmr' | 'mbus' | 'hdlc' | 'apdu';

/** A complete unit of the outer framing, with the framing removed. */
export interface FrameEvent {
  type: 'frame';
  kind: FrameKind;
  /**
   * For `dsmr`: the telegram bytes from `/` through the CRC line (ASCII).
   * For `mbus`/`hdlc`/`apdu`: the reassembled DLMS APDU (segments joined, LLC `E6 E7 00` / M-Bus `01 67`
   * stripped, general-block-transfer blocks joined), starting with its tag (0xDB, 0x0F, …).
   */
  payload: Uint8Array;
  /** Number of link-layer frames this payload was assembled from. */
  segments: number;
}

export interface DiscardEvent {
  type: 'discarded';
  kind?: FrameKind;
  bytes: number;
  reason: string;
  /** Set when the discard is a checksum failure or a malformed frame, for counters and diagnostics. */
  error?: MeterError;
  /**
   * Set when an unfinished message is dropped (missing segments, GBT blocks without the last-block flag):
   * the APDU bytes that did arrive, joined, so a caller may still try to decode them.
   */
  partial?: Uint8Array;
}

export type FramerEvent = FrameEvent | DiscardEvent;

export interface Framer {
  push(chunk: Uint8Array): FramerEvent[];
  /** End of input: emits what a complete-at-EOF frame allows (e.g. HDLC final frame without closing flag). */
  flush(): FramerEvent[];
}

export interface FramerLimits {
  /** Largest buffered unit before the framer discards and resyncs. */
  maxBuffer: number;
}

/**
 * A deterministic work counter (docs/decoding-bounds.md): tests assert on it instead of time. `steps` counts
 * bytes looked at (hunting, headers, checksums, copies) and A-XDR items walked; it does not depend on chunking
 * beyond the bytes a reader re-reads while it waits for a unit to complete.
 */
export interface WorkMeter {
  steps: number;
}

/** Limits plus an optional work meter (not a limit: a probe for tests and diagnostics). */
export interface FramerOptions extends FramerLimits {
  meter?: WorkMeter;
}

export const DEFAULT_LIMITS: FramerLimits = { maxBuffer: 64 * 1024 };
