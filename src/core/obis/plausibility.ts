/**
 * Is a number plausible for its quantity? (DESIGN §7). Reads the ranges of data/plausible-ranges.ts. A value is
 * judged only when its unit converts to the quantity's base unit (or the quantity has none): a unit meterwire
 * does not know (GJ on a heat meter channel) is not a reason to flag a value.
 */
import type { Quantity } from './registry-types.js';
import { PLAUSIBLE_RANGES, UNIT_FACTORS, type PlausibleRange } from './data/plausible-ranges.js';

export type Plausibility = 'plausible' | 'implausible' | 'unknown';

export function plausibleRange(quantity: Quantity): PlausibleRange | undefined {
  return PLAUSIBLE_RANGES[quantity];
}

/** Whether `value` (in `unit`, the meter's or the profile's) can be a `quantity`. */
export function judgeValue(quantity: Quantity, value: number, unit: string | undefined): Plausibility {
  const range = PLAUSIBLE_RANGES[quantity];
  if (range === undefined) return 'unknown';
  if (!Number.isFinite(value)) return 'implausible';
  let v = value;
  if (range.base !== undefined) {
    const u = unit === undefined ? undefined : UNIT_FACTORS[unit];
    if (u === undefined || u.base !== range.base) return 'unknown';
    v = value * u.factor;
  }
  return v >= range.min && v <= range.max ? 'plausible' : 'implausible';
}

/** Factor from `unit` to `base` (kW → W: 1000), NaN when the unit is unknown or of another quantity. */
export function unitToBase(base: string, unit: string | undefined): number {
  const u = unit === undefined ? undefined : UNIT_FACTORS[unit];
  return u !== undefined && u.base === base ? u.factor : Number.NaN;
}

/** "0–1000 V" for messages. */
export function describeRange(quantity: Quantity): string | undefined {
  const r = PLAUSIBLE_RANGES[quantity];
  if (r === undefined) return undefined;
  return `${r.min}…${r.max}${r.base ? ` ${r.base}` : ''}`;
}
