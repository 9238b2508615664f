/**
 * A message's readings by the code a DSMR telegram writes them under, with numbers in their base unit
 * (toBaseUnit). Electricity codes drop the B field (Kamstrup and Aidon send 1-1:…); the first reading of a
 * code wins. A meter that sends no unit (LG E450 lists) is read in the DLMS base unit the registry records.
 */
import type { MeterMessage, Reading } from '../../core/model/message.js';
import { toBaseUnit } from '../../core/model/base-units.js';
import { lookupObis } from '../../core/obis/registry.js';

const CODE = /^(\d+)-(\d+):(\d+\.\d+\.\d+)$/;

export interface MessageValues {
  /** The reading behind a code (`1-0:1.8.0`, `0-0:96.14.0`, `0-1:24.2.1`). */
  reading(code: string): Reading | undefined;
  /** A numeric reading in the base unit `base` ('' for plain numbers), or undefined. */
  number(code: string, base: string): number | undefined;
  /** A text reading (ids, names), or undefined. */
  text(code: string): string | undefined;
  /** M-Bus channels (A=0, B=1..9) that have readings, ascending. */
  channels(): number[];
}

export function messageValues(msg: MeterMessage): MessageValues {
  const byCode = new Map<string, Reading>();
  const channels = new Set<number>();
  for (const r of msg.readings) {
    const m = CODE.exec(r.obis);
    if (!m) continue;
    const code = m[1] === '1' ? `1-0:${m[3]}` : r.obis;
    if (!byCode.has(code)) byCode.set(code, r);
    if (m[1] === '0' && m[2] !== '0') channels.add(Number(m[2]));
  }
  return {
    reading: (code) => byCode.get(code),
    number(code, base) {
      const r = byCode.get(code);
      if (!r || typeof r.value !== 'number' || !Number.isFinite(r.value)) return undefined;
      const v = toBaseUnit(r.value, r.unit ?? lookupObis(r.obis)?.unit);
      return v.unit === base ? v.value : undefined;
    },
    text(code) {
      const v = byCode.get(code)?.value;
      return typeof v === 'string' ? v : undefined;
    },
    channels: () => [...channels].sort((a, b) => a - b),
  };
}
