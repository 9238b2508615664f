import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCosts, createZone, flandersHeadroom, flandersLiveHeadroom, norwayHeadroom, norwayLiveHeadroom, type EnergyInterval, type NorwayCapacity, type Plan } from '../src/costs/index.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { HOUR, MIN, QUARTER, lcg, localToUtc, near, wall } from './costs-support.js';

const BRU = 'Europe/Brussels';
const OSL = 'Europe/Oslo';
const PRICE_KW_YEAR = 53.2645;

function flandersPlan(): Plan {
  return parseTariffs({ currency: 'EUR', timeZone: BRU, plans: { p: {
    import: { type: 'fixed', price: 0.1 }, capacity: { type: 'flanders', pricePerKwYear: PRICE_KW_YEAR },
  } } }).plans.p;
}

const ELVIA_STEPS = [
  { fromKw: 0, toKw: 2, pricePerMonth: 110 }, { fromKw: 2, toKw: 5, pricePerMonth: 170 },
  { fromKw: 5, toKw: 10, pricePerMonth: 270 }, { fromKw: 10, toKw: 15, pricePerMonth: 370 },
  { fromKw: 15, toKw: 20, pricePerMonth: 470 }, { fromKw: 20, toKw: 25, pricePerMonth: 570 },
  { fromKw: 25, pricePerMonth: 1070 },
];

function norwayPlan(): Plan {
  return parseTariffs({ currency: 'NOK', timeZone: OSL, plans: { p: {
    import: { type: 'fixed', price: 0.4 }, capacity: { type: 'norway', steps: ELVIA_STEPS },
  } } }).plans.p;
}

function series(from: number, to: number, step: number, seed: number, maxWh: number, spikes: Record<number, number> = {}): EnergyInterval[] {
  const r = lcg(seed);
  const out: EnergyInterval[] = [];
  for (let t = from; t < to; t += step) out.push({ start: t, end: t + step, importWh: spikes[t] ?? Math.round(r() * maxWh), exportWh: Math.round(r() * 3000) });
  return out;
}

test('Flanders: monthly peak of 15-minute demand per local month, 2.5 kW minimum, mean of the months so far', () => {
  const from = localToUtc(BRU, 2026, 1, 1);
  const to = localToUtc(BRU, 2026, 4, 1);
  // Local midnight of 1 February and 1 March lies on the last UTC day of the month before: the spikes must count
  // for February (9.2 kW) and March (4.4 kW). January stays below the minimum. Big exports must not count.
  const ivs = series(from, to, QUARTER, 21, 500, { [localToUtc(BRU, 2026, 2, 1)]: 2300, [localToUtc(BRU, 2026, 3, 1)]: 1100 });
  const report = computeCosts(flandersPlan(), 'EUR', BRU, { from, to, intervals: ivs });
  // Reference: scan the quarters, month by Intl wall time of the quarter's start.
  const peaks = new Map<string, number>();
  for (const iv of ivs) {
    const m = wall(iv.start, BRU).month;
    peaks.set(m, Math.max(peaks.get(m) ?? 0, iv.importWh * 4 / 1000));
  }
  assert.deepEqual([...peaks.keys()], ['2026-01', '2026-02', '2026-03']);
  assert.ok(peaks.get('2026-01')! < 2.5);
  assert.equal(peaks.get('2026-02'), 9.2);
  assert.equal(peaks.get('2026-03'), 4.4);
  const floored = [...peaks.values()].map((p) => Math.max(2.5, p));
  const billed = floored.map((_, i) => floored.slice(0, i + 1).reduce((a, b) => a + b, 0) / (i + 1));
  assert.deepEqual(report.capacity.map((c) => c.month), ['2026-01', '2026-02', '2026-03']);
  report.capacity.forEach((c, i) => {
    assert.ok(near(c.peakKw!, [...peaks.values()][i], 1e-9));
    assert.ok(near(c.billedKw!, billed[i], 1e-9), `${c.month} billed ${c.billedKw} vs ${billed[i]}`);
    assert.equal(c.monthsInMean, i + 1);
    assert.ok(near(c.monthCharge!, PRICE_KW_YEAR / 12 * billed[i]));
    assert.ok(near(report.months[i].capacityCharge, PRICE_KW_YEAR / 12 * billed[i]));
    assert.equal(c.provisional, false);
  });
  assert.ok(near(report.total.capacityCharge, billed.reduce((a, b) => a + b, 0) * PRICE_KW_YEAR / 12));
  assert.equal(report.total.complete, true);
});

test('Flanders: the 12-month rolling mean of known peaks (wikibooks table: 4.456 kW), the window moving on', () => {
  const months = ['2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04'];
  const kw = [0.632, 4.6, 0, 1.028, 3.444, 4.164, 4.564, 6, 9.2, 5, 4.12, 4.88];
  const knownPeaks = months.map((month, i) => ({ month, kw: kw[i] }));
  const april = computeCosts(flandersPlan(), 'EUR', BRU, { from: localToUtc(BRU, 2026, 4, 1), to: localToUtc(BRU, 2026, 5, 1), intervals: [], knownPeaks });
  assert.equal(april.capacity[0].billedKw, 4.456);
  assert.equal(april.capacity[0].monthsInMean, 12);
  assert.ok(near(april.total.capacityCharge, PRICE_KW_YEAR / 12 * 4.456));
  // May 2026 at 3.0 kW: May 2025 (floored to 2.5) leaves the window.
  const may = computeCosts(flandersPlan(), 'EUR', BRU, {
    from: localToUtc(BRU, 2026, 5, 1), to: localToUtc(BRU, 2026, 5, 11), intervals: [], knownPeaks: [...knownPeaks, { month: '2026-05', kw: 3 }],
    now: localToUtc(BRU, 2026, 5, 11),
  });
  const mean = (53.472 - 2.5 + 3) / 12;
  assert.ok(near(may.capacity[0].billedKw!, mean, 1e-9));
  assert.equal(may.capacity[0].provisional, true);
  // Ten of May's 31 days: 10/31 of the month's charge.
  assert.ok(near(may.total.capacityCharge, PRICE_KW_YEAR / 12 * mean * 10 / 31));
});

test('Flanders: no demand data for the month is flagged, not billed at the minimum', () => {
  const from = localToUtc(BRU, 2026, 6, 1);
  const report = computeCosts(flandersPlan(), 'EUR', BRU, { from, to: from + 2 * 24 * HOUR, intervals: series(from, from + 2 * 24 * HOUR, HOUR, 3, 900) });
  assert.equal(report.capacity[0].monthCharge, null);
  assert.equal(report.total.capacityCharge, 0);
  assert.equal(report.total.complete, false);
  assert.deepEqual(report.flags.map((f) => [f.reason, f.from, f.to]), [['no-capacity-data', from, from + 2 * 24 * HOUR]]);
});

test('Norway: mean of the three highest hours on three different days, the 23-hour day included', () => {
  const from = localToUtc(OSL, 2026, 3, 1);
  const to = localToUtc(OSL, 2026, 4, 1);
  const spikes = {
    [localToUtc(OSL, 2026, 3, 10, 17)]: 9000, [localToUtc(OSL, 2026, 3, 10, 18)]: 8800, [localToUtc(OSL, 2026, 3, 10, 19)]: 8700,
    [localToUtc(OSL, 2026, 3, 20, 7)]: 7000, [localToUtc(OSL, 2026, 3, 29, 3)]: 6500,
  };
  const ivs = series(from, to, HOUR, 5, 2500, spikes);
  const report = computeCosts(norwayPlan(), 'NOK', OSL, { from, to, intervals: ivs });
  // Reference: daily maxima by Intl date, top three, mean, step by a linear scan.
  const daily = new Map<string, number>();
  for (const iv of ivs) daily.set(wall(iv.start, OSL).date, Math.max(daily.get(wall(iv.start, OSL).date) ?? 0, iv.importWh / 1000));
  const top = [...daily].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const mean = top.reduce((a, [, v]) => a + v, 0) / 3;
  assert.equal(mean, 7.5);
  const step = ELVIA_STEPS.findIndex((s) => mean >= s.fromKw && (s.toKw === undefined || mean < s.toKw));
  const c = report.capacity[0];
  assert.equal(c.peakKw, 7.5);
  assert.equal(c.step, step);
  assert.deepEqual(c.peakDays, ['2026-03-10', '2026-03-20', '2026-03-29']);
  assert.equal(c.monthCharge, 270);
  assert.equal(report.total.capacityCharge, 270);
  assert.equal(daily.size, 31);
});

test('Norway: a mean of exactly 2.0 kW is in the 2-5 step; fewer than three days use those there are', () => {
  const from = localToUtc(OSL, 2026, 11, 1);
  const day = (d: number, h: number): number => localToUtc(OSL, 2026, 11, d, h);
  const iv = (t: number, wh: number): EnergyInterval => ({ start: t, end: t + HOUR, importWh: wh, exportWh: 0 });
  const exact = computeCosts(norwayPlan(), 'NOK', OSL, { from, to: localToUtc(OSL, 2026, 12, 1), intervals: [iv(day(2, 8), 2000), iv(day(3, 8), 2000), iv(day(4, 8), 2000), iv(day(5, 8), 1999)] });
  assert.equal(exact.capacity[0].peakKw, 2);
  assert.equal(exact.capacity[0].monthCharge, 170);
  const two = computeCosts(norwayPlan(), 'NOK', OSL, { from, to: localToUtc(OSL, 2026, 11, 3), intervals: [iv(day(1, 8), 1200), iv(day(1, 9), 4000), iv(day(2, 20), 2500)] });
  assert.equal(two.capacity[0].peakKw, 3.25);
  assert.equal(two.capacity[0].monthCharge, 170);
  // Two of November's thirty days.
  assert.ok(near(two.total.capacityCharge, 170 * 2 / 30));
});

test('Flanders headroom: energy and average power left in the running quarter', () => {
  const q = Date.UTC(2026, 0, 15, 17, 0);
  const h = flandersHeadroom({ now: q + 10 * MIN, drawnWh: 500, monthPeakKw: 4 });
  assert.equal(h.allowedWh, 1000);
  assert.equal(h.remainingWh, 500);
  assert.equal(h.maxAverageKw, 6);
  // Independently: drawing the rest at maxAverageKw makes the quarter's average exactly the peak.
  assert.equal((500 + h.maxAverageKw! * (h.remainingMs / HOUR) * 1000) * 4 / 1000, 4);
  const low = flandersHeadroom({ now: q + 5 * MIN, drawnWh: 100, monthPeakKw: 1.2 });
  assert.equal(low.thresholdKw, 2.5);
  assert.equal(low.remainingWh, 525);
  const over = flandersHeadroom({ now: q + 14 * MIN, drawnWh: 1200, monthPeakKw: 4 });
  assert.equal(over.exceeded, true);
  assert.equal(over.remainingWh, 0);
});

test('Flanders headroom from the intervals: the month peak of completed quarters only', () => {
  const zone = createZone(BRU);
  const start = localToUtc(BRU, 2026, 2, 1);
  const now = start + 2 * HOUR + 7 * MIN;
  // Minute buckets: 20 Wh/min (1.2 kW) except the quarter from 01:00 at 60 Wh/min (3.6 kW), running quarter 80 Wh/min.
  const ivs: EnergyInterval[] = [];
  for (let t = start; t + MIN <= now; t += MIN) {
    const wh = t >= start + 2 * HOUR ? 80 : t >= start + HOUR && t < start + HOUR + QUARTER ? 60 : 20;
    ivs.push({ start: t, end: t + MIN, importWh: wh, exportWh: 0 });
  }
  const h = flandersLiveHeadroom(ivs, zone, now);
  assert.equal(h.thresholdKw, 3.6);
  assert.equal(h.drawnWh, 7 * 80);
  assert.equal(h.remainingWh, 3.6 * 250 - 560);
});

/** Reference for the Norway headroom: the largest whole-Wh hour total that keeps the step, by trying them all. */
function bruteNorway(others: number[], todayPrior: number, drawn: number, cap: NorwayCapacity): number {
  const stepOf = (kw: number): number => cap.steps.findIndex((s) => kw >= s.fromKw && (s.toKw === undefined || kw < s.toKw));
  const meanWith = (x: number): number => {
    const days = [...others, Math.max(todayPrior, x)].sort((a, b) => b - a).slice(0, 3);
    return days.reduce((a, b) => a + b, 0) / days.length / 1000;
  };
  const step = stepOf(meanWith(drawn));
  let x = drawn;
  while (stepOf(meanWith(x + 1)) === step) x += 1;
  return x - drawn;
}

test('Norway headroom: what the running hour may still hold before the month moves up a step', () => {
  const cap = (norwayPlan().capacity as NorwayCapacity);
  const hour = Date.UTC(2026, 0, 20, 16);
  const h = norwayHeadroom(cap, { now: hour + 20 * MIN, drawnWh: 1500, todayPeakWh: 3000, otherDayPeaksWh: [5000, 4200, 3900, 2000] });
  assert.equal(h.step, 1);
  assert.equal(h.stepUpperKw, 5);
  assert.equal(h.remainingWh, 4300);
  assert.ok(near(h.maxAverageKw!, 4.3 / (40 / 60), 1e-9));
  // One Wh below the limit keeps the step; the limit itself reaches 5.0 kW, the next step.
  assert.equal(bruteNorway([5000, 4200, 3900, 2000], 3000, 1500, cap), 4300 - 1);
  for (const [others, prior, drawn] of [[[], 0, 300], [[1800], 900, 200], [[9000, 8000], 0, 6500], [[12000, 11000, 10500, 3000], 2000, 500]] as const) {
    const r = norwayHeadroom(cap, { now: hour + 30 * MIN, drawnWh: drawn, todayPeakWh: prior, otherDayPeaksWh: others });
    assert.equal(r.remainingWh! - 1, bruteNorway([...others], prior, drawn, cap), `others ${others}`);
  }
  const top = norwayHeadroom(cap, { now: hour, drawnWh: 0, todayPeakWh: 0, otherDayPeaksWh: [30000, 30000, 30000] });
  assert.equal(top.remainingWh, null);
});

test('Norway headroom from the intervals: other days of the month, today so far, the running hour', () => {
  const zone = createZone(OSL);
  const cap = (norwayPlan().capacity as NorwayCapacity);
  const hourStart = localToUtc(OSL, 2026, 3, 3, 18);
  const now = hourStart + 30 * MIN;
  const ivs: EnergyInterval[] = [
    { start: localToUtc(OSL, 2026, 2, 28, 18), end: localToUtc(OSL, 2026, 2, 28, 19), importWh: 20000, exportWh: 0 }, // last month
    { start: localToUtc(OSL, 2026, 3, 1, 8), end: localToUtc(OSL, 2026, 3, 1, 9), importWh: 4000, exportWh: 0 },
    { start: localToUtc(OSL, 2026, 3, 2, 8), end: localToUtc(OSL, 2026, 3, 2, 9), importWh: 3000, exportWh: 0 },
    { start: localToUtc(OSL, 2026, 3, 3, 7), end: localToUtc(OSL, 2026, 3, 3, 8), importWh: 2500, exportWh: 0 },
  ];
  for (let t = hourStart; t < now; t += QUARTER) ivs.push({ start: t, end: t + QUARTER, importWh: 600, exportWh: 0 });
  const h = norwayLiveHeadroom(cap, ivs, zone, now);
  assert.equal(h.drawnWh, 1200);
  assert.equal(h.step, 1);
  assert.equal(h.remainingWh! - 1, bruteNorway([4000, 3000], 2500, 1200, cap));
});

test('a month holding intervals coarser than the demand grid has no measured peak (a lower bound is not a peak)', () => {
  // Norway: one 2-hour interval among hourly ones hides its hourly peak: the month is flagged.
  const from = localToUtc(OSL, 2026, 5, 1);
  const hourly = series(from, from + 48 * HOUR, HOUR, 9, 1500);
  const coarse = [...hourly.slice(0, 10), { start: hourly[10].start, end: hourly[11].end, importWh: 9000, exportWh: 0 }, ...hourly.slice(12)];
  assert.equal(computeCosts(norwayPlan(), 'NOK', OSL, { from, to: from + 48 * HOUR, intervals: hourly }).total.complete, true);
  const no = computeCosts(norwayPlan(), 'NOK', OSL, { from, to: from + 48 * HOUR, intervals: coarse });
  assert.equal(no.capacity[0].monthCharge, null);
  assert.equal(no.total.complete, false);
  assert.ok(no.flags.some((f) => f.reason === 'no-capacity-data'));
  // Flanders: January in hourly buckets, February in quarters; January's known peak fills the mean.
  const jan = localToUtc(BRU, 2026, 1, 1);
  const feb = localToUtc(BRU, 2026, 2, 1);
  const mar = localToUtc(BRU, 2026, 3, 1);
  const ivs = [...series(jan, feb, HOUR, 4, 2000), ...series(feb, mar, QUARTER, 6, 700)];
  const febPeak = Math.max(...ivs.filter((iv) => iv.start >= feb).map((iv) => iv.importWh * 4 / 1000));
  const without = computeCosts(flandersPlan(), 'EUR', BRU, { from: feb, to: mar, intervals: ivs });
  assert.equal(without.capacity[0].monthsInMean, 1);
  assert.ok(near(without.capacity[0].billedKw!, Math.max(2.5, febPeak), 1e-9));
  const withJan = computeCosts(flandersPlan(), 'EUR', BRU, { from: feb, to: mar, intervals: ivs, knownPeaks: [{ month: '2026-01', kw: 6.1 }] });
  assert.equal(withJan.capacity[0].monthsInMean, 2);
  assert.ok(near(withJan.capacity[0].billedKw!, (6.1 + Math.max(2.5, febPeak)) / 2, 1e-9));
});
