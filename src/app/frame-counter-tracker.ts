/**
 * Frame counter (invocation counter) bookkeeping per system title. A repeated counter is a replayed or
 * duplicated frame; a counter that goes backwards or a new system title on the same line is reported.
 * State is a plain record so the edge can persist it across restarts.
 */
import type { MessageIssue } from '../core/model/message.js';

export type CounterState = Record<string, number>;

export type CounterVerdict =
  | { kind: 'ok' }
  | { kind: 'replay'; issue: MessageIssue }
  | { kind: 'backwards'; issue: MessageIssue }
  | { kind: 'new-title'; issue?: MessageIssue };

export interface CounterTracker {
  check(systemTitle: string, counter: number): CounterVerdict;
  snapshot(): CounterState;
}

export function createCounterTracker(initial: CounterState = {}): CounterTracker {
  const last = new Map<string, number>(Object.entries(initial));
  let currentTitle: string | undefined;
  return {
    check(systemTitle, counter) {
      const previousTitle = currentTitle;
      currentTitle = systemTitle;
      const prev = last.get(systemTitle);
      if (prev !== undefined && counter === prev) {
        return { kind: 'replay', issue: { code: 'FRAME_COUNTER_REPLAY',
          message: `frame counter ${counter} repeated for system title ${systemTitle}: replayed or duplicated frame, not delivered` } };
      }
      last.set(systemTitle, counter);
      if (prev !== undefined && counter < prev) {
        return { kind: 'backwards', issue: { code: 'FRAME_COUNTER_BACKWARDS',
          message: `frame counter went back from ${prev} to ${counter} for system title ${systemTitle} (meter reset or replay)` } };
      }
      if (previousTitle !== undefined && previousTitle !== systemTitle) {
        return { kind: 'new-title', issue: { code: 'SYSTEM_TITLE_CHANGED',
          message: `system title changed from ${previousTitle} to ${systemTitle}: another meter on this line?` } };
      }
      return prev === undefined ? { kind: 'new-title' } : { kind: 'ok' };
    },
    snapshot() {
      return Object.fromEntries(last);
    },
  };
}
