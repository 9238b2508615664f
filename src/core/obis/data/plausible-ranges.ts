/**
 * Plausible ranges per quantity (DESIGN §7 "plausible"), in the quantity's base unit, and the unit spellings
 * meters use with their factor to it. Knowledge is data: the checks in plausibility.ts only read these tables.
 *
 * The ranges are wide on purpose: they are not alarms for unusual consumption, they catch values that cannot be
 * the quantity at all — a date-time or a meter number mapped onto a voltage, a scaler off by powers of ten:
 *   voltage 0–1000 V (low-voltage customer meters; 0 on a phase that is not connected),
 *   current ±10 kA (CT-metered sites; some lists send signed currents),
 *   active/reactive/apparent power ±100 MW, energy registers 0–1 TWh (a 9-digit kWh register is 1 TWh),
 *   power factor −1…1, frequency 0–100 Hz (50/60 Hz grids; 0 when the meter cannot measure it),
 *   phase angles ±360°, gas/water volumes 0–10^10 m³.
 */
import type { Quantity } from '../registry-types.js';

export interface PlausibleRange {
  /** Base unit the bounds are expressed in; undefined for dimensionless quantities. */
  base: string | undefined;
  min: number;
  max: number;
}

export const PLAUSIBLE_RANGES: Readonly<Partial<Record<Quantity, PlausibleRange>>> = {
  voltage: { base: 'V', min: 0, max: 1000 },
  current: { base: 'A', min: -10_000, max: 10_000 },
  power: { base: 'W', min: -1e8, max: 1e8 },
  reactive_power: { base: 'var', min: -1e8, max: 1e8 },
  apparent_power: { base: 'VA', min: -1e8, max: 1e8 },
  energy: { base: 'Wh', min: 0, max: 1e12 },
  reactive_energy: { base: 'varh', min: 0, max: 1e12 },
  apparent_energy: { base: 'VAh', min: 0, max: 1e12 },
  power_factor: { base: undefined, min: -1, max: 1 },
  frequency: { base: 'Hz', min: 0, max: 100 },
  angle: { base: '°', min: -360, max: 360 },
  volume: { base: 'm3', min: 0, max: 1e10 },
};

/** Unit spelling → base unit and factor (value × factor = value in the base unit). */
export const UNIT_FACTORS: Readonly<Record<string, { base: string; factor: number }>> = {
  V: { base: 'V', factor: 1 }, kV: { base: 'V', factor: 1e3 },
  A: { base: 'A', factor: 1 }, mA: { base: 'A', factor: 1e-3 }, kA: { base: 'A', factor: 1e3 },
  W: { base: 'W', factor: 1 }, kW: { base: 'W', factor: 1e3 }, MW: { base: 'W', factor: 1e6 },
  var: { base: 'var', factor: 1 }, kvar: { base: 'var', factor: 1e3 }, kVAr: { base: 'var', factor: 1e3 },
  VA: { base: 'VA', factor: 1 }, kVA: { base: 'VA', factor: 1e3 },
  Wh: { base: 'Wh', factor: 1 }, kWh: { base: 'Wh', factor: 1e3 }, MWh: { base: 'Wh', factor: 1e6 },
  varh: { base: 'varh', factor: 1 }, kvarh: { base: 'varh', factor: 1e3 }, kVArh: { base: 'varh', factor: 1e3 },
  VAh: { base: 'VAh', factor: 1 }, kVAh: { base: 'VAh', factor: 1e3 },
  Hz: { base: 'Hz', factor: 1 },
  '°': { base: '°', factor: 1 }, deg: { base: '°', factor: 1 },
  m3: { base: 'm3', factor: 1 }, 'm³': { base: 'm3', factor: 1 }, l: { base: 'm3', factor: 1e-3 },
};
