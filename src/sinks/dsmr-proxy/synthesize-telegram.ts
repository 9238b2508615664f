/**
 * A DSMR 5 P1 telegram (DSMR 5.0.2 §6.12 object table, in its order and formats) for a message of any meter,
 * so that tools written for Dutch meters (Home Assistant's DSMR integration, dsmr_parser, dsmr-reader) read
 * Austrian, Nordic and Swiss DLMS meters unchanged. Only objects of the chosen variant (dsmr-spec.ts) are
 * written, each only when the meter measured it; the one derived value is the tariff split (tariff-registers.ts).
 */
import type { MeterMessage } from '../../core/model/message.js';
import { formatDsmrTelegram } from '../../core/dsmr/format-telegram.js';
import { formatDsmrTimestamp } from '../../core/dsmr/timestamp.js';
import { encodeHexText } from '../../core/dsmr/value-text.js';
import { DEFAULT_DSMR_SPEC, type DsmrSpec } from './dsmr-spec.js';
import { COUNT, CURRENT, ENERGY, POWER, VOLTAGE, formatField, type DsmrField } from './dsmr5-fields.js';
import { messageValues, type MessageValues } from './message-values.js';
import { tariffIndicator, tariffPair, type TariffPair } from './tariff-registers.js';
import { mbusLines } from './mbus-lines.js';

/** Objects written as the meter measured them, in DSMR 5 order, between the tariff indicator and M-Bus. */
const MEASURED: ReadonlyArray<readonly [string, DsmrField]> = [
  ['1-0:1.7.0', POWER], ['1-0:2.7.0', POWER],
  ['0-0:96.7.21', COUNT], ['0-0:96.7.9', COUNT],
  ['1-0:32.32.0', COUNT], ['1-0:52.32.0', COUNT], ['1-0:72.32.0', COUNT],
  ['1-0:32.36.0', COUNT], ['1-0:52.36.0', COUNT], ['1-0:72.36.0', COUNT],
  ['1-0:32.7.0', VOLTAGE], ['1-0:52.7.0', VOLTAGE], ['1-0:72.7.0', VOLTAGE],
  ['1-0:31.7.0', CURRENT], ['1-0:51.7.0', CURRENT], ['1-0:71.7.0', CURRENT],
  ['1-0:21.7.0', POWER], ['1-0:41.7.0', POWER], ['1-0:61.7.0', POWER],
  ['1-0:22.7.0', POWER], ['1-0:42.7.0', POWER], ['1-0:62.7.0', POWER],
];

function sourceName(msg: MeterMessage): string {
  return `meterwire-${(msg.meter.profile ?? msg.format).replace(/[^0-9A-Za-z_.-]/g, '_')}`;
}

/**
 * The equipment id DSMR consumers key their meter on: the meter's id, else its system title, else (a meter that
 * sends no identity, e.g. the T210-D-r) `meterwire-<profile>`: Home Assistant's setup waits for 0-0:96.1.1.
 */
export function equipmentIdOf(msg: MeterMessage): string {
  const fromReading = msg.readings.find((r) => r.obis === '0-0:96.1.1' || r.obis === '0-0:96.1.0');
  const id = msg.meter.id ?? (typeof fromReading?.value === 'string' ? fromReading.value : undefined) ?? msg.meter.systemTitle;
  return id === undefined || id === '' ? sourceName(msg) : id;
}

/** `MWR5\\meterwire-<profile>`: "MWR" as manufacturer, "5" for DSMR 5 (baud rate letter of IEC 62056-21). */
export function dsmrHeaderOf(msg: MeterMessage): string {
  return `MWR5\\${sourceName(msg)}`;
}

function line(code: string, value: string | undefined): string[] {
  return value === undefined ? [] : [`${code}(${value})`];
}

function energyLines(values: MessageValues, spec: DsmrSpec): string[] {
  const out: string[] = [];
  const imported = tariffPair(values, 1), exported = tariffPair(values, 2);
  if (spec === '5L') { // the meter's total, else the sum of its two tariff registers
    out.push(...line('1-0:1.8.0', optional(values.number('1-0:1.8.0', 'Wh') ?? sum(imported), ENERGY)));
    out.push(...line('1-0:2.8.0', optional(values.number('1-0:2.8.0', 'Wh') ?? sum(exported), ENERGY)));
  }
  if (imported) out.push(...line('1-0:1.8.1', formatField(imported.t1, ENERGY)), ...line('1-0:1.8.2', formatField(imported.t2, ENERGY)));
  if (exported) out.push(...line('1-0:2.8.1', formatField(exported.t1, ENERGY)), ...line('1-0:2.8.2', formatField(exported.t2, ENERGY)));
  out.push(...line('0-0:96.14.0', tariffIndicator(values, [imported, exported])));
  return out;
}

function sum(pair: TariffPair | undefined): number | undefined {
  return pair === undefined ? undefined : pair.t1 + pair.t2;
}

function optional(value: number | undefined, field: DsmrField): string | undefined {
  return value === undefined ? undefined : formatField(value, field);
}

/** The identity lines: 0-0:96.1.1 (hex, as DSMR 5 writes it) and, for `5L`, the logical device name 0-0:42.0.0. */
function identityLines(msg: MeterMessage, values: MessageValues, spec: DsmrSpec): string[] {
  const id = equipmentIdOf(msg);
  const out = [`0-0:96.1.1(${encodeHexText(id)})`];
  const name = values.text('0-0:42.0.0');
  if (spec === '5L') out.push(`0-0:42.0.0(${encodeHexText(name === undefined || name === '' ? id : name)})`);
  return out;
}

/**
 * The telegram (with CRC16) for a message. `fallbackTime` (ISO 8601) stands in for the meter's time stamp when
 * the message has none: DSMR consumers need 0-0:1.0.0 to date their readings. Time stamps are Central European
 * time with W/S, the local time of every meter meterwire knows and the zone DSMR tools read them in.
 */
export function synthesizeDsmrTelegram(msg: MeterMessage, fallbackTime: string, spec: DsmrSpec = DEFAULT_DSMR_SPEC): string {
  const values = messageValues(msg);
  const lines = [spec === '5B' ? '0-0:96.1.4(50217)' : '1-3:0.2.8(50)'];
  const time = msg.timestamp !== undefined && !Number.isNaN(Date.parse(msg.timestamp)) ? msg.timestamp : fallbackTime;
  lines.push(`0-0:1.0.0(${formatDsmrTimestamp(time)})`);
  lines.push(...identityLines(msg, values, spec), ...energyLines(values, spec));
  for (const [code, field] of MEASURED) {
    if (spec === '5B' && field === COUNT) continue; // Fluvius meters send no failure, sag or swell counts
    lines.push(...line(code, optional(values.number(code, field.base), field)));
  }
  lines.push(...mbusLines(values));
  return formatDsmrTelegram({ header: dsmrHeaderOf(msg), lines, crc: 'crc16' });
}
