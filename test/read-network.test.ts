/**
 * Live reading over real sockets: simulate → tcp-listen target ← read tcp://; simulate → tcp:// → read
 * tcp-listen://; simulate → MQTT (hex, binary, base64) → read mqtt:// against the real Mosquitto; and a TCP peer
 * that is killed mid-stream and restarted.
 */
import { after, test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { canConnectTcp, freePort, requireService } from './support/services.js';
import { exitWithin, readingValues, runCli, sleep, type CliRun } from './support/cli.js';
import { DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';

const KEYS = ['--key', DEMO_KEY, '--auth-key', DEMO_AUTH_KEY];
const STATE = ['--state-dir', `/tmp/meterwire-read-network-${process.pid}`];
after(() => rmSync(STATE[1], { recursive: true, force: true }));
const mqttSkip = await requireService('Mosquitto', () => canConnectTcp('127.0.0.1', 1883), 'start a broker on 127.0.0.1:1883 (apt-get install -y mosquitto)');


function counters(run: CliRun): number[] {
  return run.messages().map((m) => (m.security as { frameCounter: number }).frameCounter);
}

function assertGood(run: CliRun, n: number, profile: string): void {
  assert.deepEqual(run.errors(), [], 'no error lines');
  const msgs = run.messages();
  assert.equal(msgs.length, n);
  for (const m of msgs) {
    assert.equal((m.meter as { profile?: string }).profile, profile);
    assert.equal(typeof readingValues(m).get('energy_import'), 'number');
    assert.equal((m.security as { encrypted: boolean }).encrypted, true);
  }
  const c = counters(run);
  for (let i = 1; i < c.length; i++) assert.equal(c[i], c[i - 1] + 1, `consecutive counters: ${c.join(',')}`);
}

test('tcp: simulate → tcp-listen target, read tcp://', { timeout: 90_000 }, async () => {
  const port = await freePort();
  const sim = runCli(['simulate', '--profile', 'lu-smarty', `tcp-listen://127.0.0.1:${port}`, '--interval', '250', '--count', '10000']);
  const reader = runCli(['read', `tcp://127.0.0.1:${port}`, ...KEYS, ...STATE, '--count', '4']);
  try {
    assert.equal(await exitWithin(reader, 60_000), 0);
    assertGood(reader, 4, 'lu-smarty');
  } finally {
    await reader.stop();
    await sim.stop();
  }
});

test('tcp: read tcp-listen://, simulate → tcp:// connects in', { timeout: 90_000 }, async () => {
  const port = await freePort();
  const reader = runCli(['read', `tcp-listen://127.0.0.1:${port}`, ...KEYS, ...STATE, '--count', '3']);
  let sim: CliRun | undefined;
  try {
    await reader.waitForLog('waiting for gateways');
    sim = runCli(['simulate', '--profile', 'at-evn-sagemcom-t210d', `tcp://127.0.0.1:${port}`, '--interval', '300', '--count', '10000']);
    assert.equal(await exitWithin(reader, 60_000), 0);
    assertGood(reader, 3, 'at-evn-sagemcom-t210d');
  } finally {
    await reader.stop();
    await sim?.stop();
  }
});

test('tcp fault: the simulated dongle is killed mid-stream and restarted → reading resumes, no loss after recovery', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const simArgs = ['simulate', '--profile', 'lu-smarty', `tcp-listen://127.0.0.1:${port}`, '--interval', '200', '--count', '100000'];
  let sim = runCli(simArgs);
  const reader = runCli(['read', `tcp://127.0.0.1:${port}`, ...KEYS, ...STATE]);
  try {
    await reader.waitForMessages(5);
    sim.child.kill('SIGKILL'); // a power cut, not a polite shutdown
    await sim.exited;
    await reader.waitForLog('disconnected');
    const before = reader.messages().length;
    await sleep(500);
    sim = runCli(simArgs);
    await reader.waitForMessages(before + 1);
    const firstAfter = reader.messages().length - 1;
    await reader.waitForMessages(firstAfter + 15);
    await sim.stop();
    assert.equal(await reader.stop(), 0, 'reader exits cleanly (no crash)');
    const after = counters(reader).slice(firstAfter);
    for (let i = 1; i < after.length; i++) assert.equal(after[i], after[i - 1] + 1, `no gap after recovery: ${after.join(',')}`);
    // The restarted simulator continues above its old counters, so none of its frames is taken for a replay.
    assert.deepEqual(reader.errors(), []);
    process.stderr.write(`# tcp fault: ${before} before the outage, ${after.length} after recovery, 0 lost after recovery\n`);
  } finally {
    await reader.stop();
    await sim.stop();
  }
});

for (const encoding of ['hex', 'binary', 'base64']) {
  test(`mqtt: simulate → mqtt://127.0.0.1:1883/<topic>?encoding=${encoding} → read mqtt://`, { skip: mqttSkip, timeout: 90_000 }, async () => {
    const topic = `meterwire-test/${process.pid}-${Date.now()}/${encoding}`;
    const reader = runCli(['read', `mqtt://127.0.0.1:1883/${topic}?encoding=${encoding}`, ...KEYS, ...STATE, '--count', '3']);
    let sim: CliRun | undefined;
    try {
      await reader.waitForLog(': connected (');
      sim = runCli(['simulate', '--profile', 'lu-smarty', `mqtt://127.0.0.1:1883/${topic}?encoding=${encoding}`, '--interval', '250', '--count', '10000']);
      assert.equal(await exitWithin(reader, 60_000), 0);
      assertGood(reader, 3, 'lu-smarty');
    } finally {
      await reader.stop();
      await sim?.stop();
    }
  });
}
