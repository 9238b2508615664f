/**
 * DataNotification (IEC 62056-5-3) encode/decode, notification bodies built in every meter shape and read back,
 * and totality of the decode → interpret chain on random and mutated input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeDataNotification } from '../src/core/dlms/data-notification.js';
import { interpretNotification } from '../src/core/dlms/payload.js';
import { encodeDataNotification } from '../src/core/dlms/encode-data-notification.js';
import { buildNotificationBody, type BodyReading, type BodyShape } from '../src/core/dlms/encode-notification-body.js';
import { DataTag, type CosemDateTime, type DlmsValue } from '../src/core/dlms/types.js';
import { hexToBytes } from '../src/core/bytes/hex.js';
import { MeterError } from '../src/core/errors.js';
import type { PositionalLayout, Profile } from '../src/core/profiles/types.js';
import { plainVectors } from './dlms-support.js';

const DT: CosemDateTime = { year: 2024, month: 5, day: 7, dayOfWeek: 2, hour: 21, minute: 11, second: 17, hundredths: 0, deviation: -120, clockStatus: 0x80 };
const body: DlmsValue = { type: 'structure', items: [{ type: 'integer', tag: DataTag.Uint32, value: 7 }] };

test('encode/decode data-notification: absent date-time, 0C date-time, 09 0C quirk', () => {
  for (const n of [{ invokeId: 0x40000000, body }, { invokeId: 0x8006870e, dateTime: DT, body }, { invokeId: 1, dateTime: DT, body, dateTimeTagQuirk: true }]) {
    const bytes = encodeDataNotification(n);
    const d = decodeDataNotification(bytes);
    assert.equal(d.invokeId, n.invokeId);
    assert.deepEqual(d.dateTime, n.dateTime);
    assert.deepEqual(d.body, body);
    assert.equal(d.end, bytes.length);
    assert.equal(d.dateTimeTagQuirk, n.dateTimeTagQuirk);
  }
  assert.equal(encodeDataNotification({ invokeId: 1, dateTime: DT, body, dateTimeTagQuirk: true })[5], 0x09);
});

test('non-push APDUs are UNSUPPORTED_APDU naming the APDU; bad date-time length is BAD_VALUE', () => {
  assert.throws(() => decodeDataNotification(hexToBytes('c0010000080000010000ff0200')),
    (e: unknown) => e instanceof MeterError && e.code === 'UNSUPPORTED_APDU' && /get-request/.test(e.message));
  assert.throws(() => decodeDataNotification(hexToBytes('c401c1000600000001')),
    (e: unknown) => e instanceof MeterError && e.code === 'UNSUPPORTED_APDU' && /get-response/.test(e.message));
  assert.throws(() => decodeDataNotification(hexToBytes('0f0000000105')), (e: unknown) => e instanceof MeterError && e.code === 'BAD_VALUE');
  assert.throws(() => decodeDataNotification(hexToBytes('0f000000')), (e: unknown) => e instanceof MeterError && e.code === 'TRUNCATED');
  assert.throws(() => decodeDataNotification(new Uint8Array(0)), (e: unknown) => e instanceof MeterError && e.code === 'TRUNCATED');
});

const READINGS: BodyReading[] = [
  { obis: '1-0:1.8.0', value: 12937, scaler: 0, unit: 'Wh' },
  { obis: '1-0:32.7.0', value: 233.7, scaler: -1, unit: 'V', type: 'u16' },
  { obis: '1-0:31.7.0', value: 1.65, scaler: -2, unit: 'A', type: 'u16' },
  { obis: '1-0:13.7.0', value: 0.999, scaler: -3, type: 'i16' },
  { obis: '1-0:1.7.0', value: 7140, scaler: 1, unit: 'W', type: 'u32' },
];

function expectedReadings(rs: BodyReading[], quality?: string[]) {
  return rs.map((r) => {
    const out: Record<string, unknown> = { obis: r.obis, value: r.value };
    if (r.unit !== undefined) out.unit = r.unit;
    if (quality && typeof r.value === 'number') {
      out.quality = r.unit !== undefined ? quality : quality.filter((q) => q !== 'profile_unit');
      // With an assumed scaler the meter's integer is kept as `raw`.
      out.raw = Math.round(r.value / 10 ** (r.scaler ?? 0));
    }
    return out;
  });
}

function profile(p: Partial<Profile>): Profile {
  return {
    id: 'sim', meter: 'sim', operator: 'sim', country: 'AT', framing: 'mbus',
    serial: { baudRate: 2400, dataBits: 8, parity: 'none', stopBits: 1 }, keys: [], payload: 'obis-structures',
    intervalMs: 5000, timezone: 'Europe/Vienna', ...p,
  };
}

test('build → encode → decode → interpret returns the readings in every OBIS shape', () => {
  const shapes: [BodyShape, string][] = [['obis-structures-flat', 'obis-flat'], ['obis-structures', 'obis-structures'], ['obis-array', 'obis-structures']];
  for (const [shape, layout] of shapes) {
    const b = buildNotificationBody(shape, READINGS, { dateTime: DT, meterNumber: '181220000009' });
    const d = decodeDataNotification(encodeDataNotification({ invokeId: 5, body: b }));
    const r = interpretNotification(d.body);
    assert.equal(r.layout, layout, shape);
    assert.equal(r.timestamp, '2024-05-07T19:11:17.000Z', shape);
    assert.equal(r.meterId, '181220000009', shape);
    const values = r.readings.filter((x) => x.obis !== '0-0:1.0.0' && x.obis !== '0-0:96.1.0');
    assert.deepEqual(values, expectedReadings(READINGS), shape);
  }
  const scalers = Object.fromEntries(READINGS.map((r) => [r.obis, { scaler: r.scaler ?? 0, unit: r.unit }]));
  const flat = buildNotificationBody('obis-flat', READINGS, { dateTime: DT });
  const r = interpretNotification(flat, { profile: profile({ payload: 'obis-flat', scalers }) });
  assert.deepEqual(r.readings, expectedReadings(READINGS, ['scaler_assumed', 'profile_unit']));
});

test('build positional → interpret with the same layout', () => {
  const layout: PositionalLayout = {
    elements: 7,
    fields: [{ obis: '0-0:1.0.0', role: 'timestamp' }, { obis: '0-0:96.1.0', role: 'meter-id' }, { obis: 'x', skip: true },
      ...READINGS.slice(0, 4).map((r) => ({ obis: r.obis, scaler: r.scaler, unit: r.unit }))],
  };
  const b = buildNotificationBody('positional', READINGS.slice(0, 4), { dateTime: DT, meterNumber: 'ISK1050771045183', layout });
  const r = interpretNotification(b, { profile: profile({ payload: 'positional', layouts: [layout] }) });
  assert.equal(r.layout, 'positional');
  assert.equal(r.timestamp, '2024-05-07T19:11:17.000Z');
  assert.equal(r.meterId, 'ISK1050771045183');
  assert.deepEqual(r.readings.slice(1), expectedReadings(READINGS.slice(0, 4), ['scaler_assumed', 'profile_unit']));
});

const obisArb = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.constant(255))
  .filter(([a, , c, d, e]) => !(a === 0 && c === 1 && d === 0 && e === 0) && !(c === 96 && d === 1 && e === 0))
  .map(([a, b, c, d, e]) => `${a}-${b}:${c}.${d}.${e}`);
const readingArb: fc.Arbitrary<BodyReading> = fc.oneof(
  fc.record({ obis: obisArb, raw: fc.integer({ min: 0, max: 0xffffffff }), scaler: fc.integer({ min: -4, max: 3 }), unit: fc.constantFrom(undefined, 'Wh', 'V', 'A', 'var') })
    .map(({ obis, raw, scaler, unit }) => ({ obis, value: scaler < 0 ? raw / 10 ** -scaler : raw * 10 ** scaler, scaler, unit })),
  fc.record({ obis: obisArb, value: fc.string({ unit: fc.constantFrom(...'ABCXYZ_0123456789'.split('')), minLength: 1, maxLength: 20 }) }),
);

test('property: build → interpret round trip for arbitrary readings in every OBIS shape', () => {
  fc.assert(fc.property(fc.uniqueArray(readingArb, { minLength: 1, maxLength: 12, selector: (r) => r.obis }),
    fc.constantFrom<BodyShape>('obis-structures-flat', 'obis-structures', 'obis-array'), (rs, shape) => {
      const b = buildNotificationBody(shape, rs);
      const r = interpretNotification(decodeDataNotification(encodeDataNotification({ invokeId: 0, body: b })).body);
      assert.deepEqual(r.readings, expectedReadings(rs));
    }), { numRuns: 300 });
});

function total(bytes: Uint8Array, p?: Profile): void {
  try {
    const n = decodeDataNotification(bytes);
    interpretNotification(n.body, { headerDateTime: n.dateTime, profile: p });
  } catch (e) {
    if (!(e instanceof MeterError)) throw e;
  }
}

test('property: random bytes through decode + interpret give a result or MeterError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
    total(b);
    const withTag = Uint8Array.of(0x0f, 0, 0, 0, 1, 0, ...b);
    total(withTag);
  }), { numRuns: 3000 });
});

test('property: mutated vector plaintexts give a result or MeterError (with and without a positional profile)', { skip: plainVectors() ? false : 'public vectors not found' }, () => {
  const pts = plainVectors() ?? [];
  const p = profile({ payload: 'positional', layouts: [9, 10, 12, 13].map((n) => ({ elements: n, fields: Array.from({ length: n }, (_, i) => ({ obis: `1-0:${i}.7.0`, scaler: -1 })) })) });
  fc.assert(fc.property(fc.nat(pts.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.nat(), (i, flips, cut) => {
    const bytes = pts[i].apdu.slice();
    for (const [at, v] of flips) bytes[at % bytes.length] = v;
    total(bytes); total(bytes, p);
    total(bytes.subarray(0, cut % bytes.length));
  }), { numRuns: 3000 });
});
