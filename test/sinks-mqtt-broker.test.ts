import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createMqttSink } from '../src/sinks/mqtt/index.js';
import { canConnectTcp, requireService } from './support/services.js';
import { tempDir } from './fanout-support.js';
import { kaifaMessage, record, sinkContext, unique } from './sinks-mqtt-support.js';

const BROKER = 'mqtt://127.0.0.1:1883';
const skip = await requireService('Mosquitto on 127.0.0.1:1883', () => canConnectTcp('127.0.0.1', 1883),
  'start a broker (apt-get install mosquitto) for the MQTT output tests');
const METER = '1KFM0200169986';

test('mqtt output: Home Assistant discovery, state, retained per-reading values, compact values, availability', { skip }, async () => {
  const prefix = unique();
  const disc = `${prefix}ha`;
  const tmp = tempDir();
  const rec = await record(BROKER, [`${prefix}/#`, `${disc}/#`]);
  const sink = createMqttSink(`${BROKER}/${prefix}?discovery=${disc}&mode=every`, sinkContext(tmp.dir));
  try {
    await sink.open();
    const msg = kaifaMessage(METER, 278041);
    await sink.write([msg]);
    const base = `${prefix}/${METER}`;
    await rec.wait('the values topic', () => rec.last(`${base}/values`) !== undefined);

    const config = (id: string): Record<string, unknown> => JSON.parse(rec.last(`${disc}/sensor/meterwire_${METER}/${id}/config`) ?? 'null');
    const energy = config('energy_import');
    const reader = rec.messages.find((m) => /^[^/]+\/_reader-[0-9a-f]{16}\/availability$/.test(m.topic))?.topic;
    assert.ok(reader, 'the connection announces itself on its own availability topic');
    assert.equal(rec.last(reader), 'online');
    const avail = (topic: string) => ({ topic, payload_available: 'online', payload_not_available: 'offline' });
    assert.deepEqual(energy, {
      name: 'Active energy import (+A)',
      unique_id: `meterwire_${METER}_energy_import`,
      default_entity_id: `sensor.meterwire_${METER.toLowerCase()}_energy_import`,
      state_topic: `${base}/energy_import`,
      unit_of_measurement: 'Wh',
      device_class: 'energy',
      state_class: 'total_increasing',
      availability: [avail(`${base}/availability`), avail(reader)],
      availability_mode: 'all',
      device: {
        identifiers: [`meterwire_${METER}`],
        name: `Smart meter ${METER}`,
        manufacturer: 'Kaifa',
        model: 'Kaifa MA309M (three phase), M110 (single phase)',
        serial_number: METER,
      },
      origin: { name: 'meterwire' },
    });
    const pick = (c: Record<string, unknown>) => [c.device_class, c.state_class, c.unit_of_measurement];
    assert.deepEqual(pick(config('power_import')), ['power', 'measurement', 'W']);
    assert.deepEqual(pick(config('voltage_l1')), ['voltage', 'measurement', 'V']);
    assert.deepEqual(pick(config('current_l1')), ['current', 'measurement', 'A']);
    assert.deepEqual(pick(config('power_factor')), ['power_factor', 'measurement', undefined]);
    assert.deepEqual(pick(config('gas_volume')), ['gas', 'total_increasing', 'm³']);
    assert.deepEqual(pick(config('reactive_energy_import')), ['reactive_energy', 'total_increasing', 'varh']);
    assert.deepEqual(pick(config('meter_number')), [undefined, undefined, undefined], 'text readings are plain sensors');
    assert.equal(config('meter_number').entity_category, 'diagnostic');
    assert.equal(config('meter_number').state_topic, `${base}/meter_number`);

    assert.deepEqual(JSON.parse(rec.last(`${base}/state`) ?? ''), msg);
    assert.equal(rec.last(`${base}/energy_import`), '278041');
    assert.equal(rec.last(`${base}/meter_number`), METER);
    assert.equal(rec.last(`${base}/availability`), 'online');
    assert.deepEqual(JSON.parse(rec.last(`${base}/values`) ?? ''), {
      WIn: { value: 278041, unit: 'Wh' }, WOut: { value: 12, unit: 'Wh' }, PIn: { value: 512, unit: 'W' },
      POut: { value: 0, unit: 'W' }, U1: { value: 231.4, unit: 'V' }, I1: { value: 1.23, unit: 'A' },
      PF: { value: 0.98, unit: '1' }, timestamp: { value: 1632768960, unit: 's' },
    });

    // A late subscriber (Home Assistant starting after the reader) finds configs and values retained.
    const late = await record(BROKER, [`${base}/energy_import`, `${disc}/sensor/meterwire_${METER}/energy_import/config`]);
    await late.wait('retained topics', () => late.messages.length === 2);
    assert.ok(late.messages.every((m) => m.retain));
    await late.client.endAsync();

    await sink.close();
    await rec.wait('offline on close', () => rec.last(`${base}/availability`) === 'offline' && rec.last(reader) === 'offline');
  } finally {
    await sink.close();
    await rec.cleanupAndEnd();
    tmp.remove();
  }
});

test('mqtt output: discovery and values can be switched off; compact values on a fixed topic; kWh meters become Wh', { skip }, async () => {
  const prefix = unique();
  const tmp = tempDir();
  const rec = await record(BROKER, [`${prefix}/#`, 'homeassistant/sensor/meterwire_KWH1/#']);
  const sink = createMqttSink(`${BROKER}/${prefix}?discovery=0&values=${prefix}/evn/values&retain=1`, sinkContext(tmp.dir));
  try {
    await sink.open();
    const msg = kaifaMessage('KWH1', 0);
    msg.readings[0] = { ...msg.readings[0], value: 278.041, unit: 'kWh' };
    msg.readings[2] = { ...msg.readings[2], value: 0.512, unit: 'kW' };
    await sink.write([msg]);
    await rec.wait('the values topic', () => rec.last(`${prefix}/evn/values`) !== undefined);
    const values = JSON.parse(rec.last(`${prefix}/evn/values`) ?? '');
    assert.deepEqual(values.WIn, { value: 278041, unit: 'Wh' });
    assert.deepEqual(values.PIn, { value: 512, unit: 'W' });
    assert.equal(rec.messages.filter((m) => m.topic.startsWith('homeassistant/')).length, 0);
    assert.equal(rec.messages.filter((m) => m.topic === `${prefix}/KWH1/values`).length, 0);
  } finally {
    await sink.close();
    await rec.cleanupAndEnd();
    tmp.remove();
  }
});

test('mqtt output: publishing modes (every message, at most every N seconds of meter time, on change per reading)', { skip }, async () => {
  const tmp = tempDir();
  const at = (s: number): string => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
  const batch = [kaifaMessage('M', 1, at(0)), kaifaMessage('M', 1, at(30)), kaifaMessage('M', 2, at(60)), kaifaMessage('M', 3, at(75))];
  const expected = { every: [4, 4, 4], interval: [2, 2, 2], change: [3, 3, 1] }; // state, energy_import, power_import
  for (const [mode, query] of [['every', '?mode=every'], ['interval', '?interval=60'], ['change', '?mode=change']] as const) {
    const prefix = unique();
    const rec = await record(BROKER, [`${prefix}/#`]);
    const sink = createMqttSink(`${BROKER}/${prefix}${query}${query ? '&' : '?'}discovery=0`, sinkContext(tmp.dir));
    try {
      await sink.open();
      await sink.write(batch);
      await sink.close(); // the offline availability comes after every value, on one connection
      await rec.wait(`${mode}: offline`, () => rec.last(`${prefix}/M/availability`) === 'offline');
      const counts = [rec.on(`${prefix}/M/state`).length, rec.on(`${prefix}/M/energy_import`).length, rec.on(`${prefix}/M/power_import`).length];
      assert.deepEqual(counts, expected[mode], `mode ${mode}`);
      if (mode === 'interval') assert.deepEqual(rec.on(`${prefix}/M/energy_import`), ['1', '2']);
      if (mode === 'change') assert.deepEqual(rec.on(`${prefix}/M/energy_import`), ['1', '2', '3']);
    } finally {
      await sink.close();
      await rec.cleanupAndEnd();
    }
  }
  tmp.remove();
});

test('mqtt output: availability follows reader health (stale → offline, ok → online)', { skip }, async () => {
  const prefix = unique();
  const tmp = tempDir();
  const ctx = sinkContext(tmp.dir);
  const rec = await record(BROKER, [`${prefix}/#`]); // everything, so the cleanup clears every retained reading too
  const sink = createMqttSink(`${BROKER}/${prefix}?discovery=0&values=0`, ctx);
  const topic = `${prefix}/H1/availability`;
  try {
    await sink.open();
    await sink.write([kaifaMessage('H1', 5)]);
    await rec.wait('online', () => rec.last(topic) === 'online');
    ctx.state.state = 'stale';
    await rec.wait('offline while stale', () => rec.last(topic) === 'offline');
    ctx.state.state = 'ok';
    await rec.wait('online again', () => rec.last(topic) === 'online');
    ctx.state.state = 'disconnected';
    await rec.wait('offline while disconnected', () => rec.last(topic) === 'offline');
    assert.deepEqual(rec.on(topic), ['online', 'offline', 'online', 'offline'], 'each change once');
  } finally {
    await sink.close();
    await rec.cleanupAndEnd();
    tmp.remove();
  }
});

test('mqtt output: a reader killed with SIGKILL makes every meter unavailable (one will per connection, referenced by all)', { skip }, async () => {
  const prefix = unique();
  const disc = `${prefix}ha`;
  const tmp = tempDir();
  const rec = await record(BROKER, [`${prefix}/#`, `${disc}/#`]);
  const meters = ['KILL1', 'KILL2'];
  const run = () => spawn(process.execPath, ['--import', 'tsx', 'test/sinks-mqtt-child.ts', `${BROKER}/${prefix}?discovery=${disc}`, tmp.dir, meters.join(',')],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  let child = run();
  try {
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const configs = () => rec.messages.filter((m) => m.topic.startsWith(`${disc}/sensor/`) && m.payload !== '');
    await rec.wait('the child to publish', () => out.includes('ready') && meters.every((m) => rec.last(`${prefix}/${m}/availability`) === 'online')
      && configs().length === 2 * 10);
    const reader = rec.messages.find((m) => m.topic.includes('/_reader-'))?.topic ?? '';
    assert.match(reader, new RegExp(`^${prefix}/_reader-[0-9a-f]{16}/availability$`));
    assert.equal(rec.last(reader), 'online');
    for (const c of configs()) {
      const p = JSON.parse(c.payload) as { availability: { topic: string }[]; availability_mode: string; device: { identifiers: string[] } };
      const meter = p.device.identifiers[0].replace(/^meterwire_/, '');
      assert.deepEqual(p.availability.map((a) => a.topic), [`${prefix}/${meter}/availability`, reader], c.topic);
      assert.equal(p.availability_mode, 'all', 'HA: unavailable as soon as either topic says offline');
    }
    child.kill('SIGKILL');
    await rec.wait('the last will', () => rec.last(reader) === 'offline');
    assert.deepEqual(rec.on(reader), ['online', 'offline']);
    for (const m of meters) assert.equal(rec.last(`${prefix}/${m}/availability`), 'online', 'the meter topics stay: the will covers them all');

    // The next start of the same reader (same state directory) uses the same topic and says online again.
    child = run();
    await rec.wait('online again after the restart', () => rec.on(reader).length === 3);
    assert.equal(rec.last(reader), 'online');
    child.kill('SIGKILL');
    await rec.wait('the will again', () => rec.on(reader).length === 4); // before the cleanup, or it would stay retained
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await rec.cleanupAndEnd();
    tmp.remove();
  }
});

test('mqtt output: meter ids "+", "#", "a/b", "a+b" and "" each get their own topics on a real broker (issue 7)', { skip }, async () => {
  const prefix = unique();
  const tmp = tempDir();
  const rec = await record(BROKER, [`${prefix}/#`]);
  const sink = createMqttSink(`${BROKER}/${prefix}?discovery=0&values=0`, sinkContext(tmp.dir));
  const ids = ['+', '#', 'a/b', 'a+b', ''];
  try {
    await sink.open();
    await sink.write(ids.map((id, i) => ({ ...kaifaMessage(id, 1000 + i), meter: { id, systemTitle: `53414731000000${i}${i}` } })));
    const states = () => rec.messages.filter((m) => m.topic.endsWith('/state'));
    await rec.wait('five state topics', () => states().length >= ids.length);
    const topics = states().map((m) => m.topic);
    assert.equal(new Set(topics).size, ids.length, topics.join(' '));
    for (const t of topics) assert.equal(t.split('/').length, 3, `one level per meter: ${t}`);
    for (const [i, id] of ids.entries()) {
      const got = states().filter((m) => (JSON.parse(m.payload) as { meter: { id: string } }).meter.id === id);
      assert.equal(got.length, 1, `meter ${JSON.stringify(id)}`);
      assert.equal(rec.last(got[0].topic.replace(/\/state$/, '/energy_import')), String(1000 + i));
    }
  } finally {
    await sink.close();
    await rec.cleanupAndEnd();
    tmp.remove();
  }
});
