import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hexToBytes, bytesToHex } from '../src/core/bytes/hex.js';
import { decodeGeneralGloCipher, openGeneralGloCipher } from '../src/core/security/glo-cipher.js';
import { computeGmac } from '../src/core/security/gmac.js';
import { parseKey } from '../src/core/security/keys.js';
import { encodeGeneralGloCipher } from '../src/core/security/encode-glo-cipher.js';
import { MeterError } from '../src/core/errors.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import { vector, VECTORS_SKIP } from './support/vectors.js';

const KEY = parseKey('000102030405060708090A0B0C0D0E0F', 'GUEK');
const GAK = parseKey('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF', 'GAK');
const ST = hexToBytes('4d4d4d0000bc614e');

test('keys: hex with separators and 16-char ASCII keys parse; malformed keys name the flag, never the key', () => {
  assert.deepEqual(parseKey('00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f', 'GUEK'), KEY);
  assert.deepEqual(parseKey('0x00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F', 'GUEK'), KEY);
  assert.equal(bytesToHex(parseKey('HpODO2mPPU03xL33', 'GUEK')), '48704f444f326d5050553033784c3333');
  const secret = 'D0D1D2D3D4D5D6D7D8D9DADBDCDDDE';
  assert.throws(() => parseKey(secret, 'GAK'), (e: unknown) => {
    assert.ok(e instanceof MeterError && e.code === 'BAD_KEY');
    assert.match(e.message, /--auth-key/);
    assert.ok(!e.message.includes(secret), 'the key must not appear in the error');
    return true;
  });
});

test('Green Book glo-ciphering example decrypts and verifies', (t) => {
  const v = vector('greenbook-glo-ciphering');
  if (!v) return t.skip(VECTORS_SKIP);
  const c = decodeGeneralGloCipher(hexToBytes(v.raw_hex!));
  const o = openGeneralGloCipher(c, { key: parseKey(v.key_hex!, 'GUEK'), authKey: parseKey(v.auth_key_hex!, 'GAK') }, aes);
  assert.equal(o.authenticated, true);
  assert.equal(bytesToHex(o.plaintext), String(v.expected[0].value).toLowerCase());
});

test('Green Book GMAC example', (t) => {
  const v = vector('greenbook-gmac');
  if (!v) return t.skip(VECTORS_SKIP);
  const raw = hexToBytes(v.raw_hex!);
  const c = decodeGeneralGloCipher(raw);
  const tag = computeGmac(aes, parseKey(v.key_hex!, 'GUEK'), parseKey(v.auth_key_hex!, 'GAK'), c.securityControl,
    c.systemTitle, c.invocationCounter, hexToBytes(v.gmac_challenge_hex!));
  assert.equal(bytesToHex(tag), String(v.expected[0].value).toLowerCase());
  assert.equal(bytesToHex(c.tag!), bytesToHex(tag));
});

test('without the GAK an authenticated frame decrypts but is unverified; a wrong GAK is AUTH_FAILED naming the GAK', (t) => {
  const v = vector('smarty-lux-nexxtlab');
  if (!v) return t.skip(VECTORS_SKIP);
  const c = decodeGeneralGloCipher(hexToBytes(v.raw_hex!));
  const key = parseKey(v.key_hex!, 'GUEK');
  const good = openGeneralGloCipher(c, { key, authKey: parseKey(v.auth_key_hex!, 'GAK') }, aes);
  assert.equal(good.authenticated, true);
  const noGak = openGeneralGloCipher(c, { key }, aes);
  assert.equal(noGak.unverified, true);
  assert.deepEqual(noGak.plaintext, good.plaintext);
  assert.throws(() => openGeneralGloCipher(c, { key, authKey: new Uint8Array(16) }, aes),
    (e: unknown) => e instanceof MeterError && e.code === 'AUTH_FAILED' && /GAK/.test(e.message));
  assert.throws(() => openGeneralGloCipher(c, { key: new Uint8Array(16), authKey: parseKey(v.auth_key_hex!, 'GAK') }, aes),
    (e: unknown) => e instanceof MeterError && e.code === 'AUTH_FAILED' && /GUEK/.test(e.message));
  assert.throws(() => openGeneralGloCipher(c, {}, aes),
    (e: unknown) => e instanceof MeterError && e.code === 'MISSING_KEY' && /--key/.test(e.message));
});

for (const sc of [0x10, 0x20, 0x21, 0x30, 0x31]) {
  test(`encrypt/decrypt round trip, security control 0x${sc.toString(16)}`, () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 0, max: 0xffffffff }), (pt, ic) => {
      const apdu = encodeGeneralGloCipher(pt, { systemTitle: ST, securityControl: sc, invocationCounter: ic, key: KEY, authKey: GAK }, aes);
      const c = decodeGeneralGloCipher(apdu);
      assert.equal(c.end, apdu.length);
      assert.equal(c.invocationCounter, ic);
      const o = openGeneralGloCipher(c, { key: KEY, authKey: GAK }, aes);
      assert.deepEqual(o.plaintext, pt);
      assert.equal(o.authenticated, (sc & 0x10) !== 0);
    }), { numRuns: 60 });
  });
}

test('flipping any bit of an authenticated frame gives AUTH_FAILED; clearing the auth bit is a visible downgrade', () => {
  const pt = hexToBytes('0f000000010c07e50101050a0b0c00ff888002020906010001080' + '0ff0600000064');
  const apdu = encodeGeneralGloCipher(pt, { systemTitle: ST, securityControl: 0x30, invocationCounter: 7, key: KEY, authKey: GAK }, aes);
  const scByte = 11;
  for (let bit = 0; bit < apdu.length * 8; bit++) {
    const bad = apdu.slice();
    bad[bit >> 3] ^= 1 << (bit & 7);
    let opened;
    try {
      opened = openGeneralGloCipher(decodeGeneralGloCipher(bad), { key: KEY, authKey: GAK }, aes);
    } catch (e) {
      assert.ok(e instanceof MeterError, `bit ${bit}: ${String(e)}`);
      continue;
    }
    // Only a flip that clears the authentication bit of the security control can pass, and then the
    // result must say it is not authenticated (the in-band SC cannot protect itself).
    assert.equal(bit >> 3, scByte, `bit ${bit} flipped and the frame still opened`);
    assert.equal(bad[scByte] & 0x10, 0);
    assert.equal(opened.authenticated, false);
  }
});

test('decodeGeneralGloCipher only throws MeterError on random input', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
    const input = b.length ? Uint8Array.of(0xdb, 8, ...b) : b;
    try { decodeGeneralGloCipher(input); } catch (e) { assert.ok(e instanceof MeterError, String(e)); }
  }), { numRuns: 500 });
});
