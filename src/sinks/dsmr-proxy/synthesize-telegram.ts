/**
 * A DSMR 5 P1 telegram (DSMR 5.0.2 §6.12 object table) for a message of any meter, so that tools written for
 * Dutch meters (Home Assistant's DSMR integration, dsmr_parser, dsmr-reader) can read Austrian and Nordic
 * DLMS meters too. Values are converted to the DSMR units (kWh, kW, kvarh, kvar, V, A, m3) and only codes
 * that DSMR consumers know are written: a parser with a fixed object table may reject what it cannot place.
 */
import type { MeterMessage, Reading } from '../../core/model/message.js';
import { formatDsmrTelegram, formatDsmrTimestamp, formatDsmrValue, type DsmrDigits } from '../../core/dsmr/format-telegram.js';
import { encodeHexText } from '../../core/dsmr/value-text.js';
import { lookupObis } from '../../core/obis/registry.js';

const ENERGY: DsmrDigits = { int: 6, frac: 3 };
const POWER: DsmrDigits = { int: 2, frac: 3 };
const VOLTS: DsmrDigits = { int: 3, frac: 1 };
/** DSMR 5 says F3(0) for currents; DLMS meters measure 10 mA, and DSMR parsers read the decimals. */
const AMPS: DsmrDigits = { int: 3, frac: 0, maxFrac: 2 };
const GAS: DsmrDigits = { int: 5, frac: 3 };

/** DSMR unit and width for each code we write (C.D.E of A=1 codes), in the order DSMR meters send them. */
const ELECTRICITY: ReadonlyArray<readonly [string, string, DsmrDigits]> = [
  ['1.8.0', 'kWh', ENERGY], ['1.8.1', 'kWh', ENERGY], ['1.8.2', 'kWh', ENERGY],
  ['2.8.0', 'kWh', ENERGY], ['2.8.1', 'kWh', ENERGY], ['2.8.2', 'kWh', ENERGY],
  ['3.8.0', 'kvarh', ENERGY], ['4.8.0', 'kvarh', ENERGY],
  ['1.7.0', 'kW', POWER], ['2.7.0', 'kW', POWER], ['3.7.0', 'kvar', POWER], ['4.7.0', 'kvar', POWER],
  ['32.7.0', 'V', VOLTS], ['52.7.0', 'V', VOLTS], ['72.7.0', 'V', VOLTS],
  ['31.7.0', 'A', AMPS], ['51.7.0', 'A', AMPS], ['71.7.0', 'A', AMPS],
  ['21.7.0', 'kW', POWER], ['41.7.0', 'kW', POWER], ['61.7.0', 'kW', POWER],
  ['22.7.0', 'kW', POWER], ['42.7.0', 'kW', POWER], ['62.7.0', 'kW', POWER],
];
const ORDER = new Map(ELECTRICITY.map(([cde, unit, digits], i) => [cde, { unit, digits, rank: i }]));

/** Meter unit → [DSMR unit, divisor]. */
const CONVERSIONS: Readonly<Record<string, readonly [string, number]>> = {
  Wh: ['kWh', 1000], kWh: ['kWh', 1], MWh: ['kWh', 0.001],
  W: ['kW', 1000], kW: ['kW', 1], MW: ['kW', 0.001],
  varh: ['kvarh', 1000], kvarh: ['kvarh', 1], var: ['kvar', 1000], kvar: ['kvar', 1],
  V: ['V', 1], A: ['A', 1], m3: ['m3', 1],
};

export interface DsmrLine {
  /** The code as written (B normalised to 0 for electricity: Kamstrup and Aidon send 1-1:…). */
  obis: string;
  value: number;
  unit: string;
  digits: DsmrDigits;
  /** Position in the DSMR object order. */
  rank: number;
  timestamp?: string;
}

/** The value in DSMR units, or undefined when the unit cannot be converted to what DSMR expects. */
export function toDsmrUnit(value: number, unit: string | undefined, want: string): number | undefined {
  const conv = unit === undefined ? undefined : CONVERSIONS[unit];
  if (!conv || conv[0] !== want) return undefined;
  return conv[1] === 1 ? value : value / conv[1];
}

const CODE = /^(\d+)-(\d+):(\d+\.\d+\.\d+)$/;

/** How a reading appears in the synthesized telegram, or undefined when it is left out. */
export function dsmrLineFor(r: Reading): DsmrLine | undefined {
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) return undefined;
  const m = CODE.exec(r.obis);
  if (!m) return undefined;
  // A meter that sends no unit (e.g. LG E450 lists) uses the DLMS base unit the registry records.
  const unit = r.unit ?? lookupObis(r.obis)?.unit;
  if (m[1] === '0' && m[2] !== '0' && m[3] === '24.2.1') {
    const value = toDsmrUnit(r.value, unit, 'm3'); // M-Bus gas/water channel, kept with its capture time
    return value === undefined ? undefined : { obis: r.obis, value, unit: 'm3', digits: GAS, rank: 1000 + Number(m[2]), timestamp: r.timestamp };
  }
  const entry = m[1] === '1' ? ORDER.get(m[3]) : undefined;
  if (!entry) return undefined;
  const value = toDsmrUnit(r.value, unit, entry.unit);
  return value === undefined ? undefined : { obis: `1-0:${m[3]}`, value, unit: entry.unit, digits: entry.digits, rank: entry.rank };
}

/** The lines of a message's DSMR telegram, in DSMR order; the first reading of a code wins. */
export function dsmrLinesOf(msg: MeterMessage): DsmrLine[] {
  const byCode = new Map<string, DsmrLine>();
  for (const r of msg.readings) {
    const line = dsmrLineFor(r);
    if (line && !byCode.has(line.obis)) byCode.set(line.obis, line);
  }
  return [...byCode.values()].sort((a, b) => a.rank - b.rank);
}

/** The equipment id DSMR consumers key their meter on: the meter's id, else its system title. */
export function equipmentIdOf(msg: MeterMessage): string | undefined {
  const fromReading = msg.readings.find((r) => r.obis === '0-0:96.1.1' || r.obis === '0-0:96.1.0');
  const id = msg.meter.id ?? (typeof fromReading?.value === 'string' ? fromReading.value : undefined) ?? msg.meter.systemTitle;
  return id === undefined || id === '' ? undefined : id;
}

/** `MWR5\meterwire-<profile>`: "MWR" as manufacturer, "5" for DSMR 5 (baud rate letter of IEC 62056-21). */
export function dsmrHeaderOf(msg: MeterMessage): string {
  const what = (msg.meter.profile ?? msg.format).replace(/[^0-9A-Za-z_.-]/g, '_');
  return `MWR5\\meterwire-${what}`;
}

/** The fraction digits a value needs, between digits.frac and digits.maxFrac. */
function widened(value: number, digits: DsmrDigits): DsmrDigits {
  let frac = digits.frac;
  while (frac < (digits.maxFrac ?? frac) && Number(value.toFixed(frac)) !== value) frac++;
  return { int: digits.int, frac };
}

function valueLine(line: DsmrLine, msg: MeterMessage): string[] {
  const value = formatDsmrValue(line.value, widened(line.value, line.digits), line.unit);
  if (line.unit !== 'm3') return [`${line.obis}(${value})`];
  // M-Bus channel: DSMR consumers tell gas (3) from water (7) by the channel's device type line.
  const channel = line.obis.slice(0, line.obis.indexOf(':'));
  const water = msg.readings.find((r) => r.obis === line.obis)?.id.startsWith('water') ?? false;
  const ts = line.timestamp === undefined ? '000101000000W' : formatDsmrTimestamp(line.timestamp); // "no time" filler
  return [`${channel}:24.1.0(${water ? '007' : '003'})`, `${line.obis}(${ts})(${value})`];
}

/**
 * The DSMR 5 telegram (with CRC16) for a message. `fallbackTime` (ISO 8601) stands in for the meter's time
 * stamp when the message has none: DSMR consumers need 0-0:1.0.0 to date their readings.
 */
export function synthesizeDsmrTelegram(msg: MeterMessage, fallbackTime: string): string {
  const lines = ['1-3:0.2.8(50)', `0-0:1.0.0(${formatDsmrTimestamp(msg.timestamp ?? fallbackTime)})`];
  const id = equipmentIdOf(msg);
  // Always hex-encoded, as DSMR 5 §6.12 says: consumers decode it, so digits-only ids must be encoded too.
  if (id !== undefined) lines.push(`0-0:96.1.1(${encodeHexText(id)})`);
  const tariff = msg.readings.find((r) => r.obis === '0-0:96.14.0');
  if (tariff && /^\d{1,4}$/.test(String(tariff.value))) lines.push(`0-0:96.14.0(${String(tariff.value).padStart(4, '0')})`);
  for (const line of dsmrLinesOf(msg)) lines.push(...valueLine(line, msg));
  return formatDsmrTelegram({ header: dsmrHeaderOf(msg), lines, crc: 'crc16' });
}
