/** COSEM date-time (IEC 62056-6-2 §4.1.6.1) and the EU summer-time rule used when a meter sends no deviation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cosemDateTimeToIso, decodeCosemDate, decodeCosemDateTime, decodeCosemTime, encodeCosemDate, encodeCosemDateTime,
  encodeCosemTime, formatIsoUtc, isPlausibleCosemDateTime,
} from '../src/core/dlms/datetime.js';
import { centralEuropeanOffsetMinutes, civilFromDays, daysFromCivil, euZoneOffsetMinutes, lastSunday, zoneOffsetResolver } from '../src/core/dlms/calendar.js';
import { hexToBytes } from '../src/core/bytes/hex.js';
import { MeterError } from '../src/core/errors.js';

test('decode: EVN header (CEST, deviation -120) and unspecified fields', () => {
  const dt = decodeCosemDateTime(hexToBytes('07e5091b01092f0f00ff8880'));
  assert.deepEqual(dt, { year: 2021, month: 9, day: 27, dayOfWeek: 1, hour: 9, minute: 47, second: 15, hundredths: 0, deviation: -120, clockStatus: 0x80 });
  assert.equal(cosemDateTimeToIso(dt), '2021-09-27T07:47:15.000Z');
  const lg = decodeCosemDateTime(hexToBytes('07e602150111251eff800000'));
  assert.equal(lg.hundredths, undefined);
  assert.equal(lg.deviation, undefined);
  assert.equal(cosemDateTimeToIso(lg), undefined, 'no deviation and no fallback: no instant');
  assert.equal(cosemDateTimeToIso(lg, 60), '2022-02-21T16:37:30.000Z');
  assert.equal(cosemDateTimeToIso(lg, centralEuropeanOffsetMinutes), '2022-02-21T16:37:30.000Z');
  assert.equal(cosemDateTimeToIso(decodeCosemDateTime(hexToBytes('ffffffffffffffffff8000ff'))), undefined);
  assert.throws(() => decodeCosemDateTime(new Uint8Array(11)), (e: unknown) => e instanceof MeterError && e.code === 'TRUNCATED');
});

test('deviation sign: UTC = local + deviation (CET -60 in November)', () => {
  assert.equal(cosemDateTimeToIso(decodeCosemDateTime(hexToBytes('07e60b0c0610360000ffc400'))), '2022-11-12T15:54:00.000Z');
  assert.equal(cosemDateTimeToIso({ year: 2024, month: 1, day: 1, hour: 0, minute: 30, deviation: 60 }), '2024-01-01T01:30:00.000Z');
  assert.equal(cosemDateTimeToIso({ year: 2024, month: 2, day: 30, hour: 0, minute: 0, deviation: 0 }), undefined, 'no 30 February');
});

test('EU rule: last Sundays, switch hours, repeated autumn hour by clock status', () => {
  assert.equal(lastSunday(2024, 3), 31);
  assert.equal(lastSunday(2024, 10), 27);
  assert.equal(lastSunday(2021, 3), 28);
  const at = (month: number, day: number, hour: number, clockStatus?: number): number =>
    centralEuropeanOffsetMinutes({ year: 2024, month, day, hour, clockStatus });
  assert.equal(at(1, 15, 12), 60);
  assert.equal(at(7, 1, 12), 120);
  assert.equal(at(3, 31, 1), 60);
  assert.equal(at(3, 31, 3), 120);
  assert.equal(at(3, 30, 23), 60);
  assert.equal(at(10, 27, 1), 120);
  assert.equal(at(10, 27, 2, 0x80), 120);
  assert.equal(at(10, 27, 2, 0x00), 60);
  assert.equal(at(10, 27, 3), 60);
  assert.equal(at(10, 26, 23), 120);
  assert.equal(euZoneOffsetMinutes({ year: 2024, month: 3, day: 31, hour: 1 }, 0), 60, 'London switches at 01:00 local');
  for (const z of ['Europe/Vienna', 'Europe/Oslo', 'Europe/Stockholm', 'Europe/Copenhagen']) {
    assert.equal(zoneOffsetResolver(z), centralEuropeanOffsetMinutes, z);
  }
  assert.equal(zoneOffsetResolver('UTC')?.({}), 0);
  assert.equal(zoneOffsetResolver('Mars/Olympus'), undefined);
});

test('property: the CET rule agrees with Intl for Europe/Vienna at every hour (2000-2040)', () => {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Vienna', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric' });
  fc.assert(fc.property(fc.integer({ min: 946684800, max: 2208988800 }), (sec) => {
    const utc = new Date(Math.floor(sec / 3600) * 3600000);
    const parts = Object.fromEntries(fmt.formatToParts(utc).map((p) => [p.type, Number(p.value)]));
    const local = { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour };
    const localMs = Date.UTC(local.year, local.month - 1, local.day, local.hour);
    const actual = (localMs - utc.getTime()) / 60000;
    const summer = actual === 120;
    assert.equal(centralEuropeanOffsetMinutes({ ...local, clockStatus: summer ? 0x80 : 0 }), actual);
  }), { numRuns: 3000 });
});

test('property: calendar arithmetic and ISO formatting agree with Date', () => {
  fc.assert(fc.property(fc.integer({ min: -5e12, max: 2.5e14 }), (ms) => {
    assert.equal(formatIsoUtc(ms), new Date(ms).toISOString());
    const days = Math.floor(ms / 86400000);
    const [y, m, d] = civilFromDays(days);
    assert.equal(daysFromCivil(y, m, d), days);
  }), { numRuns: 2000 });
});

test('property: encode/decode round trip for date-time, date and time', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), (b) => {
    if (b[9] === 0x80 && b[10] === 0) { /* unspecified deviation: canonical */ }
    assert.deepEqual(encodeCosemDateTime(decodeCosemDateTime(b)), b);
    assert.deepEqual(encodeCosemDate(decodeCosemDate(b)), b.subarray(0, 5));
    assert.deepEqual(encodeCosemTime(decodeCosemTime(b)), b.subarray(0, 4));
  }));
});

test('plausibility tells date-times from other 12-byte strings', () => {
  assert.equal(isPlausibleCosemDateTime(hexToBytes('07e5091b01092f0f00ff8880')), true);
  assert.equal(isPlausibleCosemDateTime(new TextEncoder().encode('181220000009')), false);
  assert.equal(isPlausibleCosemDateTime(hexToBytes('07e5091b01092f0f00ff88')), false);
});
