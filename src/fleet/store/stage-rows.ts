/**
 * FleetRows → staged rows: within-batch duplicates removed (a message the broker delivered twice into one batch),
 * the meter's zone checked and its quarter cut, and each row's COPY encoding (binary by default, text kept for
 * comparison).
 */
import type { FleetRow } from '../contracts.js';
import { checkTimeZone } from '../../sinks/sql/local-time.js';
import { FLEET_COLUMNS } from './columns.js';
import { copyNumber, copyText, copyTextArray, NULL } from './copy-text.js';
import { textArraySize, type CopyBinaryWriter } from './copy-binary.js';
import { QUARTER_MS } from './rollup-job.js';

export interface StagedRow {
  row: FleetRow;
  /** The meter's zone as Intl knows it, else the store's default (its rollup days are cut in it). */
  zone: string;
  time: number;
  /** Start of the UTC quarter (every zone's offset is a whole number of quarters, so a local quarter too). */
  b15: number;
}

export interface Bucketer {
  stage(row: FleetRow): StagedRow;
}

/** One per store: memoises checked zones (a batch names the same few thousands of times). */
export function createBucketer(defaultZone: string): Bucketer {
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
  return {
    stage(row) {
      const zone = row.timeZone === undefined ? defaultZone : zoneOrDefault(row.timeZone);
      const time = row.meterTime.getTime();
      return { row, zone, time, b15: Math.floor(time / QUARTER_MS) * QUARTER_MS };
    },
  };
}

/** Key order (meter, time): concurrent COPYs of overlapping keys then wait on each other in one order. */
export function byKey(a: StagedRow, b: StagedRow): number {
  if (a.row.meterId !== b.row.meterId) return a.row.meterId < b.row.meterId ? -1 : 1;
  return a.time - b.time;
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

const EMPTY_JSON = '{}';

function jsonOf(extra: Record<string, unknown>): string {
  let empty = true;
  for (const _k in extra) {
    empty = false;
    break;
  }
  if (empty) return EMPTY_JSON;
  const json = JSON.stringify(extra);
  // jsonb refuses the NUL character; a meter text carrying one keeps a replacement character instead.
  if (!json.includes('\\u0000')) return json;
  return JSON.stringify(extra, (_k, v: unknown) => (typeof v === 'string' ? v.replace(/\0/g, '\uFFFD') : v));
}

const optText = (s: string | undefined): string => (s === undefined ? NULL : copyText(s));

/** The COPY text line of a staged row, in READING_COLUMNS order. */
export function stageLine(s: StagedRow): string {
  const r = s.row;
  let line = `${copyText(r.meterId)}\t${r.meterTime.toISOString()}\t${r.clockFromMeter ? 't' : 'f'}\t${r.receivedAt.toISOString()}\t${optText(r.systemTitle)}\t${r.frameCounter === undefined ? NULL : String(r.frameCounter)}`;
  for (const c of FLEET_COLUMNS) line += `\t${copyNumber(r.columns[c])}`;
  return `${line}\t${copyText(jsonOf(r.extra))}\t${copyTextArray(r.flags)}\n`;
}

const FIELDS = 6 + FLEET_COLUMNS.length + 2;
/** Fixed part of a row's size: field count, the bool, two instants, the counter and every float8 at most. */
const FIXED = 2 + 5 + 12 + 12 + 12 + 12 * FLEET_COLUMNS.length;

/** The staged row in COPY binary format, in READING_COLUMNS order. */
export function stageBinary(w: CopyBinaryWriter, s: StagedRow): void {
  const r = s.row;
  const json = jsonOf(r.extra);
  const title = r.systemTitle;
  w.ensure(FIXED + 4 + 3 * r.meterId.length + 4 + (title === undefined ? 0 : 3 * title.length) + 5 + 3 * json.length + textArraySize(r.flags));
  w.int16(FIELDS);
  w.text(r.meterId);
  w.timestamp(s.time);
  w.bool(r.clockFromMeter);
  w.timestamp(r.receivedAt.getTime());
  if (title === undefined) w.null();
  else w.text(title);
  if (r.frameCounter === undefined) w.null();
  else w.int8(r.frameCounter);
  const cols = r.columns;
  for (let i = 0; i < FLEET_COLUMNS.length; i++) {
    const v = cols[FLEET_COLUMNS[i]];
    if (v === null || v === undefined) w.null();
    else w.float8(v);
  }
  w.jsonb(json);
  w.textArray(r.flags);
}
