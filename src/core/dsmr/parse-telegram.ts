/**
 * DSMR P1 telegram parser (DSMR 5.0.2 §6.2–6.4, NEN-EN-IEC 62056-21 mode D data readout; also DSMR 2.2/3.0,
 * Fluvius e-MUCS-H and Luxembourg Smarty plaintext). A telegram is `/header CRLF CRLF (data lines) !CRC CRLF`;
 * the CRC-16/ARC covers everything from '/' through '!'. Scans char codes instead of regexes: this runs for every
 * telegram of every meter, ~1/s each, on small devices.
 *
 * CRC contract (used by the trust policy in decode-payload.ts): `crc` is 'valid' when the hex digits after '!'
 * (4, or fewer without leading zeros) match, 'absent' only when '!' is followed directly by CR/LF or the end of the input, and
 * 'mismatch' only with verifyCrc: false (else BAD_CHECKSUM); any other '!' line is BAD_TELEGRAM.
 * `telegramHasCrcByVersion(t)` (crc-expectation.ts) says whether the telegram's version claims a CRC: true for
 * DSMR 4/5 (1-3:0.2.8 = 4x/5x) and Fluvius (0-0:96.1.4), false for the DSMR 2.2/3.0 format (no version line,
 * no 0-0:1.0.0 time stamp), undefined otherwise.
 */
import { MeterError } from '../errors.js';
import type { MessageIssue, RawReading } from '../model/message.js';
import { createReadingFactory, obisCodeAt, obisCodeOf, type ReadingFactory } from '../model/reading-factory.js';
import { emitDsmrLine, issue, textOf, type DsmrLine } from './line-values.js';
import { assignMbusChannelIds, type MbusChannelEntry } from './mbus-channels.js';
import { dsmrCodeInfo } from './dsmr-codes.js';
import { isBlank, lineEnd, MAX_OBJECT, scanGroups, scanObis, TOO_LONG, UNCLOSED } from './line-scan.js';
import { afterTelegram, createLineMemo, forgetTelegram, MEMO_LINE, MEMO_LINES, replayLine, sameAsPrevious, useMemo, wordsOf,
  type DsmrLineMemo, type LineMemoEntry, type MemoField } from './line-memo.js';
import { telegramCrcBytes } from './telegram-crc.js';

export { telegramHasCrcByVersion } from './crc-expectation.js';

export interface DsmrTelegram<R extends RawReading = RawReading> {
  /** Identification line without the leading '/', e.g. `ISk5\2MT382-1000`. */
  header: string;
  /** First three letters of the header, upper case (the IEC 62056-21 manufacturer id, e.g. `ISK`). */
  manufacturer?: string;
  /** From 1-3:0.2.8 (NL) or 0-0:96.1.4 (BE). */
  version?: string;
  /** 0-0:1.0.0 as ISO 8601 UTC. */
  timestamp?: string;
  /** 0-0:96.1.1 (or Smarty 0-0:42.0.0), decoded to text when it is printable hex. */
  equipmentId?: string;
  /** `absent` for DSMR 2.2/3.0 telegrams ending in `!`; `mismatch` only when verifyCrc is false. */
  crc: 'valid' | 'absent' | 'mismatch';
  readings: R[];
  /** Non-fatal problems: unparseable lines, placeholder time stamps, a CRC mismatch that was let through. */
  issues: MessageIssue[];
}

export interface ParseDsmrOptions {
  /** Throw BAD_CHECKSUM on a CRC mismatch (default). When false, readings get the `crc_mismatch` flag instead. */
  verifyCrc?: boolean;
  /**
   * Interns the OBIS codes (pass one per decoder: it remembers them across telegrams) and, when named, makes
   * the readings final `Reading`s. Default: a fresh unnamed factory, i.e. RawReadings.
   */
  factory?: ReadingFactory;
}

const ascii = new TextEncoder();
/** Largest DSMR identification line read (IEC 62056-21: `/XXXZ` + at most 16 characters + `\W` pairs). */
export const MAX_HEADER = 128;
const NO_LINES: readonly (LineMemoEntry | undefined)[] = [];

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Checks the CRC digits after '!': 4 hex digits, fewer when the meter drops leading zeros (still compared as a
 * 16-bit value), or none, then CR/LF or the end of the input (the framers' end rule, dsmr-framer.ts). Throws
 * BAD_TELEGRAM for anything else and BAD_CHECKSUM on a mismatch when asked to.
 */
function checkCrc(b: Uint8Array, start: number, bang: number, verify: boolean): DsmrTelegram['crc'] {
  let given = 0, n = 0, i = bang + 1;
  for (; i < b.length && n <= 4; i++) {
    const h = hexNibble(b[i]);
    if (h < 0) break;
    given = given * 16 + h;
    n++;
  }
  if (n > 4 || (i < b.length && b[i] !== 13 && b[i] !== 10)) {
    throw new MeterError('BAD_TELEGRAM', 'dsmr', 'the "!" line must hold only the CRC (4 hex digits) or nothing', i);
  }
  if (n === 0) return 'absent';
  const computed = telegramCrcBytes(b, start, bang + 1);
  if (computed === given) return 'valid';
  if (!verify) return 'mismatch';
  throw new MeterError('BAD_CHECKSUM', 'dsmr',
    `telegram CRC mismatch: computed ${hex4(computed)}, telegram says ${String.fromCharCode(...b.subarray(bang + 1, i))} ` +
    '(bytes were lost or changed on the way: check the serial settings and the cable)', bang + 1);
}

function unparseable(out: DsmrTelegram, line: DsmrLine, i: number, eol: number, tooLong: boolean): void {
  const start = JSON.stringify(textOf(line, i, Math.min(eol, i + 60)).trimEnd());
  issue(out, 'UNPARSEABLE_LINE', tooLong ? `data object longer than ${MAX_OBJECT} bytes, skipped: ${start}…`
    : `not a DSMR data line: ${start}`);
}

/** Memoises the object just emitted at position k when its result depends on nothing but its bytes. */
function record(memo: DsmrLineMemo, k: number, line: DsmrLine, r: RawReading | undefined, start: number, stop: number,
  out: DsmrTelegram, readings: number, issues: number): void {
  if (r === undefined || out.readings.length !== readings + 1 || out.issues.length !== issues ||
    stop - start > MEMO_LINE || r.obis !== line.obis.obis || k >= MEMO_LINES) {
    const e = k < memo.lines.length ? memo.lines[k] : undefined;
    if (e !== undefined) e.start = -1; // matches no line; the object is reused
    return;
  }
  const q = r.quality;
  const quality = q !== undefined && q.length > 0 ? q.slice() : undefined;
  const e = k < memo.lines.length ? memo.lines[k] : undefined;
  if (e === undefined) {
    if (k > memo.lines.length) return;
    memo.lines[k] = { start, stop, code: line.obis, value: r.value, unit: r.unit, timestamp: r.timestamp, quality,
      field: fieldOf(line), role: line.role, channel: line.code[1] };
    return;
  }
  // Updated in place: a changing line (power, time) is recorded every telegram. The telegram field and the
  // channel role depend on the code alone.
  if (e.code !== line.obis) {
    e.code = line.obis; e.field = fieldOf(line); e.role = line.role; e.channel = line.code[1];
  }
  e.start = start; e.stop = stop; e.value = r.value; e.unit = r.unit; e.timestamp = r.timestamp; e.quality = quality;
}

function fieldOf(line: DsmrLine): MemoField {
  const c = line.code;
  return dsmrCodeInfo(c[0], c[1], c[2], c[3], c[4])?.field;
}

/** Reads the data lines from `from`; returns the index of the closing '!' (at a line start), or -1. */
function parseLines(line: DsmrLine, from: number, out: DsmrTelegram, memo: DsmrLineMemo | undefined): number {
  const b = line.bytes, end = b.length, code = line.code, f = line.factory;
  const { seqKeys, seqCodes } = f;
  const lines = memo?.lines ?? NO_LINES, words = memo !== undefined && memo.prevLength > 0 ? wordsOf(b) : undefined;
  const channels: MbusChannelEntry[] = [];
  let i = from, atLineStart = true, objects = 0;
  while (i < end) {
    const c = b[i];
    if (isBlank(c)) { atLineStart = c === 10 || atLineStart; i++; continue; }
    if (c === 33 /* ! */ && atLineStart) break;
    // The same bytes at the same offset as in the previous telegram: the same reading, without parsing.
    const m = objects < lines.length ? lines[objects] : undefined;
    if (m !== undefined && m.start === i && sameAsPrevious(memo as DsmrLineMemo, b, words, i, m.stop) &&
      (m.stop >= end || b[m.stop] !== 40)) {
      replayLine(f, m, out, channels);
      (memo as DsmrLineMemo).hits++;
      objects++;
      i = m.stop;
      atLineStart = b[i - 1] === 10;
      continue;
    }
    const open = scanObis(b, i, end, code);
    const next = open < 0 ? UNCLOSED : scanGroups(b, open, end, line);
    if (next < 0) {
      const eol = lineEnd(b, i, end);
      unparseable(out, line, i, eol, next === TOO_LONG);
      i = eol + 1;
      atLineStart = true;
      continue;
    }
    // The same code at the same position as in the previous telegram (the usual case): no call, no lookup.
    const key = ((((code[0] * 256 + code[1]) * 256 + code[2]) * 256 + code[3]) * 256 + code[4]) * 256 + code[5];
    line.obis = seqKeys[objects] === key ? seqCodes[objects]
      : obisCodeAt(f, objects, code[0], code[1], code[2], code[3], code[4], code[5]);
    const readings = out.readings.length, issues = out.issues.length;
    const r = emitDsmrLine(out, line, channels);
    if (memo !== undefined) record(memo, objects, line, r, i, next, out, readings, issues);
    objects++;
    i = next;
    atLineStart = b[i - 1] === 10;
  }
  for (let k = objects; k < lines.length; k++) { const e = lines[k]; if (e !== undefined) e.start = -1; }
  assignMbusChannelIds(channels);
  return i < end ? i : -1;
}

/** The input as bytes (and as text, when it was given as text) with the same offsets (one char per byte). */
function bothForms(input: Uint8Array | string, factory: ReadingFactory): DsmrLine {
  let text: string | undefined, bytes: Uint8Array;
  if (typeof input === 'string') {
    text = input;
    bytes = new Uint8Array(text.length);
    const r = ascii.encodeInto(text, bytes);
    if (r.read !== text.length || r.written !== text.length) {
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i); // non-ASCII: keep offsets aligned
    }
  } else {
    bytes = input;
  }
  const obis = obisCodeOf(factory, 0, 0, 0, 0, 0, 0); // placeholder until the first line is read
  return { text, bytes, factory, obis, code: new Uint8Array(6), groups: [], size: 0, value: 0, unit: undefined, role: undefined };
}

function manufacturerOf(header: string): string | undefined {
  if (header.length < 3) return undefined;
  for (let i = 0; i < 3; i++) {
    const c = header.charCodeAt(i) | 32;
    if (c < 97 || c > 122) return undefined;
  }
  return header.slice(0, 3).toUpperCase();
}

/**
 * Parses one telegram (text or its ASCII bytes; leading bytes before '/' are ignored). Throws MeterError
 * BAD_TELEGRAM when there is no '/' or no closing '!' line, BAD_CHECKSUM when the CRC does not match.
 */
export function parseDsmrTelegram(input: Uint8Array | string, options?: ParseDsmrOptions): DsmrTelegram {
  const line = bothForms(input, options?.factory ?? createReadingFactory(false));
  const bytes = line.bytes;
  const start = bytes.indexOf(47 /* / */);
  if (start < 0) throw new MeterError('BAD_TELEGRAM', 'dsmr', 'not a DSMR telegram: no "/" identification line', 0);
  let headerEnd = start + 1;
  while (headerEnd < bytes.length && bytes[headerEnd] !== 13 && bytes[headerEnd] !== 10) headerEnd++;
  if (headerEnd - start - 1 > MAX_HEADER) {
    throw new MeterError('LIMIT_EXCEEDED', 'dsmr', `DSMR identification line longer than ${MAX_HEADER} bytes`, start);
  }
  const header = textOf(line, start + 1, headerEnd);
  const out: DsmrTelegram = { header, crc: 'absent', readings: [], issues: [] };
  // The line memo is per decoder (the factory passed in); a one-off parse has none.
  const memo = options?.factory ? (line.factory.dsmrLines ??= createLineMemo()) : undefined;
  let manufacturer: string | undefined;
  if (memo !== undefined && memo.header === header) manufacturer = memo.manufacturer;
  else {
    manufacturer = manufacturerOf(header);
    if (memo !== undefined) { memo.header = header; memo.manufacturer = manufacturer; }
  }
  if (manufacturer !== undefined) out.manufacturer = manufacturer;
  // The data lines are read first and the CRC checked after: one pass finds the '!' line and the values.
  let bang: number;
  try {
    const use = memo !== undefined && useMemo(memo);
    bang = parseLines(line, headerEnd, out, use ? memo : undefined);
    if (memo !== undefined) afterTelegram(memo, bytes, use);
  } catch (e) {
    if (memo !== undefined) forgetTelegram(memo); // its entries and its copy must describe the same bytes
    throw e;
  }
  if (bang < 0) {
    throw new MeterError('BAD_TELEGRAM', 'dsmr', 'DSMR telegram has no closing "!" line (cut short?)', bytes.length);
  }
  const crc = checkCrc(bytes, start, bang, options?.verifyCrc !== false);
  out.crc = crc;
  if (crc === 'mismatch') {
    issue(out, 'CRC_MISMATCH', 'telegram CRC does not match; values kept because verifyCrc is off');
    // Each reading owns its quality array (the factory copies), so the flag can be appended in place.
    for (const r of out.readings) {
      if (r.quality) r.quality.push('crc_mismatch');
      else r.quality = ['crc_mismatch'];
    }
  }
  return out;
}
