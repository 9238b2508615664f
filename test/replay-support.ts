/**
 * Helpers for the replay tests: frames with chosen frame counters from the simulator (the same counter always gives
 * the same bytes, as a recorded frame would), and a reader on a hand-driven source with a fake clock.
 */
import { createReader, type ReaderOptions } from '../src/app/reader.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import type { Source, SourceHandlers } from '../src/adapters/sources/types.js';
import type { ErrorMessage, MeterMessage } from '../src/core/model/message.js';

export const T0 = Date.UTC(2025, 5, 1);
export const KEYS = { key: DEMO_KEY, authKey: DEMO_AUTH_KEY };

/** Frames of one simulated meter by frame counter; a counter asked for twice gives the identical bytes. */
export function meterFrames(profile = 'lu-smarty'): (counter: number) => Uint8Array {
  const made = new Map<number, Uint8Array>();
  return (counter) => {
    let f = made.get(counter);
    if (!f) {
      f = createSimulator({ profile, frameCounter: counter }).frame(T0 + counter * 1000);
      made.set(counter, f);
    }
    return f;
  };
}

interface FakeSource extends Source { handlers?: SourceHandlers }

function fakeSource(): FakeSource {
  const s: FakeSource = {
    description: 'fake',
    start(h) { s.handlers = h; h.state('connecting'); h.state('connected'); },
    async stop() { s.handlers = undefined; },
    recycle() { /* nothing to recycle */ },
  };
  return s;
}

export interface Harness {
  reader: ReturnType<typeof createReader>;
  messages: MeterMessage[];
  errors: { err: ErrorMessage; suppressed: number }[];
  logs: string[];
  /** Pushes each chunk as one read from the line, the clock one second further each time. */
  feed(...chunks: Uint8Array[]): void;
  /** Moves the fake clock on without data (the error rate limiter's window). */
  advance(ms: number): void;
  /** Delivered frame counters, in order. */
  counters(): (number | undefined)[];
  stop(): Promise<void>;
}

export function readerHarness(extra: Partial<ReaderOptions> = {}): Harness {
  const src = fakeSource();
  let clock = T0;
  const messages: MeterMessage[] = [];
  const errors: { err: ErrorMessage; suppressed: number }[] = [];
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
  const reader = createReader({
    source: src, decoder: KEYS, watchdogMs: 3_600_000, log, now: () => clock,
    onMessage: (m) => messages.push(m), onError: (err, suppressed) => errors.push({ err, suppressed }), ...extra,
  });
  reader.start();
  return {
    reader, messages, errors, logs,
    feed(...chunks) {
      for (const c of chunks) { clock += 1000; src.handlers?.data(c); }
    },
    advance(ms) { clock += ms; },
    counters: () => messages.map((m) => m.security?.frameCounter),
    stop: () => reader.stop(),
  };
}

/** Several frames in one chunk, as a fast source (a file, a TCP burst) hands them over. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
