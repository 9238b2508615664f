import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromDecimalString, fromNumber, toFixedString } from '../src/costs/rational.js';

test('a number is read as the decimal it prints as, whichever path reads it', () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e13, max: 1e13 }), (x) => {
    assert.deepEqual(fromNumber(x), fromDecimalString(String(x)));
  }), { numRuns: 5000 });
  fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constantFrom(1, 1000, 1e6), (n, scale) => {
    const x = n / scale;
    assert.deepEqual(fromNumber(x), fromDecimalString(String(x)));
  }), { numRuns: 5000 });
  assert.deepEqual(fromNumber(0.1), { n: 1n, d: 10n });
  assert.deepEqual(fromNumber(0.1 + 0.2), fromDecimalString('0.30000000000000004'));
  assert.deepEqual(fromNumber(1e-7), { n: 1n, d: 10_000_000n });
  // Near 2^33 two 6-decimal values share a double: the fast path must not pick the longer one.
  for (let k = 0; k < 2000; k += 1) {
    const x = 8.7e9 + k * 7e-6;
    assert.deepEqual(fromNumber(x), fromDecimalString(String(x)), String(x));
  }
});

test('rounding to micro-units is half away from zero, on the exact value', () => {
  assert.equal(toFixedString(fromDecimalString('0.0000005'), 6), '0.000001');
  assert.equal(toFixedString(fromDecimalString('-0.0000005'), 6), '-0.000001');
  assert.equal(toFixedString(fromDecimalString('-0.0000004'), 6), '0.000000');
  assert.equal(toFixedString(fromDecimalString('2.675'), 2), '2.68'); // the double 2.675 would round to 2.67
  assert.throws(() => fromDecimalString('1,5'), RangeError);
});
