/**
 * Rows built on the worker's hot path: every row gets its own column record with every fleet column (null when
 * the meter did not send it), so a row changed later (the store, a test) never leaks into the next one; flags and
 * system titles come out as before (sorted, upper case), also when the frame's title is lower case; a DSMR
 * meter's gas and water meters go to gas_volume and water_volume by their ids, whatever channel they are on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyPayload } from '../src/fleet/worker/classify.js';
import { createFrameDecoder } from '../src/fleet/worker/frame-decoder.js';
import { FLEET_COLUMN_NAMES } from '../src/fleet/worker/row-columns.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { simMeter } from './fleet-worker-support.js';
import { withMbusMeters } from './support/dsmr-mbus.js';

test('each row has its own full column record; changing one leaves the next rows alone', () => {
  const m = simMeter(1, 'nl-dsmr5');
  const decoder = createFrameDecoder();
  const ctx = (n: number) => ({ topic: 't', topicId: m.meter.topicId, meter: m.meter, payload: m.frame(n), receivedAt: new Date() });
  const first = classifyPayload(ctx(0), decoder.decode(m.frame(0), m.meter)).rows[0];
  assert.deepEqual(Object.keys(first.columns), [...FLEET_COLUMN_NAMES]);
  assert.equal(first.columns.energy_export, null, 'not sent by this meter');
  assert.equal(typeof first.columns.energy_import_t1, 'number');
  for (const k of Object.keys(first.columns)) first.columns[k] = -1;
  const second = classifyPayload(ctx(1), decoder.decode(m.frame(1), m.meter)).rows[0];
  assert.notEqual(second.columns, first.columns);
  assert.equal(second.columns.energy_export, null);
  assert.ok((second.columns.energy_import_t1 as number) >= 0);
});

test('flags are sorted and unique; a lower-case system title matches the registry and is stored upper case', () => {
  const m = simMeter(2, 'at-kaernten-am550');
  const [decoded] = createFrameDecoder().decode(m.frame(0), m.meter) as MeterMessage[];
  const lower = { ...decoded, meter: { ...decoded.meter, systemTitle: decoded.meter.systemTitle?.toLowerCase() } };
  const out = classifyPayload({ topic: 't', topicId: m.meter.topicId, meter: m.meter, payload: m.frame(0), receivedAt: new Date() }, [lower]);
  assert.deepEqual(out.errors, []);
  const row = out.rows[0];
  assert.equal(row.systemTitle, m.meter.systemTitle);
  assert.deepEqual(row.flags, [...new Set(row.flags)].sort());
  assert.ok(row.flags.includes('unauthenticated') || decoded.security?.authenticated);
});

test('a simulated DSMR meter\'s gas and water meters: volumes in gas_volume and water_volume, none in mbus1_reading or extra', () => {
  const m = simMeter(3, 'nl-dsmr5');
  const decoder = createFrameDecoder();
  const row = (payload: Uint8Array) => {
    const out = classifyPayload({ topic: 't', topicId: m.meter.topicId, meter: m.meter, payload, receivedAt: new Date() }, decoder.decode(payload, m.meter));
    assert.deepEqual(out.errors, []);
    return out.rows[0];
  };
  const t = Date.UTC(2026, 10, 20, 10, 0, 0);
  // Water on channel 1 and gas on channel 3: the medium decides the column, not the channel.
  const both = row(withMbusMeters(m.frame(0), [{ channel: 1, deviceType: 7, m3: 87.512 }, { channel: 3, deviceType: 3, m3: 1234.567 }], t));
  assert.equal(both.columns.gas_volume, 1234.567);
  assert.equal(both.columns.water_volume, 87.512);
  assert.equal(both.columns.mbus1_reading, undefined, 'a legacy column: not in the worker\'s record');
  assert.equal(typeof both.columns.energy_import_t1, 'number');
  assert.deepEqual(Object.keys(both.extra).filter((k) => k.includes('24.2.')), []);
  // Without sub-meters the volumes are null (the meter did not send them).
  const plain = row(m.frame(1));
  assert.equal(plain.columns.gas_volume, null);
  assert.equal(plain.columns.water_volume, null);
});
