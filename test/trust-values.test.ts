/**
 * No silent wrong value (DESIGN §7 "plausible"): text in an energy register is an issue, not a reading; a
 * voltage that cannot be one is flagged; NaN/Infinity (which JSON prints as null) are refused with an issue;
 * wrong-typed library options and a wrong key on a cut capture give the right error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder, MeterError, type DecodeResult, type MeterMessage } from '../src/index.js';
import { encodeAxdr } from '../src/core/dlms/encode-axdr.js';
import { encodeGeneralGloCipher } from '../src/core/security/encode-glo-cipher.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import { DataTag, type DlmsValue } from '../src/core/dlms/types.js';

const obis = (...g: number[]): DlmsValue => ({ type: 'octet-string', bytes: Uint8Array.from(g) });
const u32 = (value: number): DlmsValue => ({ type: 'integer', tag: DataTag.Uint32, value });
const su = (scaler: number, unit: number): DlmsValue => ({ type: 'structure', items: [
  { type: 'integer', tag: DataTag.Int8, value: scaler }, { type: 'enum', value: unit }] });
const notification = (body: DlmsValue): Uint8Array => Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, ...encodeAxdr(body)]);

function decode(apdu: Uint8Array, options: Parameters<typeof createDecoder>[0] = {}): DecodeResult[] {
  const d = createDecoder({ format: 'apdu', ...options });
  return [...d.push(apdu), ...d.flush()];
}

test('text in an energy register is an issue, not a reading; an implausible voltage is flagged', () => {
  const body: DlmsValue = { type: 'structure', items: [
    obis(1, 0, 1, 8, 0, 255), { type: 'visible-string', value: 'KFM_001' },
    obis(1, 0, 32, 7, 0, 255), u32(307393), su(-1, 35), // 30739.3 V
    obis(1, 0, 2, 8, 0, 255), u32(1200), su(0, 30),
  ] };
  const [m] = decode(notification(body)) as MeterMessage[];
  assert.equal(m.readings.find((r) => r.obis === '1-0:1.8.0'), undefined);
  assert.ok(m.issues.some((i) => i.code === 'VALUE_TYPE_MISMATCH' && i.message.includes('1-0:1.8.0')));
  const v = m.readings.find((r) => r.obis === '1-0:32.7.0');
  assert.equal(v?.value, 30739.3);
  assert.deepEqual(v?.quality, ['implausible']);
  assert.ok(m.issues.some((i) => i.code === 'IMPLAUSIBLE_VALUE'));
  assert.deepEqual(m.readings.find((r) => r.obis === '1-0:2.8.0')?.quality, []);
});

test('NaN and Infinity are refused with an issue (JSON would print them as null)', () => {
  for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
    const body: DlmsValue = { type: 'structure', items: [
      obis(1, 0, 14, 7, 0, 255), { type: 'float', tag: DataTag.Float64, value }, obis(1, 0, 1, 8, 0, 255), u32(5), su(0, 30)] };
    const [m] = decode(notification(body)) as MeterMessage[];
    assert.equal(m.readings.find((r) => r.obis === '1-0:14.7.0'), undefined, String(value));
    assert.ok(m.issues.some((i) => i.code === 'NON_FINITE_VALUE'), String(value));
    assert.ok(!JSON.stringify(m).includes('null'));
  }
});

test('wrong-typed library options are BAD_KEY/BAD_CONFIG, never a TypeError', () => {
  const cases: [unknown, string][] = [[{ key: 123 }, 'BAD_KEY'], [{ authKey: [1, 2] }, 'BAD_KEY'], [{ profile: 5 }, 'BAD_CONFIG'],
    [{ includeApdu: 'yes' }, 'BAD_CONFIG'], [null, 'BAD_CONFIG']];
  for (const [o, code] of cases) {
    assert.throws(() => createDecoder(o as never), (e: unknown) => e instanceof MeterError && e.code === code, JSON.stringify(o));
  }
  assert.doesNotThrow(() => createDecoder({ key: null as never }));
});

test('a wrong key on a capture cut after its first GBT block is WRONG_KEY, not TRUNCATED', () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const items: DlmsValue[] = [];
  for (let c = 1; c <= 40; c++) items.push(obis(1, 0, 1, 8, c % 5, 255), u32(1000 * c));
  const plain = notification({ type: 'structure', items });
  const st = Uint8Array.from([0x4c, 0x47, 0x5a, 0x67, 0x73, 0x70, 0xb1, 0x77]);
  const apdu = encodeGeneralGloCipher(plain, { systemTitle: st, securityControl: 0x20, invocationCounter: 9, key }, aes);
  const blocks = encodeGbtBlocks(apdu, 120);
  assert.ok(blocks.length > 1);
  const firstOnly = encodeHdlcFrames(blocks.slice(0, 1));
  const right = createDecoder({ key, format: 'hdlc' });
  const ok = [...right.push(firstOnly), ...right.flush()];
  assert.ok(ok.some((r) => !('error' in r) && r.issues.some((i) => i.code === 'INCOMPLETE_MESSAGE')), JSON.stringify(ok).slice(0, 300));
  const wrong = createDecoder({ key: Uint8Array.from({ length: 16 }, () => 0xaa), format: 'hdlc' });
  const bad = [...wrong.push(firstOnly), ...wrong.flush()];
  assert.deepEqual(bad.map((r) => ('error' in r ? r.error.code : 'message')), ['WRONG_KEY']);
});
