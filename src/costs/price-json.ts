/**
 * Dynamic prices as a JSON array of slots, as a price publisher sends them over MQTT:
 *
 *   [{ "start": "2026-10-25T02:00:00+02:00", "price": "0.2345" }, { "start": "2026-10-25T02:00:00+01:00", "price": 0.21 }, …]
 *
 * `start` is ISO 8601 with `Z` or an offset (a local time without one is ambiguous on the autumn day, so it is an
 * error here); `price` a number or a decimal string, per kWh in the tariffs' currency unless a unit is given
 * (e.g. "EUR/MWh"). An `end`, when present, must be `slotMinutes` after `start`; other fields are ignored. Prices
 * come out per kWh, exactly converted and kept to 12 decimals, like parsePriceCsv. Errors name the slot:
 * MeterError BAD_CONFIG "prices/nl slot 3: …".
 */
import { meterError } from '../core/errors.js';
import { div, fromDecimalString, fromNumber, toFixedString, type Rational } from './rational.js';
import { parsePriceUnit, parseZonedTime, type PriceCsv } from './price-csv.js';
import type { PriceSlot } from './types.js';

export interface PriceJsonOptions {
  /** For the error messages, e.g. the topic. */
  readonly source?: string;
  /** The plan's currency: the default unit is `<currency>/kWh`, and a unit in another currency is an error. */
  readonly currency: string;
  /** The unit of the prices, e.g. "EUR/MWh" or "ct/kWh"; per kWh in `currency` when absent. */
  readonly unit?: string;
  /** When given, a slot's `end` must lie this many minutes after its `start`. */
  readonly slotMinutes?: number;
}

/** Longest text quoted back in an error, so a garbage payload does not flood the log. */
const QUOTE = 40;
const quote = (v: unknown): string => {
  const text = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  return text.length > QUOTE ? `${text.slice(0, QUOTE)}…` : text;
};

function priceOf(v: unknown): Rational | undefined {
  try {
    if (typeof v === 'number') return fromNumber(v);
    if (typeof v === 'string' && v.trim() !== '') return fromDecimalString(v);
  } catch {
    return undefined;
  }
  return undefined;
}

export function parsePriceJson(text: string, options: PriceJsonOptions): PriceCsv {
  const where = options.source ?? 'price JSON';
  const unitText = options.unit ?? `${options.currency}/kWh`;
  const unit = parsePriceUnit(unitText);
  if (!unit) throw meterError('BAD_CONFIG', `${where}: "${unitText}" is not a price unit (e.g. EUR/MWh, ct/kWh)`);
  if (unit.currency !== options.currency) {
    throw meterError('BAD_CONFIG', `${where}: prices are in ${unit.currency} (${unit.unit}) but the tariffs are in ${options.currency}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw meterError('BAD_CONFIG', `${where}: not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) {
    throw meterError('BAD_CONFIG', `${where}: expected a JSON array of slots [{"start": "2026-03-29T00:00:00+01:00", "price": 0.25}, …]`);
  }
  if (data.length === 0) throw meterError('BAD_CONFIG', `${where}: no price slots`);
  const fail = (i: number, message: string): never => {
    throw meterError('BAD_CONFIG', `${where} slot ${i + 1}: ${message}`);
  };
  const indexOf = new Map<number, number>();
  const slots = data.map((item: unknown, i): PriceSlot => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(i, `expected an object {"start": …, "price": …}, found ${quote(item)}`);
    const slot = item as Record<string, unknown>;
    if (typeof slot.start !== 'string') return fail(i, '"start" is missing or not a string');
    const start = parseZonedTime(slot.start);
    if (start === undefined) return fail(i, `"start" ${quote(slot.start)} is not an ISO 8601 time with an offset, e.g. 2026-03-29T03:00:00+02:00`);
    if (slot.end !== undefined && options.slotMinutes !== undefined) {
      const end = typeof slot.end === 'string' ? parseZonedTime(slot.end) : undefined;
      if (end === undefined) return fail(i, `"end" ${quote(slot.end)} is not an ISO 8601 time with an offset`);
      if (end - start !== options.slotMinutes * 60_000) {
        fail(i, `the slot from ${slot.start} to ${slot.end} lasts ${(end - start) / 60_000} minutes, the tariff's slotMinutes is ${options.slotMinutes}`);
      }
    }
    if (!('price' in slot)) return fail(i, '"price" is missing');
    const price = priceOf(slot.price);
    if (price === undefined) return fail(i, `"price" ${quote(slot.price)} is not a number or a decimal string`);
    const seen = indexOf.get(start);
    if (seen !== undefined) fail(i, `the slot at ${new Date(start).toISOString()} was already given as slot ${seen + 1}`);
    indexOf.set(start, i);
    return { start, price: Number(toFixedString(div(price, unit.divisor), 12)) };
  });
  return { slots: slots.sort((a, b) => a.start - b.start), unit: unit.unit };
}
