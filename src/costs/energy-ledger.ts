/**
 * Energy cost and feed-in credit per local day, exactly. Each interval is clipped to the range and cut into
 * pieces at local midnights and wherever its price may change; each piece gets the interval's energy pro rata
 * by time (uniform power inside an interval) and is priced at the price in force when the piece starts.
 * Energy that cannot be priced is flagged and left out, never priced at 0.
 */
import { meterError } from '../core/errors.js';
import { dayIndexAt, type DaySpan } from './calendar.js';
import type { Pricer } from './price-sources.js';
import { add, fromNumber, isZero, mul, ratio, ZERO, type Rational } from './rational.js';
import type { CostFlag, Direction, EnergyInterval, UnknownReason } from './types.js';

export interface DayEnergy {
  importWh: Rational;
  exportWh: Rational;
  energyCost: Rational;
  feedInCredit: Rational;
  unknownWh: Rational;
}

export interface RawFlag {
  readonly reason: UnknownReason;
  readonly direction?: Direction;
  readonly from: number;
  readonly to: number;
  readonly wh?: Rational;
}

function checkInterval(iv: EnergyInterval, i: number): void {
  const ok = Number.isFinite(iv.start) && Number.isFinite(iv.end) && iv.end > iv.start
    && Number.isFinite(iv.importWh) && Number.isFinite(iv.exportWh) && iv.importWh >= 0 && iv.exportWh >= 0;
  const splitOk = [iv.importWhByTariff, iv.exportWhByTariff].every((s) => s === undefined
    || (Number.isFinite(s.t1) && Number.isFinite(s.t2) && s.t1 >= 0 && s.t2 >= 0));
  if (!ok || !splitOk) {
    throw meterError('BAD_INPUT', `energy interval ${i} is invalid: it needs end > start and finite energies of 0 or more`);
  }
  // The split by register is what gets priced: it must add up to the total (1 Wh of rounding allowed).
  for (const [name, total, s] of [['import', iv.importWh, iv.importWhByTariff], ['export', iv.exportWh, iv.exportWhByTariff]] as const) {
    if (s && Math.abs(s.t1 + s.t2 - total) > 1) {
      throw meterError('BAD_INPUT', `energy interval ${i}: ${name}WhByTariff adds up to ${s.t1 + s.t2} Wh, not ${name}Wh ${total}`);
    }
  }
}

export interface LedgerInput {
  readonly days: readonly DaySpan[];
  readonly intervals: readonly EnergyInterval[];
  readonly importPricer: Pricer;
  /** No export source: export is counted but not credited (and not flagged). */
  readonly exportPricer?: Pricer;
}

export function energyLedger(input: LedgerInput): { perDay: DayEnergy[]; flags: RawFlag[] } {
  const { days } = input;
  const perDay: DayEnergy[] = days.map(() => ({ importWh: ZERO, exportWh: ZERO, energyCost: ZERO, feedInCredit: ZERO, unknownWh: ZERO }));
  const flags: RawFlag[] = [];
  if (days.length === 0) return { perDay, flags };
  const rangeFrom = days[0].from;
  const rangeTo = days[days.length - 1].to;

  input.intervals.forEach((iv, i) => {
    checkInterval(iv, i);
    const s = Math.max(iv.start, rangeFrom);
    const e = Math.min(iv.end, rangeTo);
    if (s >= e) return;
    const length = iv.end - iv.start;
    const directions: Array<[Direction, number, Pricer | undefined]> = [
      ['import', iv.importWh, input.importPricer],
      ['export', iv.exportWh, input.exportPricer],
    ];
    for (const [direction, whNumber, pricer] of directions) {
      const split = direction === 'import' ? iv.importWhByTariff : iv.exportWhByTariff;
      const whTotal = split ? add(fromNumber(split.t1), fromNumber(split.t2)) : fromNumber(whNumber);
      if (isZero(whTotal)) continue;
      let t = s;
      let d = dayIndexAt(days, t);
      while (t < e) {
        while (t >= days[d].to) d += 1;
        const limit = Math.min(e, days[d].to);
        const p = pricer ? pricer.changePoint(t, limit) : limit;
        const share = ratio(p - t, length);
        const wh = mul(whTotal, share);
        const day = perDay[d];
        if (direction === 'import') day.importWh = add(day.importWh, wh); else day.exportWh = add(day.exportWh, wh);
        if (pricer) {
          const cost = pricer.cost(iv, direction, t, share, wh);
          if (typeof cost === 'string') {
            day.unknownWh = add(day.unknownWh, wh);
            flags.push({ reason: cost, direction, from: t, to: p, wh });
          } else if (direction === 'import') day.energyCost = add(day.energyCost, cost);
          else day.feedInCredit = add(day.feedInCredit, cost);
        }
        t = p;
      }
    }
  });
  return { perDay, flags };
}

/** Joins flags of the same reason and direction that touch, summing their energy. */
export function mergeFlags(raw: readonly RawFlag[], toNumber: (r: Rational) => number): CostFlag[] {
  const sorted = [...raw].sort((a, b) => (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0)
    || (a.direction ?? '').localeCompare(b.direction ?? '') || a.from - b.from);
  const out: Array<{ reason: UnknownReason; direction?: Direction; from: number; to: number; wh?: Rational }> = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && last.reason === f.reason && last.direction === f.direction && last.to >= f.from) {
      last.to = Math.max(last.to, f.to);
      if (f.wh) last.wh = add(last.wh ?? ZERO, f.wh);
    } else out.push({ ...f });
  }
  return out.map((f) => ({
    reason: f.reason, ...(f.direction ? { direction: f.direction } : {}), from: f.from, to: f.to,
    ...(f.wh ? { wh: toNumber(f.wh) } : {}),
  }));
}
