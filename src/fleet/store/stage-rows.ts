/**
 * FleetRows → staged rows: within-batch duplicates removed (a message the broker delivered twice into one batch),
 * rollup buckets cut in the meter's zone, and the COPY text line of each row.
 */
import type { FleetRow } from '../contracts.js';
import { checkTimeZone, createCalendar, localSpan } from '../../sinks/sql/local-time.js';
import { FLEET_COLUMNS } from './columns.js';
import { copyNumber, copyText, copyTextArray, NULL } from './copy-text.js';
import { writeBinaryRow, type BinaryRows, type FieldValue } from './copy-binary.js';
import { STAGE_TYPES } from './staging.js';

export interface StagedRow {
  row: FleetRow;
  zone: string;
  time: number;
  b15: number;
  b1h: number;
  b1d: number;
  b1dEnd: number;
}

const QUARTER = 900_000;

export interface Bucketer {
  stage(row: FleetRow): StagedRow;
}

/** One per store: memoises the local day per zone (a batch asks for the same few days thousands of times). */
export function createBucketer(defaultZone: string): Bucketer {
  const calendar = createCalendar();
  // A zone Intl does not know only moves the row's local buckets (to the default zone); the reading is kept.
  const known = new Map<string, string>();
  const zoneOrDefault = (zone: string): string => {
    let z = known.get(zone);
    if (z === undefined) {
      try {
        z = checkTimeZone(zone);
      } catch {
        z = defaultZone;
      }
      if (known.size < 1000) known.set(zone, z);
    }
    return z;
  };
  const dayEnds = new Map<string, number>();
  return {
    stage(row) {
      const zone = row.timeZone === undefined ? defaultZone : zoneOrDefault(row.timeZone);
      const time = row.meterTime.getTime();
      const b1d = calendar(zone, 'day', time);
      const dayKey = `${zone}\u0000${b1d}`;
      let b1dEnd = dayEnds.get(dayKey);
      if (b1dEnd === undefined) {
        b1dEnd = localSpan(zone, 'day', time).end;
        if (dayEnds.size > 10_000) dayEnds.clear();
        dayEnds.set(dayKey, b1dEnd);
      }
      // Quarters are cut in UTC: every zone's offset is a whole number of quarters, so they are local quarters too.
      return { row, zone, time, b15: Math.floor(time / QUARTER) * QUARTER, b1h: calendar(zone, 'hour', time), b1d, b1dEnd };
    },
  };
}

export interface Deduplicated {
  unique: FleetRow[];
  /** Rows that repeat an earlier row of the same batch (same meter and time, or same system title and counter). */
  repeats: number;
}

export function dedupeBatch(rows: readonly FleetRow[]): Deduplicated {
  const byTime = new Set<string>();
  const byCounter = new Set<string>();
  const unique: FleetRow[] = [];
  for (const r of rows) {
    const t = `${r.meterId}\u0000${r.meterTime.getTime()}`;
    const c = r.systemTitle !== undefined && r.frameCounter !== undefined ? `${r.systemTitle}\u0000${r.frameCounter}` : undefined;
    if (byTime.has(t) || (c !== undefined && byCounter.has(c))) continue;
    byTime.add(t);
    if (c !== undefined) byCounter.add(c);
    unique.push(r);
  }
  return { unique, repeats: rows.length - unique.length };
}

function jsonOf(extra: Record<string, unknown>): string {
  const json = JSON.stringify(extra);
  // jsonb refuses the NUL character; a meter text carrying one keeps a replacement character instead.
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(extra, (_k, v: unknown) => (typeof v === 'string' ? v.replace(/\0/g, '\uFFFD') : v));
}

const jsonText = (extra: Record<string, unknown>): string => copyText(jsonOf(extra));

const optText = (s: string | undefined): string => (s === undefined ? NULL : copyText(s));

/** The COPY text line of a staged row, in STAGE_COLUMNS order. */
export function stageLine(s: StagedRow): string {
  const r = s.row;
  let line = `${copyText(r.meterId)}\t${s.time}\t${r.clockFromMeter ? 't' : 'f'}\t${r.receivedAt.getTime()}\t${optText(r.systemTitle)}\t${r.frameCounter === undefined ? NULL : String(r.frameCounter)}`;
  for (const c of FLEET_COLUMNS) line += `\t${copyNumber(r.columns[c])}`;
  return `${line}\t${jsonText(r.extra)}\t${copyTextArray(r.flags)}\t${copyText(s.zone)}\t${s.b15}\t${s.b1h}\t${s.b1d}\t${s.b1dEnd}\n`;
}

/** The staged row in COPY binary format, in STAGE_COLUMNS order. */
export function stageBinary(w: BinaryRows, s: StagedRow): void {
  const r = s.row;
  const values: FieldValue[] = [r.meterId, s.time, r.clockFromMeter, r.receivedAt.getTime(), r.systemTitle, r.frameCounter];
  for (const c of FLEET_COLUMNS) values.push(r.columns[c]);
  values.push(jsonOf(r.extra), r.flags, s.zone, s.b15, s.b1h, s.b1d, s.b1dEnd);
  writeBinaryRow(w, STAGE_TYPES, values);
}
