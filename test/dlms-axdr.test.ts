/** A-XDR Data decoding/encoding (IEC 62056-6-2): unit cases, limits, round trip and totality properties. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAxdr } from '../src/core/dlms/axdr.js';
import { encodeAxdr } from '../src/core/dlms/encode-axdr.js';
import { encodeCosemDateTime } from '../src/core/dlms/datetime.js';
import { DataTag, type DlmsValue, type TypeDescription } from '../src/core/dlms/types.js';
import { hexToBytes } from '../src/core/bytes/hex.js';
import { MeterError } from '../src/core/errors.js';

const dec = (hex: string): DlmsValue => decodeAxdr(hexToBytes(hex)).value;
const isMeterError = (code?: string) => (e: unknown): boolean => e instanceof MeterError && e.layer === 'dlms' && (code === undefined || e.code === code);

test('integers of every width and sign; 64-bit as bigint only beyond 2^53', () => {
  assert.deepEqual(dec('0fff'), { type: 'integer', tag: DataTag.Int8, value: -1 });
  assert.deepEqual(dec('11ff'), { type: 'integer', tag: DataTag.Uint8, value: 255 });
  assert.deepEqual(dec('108000'), { type: 'integer', tag: DataTag.Int16, value: -32768 });
  assert.deepEqual(dec('12ffff'), { type: 'integer', tag: DataTag.Uint16, value: 65535 });
  assert.deepEqual(dec('05ffffffff'), { type: 'integer', tag: DataTag.Int32, value: -1 });
  assert.deepEqual(dec('06ffffffff'), { type: 'integer', tag: DataTag.Uint32, value: 4294967295 });
  assert.deepEqual(dec('15001fffffffffffff'), { type: 'integer', tag: DataTag.Uint64, value: Number.MAX_SAFE_INTEGER });
  assert.deepEqual(dec('150020000000000000'), { type: 'integer', tag: DataTag.Uint64, value: 2n ** 53n });
  assert.deepEqual(dec('15ffffffffffffffff'), { type: 'integer', tag: DataTag.Uint64, value: 2n ** 64n - 1n });
  assert.deepEqual(dec('14ffffffffffffffff'), { type: 'integer', tag: DataTag.Int64, value: -1 });
  assert.deepEqual(dec('14ffe0000000000001'), { type: 'integer', tag: DataTag.Int64, value: -Number.MAX_SAFE_INTEGER });
  assert.deepEqual(dec('148000000000000000'), { type: 'integer', tag: DataTag.Int64, value: -(2n ** 63n) });
});

test('strings, floats, enum, boolean, bcd, bit-string, date/time types', () => {
  assert.deepEqual(dec('0a034b464d'), { type: 'visible-string', value: 'KFM' });
  assert.deepEqual(dec('0c02c3a9'), { type: 'utf8-string', value: 'é' });
  assert.deepEqual(dec('0900'), { type: 'octet-string', bytes: new Uint8Array(0) });
  assert.deepEqual(dec('173fc00000'), { type: 'float', tag: DataTag.Float32, value: 1.5 });
  assert.deepEqual(dec('18400921fb54442d18'), { type: 'float', tag: DataTag.Float64, value: Math.PI });
  assert.deepEqual(dec('161e'), { type: 'enum', value: 30 });
  assert.deepEqual(dec('0301'), { type: 'boolean', value: true });
  assert.deepEqual(dec('0d42'), { type: 'bcd', value: 42 });
  assert.deepEqual(dec('040ba5e0'), { type: 'bit-string', bits: 11, bytes: Uint8Array.of(0xa5, 0xe0) });
  const dt = dec('1907e5091b01092f0f00ff8880');
  assert.equal(dt.type, 'date-time');
  assert.deepEqual(dt.type === 'date-time' && dt.value, { year: 2021, month: 9, day: 27, dayOfWeek: 1, hour: 9, minute: 47, second: 15, hundredths: 0, deviation: -120, clockStatus: 0x80 });
  assert.deepEqual(dec('1a07e8050702'), { type: 'date', bytes: hexToBytes('07e8050702') });
  assert.deepEqual(dec('1b150b1100'), { type: 'time', bytes: hexToBytes('150b1100') });
  assert.deepEqual(dec('00'), { type: 'null' });
});

test('long-form lengths and containers; end offset', () => {
  const long = new Uint8Array(3 + 200);
  long.set([0x09, 0x81, 200]);
  const r = decodeAxdr(long);
  assert.equal(r.end, 203);
  assert.equal(r.value.type === 'octet-string' && r.value.bytes.length, 200);
  const s = decodeAxdr(hexToBytes('aa020212000a02020f0116ff'), 1);
  assert.equal(s.end, 12);
  assert.deepEqual(s.value, { type: 'structure', items: [{ type: 'integer', tag: DataTag.Uint16, value: 10 }, { type: 'structure', items: [{ type: 'integer', tag: DataTag.Int8, value: 1 }, { type: 'enum', value: 255 }] }] });
});

test('compact-array: type description and packed contents', () => {
  // array of 3 × structure{uint16, octet-string}
  const hex = '1302021209' + '0e' + '0001' + '02' + '6162' + '0002' + '03' + '636465' + '0003' + '00';
  const r = decodeAxdr(hexToBytes(hex));
  assert.equal(r.end, hexToBytes(hex).length);
  assert.equal(r.value.type, 'compact-array');
  if (r.value.type !== 'compact-array') return;
  assert.equal(r.value.items.length, 3);
  assert.deepEqual(r.value.items[1], { type: 'structure', items: [{ type: 'integer', tag: DataTag.Uint16, value: 2 }, { type: 'octet-string', bytes: hexToBytes('636465') }] });
  assert.deepEqual(encodeAxdr(r.value), hexToBytes(hex));
  assert.throws(() => dec('130003' + '000000'), isMeterError('BAD_VALUE'), 'null elements occupy no bytes');
  assert.throws(() => dec('131301'), isMeterError('UNKNOWN_TAG'));
});

test('errors: unknown tag, truncation, limits — MeterError with offsets', () => {
  assert.throws(() => dec('0207'), (e: unknown) => e instanceof MeterError && e.code === 'TRUNCATED');
  assert.throws(() => dec('020109'), (e: unknown) => e instanceof MeterError && e.code === 'TRUNCATED');
  assert.throws(() => dec('020120'), (e: unknown) => e instanceof MeterError && e.code === 'UNKNOWN_TAG' && e.offset === 2);
  assert.throws(() => dec('0985'), isMeterError('BAD_VALUE'));
  assert.throws(() => dec('0d1a'), isMeterError('BAD_VALUE'));
  assert.throws(() => decodeAxdr(hexToBytes('0904aabbccdd'), 0, { maxDepth: 4, maxItems: 4, maxLength: 3 }), isMeterError('LIMIT_EXCEEDED'));
  assert.throws(() => decodeAxdr(hexToBytes('010500000000 00'.replace(/ /g, '')), 0, { maxDepth: 4, maxItems: 4, maxLength: 3 }), isMeterError('LIMIT_EXCEEDED'));
  assert.throws(() => decodeAxdr(hexToBytes('0101010101010100'), 0, { maxDepth: 3, maxItems: 4, maxLength: 3 }), isMeterError('LIMIT_EXCEEDED'));
  assert.throws(() => dec('0184ffffffff'), isMeterError(), 'huge counts fail before allocating');
});

const INT_RANGES: [number, bigint, bigint][] = [
  [DataTag.Int8, -128n, 127n], [DataTag.Int16, -32768n, 32767n], [DataTag.Int32, -(2n ** 31n), 2n ** 31n - 1n],
  [DataTag.Int64, -(2n ** 63n), 2n ** 63n - 1n], [DataTag.Uint8, 0n, 255n], [DataTag.Uint16, 0n, 65535n],
  [DataTag.Uint32, 0n, 2n ** 32n - 1n], [DataTag.Uint64, 0n, 2n ** 64n - 1n],
];
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const integerArb: fc.Arbitrary<DlmsValue> = fc.constantFrom(...INT_RANGES).chain(([tag, min, max]) =>
  fc.bigInt({ min, max }).map((b): DlmsValue => ({ type: 'integer', tag: tag as DataTag.Int8, value: b >= -SAFE && b <= SAFE ? Number(b) : b })));

const dateTimeArb: fc.Arbitrary<DlmsValue> = fc.record({
  year: fc.option(fc.integer({ min: 0, max: 0xfffe }), { nil: undefined }),
  month: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
  day: fc.option(fc.integer({ min: 1, max: 31 }), { nil: undefined }),
  hour: fc.option(fc.integer({ min: 0, max: 23 }), { nil: undefined }),
  deviation: fc.option(fc.integer({ min: -720, max: 720 }), { nil: undefined }),
  clockStatus: fc.option(fc.integer({ min: 0, max: 254 }), { nil: undefined }),
}, { requiredKeys: [] }).map((raw): DlmsValue => {
  const value = Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined));
  return { type: 'date-time', value, bytes: encodeCosemDateTime(value) };
});

const leafArb: fc.Arbitrary<DlmsValue> = fc.oneof(
  fc.constant<DlmsValue>({ type: 'null' }),
  fc.boolean().map((value): DlmsValue => ({ type: 'boolean', value })),
  integerArb,
  fc.integer({ min: 0, max: 255 }).map((value): DlmsValue => ({ type: 'enum', value })),
  fc.double().map((value): DlmsValue => ({ type: 'float', tag: DataTag.Float64, value })),
  fc.float().map((value): DlmsValue => ({ type: 'float', tag: DataTag.Float32, value })),
  fc.uint8Array({ maxLength: 300 }).map((bytes): DlmsValue => ({ type: 'octet-string', bytes })),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((value): DlmsValue => ({ type: 'visible-string', value })),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((value): DlmsValue => ({ type: 'utf8-string', value })),
  fc.integer({ min: 0, max: 99 }).map((value): DlmsValue => ({ type: 'bcd', value })),
  fc.integer({ min: 0, max: 40 }).chain((bits) => fc.uint8Array({ minLength: (bits + 7) >> 3, maxLength: (bits + 7) >> 3 })
    .map((bytes): DlmsValue => {
      if (bytes.length) bytes[bytes.length - 1] &= (0xff << ((8 - (bits % 8)) % 8)) & 0xff;
      return { type: 'bit-string', bits, bytes };
    })),
  dateTimeArb,
  fc.uint8Array({ minLength: 5, maxLength: 5 }).map((bytes): DlmsValue => ({ type: 'date', bytes })),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes): DlmsValue => ({ type: 'time', bytes })),
);

const compactArb: fc.Arbitrary<DlmsValue> = fc.array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.uint8Array({ maxLength: 8 })), { maxLength: 5 })
  .map((rows): DlmsValue => ({
    type: 'compact-array',
    description: { tag: DataTag.Structure, fields: [{ tag: DataTag.Uint16 }, { tag: DataTag.OctetString }] } as TypeDescription,
    items: rows.map(([n, b]) => ({ type: 'structure', items: [{ type: 'integer', tag: DataTag.Uint16, value: n }, { type: 'octet-string', bytes: b }] })),
  }));

const valueArb: fc.Arbitrary<DlmsValue> = fc.letrec<{ value: DlmsValue }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leafArb,
    compactArb,
    fc.array(tie('value'), { maxLength: 6 }).map((items): DlmsValue => ({ type: 'array', items })),
    fc.array(tie('value'), { maxLength: 6 }).map((items): DlmsValue => ({ type: 'structure', items }))),
})).value;

test('property: decodeAxdr(encodeAxdr(v)) equals v and consumes every byte', () => {
  fc.assert(fc.property(valueArb, (v) => {
    const bytes = encodeAxdr(v);
    const r = decodeAxdr(bytes);
    assert.equal(r.end, bytes.length);
    assert.deepEqual(r.value, v);
    assert.deepEqual(encodeAxdr(r.value), bytes);
  }), { numRuns: 400 });
});

test('property: decodeAxdr on random bytes returns or throws MeterError, never anything else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat(8), (bytes, off) => {
    try {
      const r = decodeAxdr(bytes, Math.min(off, bytes.length));
      assert.ok(r.end <= bytes.length);
    } catch (e) {
      if (!(e instanceof MeterError)) throw e;
    }
  }), { numRuns: 3000 });
});

test('property: mutated encodings of valid values return or throw MeterError', () => {
  fc.assert(fc.property(valueArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, at, byte) => {
    const bytes = encodeAxdr(v).slice();
    bytes[at % bytes.length] = byte;
    for (const input of [bytes, bytes.subarray(0, at % bytes.length)]) {
      try { decodeAxdr(input); } catch (e) { if (!(e instanceof MeterError)) throw e; }
    }
  }), { numRuns: 1000 });
});

test('encodeAxdr rejects values without an encoding', () => {
  assert.throws(() => encodeAxdr({ type: 'integer', tag: DataTag.Uint8, value: 300 }), isMeterError('BAD_VALUE'));
  assert.throws(() => encodeAxdr({ type: 'bcd', value: 100 }), isMeterError('BAD_VALUE'));
  assert.throws(() => encodeAxdr({ type: 'visible-string', value: 'Ω' }), isMeterError('BAD_VALUE'));
});
