import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeCosts, computeExact, createZone, exactTotal, type EnergyInterval, type Plan, type PriceSlot } from '../src/costs/index.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { add, cmp, type Rational } from '../src/costs/rational.js';
import { HOUR, MIN, QUARTER, localToUtc } from './costs-support.js';

const TZ = 'Europe/Brussels';
const zone = createZone(TZ);

const PLANS: Record<string, unknown> = {
  tou: {
    import: { type: 'timeOfUse', holidays: ['2026-10-26'], rules: [
      { price: 0.17, days: ['sat', 'sun', 'holiday'] },
      { price: 0.3341, hours: ['07:15-11:45', '17:00-21:00'] },
      { price: 0.2399 },
    ] },
    export: { type: 'dynamic', series: 'spot', slotMinutes: 15, factor: 0.9, adder: -0.01 },
    standingCharge: { perMonth: 9.99 },
    capacity: { type: 'flanders', pricePerKwYear: 53.2645 },
  },
  registers: {
    import: { type: 'registers', t1: 0.31, t2: 0.27 },
    export: { type: 'fixed', price: 0.041 },
    standingCharge: { perDay: 0.3333 },
  },
  norway: {
    import: { type: 'dynamic', series: 'spot', slotMinutes: 60, adder: 0.4355 },
    capacity: { type: 'norway', steps: [{ fromKw: 0, toKw: 2, pricePerMonth: 110 }, { fromKw: 2, toKw: 5, pricePerMonth: 170 }, { fromKw: 5, pricePerMonth: 270 }] },
  },
};

const plans: Record<string, Plan> = Object.fromEntries(Object.entries(PLANS).map(([k, p]) => [k, parseTariffs({ currency: 'EUR', timeZone: TZ, plans: { p } }).plans.p]));

// Four days around the autumn change, 15-minute intervals; prices every 15 minutes with some slots missing.
const FROM = localToUtc(TZ, 2026, 10, 24);
const TO = localToUtc(TZ, 2026, 10, 28);
const QUARTERS = (TO - FROM) / QUARTER;

const wh = fc.integer({ min: 0, max: 2_000_000 }).map((n) => n / 1000);
const intervalsArb = fc.array(fc.tuple(wh, wh, fc.integer({ min: 0, max: 2 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: QUARTERS, maxLength: QUARTERS })
  .map((rows) => rows.map(([imp, exp, tariff, t1Share], i): EnergyInterval => {
    const start = FROM + i * QUARTER;
    const t1 = Math.round(imp * t1Share * 1000) / 1000;
    return tariff === 0
      ? { start, end: start + QUARTER, importWh: imp, exportWh: exp, importWhByTariff: { t1, t2: Math.round((imp - t1) * 1000) / 1000 } }
      : { start, end: start + QUARTER, importWh: imp, exportWh: exp, tariff: tariff as 1 | 2 };
  }));
const pricesArb = fc.array(fc.option(fc.integer({ min: -50_000, max: 400_000 }), { freq: 12 }), { minLength: QUARTERS, maxLength: QUARTERS })
  .map((list) => list.flatMap((p, i): PriceSlot[] => (p === null ? [] : [{ start: FROM + i * QUARTER, price: p / 1e6 }])));
const hourlyPricesArb = pricesArb.map((list) => list.filter((s) => (s.start - FROM) % HOUR === 0));

function total(plan: Plan, from: number, to: number, intervals: readonly EnergyInterval[], spot: PriceSlot[]): Rational {
  return exactTotal(computeExact(plan, zone, { from, to, intervals, prices: { spot } }).days);
}

function unknownWh(plan: Plan, from: number, to: number, intervals: readonly EnergyInterval[], spot: PriceSlot[]): Rational {
  return computeExact(plan, zone, { from, to, intervals, prices: { spot } }).days.reduce((a, d) => add(a, d.energy.unknownWh), { n: 0n, d: 1n });
}

test('splitting a range anywhere gives the same exact total (energy, feed-in, standing and capacity charges)', () => {
  fc.assert(fc.property(fc.constantFrom(...Object.keys(plans)), intervalsArb, pricesArb, hourlyPricesArb, fc.integer({ min: FROM, max: TO }),
    (name, intervals, prices15, prices60, cut) => {
      const plan = plans[name];
      const spot = name === 'norway' ? prices60 : prices15;
      const whole = total(plan, FROM, TO, intervals, spot);
      const parts = add(total(plan, FROM, cut, intervals, spot), total(plan, cut, TO, intervals, spot));
      assert.equal(cmp(whole, parts), 0);
      assert.equal(cmp(unknownWh(plan, FROM, TO, intervals, spot), add(unknownWh(plan, FROM, cut, intervals, spot), unknownWh(plan, cut, TO, intervals, spot))), 0);
    }), { numRuns: 25 });
});

test('cutting an interval in two with its energy in proportion changes no exact total', () => {
  fc.assert(fc.property(fc.constantFrom('tou', 'norway'), intervalsArb, pricesArb, hourlyPricesArb, fc.integer({ min: 0, max: QUARTERS - 1 }), fc.integer({ min: 1, max: 14 }),
    (name, intervals, prices15, prices60, which, minute) => {
      const plan = plans[name];
      const spot = name === 'norway' ? prices60 : prices15;
      // Whole Wh per minute, so both pieces hold exact decimals.
      const base = intervals.map((iv) => ({ start: iv.start, end: iv.end, importWh: Math.round(iv.importWh / 15) * 15, exportWh: Math.round(iv.exportWh / 15) * 15 }));
      const iv = base[which];
      const cut = iv.start + minute * MIN;
      const share = (x: number): [number, number] => [x / 15 * minute, x / 15 * (15 - minute)];
      const [i1, i2] = share(iv.importWh);
      const [e1, e2] = share(iv.exportWh);
      const split = [...base.slice(0, which), { start: iv.start, end: cut, importWh: i1, exportWh: e1 }, { start: cut, end: iv.end, importWh: i2, exportWh: e2 }, ...base.slice(which + 1)];
      // Norway's capacity looks at hours, Flanders' at quarters: the split quarter sums back to the same.
      assert.equal(cmp(total(plan, FROM, TO, base, spot), total(plan, FROM, TO, split, spot)), 0);
    }), { numRuns: 25 });
});

test('hourly buckets cost what their four quarters cost when the price is constant within each hour', () => {
  const hourPlan = parseTariffs({ currency: 'EUR', timeZone: TZ, plans: { p: {
    import: { type: 'timeOfUse', rules: [{ price: 0.3341, days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: ['07:00-21:00'] }, { price: 0.2399 }] },
    export: { type: 'dynamic', series: 'spot', slotMinutes: 60 },
    standingCharge: { perDay: 0.41 },
  } } }).plans.p;
  fc.assert(fc.property(intervalsArb, hourlyPricesArb, (intervals, spot) => {
    const quarters = intervals.map((iv) => ({ start: iv.start, end: iv.end, importWh: iv.importWh, exportWh: iv.exportWh }));
    const hours: EnergyInterval[] = [];
    for (let i = 0; i < quarters.length; i += 4) {
      const four = quarters.slice(i, i + 4);
      hours.push({ start: four[0].start, end: four[3].end, importWh: four.reduce((a, q) => a + Math.round(q.importWh * 1000), 0) / 1000, exportWh: four.reduce((a, q) => a + Math.round(q.exportWh * 1000), 0) / 1000 });
    }
    assert.equal(cmp(total(hourPlan, FROM, TO, quarters, spot), total(hourPlan, FROM, TO, hours, spot)), 0);
  }), { numRuns: 25 });
});

test('rounded days add up to the rounded total within half a micro-unit each', () => {
  fc.assert(fc.property(fc.constantFrom(...Object.keys(plans)), intervalsArb, pricesArb, hourlyPricesArb, (name, intervals, prices15, prices60) => {
    const spot = name === 'norway' ? prices60 : prices15;
    const r = computeCosts(plans[name], 'EUR', TZ, { from: FROM, to: TO, intervals, prices: { spot } });
    const sum = r.days.reduce((a, d) => a + d.total, 0);
    assert.ok(Math.abs(sum - r.total.total) <= r.days.length * 0.5e-6 + 1e-9, `${sum} vs ${r.total.total}`);
    assert.equal(r.total.complete, r.days.every((d) => d.complete));
  }), { numRuns: 15 });
});
