/**
 * Turns one DSMR P1 data object `A-B:C.D.E(…)(…)` into readings (DSMR 5.0.2 §6.4–6.12, DSMR 2.2 §5 for the
 * legacy M-Bus line, Fluvius e-MUCS-H §7 for the monthly maximum-demand buffer). Positions, not substrings:
 * the caller passes the value groups as [start, end) pairs into the telegram text.
 */
import { normaliseObis } from '../obis/obis.js';
import { isMeterError } from '../errors.js';
import type { MessageIssue, RawReading } from '../model/message.js';
import { dsmrCodeInfo } from './dsmr-codes.js';
import { mbusRole, type MbusChannelEntry } from './mbus-channels.js';
import { decodeHexText, parseDsmrNumber } from './value-text.js';
import { looksLikeDsmrTimestamp, parseDsmrTimestamp } from './timestamp.js';

/** What the line parser fills; `version`, `timestamp` and `equipmentId` come from well-known objects. */
export interface LineTarget {
  version?: string;
  timestamp?: string;
  equipmentId?: string;
  readings: RawReading[];
  issues: MessageIssue[];
}

/** One data object: its code (groups A..E in code[0..4]) and value groups as [start, end) pairs. */
export interface DsmrLine {
  /** The telegram as text (for slicing values) and as bytes (for scanning); offsets are the same in both. */
  text: string;
  bytes: Uint8Array;
  obis: string;
  code: Uint8Array;
  /** groups[0 .. size) hold the pairs; the array is reused from line to line. */
  groups: number[];
  size: number;
}

const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

function issue(out: LineTarget, code: string, message: string): void {
  out.issues.push({ code, message });
}

function invalidTimestamp(out: LineTarget, line: DsmrLine, s: number, e: number): void {
  issue(out, 'INVALID_TIMESTAMP', `${line.obis}: time stamp ${JSON.stringify(line.text.slice(s, e))} is not a valid time`);
}

/** `(number*unit)` / `(number)` / `(text*unit)`; undefined for an empty value. */
function numericReading(line: DsmrLine, obis: string, s: number, e: number): RawReading | undefined {
  if (s >= e) return undefined;
  const b = line.bytes;
  // Fast path, one pass: unsigned digits with an optional '.', ending at '*' or at the end of the value.
  let i = s, mantissa = 0, fraction = -1;
  for (; i < e; i++) {
    const d = b[i] - 48;
    if (d >= 0 && d <= 9) { mantissa = mantissa * 10 + d; if (fraction >= 0) fraction++; }
    else if (d === -2 /* . */ && fraction < 0) fraction = 0;
    else break;
  }
  let star = i, value: number | string;
  const chars = i - s;
  if ((i === e || b[i] === 42) && chars > (fraction >= 0 ? 1 : 0) && chars <= 15) {
    value = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
  } else {
    while (star < e && b[star] !== 42 /* * */) star++;
    const n = parseDsmrNumber(b, s, star);
    value = Number.isNaN(n) ? line.text.slice(s, star) : n;
  }
  return star < e ? { obis, value, unit: line.text.slice(star + 1, e) } : { obis, value };
}

/** Attaches the time stamp in text[s, e) to a reading, or flags it when the meter sent a placeholder. */
function stamp(out: LineTarget, line: DsmrLine, r: RawReading, s: number, e: number): void {
  const ts = parseDsmrTimestamp(line.bytes, s, e);
  if (ts !== undefined) r.timestamp = ts;
  else {
    r.quality = ['invalid_timestamp'];
    invalidTimestamp(out, line, s, e);
  }
}

function textValue(line: DsmrLine, hex: boolean): string {
  const g = line.groups;
  let raw = line.text.slice(g[0], g[1]);
  for (let i = 2; i < line.size; i += 2) raw += line.text.slice(g[i], g[i + 1]); // message split over groups
  return hex ? decodeHexText(raw) ?? raw : raw;
}

function emitTimestamp(out: LineTarget, line: DsmrLine): RawReading {
  const s = line.groups[0], e = line.groups[1];
  const ts = parseDsmrTimestamp(line.bytes, s, e);
  if (ts !== undefined) {
    out.timestamp = ts;
    return { obis: line.obis, value: ts };
  }
  invalidTimestamp(out, line, s, e);
  return { obis: line.obis, value: line.text.slice(s, e), quality: ['invalid_timestamp'] };
}

/** 1-0:99.97.0(n)(0-0:96.7.19)(ts)(duration*s)…: the count, stamped with the latest valid event. */
function emitEventLog(out: LineTarget, line: DsmrLine): RawReading | undefined {
  const g = line.groups;
  const r = numericReading(line, line.obis, g[0], g[1]);
  if (r === undefined) return undefined;
  let latest: string | undefined;
  let invalid = 0;
  for (let i = 4; i + 1 < line.size; i += 4) {
    const ts = parseDsmrTimestamp(line.bytes, g[i], g[i + 1]);
    if (ts === undefined) invalid++;
    else if (latest === undefined || ts > latest) latest = ts;
  }
  if (latest !== undefined) r.timestamp = latest;
  if (invalid > 0) issue(out, 'INVALID_TIMESTAMP', `${line.obis}: ${invalid} event time stamp(s) are not valid times`);
  return r;
}

function isObisText(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] === 58 /* : */) return true;
  return false;
}

/** 0-0:98.1.0(n)(1-0:1.6.0)(1-0:1.6.0)(period ts)(max ts)(value*kW)…: one reading per month. */
function emitMonthlyHistory(out: LineTarget, line: DsmrLine): void {
  const g = line.groups, b = line.bytes;
  const months = parseDsmrNumber(b, g[0], g[1]);
  let columns = 0;
  while (2 + 2 * columns < line.size && isObisText(b, g[2 + 2 * columns], g[3 + 2 * columns])) columns++;
  const rest = line.size / 2 - 1 - columns;
  if (!(months > 0)) return;
  const size = rest / months;
  if (!Number.isInteger(size) || size < 2) {
    issue(out, 'UNPARSEABLE_LINE', `${line.obis}: ${months} month(s) announced but ${rest} value(s) follow`);
    return;
  }
  for (let m = 0; m < months; m++) {
    const v = 2 * (1 + columns + m * size + size - 1);
    const r = numericReading(line, line.obis, g[v], g[v + 1]);
    if (r === undefined) continue;
    r.id = `max_demand_month_${m + 1}`;
    stamp(out, line, r, g[v - 2], g[v - 1]);
    out.readings.push(r);
  }
}

/** DSMR 2.2/3.0 `0-n:24.3.0(ts)(status)(period)(count)(0-n:24.2.1)(unit)` + `(value)` on the next line. */
function emitLegacyMbus(out: LineTarget, line: DsmrLine): RawReading | undefined {
  const g = line.groups, text = line.text;
  if (line.size < 14) {
    issue(out, 'UNPARSEABLE_LINE', `${line.obis}: M-Bus value line without the value (continuation line missing)`);
    return undefined;
  }
  let obis = line.obis;
  try {
    obis = normaliseObis(text.slice(g[8], g[9]));
  } catch (e) {
    if (!isMeterError(e)) throw e;
  }
  const r = numericReading(line, obis, g[12], g[13]);
  if (r === undefined) return undefined;
  if (g[11] > g[10] && r.unit === undefined) r.unit = text.slice(g[10], g[11]);
  stamp(out, line, r, g[0], g[1]);
  return r;
}

/** Plain objects: one value, or (ts)(value) as M-Bus channels and Belgian max demand send. */
function emitGeneric(out: LineTarget, line: DsmrLine): RawReading | undefined {
  const g = line.groups, last = line.size - 2;
  const r = numericReading(line, line.obis, g[last], g[last + 1]);
  if (r !== undefined && last > 0 && looksLikeDsmrTimestamp(line.bytes, g[0], g[1])) stamp(out, line, r, g[0], g[1]);
  return r;
}

function emitByKind(out: LineTarget, line: DsmrLine): RawReading | undefined {
  const c = line.code;
  const info = dsmrCodeInfo(c[0], c[1], c[2], c[3], c[4]);
  if (info === undefined) return emitGeneric(out, line);
  switch (info.kind) {
    case 'timestamp': return emitTimestamp(out, line);
    case 'event-log': return emitEventLog(out, line);
    case 'legacy-mbus': return emitLegacyMbus(out, line);
    case 'monthly-history': emitMonthlyHistory(out, line); return undefined;
    default: {
      const value = textValue(line, info.kind === 'hex-text');
      if (info.field === 'version') out.version = value;
      else if (info.field === 'equipmentId' && value !== '') out.equipmentId = value;
      return { obis: line.obis, value };
    }
  }
}

/** Emits the readings of one data object into `out`, noting M-Bus channel objects for id assignment. */
export function emitDsmrLine(out: LineTarget, line: DsmrLine, channels: MbusChannelEntry[]): void {
  const r = emitByKind(out, line);
  if (r === undefined) return;
  out.readings.push(r);
  const c = line.code;
  if (c[0] !== 0 || c[1] === 0) return;
  // The legacy 24.3.0 line reports its value under the code it names (24.2.1): still the channel's value.
  const role = r.obis === line.obis ? mbusRole(c[2], c[3], c[4]) : 'value';
  if (role !== undefined) channels.push({ channel: c[1], role, reading: r });
}
