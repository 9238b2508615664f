/**
 * Which readings get a column of their own in the fleet's wide row, in base units (Wh, W, varh, var, V, A, Hz, m3).
 * Data, one line per column: the column names are the readings' public ids (DESIGN §4) and the store's own
 * (`FleetColumnName`, src/fleet/store/columns.ts), so naming a column the store lacks does not compile; every
 * column the store writes has a line here (test/fleet-store-columns.test.ts). A reading is matched by OBIS code,
 * or by id where the code varies by meter (an M-Bus channel's meter, whose id says its medium). Everything else
 * goes to the row's `extra`.
 */
import type { FleetColumnName } from '../store/columns.js';

export interface FleetColumn {
  readonly column: FleetColumnName;
  readonly obis?: string;
  readonly id?: string;
}

export const FLEET_COLUMNS: readonly FleetColumn[] = [
  { column: 'energy_import', obis: '1-0:1.8.0' },
  { column: 'energy_export', obis: '1-0:2.8.0' },
  { column: 'energy_import_t1', obis: '1-0:1.8.1' },
  { column: 'energy_import_t2', obis: '1-0:1.8.2' },
  { column: 'energy_export_t1', obis: '1-0:2.8.1' },
  { column: 'energy_export_t2', obis: '1-0:2.8.2' },
  { column: 'reactive_energy_import', obis: '1-0:3.8.0' },
  { column: 'reactive_energy_export', obis: '1-0:4.8.0' },
  { column: 'power_import', obis: '1-0:1.7.0' },
  { column: 'power_export', obis: '1-0:2.7.0' },
  { column: 'reactive_power_import', obis: '1-0:3.7.0' },
  { column: 'reactive_power_export', obis: '1-0:4.7.0' },
  { column: 'voltage_l1', obis: '1-0:32.7.0' },
  { column: 'voltage_l2', obis: '1-0:52.7.0' },
  { column: 'voltage_l3', obis: '1-0:72.7.0' },
  { column: 'current_l1', obis: '1-0:31.7.0' },
  { column: 'current_l2', obis: '1-0:51.7.0' },
  { column: 'current_l3', obis: '1-0:71.7.0' },
  { column: 'power_factor', obis: '1-0:13.7.0' },
  { column: 'power_import_l1', obis: '1-0:21.7.0' },
  { column: 'power_import_l2', obis: '1-0:41.7.0' },
  { column: 'power_import_l3', obis: '1-0:61.7.0' },
  { column: 'power_export_l1', obis: '1-0:22.7.0' },
  { column: 'power_export_l2', obis: '1-0:42.7.0' },
  { column: 'power_export_l3', obis: '1-0:62.7.0' },
  { column: 'frequency', obis: '1-0:14.7.0' },
  // M-Bus channel meters by medium (src/core/dsmr/mbus-channels.ts), whatever channel they are on; since schema
  // version 3 (before it, gas went to mbus1_reading, now a legacy column nothing writes).
  { column: 'gas_volume', id: 'gas_volume' },
  { column: 'water_volume', id: 'water_volume' },
];

export const FLEET_COLUMN_NAMES: readonly string[] = FLEET_COLUMNS.map((c) => c.column);

const BY_OBIS = new Map(FLEET_COLUMNS.filter((c) => c.obis).map((c) => [c.obis as string, c.column]));
const BY_ID = new Map(FLEET_COLUMNS.filter((c) => c.id).map((c) => [c.id as string, c.column]));

/** The column a reading goes to, or undefined for `extra`. */
export function columnFor(obis: string, id: string): string | undefined {
  return BY_OBIS.get(obis) ?? BY_ID.get(id);
}

const EMPTY: Readonly<Record<string, number | null>> = Object.freeze(Object.fromEntries(FLEET_COLUMN_NAMES.map((n) => [n, null])));

/** A fresh column record with every column null ("the meter did not send it"), in table order. */
export function emptyColumns(): Record<string, number | null> {
  return { ...EMPTY };
}
