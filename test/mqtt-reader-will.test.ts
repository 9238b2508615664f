/**
 * The whole reader (`meterwire read` from source) publishing to the real Mosquitto on 127.0.0.1:1883 and
 * killed with SIGKILL: the broker publishes the connection's last will, and the discovery config of every
 * entity lists that topic, so Home Assistant shows the meter unavailable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { canConnectTcp, requireService } from './support/services.js';
import { tempDir } from './fanout-support.js';
import { record, unique } from './sinks-mqtt-support.js';

const BROKER = 'mqtt://127.0.0.1:1883';
const skip = await requireService('Mosquitto on 127.0.0.1:1883', () => canConnectTcp('127.0.0.1', 1883),
  'start a broker (apt-get install mosquitto) for the MQTT output tests');

test('meterwire read → MQTT, killed with SIGKILL: the will marks the reader offline and every entity references it', { skip }, async () => {
  const prefix = unique();
  const disc = `${prefix}ha`;
  const tmp = tempDir();
  const rec = await record(BROKER, [`${prefix}/#`, `${disc}/#`]);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'read', 'sim:no-kaifa?interval=200',
    '--output', `${BROKER}/${prefix}?discovery=${disc}`, '--state-dir', tmp.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  try {
    const meter = '6970631401753985';
    const configs = () => rec.messages.filter((m) => m.topic.startsWith(`${disc}/sensor/meterwire_${meter}/`) && m.payload !== '');
    await rec.wait('the reader to publish the meter', () => rec.last(`${prefix}/${meter}/availability`) === 'online' && configs().length >= 13)
      .catch((e: Error) => { throw new Error(`${e.message}\n${stderr}`); });
    const reader = rec.messages.find((m) => m.topic.includes('/_reader-'))?.topic ?? '';
    assert.equal(rec.last(reader), 'online');
    for (const c of configs()) {
      const p = JSON.parse(c.payload) as { availability: { topic: string }[]; availability_mode: string };
      assert.deepEqual(p.availability.map((a) => a.topic), [`${prefix}/${meter}/availability`, reader], c.topic);
      assert.equal(p.availability_mode, 'all');
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    await rec.wait('the last will', () => rec.last(reader) === 'offline');
    assert.deepEqual(rec.on(reader), ['online', 'offline']);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
      await rec.wait('the will before the cleanup', () => rec.messages.some((m) => m.topic.includes('/_reader-') && m.payload === 'offline')).catch(() => undefined);
    }
    await rec.cleanupAndEnd();
    tmp.remove();
  }
});
