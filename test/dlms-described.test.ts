/**
 * Self-describing pushes (the push object list first, then the values) decode from their own descriptors: no
 * layout is guessed, so a meter id or a date-time never lands on an energy code. Scalers come from a scaler_unit
 * attribute in the list, else from the profile (flagged scaler_assumed), else the values stay raw with an issue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder, type DecodeResult, type MeterMessage } from '../src/index.js';
import { encodeDataNotification } from '../src/core/dlms/encode-data-notification.js';
import { encodeGeneralGloCipher } from '../src/core/security/encode-glo-cipher.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import { parseObis } from '../src/core/obis/obis.js';
import { DataTag, type DlmsValue } from '../src/core/dlms/types.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);
const ln = (obis: string): DlmsValue => ({ type: 'octet-string', bytes: Uint8Array.from(parseObis(obis)) });
const int = (tag: DataTag, value: number): DlmsValue => ({ type: 'integer', tag, value } as DlmsValue);
const descriptor = (classId: number, obis: string, attribute: number): DlmsValue => ({ type: 'structure', items: [
  int(DataTag.Uint16, classId), ln(obis), int(DataTag.Int8, attribute), int(DataTag.Uint16, 0)] });

/** A push of push setup `setup` with these [class, obis, attribute, value] objects after the list itself. */
function push(setup: string, objects: [number, string, number, DlmsValue][]): DlmsValue {
  const list: DlmsValue = { type: 'array', items: [descriptor(40, setup, 2), ...objects.map(([c, o, a]) => descriptor(c, o, a))] };
  return { type: 'structure', items: [list, ...objects.map(([, , , v]) => v)] };
}

const OBJECTS: [number, string, number, DlmsValue][] = [
  [40, '0-8:25.9.0', 1, ln('0-8:25.9.0')],
  [1, '0-0:42.0.0', 2, { type: 'octet-string', bytes: Uint8Array.from(Buffer.from('LGZ1030653520967')) }],
  [8, '0-0:1.0.0', 2, { type: 'octet-string', bytes: Uint8Array.of(0x07, 0xea, 5, 4, 1, 11, 39, 21, 0xff, 0x80, 0x00, 0x81) }],
  [3, '1-1:1.8.0', 2, int(DataTag.Uint32, 482939)],
  [3, '1-0:1.7.0', 2, int(DataTag.Uint32, 28)],
  [3, '1-0:32.7.0', 2, int(DataTag.Uint16, 236)],
  [3, '1-0:31.7.0', 2, int(DataTag.Uint16, 9)],
];

function decodeFrames(bytes: Uint8Array, key?: Uint8Array): DecodeResult[] {
  const d = createDecoder(key ? { key } : {});
  return [...d.push(bytes), ...d.flush()];
}

function hdlc(body: DlmsValue, manufacturer?: string): Uint8Array {
  let apdu = encodeDataNotification({ invokeId: 1, body });
  if (manufacturer) {
    const st = Uint8Array.from([...Buffer.from(manufacturer), 0x67, 0x73, 0x70, 0xb1, 0x77]);
    apdu = encodeGeneralGloCipher(apdu, { systemTitle: st, securityControl: 0x20, invocationCounter: 3, key: KEY }, aes);
  }
  return encodeHdlcFrames(encodeGbtBlocks(apdu, 64));
}

const value = (m: MeterMessage, obis: string): [unknown, unknown, unknown] => {
  const r = m.readings.find((x) => x.obis === obis);
  return [r?.value, r?.unit, r?.quality];
};

test('an L+G push (encrypted, GBT) is read from its own object list with the L+G scalers', () => {
  const [m] = decodeFrames(hdlc(push('0-8:25.9.0', OBJECTS), 'LGZ'), KEY) as MeterMessage[];
  assert.ok(!('error' in m), JSON.stringify(m));
  assert.equal(m.meter.profile, 'ch-lg-e450');
  assert.equal(m.meter.id, 'LGZ1030653520967');
  assert.equal(m.timestamp, '2026-05-04T09:39:21.000Z');
  assert.deepEqual(value(m, '1-0:32.7.0'), [236, 'V', ['scaler_assumed', 'profile_unit']]);
  assert.deepEqual(value(m, '1-0:31.7.0'), [0.09, 'A', ['scaler_assumed', 'profile_unit']]);
  assert.deepEqual(value(m, '1-1:1.8.0'), [482939, 'Wh', ['scaler_assumed', 'profile_unit']]);
  assert.equal(m.readings.find((r) => r.obis === '0-8:25.9.0'), undefined);
  assert.deepEqual(m.issues, []);
});

test('unencrypted, the push setup name tells the scalers (0-6:25.9.0: voltage in 0.1 V)', () => {
  const objects = OBJECTS.map(([c, o, a, v]): [number, string, number, DlmsValue] =>
    (o === '1-0:32.7.0' ? [c, o, a, int(DataTag.Uint16, 2347)] : [c, o, a, v]));
  const [m] = decodeFrames(hdlc(push('0-6:25.9.0', objects.slice(1)))) as MeterMessage[];
  assert.equal(m.meter.profile, 'ch-iskra-am550');
  assert.deepEqual(value(m, '1-0:32.7.0').slice(0, 2), [234.7, 'V']);
});

test('a scaler_unit attribute in the list wins; without one or a profile the values stay raw, said in an issue', () => {
  const withScaler = [...OBJECTS, [3, '1-0:32.7.0', 3, { type: 'structure', items: [int(DataTag.Int8, -1), { type: 'enum', value: 35 }] }]] as
    [number, string, number, DlmsValue][];
  const [m] = decodeFrames(hdlc(push('0-8:25.9.0', withScaler), 'LGZ'), KEY) as MeterMessage[];
  assert.deepEqual(value(m, '1-0:32.7.0'), [23.6, 'V', []]);
  const [raw] = decodeFrames(hdlc(push('0-5:25.9.0', OBJECTS.slice(1)))) as MeterMessage[];
  assert.equal(raw.meter.profile, undefined);
  assert.deepEqual(value(raw, '1-0:32.7.0').slice(0, 2), [236, undefined]);
  assert.ok(raw.issues.some((i) => i.code === 'SCALER_UNKNOWN'));
});
