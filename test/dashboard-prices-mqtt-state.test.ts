/**
 * MQTT prices kept across restarts (src/dashboard/price-state.ts), against the real Mosquitto on 127.0.0.1:1883:
 * a second run knows the first run's slots although the broker no longer retains them; a series re-pointed to
 * another topic starts empty; an unreadable file is set aside with one error; old slots are dropped; the file never
 * holds the broker password.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createPriceMqtt } from '../src/dashboard/price-mqtt.js';
import { KEEP_DAYS, openPriceState } from '../src/dashboard/price-state.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { memoryLog, tempDir, waitFor } from './fanout-support.js';
import { unique } from './sinks-mqtt-support.js';
import { canConnectTcp, requireService } from './support/services.js';

const skip = await requireService('Mosquitto on 127.0.0.1:1883', () => canConnectTcp('127.0.0.1', 1883),
  'start it (apt-get install mosquitto; service mosquitto start) for the MQTT price tests');

const PASSWORD = 'K33p-pr1ces';
const Q = 15 * 60_000;
const DAY = Date.UTC(2026, 10, 30, 23); // 1 December 2026, 00:00 in Vienna
const topic = `meterwire-test/${unique()}/prices`;
const otherTopic = `${topic}-other`;
const url = (t: string) => `mqtt://prices:${PASSWORD}@127.0.0.1:1883/${t}`;
const tariffsFor = (t: string) => parseTariffs({
  currency: 'EUR', timeZone: 'Europe/Vienna',
  plans: { spot: { import: { type: 'dynamic', series: 'epex', slotMinutes: 15, mqtt: url(t), format: 'json' } } },
});
/** Quarter i's price in EUR/kWh, exact in binary and in JSON. */
const price = (i: number) => 0.125 + i / 64;
const slots = (quarters: readonly number[]) => JSON.stringify(quarters.map((i) => ({ start: new Date(DAY + i * Q).toISOString(), price: price(i) })));
const expected = (quarters: readonly number[]) => quarters.map((i) => ({ start: DAY + i * Q, price: price(i) }));

let publisher: MqttClient | undefined;
const tmp = tempDir();
const file = join(tmp.dir, 'dashboard-prices.json');

before(async () => {
  if (skip) return;
  publisher = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { reconnectPeriod: 0 });
});

after(async () => {
  if (publisher?.connected) for (const t of [topic, otherTopic]) await publisher.publishAsync(t, '', { qos: 1, retain: true });
  await publisher?.endAsync();
  tmp.remove();
});

test('mqtt prices: a restart keeps the slots received before, also when the broker no longer retains them', { skip }, async () => {
  const log1 = memoryLog();
  await publisher!.publishAsync(topic, slots([0, 1, 2, 3]), { qos: 1, retain: true });
  const first = createPriceMqtt(tariffsFor(topic), log1, file);
  await waitFor('the retained prices', () => first.prices().epex?.length === 4, 15_000);
  await first.close();
  assert.ok(existsSync(file));
  assert.equal(readFileSync(file, 'utf8').includes(PASSWORD), false, 'the file holds no password');

  // The publisher clears its retained message: only the file knows quarters 0–3 now.
  await publisher!.publishAsync(topic, '', { qos: 1, retain: true });
  const log2 = memoryLog();
  const second = createPriceMqtt(tariffsFor(topic), log2, file);
  try {
    assert.deepEqual(second.prices().epex, expected([0, 1, 2, 3]), 'known before any message arrives');
    assert.equal(log2.lines.filter((l) => /"epex": 4 slots kept from earlier runs/.test(l)).length, 1, log2.lines.join('\n'));
    await waitFor('the subscription', () => log2.lines.some((l) => /subscribed to/.test(l)), 15_000);
    await publisher!.publishAsync(topic, slots([4]), { qos: 1 });
    await waitFor('the new slot', () => second.prices().epex?.length === 5, 15_000);
    assert.deepEqual(second.prices().epex, expected([0, 1, 2, 3, 4]));
  } finally {
    await second.close();
  }
  const third = createPriceMqtt(tariffsFor(topic), memoryLog(), file);
  assert.deepEqual(third.prices().epex, expected([0, 1, 2, 3, 4]), 'the merged slots were kept too');
  await third.close();
  assert.equal([...log1.lines, ...log2.lines].filter((l) => l.includes(PASSWORD)).length, 0);
  assert.deepEqual([...log1.lines, ...log2.lines].filter((l) => l.startsWith('error')), []);
});

test('mqtt prices: a series read from another topic does not reuse the kept slots', { skip }, async () => {
  const log = memoryLog();
  const moved = createPriceMqtt(tariffsFor(otherTopic), log, file);
  try {
    assert.equal(moved.prices().epex, undefined);
    assert.equal(log.lines.filter((l) => /"epex" now comes from mqtt:\/\/prices:\*\*\*@127\.0\.0\.1:1883\/.*-other; the 5 slots kept from .* are not used/.test(l)).length, 1,
      log.lines.join('\n'));
  } finally {
    await moved.close();
  }
});

test('mqtt prices: an unreadable state file is set aside with one error, and the series starts empty', { skip }, async () => {
  writeFileSync(file, '{"version":1,"series":{"epex":{"source":"x","format":"json","slotMinutes":15,"slots":[[2,1],[1,1]]}}}');
  const log = memoryLog();
  const p = createPriceMqtt(tariffsFor(topic), log, file);
  try {
    assert.equal(p.prices().epex, undefined);
    const errors = log.lines.filter((l) => l.startsWith('error'));
    assert.equal(errors.length, 1, log.lines.join('\n'));
    assert.match(errors[0], /cannot be read \(series "epex" is malformed\): moved to .*dashboard-prices\.json\.unreadable/);
    assert.equal(existsSync(`${file}.unreadable`), true);
    assert.equal(existsSync(file), false);
  } finally {
    await p.close();
  }
});

test('price state: slots older than the kept days are dropped when written; other series are kept as they were', () => {
  const dir = tempDir();
  try {
    const path = join(dir.dir, 'p.json');
    const now = DAY + 10 * 86_400_000;
    const id = { source: 'mqtt://b/t', format: 'json', slotMinutes: 60 };
    const state = openPriceState(path, memoryLog(), () => now);
    const oldest = now - KEEP_DAYS * 86_400_000;
    state.save('a', id, [{ start: oldest - 3_600_000, price: 1 }, { start: oldest, price: 2 }, { start: now, price: 3 }]);
    state.save('b', { ...id, unit: 'EUR/MWh' }, [{ start: now, price: 40 }]);
    const again = openPriceState(path, memoryLog(), () => now);
    assert.deepEqual(again.restore('a', id), [{ start: oldest, price: 2 }, { start: now, price: 3 }]);
    assert.equal(again.restore('b', id), undefined, 'another unit is another source');
  } finally {
    dir.remove();
  }
});
