/**
 * Which metric family a reading goes to, following the Prometheus naming conventions: one unit per metric name,
 * in the quantity's base unit (toBaseUnit: a DSMR meter's kW and a DLMS meter's W both become `_watts`; energy in
 * joules, see METRIC_UNITS), the unit as the name's suffix, `_total` for registers that only count up (energy, volume, event counts), and the parts
 * of a reading id that say *which* register — phase l1…l3, tariff t1…t4, reactive quadrant, the n-th sub-meter —
 * as labels, so `sum(meterwire_power_import_watts)` adds watts to watts and `sum by (meter)` over a `_phase`
 * family is the meter's total.
 *
 * Totals and their breakdowns are separate families (`meterwire_energy_import_joules_total` vs
 * `meterwire_energy_import_tariff_joules_total{tariff}`), so that summing over a family's labels never counts a
 * register twice.
 *
 * A reading without a mapping here, or whose unit is not the one its family is in, goes to the fallback family
 * `meterwire_unmapped_reading_<unit>{meter,id,obis}` (a gauge), one family per unit, never under a name that promises
 * another unit.
 */
import { toBaseUnit } from '../../core/model/base-units.js';
import type { Reading } from '../../core/model/message.js';

export const PREFIX = 'meterwire_';
export const FALLBACK_FAMILY = 'meterwire_unmapped_reading';

/**
 * Base unit (toBaseUnit) → the unit of a metric name and the factor to it. Energy is in joules, the Prometheus
 * base unit: `promtool check metrics` rejects `_watt_hours` ("use base unit seconds instead of hours"), so Wh,
 * varh and VAh are multiplied by 3600 (`_joules`, `_var_seconds`, `_volt_ampere_seconds`); time is in seconds and
 * percent a ratio, as the conventions ask.
 */
const METRIC_UNITS: Readonly<Record<string, readonly [string, number]>> = {
  Wh: ['joules', 3600], J: ['joules', 1], varh: ['var_seconds', 3600], VAh: ['volt_ampere_seconds', 3600],
  W: ['watts', 1], var: ['vars', 1], VA: ['volt_amperes', 1], V: ['volts', 1], A: ['amperes', 1], Hz: ['hertz', 1],
  m3: ['cubic_meters', 1], '°': ['degrees', 1], deg: ['degrees', 1], '°C': ['celsius', 1], K: ['kelvin', 1],
  s: ['seconds', 1], min: ['seconds', 60], h: ['seconds', 3600], d: ['seconds', 86400], '%': ['ratio', 0.01],
};

/** How to read a converted unit back (HELP text). */
const FACTOR_NOTES: Readonly<Record<string, string>> = {
  joules: ' (Wh × 3600)', var_seconds: ' (varh × 3600)', volt_ampere_seconds: ' (VAh × 3600)',
};

/** Name parts `promtool check metrics` flags as abbreviated or non-base units. */
const LINT_FLAGGED = new Set(['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd',
  'minutes', 'hours', 'days', 'weeks', 'kelvins', 'fahrenheit', 'rankine', 'inches', 'yards', 'miles', 'bits',
  'calories', 'pounds', 'ounces']);

/** A value in the metric unit of its base unit. */
export function toMetricUnit(value: number, baseUnit: string): { value: number; unit: string } {
  const known = METRIC_UNITS[baseUnit];
  if (!known) return { value, unit: baseUnit };
  const [word, factor] = known;
  return { value: factor === 1 ? value : Number((value * factor).toPrecision(15)), unit: word };
}

/**
 * The unit part of a fallback family name for a unit with no word above: lower case letter/digit runs joined by
 * `_`, a part that promtool would flag prefixed with `unit` (`m/s` → `unitm_units`), `unit` alone when nothing is
 * left. Different units can meet on one word (`mW`, `MW`); the caller keeps them apart (see fallbackName).
 */
export function unitWord(unit: string): string {
  const known = METRIC_UNITS[unit];
  if (known) return known[0];
  const parts = unit.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const safe = parts.map((p) => (LINT_FLAGGED.has(p) || /^[0-9]/.test(p) ? `unit${p}` : p));
  return safe.length ? safe.join('_') : 'unit';
}

/** FNV-1a, 8 hex digits: a stable tag for a unit whose word another unit took. */
function unitTag(unit: string): string {
  let h = 0x811c9dc5;
  for (const ch of unit) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return `u${h.toString(16).padStart(8, '0')}`;
}

export type FamilyType = 'counter' | 'gauge';

export interface FamilySpec {
  name: string;
  help: string;
  type: FamilyType;
  /** Label names besides `meter`. */
  labelNames: readonly string[];
}

export interface Placed {
  family: FamilySpec;
  /** Label values besides `meter`. */
  labels: Record<string, string>;
  /** The value in the family's unit. */
  value: number;
}

interface Quantity {
  /** The metric name between the prefix and the unit. */
  stem: string;
  /** The metric unit (METRIC_UNITS) a reading must convert to, '' for a plain number. */
  unit: string;
  type: FamilyType;
  help: string;
  /** The name's unit for a unitless quantity (`ratio`). */
  word?: string;
}

const q = (stem: string, unit: string, type: FamilyType, help: string, word?: string): Quantity =>
  ({ stem, unit, type, help, word });

const REGISTER = 'register of the meter; counts up';
/** Reading id without its phase/tariff/quadrant part → what it measures. */
const QUANTITIES: Readonly<Record<string, Quantity>> = {
  energy_import: q('energy_import', 'joules', 'counter', `Active energy import (+A), ${REGISTER}`),
  energy_export: q('energy_export', 'joules', 'counter', `Active energy export (-A), ${REGISTER}`),
  energy_absolute: q('energy_absolute', 'joules', 'counter', `Active energy absolute (|+A|+|-A|), ${REGISTER}`),
  energy_import_billing: q('energy_import_billing', 'joules', 'counter', `Active energy import, billing ${REGISTER}`),
  energy_net: q('energy_net', 'joules', 'gauge', 'Active energy net (+A-A) register of the meter; goes down while exporting'),
  reactive_energy_import: q('reactive_energy_import', 'var_seconds', 'counter', `Reactive energy import (+R), ${REGISTER}`),
  reactive_energy_export: q('reactive_energy_export', 'var_seconds', 'counter', `Reactive energy export (-R), ${REGISTER}`),
  reactive_energy: q('reactive_energy', 'var_seconds', 'counter', `Reactive energy, ${REGISTER}`),
  apparent_energy_import: q('apparent_energy_import', 'volt_ampere_seconds', 'counter', `Apparent energy import, ${REGISTER}`),
  apparent_energy_export: q('apparent_energy_export', 'volt_ampere_seconds', 'counter', `Apparent energy export, ${REGISTER}`),
  power_import: q('power_import', 'watts', 'gauge', 'Active power import (+P)'),
  power_export: q('power_export', 'watts', 'gauge', 'Active power export (-P)'),
  power_net: q('power_net', 'watts', 'gauge', 'Active power net (+P-P)'),
  power: q('power', 'watts', 'gauge', 'Active power, signed'),
  reactive_power_import: q('reactive_power_import', 'vars', 'gauge', 'Reactive power import (+Q)'),
  reactive_power_export: q('reactive_power_export', 'vars', 'gauge', 'Reactive power export (-Q)'),
  apparent_power_import: q('apparent_power_import', 'volt_amperes', 'gauge', 'Apparent power import'),
  apparent_power_export: q('apparent_power_export', 'volt_amperes', 'gauge', 'Apparent power export'),
  current_average_demand: q('average_demand', 'watts', 'gauge', 'Average active power import of the current demand period'),
  max_demand_month: q('max_demand_month', 'watts', 'gauge', 'Maximum demand (+P) this month'),
  power_threshold: q('power_threshold', 'watts', 'gauge', 'Power threshold of the limiter'),
  voltage: q('voltage', 'volts', 'gauge', 'Voltage'),
  voltage_any_phase: q('voltage_any_phase', 'volts', 'gauge', 'Voltage (any phase)'),
  current: q('current', 'amperes', 'gauge', 'Current'),
  current_any_phase: q('current_any_phase', 'amperes', 'gauge', 'Current (any phase)'),
  current_sum: q('current_sum', 'amperes', 'gauge', 'Current, sum of the phases'),
  current_neutral: q('current_neutral', 'amperes', 'gauge', 'Current in the neutral conductor'),
  current_limit: q('current_limit', 'amperes', 'gauge', 'Current limit (fuse)'),
  power_factor: q('power_factor', '', 'gauge', 'Power factor (-1…1)', 'ratio'),
  frequency: q('frequency', 'hertz', 'gauge', 'Grid frequency'),
  voltage_angle: q('voltage_angle', 'degrees', 'gauge', 'Phase angle of the voltage to U(L1)'),
  angle_u_i: q('voltage_current_angle', 'degrees', 'gauge', 'Phase angle between voltage and current'),
  power_failures: q('power_failures', '', 'counter', `Power failures, ${REGISTER}`),
  long_power_failures: q('long_power_failures', '', 'counter', `Long power failures, ${REGISTER}`),
  voltage_sags: q('voltage_sags', '', 'counter', `Voltage sags, ${REGISTER}`),
  voltage_swells: q('voltage_swells', '', 'counter', `Voltage swells, ${REGISTER}`),
  tariff_indicator: q('tariff_indicator', '', 'gauge', 'Tariff the meter counts in now'),
  gas_volume: q('gas_volume', 'cubic_meters', 'counter', `Gas volume of an M-Bus sub-meter, ${REGISTER}`),
  water_volume: q('water_volume', 'cubic_meters', 'counter', `Water volume of an M-Bus sub-meter, ${REGISTER}`),
  hot_water_volume: q('hot_water_volume', 'cubic_meters', 'counter', `Hot water volume of an M-Bus sub-meter, ${REGISTER}`),
  heat_energy: q('heat_energy', 'joules', 'counter', `Heat energy of an M-Bus sub-meter, ${REGISTER}`),
  cooling_energy: q('cooling_energy', 'joules', 'counter', `Cooling energy of an M-Bus sub-meter, ${REGISTER}`),
  electricity_sub_energy: q('electricity_sub_energy', 'joules', 'counter', `Active energy of an M-Bus sub-meter, ${REGISTER}`),
};

/** Ids whose phase is not a plain `_l<n>` suffix: the angle of U(L2), U(L3) to U(L1). */
const VOLTAGE_ANGLES: Readonly<Record<string, string>> = { angle_u_l2_u_l1: 'l2', angle_u_l3_u_l1: 'l3' };
const SUB_METERS = new Set(['gas_volume', 'water_volume', 'hot_water_volume', 'heat_energy', 'cooling_energy',
  'electricity_sub_energy']);

/** Which label a trailing part of a reading id becomes, and the infix its family gets. */
const PARTS: readonly { re: RegExp; label: string; infix: string }[] = [
  { re: /^(.+)_(l[1-3])$/, label: 'phase', infix: '_phase' },
  { re: /^(.+)_(t[1-9])$/, label: 'tariff', infix: '_tariff' },
  { re: /^(reactive_energy)_(q[1-4])$/, label: 'quadrant', infix: '_quadrant' },
];

interface Split { key: string; label?: string; infix: string; labelValue?: string }

function split(id: string): Split {
  const angle = VOLTAGE_ANGLES[id];
  if (angle) return { key: 'voltage_angle', label: 'phase', infix: '_phase', labelValue: angle };
  for (const { re, label, infix } of PARTS) {
    const m = re.exec(id);
    if (m && QUANTITIES[m[1]]) return { key: m[1], label, infix, labelValue: m[2] };
  }
  // The second gas meter is gas_volume_2: the n-th sub-meter of a medium, as label `submeter`.
  const sub = /^(.+)_([2-9])$/.exec(id);
  if (sub && SUB_METERS.has(sub[1])) return { key: sub[1], label: 'submeter', infix: '', labelValue: sub[2] };
  if (SUB_METERS.has(id)) return { key: id, label: 'submeter', infix: '', labelValue: '1' };
  return { key: id, infix: '' };
}

export interface ReadingPlacer {
  /** Where a numeric reading goes: its family, labels and value in the family's unit. */
  place(r: Reading & { value: number }): Placed;
}

/** A placer with its own family objects (one per name) and its own claim on fallback names. */
export function createReadingPlacer(): ReadingPlacer {
  const families = new Map<string, FamilySpec>();
  /** Fallback name → the metric unit that has it: a second unit with the same word gets its tag appended. */
  const fallbackUnits = new Map<string, string>();

  const family = (name: string, help: string, type: FamilyType, labelNames: readonly string[]): FamilySpec => {
    let f = families.get(name);
    if (!f) {
      f = { name, help, type, labelNames };
      families.set(name, f);
    }
    return f;
  };

  const fallbackName = (unit: string): string => {
    if (unit === '') return FALLBACK_FAMILY;
    let name = `${FALLBACK_FAMILY}_${unitWord(unit)}`;
    const owner = fallbackUnits.get(name);
    if (owner !== undefined && owner !== unit) name = `${name}_${unitTag(unit)}`;
    fallbackUnits.set(name, unit);
    return name;
  };

  const fallback = (r: Reading, metric: { value: number; unit: string }): Placed => {
    const name = fallbackName(metric.unit);
    const what = metric.unit === '' ? 'unitless' : `in ${metric.unit}${FACTOR_NOTES[metric.unit] ?? ''}`;
    const help = `Latest value of a numeric reading that has no metric of its own, ${what}.`;
    return { family: family(name, help, 'gauge', ['id', 'obis']), labels: { id: r.id, obis: r.obis }, value: metric.value };
  };

  return {
    place(r) {
      const base = toBaseUnit(r.value, r.unit);
      const metric = toMetricUnit(base.value, base.unit);
      const s = split(r.id);
      const quantity = QUANTITIES[s.key];
      // A plain-number quantity takes its word's unit too: a power factor of 95 % is 0.95 of power_factor_ratio.
      const fits = quantity && (quantity.unit === metric.unit || (quantity.word !== undefined && quantity.word === metric.unit));
      if (!quantity || !fits) return fallback(r, metric);
      const word = quantity.word ?? quantity.unit;
      const name = `${PREFIX}${quantity.stem}${s.infix}${word ? `_${word}` : ''}${quantity.type === 'counter' ? '_total' : ''}`;
      const unitNote = word && word !== 'ratio' ? `, in ${word.replace(/_/g, ' ')}${FACTOR_NOTES[word] ?? ''}` : '';
      const help = `${quantity.help}${s.label ? `, per ${s.label}` : ''}${unitNote}.`;
      const f = family(name, help, quantity.type, s.label ? [s.label] : []);
      return { family: f, labels: s.label ? { [s.label]: s.labelValue! } : {}, value: metric.value };
    },
  };
}
