/** Turns format-level raw readings into named, normalised readings (DESIGN §4) using the OBIS registry. */
import { describeObis } from '../obis/registry.js';
import type { QualityFlag, RawReading, Reading } from './message.js';

export function nameReadings(raw: readonly RawReading[], extraQuality: readonly QualityFlag[] = []): Reading[] {
  const out: Reading[] = new Array(raw.length);
  const seen = new Map<string, number>();
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    const info = describeObis(r.obis);
    let id = r.id ?? info.id;
    // Ids are keys for topics and columns: a repeated code in one message gets a numbered id, not a clash.
    const n = seen.get(id);
    seen.set(id, (n ?? 1) + 1);
    if (n !== undefined) id = `${id}_${n}`;
    const quality = r.quality && r.quality.length
      ? (extraQuality.length ? [...r.quality, ...extraQuality] : r.quality.slice())
      : extraQuality.slice();
    const reading: Reading = { obis: r.obis, id, name: info.name, nameDe: info.nameDe, value: r.value, quality };
    // No unit is invented here: a raw value without the meter's (or profile's) scaler must not look scaled.
    if (r.unit !== undefined) reading.unit = r.unit;
    if (r.timestamp !== undefined) reading.timestamp = r.timestamp;
    if (r.raw !== undefined) reading.raw = r.raw;
    out[i] = reading;
  }
  return out;
}
