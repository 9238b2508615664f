// DSMR P1 parser on the project's own telegrams: CRC handling, value rules, time stamps, and totality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import { formatDsmrTelegram } from '../src/core/dsmr/format-telegram.js';
import { parseDsmrNumber, decodeHexText, encodeHexText } from '../src/core/dsmr/value-text.js';
import { isCentralEuropeanSummerTime, parseDsmrTimestamp } from '../src/core/dsmr/timestamp.js';
import { telegramCrcBytes, telegramCrcText } from '../src/core/dsmr/telegram-crc.js';
import { crc16Arc } from '../src/core/bytes/crc.js';
import { isMeterError, MeterError } from '../src/core/errors.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

const LINES = [
  '1-3:0.2.8(50)',
  '0-0:1.0.0(170102192002W)',
  '0-0:96.1.1(4B384547303034303436333935353037)',
  '1-0:1.8.1(000004.426*kWh)',
  '0-0:96.14.0(0002)',
  '1-0:1.7.0(00.244*kW)',
  '1-0:99.97.0(2)(0-0:96.7.19)(170101120000W)(0000000100*s)(170102120000W)(0000000200*s)',
  '1-0:32.7.0(0230.0*V)',
  '0-0:96.13.0()',
  '0-1:24.1.0(003)',
  '0-1:96.1.0(3232323241424344313233343536373839)',
  '0-1:24.2.1(170102161005W)(00000.107*m3)',
];
const TELEGRAM = formatDsmrTelegram({ header: 'ISk5\\2MT382-1000', lines: LINES });

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => isMeterError(e) && e.code === code && e.layer === 'dsmr');
}

test('parses a DSMR 5 telegram', () => {
  const t = parseDsmrTelegram(TELEGRAM);
  assert.equal(t.header, 'ISk5\\2MT382-1000');
  assert.equal(t.manufacturer, 'ISK');
  assert.equal(t.crc, 'valid');
  assert.equal(t.version, '50');
  assert.equal(t.timestamp, '2017-01-02T18:20:02.000Z');
  assert.equal(t.equipmentId, 'K8EG004046395507');
  const by = (obis: string) => t.readings.find((r) => r.obis === obis);
  assert.deepEqual(by('1-0:1.8.1'), { obis: '1-0:1.8.1', value: 4.426, unit: 'kWh' });
  assert.deepEqual(by('0-0:96.14.0'), { obis: '0-0:96.14.0', value: '0002' });
  assert.deepEqual(by('1-0:99.97.0'), { obis: '1-0:99.97.0', value: 2, timestamp: '2017-01-02T11:00:00.000Z' });
  assert.deepEqual(by('0-0:96.13.0'), { obis: '0-0:96.13.0', value: '' });
  assert.deepEqual(by('0-1:24.2.1'),
    { obis: '0-1:24.2.1', value: 0.107, unit: 'm3', timestamp: '2017-01-02T15:10:05.000Z', id: 'gas_volume' });
  assert.equal(by('0-1:96.1.0')?.id, 'gas_equipment_id');
  assert.equal(by('0-1:96.1.0')?.value, '2222ABCD123456789');
  assert.deepEqual(t.issues, []);
});

test('CRC: every single-byte change from "/" through the CRC digits is rejected', () => {
  const bytes = ascii(TELEGRAM);
  const last = TELEGRAM.lastIndexOf('!') + 4;
  for (let i = 0; i <= last; i++) {
    for (const bit of [0x01, 0x10, 0x40]) {
      const copy = bytes.slice();
      copy[i] ^= bit;
      assert.throws(() => parseDsmrTelegram(copy), (e: unknown) =>
        isMeterError(e) && (e.code === 'BAD_CHECKSUM' || e.code === 'BAD_TELEGRAM'), `byte ${i} bit ${bit}`);
    }
  }
  const wrong = TELEGRAM.replace('000004.426', '000004.427');
  assert.throws(() => parseDsmrTelegram(wrong), (e: unknown) =>
    e instanceof MeterError && e.code === 'BAD_CHECKSUM' && /computed [0-9A-F]{4}, telegram says [0-9A-F]{4}/.test(e.message));
});

test('CRC: a mismatch is let through with verifyCrc: false, flagged', () => {
  const t = parseDsmrTelegram(TELEGRAM.replace('000004.426', '000004.427'), { verifyCrc: false });
  assert.equal(t.crc, 'mismatch');
  assert.ok(t.readings.every((r) => r.quality?.includes('crc_mismatch')));
  assert.ok(t.issues.some((i) => i.code === 'CRC_MISMATCH'));
});

test('CRC: an unpadded 3-digit CRC is accepted; no CRC (DSMR 2.2/3.0) is "absent"', () => {
  let found = 0;
  for (let n = 0; n < 2000 && found < 3; n++) {
    // CRC-16 is linear: varying only digits never clears the top nibble, so vary letters too.
    const header = `ISK5\\2M550T-${n.toString(36)}`;
    const padded = formatDsmrTelegram({ header, lines: LINES });
    const crc3 = formatDsmrTelegram({ header, lines: LINES, crc: 'crc3' });
    if (crc3 === padded) continue; // CRC ≥ 0x1000: both forms are 4 digits
    found++;
    assert.match(crc3, /![0-9A-F]{3}\r\n$/);
    assert.equal(parseDsmrTelegram(crc3).crc, 'valid');
    assert.equal(parseDsmrTelegram(padded).crc, 'valid');
  }
  assert.ok(found > 0, 'found telegrams with a CRC below 0x1000');
  assert.equal(parseDsmrTelegram(formatDsmrTelegram({ header: 'X', lines: LINES, crc: 'none' })).crc, 'absent');
});

test('structure errors: no "/", no "!" line, junk on the "!" line', () => {
  throwsCode(() => parseDsmrTelegram('1-0:1.8.1(1*kWh)\r\n!\r\n'), 'BAD_TELEGRAM');
  throwsCode(() => parseDsmrTelegram('/ISK5\r\n\r\n1-0:1.8.1(1*kWh)\r\n'), 'BAD_TELEGRAM');
  throwsCode(() => parseDsmrTelegram('/ISK5\r\n\r\n1-0:1.8.1(1*kWh)\r\n!12345\r\n'), 'BAD_TELEGRAM');
  throwsCode(() => parseDsmrTelegram('/ISK5\r\n\r\n1-0:1.8.1(1*kWh)\r\n!x\r\n'), 'BAD_TELEGRAM');
  throwsCode(() => parseDsmrTelegram(new Uint8Array(0)), 'BAD_TELEGRAM');
});

test('value rules: units kept, numbers, text codes, hex, empty values, OBIS spellings, junk lines', () => {
  const t = parseDsmrTelegram(formatDsmrTelegram({
    header: 'XYZ5 test', crc: 'none', lines: [
      '1-0:1.8.0(006545766*Wh)', '1-0:4.7.0(-000000166*var)', '0-0:96.3.10(1)', '1-0:1.8.1.255(1.5*kWh)',
      '01-00:002.008.001(2.5*kWh)', '0-0:96.1.1(00000000000000)', '0-0:96.13.1(48656C6C6F)', '1-0:2.8.2()',
      '0-0:17.0.0(abc*kW)', 'this is not OBIS', '1-0:3.8.0(unclosed', '0-0:42.0.0(53414731)',
      '1-0:1.6.0(200509134558S)(02.589*kW)', '1-0:9.9.9(170102192002W)(5)(7*s)',
    ],
  }));
  const by = (obis: string) => t.readings.filter((r) => r.obis === obis);
  assert.deepEqual(by('1-0:1.8.0'), [{ obis: '1-0:1.8.0', value: 6545766, unit: 'Wh' }]);
  assert.deepEqual(by('1-0:4.7.0'), [{ obis: '1-0:4.7.0', value: -166, unit: 'var' }]);
  assert.deepEqual(by('0-0:96.3.10'), [{ obis: '0-0:96.3.10', value: 1 }]);
  assert.deepEqual(by('1-0:1.8.1'), [{ obis: '1-0:1.8.1', value: 1.5, unit: 'kWh' }]);
  assert.deepEqual(by('1-0:2.8.2'), [], 'empty numeric value is skipped');
  assert.deepEqual(by('1-0:2.8.1'), [{ obis: '1-0:2.8.1', value: 2.5, unit: 'kWh' }], 'leading zeros normalised');
  assert.deepEqual(by('0-0:96.1.1'), [{ obis: '0-0:96.1.1', value: '00000000000000' }], 'not printable: kept');
  assert.deepEqual(by('0-0:96.13.1'), [{ obis: '0-0:96.13.1', value: 'Hello' }]);
  // Text where a power threshold needs a number: an issue, not a reading.
  assert.deepEqual(by('0-0:17.0.0'), []);
  assert.ok(t.issues.some((i) => i.code === 'VALUE_TYPE_MISMATCH' && i.message.startsWith('0-0:17.0.0')));
  assert.equal(t.equipmentId, 'SAG1');
  assert.deepEqual(by('1-0:1.6.0')[0].timestamp, '2020-05-09T11:45:58.000Z');
  assert.deepEqual(by('1-0:9.9.9'), [{ obis: '1-0:9.9.9', value: 7, unit: 's', timestamp: '2017-01-02T18:20:02.000Z' }]);
  assert.equal(t.issues.filter((i) => i.code === 'UNPARSEABLE_LINE').length, 2);
  assert.equal(t.manufacturer, 'XYZ');
});

test('time stamps: W/S, DST rule without a letter, day rollover, placeholders', () => {
  const ts = (s: string) => parseDsmrTimestamp(ascii(s), 0, s.length);
  assert.equal(ts('170102192002W'), '2017-01-02T18:20:02.000Z');
  assert.equal(ts('200426223325S'), '2020-04-26T20:33:25.000Z');
  assert.equal(ts('170101003000W'), '2016-12-31T23:30:00.000Z');
  assert.equal(ts('200301013000S'), '2020-02-29T23:30:00.000Z');
  assert.equal(ts('161107190000'), '2016-11-07T18:00:00.000Z'); // winter, no letter
  assert.equal(ts('160707190000'), '2016-07-07T17:00:00.000Z'); // summer, no letter
  assert.equal(ts('210328015959'), '2021-03-28T00:59:59.000Z'); // just before the switch
  assert.equal(ts('210328030000'), '2021-03-28T01:00:00.000Z');
  for (const junk of ['700101010000W', '000101000001W', '632525252525W', '000000000000W', '1701021920W', '17010219200X',
    '170230120000W', '171301120000S', '170101240000W']) {
    assert.equal(ts(junk), undefined, junk);
  }
  assert.equal(isCentralEuropeanSummerTime(Date.UTC(2021, 2, 28, 0, 59, 59)), false);
  assert.equal(isCentralEuropeanSummerTime(Date.UTC(2021, 2, 28, 1)), true);
  assert.equal(isCentralEuropeanSummerTime(Date.UTC(2021, 9, 31, 0, 59, 59)), true);
  assert.equal(isCentralEuropeanSummerTime(Date.UTC(2021, 9, 31, 1)), false);
});

test('garbage telegram time: value kept, flagged, no telegram timestamp', () => {
  const t = parseDsmrTelegram(formatDsmrTelegram({ header: 'KFM5', lines: ['0-0:1.0.0(000101000001W)'] }));
  assert.equal(t.timestamp, undefined);
  assert.deepEqual(t.readings, [{ obis: '0-0:1.0.0', value: '000101000001W', quality: ['invalid_timestamp'] }]);
  assert.equal(t.issues[0].code, 'INVALID_TIMESTAMP');
});

test('parseDsmrNumber equals Number() for plain decimals', () => {
  fc.assert(fc.property(fc.stringMatching(/^-?\d{0,16}(\.\d{0,8})?$/), (s) => {
    const got = parseDsmrNumber(ascii(s), 0, s.length);
    const hasDigit = /\d/.test(s);
    if (!hasDigit) assert.ok(Number.isNaN(got));
    else assert.equal(got, Number(s === '-' ? 'x' : s.endsWith('.') ? s.slice(0, -1) || '0' : s));
  }), { numRuns: 2000 });
  assert.ok(Number.isNaN(parseDsmrNumber(ascii('1e5'), 0, 3)));
});

test('hex text helpers round-trip printable ASCII', () => {
  fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1 }),
    (s) => assert.equal(decodeHexText(encodeHexText(s)), s)));
  assert.equal(decodeHexText('0002'), undefined);
  assert.equal(decodeHexText('ABC'), undefined);
});

test('slicing-by-8 CRC equals the byte-wise CRC-16/ARC', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(20), (b, cut) => {
    const start = Math.min(cut, b.length);
    assert.equal(telegramCrcBytes(b, start, b.length), crc16Arc(b, start, b.length));
    assert.equal(telegramCrcText(String.fromCharCode(...b), start, b.length), crc16Arc(b, start, b.length));
  }), { numRuns: 500 });
});

test('parse is total: random and mutated input returns or throws MeterError', () => {
  const base = ascii(TELEGRAM);
  const check = (input: Uint8Array | string, verifyCrc: boolean) => {
    try { parseDsmrTelegram(input, { verifyCrc }); } catch (e) { assert.ok(isMeterError(e), String(e)); }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (b, v) => check(b, v)), { numRuns: 500 });
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => check(`/${s}\r\n!\r\n`, false)), { numRuns: 300 });
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.boolean(),
    (edits, v) => {
      const b = base.slice();
      for (const [at, value] of edits) b[at % b.length] = value;
      check(b, v);
    }), { numRuns: 1000 });
  const alphabet = fc.constantFrom(...'/!()*.:-\r\n0123456789SWABCkWh '.split(''));
  fc.assert(fc.property(fc.array(alphabet, { maxLength: 200 }), fc.boolean(), (cs, v) => check(cs.join(''), v)),
    { numRuns: 1000 });
});
