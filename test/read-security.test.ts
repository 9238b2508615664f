/**
 * The reader's guards, programmatically (createReader with a hand-driven source and a fake clock) and through the
 * CLI: one wrong-key error a minute, replayed frames detected and not delivered, frame counters kept across
 * restarts (--state-dir), and the watchdog recycling a silent source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReader, type ReaderOptions } from '../src/app/reader.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import type { Source, SourceHandlers } from '../src/adapters/sources/types.js';
import type { ErrorMessage, MeterMessage } from '../src/core/model/message.js';
import { waitFor } from './support/pty.js';
import { exitWithin, runCli } from './support/cli.js';

interface FakeSource extends Source { handlers?: SourceHandlers; recycled: string[] }

function fakeSource(): FakeSource {
  const s: FakeSource = {
    description: 'fake', recycled: [],
    start(h) { s.handlers = h; h.state('connecting'); h.state('connected'); },
    async stop() { s.handlers = undefined; },
    recycle(reason) { s.recycled.push(reason); },
  };
  return s;
}

function harness(extra: Partial<ReaderOptions> & { decoder: ReaderOptions['decoder'] }) {
  const src = fakeSource();
  const messages: MeterMessage[] = [];
  const errors: { err: ErrorMessage; suppressed: number }[] = [];
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
  const reader = createReader({ source: src, watchdogMs: 3_600_000, log, onMessage: (m) => messages.push(m), onError: (err, suppressed) => errors.push({ err, suppressed }), ...extra });
  return { src, reader, messages, errors, logs };
}

const smarty = (frameCounter = 100) => createSimulator({ profile: 'lu-smarty', frameCounter });
const T0 = Date.UTC(2025, 5, 1);
const KEYS = { key: DEMO_KEY, authKey: DEMO_AUTH_KEY };

test('wrong key: exactly one error in the first minute, the rest counted; the next minute reports how many were held back', async () => {
  let clock = T0;
  const h = harness({ decoder: { key: 'AAAAAAAAAAAAAAAA', authKey: DEMO_AUTH_KEY }, now: () => clock });
  const sim = smarty();
  h.reader.start();
  for (let i = 0; i < 100; i++, clock += 500) h.src.handlers?.data(sim.frame(clock)); // 50 s of frames
  assert.equal(h.errors.length, 1);
  assert.equal(h.errors[0].err.error.code, 'AUTH_FAILED');
  assert.match(h.errors[0].err.error.message, /GAK|key/);
  assert.doesNotMatch(JSON.stringify(h.errors[0].err), /AAAAAAAAAAAAAAAA|METERWIREDEMOGAK|4141414141/i, 'keys never appear in errors');
  assert.equal(h.reader.health().errors.AUTH_FAILED, 100);
  assert.equal(h.messages.length, 0);
  clock = T0 + 61_000;
  h.src.handlers?.data(sim.frame(clock));
  assert.equal(h.errors.length, 2);
  assert.equal(h.errors[1].suppressed, 99);
  await h.reader.stop();
});

test('wrong GUEK without a GAK on an encryption-only meter: one WRONG_KEY-type error, not garbage values', async () => {
  let clock = T0;
  const h = harness({ decoder: { key: 'AAAAAAAAAAAAAAAA' }, now: () => clock });
  const sim = createSimulator({ profile: 'at-evn-sagemcom-t210d', frameCounter: 1 });
  h.reader.start();
  for (let i = 0; i < 30; i++, clock += 1000) h.src.handlers?.data(sim.frame(clock));
  assert.equal(h.messages.length, 0, 'no message with garbage values');
  assert.equal(h.errors.length, 1);
  assert.ok(['WRONG_KEY', 'AUTH_FAILED'].includes(h.errors[0].err.error.code), h.errors[0].err.error.code);
  await h.reader.stop();
});

test('replay: the same frame bytes twice → FRAME_COUNTER_REPLAY, the copy is not delivered', async () => {
  const h = harness({ decoder: KEYS });
  const sim = smarty(500);
  const f1 = sim.frame(T0);
  const f2 = sim.frame(T0 + 10_000);
  h.reader.start();
  h.src.handlers?.data(f1);
  h.src.handlers?.data(f2);
  h.src.handlers?.data(f2);
  h.src.handlers?.data(sim.frame(T0 + 20_000));
  assert.deepEqual(h.messages.map((m) => m.security?.frameCounter), [500, 501, 502]);
  assert.deepEqual(h.errors.map((e) => e.err.error.code), ['FRAME_COUNTER_REPLAY']);
  assert.equal(h.reader.health().replays, 1);
  await h.reader.stop();
});

test('CLI: wrong key over a capture of 20 frames → exactly one error line, 20 counted in --stats', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-read-sec-'));
  try {
    const sim = smarty(1000);
    const file = join(dir, 'capture.bin');
    writeFileSync(file, Buffer.concat(Array.from({ length: 20 }, (_, i) => sim.frame(T0 + i * 10_000))));
    const run = runCli(['read', `file:${file}`, '--key', '00112233445566778899aabbccddeeff', '--auth-key', DEMO_AUTH_KEY,
      '--state-dir', join(dir, 'state'), '--stats']);
    assert.equal(await exitWithin(run, 45_000), 1, 'nothing delivered → exit code 1');
    assert.equal(run.errors().length, 1, JSON.stringify(run.lines));
    assert.equal(run.errors()[0].code, 'AUTH_FAILED');
    assert.equal(run.messages().length, 0);
    assert.match(run.stderr(), /errors AUTH_FAILED=20/);
    assert.doesNotMatch(run.stderr() + JSON.stringify(run.lines), /00112233445566778899aabbccddeeff|METERWIREDEMOGAK/i, 'keys never logged');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: frame counters persist in --state-dir; a replay after a restart is still detected', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-read-state-'));
  const state = ['--state-dir', join(dir, 'state')];
  const keys = ['--key', DEMO_KEY, '--auth-key', DEMO_AUTH_KEY];
  try {
    const sim = smarty(7000);
    const frames = Array.from({ length: 4 }, (_, i) => sim.frame(T0 + i * 10_000));
    const write = (name: string, parts: Uint8Array[]) => { const p = join(dir, name); writeFileSync(p, Buffer.concat(parts)); return `file:${p}`; };
    const first = runCli(['read', write('first.bin', frames.slice(0, 3)), ...keys, ...state]);
    assert.equal(await exitWithin(first, 45_000), 0);
    assert.deepEqual(first.messages().map((m) => (m.security as { frameCounter: number }).frameCounter), [7000, 7001, 7002]);

    // A new process: the last frame again is a replay, and so is an older one (refused, not flagged and delivered).
    const second = runCli(['read', write('second.bin', [frames[2], frames[3], frames[0]]), ...keys, ...state, '--stats']);
    assert.equal(await exitWithin(second, 45_000), 0);
    assert.deepEqual(second.errors().map((e) => e.code), ['FRAME_COUNTER_REPLAY'], 'one report a minute');
    assert.deepEqual(second.messages().map((m) => (m.security as { frameCounter: number }).frameCounter), [7003]);
    assert.match(second.stderr(), /replays 2 /);
    assert.match(second.stderr(), /FRAME_COUNTER_REPLAY=2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('watchdog: a silent source → warning, recycle, health "stale"; frames again → "ok"', async () => {
  const h = harness({ decoder: KEYS, watchdogMs: 150 });
  const sim = smarty(1);
  h.reader.start();
  h.src.handlers?.data(sim.frame(T0));
  assert.equal(h.reader.health().state, 'ok');
  await waitFor(() => h.src.recycled.length > 0, 'the watchdog to recycle the source');
  assert.equal(h.reader.health().state, 'stale');
  assert.ok(h.logs.some((l) => /^warn no complete frame/.test(l)), h.logs.join('\n'));
  // A real source reconnects after recycle; then frames flow again.
  h.src.handlers?.state('disconnected', 'recycled');
  h.src.handlers?.state('connected');
  assert.equal(h.reader.health().state, 'stale', 'still stale until a frame arrives');
  h.src.handlers?.data(sim.frame(T0 + 1000));
  assert.equal(h.reader.health().state, 'ok');
  assert.equal(h.reader.health().framesOk, 2);
  await h.reader.stop();
});
