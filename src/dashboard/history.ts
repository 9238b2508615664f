/**
 * History behind the dashboard's charts. `HistoryStore` is what the pages ask for; the in-memory store (fed by
 * the web output's write()) keeps the last 24 h at 1-minute resolution plus the latest raw samples, bounded
 * whatever the meters send. A store over the SQL rollups implements the same interface.
 */
import { baseUnitOf } from '../core/model/base-units.js';
import type { Resolution } from './resolution.js';

export interface SeriesPoint {
  /** Bucket start (or the sample's time for raw), ms since 1970. */
  t: number;
  /** Mean of the bucket (the sample itself for raw); for a counter (Wh, m3) its last value in the bucket. */
  value: number;
  min: number;
  max: number;
  /** Counters only: how much the counter rose in the bucket (energy per bucket; volume for gas and water). */
  delta?: number;
}

export interface Series {
  meter: string;
  reading: string;
  /** The base unit of the values (toBaseUnit): W, Wh, V, A, Hz, m3, '' for none. */
  unit: string;
  resolution: Resolution;
  points: SeriesPoint[];
}

export interface SeriesQuery {
  meter: string;
  reading: string;
  fromMs: number;
  toMs: number;
  resolution: Resolution;
}

export interface HistoryStore {
  /** Points of one reading of one meter in [fromMs, toMs) at the given resolution (see chooseResolution). */
  series(q: SeriesQuery): Promise<Series>;
  /** The readings that have history for a meter, with their base units. */
  readings(meter: string): Promise<Array<{ id: string; unit: string }>>;
  /** The meter's push interval as the store saw it (for chooseResolution), when known. */
  rawIntervalMs(meter: string): Promise<number | undefined>;
  /** Meters the store holds (a store without a reader has no live state to list them). */
  meters?(): Promise<StoredMeter[]>;
  /** The zone the store cuts the meter's local hours, days and months in, when it records one. */
  timeZone?(meter: string): Promise<string | undefined>;
  close?(): Promise<void>;
}

export interface StoredMeter {
  meter: string;
  profile?: string;
  manufacturer?: string;
  /** First and newest message the store holds (a fleet store's meter list leaves them out). */
  firstSeen?: string;
  lastSeen?: string;
  timeZone?: string;
}

/** Units of quantities that are cumulative counters: their per-bucket value is the increase. */
const COUNTER_UNITS = new Set(['Wh', 'varh', 'VAh', 'm3', 'J']);

export function isCounterUnit(baseUnit: string): boolean {
  return COUNTER_UNITS.has(baseUnit);
}

export function isCounterReading(unit: string | undefined): boolean {
  return isCounterUnit(baseUnitOf(unit));
}
