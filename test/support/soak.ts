/**
 * Soak run shared by test/read-soak.test.ts and bench/soak.mjs: the simulator writes `distinct` frames of a
 * profile to a capture file, and the reader (file source with ?loop=1, frame-counter state file, all guards on)
 * reads it as fast as it can until `total` frames were decoded, sampling memory along the way. The first pass
 * delivers `distinct` messages; every later pass is a replay flood the reader refuses (counted, rate-limited).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../../src/sim/simulator.js';
import { createReader } from '../../src/app/reader.js';
import { openCounterStore } from '../../src/app/state-file.js';
import { openSource } from '../../src/adapters/sources/open-source.js';
import type { Source } from '../../src/adapters/sources/types.js';

export interface SoakSample { frames: number; rssMb: number; heapMb: number }

export interface SoakResult {
  /** Frames decoded: messages delivered plus replays refused. */
  frames: number;
  messages: number;
  replays: number;
  /** Errors other than replays. */
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
    const state = openCounterStore(join(dir, 'state'));
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const samples: SoakSample[] = [];
    let result = { frames: 0, messages: 0, replays: 0, errors: 0 };
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const looping = openSource(`file:${file}?loop=1`);
      let nextSample = samplesEvery;
      let stopping = false;
      // Refused frames reach no callback (errors are rate-limited): count them from health after each chunk.
      const afterChunk = () => {
        const h = reader.health();
        const errors = Object.entries(h.errors).reduce((n, [code, k]) => (code === 'FRAME_COUNTER_REPLAY' ? n : n + k), 0);
        result = { frames: h.messages + h.replays, messages: h.messages, replays: h.replays, errors };
        if (result.frames >= nextSample) {
          nextSample += samplesEvery;
          gc();
          const m = process.memoryUsage();
          samples.push({ frames: result.frames, rssMb: m.rss / 1e6, heapMb: m.heapUsed / 1e6 });
        }
        if (result.frames >= total && !stopping) { stopping = true; void reader.stop().then(() => resolve()); }
      };
      const source: Source = {
        description: looping.description, stop: () => looping.stop(), recycle: (r) => looping.recycle(r),
        start: (h) => looping.start({ state: h.state, data: (c) => { h.data(c); afterChunk(); } }),
      };
      const reader = createReader({
        source,
        decoder: { key: DEMO_KEY, authKey: DEMO_AUTH_KEY },
        watchdogMs: 3_600_000,
        log: silent,
        counterStore: state,
        onMessage() { /* counted in health */ },
        onError() { /* counted in health */ },
      });
      reader.start();
    });
    const seconds = (performance.now() - started) / 1000;
    state.sync();
    return { ...result, seconds, perSecond: result.frames / seconds, samples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
