/**
 * toBaseUnit (src/core/model/base-units.ts) for the worker's hot path, with the same results. toBaseUnit rounds
 * value × factor to 15 significant digits through toPrecision, which is most of a row's cost (a DSMR telegram has
 * eight kWh registers). When the product lies within 2 ulp of an integer between 1 and 1e15, that integer is what
 * the rounding gives (the 15th digit is at or above the units, and the distance is below half of it), so it is
 * returned without formatting; every other case goes to toBaseUnit itself.
 *
 * Each unit's factor is asked of toBaseUnit once and kept: a unit that is already a base unit (W, V, A, Hz, …)
 * then costs one map lookup, not a result object per value.
 */
import { toBaseUnit } from '../../core/model/base-units.js';

/** Unit → its factor to the base unit, 1 when toBaseUnit leaves values unchanged. */
const factors = new Map<string, number>();
/** A value with all 17 digits significant: a unit with a factor other than 1 changes it. */
const PROBE = 1.2345678901234567;

function factorOf(unit: string): number {
  let f = factors.get(unit);
  if (f === undefined) {
    f = toBaseUnit(PROBE, unit).value === PROBE ? 1 : toBaseUnit(1, unit).value;
    if (factors.size < 1024) factors.set(unit, f); // units are few; the bound is for odd meters
  }
  return f;
}

export function baseValue(value: number, unit: string | undefined): number {
  if (unit === undefined) return value;
  const factor = factorOf(unit);
  if (factor === 1) return value;
  const r = value * factor;
  if (r === 0) return 0; // what toPrecision gives for ±0 (export registers are often 0)
  const n = Math.round(r);
  const a = Math.abs(r);
  if (a >= 1 && a < 1e15 && Math.abs(r - n) <= 4e-16 * a) return n;
  return toBaseUnit(value, unit).value;
}
