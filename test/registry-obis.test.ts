import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeObis, listObis, lookupObis } from '../src/core/obis/registry.js';
import { OBIS_TABLE } from '../src/core/obis/data/obis-table.js';

/** Ids deliberately shared by several codes: the same meaning spelled differently by different meters. */
const SHARED_IDS = new Set(['push_setup', 'meter_type']);

test('every code appears once in the table', () => {
  const seen = new Set<string>();
  for (const row of OBIS_TABLE) {
    assert.ok(!seen.has(row.obis), `duplicate code ${row.obis}`);
    seen.add(row.obis);
  }
  assert.equal(listObis().size, OBIS_TABLE.length);
});

test('ids are unique per code (except documented aliases) and snake_case', () => {
  const codesById = new Map<string, string[]>();
  for (const row of OBIS_TABLE) {
    assert.match(row.id, /^[a-z][a-z0-9_]*$/, `${row.obis} id ${row.id}`);
    codesById.set(row.id, [...(codesById.get(row.id) ?? []), row.obis]);
  }
  for (const [id, codes] of codesById) {
    if (codes.length > 1) assert.ok(SHARED_IDS.has(id), `id ${id} used by ${codes.join(', ')}`);
  }
});

test('codes are canonical and every row has English and German names', () => {
  for (const row of OBIS_TABLE) {
    assert.match(row.obis, /^\d+-\d+:\d+\.\d+\.\d+(\.\d+)?$/);
    assert.ok(!row.obis.endsWith('.255'), `${row.obis}: omit F=255`);
    assert.ok(row.name.length > 0 && row.nameDe.length > 0, row.obis);
  }
});

test('the contract ids of the design guide', () => {
  const expected: Record<string, [string, string | undefined]> = {
    '1-0:1.8.0': ['energy_import', 'Wh'],
    '1-0:1.8.1': ['energy_import_t1', 'Wh'],
    '1-0:1.8.4': ['energy_import_t4', 'Wh'],
    '1-0:2.8.0': ['energy_export', 'Wh'],
    '1-0:2.8.2': ['energy_export_t2', 'Wh'],
    '1-0:3.8.0': ['reactive_energy_import', 'varh'],
    '1-0:4.8.1': ['reactive_energy_export_t1', 'varh'],
    '1-0:1.7.0': ['power_import', 'W'],
    '1-0:2.7.0': ['power_export', 'W'],
    '1-0:3.7.0': ['reactive_power_import', 'var'],
    '1-0:4.7.0': ['reactive_power_export', 'var'],
    '1-0:9.7.0': ['apparent_power_import', 'VA'],
    '1-0:21.7.0': ['power_import_l1', 'W'],
    '1-0:61.7.0': ['power_import_l3', 'W'],
    '1-0:42.7.0': ['power_export_l2', 'W'],
    '1-0:32.7.0': ['voltage_l1', 'V'],
    '1-0:72.7.0': ['voltage_l3', 'V'],
    '1-0:51.7.0': ['current_l2', 'A'],
    '1-0:91.7.0': ['current_neutral', 'A'],
    '1-0:13.7.0': ['power_factor', undefined],
    '1-0:53.7.0': ['power_factor_l2', undefined],
    '1-0:14.7.0': ['frequency', 'Hz'],
    '1-0:21.8.0': ['energy_import_l1', 'Wh'],
    '1-3:0.2.8': ['dsmr_version', undefined],
    '0-0:1.0.0': ['timestamp', undefined],
    '0-0:96.1.1': ['equipment_id', undefined],
    '0-0:96.1.0': ['meter_number', undefined],
    '0-0:96.14.0': ['tariff_indicator', undefined],
    '0-0:96.7.21': ['power_failures', undefined],
    '0-0:96.7.9': ['long_power_failures', undefined],
    '1-0:99.97.0': ['power_failure_log', undefined],
    '1-0:32.32.0': ['voltage_sags_l1', undefined],
    '1-0:72.36.0': ['voltage_swells_l3', undefined],
    '0-0:96.13.0': ['text_message', undefined],
    '0-0:96.13.1': ['text_message_code', undefined],
    '0-0:17.0.0': ['power_threshold', 'kW'],
    '0-0:96.3.10': ['breaker_state', undefined],
    '1-0:1.4.0': ['current_average_demand', 'kW'],
    '1-0:1.6.0': ['max_demand_month', 'kW'],
    '1-0:31.4.0': ['current_limit', 'A'],
    '0-0:96.1.4': ['version', undefined],
    '0-0:42.0.0': ['logical_device_name', undefined],
    '1-1:0.2.129': ['list_version', undefined],
    '0-0:96.1.7': ['meter_type', undefined],
    '1-1:0.0.5': ['gs1_meter_id', undefined],
    '1-1:96.1.1': ['meter_type', undefined],
    '0-6:25.9.0': ['push_setup', undefined],
    '0-1:24.1.0': ['mbus1_device_type', undefined],
    '0-1:24.2.1': ['mbus1_reading', 'm3'],
    '0-2:96.1.0': ['mbus2_equipment_id', undefined],
  };
  for (const [code, [id, unit]] of Object.entries(expected)) {
    const info = lookupObis(code);
    assert.ok(info, `${code} missing`);
    assert.equal(info.id, id, code);
    assert.equal(info.unit, unit, code);
  }
  assert.equal(lookupObis('1-0:1.8.0')?.name, 'Active energy import (+A)');
  assert.equal(lookupObis('1-0:1.8.0')?.nameDe, 'Wirkenergie Bezug (+A)');
  assert.equal(lookupObis('1-0:2.8.0')?.nameDe, 'Wirkenergie Lieferung (-A)');
});

test('B=1 (Kamstrup, Aidon) resolves to the B=0 entry unless it has its own', () => {
  assert.equal(lookupObis('1-1:1.8.0')?.id, 'energy_import');
  assert.equal(lookupObis('1-1:31.7.0')?.id, 'current_l1');
  assert.equal(lookupObis('0-1:1.0.0')?.id, 'timestamp');
  assert.equal(lookupObis('1-1:96.1.1')?.id, 'meter_type');
  assert.equal(lookupObis('0-1:96.1.0')?.id, 'mbus1_equipment_id');
});

test('other spellings and F are handled', () => {
  assert.equal(lookupObis('1.0.1.8.0.255')?.id, 'energy_import');
  assert.equal(lookupObis('1-0:1.8.0.255')?.id, 'energy_import');
  assert.equal(lookupObis('1-0:1.8.0*255')?.id, 'energy_import');
  assert.equal(lookupObis('1-0:1.8.0.101'), undefined, 'a billing period is not the current register');
  assert.equal(lookupObis('not obis'), undefined);
  assert.equal(lookupObis('1-0:1.8.999'), undefined);
});

test('describeObis never returns undefined', () => {
  assert.equal(describeObis('1-0:1.8.0').id, 'energy_import');
  const u = describeObis('1-0:128.8.0');
  assert.equal(u.id, 'obis_1_0_128_8_0');
  assert.equal(u.name, '1-0:128.8.0');
  assert.equal(describeObis('1-0:1.8.0.101').id, 'obis_1_0_1_8_0_101');
  assert.match(describeObis('garbage!').id, /^obis_[a-z0-9_]+$/);
});
