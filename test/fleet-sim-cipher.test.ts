/**
 * The fleet simulator's in-place envelope writer against the project's encoder over node's AES-GCM: the same
 * bytes for every security control it covers, any length (partial GHASH blocks, one- to three-byte A-XDR
 * lengths), and counters with high bits set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createMeterCipher } from '../src/sim/fleet/meter-cipher.js';
import { encodeGeneralGloCipher } from '../src/core/security/encode-glo-cipher.js';
import { nodeAesGcm } from '../src/crypto/node-aes-gcm.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('seal writes what encodeGeneralGloCipher writes (SC 0x20, 0x21, 0x30, 0x31)', () => {
  for (const sc of [0x20, 0x21, 0x30, 0x31]) {
    for (let round = 0; round < 3; round++) {
      const key = new Uint8Array(randomBytes(16)), authKey = new Uint8Array(randomBytes(16)), title = new Uint8Array(randomBytes(8));
      const cipher = createMeterCipher(sc, title, key, authKey);
      assert.ok(cipher, `SC 0x${sc.toString(16)}`);
      for (const length of [0, 1, 15, 16, 17, 100, 110, 111, 112, 127, 128, 250, 251, 300, 433, 900]) {
        const plain = new Uint8Array(randomBytes(length + 7));
        const counter = round === 0 ? 0xfffffffe : Math.floor(Math.random() * 2 ** 32);
        const out = new Uint8Array(length + 64).fill(0xaa);
        const end = cipher.seal(out, 3, plain, 7, length, counter);
        const want = encodeGeneralGloCipher(plain.subarray(7, 7 + length),
          { systemTitle: title, securityControl: sc, invocationCounter: counter, key, authKey }, nodeAesGcm);
        assert.equal(hex(out.subarray(3, end)), hex(want), `SC 0x${sc.toString(16)}, ${length} bytes`);
        assert.equal(out[2], 0xaa, 'nothing before the offset');
        assert.equal(out[end], 0xaa, 'nothing after the end');
      }
    }
  }
});

test('a flipped key bit or counter gives another tag; SC 0x10 and bad keys are left to the generic encoder', () => {
  const key = new Uint8Array(16), authKey = new Uint8Array(16).fill(7), title = new Uint8Array(8).fill(1);
  const plain = new Uint8Array(40).fill(3);
  const seal = (k: Uint8Array, c: number): string => {
    const out = new Uint8Array(100);
    return hex(out.subarray(0, createMeterCipher(0x30, title, k, authKey)!.seal(out, 0, plain, 0, 40, c)));
  };
  const flipped = Uint8Array.from(key); flipped[15] ^= 1;
  assert.notEqual(seal(key, 1).slice(-24), seal(flipped, 1).slice(-24));
  assert.notEqual(seal(key, 1).slice(-24), seal(key, 2).slice(-24));
  assert.equal(createMeterCipher(0x10, title, key, authKey), undefined);
  assert.equal(createMeterCipher(0x30, title.subarray(1), key, authKey), undefined);
});
