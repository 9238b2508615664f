/**
 * The dynamic prices received over MQTT, kept in a file of the state dir so that a restart keeps the prices of the
 * days before: a publisher usually retains only today's and tomorrow's prices, and without this file the costs of
 * yesterday would turn `missing-price` after a reader restart. One JSON file for all MQTT series, replaced
 * atomically after every accepted message. Each series records where its prices came from (the topic URL as logs
 * show it: no password) and the unit and slot length; a series now read from another topic, format, unit or slot
 * length starts empty rather than mixing two markets. A file that does not parse is logged and set aside, never
 * fatal. Slots older than KEEP_DAYS are dropped when the file is written.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PriceSlot } from '../costs/index.js';
import type { SinkLog } from '../sinks/types.js';

export const PRICE_STATE_FILE = 'dashboard-prices.json';
/** A year's chart and the same month a year ago can still be priced. */
export const KEEP_DAYS = 400;
const VERSION = 1;

/** What makes two runs' prices of a series the same prices. */
export interface PriceSourceId {
  readonly source: string;
  readonly format: string;
  readonly unit?: string;
  readonly slotMinutes: number;
}

interface StoredSeries extends PriceSourceId {
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

export interface PriceState {
  /** The slots kept for `series` if they came from the same source; logs why not otherwise. */
  restore(series: string, id: PriceSourceId): readonly PriceSlot[] | undefined;
  save(series: string, id: PriceSourceId, slots: readonly PriceSlot[]): void;
}

const sameSource = (a: PriceSourceId, b: PriceSourceId) =>
  a.source === b.source && a.format === b.format && (a.unit ?? '') === (b.unit ?? '') && a.slotMinutes === b.slotMinutes;

function validSlots(value: unknown): value is Array<[number, number]> {
  if (!Array.isArray(value)) return false;
  let last = -Infinity;
  for (const s of value) {
    if (!Array.isArray(s) || s.length !== 2 || !Number.isSafeInteger(s[0]) || !Number.isFinite(s[1]) || s[0] <= last) return false;
    last = s[0];
  }
  return true;
}

function readState(path: string, log: SinkLog): Map<string, StoredSeries> {
  const out = new Map<string, StoredSeries>();
  if (!existsSync(path)) return out;
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; series?: Record<string, Partial<StoredSeries>> };
    if (doc.version !== VERSION || typeof doc.series !== 'object' || doc.series === null) throw new Error(`not a version ${VERSION} price file`);
    for (const [name, s] of Object.entries(doc.series)) {
      if (typeof s.source !== 'string' || typeof s.format !== 'string' || !Number.isInteger(s.slotMinutes) || !validSlots(s.slots)) {
        throw new Error(`series "${name}" is malformed`);
      }
      out.set(name, { source: s.source, format: s.format, unit: typeof s.unit === 'string' ? s.unit : undefined, slotMinutes: s.slotMinutes!, slots: s.slots });
    }
    return out;
  } catch (e) {
    const aside = `${path}.unreadable`;
    try { renameSync(path, aside); } catch { /* left where it is; rewritten at the next message */ }
    log.error(`dashboard: the kept MQTT prices in ${path} cannot be read (${(e as Error).message}): moved to ${aside}; ` +
      'the series start with what the broker has retained');
    return new Map();
  }
}

export function openPriceState(path: string, log: SinkLog, now: () => number = Date.now): PriceState {
  const stored = readState(path, log);
  return {
    restore(series, id) {
      const s = stored.get(series);
      if (!s) return undefined;
      if (!sameSource(s, id)) {
        stored.delete(series);
        log.info(`dashboard: price series "${series}" now comes from ${id.source}; the ${s.slots.length} slots kept from ${s.source} are not used`);
        return undefined;
      }
      log.info(`dashboard: price series "${series}": ${s.slots.length} slots kept from earlier runs (${path})`);
      return s.slots.map(([start, price]) => ({ start, price }));
    },
    save(series, id, slots) {
      const oldest = now() - KEEP_DAYS * 86_400_000;
      stored.set(series, { ...id, slots: slots.filter((x) => x.start >= oldest).map((x) => [x.start, x.price] as const) });
      try {
        // Atomic: a reader killed mid-write leaves the previous file, never half of one.
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(`${path}.tmp`, JSON.stringify({ version: VERSION, series: Object.fromEntries(stored) }));
        renameSync(`${path}.tmp`, path);
      } catch (e) {
        log.error(`dashboard: cannot keep the MQTT prices in ${path} (${(e as Error).message}); they stay in memory`);
      }
    },
  };
}
