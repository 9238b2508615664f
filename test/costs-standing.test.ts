import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCosts, type Plan } from '../src/costs/index.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { MIN, QUARTER, daysInMonthByWalking, localToUtc, near, slicesPerDate, walk, wall } from './costs-support.js';

function plan(standingCharge: unknown, timeZone: string): Plan {
  return parseTariffs({ currency: 'EUR', timeZone, plans: { p: { import: { type: 'fixed', price: 0.3 }, standingCharge } } }).plans.p;
}

/** Reference: every minute of the range carries perDay / (minutes of its local day). */
function referencePerDay(from: number, to: number, tz: string, perDay: number): Map<string, number> {
  const dayMinutes = slicesPerDate(localToUtc(tz, wall(from, tz).y, wall(from, tz).m, wall(from, tz).d), to + 86_400_000 * 2, MIN, tz);
  const out = new Map<string, number>();
  walk(from, to, MIN, (t) => {
    const d = wall(t, tz).date;
    out.set(d, (out.get(d) ?? 0) + perDay / dayMinutes.get(d)!);
  });
  return out;
}

for (const tz of ['Europe/Oslo', 'Europe/Brussels', 'Europe/Vienna']) {
  test(`standing charge per day over partial days and the 23- and 25-hour days (${tz})`, () => {
    const p = plan({ perDay: 0.6575 }, tz);
    for (const [from, to] of [
      [localToUtc(tz, 2026, 3, 27, 12), localToUtc(tz, 2026, 3, 31, 6)],
      [localToUtc(tz, 2026, 10, 24, 18), localToUtc(tz, 2026, 10, 26, 0)],
    ]) {
      const report = computeCosts(p, 'EUR', tz, { from, to, intervals: [] });
      const ref = referencePerDay(from, to, tz, 0.6575);
      assert.deepEqual(report.days.map((d) => d.label), [...ref.keys()]);
      for (const d of report.days) assert.ok(near(d.standingCharge, ref.get(d.label)!), `${d.label} ${d.standingCharge} vs ${ref.get(d.label)}`);
      const sum = [...ref.values()].reduce((a, b) => a + b, 0);
      assert.ok(near(report.total.standingCharge, sum));
      assert.ok(near(report.total.total, sum));
    }
    // A DST day is a whole day: a full day's charge.
    const spring = computeCosts(p, 'EUR', tz, { from: localToUtc(tz, 2026, 3, 29), to: localToUtc(tz, 2026, 3, 30), intervals: [] });
    assert.equal(spring.total.standingCharge, 0.6575);
    const autumn = computeCosts(p, 'EUR', tz, { from: localToUtc(tz, 2026, 10, 25), to: localToUtc(tz, 2026, 10, 26), intervals: [] });
    assert.equal(autumn.total.standingCharge, 0.6575);
  });
}

/** Reference: each quarter carries perMonth / (days of its month) / (quarters of its day). */
function referencePerMonth(from: number, to: number, tz: string, perMonth: number): Map<string, number> {
  const quarters = slicesPerDate(from - 2 * 86_400_000, to + 2 * 86_400_000, QUARTER, tz);
  const byMonth = new Map<string, number>();
  walk(from, to, QUARTER, (t) => {
    const w = wall(t, tz);
    const share = perMonth / daysInMonthByWalking(tz, w.y, w.m) / quarters.get(w.date)!;
    byMonth.set(w.month, (byMonth.get(w.month) ?? 0) + share);
  });
  return byMonth;
}

test('standing charge per month: partial months by their share of local days, DST months included', () => {
  const tz = 'Europe/Brussels';
  const p = plan({ perMonth: 14.88 }, tz);
  const cases: Array<[number, number, Record<string, number>]> = [
    // 10 October (from local midnight) to 5 November: 22 of 31 October days, 4 of 30 November days.
    [localToUtc(tz, 2026, 10, 10), localToUtc(tz, 2026, 11, 5), { '2026-10': 14.88 * 22 / 31, '2026-11': 14.88 * 4 / 30 }],
    // The whole of March (743 hours) is exactly the monthly charge; half of 1 March is 1/62.
    [localToUtc(tz, 2026, 2, 28, 12), localToUtc(tz, 2026, 4, 1), { '2026-02': 14.88 / 28 / 2, '2026-03': 14.88 }],
  ];
  for (const [from, to, expected] of cases) {
    const report = computeCosts(p, 'EUR', tz, { from, to, intervals: [] });
    const ref = referencePerMonth(from, to, tz, 14.88);
    assert.deepEqual(report.months.map((m) => m.label), Object.keys(expected));
    for (const m of report.months) {
      assert.ok(near(m.standingCharge, expected[m.label]), `${m.label}: ${m.standingCharge} vs ${expected[m.label]}`);
      assert.ok(near(m.standingCharge, ref.get(m.label)!), `${m.label}: ${m.standingCharge} vs walked ${ref.get(m.label)}`);
    }
  }
  // Leap-free February: 28 days, each 14.88 / 28.
  const feb = computeCosts(p, 'EUR', tz, { from: localToUtc(tz, 2026, 2, 3), to: localToUtc(tz, 2026, 2, 4), intervals: [] });
  assert.equal(feb.total.standingCharge, Number((14.88 / 28).toFixed(6)));
});

test('an empty range costs nothing and says so', () => {
  const tz = 'Europe/Oslo';
  const t = localToUtc(tz, 2026, 1, 1);
  const report = computeCosts(plan({ perDay: 1 }, tz), 'NOK', tz, { from: t, to: t, intervals: [] });
  assert.equal(report.days.length, 0);
  assert.equal(report.total.total, 0);
  assert.equal(report.total.from, t);
});

test('local days in zones with a DST change at midnight, a 30-minute change and a 45-minute offset', () => {
  for (const [tz, from, to] of [
    ['America/Santiago', Date.UTC(2026, 8, 4), Date.UTC(2026, 8, 9)], // 6 September: midnight does not exist
    ['America/Santiago', Date.UTC(2026, 3, 3), Date.UTC(2026, 3, 7)], // 5 April: midnight happens twice
    ['Australia/Lord_Howe', Date.UTC(2026, 9, 2), Date.UTC(2026, 9, 6)],
    ['Asia/Kathmandu', Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 3)],
  ] as const) {
    const report = computeCosts(plan({ perDay: 1 }, tz), 'EUR', tz, { from, to, intervals: [] });
    const walked = slicesPerDate(from, to, MIN, tz);
    assert.deepEqual(report.days.map((d) => [d.label, (d.to - d.from) / MIN]), [...walked], tz);
    for (const d of report.days.slice(1, -1)) assert.equal(d.standingCharge, 1, `${tz} ${d.label}`);
  }
});
