// DSMR telegram writer: fixed widths, time stamps, hex ids, and the format → parse round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  encodeDsmrTelegram, formatDsmrTelegram, formatDsmrTimestamp, formatDsmrValue,
} from '../src/core/dsmr/format-telegram.js';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import { isMeterError } from '../src/core/errors.js';
import type { RawReading } from '../src/core/model/message.js';

test('formatDsmrValue pads to the DSMR widths', () => {
  assert.equal(formatDsmrValue(4.426, { int: 6, frac: 3 }, 'kWh'), '000004.426*kWh');
  assert.equal(formatDsmrValue(0.244, { int: 2, frac: 3 }, 'kW'), '00.244*kW');
  assert.equal(formatDsmrValue(230, { int: 3, frac: 1 }, 'V'), '230.0*V');
  assert.equal(formatDsmrValue(6, { int: 3, frac: 0 }, 'A'), '006*A');
  assert.equal(formatDsmrValue(13, { int: 5, frac: 0 }), '00013');
  assert.equal(formatDsmrValue(-1.5, { int: 2, frac: 1 }), '-01.5');
  assert.equal(formatDsmrValue(1234567.5, { int: 6, frac: 3 }), '1234567.500');
  assert.throws(() => formatDsmrValue(NaN, { int: 1, frac: 0 }), isMeterError);
});

test('formatDsmrTimestamp writes Central European local time with W/S', () => {
  assert.equal(formatDsmrTimestamp('2017-01-02T18:20:02.000Z'), '170102192002W');
  assert.equal(formatDsmrTimestamp('2020-04-26T20:33:25Z'), '200426223325S');
  assert.equal(formatDsmrTimestamp('2016-12-31T23:30:00Z'), '170101003000W');
  assert.equal(formatDsmrTimestamp('2021-03-28T01:00:00Z'), '210328030000S');
  assert.equal(formatDsmrTimestamp('2021-10-31T00:59:59Z'), '211031025959S');
  assert.equal(formatDsmrTimestamp('2021-10-31T01:00:00Z'), '211031020000W');
  assert.throws(() => formatDsmrTimestamp('yesterday'), isMeterError);
});

test('formatDsmrTelegram frames lines with CRLF and the CRC', () => {
  const t = formatDsmrTelegram({ header: '/ISK5\\2M550T-1012', lines: ['1-3:0.2.8(50)'] });
  assert.match(t, /^\/ISK5\\2M550T-1012\r\n\r\n1-3:0\.2\.8\(50\)\r\n![0-9A-F]{4}\r\n$/);
  assert.equal(formatDsmrTelegram({ header: 'X', lines: [], crc: 'none' }), '/X\r\n\r\n!\r\n');
});

test('encodeDsmrTelegram writes DSMR 5 lines', () => {
  const text = encodeDsmrTelegram([
    { obis: '0-0:96.1.1', value: 'K8EG004046395507' },
    { obis: '1-0:1.8.1', value: 4.426, unit: 'kWh' },
    { obis: '1-0:1.7.0', value: 0.244, unit: 'kW' },
    { obis: '1-0:32.7.0', value: 230, unit: 'V' },
    { obis: '1-0:31.7.0', value: 1, unit: 'A' },
    { obis: '0-0:96.14.0', value: '0002' },
    { obis: '0-1:24.1.0', value: 3 },
    { obis: '0-1:24.2.1', value: 0.107, unit: 'm3', timestamp: '2017-01-02T15:10:05.000Z' },
  ], { header: 'ISk5\\2MT382-1000', timestamp: '2017-01-02T18:20:02.000Z' });
  const lines = text.split('\r\n');
  assert.deepEqual(lines.slice(2, -2), [
    '1-3:0.2.8(50)', '0-0:1.0.0(170102192002W)', '0-0:96.1.1(4B384547303034303436333935353037)',
    '1-0:1.8.1(000004.426*kWh)', '1-0:1.7.0(00.244*kW)', '1-0:32.7.0(230.0*V)', '1-0:31.7.0(001*A)',
    '0-0:96.14.0(0002)', '0-1:24.1.0(003)', '0-1:24.2.1(170102161005W)(00000.107*m3)',
  ]);
  assert.equal(parseDsmrTelegram(text).crc, 'valid');
});

const thousandths = (max: number) => fc.integer({ min: 0, max: max * 1000 }).map((n) => n / 1000);
// 1 January 2070 local time is `700101…`, the meters' "no time" placeholder, which the parser reads as no time.
const PLACEHOLDER_DAY = [Date.UTC(2069, 11, 31, 23) / 1000, Date.UTC(2070, 0, 1, 23) / 1000];
const isoSeconds = fc.integer({ min: Date.UTC(2001, 0, 1) / 1000, max: Date.UTC(2098, 11, 31) / 1000 })
  .filter((s) => s < PLACEHOLDER_DAY[0] || s >= PLACEHOLDER_DAY[1])
  .map((s) => new Date(s * 1000).toISOString());
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 });

test('property: DSMR time stamps round-trip (whole seconds, 2001–2098)', () => {
  fc.assert(fc.property(isoSeconds, (iso) => {
    const t = parseDsmrTelegram(formatDsmrTelegram({ header: 'X', lines: [`0-0:1.0.0(${formatDsmrTimestamp(iso)})`] }));
    assert.equal(t.timestamp, iso);
  }), { numRuns: 1000 });
});

test('property: encode → parse gives back the readings', () => {
  const readings = fc.record({
    id: printable, tariff: fc.integer({ min: 1, max: 4 }), t1: thousandths(999_999), t2: thousandths(999_999),
    power: thousandths(99), volts: fc.integer({ min: 0, max: 9999 }).map((n) => n / 10),
    amps: fc.integer({ min: 0, max: 999 }), gas: thousandths(99_999), gasAt: isoSeconds, at: isoSeconds,
    crc: fc.constantFrom('crc16' as const, 'crc3' as const, 'none' as const),
  });
  fc.assert(fc.property(readings, (x) => {
    const input: RawReading[] = [
      { obis: '0-0:96.1.1', value: x.id },
      { obis: '0-0:96.14.0', value: `000${x.tariff}` },
      { obis: '1-0:1.8.1', value: x.t1, unit: 'kWh' },
      { obis: '1-0:1.8.2', value: x.t2, unit: 'kWh' },
      { obis: '1-0:1.7.0', value: x.power, unit: 'kW' },
      { obis: '1-0:32.7.0', value: x.volts, unit: 'V' },
      { obis: '1-0:31.7.0', value: x.amps, unit: 'A' },
      { obis: '0-1:24.1.0', value: 3 },
      { obis: '0-1:96.1.0', value: 'G0039001936990619' },
      { obis: '0-1:24.2.1', value: x.gas, unit: 'm3', timestamp: x.gasAt },
    ];
    const text = encodeDsmrTelegram(input, { header: 'MWR5\\meterwire', timestamp: x.at, crc: x.crc });
    const t = parseDsmrTelegram(text);
    assert.equal(t.timestamp, x.at);
    assert.equal(t.version, '50');
    if (x.id !== '') assert.equal(t.equipmentId, x.id);
    for (const r of input) {
      const back = t.readings.find((b) => b.obis === r.obis);
      assert.ok(back, r.obis);
      assert.deepEqual({ value: back.value, unit: back.unit, timestamp: back.timestamp },
        { value: r.value, unit: r.unit, timestamp: r.timestamp }, r.obis);
    }
    assert.equal(t.readings.find((b) => b.obis === '0-1:24.2.1')?.id, 'gas_volume');
  }), { numRuns: 500 });
});
