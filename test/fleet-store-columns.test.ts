// The fleet row's reading columns: base units, everything else to extra, and the replay rule's verdicts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLEET_COLUMNS, LEGACY_COLUMNS, WRITTEN_COLUMNS, splitReadings, verdictOf } from '../src/fleet/store/index.js';
import { COLUMNS_BY_VERSION } from '../src/fleet/store/columns.js';
import { FLEET_COLUMNS as WORKER_COLUMNS, FLEET_COLUMN_NAMES, columnFor } from '../src/fleet/worker/row-columns.js';
import type { Reading } from '../src/core/model/message.js';

const reading = (id: string, value: number | string, unit?: string): Reading => ({ obis: `obis-${id}`, id, name: id, value, ...(unit ? { unit } : {}), quality: [] });

describe('fleet row columns', () => {
  it('puts known readings into columns in base units and the rest into extra', () => {
    const { columns, extra } = splitReadings([
      reading('energy_import', 6.695, 'kWh'), reading('power_import', 1.2, 'kW'), reading('voltage_l1', 231.5, 'V'),
      reading('gas_volume', 1234.5, 'm3'), reading('water_volume', 87.25, 'm3'), reading('mbus1_reading', 9, 'm3'),
      reading('meter_number', '1KFM0200204433'), reading('current_l1', Number.NaN, 'A'), reading('angle_u_i_l1', 12, '°'),
    ]);
    assert.deepEqual(columns, { energy_import: 6695, power_import: 1200, voltage_l1: 231.5, gas_volume: 1234.5, water_volume: 87.25 });
    assert.deepEqual(extra, {
      // a legacy column is not written: the registry's M-Bus channel 1 reading (medium unknown) stays in extra
      mbus1_reading: { obis: 'obis-mbus1_reading', value: 9, unit: 'm3' },
      meter_number: { obis: 'obis-meter_number', value: '1KFM0200204433' },
      current_l1: { obis: 'obis-current_l1', value: 'NaN', unit: 'A' },
      angle_u_i_l1: { obis: 'obis-angle_u_i_l1', value: 12, unit: '°' },
    });
    assert.equal(new Set(FLEET_COLUMNS).size, FLEET_COLUMNS.length);
  });

  it('keeps the store\'s columns, the versions that add them and the worker\'s matches aligned', () => {
    // What version 1 created is frozen: a later column comes with a later version, never in an earlier one.
    assert.equal(COLUMNS_BY_VERSION[1].length, 27);
    assert.equal(COLUMNS_BY_VERSION[1].at(-1), 'mbus1_reading');
    assert.deepEqual([...COLUMNS_BY_VERSION[3]], ['gas_volume', 'water_volume']);
    assert.deepEqual([...FLEET_COLUMNS], [...COLUMNS_BY_VERSION[1], ...COLUMNS_BY_VERSION[3]]);
    assert.deepEqual([...LEGACY_COLUMNS], ['mbus1_reading']);
    // The worker fills every column the store writes, each from one reading, and no other.
    assert.deepEqual([...FLEET_COLUMN_NAMES].sort(), [...WRITTEN_COLUMNS].sort());
    assert.equal(new Set(FLEET_COLUMN_NAMES).size, FLEET_COLUMN_NAMES.length);
    for (const c of WORKER_COLUMNS) assert.ok((c.obis === undefined) !== (c.id === undefined), `${c.column}: matched by OBIS code or by id`);
  });

  it('maps the M-Bus volumes by id, on any channel, and the OBIS code of channel 1 alone to nothing', () => {
    assert.equal(columnFor('0-1:24.2.1', 'gas_volume'), 'gas_volume');
    assert.equal(columnFor('0-3:24.2.1', 'gas_volume'), 'gas_volume');
    assert.equal(columnFor('0-2:24.2.1', 'water_volume'), 'water_volume');
    assert.equal(columnFor('0-1:24.2.1', 'mbus1_reading'), undefined);
    assert.equal(columnFor('0-1:24.2.1', 'mbus_1_value'), undefined);
    assert.equal(columnFor('0-2:24.2.1', 'gas_volume_2'), undefined);
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
