/** The word-wise byte searches give what a byte-by-byte loop gives, at any alignment. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { indexOfEither, indexOfNonLineText } from '../src/core/bytes/find-byte.js';

const lineText = (c: number): boolean => (c >= 0x20 && c < 0x7f && c !== 0x2f && c !== 0x21) || c === 0x0d || c === 0x0a || c === 0x09;

test('indexOfNonLineText: the first "/", "!", control byte other than CR/LF/TAB, DEL or above', () => {
  // Mostly text, so the word loop runs, with rare specials of every kind.
  const byte = fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0x22, max: 0x7e }).filter((c) => c !== 0x2f) },
    { weight: 1, arbitrary: fc.constantFrom(0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x21, 0x2f, 0x7f, 0x80, 0xff, 0x20) });
  fc.assert(fc.property(fc.array(byte, { maxLength: 200 }), fc.nat(7), fc.nat(200), (bytes, shift, cut) => {
    const backing = new Uint8Array(bytes.length + 8);
    backing.set(bytes, shift);
    const b = backing.subarray(shift, shift + bytes.length);
    const from = Math.min(cut, b.length);
    let want = from;
    while (want < b.length && lineText(b[want])) want++;
    assert.equal(indexOfNonLineText(b, from, b.length), want);
  }), { numRuns: 2000 });
});

test('indexOfEither still agrees with a byte loop', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(100), (b, from) => {
    let want = -1;
    for (let i = from; i < b.length; i++) if (b[i] === 0x21 || b[i] === 0x2f) { want = i; break; }
    assert.equal(indexOfEither(b, 0x21, 0x2f, from), want);
  }), { numRuns: 500 });
});
