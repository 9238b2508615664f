// The fleet row's reading columns: base units, everything else to extra, and the replay rule's verdicts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLEET_COLUMNS, splitReadings, verdictOf } from '../src/fleet/store/index.js';
import type { Reading } from '../src/core/model/message.js';

const reading = (id: string, value: number | string, unit?: string): Reading => ({ obis: `obis-${id}`, id, name: id, value, ...(unit ? { unit } : {}), quality: [] });

describe('fleet row columns', () => {
  it('puts known readings into columns in base units and the rest into extra', () => {
    const { columns, extra } = splitReadings([
      reading('energy_import', 6.695, 'kWh'), reading('power_import', 1.2, 'kW'), reading('voltage_l1', 231.5, 'V'),
      reading('mbus1_reading', 1234.5, 'm3'), reading('meter_number', '1KFM0200204433'), reading('current_l1', Number.NaN, 'A'),
      reading('angle_u_i_l1', 12, '°'),
    ]);
    assert.deepEqual(columns, { energy_import: 6695, power_import: 1200, voltage_l1: 231.5, mbus1_reading: 1234.5 });
    assert.deepEqual(extra, {
      meter_number: { obis: 'obis-meter_number', value: '1KFM0200204433' },
      current_l1: { obis: 'obis-current_l1', value: 'NaN', unit: 'A' },
      angle_u_i_l1: { obis: 'obis-angle_u_i_l1', value: 12, unit: '°' },
    });
    assert.equal(new Set(FLEET_COLUMNS).size, FLEET_COLUMNS.length);
  });

  it('tells fresh, duplicate, late and replayed frames apart', () => {
    const f = (frameCounter: number, storedMax: number | undefined, clockFromMeter: boolean, alreadyStored: boolean) =>
      verdictOf({ frameCounter, storedMax, clockFromMeter, alreadyStored }, 1000);
    assert.equal(f(5, undefined, false, false), 'fresh');
    assert.equal(f(101, 100, false, false), 'fresh');
    assert.equal(f(100, 100, false, true), 'duplicate');
    assert.equal(f(40, 100, true, true), 'duplicate');
    assert.equal(f(99, 100, true, false), 'late');
    assert.equal(f(100 - 1000, 100, true, false), 'late');
    assert.equal(f(100 - 1001, 100, true, false), 'replay');
    assert.equal(f(99, 100, false, false), 'replay');
  });
});
