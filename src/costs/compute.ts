/**
 * The cost of one meter over [from, to) on one plan: energy cost, feed-in credit, standing charge and capacity
 * charge per local day, per local month and in total. Everything is summed as exact fractions and rounded once,
 * per shown figure, to 6 decimals (micro-units of the currency); so each figure is exact to ±0.0000005, and the
 * rounded parts of a total may differ from the rounded total in the last digit.
 */
import { meterError } from '../core/errors.js';
import { daysOf, perDayCharge, perMonthCharge, type DaySpan } from './calendar.js';
import { flandersMonths, monthlyPeaks } from './capacity-flanders.js';
import { dailyPeaks, norwayMonths } from './capacity-norway.js';
import { coarseMonths, HOUR_MS, hourStartOf, hourlyEnergyOf, QUARTER_MS, quarterDemandFrom, quarterDemandOf, quarterStartOf } from './demand.js';
import { energyLedger, mergeFlags, type DayEnergy, type RawFlag } from './energy-ledger.js';
import { createPricer, indexPrices, type PriceIndex } from './price-sources.js';
import { add, fromNumber, isZero, sub, toFixedNumber, toNumber, ZERO, type Rational } from './rational.js';
import { planFor } from './tariff-plan.js';
import type { Plan, TariffsConfig } from './tariff-schema.js';
import type { CapacityMonth, CostPeriod, CostReport, EnergyInterval, KnownMonthlyPeak, PriceSlot, QuarterDemand } from './types.js';
import { createZone, type Zone } from './zone.js';

export interface CostRequest {
  readonly from: number;
  readonly to: number;
  readonly intervals: readonly EnergyInterval[];
  /** Dynamic price series by the name a plan's `series` gives. */
  readonly prices?: Readonly<Record<string, readonly PriceSlot[]>>;
  /**
   * Flanders: 15-minute demand if the intervals are not 15-minute buckets, covering the months billed and the
   * 11 before them. Replaces the demand derived from the intervals.
   */
  readonly demand?: readonly QuarterDemand[];
  /** Flanders: monthly peaks of earlier months known from elsewhere (used where no demand data covers a month). */
  readonly knownPeaks?: readonly KnownMonthlyPeak[];
  /** Months ending after `now` are provisional (their peak can still rise). */
  readonly now?: number;
}

/** Exact amounts per local day, before rounding (the property tests compare these). */
export interface ExactDay {
  readonly span: DaySpan;
  readonly energy: DayEnergy;
  readonly standingCharge: Rational;
  readonly capacityCharge: Rational;
  readonly capacityKnown: boolean;
}

const money = (r: Rational): number => toFixedNumber(r, 6);
const MAX_RANGE_MS = 3660 * 86_400_000;

function capacityMonths(plan: Plan, zone: Zone, months: string[], req: CostRequest): { list: CapacityMonth[]; charges: Map<string, Rational | null> } {
  const charges = new Map<string, Rational | null>();
  const cap = plan.capacity;
  if (!cap) return { list: [], charges };
  const monthEnd = (m: string): number => zone.fromLocal(Number(m.slice(0, 4)), Number(m.slice(5, 7)) + 1, 1);
  const provisional = (m: string): boolean => req.now !== undefined && req.now < monthEnd(m);
  if (cap.type === 'flanders') {
    const measured = monthlyPeaks(req.demand ? quarterDemandFrom(req.demand) : quarterDemandOf(req.intervals), zone);
    if (!req.demand) for (const m of coarseMonths(req.intervals, QUARTER_MS, quarterStartOf, zone)) measured.delete(m);
    const result = flandersMonths(cap, months, measured, req.knownPeaks);
    return {
      charges: new Map(result.map((r) => [r.month, r.charge])),
      list: result.map((r) => ({
        month: r.month, peakKw: r.peakKw && toNumber(r.peakKw), billedKw: r.billedKw && toNumber(r.billedKw),
        monthsInMean: r.monthsInMean, monthCharge: r.charge && money(r.charge), provisional: provisional(r.month),
      })),
    };
  }
  const peaks = dailyPeaks(hourlyEnergyOf(req.intervals, zone), zone);
  for (const m of coarseMonths(req.intervals, HOUR_MS, hourStartOf(zone), zone)) peaks.delete(m);
  const result = norwayMonths(cap, months, peaks);
  return {
    charges: new Map(result.map((r) => [r.month, r.charge])),
    list: result.map((r) => ({
      month: r.month, peakKw: r.meanKw && toNumber(r.meanKw), step: r.step, peakDays: r.peakDays,
      monthCharge: r.charge && money(r.charge), provisional: provisional(r.month),
    })),
  };
}

function indexAll(plan: Plan, prices: CostRequest['prices']): Record<string, PriceIndex> {
  const out: Record<string, PriceIndex> = {};
  for (const source of [plan.import, plan.export]) {
    if (source?.type === 'dynamic' && prices?.[source.series]) {
      out[source.series] = indexPrices(source.series, prices[source.series], source.slotMinutes);
    }
  }
  return out;
}

/** The exact per-day ledger and the unmerged flags. */
export function computeExact(plan: Plan, timeZone: string | Zone, req: CostRequest): { zone: Zone; days: ExactDay[]; flags: RawFlag[]; capacity: CapacityMonth[] } {
  if (!Number.isFinite(req.from) || !Number.isFinite(req.to) || req.to < req.from) {
    throw meterError('BAD_INPUT', 'a cost range needs finite from ≤ to (epoch ms)');
  }
  if (req.to - req.from > MAX_RANGE_MS) throw meterError('BAD_INPUT', 'a cost range spans at most 10 years (3,660 days)');
  const zone = typeof timeZone === 'string' ? createZone(timeZone) : timeZone;
  const spans = daysOf(zone, req.from, req.to);
  const indexes = indexAll(plan, req.prices);
  const ledger = energyLedger({
    days: spans, intervals: req.intervals,
    importPricer: createPricer(plan.import, zone, indexes),
    exportPricer: plan.export ? createPricer(plan.export, zone, indexes) : undefined,
  });
  const months = [...new Set(spans.map((d) => d.month))];
  const capacity = capacityMonths(plan, zone, months, req);
  const flags = [...ledger.flags];
  const standing = plan.standingCharge;
  const perDay = standing && 'perDay' in standing ? fromNumber(standing.perDay) : undefined;
  const perMonth = standing && 'perMonth' in standing ? fromNumber(standing.perMonth) : undefined;
  const days = spans.map((span, i): ExactDay => {
    const monthCharge = capacity.charges.get(span.month);
    const capacityKnown = !plan.capacity || (monthCharge !== null && monthCharge !== undefined);
    if (!capacityKnown) flags.push({ reason: 'no-capacity-data', from: span.from, to: span.to });
    return {
      span, energy: ledger.perDay[i],
      standingCharge: perDay ? perDayCharge(span, perDay) : perMonth ? perMonthCharge(span, perMonth) : ZERO,
      capacityCharge: monthCharge ? perMonthCharge(span, monthCharge) : ZERO,
      capacityKnown,
    };
  });
  return { zone, days, flags, capacity: capacity.list };
}

function period(label: string, days: readonly ExactDay[]): CostPeriod {
  let importWh = ZERO, exportWh = ZERO, energyCost = ZERO, feedIn = ZERO, standing = ZERO, capacity = ZERO;
  let complete = true;
  for (const d of days) {
    importWh = add(importWh, d.energy.importWh);
    exportWh = add(exportWh, d.energy.exportWh);
    energyCost = add(energyCost, d.energy.energyCost);
    feedIn = add(feedIn, d.energy.feedInCredit);
    standing = add(standing, d.standingCharge);
    capacity = add(capacity, d.capacityCharge);
    if (!isZero(d.energy.unknownWh) || !d.capacityKnown) complete = false;
  }
  const total = add(sub(energyCost, feedIn), add(standing, capacity));
  return {
    label, from: days[0]?.span.from ?? 0, to: days[days.length - 1]?.span.to ?? 0,
    importWh: toNumber(importWh), exportWh: toNumber(exportWh), energyCost: money(energyCost), feedInCredit: money(feedIn),
    standingCharge: money(standing), capacityCharge: money(capacity), total: money(total), complete,
  };
}

/** The exact total of a range (energy − feed-in + standing + capacity), for comparisons. */
export function exactTotal(days: readonly ExactDay[]): Rational {
  return days.reduce((acc, d) => add(acc, add(sub(d.energy.energyCost, d.energy.feedInCredit), add(d.standingCharge, d.capacityCharge))), ZERO);
}

/** Costs of one meter on one plan over [from, to), per local day and month of `timeZone`. */
export function computeCosts(plan: Plan, currency: string, timeZone: string, req: CostRequest): CostReport {
  const { days, flags, capacity } = computeExact(plan, timeZone, req);
  const byMonth = new Map<string, ExactDay[]>();
  for (const d of days) {
    const list = byMonth.get(d.span.month);
    if (list) list.push(d); else byMonth.set(d.span.month, [d]);
  }
  const total = days.length > 0 ? period('total', days) : { ...period('total', []), from: req.from, to: req.to };
  return {
    currency, timeZone, total,
    days: days.map((d) => period(d.span.date, [d])),
    months: [...byMonth].map(([m, list]) => period(m, list)),
    capacity,
    flags: mergeFlags(flags, toNumber),
  };
}

/** computeCosts for a meter, on the plan the `tariffs:` section assigns it. */
export function computeMeterCosts(config: TariffsConfig, meterId: string, req: CostRequest): CostReport {
  return computeCosts(planFor(config, meterId), config.currency, config.timeZone, req);
}
