import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createFanout } from '../src/app/fanout.js';
import { createMqttSink } from '../src/sinks/mqtt/index.js';
import type { OutputStats } from '../src/sinks/types.js';
import { canConnectTcp, freePort, hasCommand, requireService } from './support/services.js';
import { memoryLog, message, tempDir, waitFor } from './fanout-support.js';
import { sinkContext, unique } from './sinks-mqtt-support.js';

const skip = await requireService('the mosquitto binary', () => hasCommand('mosquitto'),
  'install mosquitto (apt-get install mosquitto) for the broker outage test');


/** Our own broker, with persistence so the subscriber's session (and its queued messages) survive the restart. */
async function startBroker(conf: string, port: number): Promise<ChildProcess> {
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  await waitFor('mosquitto to listen', () => child.exitCode === null && portOpen.get(port) === true, 10_000).catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  return child;
}

// canConnectTcp is async; a small cache keeps waitFor's condition synchronous.
const portOpen = new Map<number, boolean>();
async function watchPort(port: number, stop: () => boolean): Promise<void> {
  while (!stop()) {
    portOpen.set(port, await canConnectTcp('127.0.0.1', port, 200));
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stopBroker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('mqtt output through the fan-out: a broker outage loses nothing; every message arrives in order', { skip }, async (t) => {
  const tmp = tempDir();
  const port = await freePort();
  const conf = join(tmp.dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${tmp.dir}/\n`);
  let watching = true;
  const watcher = watchPort(port, () => !watching);
  let broker = await startBroker(conf, port);
  const url = `mqtt://127.0.0.1:${port}`;
  const prefix = unique();
  const topic = `${prefix}/TEST0001/energy_import`;

  // A persistent-session subscriber (clean: false, QoS 1): what the broker queued for it while it was away
  // arrives after it reconnects.
  const received: number[] = [];
  const sub = await mqtt.connectAsync(url, { clientId: `${prefix}-sub`, clean: false, reconnectPeriod: 100 });
  sub.on('message', (_t, payload, packet) => { if (!packet.retain) received.push(Number(payload.toString())); });
  await sub.subscribeAsync(topic, { qos: 1 });

  const sink = createMqttSink(`${url}/${prefix}?discovery=0&values=0&mode=every`, sinkContext(join(tmp.dir, 'state')));
  const fanout = createFanout([sink], { outboxPath: join(tmp.dir, 'outbox.db'), log: memoryLog(), backoff: { initialMs: 50, maxMs: 500 } });
  let seq = 0;
  let maxSpooled = 0;
  let sawDown = false;
  const sample = (): OutputStats => {
    const s = fanout.stats()[0];
    maxSpooled = Math.max(maxSpooled, s.spooled);
    sawDown ||= s.state === 'down';
    return s;
  };
  const publishFor = async (ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      fanout.publish(message(seq++));
      sample();
      await sleep(10);
    }
  };
  try {
    await waitFor('the output to come up', () => sample().state === 'up');
    await publishFor(500);
    await stopBroker(broker);
    await publishFor(3000);
    await waitFor('the output to notice the outage', () => sample().state === 'down');
    broker = await startBroker(conf, port);
    await publishFor(500);
    const total = seq;
    await waitFor('every message at the subscriber', () => received.length >= total, 30_000);
    // The subscriber may see the last message before the publisher has processed its acknowledgement.
    await waitFor('the fan-out to count the last acknowledgement', () => sample().delivered >= total);
    const final = sample();
    const distinct = received.filter((v, i) => received.indexOf(v) === i);
    t.diagnostic(`published ${total}, received ${received.length} (${received.length - distinct.length} duplicates), ` +
      `max spooled ${maxSpooled}, delivered ${final.delivered}, dropped ${final.dropped}, failures ${final.failures}, ` +
      `loss ${total - distinct.length}`);
    assert.deepEqual(distinct, Array.from({ length: total }, (_, i) => i), 'every message, in order');
    // At least once: a batch in flight when the broker died may come twice, never more than one batch.
    assert.ok(received.length - distinct.length <= 100, 'duplicates only from one re-sent batch');
    assert.ok(sawDown && maxSpooled > 0, 'the outage was spooled to disk');
    assert.deepEqual({ delivered: final.delivered, dropped: final.dropped, spooled: final.spooled, queued: final.queued },
      { delivered: total, dropped: 0, spooled: 0, queued: 0 });
  } finally {
    await fanout.close(2000);
    await sub.endAsync(true);
    await stopBroker(broker);
    watching = false;
    await watcher;
    tmp.remove();
  }
});
