// Independent reference for the cost tests: local wall time straight from Intl.DateTimeFormat, minute by minute
// (or quarter by quarter, exact for zones whose changes fall on quarter hours), floats summed naively. None of
// this uses src/costs helpers.
import type { EnergyInterval } from '../src/costs/index.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

export interface Wall {
  y: number; m: number; d: number; h: number; mi: number;
  /** 'Mon', 'Tue', … */
  wd: string;
  date: string;
  month: string;
}

export function wall(ms: number, timeZone: string): Wall {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return {
    y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), wd: p.weekday,
    date: `${p.year}-${p.month}-${p.day}`, month: `${p.year}-${p.month}`,
  };
}

/** The UTC instant of a local wall time found by scanning (no offset arithmetic): first minute showing it. */
export function localToUtc(timeZone: string, y: number, m: number, d: number, h = 0, mi = 0): number {
  const guess = Date.UTC(y, m - 1, d, h, mi);
  for (let t = guess - 15 * 3_600_000; t <= guess + 15 * 3_600_000; t += 60_000) {
    const w = wall(t, timeZone);
    if (w.y === y && w.m === m && w.d === d && w.h === h && w.mi === mi) return t;
  }
  throw new Error(`no instant shows ${y}-${m}-${d} ${h}:${mi} in ${timeZone}`);
}

export const MIN = 60_000;
export const QUARTER = 15 * MIN;
export const HOUR = 60 * MIN;

/** Calls fn for every step-long slice of [from, to) with its start instant. */
export function walk(from: number, to: number, step: number, fn: (t: number) => void): void {
  for (let t = from; t < to; t += step) fn(t);
}

/**
 * Energy cost per local date by walking minutes: each minute of an interval carries Wh × 1 min / length (uniform
 * power), priced at the price in force at that minute.
 */
export function referenceEnergy(
  intervals: readonly EnergyInterval[], from: number, to: number, timeZone: string,
  priceAt: (t: number, w: Wall) => number | undefined, pick: (iv: EnergyInterval) => number = (iv) => iv.importWh,
): { byDate: Map<string, number>; total: number; unknownWh: number } {
  const byDate = new Map<string, number>();
  let total = 0;
  let unknownWh = 0;
  for (const iv of intervals) {
    const perMinute = pick(iv) * MIN / (iv.end - iv.start);
    walk(Math.max(iv.start, from), Math.min(iv.end, to), MIN, (t) => {
      const w = wall(t, timeZone);
      const p = priceAt(t, w);
      if (p === undefined) { unknownWh += perMinute; return; }
      const c = perMinute * p / 1000;
      byDate.set(w.date, (byDate.get(w.date) ?? 0) + c);
      total += c;
    });
  }
  return { byDate, total, unknownWh };
}

/** How many step slices each local date has (a 23-hour day has 23 × 60 minutes). */
export function slicesPerDate(from: number, to: number, step: number, timeZone: string): Map<string, number> {
  const out = new Map<string, number>();
  walk(from, to, step, (t) => {
    const d = wall(t, timeZone).date;
    out.set(d, (out.get(d) ?? 0) + 1);
  });
  return out;
}

/** Distinct local dates of a month, by walking its quarters from well before to well after. */
const monthDays = new Map<string, number>();

export function daysInMonthByWalking(timeZone: string, y: number, m: number): number {
  const key = `${y}-${String(m).padStart(2, '0')}`;
  const known = monthDays.get(`${timeZone} ${key}`);
  if (known !== undefined) return known;
  const dates = new Set<string>();
  walk(Date.UTC(y, m - 1, 1) - 2 * 86_400_000, Date.UTC(y, m, 1) + 2 * 86_400_000, QUARTER, (t) => {
    const w = wall(t, timeZone);
    if (w.month === key) dates.add(w.date);
  });
  monthDays.set(`${timeZone} ${key}`, dates.size);
  return dates.size;
}

/** A deterministic pseudo-random sequence (no Math.random: failures must replay). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function near(actual: number, expected: number, tolerance = 1e-6): boolean {
  return Math.abs(actual - expected) <= tolerance;
}
