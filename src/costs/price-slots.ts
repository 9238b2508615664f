/**
 * Price series that arrive in pieces (MQTT messages, re-read files): parse a payload in either format, check that
 * no two slots are closer than the tariff's slot length, and merge new slots into the ones already known.
 */
import { meterError } from '../core/errors.js';
import { parsePriceCsv } from './price-csv.js';
import { parsePriceJson } from './price-json.js';
import type { PriceSlot } from './types.js';

export type PricePayloadFormat = 'json' | 'csv';

export interface PricePayloadOptions {
  readonly format: PricePayloadFormat;
  /** For the error messages, e.g. the topic. */
  readonly source: string;
  readonly timeZone: string;
  readonly currency: string;
  readonly unit?: string;
  readonly slotMinutes: number;
}

/** The slots of one payload, sorted; MeterError BAD_CONFIG naming the line or slot when it is wrong. */
export function parsePricePayload(text: string, o: PricePayloadOptions): PriceSlot[] {
  if (o.format === 'csv') return parsePriceCsv(text, { source: o.source, timeZone: o.timeZone, currency: o.currency, unit: o.unit }).slots;
  return parsePriceJson(text, { source: o.source, currency: o.currency, unit: o.unit, slotMinutes: o.slotMinutes }).slots;
}

/** Throws BAD_CONFIG when two of the sorted slots start closer than slotMinutes apart (they would overlap). */
export function checkSlotSpacing(slots: readonly PriceSlot[], slotMinutes: number, where: string): void {
  const slotMs = slotMinutes * 60_000;
  for (let i = 1; i < slots.length; i += 1) {
    if (slots[i].start - slots[i - 1].start < slotMs) {
      throw meterError('BAD_CONFIG', `${where}: the slots at ${new Date(slots[i - 1].start).toISOString()} and ` +
        `${new Date(slots[i].start).toISOString()} are closer than the tariff's slotMinutes (${slotMinutes})`);
    }
  }
}

/** `known` with `incoming` merged in by start time (an incoming slot replaces a known one at the same start), sorted. */
export function mergePriceSlots(known: readonly PriceSlot[], incoming: readonly PriceSlot[]): PriceSlot[] {
  const byStart = new Map<number, PriceSlot>();
  for (const s of known) byStart.set(s.start, s);
  for (const s of incoming) byStart.set(s.start, s);
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}
