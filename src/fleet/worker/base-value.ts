/**
 * toBaseUnit (src/core/model/base-units.ts) for the worker's hot path, with the same results. toBaseUnit rounds
 * value × factor to 15 significant digits through toPrecision, which is most of a row's cost (a DSMR telegram has
 * eight kWh registers). When the product lies within 2 ulp of an integer between 1 and 1e15, that integer is what
 * the rounding gives (the 15th digit is at or above the units, and the distance is below half of it), so it is
 * returned without formatting; every other case goes to toBaseUnit itself.
 */
import { toBaseUnit } from '../../core/model/base-units.js';

const FACTORS: Record<string, number> = { kWh: 1e3, kW: 1e3, kvarh: 1e3, kvar: 1e3, kVArh: 1e3, kVAr: 1e3, kVAh: 1e3, kVA: 1e3, MWh: 1e6, MW: 1e6 };

export function baseValue(value: number, unit: string | undefined): number {
  const factor = unit === undefined ? undefined : FACTORS[unit];
  if (factor === undefined) return toBaseUnit(value, unit).value;
  const r = value * factor;
  const n = Math.round(r);
  const a = Math.abs(r);
  if (a >= 1 && a < 1e15 && Math.abs(r - n) <= 4e-16 * a) return n;
  return toBaseUnit(value, unit).value;
}

