/**
 * DSMR 5.0.2 P1 value formats (§6.12 object table): `F9(3)` is nine digits, three of them decimals. Values come
 * in their base unit (toBaseUnit: Wh, W, V, A, m3) and are written as an integer count of the format's
 * resolution, so no binary fraction decides a digit. Counters (energy, gas, event counts) are floored: the
 * written total never exceeds the meter's and, floor being monotonic, never goes backwards between telegrams.
 * Instantaneous values round to the nearest step (a current of 2.61 A is `003*A`, as DSMR meters write it).
 * A value too large for its width keeps all its digits (wider than the format) instead of losing the leading ones.
 */

export interface DsmrField {
  /** Total digits, decimals included (the 9 of F9(3)). */
  digits: number;
  decimals: number;
  /** DSMR unit written after `*`, none for plain numbers. */
  unit?: string;
  /** The base unit the value must come in (toBaseUnit), '' for plain numbers. */
  base: string;
  /** Base units per DSMR unit (1000 for Wh → kWh). */
  factor: number;
  counter: boolean;
}

/** Energy register: F9(3) kWh. */
export const ENERGY: DsmrField = { digits: 9, decimals: 3, unit: 'kWh', base: 'Wh', factor: 1000, counter: true };
/** Active power: F5(3) kW. */
export const POWER: DsmrField = { digits: 5, decimals: 3, unit: 'kW', base: 'W', factor: 1000, counter: false };
/** Voltage: F4(1) V. */
export const VOLTAGE: DsmrField = { digits: 4, decimals: 1, unit: 'V', base: 'V', factor: 1, counter: false };
/** Current: F3(0) A. */
export const CURRENT: DsmrField = { digits: 3, decimals: 0, unit: 'A', base: 'A', factor: 1, counter: false };
/** Power failure, sag and swell counts: F5(0). */
export const COUNT: DsmrField = { digits: 5, decimals: 0, base: '', factor: 1, counter: true };
/** M-Bus device type: F3(0). */
export const DEVICE_TYPE: DsmrField = { digits: 3, decimals: 0, base: '', factor: 1, counter: false };
/** M-Bus gas/water reading: F8(3) m3 (DSMR 5 allows F8(2)..F8(3); three decimals keep litres). */
export const VOLUME: DsmrField = { digits: 8, decimals: 3, unit: 'm3', base: 'm3', factor: 1, counter: true };

/**
 * `value` (in `field.base`) as the field's text, e.g. 4215000.7 Wh → `004215.000*kWh`, 2.61 A → `003*A`;
 * undefined when it cannot be written exactly enough (not finite, beyond 2^53 steps).
 */
export function formatField(value: number, field: DsmrField): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  // Steps of the format's resolution; 15 significant digits drop the float noise of the product (0.1 * 3).
  const exact = Number((value * 10 ** field.decimals / field.factor).toPrecision(15));
  const steps = field.counter ? Math.floor(exact) : Math.round(exact);
  if (!Number.isSafeInteger(steps)) return undefined;
  const digits = String(Math.abs(steps)).padStart(field.digits, '0');
  const cut = digits.length - field.decimals;
  const number = field.decimals === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  const text = (steps < 0 ? '-' : '') + number;
  return field.unit === undefined ? text : `${text}*${field.unit}`;
}
