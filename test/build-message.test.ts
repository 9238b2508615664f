import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameReadings } from '../src/core/model/build-message.js';
import type { RawReading } from '../src/core/model/message.js';

test('repeated ids in one message are numbered, short and long messages alike', () => {
  for (const n of [3, 60]) {
    const raw: RawReading[] = Array.from({ length: n }, (_, i) => ({ obis: i % 2 ? '1-0:1.8.0' : '1-0:2.8.0', value: i }));
    const ids = nameReadings(raw).map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, `unique ids for ${n} readings`);
    assert.equal(ids[0], 'energy_export');
    assert.equal(ids[1], 'energy_import');
    assert.equal(ids[2], 'energy_export_2');
    if (n > 4) assert.equal(ids[4], 'energy_export_3');
  }
});

test('names come from the registry; no unit is invented for a unitless raw value', () => {
  const [r] = nameReadings([{ obis: '1-1:31.7.0', value: 237 }], ['unverified']);
  assert.equal(r.id, 'current_l1');
  assert.equal(r.unit, undefined);
  assert.deepEqual(r.quality, ['unverified']);
  assert.ok(r.nameDe && r.name);
});
