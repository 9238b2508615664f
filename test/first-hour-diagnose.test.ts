/**
 * When nothing arrives: diagnose says why a port could not be opened (no such device, no permission, busy), and
 * the reader's stats say when bytes arrive but never make a frame, naming the profile's line settings.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { jsonLines, runToEnd, tempDir, TSX, MAIN } from './first-hour-support.js';
import { createPtyPair } from './support/pty.js';
import { hasCommand, requireService } from './support/services.js';
import { openFailureAdvice } from '../src/app/diagnose.js';
import { createHealth, formatHealth } from '../src/app/health.js';

const tmp = tempDir('first-hour-diagnose');
after(() => tmp.remove());

const adviceOf = (stdout: string) => (jsonLines(stdout)[0] as { advice: string; openFailure?: string });

test('diagnose on a device that does not exist says the port could not be opened: ENOENT', async () => {
  const r = await runToEnd(['diagnose', `serial://${join(tmp.dir, 'ttyUSB9')}`, '--json'], { guardMs: 20_000 });
  assert.equal(r.code, 1);
  const out = adviceOf(r.stdout);
  assert.match(out.advice, /^the port could not be opened \(.*No such file or directory.*\): it does not exist \(ENOENT\)/);
  assert.match(out.advice, /meterwire ports/);
  const text = await runToEnd(['diagnose', '/dev/ttyMETERWIRE-NONE'], { guardMs: 20_000 });
  assert.match(text.stdout, /→ the port could not be opened/);
  assert.doesNotMatch(text.stdout, /no frame found/);
});

test('diagnose on a port another program holds says it is busy', async (t) => {
  const skip = await requireService('socat', () => hasCommand('socat'), 'apt-get install socat');
  if (skip) return t.skip(skip);
  const pty = createPtyPair(`meterwire-busy-${process.pid}`);
  await pty.startSocat();
  const holder = new SerialPort({ path: pty.b, baudRate: 115_200, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())));
    const r = await runToEnd(['diagnose', `serial://${pty.b}`, '--json'], { guardMs: 20_000 });
    assert.equal(r.code, 1);
    assert.match(adviceOf(r.stdout).advice, /could not be opened .*the port is busy: another program holds it/);
  } finally {
    await new Promise<void>((resolve) => (holder.isOpen ? holder.close(() => resolve()) : resolve()));
    await pty.stopSocat();
  }
});

test('diagnose on a port without permission names the dialout group', async () => {
  // The driver's own wording, as serialport reports it (measured as an unprivileged user on a 0600 pty).
  const advice = openFailureAdvice('cannot open /dev/ttyUSB0: Error: Permission denied, cannot open /dev/ttyUSB0');
  assert.match(advice, /permission denied \(EACCES\).*dialout.*usermod -aG dialout/);
  // For real, where this machine allows it: root running the CLI as nobody on a pty only root may open.
  if (process.getuid?.() !== 0 || !hasCommand('setpriv') || !hasCommand('socat')) return;
  const pty = createPtyPair(`meterwire-eacces-${process.pid}`);
  await pty.startSocat();
  try {
    chmodSync(realpathSync(pty.b), 0o600);
    const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath,
      '--import', `file://${TSX}`, MAIN, 'diagnose', `serial://${pty.b}`, '--json'], { encoding: 'utf8', timeout: 20_000, cwd: '/' });
    if (/EACCES: permission denied, (open|scandir|stat)|ERR_MODULE_NOT_FOUND/.test(run.stderr + run.stdout)) return; // nobody cannot read the checkout
    assert.match(adviceOf(run.stdout).advice, /permission denied \(EACCES\).*dialout/, run.stdout + run.stderr);
  } finally {
    await pty.stopSocat();
  }
});

test('bytes that never make a frame: the stats and the end of the source say to check baud, parity, profile', async () => {
  const junk = join(tmp.dir, 'wrong-baud.bin');
  // What a 2400 8E1 M-Bus line read at the wrong speed delivers: bytes, but nothing of the framing.
  writeFileSync(junk, Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) & 0xff));
  const r = await runToEnd(['read', `file:${junk}`, '--profile', 'at-evn-sagemcom-t210d', '--stats', '--state-dir', join(tmp.dir, 's')]);
  assert.equal(r.code, 1);
  const stats = r.stderr.split('\n').find((l) => l.startsWith('stats: '));
  assert.ok(stats, r.stderr);
  assert.match(stats, /received 3000 B/);
  assert.match(stats, /3000 B received but no frame: check the baud rate, parity and profile \(profile at-evn-sagemcom-t210d: 2400 baud 8E1, mbus framing\)/);
  assert.match(r.stderr, /ended without a message: 3000 B received but no frame/);
});

test('the stats line: "connected, no frame yet" rather than "ok" before the first frame; no hint once frames come', () => {
  const h = { ...createHealth(), state: 'ok' as const, source: 'connected' as const };
  const line = formatHealth(h, { bytesReceived: 512, line: 'serial line 115200 baud 8N1; --profile sets the meter\'s' });
  assert.match(line, /^state connected, no frame yet \(source connected\)/);
  assert.match(line, /512 B received but no frame: .*115200 baud 8N1/);
  const good = formatHealth({ ...h, framesOk: 3, lastFrameAgeMs: 1000, lastFrameAt: new Date().toISOString() }, { bytesReceived: 512 });
  assert.match(good, /^state ok/);
  assert.doesNotMatch(good, /no frame/);
  assert.doesNotMatch(formatHealth(h, { bytesReceived: 0 }), /received but no frame/);
});
