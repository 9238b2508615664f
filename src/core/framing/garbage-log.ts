/**
 * How the scanning engine (link-scanner.ts) reports the bytes it throws away (DESIGN §3, "Discarded" frames).
 * Runs of hunted bytes and false starts (a start byte that began no unit) are merged into one `discarded`
 * event, reported in pieces of at most HUNT_REPORT bytes and before the next other event, so noise yields a
 * bounded number of events whatever it holds: at most one per HUNT_REPORT bytes plus one per bad whole unit.
 * A merged discard takes the reason and error of its first false start; the further pieces of the same stretch
 * keep the reason, not the error (one cause, one error message). Pieces are cut at byte counts only,
 * never at chunk boundaries, so chunking does not change the events.
 *
 * With a FormatWatch (a framer forced to one format), the discarded bytes are also shown to the watch, and the
 * discard that carries the stretch past the watch's threshold without a valid unit gets its NO_FRAME error:
 * once per stretch.
 */
import type { MeterError } from '../errors.js';
import { discard, skipError, type FormatWatch, type SkipCause } from './link-reader.js';
import type { FrameKind, FramerEvent } from './types.js';

/** Garbage is reported in pieces of at most this size, so long noise still shows up in counters. */
export const HUNT_REPORT = 4096;
export const HUNT_REASON = 'no frame start (hunting for the next start byte)';

export interface GarbageLog {
  /** Hunted bytes buf[pos, pos + n): no frame starts there. */
  hunt(buf: Uint8Array, pos: number, n: number, kind: FrameKind | undefined, reason?: string): void;
  /** A start byte at `pos` that began no unit: one byte, merged with the hunting around it. */
  falseStart(buf: Uint8Array, pos: number, kind: FrameKind, reason: string, cause: SkipCause): void;
  /** A whole unit of n bytes found bad (e.g. its checksum): a discard of its own. */
  badUnit(buf: Uint8Array, pos: number, n: number, kind: FrameKind, reason: string, error?: MeterError): void;
  /** Fill bytes (flags, ACKs): not garbage, but inside a stretch of it the watch sees them (data elsewhere). */
  quiet(buf: Uint8Array, pos: number, n: number): void;
  /** Reports the merged discard, if any. */
  emit(): void;
  /** A valid unit was found: the stretch without one ends. */
  unit(): void;
  /** End of input. */
  reset(): void;
}

export function createGarbageLog(push: (e: FramerEvent) => void, watch?: FormatWatch): GarbageLog {
  let pending = 0;
  let reason = HUNT_REASON;
  let kind: FrameKind | undefined;
  /** The merged discard holds a false start: its reason and error describe it. */
  let notable = false;
  let error: SkipCause | undefined;
  let notice: MeterError | undefined;
  let stretch = 0; // discarded bytes since the last valid unit (with a watch)
  let noticed = false;
  let explained = false; // the stretch reported an error of its own (an overlong unit, a bad checksum)

  /**
   * Reports the merged discard. A piece cut at HUNT_REPORT passes its false start's reason on to the next piece,
   * but not its error: one false start (an overlong telegram) is one error message, not one per 4 KiB.
   */
  function emit(piece = false): void {
    if (pending > 0) {
      push(discard(kind, pending, notice ? notice.message : reason, notice ?? (error && skipError(error))));
      pending = 0;
      notice = undefined;
      error = undefined;
    }
    if (!piece) notable = false;
  }

  /** Shows n discarded bytes to the watch; true when they carry the stretch past its threshold. */
  function watched(buf: Uint8Array, pos: number, n: number): boolean {
    if (!watch || noticed) return false;
    if (explained) { // the stretch already carries an error saying what was wrong: no NO_FRAME on top
      noticed = true;
      return false;
    }
    watch.observe(buf.subarray(pos, pos + n));
    stretch += n;
    if (stretch <= watch.threshold) return false;
    noticed = true;
    return true;
  }

  /** Adds n bytes to the merged discard; a piece started here is plain hunting (`why`, `k`). */
  function add(buf: Uint8Array, pos: number, n: number, why: string, k: FrameKind | undefined): void {
    while (n > 0) {
      if (pending === 0 && !notable) {
        reason = why;
        kind = k;
      }
      let take = Math.min(n, HUNT_REPORT - pending);
      if (watch && !noticed) take = Math.min(take, watch.threshold + 1 - stretch);
      pending += take;
      const crossed = watched(buf, pos, take);
      pos += take;
      n -= take;
      if (crossed) notice = watch!.notice(stretch);
      if (crossed || pending === HUNT_REPORT) emit(true);
    }
  }

  return {
    hunt(buf, pos, n, k, why = HUNT_REASON) {
      add(buf, pos, n, why, k);
    },
    falseStart(buf, pos, k, why, err) {
      if (err.error !== undefined || err.fault !== undefined) explained = true;
      if (!notable) {
        emit(); // plain hunting before the first false start keeps its own discard
        notable = true;
        reason = why;
        kind = k;
        error = err;
      }
      add(buf, pos, 1, why, k);
    },
    badUnit(buf, pos, n, k, why, err) {
      emit();
      if (err) explained = true;
      const crossed = watched(buf, pos, n);
      push(discard(k, n, why, crossed ? watch!.notice(stretch) : err));
    },
    quiet(buf, pos, n) {
      if (watch && !noticed && stretch > 0) watch.observe(buf.subarray(pos, pos + n));
    },
    emit: () => emit(),
    unit() {
      if (stretch === 0 && !noticed && !explained) return; // the common case: units back to back
      stretch = 0;
      noticed = false;
      explained = false;
      watch?.reset();
    },
    reset() {
      emit();
      stretch = 0;
      noticed = false;
      explained = false;
      watch?.reset();
    },
  };
}
