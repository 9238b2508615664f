/**
 * Forwards state changes to the handlers exactly once per change, and nothing at all once silenced (after
 * stop()), so a source can report freely from any socket event without spamming or calling a torn-down reader.
 */
import type { SourceHandlers, SourceState } from './types.js';

export interface StateReporter {
  readonly current: SourceState | undefined;
  /** Reports `state` if it differs from the current one; returns whether it was a change. */
  set(state: SourceState, detail?: string): boolean;
  data(chunk: Uint8Array): void;
  /** Drops every later call (the source was stopped). */
  silence(): void;
}

export function createStateReporter(handlers: SourceHandlers): StateReporter {
  let current: SourceState | undefined;
  let silenced = false;
  return {
    get current() {
      return current;
    },
    set(state, detail) {
      if (silenced || state === current) return false;
      current = state;
      handlers.state(state, detail);
      return true;
    },
    data(chunk) {
      if (!silenced && chunk.length > 0) handlers.data(chunk);
    },
    silence() {
      silenced = true;
    },
  };
}
