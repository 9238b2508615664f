/**
 * The CRC policy of DSMR telegrams (DESIGN §7 "checksum"): a DSMR 4/5 telegram without its CRC is refused
 * (MISSING_CRC), a DSMR 2.2/3.0 telegram (which never had one) is flagged `crc_absent`, and the message's
 * security block says whether a checksum vouched for the values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder, type DecodeResult, type MeterMessage } from '../src/index.js';
import { encodeDsmrTelegram, formatDsmrTelegram } from '../src/core/dsmr/format-telegram.js';

function decode(text: string, profile?: string): DecodeResult[] {
  const d = createDecoder({ format: 'dsmr', ...(profile ? { profile } : {}) });
  return [...d.push(Buffer.from(text, 'latin1')), ...d.flush()];
}

const readings = [
  { obis: '0-0:96.1.1', value: '4530303034303031353934373534343134' },
  { obis: '1-0:1.8.1', value: 1234.567, unit: 'kWh' },
  { obis: '1-0:1.7.0', value: 0.412, unit: 'kW' },
];

test('a DSMR 5 telegram without its CRC is MISSING_CRC, with it the checksum is verified', () => {
  const opts = { header: 'ISK5\\2M550T-1012', timestamp: '2026-03-01T12:00:00.000Z' };
  const good = decode(encodeDsmrTelegram(readings, opts));
  assert.equal(good.length, 1);
  const m = good[0] as MeterMessage;
  assert.deepEqual(m.security, { authenticated: false, encrypted: false, checksum: 'verified' });
  assert.deepEqual(m.readings.flatMap((r) => r.quality), []);
  const cut = decode(encodeDsmrTelegram(readings, { ...opts, crc: 'none' }));
  assert.deepEqual(cut.map((r) => ('error' in r ? r.error.code : 'message')), ['MISSING_CRC']);
});

test('a DSMR 2.2 telegram (no version line, never a CRC) is delivered with every reading flagged crc_absent', () => {
  const text = formatDsmrTelegram({ header: 'ISk5\\2MT382-1004', crc: 'none',
    lines: ['0-0:96.1.1(4B384547303034303436333935353037)', '1-0:1.8.1(01234.567*kWh)', '1-0:1.7.0(0000.41*kW)'] });
  const [m] = decode(text) as MeterMessage[];
  assert.ok(!('error' in m));
  assert.equal(m.security?.checksum, 'absent');
  assert.ok(m.readings.length >= 2);
  for (const r of m.readings) assert.ok(r.quality.includes('crc_absent'), r.id);
});

test('a profile that says its telegrams carry a CRC refuses one without, even without a version line', () => {
  const text = formatDsmrTelegram({ header: 'XMX5LG-TEST', crc: 'none', lines: ['1-0:1.8.1(001234.567*kWh)'] });
  assert.equal(((decode(text, 'nl-dsmr5')[0]) as { error: { code: string } }).error.code, 'MISSING_CRC');
  const [m] = decode(text, 'nl-dsmr22') as MeterMessage[];
  assert.ok(m.readings[0].quality.includes('crc_absent'));
});
