/**
 * Writes DSMR P1 telegrams (DSMR 5.0.2 §6.2–6.12): the inverse of parse-telegram, for the simulator and the
 * DSMR proxy. Value widths follow the DSMR 5 object table (energy F9(3) → 6.3 digits, power 2.3, voltage 3.1,
 * current 3.0, gas 5.3) so that consumers with fixed-width parsers accept what we write.
 */
import { MeterError } from '../errors.js';
import { crc16ArcText } from '../bytes/crc.js';
import type { RawReading } from '../model/message.js';
import { parseObis } from '../obis/obis.js';
import { dsmrCodeInfo } from './dsmr-codes.js';
import { decodeHexText, encodeHexText } from './value-text.js';
import { formatDsmrTimestamp } from './timestamp.js';

export { formatDsmrTimestamp };

export type DsmrCrcStyle = 'crc16' | 'crc3' | 'none';

export interface DsmrDigits {
  int: number;
  frac: number;
  /** More decimals allowed when the value has them (DSMR 5 says A F3(0), meters send 0.48 A). */
  maxFrac?: number;
}

/** DSMR 5 layouts by code; `*` stands for any M-Bus channel. */
const DSMR5_DIGITS: Readonly<Record<string, DsmrDigits>> = (() => {
  const t: Record<string, DsmrDigits> = {};
  const put = (digits: DsmrDigits, ...codes: string[]): void => { for (const c of codes) t[c] = digits; };
  put({ int: 6, frac: 3 }, '1-0:1.8.0', '1-0:1.8.1', '1-0:1.8.2', '1-0:2.8.0', '1-0:2.8.1', '1-0:2.8.2');
  put({ int: 2, frac: 3 }, '1-0:1.7.0', '1-0:2.7.0', '1-0:21.7.0', '1-0:41.7.0', '1-0:61.7.0', '1-0:22.7.0',
    '1-0:42.7.0', '1-0:62.7.0', '1-0:1.4.0', '1-0:1.6.0');
  put({ int: 3, frac: 1 }, '1-0:32.7.0', '1-0:52.7.0', '1-0:72.7.0');
  put({ int: 3, frac: 0, maxFrac: 2 }, '1-0:31.7.0', '1-0:51.7.0', '1-0:71.7.0');
  put({ int: 3, frac: 0 }, '0-*:24.1.0');
  put({ int: 5, frac: 0 }, '0-0:96.7.21', '0-0:96.7.9', '1-0:32.32.0', '1-0:52.32.0', '1-0:72.32.0', '1-0:32.36.0',
    '1-0:52.36.0', '1-0:72.36.0');
  put({ int: 5, frac: 3 }, '0-*:24.2.1', '0-*:24.2.3');
  return t;
})();

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * `/header CRLF CRLF line CRLF … !CRC CRLF`. `crc3` writes the CRC without leading zeros, as some meters do
 * (it differs from `crc16` only when the CRC is below 0x1000); `none` writes DSMR 2.2/3.0 style `!` alone.
 */
export function formatDsmrTelegram(t: { header: string; lines: string[]; crc?: DsmrCrcStyle }): string {
  const header = t.header.startsWith('/') ? t.header.slice(1) : t.header;
  let text = `/${header}\r\n\r\n`;
  for (const line of t.lines) text += `${line}\r\n`;
  text += '!';
  const style = t.crc ?? 'crc16';
  if (style === 'none') return `${text}\r\n`;
  const crc = crc16ArcText(text);
  return `${text}${style === 'crc3' ? crc.toString(16).toUpperCase() : hex4(crc)}\r\n`;
}

/** A fixed-width DSMR value: `formatDsmrValue(4.426, {int: 6, frac: 3}, 'kWh')` → `000004.426*kWh`. */
export function formatDsmrValue(value: number, digits: DsmrDigits, unit?: string): string {
  if (!Number.isFinite(value)) throw new MeterError('BAD_VALUE', 'dsmr', `cannot write ${value} in a DSMR telegram`);
  const fixed = Math.abs(value).toFixed(Math.max(0, Math.min(20, digits.frac)));
  const dot = fixed.indexOf('.');
  const intLen = dot < 0 ? fixed.length : dot;
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  const text = sign + '0'.repeat(Math.max(0, digits.int - intLen)) + fixed;
  return unit ? `${text}*${unit}` : text;
}

function digitsFor(obis: string, channel: number): DsmrDigits | undefined {
  return DSMR5_DIGITS[obis] ?? (channel > 0 ? DSMR5_DIGITS[obis.replace(/-\d+:/, '-*:')] : undefined);
}

/** The fraction digits a value needs, between digits.frac and digits.maxFrac. */
function widened(value: number, digits: DsmrDigits): DsmrDigits {
  let frac = digits.frac;
  const max = digits.maxFrac ?? frac;
  while (frac < max && Number(value.toFixed(frac)) !== value) frac++;
  return frac === digits.frac ? digits : { int: digits.int, frac };
}

function valueText(r: RawReading, digits: DsmrDigits | undefined): string {
  if (typeof r.value === 'string') return r.unit ? `${r.value}*${r.unit}` : r.value;
  if (digits) return formatDsmrValue(r.value, widened(r.value, digits), r.unit);
  return r.unit ? `${r.value}*${r.unit}` : String(r.value);
}

/** 1-0:99.97.0: the count, and one entry at the reading's time per event when it has one. */
function eventLogLine(r: RawReading): string {
  let line = `${r.obis}(${r.value})(0-0:96.7.19)`;
  const n = typeof r.value === 'number' ? Math.min(10, r.value) : 0;
  if (r.timestamp) for (let i = 0; i < n; i++) line += `(${formatDsmrTimestamp(r.timestamp)})(0000000000*s)`;
  return line;
}

/** 0-0:98.1.0: the Belgian monthly maximum demand buffer from `max_demand_month_n` readings. */
function historyLine(months: RawReading[]): string {
  let line = `0-0:98.1.0(${months.length})(1-0:1.6.0)(1-0:1.6.0)`;
  for (const r of months) {
    const ts = r.timestamp ? formatDsmrTimestamp(r.timestamp) : '000101000000W'; // the meters' "no time" filler
    line += `(${ts})(${ts})(${valueText(r, { int: 2, frac: 3 })})`;
  }
  return line;
}

/** Hex-encodes text, but passes through ids the parser kept raw (hex that is not printable text, e.g. `3960…`). */
function hexTextValue(value: string): string {
  const rawHex = value.length % 2 === 0 && /^[0-9A-Fa-f]*$/.test(value) && decodeHexText(value) === undefined;
  return rawHex ? value : encodeHexText(value);
}

function readingLine(r: RawReading): string {
  const g = parseObis(r.obis);
  const obis = r.obis;
  const info = dsmrCodeInfo(g[0], g[1], g[2], g[3], g[4]);
  if (info?.kind === 'hex-text') return `${obis}(${hexTextValue(String(r.value))})`;
  if (info?.kind === 'text') return `${obis}(${r.value})`;
  if (info?.kind === 'event-log') return eventLogLine(r);
  const body = valueText(r, digitsFor(obis, g[1]));
  if (r.timestamp) return `${obis}(${formatDsmrTimestamp(r.timestamp)})(${body})`;
  // Keep a value whose time the meter did not know recognisable as such (the meters' "no time" filler).
  return r.quality?.includes('invalid_timestamp') ? `${obis}(000101000000W)(${body})` : `${obis}(${body})`;
}

/**
 * Writes readings as a DSMR 5 telegram: version and time stamp first (from the options or from 1-3:0.2.8 /
 * 0-0:1.0.0 readings), then one line per reading in the given order; equipment ids and messages hex-encoded.
 */
export function encodeDsmrTelegram(readings: RawReading[], options: {
  header: string; timestamp?: string; version?: string; crc?: DsmrCrcStyle;
}): string {
  const lines: string[] = [];
  const find = (obis: string): RawReading | undefined => readings.find((r) => r.obis === obis);
  const version = options.version ?? find('1-3:0.2.8')?.value ?? '50';
  lines.push(`1-3:0.2.8(${version})`);
  const ts = options.timestamp ?? find('0-0:1.0.0')?.value;
  if (typeof ts === 'string' && !Number.isNaN(Date.parse(ts))) lines.push(`0-0:1.0.0(${formatDsmrTimestamp(ts)})`);
  const months: RawReading[] = [];
  for (const r of readings) {
    if (r.obis === '1-3:0.2.8' || r.obis === '0-0:1.0.0') continue;
    if (r.obis === '0-0:98.1.0') { months.push(r); continue; }
    lines.push(readingLine(r));
  }
  if (months.length > 0) lines.push(historyLine(months));
  return formatDsmrTelegram({ header: options.header, lines, crc: options.crc });
}
