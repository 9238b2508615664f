/** Turns format-level raw readings into named, normalised readings (DESIGN §4) using the OBIS registry. */
import { describeObis } from '../obis/registry.js';
import type { ObisInfo } from '../obis/registry-types.js';
import type { QualityFlag, RawReading, Reading } from './message.js';

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

export function nameReadings(raw: readonly RawReading[], extraQuality: readonly QualityFlag[] = [], cache?: ObisCache): Reading[] {
  const out: Reading[] = new Array(raw.length);
  let seen: Map<string, number> | undefined;
  const bases: string[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    const info = describe(r.obis, cache);
    const base = r.id ?? info.id;
    let id = base;
    // Ids are keys for topics and columns: a repeated id in one message gets a number, never a clash.
    // Small messages check the ids so far directly; a Map only pays off for long ones.
    if (i < 48) {
      let dup = 0;
      for (let k = 0; k < i; k++) if (bases[k] === base) dup++;
      if (dup) id = `${id}_${dup + 1}`;
    } else {
      if (!seen) {
        seen = new Map();
        for (let k = 0; k < i; k++) seen.set(bases[k], (seen.get(bases[k]) ?? 0) + 1);
      }
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      if (n) id = `${base}_${n + 1}`;
    }
    bases[i] = base;
    const quality: QualityFlag[] = r.quality && r.quality.length
      ? (extraQuality.length ? [...r.quality, ...extraQuality] : r.quality.slice())
      : (extraQuality.length ? extraQuality.slice() : []);
    const reading: Reading = { obis: r.obis, id, name: info.name, nameDe: info.nameDe, value: r.value, quality };
    // No unit is invented here: a raw value without the meter's (or profile's) scaler must not look scaled.
    if (r.unit !== undefined) reading.unit = r.unit;
    if (r.timestamp !== undefined) reading.timestamp = r.timestamp;
    if (r.raw !== undefined) reading.raw = r.raw;
    out[i] = reading;
  }
  return out;
}
