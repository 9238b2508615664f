/**
 * The fleet-wide replay rule (docs/fleet-schema.md "Frame counters and replays"). Shared subscriptions commit a
 * meter's frames out of order on different workers, and a redelivery repeats frames already stored: neither may be
 * refused as a replay or stored twice. The stored counter per system title is the highest ever committed.
 *
 *   counter > stored maximum (or none stored)             → fresh: insert (a conflict on (meter, time) = duplicate)
 *   counter ≤ maximum, and the frame is already stored     → duplicate (same meter and time, or same meter and
 *                                                            counter within the redelivery horizon)
 *   counter ≤ maximum, not stored, meter's own clock,
 *     maximum − counter ≤ reorder window                   → late: insert (out-of-order delivery)
 *   otherwise                                              → replay: dead letter
 *
 * The meter's clock is what makes a late frame safe to store: a replayed frame can only land on the instant it was
 * originally sent for, beside the genuine readings, never pose as a current reading. Without it the row's time
 * would be the receive time, so an old frame would read as new.
 */

export type Verdict = 'fresh' | 'late' | 'duplicate' | 'replay';

export interface CounterFacts {
  frameCounter: number;
  clockFromMeter: boolean;
  /** Highest counter committed for the system title before this commit; undefined when none. */
  storedMax: number | undefined;
  /** Whether the store already holds this frame (checked only for frames at or below the maximum). */
  alreadyStored: boolean;
}

export function needsStoredCheck(frameCounter: number, storedMax: number | undefined): boolean {
  return storedMax !== undefined && frameCounter <= storedMax;
}

export function verdictOf(f: CounterFacts, reorderWindow: number): Verdict {
  if (!needsStoredCheck(f.frameCounter, f.storedMax)) return 'fresh';
  if (f.alreadyStored) return 'duplicate';
  if (f.clockFromMeter && f.storedMax! - f.frameCounter <= reorderWindow) return 'late';
  return 'replay';
}
