/**
 * Receive times for messages without a meter time stamp, fixed per message object (a retried batch gets the same
 * times, so idempotent writes stay idempotent) and strictly increasing (two such messages in one millisecond stay
 * two rows or points).
 */
import type { MeterMessage } from '../core/model/message.js';

export function receiveClock(now: () => number): (m: MeterMessage) => number {
  const seen = new WeakMap<MeterMessage, number>();
  let last = 0;
  return (m) => {
    let t = seen.get(m);
    if (t === undefined) {
      t = Math.max(now(), last + 1);
      last = t;
      seen.set(m, t);
    }
    return t;
  };
}
