/**
 * The reader as a service runs it (ExecStart, ExecReload): SIGTERM drains the outputs and exits 0, SIGHUP re-reads
 * the configuration without a restart. Real child processes (the CLI from source), a real MQTT broker as the
 * output whose deliveries prove the flush. The same under `npm start` and from the installed package:
 * package-install.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/cli.js';
import { hasCommand, requireService } from './support/services.js';
import { tempDir, waitFor } from './fanout-support.js';
import { assertFlushed, freePort, mqttWitness, start, startBroker } from './service-support.js';
import { handleStopSignals } from '../src/cli/stop-signals.js';

const skipMqtt = await requireService('the mosquitto binary', () => hasCommand('mosquitto'),
  'install mosquitto (apt-get install mosquitto) for the flush-on-SIGTERM test');

const fromSource = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  start(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, npm_lifecycle_event: '', ...env } });

test('SIGTERM drains the queues: messages held up by a stalled broker are all delivered, then exit code 0', { skip: skipMqtt, timeout: 60_000 }, async (t) => {
  const tmp = tempDir();
  const broker = await startBroker(tmp.dir);
  const witness = await mqttWitness(broker.url);
  const reader = fromSource(['read', 'sim:nl-dsmr5?interval=20', '--output', '-', '--output', witness.url, '--state-dir', tmp.dir]);
  t.after(async () => { reader.kill(); await broker.stop(); await witness.recorder.client.endAsync(true); tmp.remove(); });
  await reader.waitFor('5 messages delivered', () => witness.states() >= 5);
  // The broker stops acknowledging: what the reader prints from now on waits in its queue.
  broker.pause();
  const atPause = reader.messages().length;
  await reader.waitFor('10 messages more, queued', () => reader.messages().length >= atPause + 10);
  reader.child.kill('SIGTERM');
  await reader.waitFor('the stop to begin', () => reader.stderr().includes('SIGTERM: stopping (flushing the outputs)'));
  broker.resume();
  const { code, signal } = await reader.exited;
  assert.equal(signal, null, 'the reader exits by itself, not by the signal');
  assert.equal(code, 0);
  await assertFlushed(reader.messages().length, witness, assert.equal);
});

test('SIGTERM before any frame arrived (meter unplugged) is still a clean stop: exit code 0', { timeout: 30_000 }, async (t) => {
  const tmp = tempDir();
  const port = await freePort(); // nothing listens there
  const reader = fromSource(['read', `tcp://127.0.0.1:${port}`, '--state-dir', tmp.dir]);
  t.after(() => { reader.kill(); tmp.remove(); });
  await reader.waitFor('the first failed connection', () => reader.stderr().includes('disconnected'));
  reader.child.kill('SIGTERM');
  assert.deepEqual(await reader.exited, { code: 0, signal: null });
  assert.equal(reader.messages().length, 0);
});

test('SIGHUP re-reads the config file: a corrected key takes effect without a restart; a broken file keeps the old one', { timeout: 60_000 }, async (t) => {
  const tmp = tempDir();
  const capture = join(tmp.dir, 'evn.bin');
  const sim = fromSource(['simulate', '--profile', 'at-evn-kaifa-ma309', '--count', '200', '--interval', '1', `file:${capture}`]);
  assert.equal((await sim.exited).code, 0, sim.stderr());
  const config = join(tmp.dir, 'meterwire.yaml');
  writeFileSync(config, 'profile: at-evn-kaifa-ma309\nkey: "00112233445566778899AABBCCDDEEFF"\n');
  // At a serial line's pace (200 frames: seconds), so the meter keeps "sending" while the test edits the file.
  const reader = fromSource(['read', `file:${capture}?pace=baud&baud=38400`, '--config', config, '--state-dir', tmp.dir]);
  t.after(() => { reader.kill(); tmp.remove(); });

  await reader.waitFor('WRONG_KEY with the wrong key', () => reader.errorCodes().includes('WRONG_KEY'));
  assert.equal(reader.messages().length, 0, 'a wrong key yields no values');

  writeFileSync(config, 'profile: at-evn-kaifa-ma309\nkey: "METERWIREDEMOKEY"\n');
  reader.child.kill('SIGHUP');
  await reader.waitFor('a message after the reload', () => reader.messages().length > 0);
  assert.match(reader.stderr(), /configuration reloaded/);
  assert.equal(reader.child.exitCode, null, 'SIGHUP does not stop the reader');

  writeFileSync(config, 'profile: [unclosed\n');
  reader.child.kill('SIGHUP');
  await reader.waitFor('the failed reload to be reported', () => reader.stderr().includes('reload failed, keeping the previous configuration'));
  const before = reader.messages().length;
  await reader.waitFor('messages to go on with the previous key', () => reader.messages().length >= before + 2);
  assert.equal(reader.child.exitCode, null);

  reader.child.kill('SIGTERM');
  assert.deepEqual(await reader.exited, { code: 0, signal: null });
});

test('started by npm: the reader stops (once) when npm is gone, and only then', { timeout: 20_000 }, async () => {
  let parent = 4242;
  const stops: string[] = [];
  const warnings: string[] = [];
  const release = handleStopSignals({
    stop: (reason) => stops.push(reason), reload: () => undefined, log: { warn: (m) => warnings.push(m) },
    env: { npm_lifecycle_event: 'start' }, parentPid: () => parent,
  });
  try {
    await new Promise((r) => setTimeout(r, 1200)); // a poll or more with npm still there
    assert.deepEqual(stops, []);
    parent = 1;
    await waitFor('the stop', () => stops.length > 0, 5000);
    await new Promise((r) => setTimeout(r, 1100)); // another poll must not stop it again
    assert.deepEqual(stops, ['launcher gone']);
    assert.match(warnings.join('\n'), /npm, which started the reader, has gone/);
  } finally {
    release();
  }
});

test('not started by npm: a changed parent (nohup, a closed shell) does not stop the reader', { timeout: 20_000 }, async () => {
  let parent = 4242;
  const stops: string[] = [];
  const release = handleStopSignals({ stop: (r) => stops.push(r), reload: () => undefined, log: { warn: () => undefined }, env: {}, parentPid: () => parent });
  try {
    parent = 1;
    await new Promise((r) => setTimeout(r, 1200));
    assert.deepEqual(stops, []);
  } finally {
    release();
  }
});
