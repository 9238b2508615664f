/**
 * One unit per quantity for outputs that aggregate across meters (Prometheus metric names, SQL columns, InfluxDB
 * fields): a DSMR meter says kWh and kW, a DLMS meter Wh and W, and a sum over both must not mix them. Readings keep
 * the meter's own unit; outputs call toBaseUnit where one unit per quantity is needed.
 */

export interface BaseValue {
  value: number;
  /** The base unit: Wh, W, varh, var, VAh, VA, V, A, Hz, m3, J, … ('' for a plain number). */
  unit: string;
}

/** Unit as meters write it → [base unit, factor]. Units not listed are already base units or have no prefix. */
const PREFIXED: Record<string, readonly [string, number]> = {
  kWh: ['Wh', 1e3], MWh: ['Wh', 1e6], GWh: ['Wh', 1e9],
  kW: ['W', 1e3], MW: ['W', 1e6],
  kvarh: ['varh', 1e3], Mvarh: ['varh', 1e6], kvar: ['var', 1e3], Mvar: ['var', 1e6],
  kVArh: ['varh', 1e3], kVAr: ['var', 1e3], VArh: ['varh', 1], VAr: ['var', 1],
  kVAh: ['VAh', 1e3], MVAh: ['VAh', 1e6], kVA: ['VA', 1e3], MVA: ['VA', 1e6],
  kV: ['V', 1e3], mV: ['V', 1e-3], mA: ['A', 1e-3], kA: ['A', 1e3],
  kHz: ['Hz', 1e3],
  'm³': ['m3', 1], 'M3': ['m3', 1], l: ['m3', 1e-3], L: ['m3', 1e-3], dm3: ['m3', 1e-3],
  kJ: ['J', 1e3], MJ: ['J', 1e6], GJ: ['J', 1e9],
};

/** The base unit a unit converts to ('' for none). */
export function baseUnitOf(unit: string | undefined): string {
  if (unit === undefined || unit === '' || unit === '1') return '';
  return PREFIXED[unit]?.[0] ?? unit;
}

/**
 * The value in its quantity's base unit. The product is rounded to 15 significant digits, so 6.695 kWh is
 * 6695 Wh and not 6695.000000000001 (decimal meter values carry no more digits than that).
 */
export function toBaseUnit(value: number, unit: string | undefined): BaseValue {
  const base = baseUnitOf(unit);
  const factor = unit === undefined ? undefined : PREFIXED[unit]?.[1];
  if (factor === undefined || factor === 1 || !Number.isFinite(value)) return { value, unit: base };
  return { value: Number((value * factor).toPrecision(15)), unit: base };
}
