/**
 * The history API through inject over a SQLite store filled by the real SQL output: the resolution chosen per
 * range (never more than 2,000 points), energy per local day across both 2026 DST changes in Europe/Vienna and
 * in another zone (?tz=), expectations computed from the messages and from day boundaries written out by hand.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDashboard, type Dashboard } from '../src/dashboard/server.js';
import { createSqlHistory } from '../src/dashboard/sql-history.js';
import { energyFromMessages, quietLog, VIENNA, viennaHistory, type HistoryFixture } from './dashboard-support.js';

const H = 3_600_000;
const DAY = 24 * H;
let fx: HistoryFixture;
let dash: Dashboard;

before(async () => {
  fx = await viennaHistory();
  dash = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, history: createSqlHistory(fx.url), timeZone: 'UTC', now: () => VIENNA.mar[3] });
});
after(async () => {
  await dash?.close();
  fx?.drop();
});

const get = async (url: string) => dash.app.inject({ url });
const kwh = (wh: number) => Number((wh / 1000).toPrecision(12));

test('history: the resolution follows the range, never more than 2,000 points', async () => {
  // Raw samples every 10 minutes: a day is 144 of them; 30 days would be 4,320 raw, 8,640 5-minute, 2,880 15-minute points.
  const cases: Array<[number, number, string]> = [
    [VIENNA.mar[1], VIENNA.mar[2], 'raw'],
    [VIENNA.mar[0], VIENNA.mar[0] + 7 * DAY, 'raw'],
    [VIENNA.mar[0], VIENNA.mar[0] + 30 * DAY, 'hour'],
    [VIENNA.mar[0] - 300 * DAY, VIENNA.mar[0] + 65 * DAY, 'day'],
    [VIENNA.mar[0] - 3000 * DAY, VIENNA.mar[0] + 300 * DAY, 'month'],
  ];
  for (const [from, to, resolution] of cases) {
    const res = await get(`/api/history?meter=${fx.dlms}&reading=power_import&from=${from}&to=${to}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.resolution, resolution, `${(to - from) / DAY} days`);
    assert.ok(body.points.length > 0 && body.points.length <= 2000, `${body.points.length} points`);
    assert.equal(body.from, new Date(from).toISOString());
  }
  const day = (await get(`/api/history?meter=${fx.dlms}&reading=power_import&from=${VIENNA.mar[2]}&to=${VIENNA.mar[3]}&resolution=15min`)).json();
  assert.equal(day.points.length, 23 * 4, 'the 23-hour day has 92 quarters');
  assert.equal((await get(`/api/history?meter=${fx.dlms}&reading=power_import&resolution=week`)).statusCode, 400);
  assert.equal((await get(`/api/history?meter=${fx.dlms}&reading=Power-Import`)).statusCode, 400);
});

test('energy per local day across the spring and autumn DST changes (23 and 25 hours), and in UTC with ?tz=', async () => {
  for (const [days, label] of [[VIENNA.mar, 'March'], [VIENNA.oct, 'October']] as const) {
    for (const meter of [fx.dsmr, fx.dlms]) {
      const res = await get(`/api/energy?meter=${meter}&bucket=day&from=${days[0]}&to=${days[days.length - 1]}`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.timeZone, VIENNA.zone, 'the meter zone from the store');
      assert.deepEqual(body.buckets.map((b: { start: string }) => Date.parse(b.start)), days.slice(0, -1), label);
      assert.deepEqual(body.buckets.map((b: { start: string; end: string }) => (Date.parse(b.end) - Date.parse(b.start)) / H),
        label === 'March' ? [24, 24, 23, 24] : [24, 25, 24]);
      body.buckets.forEach((b: { importKwh: number; exportKwh: number }, i: number) => {
        assert.equal(b.importKwh, kwh(energyFromMessages(fx.messages, meter, 'import', days[i], days[i + 1])), `${label} ${meter} day ${i}`);
        assert.equal(b.exportKwh, kwh(energyFromMessages(fx.messages, meter, 'export', days[i], days[i + 1])), `${label} ${meter} day ${i}`);
      });
    }
  }
  const utc = (await get(`/api/energy?meter=${fx.dlms}&bucket=day&tz=UTC&from=${Date.UTC(2026, 2, 28)}&to=${Date.UTC(2026, 2, 30)}`)).json();
  assert.deepEqual(utc.buckets.map((b: { start: string }) => b.start), ['2026-03-28T00:00:00.000Z', '2026-03-29T00:00:00.000Z']);
  assert.equal(utc.buckets[1].importKwh, kwh(energyFromMessages(fx.messages, fx.dlms, 'import', Date.UTC(2026, 2, 29), Date.UTC(2026, 2, 30))));
  const hours = (await get(`/api/energy?meter=${fx.dsmr}&bucket=hour&from=${VIENNA.oct[1]}&to=${VIENNA.oct[2]}`)).json();
  assert.equal(hours.buckets.length, 25);
  assert.equal(hours.source.import, 'registers');
  const months = (await get(`/api/energy?meter=${fx.dlms}&bucket=month&from=${VIENNA.marchStart}&to=${VIENNA.aprilStart}`)).json();
  assert.deepEqual(months.buckets.map((b: { start: string; end: string }) => [Date.parse(b.start), Date.parse(b.end)]), [[VIENNA.marchStart, VIENNA.aprilStart]]);
  assert.equal(months.buckets[0].importKwh, kwh(energyFromMessages(fx.messages, fx.dlms, 'import', VIENNA.marchStart, VIENNA.aprilStart)));
  // A day without data is null, not 0.
  const empty = (await get(`/api/energy?meter=${fx.dlms}&bucket=day&from=${VIENNA.mar[4]}&to=${VIENNA.mar[4] + DAY}`)).json();
  assert.equal(empty.buckets[0].importKwh, null);
});

test('energy: bad parameters are 400 with a message', async () => {
  for (const [q, text] of [
    [`meter=${fx.dlms}&bucket=week`, /bucket= must be one of/],
    [`meter=${fx.dlms}&tz=Mars/Olympus`, /IANA time zone/],
    [`meter=${fx.dlms}&bucket=quarter&from=0&to=${100 * DAY}`, /at most 32 days/],
    [`meter=${fx.dlms}&from=${VIENNA.mar[2]}&to=${VIENNA.mar[1]}`, /before/],
    ['bucket=day', /meter= is required/],
  ] as const) {
    const res = await get(`/api/energy?${q}`);
    assert.equal(res.statusCode, 400, q);
    assert.equal(res.json().error.code, 'BAD_REQUEST');
    assert.match(res.json().error.message, text);
  }
});

test('web:// ?store=: a SQL store URL, checked at start; its password never in the output name or an error', async () => {
  const { createWebSink, parseWebUrl } = await import('../src/sinks/web/index.js');
  const { context } = await import('./dashboard-support.js');
  const secret = 's3cret-pw-4711';
  const pgStore = encodeURIComponent(`postgres://meter:${secret}@db.example/meterwire`);
  assert.equal(parseWebUrl(`web://127.0.0.1:0?store=${encodeURIComponent('sqlite:./data/meterwire.db')}`).store, 'sqlite:./data/meterwire.db');
  const sink = createWebSink(`web://127.0.0.1:0?store=${pgStore}`, context());
  assert.ok(!sink.name.includes(secret), sink.name);
  assert.match(sink.name, /store=postgres/);
  await sink.close();
  // The config file's tariffs reach the web output through the sink context.
  const { parseTariffs } = await import('../src/costs/tariff-schema.js');
  const tariffs = parseTariffs({ currency: 'EUR', timeZone: VIENNA.zone, plans: { home: { import: { type: 'fixed', price: 0.3 } } } });
  const withTariffs = createWebSink(`web://127.0.0.1:0?store=${encodeURIComponent(fx.url)}`, { ...context(), tariffs });
  try {
    assert.equal((await withTariffs.dashboard.app.inject({ url: '/api/meters' })).json().costs, true);
    const c = (await withTariffs.dashboard.app.inject({ url: `/api/costs?meter=${fx.dlms}&from=${VIENNA.mar[1]}&to=${VIENNA.mar[2]}` })).json();
    assert.equal(c.range.energyCost, Math.round(0.3 * energyFromMessages(fx.messages, fx.dlms, 'import', VIENNA.mar[1], VIENNA.mar[2]) / 1000 * 1e6) / 1e6);
  } finally {
    await withTariffs.dashboard.close();
  }
  const bare = createWebSink('web://127.0.0.1:0', context());
  assert.equal((await bare.dashboard.app.inject({ url: '/api/meters' })).json().costs, false);
  await bare.dashboard.close();
  for (const bad of [`redis://u:${secret}@h/0`, `postgres://u:${secret}@h/db?schema=bad-name`]) {
    try {
      parseWebUrl(`web://127.0.0.1:0?store=${encodeURIComponent(bad)}`);
      assert.fail(`accepted ${bad}`);
    } catch (e) {
      assert.equal((e as { code?: string }).code, 'BAD_URL');
      assert.ok(!(e as Error).message.includes(secret), (e as Error).message);
      assert.match((e as Error).message, /\?store=/);
    }
  }
});

test('the in-memory store (no ?store=) answers /api/energy from the counters it kept', async () => {
  const { simulatedMessages } = await import('./dashboard-support.js');
  const now = Date.UTC(2026, 9, 25, 12);
  const times = Array.from({ length: 6 * 60 }, (_, i) => now - 6 * H + (i + 1) * 60_000);
  const msgs = simulatedMessages('at-wienernetze-siemens', times);
  const mem = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, timeZone: VIENNA.zone, now: () => now });
  try {
    mem.record(msgs, now);
    const meter = msgs[0].meter.id!;
    const from = now - 4 * H;
    const body = (await mem.app.inject({ url: `/api/energy?meter=${meter}&bucket=hour&from=${from}&to=${now}` })).json();
    assert.equal(body.buckets.length, 4);
    body.buckets.forEach((b: { start: string; importKwh: number }, i: number) => {
      assert.equal(Date.parse(b.start), from + i * H);
      assert.equal(b.importKwh, kwh(energyFromMessages(msgs, meter, 'import', from + i * H, from + (i + 1) * H)));
    });
  } finally {
    await mem.close();
  }
});
