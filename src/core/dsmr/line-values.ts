/**
 * Turns one DSMR P1 data object `A-B:C.D.E(…)(…)` into readings (DSMR 5.0.2 §6.4–6.12, DSMR 2.2 §5 for the
 * legacy M-Bus line, Fluvius e-MUCS-H §7 for the monthly maximum-demand buffer). Positions, not substrings:
 * the caller passes the value groups as [start, end) pairs into the telegram text.
 */
import { normaliseObis } from '../obis/obis.js';
import { isMeterError } from '../errors.js';
import type { MessageIssue, QualityFlag, RawReading } from '../model/message.js';
import { CACHE_LIMITS, makeReading, obisCodeOfText, rememberSpan, rememberText, type ObisCode, type ReadingFactory, type TextSpan } from '../model/reading-factory.js';
import { dsmrCodeInfo } from './dsmr-codes.js';
import { checkValue, describeVerdict } from '../model/value-check.js';
import { mbusRole, type MbusChannelEntry, type MbusRole } from './mbus-channels.js';
import { charsOf, decodeHexText, parseDsmrNumber } from './value-text.js';
import { looksLikeDsmrTimestamp, parseDsmrTimestamp } from './timestamp.js';

/** What the line parser fills; `version`, `timestamp` and `equipmentId` come from well-known objects. */
export interface LineTarget {
  version?: string;
  timestamp?: string;
  equipmentId?: string;
  readings: RawReading[];
  issues: MessageIssue[];
}

/** One data object: its code (groups A..F in code[0..5]) and value groups as [start, end) pairs. */
export interface DsmrLine {
  /** The telegram bytes; `text` only when the input was a string (its chars are the values' text then). */
  bytes: Uint8Array;
  text: string | undefined;
  factory: ReadingFactory;
  /** The interned code of the current object. */
  obis: ObisCode;
  code: Uint8Array;
  /** groups[0 .. size) hold the pairs; the array is reused from line to line. */
  groups: number[];
  size: number;
  /** Scratch results of readNumeric, reused from value to value. */
  value: number | string;
  unit: string | undefined;
  /** The M-Bus channel role emitDsmrLine found for the last object. */
  role: MbusRole | undefined;
}

// windows-1252 is what 'latin1' means here; it is still one char per byte, so offsets match the bytes.
const latin1 = new TextDecoder('latin1');
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);
const INVALID_TIMESTAMP: readonly QualityFlag[] = ['invalid_timestamp'];
const IMPLAUSIBLE: readonly QualityFlag[] = ['implausible'];
const NO_BYTES = new Uint8Array(0);

/** Units and short codes (`kWh`, `V`, `0002`) repeat in every telegram: interned per decoder. */
function shortText(line: DsmrLine, s: number, e: number): string {
  const b = line.bytes;
  let key = 1; // a leading 1 keeps lengths apart; 4 chars of 7 bits stay a small integer
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c >= 0x80) return latin1.decode(b.subarray(s, e));
    key = key * 128 + c;
  }
  const texts = line.factory.texts;
  let t = texts.get(key);
  if (t === undefined) {
    t = charsOf(b, s, e);
    rememberText(line.factory, key, t);
  }
  return t;
}

/** Text of bytes[s, e) decoded afresh (ASCII char by char, anything else as latin1). */
function decodeText(b: Uint8Array, s: number, e: number): string {
  if (e - s <= 8) {
    let t = '';
    for (let i = s; i < e; i++) {
      const c = b[i];
      if (c >= 0x80) return latin1.decode(b.subarray(s, e));
      t += String.fromCharCode(c);
    }
    return t;
  }
  for (let i = s; i < e; i++) if (b[i] >= 0x80) return latin1.decode(b.subarray(s, e));
  return charsOf(b, s, e);
}

function sameBytes(a: Uint8Array, b: Uint8Array, s: number, e: number): boolean {
  if (a.length !== e - s) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[s + i]) return false;
  return true;
}

/**
 * The header and the hex ids stand at the same offsets with the same bytes in every telegram of a meter:
 * comparing ~30 bytes with the previous telegram's is far cheaper than building (and hex-decoding) the string.
 */
function spanOf(line: DsmrLine, s: number, e: number): TextSpan {
  const spans = line.factory.spans, b = line.bytes;
  let span = spans.get(s);
  if (span === undefined || !sameBytes(span.bytes, b, s, e)) {
    const long = e - s > CACHE_LIMITS.spanLength; // not kept: no copy
    span = { bytes: long ? NO_BYTES : b.slice(s, e), text: decodeText(b, s, e), decoded: undefined };
    if (!long) rememberSpan(line.factory, s, span);
  }
  return span;
}

/**
 * Text of bytes[s, e). Only the few text values, units and the header are needed as strings, so the telegram is
 * not decoded as a whole; short texts and longer ones are remembered per decoder.
 */
export function textOf(line: DsmrLine, s: number, e: number): string {
  if (line.text !== undefined) return line.text.slice(s, e);
  if (e - s <= 4) return shortText(line, s, e);
  if (e - s <= 8) return decodeText(line.bytes, s, e);
  return spanOf(line, s, e).text;
}

/** Issues one telegram may list; a stream of junk lines must not build an unbounded list. */
export const MAX_ISSUES = 32;

/** Adds an issue, up to MAX_ISSUES, then one saying that more were left out. */
export function issue(out: LineTarget, code: string, message: string): void {
  const n = out.issues.length;
  if (n < MAX_ISSUES) out.issues.push({ code, message });
  else if (n === MAX_ISSUES) out.issues.push({ code: 'TOO_MANY_ISSUES', message: `more than ${MAX_ISSUES} issues: the rest are not listed` });
}

function invalidTimestamp(out: LineTarget, line: DsmrLine, s: number, e: number): void {
  issue(out, 'INVALID_TIMESTAMP', `${line.obis.obis}: time stamp ${JSON.stringify(textOf(line, s, e))} is not a valid time`);
}

/**
 * Adds one reading. A value its code's quantity cannot be is an issue: text in a numeric register is not
 * delivered (the line was misread or corrupted), an out-of-range number is flagged `implausible`.
 */
function emit(out: LineTarget, line: DsmrLine, code: ObisCode, value: number | string, unit: string | undefined,
  timestamp: string | undefined, quality: readonly QualityFlag[] | undefined, id?: string): RawReading {
  const verdict = checkValue(code, value, unit);
  if (verdict !== 'ok') {
    out.issues.push(describeVerdict(code, verdict, value, unit));
    if (verdict === 'not-a-number') return { obis: code.obis, value };
    quality = quality === undefined ? IMPLAUSIBLE : [...quality, 'implausible'];
  }
  const r = makeReading(line.factory, code, value, unit, timestamp, quality, undefined, id);
  out.readings.push(r);
  return r;
}

/**
 * `(number*unit)` / `(number)` / `(text*unit)` into line.value / line.unit; false for an empty value.
 */
function readNumeric(line: DsmrLine, s: number, e: number): boolean {
  if (s >= e) return false;
  const b = line.bytes;
  // Fast path, one pass: unsigned digits with an optional '.', ending at '*' or at the end of the value.
  let i = s, mantissa = 0, fraction = -1;
  for (; i < e; i++) {
    const d = b[i] - 48;
    if (d >= 0 && d <= 9) { mantissa = mantissa * 10 + d; if (fraction >= 0) fraction++; }
    else if (d === -2 /* . */ && fraction < 0) fraction = 0;
    else break;
  }
  let star = i;
  const chars = i - s;
  if ((i === e || b[i] === 42) && chars > (fraction >= 0 ? 1 : 0) && chars <= 15) {
    line.value = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
  } else {
    while (star < e && b[star] !== 42 /* * */) star++;
    const n = parseDsmrNumber(b, s, star);
    line.value = Number.isNaN(n) ? textOf(line, s, star) : n;
  }
  line.unit = star < e ? textOf(line, star + 1, e) : undefined;
  return true;
}

function textValue(line: DsmrLine, hex: boolean): string {
  const g = line.groups;
  if (line.size === 2 && line.text === undefined && g[1] - g[0] > 8) {
    const span = spanOf(line, g[0], g[1]);
    if (!hex) return span.text;
    if (span.decoded === undefined) span.decoded = decodeHexText(span.text) ?? span.text;
    return span.decoded;
  }
  let raw = textOf(line, g[0], g[1]);
  for (let i = 2; i < line.size; i += 2) raw += textOf(line, g[i], g[i + 1]); // message split over groups
  return hex ? decodeHexText(raw) ?? raw : raw;
}

function emitTimestamp(out: LineTarget, line: DsmrLine): RawReading {
  const s = line.groups[0], e = line.groups[1];
  const ts = parseDsmrTimestamp(line.bytes, s, e);
  if (ts !== undefined) {
    out.timestamp = ts;
    return emit(out, line, line.obis, ts, undefined, undefined, undefined);
  }
  invalidTimestamp(out, line, s, e);
  return emit(out, line, line.obis, textOf(line, s, e), undefined, undefined, INVALID_TIMESTAMP);
}

/** 1-0:99.97.0(n)(0-0:96.7.19)(ts)(duration*s)…: the count, stamped with the latest valid event. */
function emitEventLog(out: LineTarget, line: DsmrLine): RawReading | undefined {
  const g = line.groups;
  if (!readNumeric(line, g[0], g[1])) return undefined;
  let latest: string | undefined;
  let invalid = 0;
  for (let i = 4; i + 1 < line.size; i += 4) {
    const ts = parseDsmrTimestamp(line.bytes, g[i], g[i + 1]);
    if (ts === undefined) invalid++;
    else if (latest === undefined || ts > latest) latest = ts;
  }
  if (invalid > 0) issue(out, 'INVALID_TIMESTAMP', `${line.obis.obis}: ${invalid} event time stamp(s) are not valid times`);
  return emit(out, line, line.obis, line.value, line.unit, latest, undefined);
}

function isObisText(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] === 58 /* : */) return true;
  return false;
}

/**
 * Reads the time stamp in bytes[s, e) for a reading; undefined (and an issue) when the meter sent a
 * placeholder, in which case the reading is flagged.
 */
function stampOf(out: LineTarget, line: DsmrLine, s: number, e: number): string | undefined {
  const ts = parseDsmrTimestamp(line.bytes, s, e);
  if (ts === undefined) invalidTimestamp(out, line, s, e);
  return ts;
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
    issue(out, 'UNPARSEABLE_LINE', `${line.obis.obis}: ${months} month(s) announced but ${rest} value(s) follow`);
    return;
  }
  for (let m = 0; m < months; m++) {
    const v = 2 * (1 + columns + m * size + size - 1);
    if (!readNumeric(line, g[v], g[v + 1])) continue;
    const ts = stampOf(out, line, g[v - 2], g[v - 1]);
    emit(out, line, line.obis, line.value, line.unit, ts, ts === undefined ? INVALID_TIMESTAMP : undefined,
      `max_demand_month_${m + 1}`);
  }
}

/** DSMR 2.2/3.0 `0-n:24.3.0(ts)(status)(period)(count)(0-n:24.2.1)(unit)` + `(value)` on the next line. */
function emitLegacyMbus(out: LineTarget, line: DsmrLine): RawReading | undefined {
  const g = line.groups;
  if (line.size < 14) {
    issue(out, 'UNPARSEABLE_LINE', `${line.obis.obis}: M-Bus value line without the value (continuation line missing)`);
    return undefined;
  }
  let code = line.obis;
  try {
    code = obisCodeOfText(line.factory, normaliseObis(textOf(line, g[8], g[9])));
  } catch (e) {
    if (!isMeterError(e)) throw e;
  }
  if (!readNumeric(line, g[12], g[13])) return undefined;
  const unit = line.unit ?? (g[11] > g[10] ? textOf(line, g[10], g[11]) : undefined);
  const value = line.value;
  const ts = stampOf(out, line, g[0], g[1]);
  return emit(out, line, code, value, unit, ts, ts === undefined ? INVALID_TIMESTAMP : undefined);
}

/** Plain objects: one value, or (ts)(value) as M-Bus channels and Belgian max demand send. */
function emitGeneric(out: LineTarget, line: DsmrLine): RawReading | undefined {
  const g = line.groups, last = line.size - 2;
  if (!readNumeric(line, g[last], g[last + 1])) return undefined;
  if (last > 0 && looksLikeDsmrTimestamp(line.bytes, g[0], g[1])) {
    const ts = stampOf(out, line, g[0], g[1]);
    return emit(out, line, line.obis, line.value, line.unit, ts, ts === undefined ? INVALID_TIMESTAMP : undefined);
  }
  return emit(out, line, line.obis, line.value, line.unit, undefined, undefined);
}

/** Emits the readings of one data object into `out`; returns the last one (monthly history: none). */
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
      return emit(out, line, line.obis, value, undefined, undefined, undefined);
    }
  }
}

/**
 * Emits the readings of one data object into `out`, noting M-Bus channel objects for id assignment. Returns the
 * last reading and its channel role (the line memo replays both).
 */
export function emitDsmrLine(out: LineTarget, line: DsmrLine, channels: MbusChannelEntry[]): RawReading | undefined {
  const r = emitByKind(out, line);
  line.role = undefined;
  if (r === undefined) return undefined;
  const c = line.code;
  if (c[0] !== 0 || c[1] === 0) return r;
  // The legacy 24.3.0 line reports its value under the code it names (24.2.1); 24.3 is a value role too.
  const role = mbusRole(c[2], c[3], c[4]);
  if (role !== undefined) channels.push({ channel: c[1], role, reading: r });
  line.role = role;
  return r;
}
