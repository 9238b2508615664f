/** Turns format-level raw readings into named, normalised readings (DESIGN §4) using the OBIS registry. */
import { describeObis } from '../obis/registry.js';
import type { ObisInfo } from '../obis/registry-types.js';
import type { QualityFlag, RawReading, Reading } from './message.js';
import type { ReadingFactory } from './reading-factory.js';

/** Registry lookups memoised per decoder (a meter repeats the same codes every few seconds). */
export type ObisCache = Map<string, ObisInfo>;

function describe(obis: string, cache: ObisCache | undefined): ObisInfo {
  if (!cache) return describeObis(obis);
  let info = cache.get(obis);
  if (info === undefined) {
    info = describeObis(obis);
    if (cache.size < 4096) cache.set(obis, info);
  }
  return info;
}

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

export function nameReadings(raw: readonly RawReading[], extraQuality: readonly QualityFlag[] = [], cache?: ObisCache): Reading[] {
  const out: Reading[] = new Array(raw.length);
  const bases: string[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    const info = describe(r.obis, cache);
    bases[i] = r.id ?? info.id;
    const quality: QualityFlag[] = r.quality && r.quality.length
      ? (extraQuality.length ? [...r.quality, ...extraQuality] : r.quality.slice())
      : (extraQuality.length ? extraQuality.slice() : []);
    // Keys in DESIGN §4 order. No unit is invented: a raw value without the meter's scaler must not look scaled.
    const reading = (r.unit === undefined
      ? { obis: r.obis, id: bases[i], name: info.name, nameDe: info.nameDe, value: r.value }
      : { obis: r.obis, id: bases[i], name: info.name, nameDe: info.nameDe, value: r.value, unit: r.unit }) as Reading;
    if (r.timestamp !== undefined) reading.timestamp = r.timestamp;
    if (r.raw !== undefined) reading.raw = r.raw;
    reading.quality = quality;
    out[i] = reading;
  }
  numberRepeatedIds(bases, (i, id) => { out[i].id = id; });
  return out;
}

function sameIds(readings: readonly Reading[], ids: readonly string[]): boolean {
  if (readings.length !== ids.length) return false;
  for (let i = 0; i < ids.length; i++) if (readings[i].id !== ids[i]) return false;
  return true;
}

/**
 * Completes readings a named ReadingFactory built: appends the envelope's quality flags and numbers repeated
 * ids like nameReadings. When the ids are those of the factory's previous message, which had no repeats, the
 * scan is skipped (a meter sends the same list every time).
 */
export function finishReadings(readings: Reading[], extraQuality: readonly QualityFlag[], f: ReadingFactory): Reading[] {
  if (extraQuality.length) for (const r of readings) r.quality.push(...extraQuality);
  if (f.lastIds !== undefined && sameIds(readings, f.lastIds)) return readings;
  const ids = readings.map((r) => r.id);
  const repeats = numberRepeatedIds(ids, (i, id) => { readings[i].id = id; });
  f.lastIds = repeats ? undefined : ids;
  return readings;
}
