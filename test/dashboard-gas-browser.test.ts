/**
 * Gas in the History view, and its periods cut in the meter's zone whatever the browser's, in real Chromium (Debian's, through playwright-core): a SQLite store holding two days
 * of a simulated DSMR 5 meter with a gas meter on M-Bus channel 1, and a meter without one. The gas chart shows
 * m³ per bucket as the energy API sums them (checked here against the readings written), labelled in English and
 * German; the meter without gas has no gas chart; no console error (CSP included).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createWebSink, type WebSink } from '../src/sinks/web/index.js';
import { requireService } from './support/services.js';
import { periodRange } from '../src/dashboard/page/zone.js';
import { volumeKind } from '../src/dashboard/volume-kinds.js';
import { context, simulatedGasM3, simulatedGasMessages, simulatedMessages, writeSqlHistory } from './dashboard-support.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = await requireService('chromium', () => existsSync(CHROMIUM), `install Debian's chromium (${CHROMIUM}); playwright never downloads one here`);
const ZONE = 'Europe/Amsterdam';
const STEP = 5 * 60_000;

let browser: Browser;
let sink: WebSink;
let dir: string;
let gasMeter: string;
let plainMeter: string;
let times: number[];

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'meterwire-gasbrowser-'));
  const url = `sqlite:${join(dir, 'meterwire.db')}`;
  const now = Math.floor(Date.now() / STEP) * STEP;
  times = Array.from({ length: (2 * 86_400_000) / STEP }, (_, i) => now - 2 * 86_400_000 + (i + 1) * STEP);
  const gas = simulatedGasMessages(times);
  const plain = simulatedMessages('be-fluvius', times);
  gasMeter = gas[0].meter.id!;
  plainMeter = plain[0].meter.id!;
  assert.notEqual(gasMeter, plainMeter);
  await writeSqlHistory(`${url}?tz=${ZONE}`, [...gas, ...plain]);
  sink = createWebSink(`web://127.0.0.1:0?store=${encodeURIComponent(url)}`, context());
  await sink.open();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const m3Text = (v: number, locale = 'en-GB') => `${new Intl.NumberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(v)} m³`;

test('history: the gas chart shows m³ per bucket for the meter with gas, none for the meter without; English and German; no console errors', { skip }, async (t) => {
  const ctx = await browser.newContext({ locale: 'en-GB', timezoneId: ZONE, viewport: { width: 1200, height: 1400 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${sink.dashboard.url()}#history`);
    await page.locator('#view-history[data-shown^="day:"]').waitFor({ timeout: 10_000 });
    await page.locator('#meter').selectOption(gasMeter);
    // Yesterday: a whole day of data whatever the time now.
    const shown = await page.locator('#view-history').getAttribute('data-shown');
    await page.locator('#period-prev').click();
    await page.locator(`#view-history:not([data-shown="${shown}"])`).waitFor();
    const from = Number((await page.locator('#view-history').getAttribute('data-shown'))!.split(':')[1]);
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
    const before = times.filter((t) => t < from).pop()!;
    const last = times.filter((t) => t < dayEnd).pop()!;
    const expected = Math.round((simulatedGasM3(last) - simulatedGasM3(before)) * 1000) / 1000;
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
    await ctx.close();
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
  const ctx = await browser.newContext({ locale: 'en-GB', timezoneId: 'America/New_York', viewport: { width: 1200, height: 1000 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  const zones = new Set<string>();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
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
    await ctx.close();
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
