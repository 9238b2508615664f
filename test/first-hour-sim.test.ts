/**
 * The simulator as a new user meets it: a capture file is written at once, a busy port is one clear error, and
 * the built-in demo meter's counters (energy and frame counter) never go back when it is restarted.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { jsonLines, runToEnd, tempDir } from './first-hour-support.js';
import { createMeterModel } from '../src/sim/meter-model.js';
import { totalsSinceEpoch } from '../src/sim/energy-curve.js';
import { createSimulator } from '../src/sim/simulator.js';
import { createDecoder } from '../src/index.js';
import type { MeterMessage } from '../src/core/model/message.js';

const tmp = tempDir('first-hour-sim');
after(() => tmp.remove());

const value = (m: Record<string, unknown>, id: string) =>
  ((m.readings as { id: string; value: number }[]).find((r) => r.id === id))?.value;

test('simulate into a file writes --count messages at once, an interval of meter time apart, ending now', async () => {
  const file = join(tmp.dir, 'capture.bin');
  const startedAt = Date.now();
  // lu-smarty pushes every 10 s: in real time, 4 messages would take 30 s; the guard stops a hang, not a slow run.
  const r = await runToEnd(['simulate', '--profile', 'lu-smarty', '--count', '4', `file:${file}`], { guardMs: 25_000 });
  assert.equal(r.code, 0, r.stderr);
  const decoded = await runToEnd(['decode', '--key', 'METERWIREDEMOKEY', '--auth-key', 'METERWIREDEMOGAK', file]);
  const times = jsonLines(decoded.stdout).map((m) => Date.parse(m.timestamp as string));
  assert.equal(times.length, 4, decoded.stdout);
  assert.deepEqual(times.slice(1).map((t, i) => t - times[i]), [10_000, 10_000, 10_000], 'meter time advances by the interval');
  // Back-dated: the first message is 30 s of meter time before the last, which is no later than the end of the run.
  assert.ok(times[0] < startedAt - 20_000, `first frame ${new Date(times[0]).toISOString()} predates the run`);
  assert.ok(times[3] <= Date.now() + 1000);
});

test('simulate onto a port in use is one clear error and a non-zero exit', async () => {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await runToEnd(['simulate', '--profile', 'nl-dsmr5', `tcp-listen://127.0.0.1:${port}`], { guardMs: 20_000 });
    assert.equal(r.code, 1);
    const lines = jsonLines(r.stdout) as { error: { code: string; message: string } }[];
    assert.equal(lines.length, 1, r.stdout);
    assert.equal(lines[0].error.code, 'BAD_URL');
    assert.match(lines[0].error.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is in use \\(EADDRINUSE\\)`));
    assert.doesNotMatch(r.stderr, /sent \d+ message/);
  } finally {
    server.close();
  }
});

test('the demo meter restarted in the same state dir: counters and frame counters only go up', async () => {
  const runs: Record<string, unknown>[][] = [];
  for (let i = 0; i < 2; i++) {
    // `npm start -- --count 2`: no source, the built-in meter, ./data in the cwd.
    const r = await runToEnd(['read', '--count', '2'], { cwd: tmp.dir, guardMs: 30_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(lines.filter((l) => 'error' in l), [], 'no FRAME_COUNTER_REPLAY (or any error) on the second run');
    assert.equal(lines.length, 2);
    runs.push(lines);
  }
  const all = runs.flat();
  const counters = all.map((m) => (m.security as { frameCounter: number }).frameCounter);
  const energy = all.map((m) => value(m, 'energy_import') as number);
  for (let i = 1; i < all.length; i++) {
    assert.ok(counters[i] > counters[i - 1], `frame counters ${counters.join(' ')}`);
    assert.ok(energy[i] >= energy[i - 1], `energy_import ${energy.join(' ')}`);
  }
  assert.equal((runs[1][0].security as { counter: string }).counter, 'monotonic', 'the kept counter from run 1 was continued');
});

test('simulated counters are a function of wall-clock time: a model started later never reports less', () => {
  fc.assert(fc.property(
    fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2036, 0, 1) }), fc.integer({ min: 1, max: 30 * 86_400_000 }),
    fc.integer({ min: 1, max: 1000 }), (t1, dt, seed) => {
      const first = createMeterModel({ seed, startMs: t1 - 3_600_000 }).step(t1);
      const restarted = createMeterModel({ seed: seed + 1, startMs: t1 + dt }).step(t1 + dt);
      for (const k of ['energyImportWh', 'energyImportT1Wh', 'energyImportT2Wh', 'energyExportWh', 'energyExportT1Wh',
        'energyExportT2Wh', 'reactiveImportVarh', 'reactiveExportVarh', 'gasM3'] as const) {
        if (!(restarted[k] >= first[k])) return false;
      }
      return restarted.energyImportWh + restarted.energyExportWh > first.energyImportWh + first.energyExportWh;
    }), { numRuns: 2000 });
  // A day's import is a household's (several kWh), and the totals are continuous across local midnight.
  const day = totalsSinceEpoch(Date.UTC(2026, 0, 2)).importT1Wh + totalsSinceEpoch(Date.UTC(2026, 0, 2)).importT2Wh -
    totalsSinceEpoch(Date.UTC(2026, 0, 1)).importT1Wh - totalsSinceEpoch(Date.UTC(2026, 0, 1)).importT2Wh;
  assert.ok(day > 5_000 && day < 30_000, `daily import ${day} Wh`);
  const midnight = Date.UTC(2026, 5, 1, 23);
  const jump = totalsSinceEpoch(midnight + 1).importT1Wh - totalsSinceEpoch(midnight - 1).importT1Wh;
  assert.ok(jump >= 0 && jump < 1, `no jump at local midnight (${jump} Wh)`);
});

test('the frame counter starts from the first frame\'s time, then counts by one', () => {
  const t = Date.UTC(2026, 3, 1, 12);
  const a = createSimulator({ profile: 'lu-smarty' });
  const b = createSimulator({ profile: 'lu-smarty' });
  const decoder = createDecoder({ key: 'METERWIREDEMOKEY', authKey: 'METERWIREDEMOGAK' });
  const fcOf = (bytes: Uint8Array) => (decoder.push(bytes)[0] as MeterMessage).security!.frameCounter!;
  const burst = [t, t, t + 10].map((x) => fcOf(a.frame(x)));
  assert.deepEqual(burst.slice(1).map((c, i) => c - burst[i]), [1, 1], 'frames in the same tenth of a second still count up');
  assert.ok(fcOf(b.frame(t + 60_000)) > burst[2], 'a simulator started later continues above');
});
