/**
 * Dynamic prices from the common CSV shape: one row per slot, a time and a price.
 *
 *   time;price (EUR/MWh)            ← header optional; a unit in it is read (EUR/MWh, EUR/kWh, ct/kWh, øre/kWh …)
 *   2026-03-29T00:00:00+01:00;83,45 ← ISO time with offset or Z, or local "YYYY-MM-DD HH:MM" in the plan's zone
 *
 * Separator `;`, `,` or tab (from the first line); with `;` or tab a decimal comma is accepted. Lines that are
 * empty or start with `#` are skipped. A local time the clock shows twice (autumn) is taken in file order: the
 * first row at the earlier instant, a repeat at the later. Prices come out per kWh, exactly converted.
 * Errors name the line: MeterError BAD_CONFIG "prices.csv line 7: …".
 */
import { meterError } from '../core/errors.js';
import { div, fromDecimalString, ratio, toFixedString, type Rational } from './rational.js';
import type { PriceSlot } from './types.js';
import { createZone, type Zone } from './zone.js';

export interface PriceCsvOptions {
  /** For the error messages, e.g. the file name. */
  readonly source?: string;
  /** Needed when the file has local times. */
  readonly timeZone?: string;
  /** The unit when the header has none, e.g. "EUR/MWh". */
  readonly unit?: string;
  /** The plan's currency: a different currency in the unit is an error. */
  readonly currency?: string;
}

export interface PriceCsv {
  readonly slots: PriceSlot[];
  /** The unit the prices were given in. */
  readonly unit: string;
}

const UNIT = /(€|cent|ct|øre|ore|c|[A-Za-z]{3})\s*\/\s*(kWh|MWh)/i;
const MINOR: Record<string, string> = { ct: 'EUR', cent: 'EUR', c: 'EUR', øre: 'NOK', ore: 'NOK' };
const ISO_ZONED = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?\s*(Z|[+-]\d\d:?\d\d)$/;
const LOCAL = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?$/;

export interface PriceUnit {
  /** What a price in this unit is divided by to be per kWh in the major currency unit. */
  readonly divisor: Rational;
  readonly currency: string;
  /** As written, e.g. "ct/kWh". */
  readonly unit: string;
}

/** Per-kWh divisor and currency of a unit like "EUR/MWh" or "ct/kWh" (found anywhere in the text). */
export function parsePriceUnit(text: string): PriceUnit | undefined {
  const m = UNIT.exec(text);
  if (!m) return undefined;
  const major = m[1] === '€' ? 'EUR' : MINOR[m[1].toLowerCase()];
  const minor = major !== undefined && m[1] !== '€';
  const currency = major ?? m[1].toUpperCase();
  const perMwh = m[2].toLowerCase() === 'mwh';
  return { divisor: ratio((perMwh ? 1000 : 1) * (minor ? 100 : 1)), currency, unit: `${m[1]}/${m[2]}` };
}

function splitLine(line: string, sep: string): string[] {
  return line.split(sep).map((f) => f.trim().replace(/^"(.*)"$/, '$1').trim());
}

/** All instants the wall clock shows this local time at (two in the autumn overlap, none in the spring gap). */
function localInstants(zone: Zone, y: number, mo: number, d: number, h: number, mi: number, s: number): number[] {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsets = new Set([zone.offsetMinutes(wall - 86_400_000), zone.offsetMinutes(wall), zone.offsetMinutes(wall + 86_400_000)]);
  return [...offsets].map((o) => wall - o * 60_000).filter((t) => t + zone.offsetMinutes(t) * 60_000 === wall).sort((a, b) => a - b);
}

/** Minutes east of UTC of an offset matched by ISO_ZONED ("Z", "+01:00", "-0330"). */
function offsetOf(text: string): number {
  return text === 'Z' ? 0 : (text[0] === '-' ? -1 : 1) * (Number(text.slice(1, 3)) * 60 + Number(text.slice(-2)));
}

/**
 * Epoch ms of an ISO 8601 time with "Z" or an offset ("2026-10-25T02:00:00+01:00"); undefined when the text is
 * not one or names a date or time that does not exist (31 April, 24:00).
 */
export function parseZonedTime(text: string): number | undefined {
  const m = ISO_ZONED.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0));
  if (!validDate(y, mo, d, h, mi, s)) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s) - offsetOf(m[7]) * 60_000;
}

function validDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

export function parsePriceCsv(text: string, options: PriceCsvOptions = {}): PriceCsv {
  const where = options.source ?? 'price CSV';
  const fail = (line: number, message: string): never => {
    throw meterError('BAD_CONFIG', `${where} line ${line}: ${message}`);
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const firstIndex = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (firstIndex < 0) throw meterError('BAD_CONFIG', `${where}: no price rows`);
  const first = lines[firstIndex];
  const sep = first.includes(';') ? ';' : first.includes('\t') ? '\t' : ',';
  const header = splitLine(first, sep);
  const hasHeader = !/^\d{4}-/.test(header[0]);
  // Rows have as many fields as the header (extra columns allowed there), else exactly a time and a price: a stray
  // field is most often a decimal comma in a comma-separated file, and guessing would be a silent wrong price.
  const width = hasHeader ? Math.max(2, header.length) : 2;
  const unitText = (hasHeader ? header.map((h) => parsePriceUnit(h)).find(Boolean) : undefined) ?? (options.unit ? parsePriceUnit(options.unit) : undefined);
  if (!unitText) {
    throw meterError('BAD_CONFIG', `${where}: say the price unit, in the header (e.g. "price (EUR/MWh)") or as the unit option`);
  }
  if (options.currency && unitText.currency !== options.currency) {
    throw meterError('BAD_CONFIG', `${where}: prices are in ${unitText.currency} (${unitText.unit}) but the tariffs are in ${options.currency}`);
  }
  const zone = options.timeZone ? createZone(options.timeZone) : undefined;
  const slots: PriceSlot[] = [];
  const lineOf = new Map<number, number>();
  let previous = -Infinity;
  for (let i = hasHeader ? firstIndex + 1 : firstIndex; i < lines.length; i += 1) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const n = i + 1;
    const fields = splitLine(raw, sep);
    const sepName = sep === '\t' ? 'tab' : `"${sep}"`;
    if (fields.length < 2) fail(n, `expected a time and a price separated by ${sepName}`);
    if (fields.length !== width) {
      fail(n, `expected ${width} fields separated by ${sepName}, found ${fields.length}${sep === ',' ? ' (a decimal comma? write decimals with "." or separate with ";")' : ''}`);
    }
    const [timeText, priceText] = fields;
    let start: number;
    const zoned = ISO_ZONED.exec(timeText);
    const local = zoned ? null : LOCAL.exec(timeText);
    const parts = (zoned ?? local)?.slice(1, 7).map((v) => Number(v ?? 0));
    if (!parts) return fail(n, `"${timeText}" is not a time: write 2026-03-29T00:00:00+01:00, …Z or a local 2026-03-29 00:00`);
    const [y, mo, d, h, mi, s] = parts;
    if (!validDate(y, mo, d, h, mi, s)) fail(n, `"${timeText}" is not a valid date and time`);
    if (zoned) {
      start = Date.UTC(y, mo - 1, d, h, mi, s) - offsetOf(zoned[7]) * 60_000;
    } else {
      if (!zone) return fail(n, `"${timeText}" is a local time: give the time zone (the tariffs' timeZone)`);
      const instants = localInstants(zone, y, mo, d, h, mi, s);
      if (instants.length === 0) fail(n, `${timeText} does not exist in ${zone.timeZone} (the clock skips it)`);
      start = instants.find((t) => t > previous) ?? instants[instants.length - 1];
    }
    if (priceText === '') fail(n, 'the price is empty');
    let price: Rational;
    try {
      price = fromDecimalString(sep === ',' ? priceText : priceText.replace(',', '.'));
    } catch {
      return fail(n, `"${priceText}" is not a number${sep === ',' ? ' (with "," as separator, write decimals with ".")' : ''}`);
    }
    const seen = lineOf.get(start);
    if (seen !== undefined) fail(n, `the slot at ${new Date(start).toISOString()} was already given on line ${seen}`);
    lineOf.set(start, n);
    previous = start;
    slots.push({ start, price: Number(toFixedString(div(price, unitText.divisor), 12)) });
  }
  if (slots.length === 0) throw meterError('BAD_CONFIG', `${where}: no price rows`);
  return { slots: slots.sort((a, b) => a.start - b.start), unit: unitText.unit };
}
