/**
 * Soak run shared by test/read-soak.test.ts and bench/soak.mjs: the simulator writes `distinct` frames of a
 * profile to a capture file, and the reader (file source with ?loop=1, frame-counter state file, all guards on)
 * reads it as fast as it can until `total` messages were delivered, sampling memory along the way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../../src/app/simulator.js';
import { createReader } from '../../src/app/reader.js';
import { createStateFile } from '../../src/app/state-file.js';
import { openSource } from '../../src/adapters/sources/open-source.js';
import type { CounterState } from '../../src/app/frame-counter-tracker.js';

export interface SoakSample { messages: number; rssMb: number; heapMb: number }

export interface SoakResult {
  messages: number;
  errors: number;
  seconds: number;
  perSecond: number;
  samples: SoakSample[];
}

/** A real gc() even without --expose-gc, so memory samples measure what is retained, not garbage not yet collected. */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export async function soak(profile: string, total: number, distinct = 10_000, samplesEvery = total / 10): Promise<SoakResult> {
  const gc = gcFunction();
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-soak-'));
  try {
    const sim = createSimulator({ profile, frameCounter: 1 });
    const t0 = Date.UTC(2025, 0, 1);
    const file = join(dir, 'capture.bin');
    writeFileSync(file, Buffer.concat(Array.from({ length: distinct }, (_, i) => sim.frame(t0 + i * 1000))));
    const state = createStateFile<CounterState>(join(dir, 'state', 'frame-counters.json'), 1000);
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const samples: SoakSample[] = [];
    let messages = 0;
    let errors = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const reader = createReader({
        source: openSource(`file:${file}?loop=1`),
        decoder: { key: DEMO_KEY, authKey: DEMO_AUTH_KEY },
        watchdogMs: 3_600_000,
        log: silent,
        onCounters: (s) => state.save(s),
        onMessage(msg) {
          if (msg.readings.length === 0) errors++;
          messages++;
          if (messages % samplesEvery === 0) {
            gc();
            const m = process.memoryUsage();
            samples.push({ messages, rssMb: m.rss / 1e6, heapMb: m.heapUsed / 1e6 });
          }
          if (messages === total) void reader.stop().then(() => resolve());
        },
        onError() {
          errors++;
        },
      });
      reader.start();
    });
    const seconds = (performance.now() - started) / 1000;
    state.flush();
    return { messages, errors, seconds, perSecond: messages / seconds, samples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
