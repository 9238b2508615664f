/**
 * The reading columns of the fleet's wide row: the quantities the built-in profiles send most (OBIS registry ids,
 * so a reading's id is its column name), each a double precision in its base unit. Everything else goes to the
 * row's `extra` jsonb. Names are a public contract (SQL users, dashboards): add columns with a schema migration
 * (a new entry in COLUMNS_BY_VERSION, never an edit of an older one), never rename or drop one.
 */
import type { Reading } from '../../core/model/message.js';
import { toBaseUnit } from '../../core/model/base-units.js';

const phased = <T extends string>(id: T) => [`${id}_l1`, `${id}_l2`, `${id}_l3`] as const;

const V1 = [
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
  // m3: gas volumes written by workers before schema version 3 (LEGACY_COLUMNS)
  'mbus1_reading',
] as const;

// m3: the volumes of a gas and a water meter on an M-Bus channel (ids by medium, src/core/dsmr/mbus-channels.ts)
const V3 = ['gas_volume', 'water_volume'] as const;

/** The reading columns each schema version adds to `readings` (src/fleet/store/schema.ts); frozen once released. */
export const COLUMNS_BY_VERSION: Readonly<Record<1 | 3, readonly string[]>> = Object.freeze({ 1: Object.freeze([...V1]), 3: Object.freeze([...V3]) });

/** A reading column of the current schema. */
export type FleetColumnName = (typeof V1)[number] | (typeof V3)[number];

/** Every reading column, in COPY order (the version 1 columns, then the later ones). */
export const FLEET_COLUMNS: readonly FleetColumnName[] = Object.freeze([...V1, ...V3]);

/**
 * Columns kept for SQL users and old rows but no longer written: `mbus1_reading` held the first gas meter's volume
 * up to schema version 2; since version 3 that goes to `gas_volume` (docs/fleet-schema.md, "Version history").
 */
export const LEGACY_COLUMNS: readonly FleetColumnName[] = Object.freeze(['mbus1_reading'] as const);

/** The columns a writer fills from readings: FLEET_COLUMNS without LEGACY_COLUMNS. */
export const WRITTEN_COLUMNS: readonly FleetColumnName[] = Object.freeze(FLEET_COLUMNS.filter((c) => !LEGACY_COLUMNS.includes(c)));

const COLUMN_SET: ReadonlySet<string> = new Set(FLEET_COLUMNS);
const WRITTEN_SET: ReadonlySet<string> = new Set(WRITTEN_COLUMNS);

/** Whether `name` is a reading column of the store (legacy ones included: they hold old rows). */
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
    if (typeof r.value === 'number' && Number.isFinite(r.value) && WRITTEN_SET.has(r.id)) {
      columns[r.id] = toBaseUnit(r.value, r.unit).value;
      continue;
    }
    const value = typeof r.value === 'number' && !Number.isFinite(r.value) ? String(r.value) : r.value;
    extra[r.id] = r.unit === undefined ? { obis: r.obis, value } : { obis: r.obis, value, unit: r.unit };
  }
  return { columns, extra };
}
