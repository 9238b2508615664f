/**
 * /api/costs and /api/headroom through inject over a SQLite store filled by the real SQL output. The engine's
 * arithmetic is tested in test/costs-*.test.ts; here the API must hand it the right energy, in the right local
 * days: each expectation is a price × the kWh this test computes from the messages it wrote.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDashboard, type Dashboard } from '../src/dashboard/server.js';
import { createSqlHistory } from '../src/dashboard/sql-history.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { baseReading, energyFromMessages, quietLog, VIENNA, viennaHistory, type HistoryFixture } from './dashboard-support.js';

const Q = 15 * 60_000;
let fx: HistoryFixture;
let dash: Dashboard;
// 29 March (the 23-hour day), 10:07 CEST.
const NOW = VIENNA.mar[2] + 8 * 3_600_000 + 7 * 60_000;

before(async () => {
  fx = await viennaHistory();
  const tariffs = parseTariffs({
    currency: 'EUR', timeZone: VIENNA.zone,
    plans: {
      fixed: { import: { type: 'fixed', price: 0.25 }, export: { type: 'fixed', price: 0.08 }, standingCharge: { perDay: 0.5 },
        capacity: { type: 'flanders', pricePerKwYear: 48, minimumKw: 1 } },
      registers: { import: { type: 'registers', t1: 0.2, t2: 0.3 } },
    },
    meters: { [fx.dlms]: 'fixed', [fx.dsmr]: 'registers' },
  });
  dash = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, history: createSqlHistory(fx.url), tariffs, now: () => NOW });
});
after(async () => {
  await dash?.close();
  fx?.drop();
});

const get = async (url: string) => dash.app.inject({ url });
const money = (x: number) => Math.round(x * 1e6) / 1e6;
const kwhOf = (meter: string, dir: 'import' | 'export', from: number, to: number) => energyFromMessages(fx.messages, meter, dir, from, to) / 1000;

/** Energy of one register of the DSMR meter over [from, to), from the messages. */
function registerKwh(id: string, from: number, to: number): number {
  const values = fx.messages.filter((m) => m.meter.id === fx.dsmr).map((m) => [Date.parse(m.timestamp!), baseReading(m, id)!] as const)
    .sort((a, b) => a[0] - b[0]);
  const beforeFrom = values.filter(([t]) => t < from).pop()?.[1];
  const inside = values.filter(([t]) => t >= from && t < to);
  return (inside[inside.length - 1][1] - (beforeFrom ?? inside[0][1])) / 1000;
}

test('costs: today, this month and a range on a fixed price with feed-in and a standing charge per local day', async () => {
  const [d28, d29, d30] = [VIENNA.mar[1], VIENNA.mar[2], VIENNA.mar[3]];
  const res = await get(`/api/costs?meter=${fx.dlms}&from=${d28}&to=${d30}`);
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.currency, 'EUR');
  assert.equal(body.timeZone, VIENNA.zone);
  assert.equal(body.capacity, 'flanders');
  // Today is the local 29 March: 23 hours, one standing charge.
  assert.equal(body.today.from, new Date(d29).toISOString());
  assert.equal(body.today.to, new Date(d30).toISOString());
  const todayIn = kwhOf(fx.dlms, 'import', d29, d30);
  const todayOut = kwhOf(fx.dlms, 'export', d29, d30);
  assert.ok(todayIn > 1, 'the simulated meter drew energy that day');
  assert.equal(body.today.importKwh, Number(todayIn.toPrecision(12)));
  assert.equal(body.today.energyCost, money(0.25 * todayIn));
  assert.equal(body.today.feedInCredit, money(0.08 * todayOut));
  assert.equal(body.today.standingCharge, 0.5);
  // The range: two local days (48 − 1 hours).
  assert.equal(body.range.from, new Date(d28).toISOString());
  assert.equal(body.range.to, new Date(d30).toISOString());
  assert.equal(body.range.energyCost, money(0.25 * kwhOf(fx.dlms, 'import', d28, d30)));
  assert.equal(body.range.standingCharge, 1);
  // This month: every message of March, 31 standing charges.
  assert.equal(body.month.from, new Date(VIENNA.marchStart).toISOString());
  assert.equal(body.month.energyCost, money(0.25 * kwhOf(fx.dlms, 'import', VIENNA.marchStart, VIENNA.aprilStart)));
  assert.equal(body.month.standingCharge, 15.5);
});

test('costs: a dragged range is widened to whole quarters; the DSMR meter is priced per tariff register', async () => {
  const from = VIENNA.mar[1] + 5 * Q + 123_456;
  const to = VIENNA.mar[1] + 40 * Q - 98_765;
  const body = (await get(`/api/costs?meter=${fx.dsmr}&from=${new Date(from).toISOString()}&to=${to}`)).json();
  const [qFrom, qTo] = [VIENNA.mar[1] + 5 * Q, VIENNA.mar[1] + 40 * Q];
  assert.equal(body.range.from, new Date(qFrom).toISOString());
  assert.equal(body.range.to, new Date(qTo).toISOString());
  const t1 = registerKwh('energy_import_t1', qFrom, qTo);
  const t2 = registerKwh('energy_import_t2', qFrom, qTo);
  assert.ok(t1 + t2 > 0);
  assert.ok(Math.abs(body.range.importKwh - (t1 + t2)) < 1e-9);
  assert.equal(body.range.energyCost, money(0.2 * t1 + 0.3 * t2));
  assert.equal(body.range.complete, true);
  assert.deepEqual(body.range.flags, []);
});

test('headroom: the Flanders quarter threshold is the month peak so far, from the stored quarters', async () => {
  const res = await get(`/api/headroom?meter=${fx.dlms}`);
  assert.equal(res.statusCode, 200, res.body);
  const h = res.json();
  const quarterStart = Math.floor(NOW / Q) * Q;
  assert.equal(h.type, 'flanders');
  assert.equal(h.quarterStart, quarterStart);
  let peakKw = 0;
  for (let q = VIENNA.mar[0]; q < quarterStart; q += Q) peakKw = Math.max(peakKw, kwhOf(fx.dlms, 'import', q, q + Q) * 4);
  assert.ok(peakKw > 1, `the simulated peak (${peakKw} kW) is above the minimum (1 kW), so the threshold is the peak`);
  assert.ok(Math.abs(h.thresholdKw - peakKw) < 1e-9, `${h.thresholdKw} vs ${peakKw}`);
  assert.equal((await get(`/api/headroom?meter=${fx.dsmr}`)).statusCode, 404, 'the register plan has no capacity charge');
});

test('costs: no tariffs → 404 NO_TARIFFS; a meter without a plan → 400 naming the fix', async () => {
  const bare = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, history: createSqlHistory(fx.url) });
  try {
    const res = await bare.app.inject({ url: `/api/costs?meter=${fx.dlms}` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'NO_TARIFFS');
  } finally {
    await bare.close();
  }
  const res = await get('/api/costs?meter=unknown-meter');
  assert.equal(res.statusCode, 400);
  assert.match(res.json().error.message, /tariffs\.meters or set tariffs\.default/);
});

test('headroom: Norway\'s step from the mean of the three highest daily hourly peaks, from the stored hours', async () => {
  const tariffs = parseTariffs({
    currency: 'NOK', timeZone: VIENNA.zone,
    plans: { grid: { import: { type: 'fixed', price: 1 }, capacity: { type: 'norway', steps: [
      { fromKw: 0, toKw: 1, pricePerMonth: 100 }, { fromKw: 1, toKw: 2, pricePerMonth: 200 }, { fromKw: 2, pricePerMonth: 300 }] } } },
  });
  const norway = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, history: createSqlHistory(fx.url), tariffs, now: () => NOW });
  try {
    const res = await norway.app.inject({ url: `/api/headroom?meter=${fx.dlms}` });
    assert.equal(res.statusCode, 200, res.body);
    const h = res.json();
    const H = 3_600_000;
    const hourStart = Math.floor(NOW / H) * H; // Vienna has whole-hour offsets: local hours are UTC hours
    assert.equal(h.type, 'norway');
    assert.equal(h.hourStart, hourStart);
    // Each local day's highest hour up to the running one (which counts with what it holds), top three, mean.
    const peaks: number[] = [];
    for (let d = 0; d + 1 < VIENNA.mar.length; d++) {
      let peak = 0;
      for (let t = VIENNA.mar[d]; t < VIENNA.mar[d + 1] && t <= hourStart; t += H) peak = Math.max(peak, kwhOf(fx.dlms, 'import', t, t + H));
      if (VIENNA.mar[d] <= hourStart) peaks.push(peak);
    }
    const top = peaks.sort((a, b) => b - a).slice(0, 3);
    const mean = top.reduce((a, b) => a + b, 0) / top.length;
    assert.ok(Math.abs(h.meanKw - mean) < 1e-9, `${h.meanKw} vs ${mean}`);
    assert.equal(h.step, mean < 1 ? 0 : mean < 2 ? 1 : 2);
  } finally {
    await norway.close();
  }
});
