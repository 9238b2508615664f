/** Collects what a Source delivers, for tests: all bytes concatenated, and every state change in order. */
import type { SourceHandlers, SourceState } from '../../src/adapters/sources/types.js';
import { waitFor } from './pty.js';

export interface SourceRecorder extends SourceHandlers {
  readonly states: { state: SourceState; detail?: string }[];
  readonly chunks: Uint8Array[];
  bytes(): Buffer;
  stateList(): SourceState[];
  /** Waits (bounded) until the given number of bytes has arrived in total. */
  waitForBytes(count: number): Promise<void>;
  /** Waits (bounded) until the state has been reported `times` times in total. */
  waitForState(state: SourceState, times?: number): Promise<void>;
}

export function createRecorder(): SourceRecorder {
  const states: { state: SourceState; detail?: string }[] = [];
  const chunks: Uint8Array[] = [];
  const bytes = () => Buffer.concat(chunks);
  const count = (s: SourceState) => states.filter((x) => x.state === s).length;
  return {
    states,
    chunks,
    bytes,
    stateList: () => states.map((s) => s.state),
    data(chunk) {
      chunks.push(Uint8Array.from(chunk));
    },
    state(state, detail) {
      states.push({ state, detail });
    },
    waitForBytes: (n) => waitFor(() => bytes().length >= n, `${n} bytes (have ${bytes().length})`),
    waitForState: (s, times = 1) => waitFor(() => count(s) >= times, `state '${s}' ×${times} (states: ${states.map((x) => x.state).join(',')})`),
  };
}

/** Asserts the contract that no state is reported twice in a row. */
export function hasNoRepeatedState(states: readonly { state: SourceState }[]): boolean {
  return states.every((s, i) => i === 0 || states[i - 1].state !== s.state);
}
