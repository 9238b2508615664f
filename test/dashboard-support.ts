/**
 * Shared by the dashboard tests and the screenshot script: simulated meters' messages, a quiet sink context, and
 * a whole in-process reader (sim: source → reader → fan-out → web output) serving a real dashboard.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { createSimSource } from '../src/adapters/sources/sim-source.js';
import { createReader, type Reader } from '../src/app/reader.js';
import { createFanout, type Fanout } from '../src/app/fanout.js';
import { createWebSink, type WebSink } from '../src/sinks/web/index.js';
import type { OutputStats, SinkContext, SinkHealth, SinkLog } from '../src/sinks/types.js';

export const quietLog: SinkLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Decoded messages of a simulated meter at the given times (ms). */
export function simulatedMessages(profile: string, times: readonly number[], keys = { key: DEMO_KEY, authKey: DEMO_AUTH_KEY }): MeterMessage[] {
  const sim = createSimulator({ profile, frameCounter: 100, ...keys });
  const d = createDecoder(keys);
  const out: MeterMessage[] = [];
  for (const t of times) {
    for (const m of [...d.push(sim.frame(t)), ...d.flush()]) {
      assert.ok(!isErrorMessage(m), JSON.stringify(m));
      out.push(m);
    }
  }
  return out;
}

export const HEALTH: SinkHealth = {
  state: 'ok', framesOk: 120, messages: 118, errors: { AUTH_FAILED: 2 }, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 1,
  lastFrameAgeMs: 800,
};

export function context(outputs: OutputStats[] = [], health: () => SinkHealth = () => HEALTH): SinkContext {
  return { log: quietLog, health, outputs: () => outputs, stateDir: '.' };
}

export interface LiveReader {
  url: string;
  sink: WebSink;
  meters: string[];
  close(): Promise<void>;
}

/**
 * Simulated meters read by the real reader at `intervalMs`, delivered by the fan-out to a web output on a free
 * loopback port. One reader per profile (two profiles: two meters on one dashboard).
 */
export async function startLiveReader(profiles: readonly string[], intervalMs: number, o: { webQuery?: string; historyMs?: number } = {}): Promise<LiveReader> {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-dash-'));
  const readers: Reader[] = [];
  const health = (): SinkHealth => readers[0]?.health() ?? HEALTH;
  const sink = createWebSink(`web://127.0.0.1:0${o.webQuery ?? ''}`, { log: quietLog, health, outputs: () => fanout.stats(), stateDir: dir });
  const fanout: Fanout = createFanout([sink], { outboxPath: join(dir, 'outbox.db'), log: quietLog, backoff: { initialMs: 20, maxMs: 200 } });
  if (o.historyMs) {
    // Simulated history (one message per 5 s) up to now, so the 15-minute chart has something to show at once.
    const now = Date.now();
    const steps = Array.from({ length: Math.floor(o.historyMs / 5000) }, (_, i) => now - o.historyMs! + i * 5000);
    for (const profile of profiles) sink.dashboard.record(simulatedMessages(profile, steps), now);
  }
  for (const profile of profiles) {
    const reader = createReader({
      source: createSimSource(`sim:${profile}?interval=${intervalMs}`, { key: DEMO_KEY, authKey: DEMO_AUTH_KEY }),
      decoder: { key: DEMO_KEY, authKey: DEMO_AUTH_KEY }, watchdogMs: 60_000, log: quietLog,
      onMessage: (m) => fanout.publish(m), onError: () => undefined,
    });
    readers.push(reader);
    reader.start();
  }
  while (sink.dashboard.url() === undefined) await new Promise((r) => setTimeout(r, 10));
  const meters: string[] = [];
  while (meters.length < profiles.length) {
    await new Promise((r) => setTimeout(r, 20));
    meters.splice(0, meters.length, ...sink.dashboard.meters().map((m) => m.meter));
  }
  return {
    url: sink.dashboard.url() as string,
    sink,
    meters,
    async close() {
      await Promise.all(readers.map((r) => r.stop()));
      await fanout.close(1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
