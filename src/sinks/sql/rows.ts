/**
 * Messages → table rows, without I/O. One history row per reading, keyed by (meter, reading id, time) so a
 * batch the fan-out retries lands on the same keys. Counters (energy, volume) are told apart from measurements
 * by their unit: their rollups carry per-interval deltas, the others min/avg/max.
 */
import type { MeterMessage } from '../../core/model/message.js';

/** Units of cumulative registers: a bucket's value is how much the register advanced. */
export const COUNTER_UNITS: ReadonlySet<string> = new Set([
  'Wh', 'kWh', 'MWh', 'varh', 'kvarh', 'Mvarh', 'VAh', 'kVAh', 'MVAh', 'm3', 'l', 'GJ', 'MJ',
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
  firstSeen: number;
  lastSeen: number;
}

export interface ReadingRow {
  meterId: string;
  ts: number;
  readingId: string;
  obis: string;
  value: number | null;
  textValue: string | null;
  unit: string | null;
  quality: string;
}

export interface BatchRows {
  meters: MeterRow[];
  readings: ReadingRow[];
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

function mergeMeter(into: Map<string, MeterRow>, m: MeterMessage, ts: number): void {
  const id = meterIdOf(m);
  const row = into.get(id);
  const fresh: MeterRow = {
    id,
    systemTitle: cut(m.meter.systemTitle, LIMITS.systemTitle),
    manufacturer: cut(m.meter.manufacturer, LIMITS.manufacturer),
    profile: cut(m.meter.profile, LIMITS.profile),
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

export function toRows(messages: readonly MeterMessage[], receivedAt: (m: MeterMessage) => number): BatchRows {
  const meters = new Map<string, MeterRow>();
  const readings: ReadingRow[] = [];
  for (const m of messages) {
    const ts = messageTime(m, receivedAt);
    mergeMeter(meters, m, ts);
    const meterId = meterIdOf(m);
    for (const r of m.readings) {
      // Non-finite numbers cannot be stored as DOUBLE everywhere: keep them as text.
      const numeric = typeof r.value === 'number' && Number.isFinite(r.value);
      readings.push({
        meterId,
        ts,
        readingId: r.id.slice(0, LIMITS.id),
        obis: r.obis.slice(0, LIMITS.obis),
        value: numeric ? (r.value as number) : null,
        textValue: numeric ? null : String(r.value).slice(0, LIMITS.text),
        unit: cut(r.unit, LIMITS.unit),
        quality: r.quality.join(',').slice(0, LIMITS.quality),
      });
    }
  }
  return { meters: [...meters.values()], readings };
}
