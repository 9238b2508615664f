import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCosts, type EnergyInterval, type Plan, type PriceSlot } from '../src/costs/index.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { HOUR, MIN, QUARTER, lcg, localToUtc, near, referenceEnergy, slicesPerDate, type Wall } from './costs-support.js';

function plan(p: unknown, timeZone = 'Europe/Brussels'): Plan {
  return parseTariffs({ currency: 'EUR', timeZone, plans: { p } }).plans.p;
}

/** Intervals of `step` over [from, to) with pseudo-random energy (whole Wh, some with 3 decimals). */
function intervals(from: number, to: number, step: number, seed: number, maxWh: number): EnergyInterval[] {
  const r = lcg(seed);
  const out: EnergyInterval[] = [];
  for (let t = from; t < to; t += step) {
    out.push({ start: t, end: t + step, importWh: Math.round(r() * maxWh * 1000) / 1000, exportWh: Math.round(r() * maxWh / 2) });
  }
  return out;
}

function assertDays(report: ReturnType<typeof computeCosts>, expected: Map<string, number>, field: 'energyCost' | 'feedInCredit'): void {
  assert.deepEqual(report.days.map((d) => d.label), [...expected.keys()].sort());
  for (const d of report.days) assert.ok(near(d[field], expected.get(d.label) ?? 0), `${d.label}: ${d[field]} vs ${expected.get(d.label)}`);
}

test('a fixed price: energy × price per local day, exact to the micro-unit', () => {
  const tz = 'Europe/Brussels';
  const from = localToUtc(tz, 2026, 3, 28);
  const to = localToUtc(tz, 2026, 3, 31);
  const ivs = intervals(from, to, HOUR, 1, 900);
  const report = computeCosts(plan({ import: { type: 'fixed', price: 0.28345 } }), 'EUR', tz, { from, to, intervals: ivs });
  const ref = referenceEnergy(ivs, from, to, tz, () => 0.28345);
  assertDays(report, ref.byDate, 'energyCost');
  assert.ok(near(report.total.energyCost, ref.total));
  // 29 March is 23 hours long in Brussels: its day holds 23 hourly intervals.
  const sunday = report.days.find((d) => d.label === '2026-03-29');
  assert.equal((sunday!.to - sunday!.from) / HOUR, 23);
  assert.ok(near(report.total.importWh, ivs.reduce((a, iv) => a + iv.importWh, 0), 1e-6));
  assert.equal(report.total.complete, true);
  assert.equal(report.flags.length, 0);
});

test('T1/T2 register prices: by the split per register, by the tariff indicator, unknown without either', () => {
  const tz = 'Europe/Brussels';
  const from = localToUtc(tz, 2026, 6, 1);
  const ivs: EnergyInterval[] = [
    { start: from, end: from + HOUR, importWh: 1000, exportWh: 0, importWhByTariff: { t1: 600, t2: 400 } },
    { start: from + HOUR, end: from + 2 * HOUR, importWh: 500, exportWh: 0, tariff: 2 },
    { start: from + 2 * HOUR, end: from + 3 * HOUR, importWh: 700, exportWh: 0, tariff: 1 },
    { start: from + 3 * HOUR, end: from + 4 * HOUR, importWh: 300, exportWh: 0 },
  ];
  const report = computeCosts(plan({ import: { type: 'registers', t1: 0.3, t2: 0.2 } }), 'EUR', tz, { from, to: from + 4 * HOUR, intervals: ivs });
  assert.ok(near(report.total.energyCost, 0.6 * 0.3 + 0.4 * 0.2 + 0.5 * 0.2 + 0.7 * 0.3));
  assert.equal(report.total.complete, false);
  assert.deepEqual(report.flags, [{ reason: 'unknown-register', direction: 'import', from: from + 3 * HOUR, to: from + 4 * HOUR, wh: 300 }]);
  // The unpriced energy is still counted as energy, only not as cost.
  assert.equal(report.total.importWh, 2500);
});

/** Austria: weekend and holidays cheap, weekday 07-21 dearer in winter (Oct–Mar) than in summer, else a base price. */
function viennaReference(_t: number, w: Wall): number {
  const holiday = w.date === '2026-10-26';
  if (w.wd === 'Sat' || w.wd === 'Sun' || holiday) return 0.15;
  const peak = w.h >= 7 && w.h < 21;
  const winter = w.m >= 10 || w.m <= 3;
  if (peak && winter) return 0.32;
  if (peak) return 0.28;
  return 0.2;
}

const viennaPlan = {
  import: {
    type: 'timeOfUse', holidays: ['2026-10-26'],
    rules: [
      { price: 0.15, days: ['sat', 'sun', 'holiday'] },
      { price: 0.32, days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: ['07:00-21:00'], seasons: [{ from: '10-01', to: '03-31' }] },
      { price: 0.28, days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: ['07:00-21:00'] },
      { price: 0.2 },
    ],
  },
  export: { type: 'timeOfUse', rules: [{ price: 0.09, hours: ['10:00-16:00'] }, { price: 0.04 }] },
};

for (const [label, y, m, d0, d1] of [['spring', 2026, 3, 26, 31], ['autumn', 2026, 10, 22, 28]] as const) {
  test(`time of use across the ${label} DST change (Europe/Vienna), intervals straddling price edges`, () => {
    const tz = 'Europe/Vienna';
    // Hourly buckets shifted by 30 minutes, so buckets straddle 07:00, 21:00 and midnight, plus 15-minute ones.
    const from = localToUtc(tz, y, m, d0, 0, 30);
    const to = localToUtc(tz, y, m, d1);
    const ivs = [...intervals(from, localToUtc(tz, y, m, d0 + 3), HOUR, 7, 1500), ...intervals(localToUtc(tz, y, m, d0 + 3), to, QUARTER, 8, 400)];
    const p = plan(viennaPlan, tz);
    const report = computeCosts(p, 'EUR', tz, { from, to, intervals: ivs });
    const ref = referenceEnergy(ivs, from, to, tz, viennaReference);
    assertDays(report, ref.byDate, 'energyCost');
    assert.ok(near(report.total.energyCost, ref.total));
    const exp = referenceEnergy(ivs, from, to, tz, (_t, w) => (w.h >= 10 && w.h < 16 ? 0.09 : 0.04), (iv) => iv.exportWh);
    assertDays(report, exp.byDate, 'feedInCredit');
    assert.ok(near(report.total.total, ref.total - exp.total, 2e-6));
    // The day lengths are what the wall clock says (23 h in spring, 25 h in autumn).
    const minutes = slicesPerDate(localToUtc(tz, y, m, d0), to, MIN, tz);
    for (const day of report.days.slice(1)) assert.equal((day.to - day.from) / MIN, minutes.get(day.label));
    assert.ok(report.days.some((day) => day.to - day.from === (label === 'spring' ? 23 : 25) * HOUR));
  });
}

test('feed-in at a fixed price is a credit taken off the total', () => {
  const tz = 'Europe/Oslo';
  const from = localToUtc(tz, 2026, 7, 1);
  const ivs = intervals(from, from + 24 * HOUR, QUARTER, 3, 800);
  const report = computeCosts(plan({ import: { type: 'fixed', price: 1.2 }, export: { type: 'fixed', price: 0.45 } }, tz), 'NOK', tz, { from, to: from + 24 * HOUR, intervals: ivs });
  const imp = ivs.reduce((a, iv) => a + iv.importWh, 0);
  const exp = ivs.reduce((a, iv) => a + iv.exportWh, 0);
  assert.ok(near(report.total.energyCost, imp * 1.2 / 1000));
  assert.ok(near(report.total.feedInCredit, exp * 0.45 / 1000));
  assert.ok(near(report.total.total, (imp * 1.2 - exp * 0.45) / 1000, 2e-6));
});

function slots(from: number, to: number, minutes: number, seed: number): PriceSlot[] {
  const r = lcg(seed);
  const out: PriceSlot[] = [];
  for (let t = from; t < to; t += minutes * MIN) out.push({ start: t, price: Math.round((r() * 0.4 - 0.05) * 1e5) / 1e5 });
  return out;
}

function slotPrice(list: readonly PriceSlot[], minutes: number, factor = 1, adder = 0) {
  return (t: number): number | undefined => {
    const s = list.find((x) => t >= x.start && t < x.start + minutes * MIN);
    return s === undefined ? undefined : s.price * factor + adder;
  };
}

for (const [slotMinutes, bucket] of [[15, HOUR], [60, QUARTER]] as const) {
  test(`dynamic ${slotMinutes}-minute prices on ${bucket === HOUR ? 'hourly' : '15-minute'} buckets; a missing slot is flagged, not 0`, () => {
    const tz = 'Europe/Brussels';
    const from = localToUtc(tz, 2026, 10, 24, 12);
    const to = localToUtc(tz, 2026, 10, 26, 12);
    const all = slots(from, to, slotMinutes, 11);
    const missing = all[40];
    const given = all.filter((s) => s !== missing);
    const ivs = intervals(from, to, bucket, 12, 600);
    const p = plan({ import: { type: 'dynamic', series: 'belpex', slotMinutes, factor: 1.1, adder: 0.0125 } }, tz);
    const report = computeCosts(p, 'EUR', tz, { from, to, intervals: ivs, prices: { belpex: given } });
    const ref = referenceEnergy(ivs, from, to, tz, slotPrice(given, slotMinutes, 1.1, 0.0125));
    assertDays(report, ref.byDate, 'energyCost');
    assert.equal(report.flags.length, 1);
    const flag = report.flags[0];
    assert.equal(flag.reason, 'missing-price');
    assert.equal(flag.from, missing.start);
    assert.equal(flag.to, missing.start + slotMinutes * MIN);
    assert.ok(near(flag.wh!, ref.unknownWh));
    assert.ok(ref.unknownWh > 0);
    const dayOfGap = report.days.find((d) => d.from <= missing.start && missing.start < d.to)!;
    assert.equal(dayOfGap.complete, false);
    assert.ok(report.days.filter((d) => d !== dayOfGap).every((d) => d.complete));
    assert.equal(report.total.complete, false);
  });
}

test('dynamic prices with no series loaded: everything is flagged unknown', () => {
  const tz = 'Europe/Brussels';
  const from = localToUtc(tz, 2026, 5, 1);
  const ivs = intervals(from, from + 2 * HOUR, QUARTER, 5, 300);
  const report = computeCosts(plan({ import: { type: 'dynamic', series: 'x', slotMinutes: 15 } }, tz), 'EUR', tz, { from, to: from + 2 * HOUR, intervals: ivs });
  assert.equal(report.total.energyCost, 0);
  assert.equal(report.total.complete, false);
  assert.deepEqual(report.flags.map((f) => [f.reason, f.from, f.to]), [['missing-price', from, from + 2 * HOUR]]);
});

test('bad intervals and overlapping price slots are clear errors', () => {
  const p = plan({ import: { type: 'fixed', price: 0.3 } });
  assert.throws(() => computeCosts(p, 'EUR', 'Europe/Brussels', { from: 0, to: HOUR, intervals: [{ start: 0, end: 0, importWh: 1, exportWh: 0 }] }),
    (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /interval 0/.test(e.message));
  assert.throws(() => computeCosts(p, 'EUR', 'Europe/Brussels', { from: 0, to: HOUR, intervals: [{ start: 0, end: HOUR, importWh: 10, exportWh: 0, importWhByTariff: { t1: 1, t2: 2 } }] }),
    (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /adds up to 3 Wh/.test(e.message));
  assert.throws(() => computeCosts(p, 'EUR', 'Europe/Brussels', { from: 0, to: 4000 * 86_400_000, intervals: [] }),
    (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /at most 10 years/.test(e.message));
  assert.throws(() => computeCosts(p, 'EUR', 'Europe/Brussels', { from: HOUR, to: 0, intervals: [] }),
    (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /from ≤ to/.test(e.message));
  const d = plan({ import: { type: 'dynamic', series: 's', slotMinutes: 60 } });
  assert.throws(() => computeCosts(d, 'EUR', 'Europe/Brussels', { from: 0, to: HOUR, intervals: [], prices: { s: [{ start: 0, price: 1 }, { start: 30 * MIN, price: 2 }] } }),
    (e: Error & { code?: string }) => e.code === 'BAD_CONFIG' && /overlap/.test(e.message));
});

test('time of use on long buckets across both DST changes: the price edge follows the wall clock (Europe/Oslo)', () => {
  const tz = 'Europe/Oslo';
  const p = plan({ import: { type: 'timeOfUse', rules: [{ price: 0.1, hours: ['22:00-06:00'] }, { price: 0.3, hours: ['06:00-22:00'] }] } }, tz);
  for (const [m, d] of [[3, 27], [10, 23]]) {
    const from = localToUtc(tz, 2026, m, d);
    const to = from + 4 * 24 * HOUR;
    const ivs = intervals(from, to, 6 * HOUR, m, 5000);
    const report = computeCosts(p, 'NOK', tz, { from, to, intervals: ivs });
    const ref = referenceEnergy(ivs, from, to, tz, (_t, w) => (w.h >= 22 || w.h < 6 ? 0.1 : 0.3));
    assertDays(report, ref.byDate, 'energyCost');
    assert.ok(near(report.total.energyCost, ref.total));
    assert.equal(report.flags.length, 0);
  }
});

test('time of use with an absolute date range (a summer promotion) and no catch-all: the rest is flagged', () => {
  const tz = 'Europe/Brussels';
  const p = plan({ import: { type: 'timeOfUse', rules: [{ price: 0.11, dates: [{ from: '2026-07-01', to: '2026-07-02' }] }] } }, tz);
  const from = localToUtc(tz, 2026, 6, 30, 12);
  const to = localToUtc(tz, 2026, 7, 3, 12);
  const ivs = intervals(from, to, HOUR, 31, 700);
  const report = computeCosts(p, 'EUR', tz, { from, to, intervals: ivs });
  const ref = referenceEnergy(ivs, from, to, tz, (_t, w) => (w.date >= '2026-07-01' && w.date <= '2026-07-02' ? 0.11 : undefined));
  assert.ok(near(report.total.energyCost, ref.total));
  assert.deepEqual(report.flags.map((f) => [f.reason, f.from, f.to]), [
    ['no-matching-rule', from, localToUtc(tz, 2026, 7, 1)], ['no-matching-rule', localToUtc(tz, 2026, 7, 3), to],
  ]);
  assert.ok(near(report.flags.reduce((a, f) => a + f.wh!, 0), ref.unknownWh));
  assert.deepEqual(report.days.map((d) => d.complete), [false, true, true, false]);
});
