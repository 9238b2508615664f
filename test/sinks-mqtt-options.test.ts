import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMqttSinkUrl } from '../src/sinks/mqtt/options.js';
import fc from 'fast-check';
import { compactValues, meterKey, meterTopics } from '../src/sinks/mqtt/payloads.js';
import { deviceInfo, discoveryConfig, sensorClass } from '../src/sinks/mqtt/discovery.js';
import { createPublishGate } from '../src/sinks/mqtt/publish-gate.js';
import { createMqttSink } from '../src/sinks/mqtt/index.js';
import type { Reading } from '../src/core/model/message.js';
import { join } from 'node:path';
import { createFanout } from '../src/app/fanout.js';
import { memoryLog, tempDir, waitFor } from './fanout-support.js';
import { kaifaMessage, sinkContext } from './sinks-mqtt-support.js';

test('mqtt output URL: defaults, prefix, options, and credentials never in the name', () => {
  const d = parseMqttSinkUrl('mqtt://meter:S3cret%40x@broker.local');
  assert.equal(d.name, 'mqtt://meter:***@broker.local');
  assert.deepEqual([d.prefix, d.discovery, d.values, d.mode, d.intervalMs, d.retain], ['meterwire', 'homeassistant', 'default', 'interval', 10_000, false]);
  assert.deepEqual([parseMqttSinkUrl('mqtt://h/?mode=every').mode, parseMqttSinkUrl('mqtt://h/?mode=interval').intervalMs], ['every', 10_000]);
  assert.deepEqual([d.client.hostname, d.client.port, d.client.username, d.client.password], ['broker.local', 1883, 'meter', 'S3cret@x']);
  const o = parseMqttSinkUrl('mqtts://h:8884/home/meters/?discovery=ha&values=sensors/smartmeter/values&mode=change&retain=1&clientId=pi');
  assert.deepEqual([o.client.protocol, o.client.port, o.client.clientId, o.prefix, o.discovery, o.values, o.mode, o.retain],
    ['mqtts', 8884, 'pi', 'home/meters', 'ha', 'sensors/smartmeter/values', 'change', true]);
  const off = parseMqttSinkUrl('mqtt://h/?discovery=0&values=0&interval=30');
  assert.deepEqual([off.discovery, off.values, off.mode, off.intervalMs], [undefined, undefined, 'interval', 30_000]);
});

test('mqtt output URL: mistakes are config errors that say what to write', () => {
  assert.throws(() => parseMqttSinkUrl('mqtt://h/?mode=change&interval=5'), /only applies to mode=interval/);
  assert.throws(() => parseMqttSinkUrl('mqtt://h/?interval=0'), /positive integer/);
  assert.throws(() => parseMqttSinkUrl('mqtt://h/?mode=sometimes'), /every, interval, change/);
  assert.throws(() => parseMqttSinkUrl('mqtt://h/a/%23'), /not a valid topic/);
  assert.throws(() => parseMqttSinkUrl('mqtt://u:pw@h/?ca=/nonexistent/ca.pem'), (e: Error) => /CA certificate/.test(e.message) && !e.message.includes('pw@'));
  assert.throws(() => parseMqttSinkUrl('http://h'), /mqtt:\/\/ or mqtts:\/\//);
});

test('mqtt output: sink name is redacted and the sink is durable', () => {
  const sink = createMqttSink('mqtt://u:hunter2@127.0.0.1:1/x', sinkContext('/tmp'));
  assert.equal(sink.name, 'mqtt://u:***@127.0.0.1:1/x');
  assert.equal(sink.durable, true);
});

test('meter key: topic- and HA-safe, meter id before system title', () => {
  const m = kaifaMessage('1KFM 02/00+#1', 1);
  // Was '1KFM_02_00__1': every unsafe character became "_", so '+' and '#' shared a topic (issue 7). Now one-to-one.
  assert.equal(meterKey(m), '1KFM_2002_2F00_2B_231');
  assert.equal(meterKey({ ...m, meter: { systemTitle: '4b464d1020029802' } }), '4b464d1020029802');
  assert.equal(meterKey({ ...m, meter: {} }), '_unidentified', 'no escaped id can be this (the reader gives every message an id)');
  assert.notEqual(meterKey({ ...m, meter: {} }), meterKey({ ...m, meter: { id: '_unidentified' } }));
  assert.notEqual(meterKey({ ...m, meter: {} }), meterKey({ ...m, meter: { id: 'meter' } }));
});

test('meter ids "+", "#", "/", "a+b", "" and look-alikes: one safe topic level each, all different (issue 7)', () => {
  const ids = ['+', '#', 'a/b', 'a+b', '', 'a_b', 'a_2Fb', '_', '__', 'a b', 'ä', '1KFM0200169986'];
  const keys = ids.map((id) => meterKey(kaifaMessage(id, 1)));
  for (const k of keys) assert.match(k, /^[A-Za-z0-9_-]+$/, `key ${k} is one level, no wildcard, HA-safe`);
  // '' is no id: the system title names the meter, as without an id.
  assert.equal(keys[ids.indexOf('')], '4b464d1020029802');
  assert.equal(new Set(keys).size, ids.length, `distinct: ${keys.join(' ')}`);
  assert.equal(meterKey(kaifaMessage('1KFM0200169986', 1)), '1KFM0200169986', 'a real meter id keeps its topic');
  const topics = ids.map((id) => meterTopics('meterwire', meterKey(kaifaMessage(id, 1))));
  for (const t of topics) assert.equal(t.state.split('/').length, 3, t.state);
});

test('property: distinct meter ids never share a topic level or an HA object id', () => {
  const text = fc.string({ unit: fc.oneof(fc.constantFrom('+', '#', '/', '_', '-', 'a', 'B', '0', ' ', '%', '\0', 'é'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })), minLength: 1, maxLength: 12 });
  fc.assert(fc.property(text, text, (a, b) => {
    fc.pre(a !== b);
    const [ka, kb] = [a, b].map((id) => meterKey(kaifaMessage(id, 1)));
    assert.notEqual(ka, kb);
    for (const k of [ka, kb]) assert.match(k, /^[A-Za-z0-9_-]+$/);
    const msg = kaifaMessage(a, 1);
    const ctx = { discovery: 'homeassistant', prefix: 'meterwire', connectionAvailability: 'meterwire/_reader-0/availability' };
    const [da, db] = [ka, kb].map((k) => discoveryConfig(ctx, k, msg, msg.readings[0]));
    assert.notEqual(da.payload.unique_id, db.payload.unique_id);
    for (const d of [da, db]) assert.match(String(d.payload.default_entity_id), /^sensor\.[a-z0-9]+(_[a-z0-9]+)*$/);
    assert.notEqual(da.topic, db.topic);
    assert.doesNotMatch(da.topic, /[+#]/);
  }), { numRuns: 3000 });
});

test('reading ids: built-in snake_case ids keep their topics; anything else is one safe level', () => {
  const topics = meterTopics('meterwire', 'M1');
  assert.equal(topics.reading('energy_import'), 'meterwire/M1/energy_import');
  const odd = ['a/b', '+', '#', 'A', '_x', '9x'];
  const levels = odd.map((id) => topics.reading(id).slice('meterwire/M1/'.length));
  for (const l of levels) assert.match(l, /^_[A-Za-z0-9_-]+$/, l);
  assert.equal(new Set(levels).size, odd.length);
});

test('HA classes: counters are total_increasing, instantaneous values measurements, volumes by id', () => {
  const r = (id: string, unit: string | undefined, value: number | string = 1): Reading => ({ obis: '1-0:1.8.0', id, name: id, value, unit, quality: [] });
  assert.deepEqual(sensorClass(r('energy_import_t1', 'kWh')), { device_class: 'energy', state_class: 'total_increasing' });
  assert.deepEqual(sensorClass(r('power_export', 'kW')), { device_class: 'power', state_class: 'measurement' });
  assert.deepEqual(sensorClass(r('reactive_power_import', 'var')), { device_class: 'reactive_power', state_class: 'measurement' });
  assert.deepEqual(sensorClass(r('frequency', 'Hz')), { device_class: 'frequency', state_class: 'measurement' });
  assert.deepEqual(sensorClass(r('water_volume', 'm3')), { device_class: 'water', state_class: 'total_increasing' });
  assert.deepEqual(sensorClass(r('power_factor_l2', undefined)), { device_class: 'power_factor', state_class: 'measurement' });
  assert.deepEqual(sensorClass(r('obis_1_0_99_1_0', 'widgets')), { state_class: 'measurement' });
  assert.deepEqual(sensorClass(r('meter_number', undefined, 'ABC')), { entity_category: 'diagnostic' });
  const clock = (value: string, quality: Reading['quality'] = []): Reading => ({ obis: '0-0:1.0.0', id: 'timestamp', name: 'Clock', value, quality });
  assert.deepEqual(sensorClass(clock('2026-01-15T12:00:00.000Z')), { device_class: 'timestamp', entity_category: 'diagnostic' });
  assert.deepEqual(sensorClass(clock('garbage', ['invalid_timestamp'])), { device_class: 'timestamp', entity_category: 'diagnostic' });
  assert.deepEqual(sensorClass({ ...clock('2026-01-15'), obis: '0-0:0.9.2', id: 'local_date' }), { entity_category: 'diagnostic' }, 'a date alone is no timestamp');
});

test('HA device: manufacturer names, profile model, unknown codes kept as they are', () => {
  const m = kaifaMessage('X1', 1);
  assert.equal(deviceInfo({ ...m, meter: { ...m.meter, manufacturer: 'LGZ', profile: undefined } }, 'X1').manufacturer, 'Landis+Gyr');
  const unknown = deviceInfo({ ...m, meter: { id: 'X1', manufacturer: 'ZZZ', profile: 'no-such-profile' } }, 'X1');
  assert.deepEqual(unknown, { identifiers: ['meterwire_X1'], name: 'Smart meter X1', manufacturer: 'ZZZ', serial_number: 'X1' });
});

test('compact values: absent readings omitted, time from the message else now', () => {
  const m = kaifaMessage('C1', 7);
  m.readings = m.readings.filter((r) => r.id === 'energy_import');
  delete m.timestamp;
  assert.deepEqual(compactValues(m, 1_700_000_000_999), { WIn: { value: 7, unit: 'Wh' }, timestamp: { value: 1_700_000_000, unit: 's' } });
  const pf = kaifaMessage('C1', 7);
  assert.deepEqual(compactValues(pf, 0).PF, { value: 0.98, unit: '1' }, 'the EVN decoder writes "1" for the power factor');
  const pct = kaifaMessage('C1', 7);
  pct.readings = pct.readings.map((r) => (r.id === 'power_factor' ? { ...r, unit: '%', value: 98 } : r));
  assert.equal(compactValues(pct, 0).PF, undefined, 'a percentage is not published as a factor');
});

test('publish gate: interval uses meter time and tolerates a clock going back; change is per reading', () => {
  const at = (s: number): string => new Date(s * 1000).toISOString();
  const g = createPublishGate('interval', 10_000);
  const pub = (s: number): boolean => g.select('m', kaifaMessage('m', 1, at(s)), 0).publish;
  assert.deepEqual([pub(100), pub(105), pub(110), pub(50), pub(55), pub(60)], [true, false, true, true, false, true]);
  // Per reading: list 1 (power, no clock) every 2 s must not starve list 2 (voltage) of its slot.
  const n = createPublishGate('interval', 10_000);
  const list1 = { ...kaifaMessage('n', 1), timestamp: undefined, readings: kaifaMessage('n', 1).readings.filter((r) => r.id === 'power_import') };
  const list2 = (s: number) => kaifaMessage('n', 1, new Date(Date.UTC(2026, 0, 1, 0, 0, s) + 3_600_000).toISOString()); // meter clock 1 h ahead
  const host = Date.UTC(2026, 0, 1);
  const out: string[][] = [];
  for (let s = 0; s <= 20; s += 2) {
    const d = n.select('n', s === 10 ? list2(s) : list1, host + s * 1000);
    out.push(d.readings.map((r) => r.id).filter((id) => id === 'power_import' || id === 'voltage_l1'));
  }
  assert.deepEqual(out, [['power_import'], [], [], [], [], ['power_import', 'voltage_l1'], [], [], [], [], ['power_import']],
    'power at most every 10 s whatever the list; voltage as soon as list 2 brings it; the meter clock offset does not count as a reset');
  const c = createPublishGate('change', 0);
  assert.equal(c.select('m', kaifaMessage('m', 1), 0).readings.length, 10);
  assert.deepEqual(c.select('m', kaifaMessage('m', 2), 0).readings.map((r) => r.id), ['energy_import']);
  assert.equal(c.select('m', kaifaMessage('m', 2), 0).publish, false);
  c.reset();
  assert.equal(c.select('m', kaifaMessage('m', 2), 0).readings.length, 10, 'after a reconnect everything goes out again');
});

test('mqtt output: an unreachable broker is "down" in the fan-out, messages spool, the password is never logged', async () => {
  const tmp = tempDir();
  const log = memoryLog();
  const sink = createMqttSink('mqtt://u:hunter2@127.0.0.1:1/x', { ...sinkContext(tmp.dir), log });
  const fanout = createFanout([sink], { outboxPath: join(tmp.dir, 'o.db'), log, backoff: { initialMs: 10, maxMs: 50 } });
  try {
    for (let i = 0; i < 3; i++) fanout.publish(kaifaMessage('U1', i));
    await waitFor('down with the backlog on disk', () => fanout.stats()[0].state === 'down' && fanout.stats()[0].spooled === 3);
    assert.ok(log.lines.some((l) => l.includes('mqtt://u:***@127.0.0.1:1/x: down (open failed')));
  } finally {
    await fanout.close(500);
    tmp.remove();
  }
  assert.equal(fanout.stats()[0].spooled, 3);
  assert.ok(log.lines.every((l) => !l.includes('hunter2')));
});
