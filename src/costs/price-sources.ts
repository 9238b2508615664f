/**
 * Prices per kWh from a plan's import or export source, as exact fractions. A source says where its price can
 * change inside a stretch of time (changePoint), so the engine prices each piece at one price; an interval that
 * spans several prices is split pro rata by time (uniform power inside the interval).
 */
import { meterError } from '../core/errors.js';
import { add, fromNumber, mul, ONE, ZERO, type Rational } from './rational.js';
import type { DayName, DynamicSource, PriceSource, TouRule, TouSource } from './tariff-schema.js';
import { DAY_NAMES } from './tariff-plan.js';
import type { EnergyInterval, PriceSlot, UnknownReason } from './types.js';
import type { LocalTime, Zone } from './zone.js';

export interface Pricer {
  /** The first instant in (t, limit) where the price may change, or limit. */
  changePoint(t: number, limit: number): number;
  /**
   * The cost in currency of the `wh` Wh of a piece starting at `t` (its `share` of the interval, which register
   * pricing needs), or why it is unknown.
   */
  cost(interval: EnergyInterval, direction: 'import' | 'export', t: number, share: Rational, wh: Rational): Rational | UnknownReason;
}

const KWH = { n: 1n, d: 1000n } as const;

function perWh(pricePerKwh: Rational): Rational {
  return mul(pricePerKwh, KWH);
}

function fixedPricer(price: number): Pricer {
  const p = perWh(fromNumber(price));
  return { changePoint: (_t, limit) => limit, cost: (_i, _d, _t, _s, wh) => mul(wh, p) };
}

function registerPricer(t1: number, t2: number): Pricer {
  const p1 = perWh(fromNumber(t1));
  const p2 = perWh(fromNumber(t2));
  return {
    changePoint: (_t, limit) => limit,
    cost(interval, direction, _t, share, wh) {
      const split = direction === 'import' ? interval.importWhByTariff : interval.exportWhByTariff;
      if (split) return mul(share, add(mul(fromNumber(split.t1), p1), mul(fromNumber(split.t2), p2)));
      if (interval.tariff === 1) return mul(wh, p1);
      if (interval.tariff === 2) return mul(wh, p2);
      return 'unknown-register';
    },
  };
}

interface CompiledRule {
  readonly price: Rational;
  readonly days?: ReadonlySet<DayName | 'holiday'>;
  /** [start, end) minutes of day; end ≤ start wraps midnight. */
  readonly hours?: ReadonlyArray<readonly [number, number]>;
  readonly seasons?: ReadonlyArray<readonly [string, string]>;
  readonly dates?: ReadonlyArray<readonly [string, string]>;
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function compileRule(r: TouRule): CompiledRule {
  return {
    price: perWh(fromNumber(r.price)),
    days: r.days ? new Set(r.days) : undefined,
    hours: r.hours?.map((h) => [minutes(h.slice(0, 5)), minutes(h.slice(6, 11))] as const),
    seasons: r.seasons?.map((s) => [s.from, s.to] as const),
    dates: r.dates?.map((d) => [d.from, d.to] as const),
  };
}

function inHours(m: number, [a, b]: readonly [number, number]): boolean {
  return a < b ? m >= a && m < b : m >= a || m < b;
}

function inSeason(md: string, [a, b]: readonly [string, string]): boolean {
  return a <= b ? md >= a && md <= b : md >= a || md <= b;
}

function matches(rule: CompiledRule, l: LocalTime, holiday: boolean): boolean {
  if (rule.days) {
    const day = DAY_NAMES[l.weekday];
    const hit = rule.days.has(day) || (holiday && rule.days.has('holiday'));
    if (!hit) return false;
  }
  if (rule.hours && !rule.hours.some((h) => inHours(l.minuteOfDay, h))) return false;
  if (rule.seasons && !rule.seasons.some((s) => inSeason(l.monthDay, s))) return false;
  if (rule.dates && !rule.dates.some(([a, b]) => l.date >= a && l.date <= b)) return false;
  return true;
}

/**
 * Time-of-use: the first rule matching the local wall clock sets the price. The price can change only at a rule's
 * hour edge, at local midnight (day, season, date range, holiday) or when the clock jumps (DST), so pieces end there.
 */
function touPricer(source: TouSource, zone: Zone): Pricer {
  const rules = source.rules.map(compileRule);
  const holidays = new Set(source.holidays ?? []);
  const edges = [...new Set(rules.flatMap((r) => r.hours?.flatMap(([a, b]) => [a, b]) ?? []).concat([1440]))]
    .filter((m) => m > 0).sort((a, b) => a - b);
  const priceAt = (t: number): Rational | undefined => {
    const l = zone.local(t);
    return rules.find((r) => matches(r, l, holidays.has(l.date)))?.price;
  };
  return {
    changePoint(t, limit) {
      const l = zone.local(t);
      const msIntoMinute = (((t + zone.offsetMinutes(t) * 60_000) % 60_000) + 60_000) % 60_000;
      const edge = edges.find((m) => m > l.minuteOfDay) ?? 1440;
      const wallLinear = t - msIntoMinute + (edge - l.minuteOfDay) * 60_000;
      const end = Math.min(wallLinear, limit);
      return zone.nextTransition(t, end) ?? end;
    },
    cost(_i, _d, t, _s, wh) {
      const p = priceAt(t);
      return p ? mul(wh, p) : 'no-matching-rule';
    },
  };
}

/** A dynamic price series, sorted, each slot lasting slotMinutes; gaps stay gaps. */
export interface PriceIndex {
  readonly starts: Float64Array;
  readonly prices: readonly Rational[];
  readonly slotMs: number;
}

/** Sorts and checks a series: a start given twice or a slot not on the slot grid is a BAD_CONFIG error. */
export function indexPrices(series: string, slots: readonly PriceSlot[], slotMinutes: number): PriceIndex {
  const slotMs = slotMinutes * 60_000;
  const sorted = [...slots].sort((a, b) => a.start - b.start);
  sorted.forEach((s, i) => {
    if (!Number.isFinite(s.start) || !Number.isFinite(s.price)) {
      throw meterError('BAD_CONFIG', `price series "${series}": slot ${i} has a non-finite start or price`);
    }
    if (s.start % 60_000 !== 0) throw meterError('BAD_CONFIG', `price series "${series}": slot at ${new Date(s.start).toISOString()} does not start on a whole minute`);
    if (i > 0 && s.start < sorted[i - 1].start + slotMs) {
      throw meterError('BAD_CONFIG', `price series "${series}": slots at ${new Date(sorted[i - 1].start).toISOString()} and ${new Date(s.start).toISOString()} overlap (slots last ${slotMinutes} minutes)`);
    }
  });
  return { starts: Float64Array.from(sorted.map((s) => s.start)), prices: sorted.map((s) => fromNumber(s.price)), slotMs };
}

/** Index of the last slot starting at or before t, or -1. */
function slotAt(index: PriceIndex, t: number): number {
  let lo = 0;
  let hi = index.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index.starts[mid] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

function dynamicPricer(source: DynamicSource, index: PriceIndex | undefined): Pricer {
  const factor = source.factor === undefined ? ONE : fromNumber(source.factor);
  const adder = source.adder === undefined ? ZERO : fromNumber(source.adder);
  return {
    changePoint(t, limit) {
      if (!index) return limit;
      const i = slotAt(index, t);
      const slotEnd = i >= 0 && t < index.starts[i] + index.slotMs ? index.starts[i] + index.slotMs : Infinity;
      const nextStart = i + 1 < index.starts.length ? index.starts[i + 1] : Infinity;
      return Math.min(slotEnd, nextStart, limit);
    },
    cost(_i, _d, t, _s, wh) {
      if (!index) return 'missing-price';
      const i = slotAt(index, t);
      if (i < 0 || t >= index.starts[i] + index.slotMs) return 'missing-price';
      return mul(wh, perWh(add(mul(index.prices[i], factor), adder)));
    },
  };
}

export function createPricer(source: PriceSource, zone: Zone, prices: Readonly<Record<string, PriceIndex>>): Pricer {
  switch (source.type) {
    case 'fixed': return fixedPricer(source.price);
    case 'registers': return registerPricer(source.t1, source.t2);
    case 'timeOfUse': return touPricer(source, zone);
    case 'dynamic': return dynamicPricer(source, prices[source.series]);
  }
}
