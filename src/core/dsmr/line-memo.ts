/**
 * Per-decoder memo of the previous DSMR telegram's data lines (DSMR 5.0.2 §6.4: a meter sends the same objects in
 * the same order and width every second, and most of them — ids, counters, tariff, event counts, and energy
 * registers between two steps — do not change from one telegram to the next).
 *
 * For each object position it keeps where the line stood and what it produced; when the next telegram has the
 * same bytes at the same offset (compared against a copy of the previous telegram), the reading is rebuilt from
 * the memo instead of re-parsing the line. A line's readings depend only on its own bytes, so equal bytes give an
 * equal result; lines that produced issues, several readings or another code than their own (legacy M-Bus,
 * monthly history) are never memoised. Bounded: MEMO_TELEGRAM bytes of copy, MEMO_LINES entries of at most
 * MEMO_LINE bytes each.
 */
import type { QualityFlag, RawReading, ReadingValue } from '../model/message.js';
import { makeReading, type ObisCode, type ReadingFactory } from '../model/reading-factory.js';
import type { MbusChannelEntry, MbusRole } from './mbus-channels.js';

/** Telegrams longer than this are parsed without the memo. */
export const MEMO_TELEGRAM = 8192;
/** Object positions remembered, and the longest line (with its trailing line end) remembered. */
export const MEMO_LINES = 256;
export const MEMO_LINE = 160;

/** Which telegram field a line also fills (see dsmr-codes.ts). */
export type MemoField = 'version' | 'equipmentId' | 'timestamp' | undefined;

export interface LineMemoEntry {
  /** The line's bytes were prev[start, stop); stop is where parsing went on. */
  start: number;
  stop: number;
  code: ObisCode;
  value: ReadingValue;
  unit: string | undefined;
  timestamp: string | undefined;
  quality: readonly QualityFlag[] | undefined;
  field: MemoField;
  /** M-Bus channel role and channel, for the id assignment after the lines. */
  role: MbusRole | undefined;
  channel: number;
}

export interface DsmrLineMemo {
  prev: Uint8Array;
  /** The same bytes as 32-bit words (prev starts its own buffer, so word w is bytes 4w..4w+3). */
  prevWords: Uint32Array;
  /** Bytes of prev that are valid (0: no previous telegram). */
  prevLength: number;
  lines: (LineMemoEntry | undefined)[];
  /** Telegrams seen; lines replayed in the current one; telegrams in a row the memo gave nothing for. */
  telegrams: number;
  hits: number;
  cold: number;
  /** The last identification line and the manufacturer id read from it. */
  header: string | undefined;
  manufacturer: string | undefined;
}

/** Zero-length, so never written: a memo's copy is allocated only once it is used. */
const NO_BYTES = new Uint8Array(0);
const NO_WORDS = new Uint32Array(0);

export function createLineMemo(): DsmrLineMemo {
  return { prev: NO_BYTES, prevWords: NO_WORDS, prevLength: 0, lines: [], telegrams: 0, hits: 0, cold: 0,
    header: undefined,
    manufacturer: undefined };
}

/** The telegram as 32-bit words when it starts 4-byte aligned (framer payloads are 8-aligned), for the compare. */
export function wordsOf(b: Uint8Array): Uint32Array | undefined {
  return (b.byteOffset & 3) === 0 ? new Uint32Array(b.buffer, b.byteOffset, b.length >> 2) : undefined;
}

/** True when b[start, stop) equals the previous telegram's bytes there; `words` is wordsOf(b). */
export function sameAsPrevious(m: DsmrLineMemo, b: Uint8Array, words: Uint32Array | undefined, start: number,
  stop: number): boolean {
  if (stop > m.prevLength || stop > b.length) return false;
  const p = m.prev;
  let i = start;
  if (words !== undefined) {
    for (; i < stop && (i & 3) !== 0; i++) if (b[i] !== p[i]) return false;
    const pw = m.prevWords;
    for (; i + 4 <= stop; i += 4) if (words[i >> 2] !== pw[i >> 2]) return false;
  }
  for (; i < stop; i++) if (b[i] !== p[i]) return false;
  return true;
}

/** Rebuilds the memoised line's reading into `out` (and its telegram field and channel entry). */
export function replayLine(f: ReadingFactory, m: LineMemoEntry, out: { readings: RawReading[]; version?: string;
  equipmentId?: string; timestamp?: string; }, channels: MbusChannelEntry[]): void {
  const r = makeReading(f, m.code, m.value, m.unit, m.timestamp, m.quality, undefined, undefined);
  out.readings.push(r);
  if (m.field !== undefined) {
    const v = m.value as string;
    if (m.field === 'version') out.version = v;
    else if (m.field === 'timestamp') out.timestamp = v;
    else if (v !== '') out.equipmentId = v;
  }
  if (m.role !== undefined) channels.push({ channel: m.channel, role: m.role, reading: r });
}

export function forgetTelegram(m: DsmrLineMemo): void {
  m.prevLength = 0;
  m.lines.length = 0;
}

/**
 * Whether the next telegram uses the memo. Not a decoder's first (a one-off decode would pay for a memo it never
 * uses), and, once two telegrams in a row gave no hit (several meters interleaved on one decoder), only every
 * 16th, so a stream the memo cannot help costs next to nothing extra.
 */
export function useMemo(m: DsmrLineMemo): boolean {
  m.hits = 0;
  return m.telegrams > 0 && (m.cold < 2 || (m.telegrams & 15) === 0);
}

/**
 * After a telegram: when it used the memo (its lines were recorded), keeps a copy of it for the next comparison;
 * otherwise the entries and the copy stay as they were, describing the same earlier telegram.
 */
export function afterTelegram(m: DsmrLineMemo, b: Uint8Array, used: boolean): void {
  m.telegrams++;
  if (!used) return;
  m.cold = m.prevLength > 0 && m.hits === 0 ? m.cold + 1 : 0; // no copy yet: nothing could hit
  if (b.length > MEMO_TELEGRAM) {
    forgetTelegram(m);
    return;
  }
  if (m.prev.length < b.length) {
    m.prev = new Uint8Array(Math.min(MEMO_TELEGRAM, (Math.max(1024, b.length * 2) + 7) & ~7));
    m.prevWords = new Uint32Array(m.prev.buffer);
  }
  m.prev.set(b);
  m.prevLength = b.length;
}
