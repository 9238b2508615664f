/**
 * The reading columns of the fleet's wide row: the quantities the built-in profiles send most (OBIS registry ids,
 * so a reading's id is its column name), each a double precision in its base unit. Everything else goes to the
 * row's `extra` jsonb. Names are a public contract (SQL users, dashboards): add columns with a schema migration,
 * never rename one.
 */
import type { Reading } from '../../core/model/message.js';
import { toBaseUnit } from '../../core/model/base-units.js';

const phased = (id: string): string[] => [`${id}_l1`, `${id}_l2`, `${id}_l3`];

export const FLEET_COLUMNS: readonly string[] = Object.freeze([
  // Wh
  'energy_import', 'energy_import_t1', 'energy_import_t2', 'energy_export', 'energy_export_t1', 'energy_export_t2',
  // varh
  'reactive_energy_import', 'reactive_energy_export',
  // W, var
  'power_import', 'power_export', 'reactive_power_import', 'reactive_power_export',
  ...phased('power_import'), ...phased('power_export'),
  // V, A
  ...phased('voltage'), ...phased('current'),
  // Hz, plain number
  'frequency', 'power_factor',
  // m3: the first M-Bus channel (gas or water meter behind a DSMR/DLMS meter)
  'mbus1_reading',
]);

const COLUMN_SET: ReadonlySet<string> = new Set(FLEET_COLUMNS);

export function isFleetColumn(name: string): boolean {
  return COLUMN_SET.has(name);
}

/**
 * A message's readings as a FleetRow's `columns` (base units) and `extra` (the rest, as the meter sent it).
 * A non-finite number is kept in `extra` as text: double precision would take NaN but no sum survives it.
 */
export function splitReadings(readings: readonly Reading[]): { columns: Record<string, number | null>; extra: Record<string, unknown> } {
  const columns: Record<string, number | null> = {};
  const extra: Record<string, unknown> = {};
  for (const r of readings) {
    if (typeof r.value === 'number' && Number.isFinite(r.value) && COLUMN_SET.has(r.id)) {
      columns[r.id] = toBaseUnit(r.value, r.unit).value;
      continue;
    }
    const value = typeof r.value === 'number' && !Number.isFinite(r.value) ? String(r.value) : r.value;
    extra[r.id] = r.unit === undefined ? { obis: r.obis, value } : { obis: r.obis, value, unit: r.unit };
  }
  return { columns, extra };
}
