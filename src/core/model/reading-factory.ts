/**
 * Builds readings where the format decoders find them, in one allocation each.
 *
 * A meter repeats the same OBIS codes every second, so a per-decoder `ReadingFactory` interns each code once:
 * groups A..F → one `ObisCode` holding the canonical text and its registry entry. Decoders look codes up by
 * their numbers (no string is built or hashed per value) and, when the factory is `named`, create the final
 * `Reading` (id, names, quality array) directly instead of a RawReading that nameReadings would copy.
 * Unnamed factories produce RawReadings, the form parseDsmrTelegram/interpretNotification return on their own.
 * The factory is created per decoder and passed in: core modules keep no module-level mutable state.
 *
 * Every cache here is bounded in entries and in bytes (DESIGN §7), whatever the input: interned codes hold at
 * most CACHE_LIMITS.codes entries of ≤ 23-char OBIS text each; short texts at most CACHE_LIMITS.texts of ≤ 4
 * chars; spans (byte copies plus their text) at most CACHE_LIMITS.spans entries, each of at most
 * CACHE_LIMITS.spanLength bytes, and CACHE_LIMITS.spanBytes in all. A full cache is emptied and refilled
 * (a meter's working set is far smaller, so it settles again within one telegram); a longer span is not kept.
 */
import { formatObis } from '../obis/obis.js';
import { describeObis } from '../obis/registry.js';
import type { ObisInfo } from '../obis/registry-types.js';
import type { QualityFlag, RawReading, Reading, ReadingValue } from './message.js';
import type { DsmrLineMemo } from '../dsmr/line-memo.js';

export interface ObisCode {
  /** Canonical `A-B:C.D.E[.F]`; the same string instance every time the code is seen. */
  readonly obis: string;
  /** Registry entry, resolved on first use by a named factory. */
  info: ObisInfo | undefined;
}

export interface ReadingFactory {
  /** True: readings are final `Reading`s (registry names, fresh quality arrays). False: `RawReading`s. */
  readonly named: boolean;
  readonly byGroups: Map<number, ObisCode>;
  readonly byText: Map<string, ObisCode>;
  /** Base ids of the previous message, to skip the duplicate-id scan when the meter repeats itself. */
  lastIds: string[] | undefined;
  /** Key and code seen at each position of the previous message: the same list comes back every time. */
  readonly seqKeys: number[];
  readonly seqCodes: ObisCode[];
  /** Short ASCII strings (units, tariff codes) by their packed chars, so repeats are not rebuilt. */
  readonly texts: Map<number, string>;
  /** Longer texts (header, hex ids) by their start offset in the telegram, checked against their bytes. */
  readonly spans: Map<number, TextSpan>;
  /** What `spans` holds, counted as 3 bytes per span byte (the copy, its one-byte text, a decoded form). */
  spanBytes: number;
  /** The DSMR parser's memo of the previous telegram's lines (dsmr/line-memo.ts), created on first use. */
  dsmrLines: DsmrLineMemo | undefined;
}

/** A text remembered with the bytes it came from, and its hex-decoded form once asked for. */
export interface TextSpan {
  readonly bytes: Uint8Array;
  readonly text: string;
  decoded: string | undefined;
}

/** Cache bounds: far above one meter's working set (~50 codes, ~10 units, ~5 long texts), small in memory. */
export const CACHE_LIMITS = {
  codes: 1024,
  texts: 1024,
  spans: 128,
  spanLength: 512,
  spanBytes: 48 * 1024,
} as const;

export function createReadingFactory(named: boolean): ReadingFactory {
  return { named, byGroups: new Map(), byText: new Map(), lastIds: undefined, seqKeys: [], seqCodes: [], texts: new Map(),
    spans: new Map(), spanBytes: 0, dsmrLines: undefined };
}

/** Remembers a short text (≤ 4 chars) by its packed key. */
export function rememberText(f: ReadingFactory, key: number, text: string): void {
  if (f.texts.size >= CACHE_LIMITS.texts) f.texts.clear();
  f.texts.set(key, text);
}

/** Remembers a span at a telegram offset, within the entry and byte budgets; too long a span is not kept. */
export function rememberSpan(f: ReadingFactory, offset: number, span: TextSpan): void {
  const n = span.bytes.length;
  if (n > CACHE_LIMITS.spanLength) return;
  const old = f.spans.get(offset);
  if (old !== undefined) f.spanBytes -= 3 * old.bytes.length;
  if ((old === undefined && f.spans.size >= CACHE_LIMITS.spans) || f.spanBytes + 3 * n > CACHE_LIMITS.spanBytes) {
    f.spans.clear();
    f.spanBytes = 0;
  }
  f.spans.set(offset, span);
  f.spanBytes += 3 * n;
}

function internCode<K>(map: Map<K, ObisCode>, key: K, code: ObisCode): void {
  if (map.size >= CACHE_LIMITS.codes) map.clear();
  map.set(key, code);
}

const scratch = (): Uint8Array => new Uint8Array(6);
const MAX_POSITIONS = 256;

/** The interned code for six value groups (each 0..255). */
export function obisCodeOf(f: ReadingFactory, a: number, b: number, c: number, d: number, e: number, g: number): ObisCode {
  // 48 bits: exact as a double, and hashing a number is far cheaper than building and hashing the text.
  const key = ((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + g;
  let code = f.byGroups.get(key);
  if (code === undefined) {
    const bytes = scratch();
    bytes[0] = a; bytes[1] = b; bytes[2] = c; bytes[3] = d; bytes[4] = e; bytes[5] = g;
    code = { obis: formatObis(bytes), info: undefined };
    internCode(f.byGroups, key, code);
  }
  return code;
}

/**
 * obisCodeOf for the `pos`-th object of a message: when the previous message had the same code there (the
 * usual case), one number comparison replaces the Map lookup.
 */
export function obisCodeAt(f: ReadingFactory, pos: number, a: number, b: number, c: number, d: number, e: number,
  g: number): ObisCode {
  const key = ((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + g;
  if (f.seqKeys[pos] === key) return f.seqCodes[pos];
  const code = obisCodeOf(f, a, b, c, d, e, g);
  if (pos < MAX_POSITIONS && pos <= f.seqKeys.length) {
    f.seqKeys[pos] = key;
    f.seqCodes[pos] = code;
  }
  return code;
}

/** The interned code of six OBIS bytes at b[i] (a DLMS logical name). */
export function obisCodeOfBytes(f: ReadingFactory, b: Uint8Array, i = 0): ObisCode {
  return obisCodeOf(f, b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5]);
}

/** The interned code for canonical OBIS text (profile layouts, synthetic codes). */
export function obisCodeOfText(f: ReadingFactory, obis: string): ObisCode {
  let code = f.byText.get(obis);
  if (code === undefined) {
    code = { obis, info: undefined };
    internCode(f.byText, obis, code);
  }
  return code;
}

function infoOf(code: ObisCode): ObisInfo {
  let info = code.info;
  if (info === undefined) code.info = info = describeObis(code.obis);
  return info;
}

/**
 * One reading. `quality` may be a shared constant: a named reading always gets its own copy (sinks and the
 * CRC/envelope flags append to it). `id` overrides the registry id (M-Bus channels, monthly maxima).
 */
export function makeReading(f: ReadingFactory, code: ObisCode, value: ReadingValue, unit: string | undefined,
  timestamp: string | undefined, quality: readonly QualityFlag[] | undefined, raw: number | undefined,
  id: string | undefined): RawReading {
  if (!f.named) {
    const r: RawReading = { obis: code.obis, value };
    if (unit !== undefined) r.unit = unit;
    if (timestamp !== undefined) r.timestamp = timestamp;
    if (quality !== undefined) r.quality = quality.slice();
    if (raw !== undefined) r.raw = raw;
    if (id !== undefined) r.id = id;
    return r;
  }
  const info = infoOf(code);
  // Keys in DESIGN §4 order (…, value, unit, timestamp, raw, quality), the same as nameReadings builds.
  // No unit is invented here: a raw value without the meter's (or profile's) scaler must not look scaled.
  const r = (unit === undefined
    ? { obis: code.obis, id: id ?? info.id, name: info.name, nameDe: info.nameDe, value }
    : { obis: code.obis, id: id ?? info.id, name: info.name, nameDe: info.nameDe, value, unit }) as Reading;
  if (timestamp !== undefined) r.timestamp = timestamp;
  if (raw !== undefined) r.raw = raw;
  r.quality = quality === undefined ? [] : quality.slice();
  return r;
}
