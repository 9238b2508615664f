/**
 * The one message builder (DESIGN §4) and the one reading-naming path: every reading is made by a
 * ReadingFactory (model/reading-factory.ts: interned codes, registry names); this module numbers repeated ids,
 * adds the envelope's quality flags, drops values JSON cannot carry, and puts the message together in the key
 * order of the contract.
 */
import type { MessageFormat, MessageIssue, MeterInfo, MeterMessage, QualityFlag, RawReading, Reading, SecurityInfo } from './message.js';
import { createReadingFactory, makeReading, obisCodeOfText, type ReadingFactory } from './reading-factory.js';

/**
 * Ids are keys for topics and columns: a repeated id in one message gets a number (`_2`, `_3`…), never a
 * clash. `ids` are the base ids in message order; `rename` gets each repeat's new id. Returns false when no id
 * repeats. Small messages check the ids so far directly; a Map only pays off for long ones.
 */
function numberRepeatedIds(ids: readonly string[], rename: (i: number, id: string) => void): boolean {
  let seen: Map<string, number> | undefined;
  let any = false;
  for (let i = 0; i < ids.length; i++) {
    const base = ids[i];
    let n = 0;
    if (i < 48) {
      for (let k = 0; k < i; k++) if (ids[k] === base) n++;
    } else {
      if (!seen) {
        seen = new Map();
        for (let k = 0; k < i; k++) seen.set(ids[k], (seen.get(ids[k]) ?? 0) + 1);
      }
      n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
    }
    if (n) {
      rename(i, `${base}_${n + 1}`);
      any = true;
    }
  }
  return any;
}

/** Names format-level raw readings through a named factory (for callers that hold RawReadings). */
export function nameReadings(raw: readonly RawReading[], extraQuality: readonly QualityFlag[] = [],
  factory: ReadingFactory = createReadingFactory(true)): Reading[] {
  const out = raw.map((r) => makeReading(factory, obisCodeOfText(factory, r.obis), r.value, r.unit, r.timestamp, r.quality,
    r.raw, r.id) as Reading);
  const issues: MessageIssue[] = [];
  return finishReadings(out, extraQuality, factory, issues);
}

function sameIds(readings: readonly Reading[], ids: readonly string[]): boolean {
  if (readings.length !== ids.length) return false;
  for (let i = 0; i < ids.length; i++) if (readings[i].id !== ids[i]) return false;
  return true;
}

/**
 * Completes readings a named ReadingFactory built: appends the envelope's quality flags, drops numbers JSON
 * cannot carry (NaN, ±Infinity would print as null: an issue instead) and numbers repeated ids like
 * `energy_import_2`. When the ids are those of the factory's previous message, which had no repeats, the scan
 * is skipped (a meter sends the same list every time).
 */
export function finishReadings(readings: Reading[], extraQuality: readonly QualityFlag[], f: ReadingFactory,
  issues: MessageIssue[]): Reading[] {
  let nonFinite = false;
  for (const r of readings) {
    if (extraQuality.length) r.quality.push(...extraQuality);
    if (typeof r.value === 'number' && !Number.isFinite(r.value)) nonFinite = true;
  }
  if (nonFinite) readings = dropNonFinite(readings, issues);
  if (f.lastIds !== undefined && sameIds(readings, f.lastIds)) return readings;
  const ids = readings.map((r) => r.id);
  const repeats = numberRepeatedIds(ids, (i, id) => { readings[i].id = id; });
  f.lastIds = repeats ? undefined : ids;
  return readings;
}

function dropNonFinite(readings: Reading[], issues: MessageIssue[]): Reading[] {
  return readings.filter((r) => {
    if (typeof r.value !== 'number' || Number.isFinite(r.value)) return true;
    issues.push({ code: 'NON_FINITE_VALUE', message: `${r.obis}: the meter sent ${r.value}: value not read` });
    return false;
  });
}

export interface MessageParts {
  meter: MeterInfo;
  timestamp: string | undefined;
  format: MessageFormat;
  security: SecurityInfo;
  readings: Reading[];
  issues: MessageIssue[];
}

/** Builds the message in the JSON key order of DESIGN §4 (meter, timestamp, format, security, readings, issues). */
export function buildMessage(p: MessageParts): MeterMessage {
  const m = { meter: p.meter } as MeterMessage;
  if (p.timestamp !== undefined) m.timestamp = p.timestamp;
  m.format = p.format;
  m.security = p.security;
  m.readings = p.readings;
  m.issues = p.issues;
  return m;
}
