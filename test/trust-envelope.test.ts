/**
 * Trust policy of the envelope (DESIGN §7), with the project's own encoder: a downgraded authenticated frame is
 * refused, a forged ciphertext (AES-CTR is malleable, the DSMR CRC is no MAC) is never delivered as good, and
 * Luxembourg's published GAK verifies Smarty frames without --auth-key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder, type DecodeResult, type MeterMessage } from '../src/index.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import { encodeGeneralGloCipher } from '../src/core/security/encode-glo-cipher.js';
import { encodeDsmrTelegram } from '../src/core/dsmr/format-telegram.js';
import { decodeGeneralGloCipher } from '../src/core/security/glo-cipher.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);
const GAK = Uint8Array.from({ length: 16 }, (_, i) => 0x60 + i);
const LUX_GAK = Uint8Array.from(Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex'));
const SAG = Uint8Array.from([0x53, 0x41, 0x47, 0x67, 0x00, 0x11, 0x40, 0x04]);

const telegram = (energy: number, header = 'Ene5\\T210-D ESMR5.0'): Uint8Array => Buffer.from(encodeDsmrTelegram([
  { obis: '0-0:96.1.1', value: 'SAG1030700114004' },
  { obis: '1-0:1.8.0', value: energy, unit: 'kWh' },
  { obis: '1-0:1.7.0', value: 0.512, unit: 'kW' },
], { header, timestamp: '2026-03-01T12:00:00.000Z' }), 'latin1');

const seal = (plain: Uint8Array, sc: number, authKey: Uint8Array, counter = 100): Uint8Array =>
  encodeGeneralGloCipher(plain, { systemTitle: SAG, securityControl: sc, invocationCounter: counter, key: KEY, authKey }, aes);

function decodeAll(bytes: Uint8Array, options: Parameters<typeof createDecoder>[0]): DecodeResult[] {
  const d = createDecoder({ format: 'apdu', ...options });
  return [...d.push(bytes), ...d.flush()];
}

const messages = (rs: DecodeResult[]): MeterMessage[] => rs.filter((r): r is MeterMessage => !('error' in r));
const codes = (rs: DecodeResult[]): string[] => rs.flatMap((r) => ('error' in r ? [r.error.code] : []));

/** The frame with its tag removed and the security control set to encryption only: what a downgrade looks like. */
function downgrade(frame: Uint8Array): Uint8Array {
  const c = decodeGeneralGloCipher(frame);
  const content = 5 + c.data.length;
  const out = new Uint8Array(10 + 2 + content);
  out.set(frame.subarray(0, 10));
  out[10] = 0x81; out[11] = content; // A-XDR length, long form: the ciphertext of a telegram exceeds 127 bytes
  out[12] = 0x20;
  out.set(frame.subarray(c.data.byteOffset - frame.byteOffset - 4, c.data.byteOffset - frame.byteOffset), 13);
  out.set(c.data, 17);
  return out;
}

test('an authenticated frame downgraded to 0x20 is AUTH_REQUIRED with a GAK, and for a family that always tags', () => {
  const framed = seal(telegram(6.695), 0x30, GAK);
  const down = downgrade(framed);
  assert.equal(decodeGeneralGloCipher(down).securityControl, 0x20);
  // With the GAK configured (any SAG apdu meter): refused.
  assert.deepEqual(codes(decodeAll(down, { key: KEY, authKey: GAK })), ['AUTH_REQUIRED']);
  // Without a GAK: the Smarty/Steiermark family always authenticates, so a tag-less SAG envelope is refused too.
  assert.deepEqual(codes(decodeAll(down, { key: KEY })), ['AUTH_REQUIRED']);
  // The user can accept tag-less frames explicitly; then nothing claims authentication.
  const [m] = messages(decodeAll(down, { key: KEY, authKey: GAK, allowUnauthenticated: true }));
  assert.equal(m.security?.authenticated, false);
  // The original verifies.
  const [ok] = messages(decodeAll(framed, { key: KEY, authKey: GAK }));
  assert.equal(ok.security?.authenticated, true);
  assert.deepEqual(ok.readings.flatMap((r) => r.quality), []);
});

test('a ciphertext forged with a recomputed DSMR CRC is never delivered as good', () => {
  const original = telegram(6.695);
  const forged = telegram(1006.695); // same length, different digits, valid CRC
  assert.equal(forged.length, original.length);
  const framed = seal(original, 0x30, GAK);
  // AES-CTR: XOR the plaintext difference into the ciphertext; the tag cannot be recomputed without the GAK.
  const c = decodeGeneralGloCipher(framed);
  const at = c.data.byteOffset - framed.byteOffset;
  const tampered = framed.slice();
  for (let i = 0; i < original.length; i++) tampered[at + i] ^= original[i] ^ forged[i];
  // With the GAK: the tag fails.
  assert.deepEqual(codes(decodeAll(tampered, { key: KEY, authKey: GAK })), ['AUTH_FAILED']);
  // Without it: decrypted, but every reading says it was not verified.
  const [m] = messages(decodeAll(tampered, { key: KEY }));
  assert.equal(m.readings.find((r) => r.id === 'energy_import')?.value, 1006.695);
  assert.ok(m.readings.every((r) => r.quality.includes('unverified')), 'forged values must be flagged');
  assert.equal(m.security?.authenticated, false);
  // Tag stripped as well: refused as a downgrade.
  assert.deepEqual(codes(decodeAll(downgrade(tampered), { key: KEY })), ['AUTH_REQUIRED']);
});

test('Smarty frames verify with the published Luxembourg GAK when no --auth-key is given', () => {
  const framed = seal(telegram(6.695), 0x30, LUX_GAK);
  const [m] = messages(decodeAll(framed, { key: KEY }));
  assert.equal(m.security?.authenticated, true);
  assert.equal(m.meter.profile, 'lu-smarty');
  assert.deepEqual(m.readings.flatMap((r) => r.quality), []);
  // A meter with its own GAK (Steiermark) is not refused for that: decrypted and flagged unverified.
  const own = seal(telegram(6.695, 'EST5\\253710000_A'), 0x30, GAK, 101);
  const [s] = messages(decodeAll(own, { key: KEY }));
  assert.equal(s.security?.authenticated, false);
  assert.ok(s.readings.every((r) => r.quality.includes('unverified')));
});

test('an encryption-only family (EVN) with a GAK configured is not refused: it never sends a tag', () => {
  const evn = Uint8Array.from([0x53, 0x41, 0x47, 0x59, 0x05, 0xe9, 0x90, 0xf3]);
  const plain = Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x02, 0x09, 0x06, 1, 0, 1, 8, 0, 255, 0x06, 0, 0, 0x30, 0x39]);
  const frame = encodeGeneralGloCipher(plain, { systemTitle: evn, securityControl: 0x20, invocationCounter: 7, key: KEY }, aes);
  const d = createDecoder({ key: KEY, authKey: GAK, format: 'apdu', profile: 'at-evn-sagemcom-t210d' });
  const rs = [...d.push(frame), ...d.flush()];
  assert.deepEqual(codes(rs), []);
  assert.equal(messages(rs)[0].security?.authenticated, false);
});
