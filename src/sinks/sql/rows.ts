/**
 * Messages → table rows, without I/O. One history row per numeric reading, keyed by (meter, reading id, time) so
 * a batch the fan-out retries lands on the same keys; text readings (meter number, equipment id, firmware …) go to
 * meter_texts, stored when they change. Values are rounded to 15 significant digits and carried twice: as the
 * meter sent them and in the quantity's base unit. Counters (energy, volume) are told apart from measurements by
 * their unit: their rollups carry per-interval deltas, the others min/avg/max.
 */
import type { MeterMessage } from '../../core/model/message.js';
import { toBaseUnit } from '../../core/model/base-units.js';
import { round15js } from './dialect.js';

/** Units of cumulative registers: a bucket's value is how much the register advanced. */
export const COUNTER_UNITS: ReadonlySet<string> = new Set([
  'Wh', 'kWh', 'MWh', 'GWh', 'varh', 'kvarh', 'Mvarh', 'VAh', 'kVAh', 'MVAh', 'm3', 'm³', 'l', 'L', 'dm3', 'J', 'kJ', 'GJ', 'MJ',
]);

export type ReadingKind = 'counter' | 'gauge';

export function kindOfUnit(unit: string | undefined): ReadingKind {
  return unit !== undefined && COUNTER_UNITS.has(unit) ? 'counter' : 'gauge';
}

export interface MeterRow {
  id: string;
  systemTitle: string | null;
  manufacturer: string | null;
  profile: string | null;
  timezone: string;
  firstSeen: number;
  lastSeen: number;
}

export interface ReadingRow {
  meterId: string;
  ts: number;
  readingId: string;
  obis: string;
  /** As the meter sent it (rounded to 15 significant digits); null only for a non-finite number (see textValue). */
  value: number | null;
  textValue: string | null;
  unit: string | null;
  baseValue: number | null;
  baseUnit: string | null;
  quality: string;
  /** The meter's zone, for local hour/day/month buckets. */
  zone: string;
}

export interface TextRow {
  meterId: string;
  ts: number;
  readingId: string;
  obis: string;
  text: string;
  quality: string;
}

export interface BatchRows {
  meters: MeterRow[];
  readings: ReadingRow[];
  texts: TextRow[];
}

/** Column sizes of the schema; longer text is cut rather than rejected (a reading is worth more than its tail). */
const LIMITS = { id: 64, obis: 32, unit: 16, quality: 128, systemTitle: 32, manufacturer: 16, profile: 64, text: 4000 };

function cut(s: string | undefined, max: number): string | null {
  return s === undefined ? null : s.slice(0, max);
}

/** The meter's key: its id, else its system title (DLMS meters that send no id), else "unknown". */
export function meterIdOf(m: MeterMessage): string {
  return (m.meter.id || m.meter.systemTitle || 'unknown').slice(0, LIMITS.id);
}

/** The message time in ms: the meter's own timestamp, else `receivedAt(m)`. */
export function messageTime(m: MeterMessage, receivedAt: (m: MeterMessage) => number): number {
  const t = m.timestamp === undefined ? Number.NaN : Date.parse(m.timestamp);
  return Number.isFinite(t) ? t : receivedAt(m);
}

function mergeMeter(into: Map<string, MeterRow>, m: MeterMessage, ts: number, zone: string): void {
  const id = meterIdOf(m);
  const row = into.get(id);
  const fresh: MeterRow = {
    id,
    systemTitle: cut(m.meter.systemTitle, LIMITS.systemTitle),
    manufacturer: cut(m.meter.manufacturer, LIMITS.manufacturer),
    profile: cut(m.meter.profile, LIMITS.profile),
    timezone: zone,
    firstSeen: ts,
    lastSeen: ts,
  };
  if (!row) {
    into.set(id, fresh);
    return;
  }
  row.firstSeen = Math.min(row.firstSeen, ts);
  row.lastSeen = Math.max(row.lastSeen, ts);
  row.systemTitle = fresh.systemTitle ?? row.systemTitle;
  row.manufacturer = fresh.manufacturer ?? row.manufacturer;
  row.profile = fresh.profile ?? row.profile;
}

export function toRows(messages: readonly MeterMessage[], receivedAt: (m: MeterMessage) => number, zoneOf: (m: MeterMessage) => string): BatchRows {
  const meters = new Map<string, MeterRow>();
  const readings: ReadingRow[] = [];
  const texts: TextRow[] = [];
  for (const m of messages) {
    const ts = messageTime(m, receivedAt);
    const zone = zoneOf(m);
    mergeMeter(meters, m, ts, zone);
    const meterId = meterIdOf(m);
    for (const r of m.readings) {
      const readingId = r.id.slice(0, LIMITS.id);
      const obis = r.obis.slice(0, LIMITS.obis);
      const quality = r.quality.join(',').slice(0, LIMITS.quality);
      if (typeof r.value === 'string') {
        texts.push({ meterId, ts, readingId, obis, text: r.value.slice(0, LIMITS.text), quality });
        continue;
      }
      // Non-finite numbers cannot be stored as DOUBLE everywhere: kept as text in the history row.
      const finite = Number.isFinite(r.value);
      const value = finite ? round15js(r.value) : null;
      const base = value === null ? null : toBaseUnit(value, r.unit);
      readings.push({
        meterId, ts, readingId, obis, value, textValue: finite ? null : String(r.value), unit: cut(r.unit, LIMITS.unit),
        baseValue: base ? base.value : null, baseUnit: base ? cut(base.unit, LIMITS.unit) : null, quality, zone,
      });
    }
  }
  return { meters: [...meters.values()], readings, texts };
}
