/**
 * Replay protection through the CLI: a capture made by `meterwire simulate` read twice with one --state-dir (the
 * second run delivers nothing and reports the replays), then a reset confirmed with `meterwire counters reset` and
 * with `read --accept-counter-reset`, and `meterwire counters list`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { exitWithin, runCli } from './support/cli.js';

const KEYS = ['--key', DEMO_KEY, '--auth-key', DEMO_AUTH_KEY];
type Msg = { security: { frameCounter: number; counter?: string }; issues: { code: string }[]; meter: { systemTitle: string } };

test('CLI: a capture read twice — the second run delivers nothing and reports 5 replays; a confirmed reset is accepted once',
  { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meterwire-replay-cli-'));
    const capture = `file:${join(dir, 'capture.bin')}`;
    const state = ['--state-dir', join(dir, 'state')];
    const read = async (...extra: string[]) => {
      const run = runCli(['read', capture, ...KEYS, ...state, '--stats', ...extra]);
      return { run, code: await exitWithin(run, 45_000) };
    };
    try {
      const sim = runCli(['simulate', '--profile', 'at-evn-sagemcom-t210d', '--count', '5', '--interval', '1', capture]);
      assert.equal(await exitWithin(sim, 45_000), 0, sim.stderr());

      const first = await read();
      assert.equal(first.code, 0, first.run.stderr());
      const msgs = first.run.messages() as unknown as Msg[];
      const counters = msgs.map((m) => m.security.frameCounter);
      assert.equal(counters.length, 5);
      assert.deepEqual(counters, counters.map((_, i) => counters[0] + i), 'the simulator counts up by one');
      assert.deepEqual(msgs.map((m) => m.security.counter), ['first', 'monotonic', 'monotonic', 'monotonic', 'monotonic']);
      const title = msgs[0].meter.systemTitle;

      const second = await read();
      assert.equal(second.code, 1, 'nothing delivered');
      assert.equal(second.run.messages().length, 0);
      assert.deepEqual(second.run.errors().map((e) => e.code), ['FRAME_COUNTER_REPLAY'], 'one report a minute');
      assert.match(second.run.stderr(), /replays 5 /);
      assert.match(second.run.stderr(), /FRAME_COUNTER_REPLAY=5/);

      const list = runCli(['counters', 'list', ...state, '--json']);
      assert.equal(await exitWithin(list, 45_000), 0);
      const listed = list.lines[0] as { meters: { systemTitle: string; counter: number; resetConfirmed?: unknown }[] };
      assert.deepEqual(listed.meters.map((m) => [m.systemTitle, m.counter, m.resetConfirmed]), [[title, counters[4], undefined]]);

      // The user confirms a reset: the lowest frame is accepted once as a reset; the others are above it again.
      const confirm = runCli(['counters', 'reset', title.toUpperCase(), ...state]);
      assert.equal(await exitWithin(confirm, 45_000), 0, JSON.stringify(confirm.lines));
      const third = await read();
      const after = third.run.messages() as unknown as Msg[];
      assert.deepEqual(after.map((m) => m.security.counter), ['reset', 'monotonic', 'monotonic', 'monotonic', 'monotonic']);
      assert.deepEqual(after[0].issues.map((i) => i.code), ['FRAME_COUNTER_RESET']);
      assert.match(third.run.stderr(), /reset from \d+ to \d+, accepted once/);

      // The read option does the same, once; without it the next run refuses again.
      const fourth = await read('--accept-counter-reset', title);
      assert.deepEqual((fourth.run.messages() as unknown as Msg[]).map((m) => m.security.counter)[0], 'reset');
      const fifth = await read();
      assert.equal(fifth.run.messages().length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test('CLI: counters reset refuses a title that is not 16 hex digits or has no kept counter', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-replay-cli-'));
  try {
    for (const title of ['xyz', '4b464d1220000009']) {
      const run = runCli(['counters', 'reset', title, '--state-dir', dir]);
      assert.equal(await exitWithin(run, 45_000), 1);
      assert.deepEqual(run.errors().map((e) => e.code), ['BAD_CONFIG']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: read stops at start when the state file cannot be read (fail closed), naming the file', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-replay-cli-'));
  try {
    writeFileSync(join(dir, 'frame-counters.json'), '{"version":1,"meters":{"53414782');
    const run = runCli(['read', 'sim:at-evn-sagemcom-t210d?interval=100', '--state-dir', dir]);
    assert.equal(await exitWithin(run, 45_000), 1);
    assert.deepEqual(run.errors().map((e) => e.code), ['BAD_CONFIG']);
    assert.match(run.errors()[0].message, /frame-counters\.json cannot be read/);
    assert.equal(run.messages().length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
