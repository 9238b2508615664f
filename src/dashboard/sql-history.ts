/**
 * The HistoryStore over a SQL store of schema v2 (SQLite, PostgreSQL, MySQL/MariaDB), read-only: raw points from
 * `readings`, buckets from rollup_5m/15m/1h/1d/1mo (all values in base units). Series come through the store's
 * own query module (src/sinks/sql/query.ts), so the dashboard and `meterwire export` show the same numbers. The
 * database is opened on the first question, so the web output's factory stays synchronous.
 */
import { parseSqlUrl, querySeries, openSqlStore, type Point, type Resolution as SqlResolution, type SqlDb } from '../sinks/sql/index.js';
import type { HistoryStore, Series, SeriesPoint, StoredMeter } from './history.js';
import type { Resolution } from './resolution.js';

const TO_SQL: Record<Resolution, SqlResolution> = { raw: 'raw', '5min': '5m', '15min': '15m', hour: '1h', day: '1d', month: '1mo' };

export interface SqlHistory extends HistoryStore {
  meters(): Promise<StoredMeter[]>;
  timeZone(meter: string): Promise<string | undefined>;
  close(): Promise<void>;
}

function toPoint(p: Point): SeriesPoint | undefined {
  if (p.kind === 'counter') {
    if (p.last === undefined) return undefined;
    // A bucket whose register went backwards has no delta: the point stays (its value), the energy is unknown.
    return { t: Date.parse(p.ts), value: p.last, min: p.min ?? p.last, max: p.max ?? p.last, ...(p.value === null ? {} : { delta: p.value }) };
  }
  const v = p.kind === 'gauge' ? p.avg : p.value;
  if (v === null || v === undefined || !Number.isFinite(v)) return undefined;
  return { t: Date.parse(p.ts), value: v, min: p.min ?? v, max: p.max ?? v };
}

/** Throws a plain Error saying what is wrong with a store URL (before anything is opened). */
export function checkStoreUrl(url: string): void {
  parseSqlUrl(url);
}

/** `url`: a store URL as the SQL output takes it (`sqlite:./data/meterwire.db`, `postgres://…`, `mysql://…`). */
export function createSqlHistory(url: string): SqlHistory {
  let opening: Promise<SqlDb> | undefined;
  const db = (): Promise<SqlDb> => {
    opening ??= openSqlStore(url).catch((e: unknown) => {
      opening = undefined; // the next question tries again (the database may come back)
      throw e;
    });
    return opening;
  };
  const zones = new Map<string, string | undefined>();

  async function readings(meter: string): Promise<Array<{ id: string; unit: string }>> {
    // Rollups are kept forever (raw history only 90 days by default): the daily one lists every numeric reading.
    const rows = await (await db()).all<{ reading_id: string; base_unit: string | null }>(
      'SELECT DISTINCT reading_id, base_unit FROM rollup_1d WHERE meter_id = ? ORDER BY reading_id', [meter]);
    return rows.map((r) => ({ id: String(r.reading_id), unit: r.base_unit === null ? '' : String(r.base_unit) }));
  }

  return {
    async series(q): Promise<Series> {
      const points = await querySeries(await db(), {
        meter: q.meter, reading: q.reading, from: new Date(q.fromMs), to: new Date(q.toMs), resolution: TO_SQL[q.resolution], baseUnits: true,
      });
      const out: SeriesPoint[] = [];
      let unit = '';
      for (const p of points) {
        const sp = toPoint(p);
        if (!sp) continue;
        out.push(sp);
        unit = p.unit ?? unit;
      }
      if (out.length === 0) unit = (await readings(q.meter)).find((r) => r.id === q.reading)?.unit ?? '';
      return { meter: q.meter, reading: q.reading, unit, resolution: q.resolution, points: out };
    },
    readings,
    async rawIntervalMs(meter) {
      const d = await db();
      const probe = await d.all<{ reading_id: string }>('SELECT reading_id FROM rollup_1d WHERE meter_id = ? ORDER BY bucket DESC LIMIT 1', [meter]);
      if (probe.length === 0) return undefined;
      // The primary key (meter_id, reading_id, ts) makes the latest samples of one series an index range.
      const rows = await d.all<{ ts: unknown }>('SELECT ts FROM readings WHERE meter_id = ? AND reading_id = ? ORDER BY ts DESC LIMIT 11',
        [meter, String(probe[0].reading_id)]);
      const gaps = rows.slice(1).map((r, i) => Number(rows[i].ts) - Number(r.ts)).filter((g) => g > 0).sort((a, b) => a - b);
      return gaps.length === 0 ? undefined : gaps[Math.floor(gaps.length / 2)];
    },
    async meters(): Promise<StoredMeter[]> {
      const rows = await (await db()).all('SELECT id, manufacturer, profile, first_seen, last_seen, timezone FROM meters ORDER BY id');
      return rows.map((r) => {
        const m: StoredMeter = { meter: String(r.id), firstSeen: new Date(Number(r.first_seen)).toISOString(), lastSeen: new Date(Number(r.last_seen)).toISOString() };
        if (r.profile !== null && r.profile !== undefined) m.profile = String(r.profile);
        if (r.manufacturer !== null && r.manufacturer !== undefined) m.manufacturer = String(r.manufacturer);
        if (r.timezone !== null && r.timezone !== undefined) m.timeZone = String(r.timezone);
        zones.set(m.meter, m.timeZone);
        return m;
      });
    },
    async timeZone(meter) {
      if (!zones.has(meter)) {
        const rows = await (await db()).all<{ timezone: string | null }>('SELECT timezone FROM meters WHERE id = ?', [meter]);
        if (rows.length === 0) return undefined;
        zones.set(meter, rows[0].timezone === null ? undefined : String(rows[0].timezone));
      }
      return zones.get(meter);
    },
    async close() {
      const pending = opening;
      opening = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close();
    },
  };
}
