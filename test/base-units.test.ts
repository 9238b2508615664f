import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { baseUnitOf, toBaseUnit } from '../src/core/model/base-units.js';

test('prefixed units convert to one base unit per quantity, without float noise', () => {
  assert.deepEqual(toBaseUnit(6.695, 'kWh'), { value: 6695, unit: 'Wh' });
  assert.deepEqual(toBaseUnit(1.358, 'kW'), { value: 1358, unit: 'W' });
  assert.deepEqual(toBaseUnit(1358, 'W'), { value: 1358, unit: 'W' });
  assert.deepEqual(toBaseUnit(0.05, 'kvarh'), { value: 50, unit: 'varh' });
  assert.deepEqual(toBaseUnit(1.5, 'kVAr'), { value: 1500, unit: 'var' });
  assert.deepEqual(toBaseUnit(1234.5, 'l'), { value: 1.2345, unit: 'm3' });
  assert.deepEqual(toBaseUnit(3.29, 'A'), { value: 3.29, unit: 'A' });
  assert.deepEqual(toBaseUnit(0.98, undefined), { value: 0.98, unit: '' });
  assert.equal(baseUnitOf('kW'), 'W');
  assert.equal(baseUnitOf('Hz'), 'Hz');
});

test('a DSMR kWh value with three decimals always lands on an integer number of Wh', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999 }), (milli) => {
    const kwh = Number((milli / 1000).toFixed(3));
    assert.equal(toBaseUnit(kwh, 'kWh').value, milli);
  }), { numRuns: 2000 });
});

test('non-finite values pass through unchanged (the value check flags them)', () => {
  assert.ok(Number.isNaN(toBaseUnit(Number.NaN, 'kW').value));
  assert.equal(toBaseUnit(Infinity, 'kWh').value, Infinity);
});
