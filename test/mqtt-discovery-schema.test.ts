/**
 * Every Home Assistant discovery config the MQTT output makes for every simulated meter family, validated
 * against HA's schema table (sinks-mqtt-ha-schema.ts), together with the value its state topic gets: no
 * unknown or deprecated keys (object_id), valid default_entity_id, unit/device class/state class combinations
 * HA accepts, the meter clock a timestamp sensor with an ISO 8601 value with offset, ids and texts diagnostic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { simulatedProfiles } from '../src/sim/profile-frames.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { discoveryConfig } from '../src/sinks/mqtt/discovery.js';
import { meterKey, readingPayload } from '../src/sinks/mqtt/payloads.js';
import { validateSensorConfig, SENSOR_KEYS, DEVICE_CLASSES } from './sinks-mqtt-ha-schema.js';

const T0 = Date.UTC(2026, 5, 1, 10);
const CTX = { discovery: 'homeassistant', prefix: 'meterwire', connectionAvailability: 'meterwire/_reader-0123456789abcdef/availability' };

function messagesOf(profile: string): MeterMessage[] {
  const sim = createSimulator({ profile, seed: 7 });
  const decoder = createDecoder({ profile, key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  const out = [...decoder.push(sim.frame(T0)), ...decoder.push(sim.frame(T0 + 10_000)), ...decoder.flush()];
  const errors = out.filter(isErrorMessage);
  assert.deepEqual(errors, [], `${profile} decodes`);
  return out.filter((m): m is MeterMessage => !isErrorMessage(m));
}

test('the schema table rejects what HA rejects (so the test below can fail)', () => {
  const ok = { name: 'P', unique_id: 'u', default_entity_id: 'sensor.meterwire_m_p', state_topic: 'a/b', device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W' };
  assert.deepEqual(validateSensorConfig('homeassistant/sensor/meterwire_m/p/config', ok, '12.5'), []);
  const bad = (c: Record<string, unknown>, state = '1'): string[] => validateSensorConfig('homeassistant/sensor/meterwire_m/p/config', { ...ok, ...c }, state);
  assert.match(bad({ object_id: 'x' }).join(), /unknown key object_id/);
  assert.match(bad({ default_entity_id: 'meterwire_m_p' }).join(), /default_entity_id/, 'needs the domain');
  assert.match(bad({ default_entity_id: 'sensor.Meter__P' }).join(), /default_entity_id/);
  assert.match(bad({ unit_of_measurement: 'kWh' }).join(), /does not take unit "kWh"/);
  assert.match(bad({ device_class: 'energy', unit_of_measurement: 'Wh', state_class: 'measurement' }).join(), /state_class measurement/);
  assert.match(bad({ device_class: 'timestamp', unit_of_measurement: undefined, state_class: undefined }, '2026-01-01T00:00:00').join(), /timestamp sensor gets/);
  assert.match(bad({ entity_category: 'config' }).join(), /entity_category/);
  assert.match(bad({}, 'abc').join(), /numeric sensor gets "abc"/);
  assert.match(validateSensorConfig('homeassistant/sensor/a+b/p/config', ok, '1').join(), /discovery topic/);
});

test('discovery for every simulated profile passes HA\'s sensor schema, with the value each state topic gets', () => {
  const seen = { configs: 0, classes: new Set<string>(), timestamps: 0, diagnostic: 0 };
  const problems: string[] = [];
  const profiles = simulatedProfiles();
  assert.ok(profiles.length >= 13, profiles.join(' '));
  for (const profile of profiles) {
    for (const msg of messagesOf(profile)) {
      const key = meterKey(msg);
      for (const r of msg.readings) {
        const d = discoveryConfig(CTX, key, msg, r);
        const state = readingPayload(r);
        for (const p of validateSensorConfig(d.topic, d.payload, state)) problems.push(`${profile} ${r.id} (${r.obis} ${r.unit ?? ''}): ${p}`);
        seen.configs++;
        if (typeof d.payload.device_class === 'string') seen.classes.add(d.payload.device_class);
        if (d.payload.device_class === 'timestamp') seen.timestamps++;
        if (d.payload.entity_category === 'diagnostic') seen.diagnostic++;
        if (typeof r.value === 'string') assert.equal(d.payload.entity_category, 'diagnostic', `${profile} ${r.id}: texts and ids are diagnostic`);
        if (r.id === 'timestamp') assert.equal(d.payload.device_class, 'timestamp', `${profile}: the meter clock is a timestamp`);
        assert.equal(d.payload.object_id, undefined);
        assert.equal(d.payload.availability_mode, 'all');
        assert.deepEqual((d.payload.availability as { topic: string }[]).map((a) => a.topic), [`meterwire/${key}/availability`, CTX.connectionAvailability]);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(seen.configs > 200, `configs checked: ${seen.configs}`);
  for (const c of ['energy', 'power', 'voltage', 'current', 'timestamp']) assert.ok(seen.classes.has(c), `some profile has ${c}`);
  assert.ok(seen.timestamps > 0 && seen.diagnostic > seen.timestamps);
  for (const c of seen.classes) assert.ok(c in DEVICE_CLASSES);
  assert.ok('default_entity_id' in SENSOR_KEYS && !('object_id' in SENSOR_KEYS));
});
