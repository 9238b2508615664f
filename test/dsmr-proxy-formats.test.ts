/**
 * The parts of the synthesized telegram the simulated meters do not reach: rounding of each DSMR 5 format
 * (counters floored, instantaneous values to the nearest step, no digit ever dropped), the tariff split and
 * indicator, M-Bus channels, the 5L/5B lines, and `?spec=` validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMeterError } from '../src/core/errors.js';
import type { MeterMessage, Reading } from '../src/core/model/message.js';
import { toBaseUnit } from '../src/core/model/base-units.js';
import { listProfiles } from '../src/core/profiles/builtin.js';
import { COUNT, CURRENT, ENERGY, POWER, VOLTAGE, VOLUME, formatField } from '../src/sinks/dsmr-proxy/dsmr5-fields.js';
import { createDsmrProxySink } from '../src/sinks/dsmr-proxy/dsmr-proxy-sink.js';
import { synthesizeDsmrTelegram } from '../src/sinks/dsmr-proxy/synthesize-telegram.js';
import type { SinkContext } from '../src/sinks/types.js';
import { assertDsmr5Lines, telegramLines } from './sinks-dsmr-proxy-table.js';

const r = (obis: string, id: string, value: number | string, unit?: string, timestamp?: string): Reading =>
  ({ obis, id, name: id, value, unit, timestamp, quality: [] });

function message(readings: Reading[]): MeterMessage {
  return { meter: { id: 'TEST0001', profile: 'test' }, timestamp: '2026-07-01T10:00:00.000Z', format: 'hdlc', readings, issues: [] };
}

function lines(msg: MeterMessage, spec?: '5' | '5L' | '5B'): Map<string, string> {
  return new Map(telegramLines(synthesizeDsmrTelegram(msg, '2026-07-01T10:00:00.000Z', spec)));
}

test('dsmr5 fields: energy F9(3) kWh is floored to the Wh, never above the meter, with no binary noise', () => {
  assert.equal(formatField(4215000, ENERGY), '004215.000*kWh');
  assert.equal(formatField(1191886.9, ENERGY), '001191.886*kWh');
  assert.equal(formatField(toBaseUnit(881.886, 'kWh').value, ENERGY), '000881.886*kWh');
  assert.equal(formatField(toBaseUnit(0.1 + 0.2, 'kWh').value, ENERGY), '000000.300*kWh'); // 0.30000000000000004
  assert.equal(formatField(toBaseUnit(1.0009999, 'kWh').value, ENERGY), '000001.000*kWh');
  assert.equal(formatField(0, ENERGY), '000000.000*kWh');
});

test('dsmr5 fields: floored counters never go backwards and never exceed the meter over a rising series', () => {
  let last = -1;
  let kwh = 12345.678;
  for (let i = 0; i < 2000; i++) {
    kwh += ((i * 7919) % 13) / 10_000; // steps of 0 to 1.2 Wh, fractions of a Wh included
    const text = formatField(toBaseUnit(kwh, 'kWh').value, ENERGY)!;
    const written = Number(text.slice(0, -4));
    assert.ok(written >= last, `${written} after ${last}`);
    assert.ok(written <= kwh + 1e-9 && kwh - written < 0.001 + 1e-9, `${written} for ${kwh}`);
    last = written;
  }
});

test('dsmr5 fields: current F3(0) A, voltage F4(1) V and power F5(3) kW round to the nearest step', () => {
  assert.equal(formatField(2.61, CURRENT), '003*A');
  assert.equal(formatField(2.49, CURRENT), '002*A');
  assert.equal(formatField(0.4, CURRENT), '000*A');
  assert.equal(formatField(230.06, VOLTAGE), '230.1*V');
  assert.equal(formatField(229.94, VOLTAGE), '229.9*V');
  assert.equal(formatField(1886.4, POWER), '01.886*kW');
  assert.equal(formatField(1886.5, POWER), '01.887*kW');
  assert.equal(formatField(7, COUNT), '00007');
  assert.equal(formatField(1234.5678, VOLUME), '01234.567*m3');
});

test('dsmr5 fields: a value wider than its format keeps every digit; unwritable values are left out', () => {
  assert.equal(formatField(1234567890, ENERGY), '1234567.890*kWh');
  assert.equal(formatField(123456, POWER), '123.456*kW');
  assert.equal(formatField(Number.NaN, ENERGY), undefined);
  assert.equal(formatField(Infinity, POWER), undefined);
  assert.equal(formatField(1e300, ENERGY), undefined);
});

test('tariffs: a meter with exactly tariffs 1 and 2 keeps them and its indicator', () => {
  const l = lines(message([
    r('1-0:1.8.0', 'energy_import', 4215000, 'Wh'), r('1-0:1.8.1', 'energy_import_t1', 1686000, 'Wh'),
    r('1-0:1.8.2', 'energy_import_t2', 2529000, 'Wh'), r('1-0:2.8.1', 'energy_export_t1', 310.5, 'kWh'),
    r('1-0:2.8.2', 'energy_export_t2', 881.886, 'kWh'), r('0-0:96.14.0', 'tariff_indicator', 2),
  ]));
  assert.equal(l.get('1-0:1.8.1'), '(001686.000*kWh)');
  assert.equal(l.get('1-0:1.8.2'), '(002529.000*kWh)');
  assert.equal(l.get('1-0:2.8.1'), '(000310.500*kWh)');
  assert.equal(l.get('0-0:96.14.0'), '(0002)');
  assert.equal(l.has('1-0:1.8.0'), false, 'spec 5 writes no total');
});

test('tariffs: a total only, or tariffs 3/4 the pair would miss, give tariff 1 = total, tariff 2 = 0, indicator 0001', () => {
  const l = lines(message([
    r('1-0:1.8.0', 'energy_import', 5000000, 'Wh'), r('1-0:1.8.1', 't1', 1000000, 'Wh'), r('1-0:1.8.2', 't2', 1000000, 'Wh'),
    r('1-0:1.8.3', 't3', 3000000, 'Wh'), r('1-0:2.8.0', 'energy_export', 10, 'Wh'), r('0-0:96.14.0', 'tariff_indicator', 3),
  ]));
  assert.equal(l.get('1-0:1.8.1'), '(005000.000*kWh)');
  assert.equal(l.get('1-0:1.8.2'), '(000000.000*kWh)');
  assert.equal(l.get('1-0:2.8.1'), '(000000.010*kWh)');
  assert.equal(l.get('1-0:2.8.2'), '(000000.000*kWh)');
  assert.equal(l.get('0-0:96.14.0'), '(0001)', 'the indicator describes the registers written, not the meter’s four');
});

test('tariffs: import split by the meter, export from its total: no indicator can be true, none is written', () => {
  const l = lines(message([
    r('1-0:1.8.1', 't1', 1, 'kWh'), r('1-0:1.8.2', 't2', 2, 'kWh'), r('1-0:2.8.0', 'energy_export', 3, 'kWh'),
    r('0-0:96.14.0', 'tariff_indicator', 1),
  ]));
  assert.equal(l.has('0-0:96.14.0'), false);
  assert.equal(l.get('1-0:2.8.1'), '(000003.000*kWh)');
});

test('5L: totals and the logical device name (the meter’s, else its id), hex-coded as the Smarty writes it', () => {
  const tariffsOnly = lines(message([r('1-0:1.8.1', 't1', 1.5, 'kWh'), r('1-0:1.8.2', 't2', 2.25, 'kWh')]), '5L');
  assert.equal(tariffsOnly.get('1-0:1.8.0'), '(000003.750*kWh)', 'no total from the meter: the sum of its tariffs');
  assert.equal(tariffsOnly.get('0-0:42.0.0'), `(${Buffer.from('TEST0001').toString('hex').toUpperCase()})`);
  const named = lines(message([r('0-0:42.0.0', 'logical_device_name', 'KFM1200200234804'), r('1-0:1.8.0', 'e', 7, 'Wh')]), '5L');
  assert.equal(named.get('0-0:42.0.0'), `(${Buffer.from('KFM1200200234804').toString('hex').toUpperCase()})`);
  assert.equal(named.get('1-0:1.8.0'), '(000000.007*kWh)');
  assert.equal(lines(message([r('1-0:1.8.0', 'e', 7, 'Wh')]), '5').has('0-0:42.0.0'), false);
});

test('5B: the Belgian version line replaces 1-3:0.2.8; counts Fluvius meters do not send are left out', () => {
  const msg = message([r('1-0:1.8.0', 'e', 7, 'Wh'), r('0-0:96.7.21', 'power_failures', 4), r('1-0:1.7.0', 'p', 1250, 'W')]);
  const b = lines(msg, '5B');
  assert.equal(b.get('0-0:96.1.4'), '(50217)');
  assert.equal(b.has('1-3:0.2.8'), false);
  assert.equal(b.has('0-0:96.7.21'), false);
  assert.equal(lines(msg, '5').get('0-0:96.7.21'), '(00004)');
  assertDsmr5Lines('5B', synthesizeDsmrTelegram(msg, '2026-07-01T10:00:00.000Z', '5B'), '5B');
});

test('M-Bus: gas (also Belgian 24.2.3) and water channels with device type, hex id and capture time; unknown media get no device type', () => {
  const msg = message([
    r('0-1:24.1.0', 'gas_device_type', 3), r('0-1:96.1.0', 'gas_equipment_id', 'G123'),
    r('0-1:24.2.1', 'gas_volume', 1234.5678, 'm3', '2026-07-01T09:55:00.000Z'),
    r('0-2:24.2.1', 'water_volume', 55.5, 'm3'),
    r('0-3:24.1.0', 'heat_device_type', 4), r('0-3:24.2.1', 'heat_energy', 12, 'GJ'),
    r('0-4:24.2.1', 'mbus4_reading', 9, 'm3'), r('0-5:24.1.0', 'gas_device_type', 3), r('0-5:24.2.3', 'gas_volume', 112.384, 'm3'),
  ]);
  const text = synthesizeDsmrTelegram(msg, '2026-07-01T10:00:00.000Z');
  assertDsmr5Lines('mbus', text, '5');
  const l = new Map(telegramLines(text));
  assert.equal(l.get('0-1:24.1.0'), '(003)');
  assert.equal(l.get('0-1:96.1.0'), `(${Buffer.from('G123').toString('hex').toUpperCase()})`);
  assert.equal(l.get('0-1:24.2.1'), '(260701115500S)(01234.567*m3)', 'capture time in CEST, floored volume');
  assert.equal(l.get('0-2:24.1.0'), '(007)', 'water from the reading id');
  assert.equal(l.get('0-2:24.2.1'), '(000101000000W)(00055.500*m3)', 'no capture time: the meters’ filler');
  assert.equal(l.has('0-3:24.2.1'), false, 'heat is not a volume');
  assert.equal(l.has('0-4:24.1.0'), false, 'unknown medium: no guessed device type');
  assert.equal(l.get('0-4:24.2.1'), '(000101000000W)(00009.000*m3)');
  assert.equal(l.get('0-5:24.2.3'), '(000101000000W)(00112.384*m3)', 'a Belgian volume keeps its code');
  assert.equal(l.get('0-5:24.1.0'), '(003)');
});

/** `YYMMDDhhmmss` of an instant in a time zone, from the platform's time zone data. */
function localDigits(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, year: '2-digit', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
  const get = (t: string): string => parts.find((p) => p.type === t)!.value;
  return ['year', 'month', 'day', 'hour', 'minute', 'second'].map(get).join('');
}

test('time stamps: Central European time with W/S is the local time of every profile’s meter, across both switches', () => {
  const zones = new Set(listProfiles().map((p) => p.timezone));
  assert.ok(zones.size >= 5, [...zones].join(', '));
  // Around the 2026 switches (29 March, 25 October, 01:00 UTC) and mid-season.
  const instants = ['2026-01-15T11:30:00Z', '2026-03-29T00:59:59Z', '2026-03-29T01:00:00Z', '2026-07-01T10:00:00Z',
    '2026-10-25T00:59:59Z', '2026-10-25T01:00:00Z'].map((t) => Date.parse(t));
  for (const zone of zones) {
    for (const ms of instants) {
      const iso = new Date(ms).toISOString();
      const text = synthesizeDsmrTelegram({ ...message([]), timestamp: iso }, iso).match(/0-0:1\.0\.0\((\d{12})([WS])\)/)!;
      const local = localDigits(ms, zone);
      assert.equal(text[1], local, `${zone} at ${iso}`);
      const d = local.match(/\d\d/g)!.map(Number);
      const offsetHours = (Date.UTC(2000 + d[0], d[1] - 1, d[2], d[3], d[4], d[5]) - Math.floor(ms / 1000) * 1000) / 3_600_000;
      assert.equal(text[2], offsetHours === 2 ? 'S' : 'W', `${zone} at ${iso}: UTC+${offsetHours}`);
    }
  }
});

test('time stamps: an unreadable message or capture time never throws: the fallback time, or the meters’ filler', () => {
  const msg = { ...message([r('0-1:24.1.0', 'gas_device_type', 3), r('0-1:24.2.1', 'gas_volume', 1, 'm3', 'not a time')]), timestamp: 'garbage' };
  const l = new Map(telegramLines(synthesizeDsmrTelegram(msg, '2026-01-15T11:30:00.000Z')));
  assert.equal(l.get('0-0:1.0.0'), '(260115123000W)');
  assert.equal(l.get('0-1:24.2.1'), '(000101000000W)(00001.000*m3)');
});

function context(): SinkContext {
  const none = (): void => { /* not needed */ };
  return {
    log: { info: none, warn: none, error: none },
    health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
    outputs: () => [],
    stateDir: '.',
  };
}

test('?spec=: 5, 5L and 5B are accepted; anything else is BAD_URL naming the allowed values', () => {
  for (const spec of ['5', '5L', '5B']) createDsmrProxySink(`dsmr-tcp://127.0.0.1:0?spec=${spec}`, context());
  for (const bad of ['6', '5l', '', 'V5']) {
    assert.throws(() => createDsmrProxySink(`dsmr-tcp://127.0.0.1:0?spec=${bad}`, context()), (e: unknown) =>
      isMeterError(e) && e.code === 'BAD_URL' && e.message.includes('5, 5L, 5B') && e.message.includes(`"${bad}"`));
  }
});
