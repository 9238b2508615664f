/**
 * The HistoryStore over a fleet store (docs/fleet-schema.md), read-only, so `meterwire dashboard --store
 * 'postgres://…?schema=meterwire_fleet'` browses any meter of a fleet. Everything comes from the wide `readings`
 * rows, bucketed at the boundaries the dashboard itself cuts (src/dashboard/local-time.ts, in the meter's zone
 * from the registry), so there is no time-zone arithmetic in SQL and a day is 23 or 25 hours where it should be:
 *
 * - counters (Wh, varh, m3): per bucket, the first and the last row with a value, two index probes on the primary
 *   key (meter_id, meter_time) — a year by month is 24 probes, whatever the push interval. The delta is the last
 *   value minus the previous bucket's last (minus the bucket's own first where there is none), as in the SQL
 *   store's rollups; a register that went back gives no delta.
 * - measurements (W, V, A, Hz…): mean, min and max of the rows in each bucket (one index range per bucket), and
 *   raw rows for short ranges. A long range of a measurement reads every row in it (the fleet's quarter-hour
 *   rollups keep no minimum); the History view asks measurements for a day.
 *
 * Reading ids are the fleet's column names (src/fleet/store/columns.ts); readings kept in `extra` are not
 * charted. The dashboard only reads, so it may meet a store older than itself (schema version 2 has no
 * gas_volume / water_volume yet): it asks for the columns the store's `readings` has, looked up again after a
 * minute so a store upgraded meanwhile shows its new columns.
 */
import type pg from 'pg';
import { FLEET_COLUMNS, isFleetColumn } from '../fleet/store/columns.js';
import { isCounterUnit, type HistoryStore, type Series, type SeriesPoint, type StoredMeter } from './history.js';
import { bucketStart, nextBucket } from './local-time.js';

/** Meters /api/meters lists at most (a fleet may hold 100,000; any other one opens with ?meter=ID). */
export const FLEET_METERS_LISTED = 1000;

/** The base unit of each fleet column (the store writes them in base units). */
export function fleetColumnUnit(column: string): string {
  if (column.startsWith('reactive_energy_')) return 'varh';
  if (column.startsWith('energy_')) return 'Wh';
  if (column.startsWith('reactive_power_')) return 'var';
  if (column.startsWith('power_factor')) return '';
  if (column.startsWith('power_')) return 'W';
  if (column.startsWith('voltage_')) return 'V';
  if (column.startsWith('current_')) return 'A';
  if (column === 'frequency') return 'Hz';
  // gas_volume, water_volume; mbus1_reading held gas volumes before schema version 3
  if (column.endsWith('_volume') || column === 'mbus1_reading') return 'm3';
  return '';
}

export interface FleetHistoryOptions {
  pool: pg.Pool;
  schema: string;
  /** Zone of meters the registry does not list. */
  defaultTimeZone: string;
  /** Ends the pool on close() (default true). */
  ownsPool?: boolean;
}

const round = (x: number): number => Number(x.toPrecision(12));

/** How long the list of the store's columns is trusted before it is read again. */
const COLUMNS_TTL_MS = 60_000;

export function createFleetHistory(o: FleetHistoryOptions): HistoryStore & { meters(): Promise<StoredMeter[]>; timeZone(meter: string): Promise<string | undefined> } {
  const s = `"${o.schema}"`;
  const zones = new Map<string, string>();
  let registry: Promise<boolean> | undefined;
  const hasRegistry = (): Promise<boolean> => {
    registry ??= o.pool.query<{ r: string | null }>('SELECT to_regclass($1) AS r', [`${s}.meters`]).then((r) => r.rows[0].r !== null,
      (e: unknown) => { registry = undefined; throw e; });
    return registry;
  };

  let present: { at: number; columns: Promise<ReadonlySet<string>> } | undefined;
  /** The fleet columns the store's `readings` has (all of them once it is at the current schema version). */
  const presentColumns = (): Promise<ReadonlySet<string>> => {
    const at = Date.now();
    if (present === undefined || at - present.at > COLUMNS_TTL_MS) {
      const columns = o.pool.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = 'readings'`, [o.schema]).then((r) => new Set(r.rows.map((x) => x.c).filter(isFleetColumn)),
        (e: unknown) => { present = undefined; throw e; });
      present = { at, columns };
    }
    return present.columns;
  };

  async function zoneOf(meter: string): Promise<string> {
    const known = zones.get(meter);
    if (known !== undefined) return known;
    let zone: string | undefined;
    if (await hasRegistry()) {
      zone = (await o.pool.query<{ z: string }>(`SELECT time_zone AS z FROM ${s}.meters WHERE meter_id = $1`, [meter])).rows[0]?.z;
    }
    zone ??= (await o.pool.query<{ z: string }>(`SELECT time_zone AS z FROM ${s}.rollup_15m WHERE meter_id = $1 ORDER BY bucket_start DESC LIMIT 1`, [meter])).rows[0]?.z;
    zone ??= o.defaultTimeZone;
    zones.set(meter, zone);
    return zone;
  }

  /** Bucket starts and ends covering [fromMs, toMs) at the resolution, in the meter's zone. */
  function boundaries(fromMs: number, toMs: number, resolution: Exclude<Series['resolution'], 'raw'>, zone: string): { starts: Date[]; ends: Date[] } {
    const starts: Date[] = [];
    const ends: Date[] = [];
    for (let t = bucketStart(fromMs, resolution, zone); t < toMs; ) {
      const next = nextBucket(t, resolution, zone);
      starts.push(new Date(t));
      ends.push(new Date(next));
      t = next;
    }
    return { starts, ends };
  }

  async function counterPoints(meter: string, col: string, fromMs: number, toMs: number, resolution: Exclude<Series['resolution'], 'raw'>): Promise<SeriesPoint[]> {
    const { starts, ends } = boundaries(fromMs, toMs, resolution, await zoneOf(meter));
    if (starts.length === 0) return [];
    const probe = (order: 'ASC' | 'DESC') => `LEFT JOIN LATERAL (SELECT ${col} AS v FROM ${s}.readings r WHERE r.meter_id = $1
      AND r.meter_time >= b.s AND r.meter_time < b.e AND ${col} IS NOT NULL ORDER BY r.meter_time ${order} LIMIT 1)`;
    const rows = (await o.pool.query<{ s: Date; first: number | null; last: number | null }>(
      `SELECT b.s, f.v AS first, l.v AS last FROM unnest($2::timestamptz[], $3::timestamptz[]) AS b(s, e)
       ${probe('ASC')} f ON true ${probe('DESC')} l ON true ORDER BY b.s`, [meter, starts, ends])).rows;
    const before = (await o.pool.query<{ v: number }>(`SELECT ${col} AS v FROM ${s}.readings WHERE meter_id = $1 AND meter_time < $2
      AND ${col} IS NOT NULL ORDER BY meter_time DESC LIMIT 1`, [meter, starts[0]])).rows[0];
    let previous: number | undefined = before === undefined ? undefined : Number(before.v);
    const out: SeriesPoint[] = [];
    for (const r of rows) {
      if (r.first === null || r.last === null) continue;
      const first = Number(r.first);
      const last = Number(r.last);
      const diff = round(last - (previous ?? first));
      // A register that went back (meter reset or replaced) in or before the bucket: its energy is unknown.
      const point: SeriesPoint = { t: r.s.getTime(), value: last, min: first, max: last };
      if (diff >= 0 && last >= first) point.delta = diff;
      out.push(point);
      previous = last;
    }
    return out;
  }

  async function measurementPoints(meter: string, col: string, fromMs: number, toMs: number, resolution: Exclude<Series['resolution'], 'raw'>): Promise<SeriesPoint[]> {
    const { starts, ends } = boundaries(fromMs, toMs, resolution, await zoneOf(meter));
    if (starts.length === 0) return [];
    const rows = (await o.pool.query<{ s: Date; avg: number; min: number; max: number }>(
      `SELECT b.s, avg(r.v) AS avg, min(r.v) AS min, max(r.v) AS max FROM unnest($2::timestamptz[], $3::timestamptz[]) AS b(s, e)
       JOIN LATERAL (SELECT ${col} AS v FROM ${s}.readings x WHERE x.meter_id = $1 AND x.meter_time >= b.s AND x.meter_time < b.e
         AND ${col} IS NOT NULL) r ON true GROUP BY b.s ORDER BY b.s`, [meter, starts, ends])).rows;
    return rows.map((r) => ({ t: r.s.getTime(), value: round(Number(r.avg)), min: Number(r.min), max: Number(r.max) }));
  }

  async function rawPoints(meter: string, col: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    const rows = (await o.pool.query<{ t: Date; v: number }>(`SELECT meter_time AS t, ${col} AS v FROM ${s}.readings
      WHERE meter_id = $1 AND meter_time >= $2 AND meter_time < $3 AND ${col} IS NOT NULL ORDER BY meter_time`,
    [meter, new Date(fromMs), new Date(toMs)])).rows;
    return rows.map((r) => ({ t: r.t.getTime(), value: Number(r.v), min: Number(r.v), max: Number(r.v) }));
  }

  return {
    async series(q): Promise<Series> {
      const unit = isFleetColumn(q.reading) ? fleetColumnUnit(q.reading) : '';
      const empty: Series = { meter: q.meter, reading: q.reading, unit, resolution: q.resolution, points: [] };
      // Only a known column name ever reaches the SQL text.
      if (!isFleetColumn(q.reading) || q.toMs <= q.fromMs) return empty;
      if (!(await presentColumns()).has(q.reading)) return empty; // a column of a newer schema version
      const col = q.reading;
      const points = q.resolution === 'raw' ? await rawPoints(q.meter, col, q.fromMs, q.toMs)
        : isCounterUnit(unit) ? await counterPoints(q.meter, col, q.fromMs, q.toMs, q.resolution)
          : await measurementPoints(q.meter, col, q.fromMs, q.toMs, q.resolution);
      return { ...empty, points };
    },
    async readings(meter) {
      // The columns the meter's newest row fills (a meter's profile sends the same readings in every frame).
      const have = await presentColumns();
      const columns = FLEET_COLUMNS.filter((c) => have.has(c));
      if (columns.length === 0) return [];
      const row = (await o.pool.query<Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${s}.readings
        WHERE meter_id = $1 ORDER BY meter_time DESC LIMIT 1`, [meter])).rows[0];
      if (row === undefined) return [];
      return columns.filter((c) => row[c] !== null && row[c] !== undefined).sort().map((id) => ({ id, unit: fleetColumnUnit(id) }));
    },
    async rawIntervalMs(meter) {
      const rows = (await o.pool.query<{ t: Date }>(`SELECT meter_time AS t FROM ${s}.readings WHERE meter_id = $1 ORDER BY meter_time DESC LIMIT 11`, [meter])).rows;
      const gaps = rows.slice(1).map((r, i) => rows[i].t.getTime() - r.t.getTime()).filter((g) => g > 0).sort((a, b) => a - b);
      return gaps.length === 0 ? undefined : gaps[Math.floor(gaps.length / 2)];
    },
    async meters() {
      const rows = await hasRegistry()
        ? (await o.pool.query<{ meter_id: string; profile: string | null; time_zone: string }>(
          `SELECT meter_id, profile, time_zone FROM ${s}.meters ORDER BY meter_id LIMIT ${FLEET_METERS_LISTED}`)).rows
        : (await o.pool.query<{ meter_id: string; profile: null; time_zone: string }>(
          `SELECT DISTINCT ON (meter_id) meter_id, NULL AS profile, time_zone FROM ${s}.rollup_15m ORDER BY meter_id, bucket_start DESC LIMIT ${FLEET_METERS_LISTED}`)).rows;
      return rows.map((r) => {
        zones.set(r.meter_id, r.time_zone);
        return { meter: r.meter_id, timeZone: r.time_zone, ...(r.profile === null ? {} : { profile: r.profile }) };
      });
    },
    timeZone: zoneOf,
    async close() {
      if (o.ownsPool !== false) await o.pool.end();
    },
  };
}
