/**
 * M-Bus channel lines (DSMR 5.0.2 §6.12: 0-n:24.1.0 device type, 0-n:96.1.0 equipment id, 0-n:24.2.1 capture
 * time and reading; Belgian meters' 0-n:24.2.3) for the gas and water meters a message carries. DSMR tools sort a channel by its device
 * type (Home Assistant makes a gas or water sensor from it), so a channel whose medium is unknown gets no
 * device type line rather than a guessed one.
 */
import { encodeHexText } from '../../core/dsmr/value-text.js';
import { formatDsmrTimestamp } from '../../core/dsmr/timestamp.js';
import type { MessageValues } from './message-values.js';
import { DEVICE_TYPE, VOLUME, formatField } from './dsmr5-fields.js';

/** EN 13757-3 media read in m3: gas, hot water, water. */
const VOLUME_MEDIA = new Set([3, 6, 7]);
/** Reading id prefixes (src/core/dsmr/mbus-channels.ts) → device type. */
const MEDIUM_OF_ID: ReadonlyArray<readonly [string, number]> = [['gas_', 3], ['hot_water_', 6], ['water_', 7]];

/** What a meter sends when it has no capture time for the reading. */
const NO_TIME = '000101000000W';

function deviceTypeOf(values: MessageValues, n: number): number | undefined {
  const own = values.number(`0-${n}:24.1.0`, '');
  if (own !== undefined) return own;
  const id = (values.reading(`0-${n}:24.2.1`) ?? values.reading(`0-${n}:24.2.3`))?.id ?? '';
  return MEDIUM_OF_ID.find(([prefix]) => id.startsWith(prefix))?.[1];
}

export function mbusLines(values: MessageValues): string[] {
  const lines: string[] = [];
  for (const n of values.channels()) {
    // 24.2.1 (temperature-corrected, NL) or 24.2.3 (not corrected, BE) keeps its code: the volumes differ.
    const code = values.reading(`0-${n}:24.2.1`) ? `0-${n}:24.2.1` : `0-${n}:24.2.3`;
    const reading = values.reading(code);
    const m3 = values.number(code, 'm3');
    const volume = m3 === undefined ? undefined : formatField(m3, VOLUME);
    if (!reading || volume === undefined) continue;
    const type = deviceTypeOf(values, n);
    if (type !== undefined && !VOLUME_MEDIA.has(type)) continue; // heat/electricity sub-meters are not read in m3
    const typeText = type === undefined ? undefined : formatField(type, DEVICE_TYPE);
    if (typeText !== undefined) lines.push(`0-${n}:24.1.0(${typeText})`);
    const id = values.text(`0-${n}:96.1.0`) ?? values.text(`0-${n}:96.1.1`);
    if (id !== undefined && id !== '') lines.push(`0-${n}:96.1.0(${encodeHexText(id)})`);
    const at = reading.timestamp;
    const time = at === undefined || Number.isNaN(Date.parse(at)) ? NO_TIME : formatDsmrTimestamp(at);
    lines.push(`${code}(${time})(${volume})`);
  }
  return lines;
}
