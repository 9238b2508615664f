/**
 * MQTT prices across a broker outage, on a Mosquitto of the test's own (no persistence: a restarted broker has
 * lost the retained prices, as after a crash): the known slots stay through the outage, the loss is logged once
 * however many reconnects fail, and after the broker is back the subscription is renewed and new prices merge in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { createPriceMqtt } from '../src/dashboard/price-mqtt.js';
import { memoryLog, tempDir, waitFor } from './fanout-support.js';
import { canConnectTcp, freePort, hasCommand, requireService } from './support/services.js';

const skip = await requireService('the mosquitto binary', () => hasCommand('mosquitto'),
  'install mosquitto (apt-get install mosquitto) for the MQTT price outage test');

const H = 3_600_000;
const DAY = Date.UTC(2026, 5, 14, 22); // 15 June 2026 00:00 in Amsterdam (CEST)
const priceOf = (h: number) => (1200 + h * 45) / 10_000;
const slots = (hours: readonly number[]) => JSON.stringify(hours.map((h) => ({
  start: `2026-06-15T${String(h).padStart(2, '0')}:00:00+02:00`, price: String(priceOf(h)) })));

async function untilPort(port: number, open: boolean): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await canConnectTcp('127.0.0.1', port, 200) === open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} did not ${open ? 'open' : 'close'}`);
}

async function startBroker(conf: string, port: number): Promise<ChildProcess> {
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  await untilPort(port, true).catch((e) => { child.kill('SIGKILL'); throw e; });
  return child;
}

async function stopBroker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function publishRetained(url: string, topic: string, payload: string): Promise<void> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  await c.publishAsync(topic, payload, { qos: 1, retain: true });
  await c.endAsync();
}

test('mqtt prices: the known slots survive a broker outage, logged once; after it the subscription is renewed and new prices merge in', { skip }, async () => {
  const tmp = tempDir();
  const port = await freePort();
  const conf = join(tmp.dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  let broker = await startBroker(conf, port);
  const log = memoryLog();
  const url = `mqtt://127.0.0.1:${port}`;
  const topic = 'prices/nl/day-ahead';
  const prices = createPriceMqtt(parseTariffs({ currency: 'EUR', timeZone: 'Europe/Amsterdam',
    plans: { nl: { import: { type: 'dynamic', series: 'nl', slotMinutes: 60, mqtt: `${url}/${topic}` } } } }), log);
  const errors = () => log.lines.filter((l) => l.startsWith('error'));
  try {
    await publishRetained(url, topic, slots([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    await waitFor('the first prices', () => (prices.prices().nl?.length ?? 0) === 12, 15_000);

    await stopBroker(broker);
    await waitFor('the loss to be logged', () => errors().length === 1, 15_000);
    assert.match(errors()[0], /price series "nl": .*127\.0\.0\.1:\d+\/prices\/nl\/day-ahead.*; its known prices stay, MQTT\.js keeps reconnecting/);
    // MQTT.js retries every 5 s: wait for at least one failed retry, which is not logged again.
    await new Promise((r) => setTimeout(r, 6500));
    assert.equal(prices.prices().nl?.length, 12, 'the known prices stay during the outage');

    broker = await startBroker(conf, port);
    // The restarted broker has no retained message until the publisher sends the prices again.
    await publishRetained(url, topic, slots([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]));
    await waitFor('the renewed subscription to bring the new prices', () => (prices.prices().nl?.length ?? 0) === 24, 15_000);
    assert.deepEqual(prices.prices().nl!.map((s) => [s.start, s.price]), Array.from({ length: 24 }, (_, h) => [DAY + h * H, priceOf(h)]));
    assert.equal(errors().length, 1, errors().join('\n'));
    assert.equal(log.lines.filter((l) => /subscribed to mqtt:\/\/127\.0\.0\.1:\d+\/prices\/nl\/day-ahead/.test(l)).length, 2);
    await publishRetained(url, topic, '');
  } finally {
    await prices.close();
    await stopBroker(broker);
    tmp.remove();
  }
});
