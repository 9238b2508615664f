/**
 * Schema version 2, from version 1 without data loss:
 * - a native UTC timestamp column beside every BIGINT millisecond key (`readings.time`, `<rollup>.bucket_time`,
 *   `meter_texts.valid_from_time`), indexed with the series so Grafana's `$__timeFilter(time)` uses an index;
 * - `readings.base_value`/`base_unit`: the value in its quantity's base unit (Wh, W, V, A, m3 …) beside the
 *   meter's own; rollup values are converted to base units in place (`unit` keeps the meter's unit);
 * - text readings move to `meter_texts`, one row per change (valid from its first time);
 * - local rollups: `rollup_15m`, `rollup_1d` (local day, the old UTC-day table is kept as `rollup_1d_utc`) and
 *   `rollup_1mo`, built from the history still present; `counter_reset` flags a register that went backwards;
 * - `meters.timezone`: the zone the meter's local buckets are cut in.
 */
import { baseUnitOf, toBaseUnit } from '../../core/model/base-units.js';
import type { Dialect, SqlExecutor } from './db.js';
import { DOUBLE, round15, storesTime, timeColumn, timeFromMs } from './dialect.js';
import { rollupTable } from './schema-v1.js';
import { applyRollups } from './rollups.js';
import type { ReadingRow } from './rows.js';
import { addColumn, ensureIndex, hasColumn, hasTable, renameTable } from './schema-ops.js';
import { createZoneResolver, type ZoneOfProfile } from './zones.js';

export interface MigrationContext {
  /** The zone of each meter's local buckets, by its profile id (default: profile's zone, else the machine's). */
  zoneOf?: ZoneOfProfile;
}

const NEW_ROLLUPS = ['rollup_15m', 'rollup_1d', 'rollup_1mo'] as const;
const KEPT_ROLLUPS = ['rollup_5m', 'rollup_1h'] as const;
const LEGACY_DAY = 'rollup_1d_utc';
const NON_FINITE = "('NaN', 'Infinity', '-Infinity')";

export function meterTextsTable(d: Dialect): string {
  return `CREATE TABLE IF NOT EXISTS meter_texts (
    meter_id VARCHAR(64) NOT NULL,
    reading_id VARCHAR(64) NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_from_time ${timeColumn(d, 'valid_from', true)},
    obis VARCHAR(32) NOT NULL,
    text_value TEXT NOT NULL,
    quality VARCHAR(128) NOT NULL DEFAULT '',
    PRIMARY KEY (meter_id, reading_id, valid_from)
  )${d === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : d === 'sqlite' ? ' WITHOUT ROWID' : ''}`;
}

async function distinctUnits(tx: SqlExecutor, table: string): Promise<(string | null)[]> {
  const rows = await tx.all<{ unit: string | null }>(`SELECT DISTINCT unit FROM ${table} WHERE base_unit IS NULL`);
  return rows.map((r) => r.unit);
}

/** `SET col = round15(col × factor)` for each column, or the plain copy when the unit is already a base unit. */
function scaled(d: Dialect, cols: readonly [target: string, source: string][], factor: number): string {
  return cols.map(([t, s]) => `${t} = ${factor === 1 ? s : round15(d, `${s} * ${factor}`)}`).join(', ');
}

async function convertUnits(tx: SqlExecutor, d: Dialect, table: string, cols: readonly [string, string][]): Promise<void> {
  for (const unit of await distinctUnits(tx, table)) {
    const factor = unit === null ? 1 : toBaseUnit(1, unit).value;
    const match = unit === null ? 'unit IS NULL' : 'unit = ?';
    await tx.run(`UPDATE ${table} SET ${scaled(d, cols, factor)}, base_unit = ? WHERE ${match} AND base_unit IS NULL`,
      unit === null ? [baseUnitOf(undefined)] : [baseUnitOf(unit), unit]);
  }
}

async function upgradeReadings(tx: SqlExecutor, d: Dialect): Promise<void> {
  await addColumn(tx, d, 'readings', 'time', timeColumn(d, 'ts'));
  await addColumn(tx, d, 'readings', 'base_value', DOUBLE[d]);
  await addColumn(tx, d, 'readings', 'base_unit', 'VARCHAR(16)');
  await tx.run(meterTextsTable(d));
  await seriesIndex(tx, d, 'meter_texts', 'meter_texts_time', 'meter_id, valid_from_time');
  // Texts: the first row of every run of equal values becomes a meter_texts row, the history rows go.
  const insert = d === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT INTO';
  const onConflict = d === 'mysql' ? '' : ' ON CONFLICT DO NOTHING';
  const time = storesTime(d) ? [', valid_from_time', `, ${timeFromMs(d, 'ts')}`] : ['', ''];
  await tx.run(`${insert} meter_texts (meter_id, reading_id, valid_from${time[0]}, obis, text_value, quality)
    SELECT meter_id, reading_id, ts${time[1]}, obis, text_value, quality FROM (
      SELECT meter_id, reading_id, ts, obis, text_value, quality,
        LAG(text_value) OVER (PARTITION BY meter_id, reading_id ORDER BY ts) AS previous
      FROM readings WHERE value IS NULL AND text_value IS NOT NULL AND text_value NOT IN ${NON_FINITE}
    ) changes WHERE previous IS NULL OR previous <> text_value${onConflict}`);
  await tx.run(`DELETE FROM readings WHERE value IS NULL AND text_value IS NOT NULL AND text_value NOT IN ${NON_FINITE}`);
  if (storesTime(d)) await tx.run(`UPDATE readings SET time = ${timeFromMs(d, 'ts')} WHERE time IS NULL`);
  await convertUnits(tx, d, 'readings', [['base_value', 'value']]);
  await seriesIndex(tx, d, 'readings', 'readings_series_time', 'meter_id, reading_id, time');
}

const ROLLUP_VALUES: readonly [string, string][] = ['sum_value', 'min_value', 'max_value', 'first_value', 'last_value', 'delta'].map((c) => [c, c]);

export async function upgradeRollup(tx: SqlExecutor, d: Dialect, table: string): Promise<void> {
  await addColumn(tx, d, table, 'bucket_time', timeColumn(d, 'bucket'));
  await addColumn(tx, d, table, 'base_unit', 'VARCHAR(16)');
  await addColumn(tx, d, table, 'counter_reset', 'SMALLINT NOT NULL DEFAULT 0');
  if (storesTime(d)) await tx.run(`UPDATE ${table} SET bucket_time = ${timeFromMs(d, 'bucket')} WHERE bucket_time IS NULL`);
  await convertUnits(tx, d, table, ROLLUP_VALUES);
  await tx.run(`UPDATE ${table} SET delta = NULL, counter_reset = 1 WHERE delta < 0`);
  await seriesIndex(tx, d, table, `${table}_series_time`, 'meter_id, reading_id, bucket_time');
}

/**
 * The (series, timestamp) index Grafana's $__timeFilter needs, on PostgreSQL and MySQL. SQLite has no Grafana
 * datasource of its own and its timestamp columns are computed: queries there filter on the BIGINT keys, which the
 * primary keys already index.
 */
async function seriesIndex(tx: SqlExecutor, d: Dialect, table: string, name: string, cols: string): Promise<void> {
  if (storesTime(d)) await ensureIndex(tx, d, table, name, cols);
}

/** The new local rollups from the history rows still present, one series at a time, in pages. */
async function backfill(tx: SqlExecutor, d: Dialect, zoneOf: ZoneOfProfile): Promise<void> {
  for (const t of NEW_ROLLUPS) await tx.run(`DELETE FROM ${t}`);
  const meters = await tx.all<{ id: string; profile: string | null }>('SELECT id, profile FROM meters');
  const zones = new Map(meters.map((m) => [String(m.id), zoneOf(m.profile)]));
  for (const [id, zone] of zones) await tx.run('UPDATE meters SET timezone = ? WHERE id = ? AND timezone IS NULL', [zone, id]);
  const series = await tx.all<{ meter_id: string; reading_id: string }>('SELECT DISTINCT meter_id, reading_id FROM readings WHERE base_value IS NOT NULL');
  const PAGE = 5000;
  for (const s of series) {
    const zone = zones.get(String(s.meter_id)) ?? zoneOf(null);
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const page = await tx.all<Record<string, unknown>>(`SELECT ts, obis, value, unit, base_value, base_unit FROM readings
        WHERE meter_id = ? AND reading_id = ? AND ts > ? AND base_value IS NOT NULL ORDER BY ts LIMIT ${PAGE}`,
      [s.meter_id, s.reading_id, after]);
      if (page.length === 0) break;
      const rows: ReadingRow[] = page.map((r) => ({
        meterId: String(s.meter_id), readingId: String(s.reading_id), ts: Number(r.ts), obis: String(r.obis),
        value: Number(r.value), textValue: null, unit: r.unit === null ? null : String(r.unit),
        baseValue: Number(r.base_value), baseUnit: r.base_unit === null ? null : String(r.base_unit), quality: '', zone,
      }));
      await applyRollups(tx, d, rows, ['15m', '1d', '1mo']);
      after = rows[rows.length - 1].ts;
      if (page.length < PAGE) break;
    }
  }
}

export async function schemaV2(tx: SqlExecutor, d: Dialect, ctx: MigrationContext): Promise<void> {
  await addColumn(tx, d, 'meters', 'timezone', 'VARCHAR(64)');
  await upgradeReadings(tx, d);
  // The old daily rollup counted UTC days: kept under its own name, the local-day table takes its place.
  if (await hasTable(tx, d, 'rollup_1d') && !(await hasColumn(tx, d, 'rollup_1d', 'bucket_time')) && !(await hasTable(tx, d, LEGACY_DAY))) {
    await renameTable(tx, d, 'rollup_1d', LEGACY_DAY);
  }
  for (const t of NEW_ROLLUPS) await tx.run(rollupTable(d, t));
  for (const t of [...KEPT_ROLLUPS, ...NEW_ROLLUPS]) await upgradeRollup(tx, d, t);
  if (await hasTable(tx, d, LEGACY_DAY)) {
    const rows = await tx.all<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${LEGACY_DAY}`);
    if (Number(rows[0].n) === 0) await tx.run(`DROP TABLE ${LEGACY_DAY}`);
    else await upgradeRollup(tx, d, LEGACY_DAY);
  }
  await backfill(tx, d, ctx.zoneOf ?? createZoneResolver());
}
