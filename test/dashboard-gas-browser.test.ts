/**
 * Gas and water in the History view, and its periods cut in the meter's zone whatever the browser's, in real
 * Chromium (Debian's, through playwright-core): a SQLite store holding two days of a simulated DSMR 5 meter with a
 * gas meter on M-Bus channel 1, and a meter without one. The gas chart shows m³ per bucket as the energy API sums
 * them (checked here against the readings written), labelled in English and German; the meter without gas has no
 * gas chart; a meter with water (channel 1) and gas (channel 2) draws both; no console error (CSP included).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { WebSink } from '../src/sinks/web/index.js';
import { periodRange } from '../src/dashboard/page/zone.js';
import { volumeKind } from '../src/dashboard/volume-kinds.js';
import { chromiumSkip, GAS_DEVICE, launchChromium, simulatedGasM3, simulatedGasMessages, simulatedMbusMessages, simulatedMessages,
  simulatedWaterM3, storeDashboard, timesUntil, WATER_DEVICE, watchedPage, type StoreDashboard } from './dashboard-support.js';

const skip = await chromiumSkip();
const ZONE = 'Europe/Amsterdam';
const STEP = 5 * 60_000;
const DAY = 86_400_000;

let browser: Browser;
let dash: StoreDashboard;
let sink: WebSink;
let gasMeter: string;
let plainMeter: string;
let times: number[];

before(async () => {
  if (skip) return;
  times = timesUntil(Math.floor(Date.now() / STEP) * STEP, 2 * DAY, STEP);
  const gas = simulatedGasMessages(times);
  const plain = simulatedMessages('be-fluvius', times);
  gasMeter = gas[0].meter.id!;
  plainMeter = plain[0].meter.id!;
  assert.notEqual(gasMeter, plainMeter);
  dash = await storeDashboard([...gas, ...plain], ZONE);
  sink = dash.sink;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await dash?.close();
});

/** Yesterday in the History view (a whole day of data whatever the time now); its start. */
async function showYesterday(page: Page): Promise<number> {
  const shown = await page.locator('#view-history').getAttribute('data-shown');
  await page.locator('#period-prev').click();
  await page.locator(`#view-history:not([data-shown="${shown}"])`).waitFor();
  return Number((await page.locator('#view-history').getAttribute('data-shown'))!.split(':')[1]);
}

/** The m³ a register rose by over [from, to) in the written readings: its last value before `to` less its last before `from`. */
function registerRise(m3: (ms: number) => number, from: number, to: number): number {
  return Math.round((m3(times.filter((t) => t < to).pop()!) - m3(times.filter((t) => t < from).pop()!)) * 1000) / 1000;
}

const m3Text = (v: number, locale = 'en-GB') => `${new Intl.NumberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(v)} m³`;

test('history: the gas chart shows m³ per bucket for the meter with gas, none for the meter without; English and German; no console errors', { skip }, async (t) => {
  const { page, errors, close } = await watchedPage(browser, { timezoneId: ZONE, viewport: { width: 1200, height: 1400 } });
  try {
    await page.goto(`${sink.dashboard.url()}#history`);
    await page.locator('#view-history[data-shown^="day:"]').waitFor({ timeout: 10_000 });
    await page.locator('#meter').selectOption(gasMeter);
    const from = await showYesterday(page);
    const gasSection = page.locator('#volume-charts section[data-kind="gas"]');
    await gasSection.locator('canvas').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => performance.getEntriesByName('meterwire:history-gas').length > 0, undefined, { timeout: 10_000 });
    assert.equal(await gasSection.locator('h2').textContent(), 'Gas');
    // A measurement, not an assertion: navigation → the gas chart drawn with data (after a meter change and ‹).
    t.diagnostic(`gas chart drawn ${Math.round(await page.evaluate(() => performance.getEntriesByName('meterwire:history-gas')[0].startTime))} ms after navigation`);
    assert.equal(await gasSection.locator('.chart').getAttribute('aria-label'), 'Gas per bucket in m³');

    // The API's hourly volumes for that day add up to what the meter's register rose by (readings written above).
    const to = from + 86_400_000 + 3_600_000 * 2; // long enough for a 25-hour day; cut at the next local midnight below
    const api = (await sink.dashboard.app.inject({ url: `/api/energy?meter=${gasMeter}&bucket=day&from=${from}&to=${to}&tz=${ZONE}` })).json();
    const dayEnd = Date.parse(api.buckets[0].end);
    const hours = (await sink.dashboard.app.inject({ url: `/api/energy?meter=${gasMeter}&bucket=hour&from=${from}&to=${dayEnd}&tz=${ZONE}` })).json();
    assert.deepEqual(hours.volumes, [{ id: 'gas_volume', kind: 'gas', index: 1, channel: null }]);
    const dayM3 = hours.buckets.reduce((s: number, b: { volumesM3?: Record<string, number> }) => s + (b.volumesM3?.gas_volume ?? 0), 0);
    const expected = registerRise(simulatedGasM3, from, dayEnd);
    assert.ok(expected > 0, 'the household used gas that day');
    assert.equal(Math.round(dayM3 * 1000) / 1000, expected);
    assert.equal(hours.buckets.filter((b: { volumesM3?: unknown }) => b.volumesM3).length, hours.buckets.length, 'every hour has a volume');
    await gasSection.locator('.volume-total').filter({ hasText: m3Text(dayM3) }).waitFor();
    assert.equal(await gasSection.locator('.volume-total').textContent(), `This period: ${m3Text(dayM3)}`);
    // The bars: uPlot's data for the chart is the API's per-hour volumes (the legend names the series).
    assert.match(await gasSection.locator('.u-legend').textContent() ?? '', /Gas/);

    if (process.env.GAS_SCREENSHOT) await gasSection.screenshot({ path: process.env.GAS_SCREENSHOT });
    // German labels.
    await page.locator('#lang').selectOption('de');
    await gasSection.locator('h2').filter({ hasText: 'Gas' }).waitFor();
    await gasSection.locator('.volume-total').filter({ hasText: /^Dieser Zeitraum: / }).waitFor();
    assert.equal(await gasSection.locator('.volume-total').textContent(), `Dieser Zeitraum: ${m3Text(dayM3, 'de-DE')}`);
    assert.equal(await gasSection.locator('.chart').getAttribute('aria-label'), 'Gas je Intervall in m³');

    // The meter without gas: no gas chart.
    await page.locator('#meter').selectOption(plainMeter);
    await page.locator('#period-total').filter({ hasText: /kWh/ }).waitFor();
    await page.locator('#volume-charts').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#volume-charts section').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('history: water on M-Bus channel 1 and gas on channel 2 of one meter, a chart each with the m³ the registers rose by', { skip }, async (t) => {
  const both = await storeDashboard(simulatedMbusMessages(times, [WATER_DEVICE, GAS_DEVICE]), ZONE);
  t.after(() => both.close());
  const meter = (await both.sink.dashboard.app.inject({ url: '/api/meters' })).json().meters[0].meter;
  const { page, errors, close } = await watchedPage(browser, { timezoneId: ZONE, viewport: { width: 1200, height: 1800 } });
  try {
    await page.goto(`${both.sink.dashboard.url()}?meter=${meter}#history`);
    await page.locator('#view-history[data-shown^="day:"]').waitFor({ timeout: 10_000 });
    const from = await showYesterday(page);
    const water = page.locator('#volume-charts section[data-kind="water"]');
    await water.locator('canvas').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => performance.getEntriesByName('meterwire:history-water').length > 0, undefined, { timeout: 10_000 });
    assert.deepEqual(await page.locator('#volume-charts section').evaluateAll((s) => s.map((x) => x.getAttribute('data-kind')).sort()), ['gas', 'water']);
    assert.equal(await water.locator('h2').textContent(), 'Water');
    assert.equal(await water.locator('.chart').getAttribute('aria-label'), 'Water per bucket in m³');
    const box = await water.locator('canvas').first().boundingBox();
    assert.ok(box && box.width > 300 && box.height > 100, JSON.stringify(box));
    // The day's water as the API sums it is what the register rose by; the page's total shows it.
    const day = (await both.sink.dashboard.app.inject({ url: `/api/energy?meter=${meter}&bucket=day&from=${from}&to=${from + DAY + 2 * 3_600_000}&tz=${ZONE}` })).json();
    const dayEnd = Date.parse(day.buckets[0].end);
    const hours = (await both.sink.dashboard.app.inject({ url: `/api/energy?meter=${meter}&bucket=hour&from=${from}&to=${dayEnd}&tz=${ZONE}` })).json();
    const sum = (id: string) => Math.round(hours.buckets.reduce((a: number, b: { volumesM3?: Record<string, number> }) => a + (b.volumesM3?.[id] ?? 0), 0) * 1000) / 1000;
    const waterM3 = registerRise(simulatedWaterM3, from, dayEnd);
    assert.ok(waterM3 > 0, 'the household used water that day');
    assert.equal(sum('water_volume'), waterM3);
    assert.equal(sum('gas_volume'), registerRise(simulatedGasM3, from, dayEnd));
    await water.locator('.volume-total').filter({ hasText: m3Text(waterM3) }).waitFor();
    assert.equal(await water.locator('.volume-total').textContent(), `This period: ${m3Text(waterM3)}`);
    assert.match(await water.locator('.u-legend').textContent() ?? '', /Water/);
    await page.locator('#lang').selectOption('de');
    await water.locator('h2').filter({ hasText: 'Wasser' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

/** The wall clock in `zone` at `ms` as "YYYY-MM-DD HH:MM", by Intl (not by the code under test). */
const wall = (zone: string, ms: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);

test('periods: local days, weeks, months and years of a named zone, 23 and 25 hours on the days the clocks change', () => {
  const iso = (r: number[]) => r.map((x) => new Date(x).toISOString());
  // Instants written out: Amsterdam is UTC+1 in winter, UTC+2 from 29 March to 25 October 2026.
  assert.deepEqual(iso(periodRange('day', Date.UTC(2026, 2, 29, 10), ZONE)), ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  assert.deepEqual(iso(periodRange('day', Date.UTC(2026, 9, 25, 10), ZONE)), ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z']);
  assert.deepEqual(iso(periodRange('week', Date.UTC(2026, 2, 29, 10), ZONE)), ['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  // 23:30 UTC on 31 March is already 1 April in Amsterdam.
  assert.deepEqual(iso(periodRange('month', Date.UTC(2026, 2, 31, 22, 30), ZONE)), ['2026-03-31T22:00:00.000Z', '2026-04-30T22:00:00.000Z']);
  assert.deepEqual(iso(periodRange('year', Date.UTC(2026, 11, 31, 23, 30), ZONE)), ['2026-12-31T23:00:00.000Z', '2027-12-31T23:00:00.000Z']);
  assert.deepEqual(iso(periodRange('day', Date.UTC(2026, 2, 8, 12), 'America/New_York')), ['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
  assert.deepEqual(iso(periodRange('day', Date.UTC(2026, 2, 29, 0, 30), 'Asia/Kolkata')), ['2026-03-28T18:30:00.000Z', '2026-03-29T18:30:00.000Z']);
});

test('history: a browser in New York shows the Amsterdam meter\'s days (its zone from /api/meters), and asks the API in that zone', { skip }, async () => {
  const meters = (await sink.dashboard.app.inject({ url: '/api/meters' })).json();
  assert.equal(meters.meters.find((m: { meter: string }) => m.meter === gasMeter).timeZone, ZONE);
  const { page, errors, close } = await watchedPage(browser, { timezoneId: 'America/New_York', viewport: { width: 1200, height: 1000 } });
  const zones = new Set<string>();
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.endsWith('/api/energy')) zones.add(u.searchParams.get('tz') ?? ''); });
  try {
    const t0 = Date.now();
    await page.goto(`${sink.dashboard.url()}?meter=${gasMeter}#history`);
    await page.locator('#meter').selectOption(gasMeter);
    await page.locator('#view-history[data-shown^="day:"]').waitFor({ timeout: 10_000 });
    for (const period of ['day', 'week', 'month']) {
      await page.locator(`[data-period=${period}]`).click();
      await page.locator(`#view-history[data-shown^="${period}:"]`).waitFor();
      const from = Number((await page.locator('#view-history').getAttribute('data-shown'))!.split(':')[1]);
      assert.match(wall(ZONE, from), / 00:00$/, `${period} starts at midnight in Amsterdam`);
      assert.doesNotMatch(wall('America/New_York', from), / 00:00$/);
      assert.ok(from <= Date.now() && from > t0 - 32 * 86_400_000, 'the period holds today');
    }
    assert.deepEqual([...zones], [ZONE]);
    // The day's label is the Amsterdam date (the axes are drawn on canvas).
    await page.locator('[data-period=day]').click();
    await page.locator('#view-history[data-shown^="day:"]').waitFor();
    const day = Number((await page.locator('#view-history').getAttribute('data-shown'))!.split(':')[1]);
    assert.equal(await page.locator('#period-label').textContent(),
      new Date(day).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: ZONE }));
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('volumes: the medium from the decoder\'s reading id; an unknown medium keeps its channel, never a guess', () => {
  assert.deepEqual(volumeKind('gas_volume'), { id: 'gas_volume', kind: 'gas', index: 1, channel: null });
  assert.deepEqual(volumeKind('water_volume'), { id: 'water_volume', kind: 'water', index: 1, channel: null });
  assert.deepEqual(volumeKind('hot_water_volume_2'), { id: 'hot_water_volume_2', kind: 'hotWater', index: 2, channel: null });
  assert.deepEqual(volumeKind('mbus_3_value'), { id: 'mbus_3_value', kind: null, index: 1, channel: 3 });
  assert.deepEqual(volumeKind('mbus2_reading'), { id: 'mbus2_reading', kind: null, index: 1, channel: 2 });
  assert.deepEqual(volumeKind('volume_total'), { id: 'volume_total', kind: null, index: 1, channel: null });
});
