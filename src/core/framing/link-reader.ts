/**
 * The contract between the scanning engine (link-scanner.ts) and the link layers it runs (DESIGN §3): a
 * `LinkReader` decides what starts at a position from the bytes buffered there. Kept apart from the engine so
 * readers depend on the contract only.
 */
import { MeterError } from '../errors.js';
import type { FrameKind, FramerEvent } from './types.js';

/** An error a skip carries, built only when the scanner reports it (false starts in noise are frequent). */
export interface ScanFault {
  code: 'BAD_FRAME' | 'BAD_CHECKSUM' | 'LIMIT_EXCEEDED';
  message: string;
}

/** What a reader found at a start byte. */
export type ScanStep =
  /** A complete link unit of `length` bytes; `checked` when a checksum vouched for it. */
  | { type: 'unit'; length: number; checked: boolean }
  /**
   * The decision depends on bytes not buffered yet. `resume`, when set, is handed back to the next scan() at
   * this same unit start (and only there), so the reader continues where it stopped instead of re-reading.
   */
  | { type: 'need'; resume?: unknown }
  /**
   * Not a valid unit: drop `length` bytes. Without `reason` it is ordinary hunting for a start byte. With one,
   * `error` (or `fault`, built on demand) says what was wrong. One-byte skips with a reason (false starts) are
   * merged with the hunting around them into one discard, so noise cannot produce an event per byte.
   */
  | { type: 'skip'; length: number; reason?: string; error?: MeterError; fault?: ScanFault }
  /** Fill or link-control bytes (HDLC flags, M-Bus ACK): drop without reporting. */
  | { type: 'quiet'; length: number };

export interface LinkReader {
  readonly kind: FrameKind;
  /** Largest unit scan() can return; auto-detection gives up on a kind after 2× this much garbage. */
  readonly maxUnit: number;
  isStart(byte: number): boolean;
  /**
   * Decides what starts at `pos` (a start byte) from buf[pos..end). `eof`: no more bytes will come. `resume`:
   * what this reader's previous scan() returned with 'need', when that was at this same unit start with fewer
   * bytes (the buffer may have moved, so state must be relative to `pos`); undefined otherwise.
   */
  scan(buf: Uint8Array, pos: number, end: number, eof: boolean, resume?: unknown): ScanStep;
  /** Takes a unit scan() returned (a view: copy what is kept) and returns the frames/discards it completes. */
  accept(unit: Uint8Array): FramerEvent[];
  /** End of input: discards partially assembled messages and resets. */
  flush(): FramerEvent[];
  /**
   * True when scan() adds the bytes it reads to the framer's work meter itself. Otherwise the scanner charges
   * each scan() call with end − pos, an upper bound.
   */
  readonly metered?: boolean;
}

/** What a skip says went wrong: an error, or a fault to build one from. */
export interface SkipCause {
  error?: MeterError;
  fault?: ScanFault;
}

/** Builds the error of a skip: the one it carries, or its fault. */
export function skipError(s: SkipCause): MeterError | undefined {
  if (s.error) return s.error;
  return s.fault ? new MeterError(s.fault.code, 'framing', s.fault.message) : undefined;
}

/**
 * Watches a framer forced to one format for a stream of another kind (link-scanner.ts). The scanner feeds it
 * the garbage it discards, and after more than `threshold` bytes without a valid unit asks it once for a
 * NO_FRAME error saying what the stream looks like.
 */
export interface FormatWatch {
  readonly threshold: number;
  /** Discarded bytes, in stream order, until the notice was given. */
  observe(bytes: Uint8Array): void;
  /** The NO_FRAME error for `bytes` bytes without a valid unit. */
  notice(bytes: number): MeterError;
  /** A valid unit arrived, or the input ended: start over. */
  reset(): void;
}

export function discard(kind: FrameKind | undefined, bytes: number, reason: string, error?: MeterError,
  partial?: Uint8Array): FramerEvent {
  const e: FramerEvent = { type: 'discarded', bytes, reason };
  if (kind) e.kind = kind;
  if (error) e.error = error;
  if (partial) e.partial = partial;
  return e;
}

/** Joins byte arrays (segments, blocks) into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
