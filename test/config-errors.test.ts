/**
 * Configuration mistakes on the command line: each is one JSON error line with the code of the error table
 * (BAD_URL, UNKNOWN_OUTPUT, BAD_CONFIG), exit code 1, no stack trace, no secret of the URL. They came out as
 * INTERNAL (or as UNKNOWN_FORMAT, the framing-format code) before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitWithin, runCli } from './support/cli.js';
import { isMeterError } from '../src/core/errors.js';
import { openSink } from '../src/sinks/open-sink.js';
import { openSource } from '../src/adapters/sources/open-source.js';
import { openTarget } from '../src/adapters/targets/open-target.js';
import { runRead } from '../src/cli/read-command.js';
import { runSimulate } from '../src/cli/simulate-command.js';
import { runDiagnose } from '../src/cli/diagnose-command.js';

const SIM = 'sim:lu-smarty?interval=50';

/** The mistakes issue 7 names, as processes: what a user sees. */
const CASES: Array<{ args: string[]; code: string; mentions: RegExp }> = [
  { args: ['read', SIM, '--output', 'dsmr-tcp://host:notaport'], code: 'BAD_URL', mentions: /port/ },
  { args: ['read', SIM, '--output', 'foo://x'], code: 'UNKNOWN_OUTPUT', mentions: /mqtt:\/\/.*prometheus:\/\//s },
  { args: ['read', 'tcp-listen://x:99999'], code: 'BAD_URL', mentions: /port from 1 to 65535/ },
  { args: ['read', 'mqtt://u:hunter22@broker'], code: 'BAD_URL', mentions: /topic/ },
  { args: ['read', SIM, '--count', 'abc'], code: 'BAD_CONFIG', mentions: /--count/ },
  { args: ['simulate', '--profile', 'lu-smarty', '--count', 'x', '-'], code: 'BAD_CONFIG', mentions: /--count/ },
];

let STATE = '';

/** More of them in-process, through the same functions the commands call (each throws before any I/O). */
const IN_PROCESS: Array<{ run: () => unknown; code: string; mentions: RegExp }> = [
  { run: () => runRead(SIM, { stateDir: STATE, output: ['prometheus://h:x'] }), code: 'BAD_URL', mentions: /port/ },
  { run: () => runRead(SIM, { stateDir: STATE, output: ['postgres://u:hunter22@'] }), code: 'BAD_URL', mentions: /database URL/ },
  { run: () => runRead(SIM, { stateDir: STATE, output: ['mongodb://x/a.b'] }), code: 'BAD_URL', mentions: /database name/ },
  { run: () => runRead(SIM, { stateDir: STATE, output: ['mqtt://:hunter22@/t'] }), code: 'BAD_URL', mentions: /broker/ },
  { run: () => runRead(SIM, { stateDir: STATE, output: ['dsmr-tcp://127.0.0.1:0?maxClientBuffer=x'] }), code: 'BAD_URL', mentions: /maxClientBuffer/ },
  { run: () => runRead('tcp://h:0', { stateDir: STATE }), code: 'BAD_URL', mentions: /port from 1 to 65535/ },
  { run: () => runRead('mqtt://:9/', { stateDir: STATE }), code: 'BAD_URL', mentions: /MQTT/ },
  { run: () => runRead(SIM, { stateDir: STATE, watchdog: '-1' }), code: 'BAD_CONFIG', mentions: /--watchdog/ },
  { run: () => runSimulate('tcp-listen://h:70000', { profile: 'lu-smarty' }), code: 'BAD_URL', mentions: /port/ },
  { run: () => runSimulate('-', { profile: 'lu-smarty', interval: '0' }), code: 'BAD_CONFIG', mentions: /--interval/ },
  { run: () => runDiagnose(['tcp://127.0.0.1:9'], { frames: 'many' }), code: 'BAD_CONFIG', mentions: /--frames/ },
  { run: () => runDiagnose(['tcp://127.0.0.1:9'], { timeout: 'soon' }), code: 'BAD_CONFIG', mentions: /--timeout/ },
];

test('configuration mistakes are MeterErrors with the right code, thrown before any I/O', async () => {
  STATE = mkdtempSync(join(tmpdir(), 'mw-cfgerr-'));
  try {
    for (const c of IN_PROCESS) {
      await assert.rejects(async () => { await c.run(); }, (e: unknown) => {
        assert.ok(isMeterError(e), String(e));
        assert.equal(e.code, c.code, e.message);
        assert.match(e.message, c.mentions);
        assert.doesNotMatch(e.message, /hunter22/);
        return true;
      }, c.run.toString());
    }
  } finally {
    rmSync(STATE, { recursive: true, force: true });
  }
});

// Each case is a process that mostly waits for node to start: run a few at a time.
test('command-line configuration mistakes', { concurrency: 4, timeout: 180_000 }, async (t) => {
  await Promise.all(CASES.map((c) => t.test(`meterwire ${c.args.join(' ')} → one ${c.code} error`, { timeout: 60_000 }, async () => {
    const state = mkdtempSync(join(tmpdir(), 'mw-cfgerr-'));
    const run = runCli([...c.args, ...(c.args[0] === 'read' ? ['--state-dir', state] : [])]);
    try {
      const code = await exitWithin(run, 30_000);
      assert.equal(code, 1, run.stderr());
      const errors = run.errors();
      assert.equal(errors.length, 1, JSON.stringify(run.lines));
      const e = errors[0] as { code: string; layer: string; message: string };
      assert.equal(e.code, c.code, e.message);
      assert.equal(e.layer, 'config');
      assert.match(e.message, c.mentions);
      const all = JSON.stringify(run.lines) + run.stderr();
      assert.doesNotMatch(all, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      assert.doesNotMatch(all, /hunter22/);
    } finally {
      await run.stop();
      rmSync(state, { recursive: true, force: true });
    }
  })));
});

test('every URL a source, output or simulate target cannot use is a config MeterError, never a plain Error', () => {
  const ctx = { log: { info() {}, warn() {}, error() {} }, health: () => ({ state: 'ok' as const, framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }), outputs: () => [], stateDir: '.' };
  const outputs = ['dsmr-tcp://h:p', 'dsmr-tcp://[zz]:1', 'prometheus://h:99999', 'postgres://%zz@h/db', 'mysql://h/db?schema=x',
    'sqlite:', 'sqlite:x.db?retention=sometime', 'sqlite:x.db?tz=Mars/Base', 'mongodb://h/db?collection=system.x', 'mqtt://h/a/%23', 'mqtt://', 'nope:x'];
  for (const url of outputs) {
    assert.throws(() => openSink(url, ctx), (e: unknown) => isMeterError(e) && e.layer === 'config' && ['BAD_URL', 'UNKNOWN_OUTPUT'].includes(e.code), url);
  }
  for (const url of ['tcp://h', 'tcp-listen://h:0', 'tcp://[::1:2001', 'mqtt://b', 'file:', 'serial:///dev/x?baud=abc', 'sim:NOT A PROFILE']) {
    assert.throws(() => openSource(url), (e: unknown) => isMeterError(e) && e.code === 'BAD_URL', url);
  }
  for (const url of ['tcp-listen://h:0', 'tcp://h', 'gopher://x']) {
    assert.throws(() => openTarget(url, () => undefined), (e: unknown) => isMeterError(e) && e.code === 'BAD_URL', url);
  }
});
